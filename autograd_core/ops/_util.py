"""Small helpers shared by the op modules."""
import numpy as np

from ..modes import state as _state
from ..tensor import Tensor, _new_tensor


def raw(x):
    """The ndarray inside a Tensor, or ``x`` itself (a number or an array)."""
    return x.data if isinstance(x, Tensor) else x


def as_tensor(x):
    """``x`` as a Tensor: Tensors pass through, anything else becomes a constant."""
    if isinstance(x, Tensor):
        return x
    return Tensor(x) if not isinstance(x, np.ndarray) else _new_tensor(x)


def normalize_axis(axis, ndim, op):
    """``axis`` (None, int or tuple) as a sorted tuple of non-negative ints.

    As NumPy: an axis out of ``[-ndim, ndim)`` raises ``AxisError`` naming the
    op (so a 0-d tensor has no axis 0).
    """
    if axis is None:
        return tuple(range(ndim))
    if axis.__class__ is int and -ndim <= axis < ndim:      # the common case, fast
        return (axis % ndim,)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        a = int(a)
        if not -ndim <= a < ndim:
            raise np.exceptions.AxisError(f"{op}: axis {a} is out of bounds for a tensor "
                                          f"of {ndim} dimensions")
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {axis}")
    return tuple(sorted(out))


def keepdims_shape(shape, axes):
    """``shape`` with the reduced ``axes`` set to 1 (the keepdims shape)."""
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def operands(*values):
    """The values a backward computes with: as given when the backward is recorded.

    Under ``create_graph`` a backward must build a graph, so its Tensors stay
    Tensors. Otherwise each Tensor is replaced by its array: ndarrays and
    Tensors share the operators such backwards use (``@ * / + - reshape
    transpose swapaxes sum``), so one formula serves both, and an unrecorded
    backward (every training step) skips the bookkeeping of each intermediate.
    Numbers and arrays pass through unchanged.
    """
    if _state.grad_enabled:
        return values
    return tuple(v.data if isinstance(v, Tensor) else v for v in values)


def is_array(x):
    """True for a bare NumPy value (array or scalar): an unrecorded backward's operand."""
    return isinstance(x, (np.ndarray, np.generic))
