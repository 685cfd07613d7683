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
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{name}: reduction must be one of {REDUCTIONS}, got {reduction!r}")


def check_reduction(reduction, name):
    if reduction not in REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {REDUCTIONS}, got {reduction!r}")
