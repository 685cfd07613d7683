"""Helpers shared by the functional modules."""
import autograd_core as ag

REDUCTIONS = ("mean", "sum", "none")


def as_tensor(x, dtype=None):
    """``x`` as a Tensor: Tensors pass through; other data becomes a constant of ``dtype``
    (when given), else of the dtype ``ag.tensor`` gives it."""
    if isinstance(x, ag.Tensor):
        return x
    return ag.tensor(x, dtype=dtype)


def reduce(loss, reduction, name):
    """Apply ``reduction`` ("mean", "sum" or "none") to a per-element loss."""
    check_reduction(reduction, name)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def check_reduction(reduction, name):
    """Raise ``ValueError`` (prefixed with ``name``) unless ``reduction`` is a known one."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {REDUCTIONS}, got {reduction!r}")


def first_out_of_range(indices, n):
    """The first of the int array ``indices`` outside ``[0, n)``, or ``None``."""
    if indices.size and (indices.min() < 0 or indices.max() >= n):
        return indices[(indices < 0) | (indices >= n)].flat[0]
    return None
