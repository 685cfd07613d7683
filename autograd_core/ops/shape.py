"""Shape ops: reshape, transpose, broadcast, concatenate, pad, dtype casts, and
PyTorch's spellings of them (permute, unsqueeze, view, clone, numel).

Functions with an ``axis`` (``start_axis``/``end_axis``) also take PyTorch's
``dim`` (``start_dim``/``end_dim``), through ``_util.torch_names``.

``sum_to`` here is the one place where broadcasting is undone: the engine
calls it on every gradient whose shape differs from its input's.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..function import Primitive
from ._util import as_tensor, axis_int, normalize_axis, operands, raw, torch_names

if TYPE_CHECKING:
    from .._types import Axis, DTypeLike, Scalar, Shape, TensorLike
    from ..tensor import Tensor

__all__ = ["reshape", "transpose", "swapaxes", "flatten", "squeeze", "expand_dims",
           "broadcast_to", "concatenate", "stack", "pad", "astype", "sum_to",
           "permute", "unsqueeze", "view", "clone", "numel"]
METHODS = ["reshape", "transpose", "swapaxes", "flatten", "squeeze", "expand_dims",
           "broadcast_to", "permute", "unsqueeze", "view", "clone", "numel"]


class Reshape(Primitive):
    """A new shape with the same elements; the gradient is reshaped back."""

    __slots__ = ("in_shape",)
    _views_input = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return x.data.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        g, = operands(g)
        return (g if g.shape == ctx.in_shape else g.reshape(ctx.in_shape)), None


class Transpose(Primitive):
    """Permute axes; the gradient is permuted back by the inverse permutation."""

    __slots__ = ("axes",)
    _views_input = True

    @staticmethod
    def forward(ctx, x, axes):
        ctx.axes = axes
        return np.transpose(x.data, axes)

    @staticmethod
    def backward(ctx, g):
        g, = operands(g)
        return g.transpose(tuple(np.argsort(ctx.axes).tolist())), None


class BroadcastTo(Primitive):
    """Broadcast to a larger shape; the gradient is summed back (``sum_to``)."""

    __slots__ = ("in_shape",)
    _views_input = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return np.broadcast_to(x.data, shape)

    @staticmethod
    def backward(ctx, g):
        g, = operands(g)
        return sum_to(g, ctx.in_shape), None


class Concatenate(Primitive):
    """Join along an axis; each input gets its slice of the gradient."""

    __slots__ = ("axis", "bounds")

    @staticmethod
    def forward(ctx, *xs, axis):
        arrays = [np.asarray(raw(x)) for x in xs]
        out = np.concatenate(arrays, axis=axis)
        ctx.axis = axis % out.ndim
        ends = np.cumsum([a.shape[ctx.axis] for a in arrays]).tolist()
        ctx.bounds = list(zip([0] + ends[:-1], ends))
        return out

    @staticmethod
    def backward(ctx, g):
        lead = (slice(None),) * ctx.axis
        return tuple(g[lead + (slice(lo, hi),)] if e is not None else None
                     for e, (lo, hi) in zip(ctx.next, ctx.bounds))


class Pad(Primitive):
    """Pad with a constant; the gradient is the un-padded middle."""

    __slots__ = ("middle",)

    @staticmethod
    def forward(ctx, x, widths, value):
        ctx.middle = tuple(slice(lo, lo + s) for (lo, _), s in zip(widths, x.shape))
        return np.pad(x.data, widths, mode="constant", constant_values=raw(value))

    @staticmethod
    def backward(ctx, g):
        return g[ctx.middle], None, None


class Cast(Primitive):
    """Convert the dtype; the gradient is converted back."""

    __slots__ = ("in_dtype",)

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.in_dtype = x.dtype
        return x.data.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return (g if g.dtype == ctx.in_dtype else g.astype(ctx.in_dtype)), None


class Clone(Cast):
    """A copy (the same dtype); the gradient passes through unchanged."""

    __slots__ = ()


def sum_to(grad, shape):
    """Sum ``grad`` over the axes along which a tensor of ``shape`` was broadcast.

    The inverse of broadcasting for gradients, made of ``sum`` and ``reshape``,
    so it is differentiable; it works on bare arrays as well. ``shape`` must
    broadcast to ``grad.shape``.
    """
    gshape = grad.shape
    if gshape == shape:
        return grad
    lead = len(gshape) - len(shape)
    if lead < 0 or any(s != 1 and s != gs for s, gs in zip(shape, gshape[lead:])):
        raise ValueError(f"sum_to: a gradient of shape {gshape} cannot be summed to "
                         f"shape {shape}")
    axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape)
                                      if s == 1 and gshape[lead + i] != 1)
    out = grad.sum(axis=axes) if axes else grad
    return out.reshape(shape) if out.shape != shape else out


def _shape_arg(shape, op, what="shape"):
    """Accept ``f(2, 3)`` and ``f((2, 3))`` alike; entries must be integers.

    A float (2.0), a string or a bool raises ``TypeError`` naming the op, as
    NumPy refuses them, rather than being truncated.
    """
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer, str, bytes)):
        try:
            shape = tuple(shape[0])         # one sequence: a tuple, list, array...
        except TypeError:
            pass                            # one non-integer entry: refused below
    out = []
    for s in shape:
        if s.__class__ is int:
            out.append(s)
            continue
        try:
            out.append(axis_int(s, op, what))     # refuses bools and non-integers
        except TypeError:
            raise TypeError(f"{op}: {what} must be ints, got {shape!r} (an entry of type "
                            f"{type(s).__name__})") from None
    return tuple(out)


def reshape(x: TensorLike, *shape: Shape) -> Tensor:
    """The same elements in a new shape (one entry may be -1).

    Always a new tensor (a view of the same data), even when the shape is
    unchanged: a hook or ``retain_grad`` on the result must not act on ``x``.
    """
    x = as_tensor(x)
    return Reshape.apply(x, _shape_arg(shape, "reshape"))


def _permutation(x, axes, op):
    """``axes`` (varargs or one sequence) checked as a permutation of ``x``'s axes."""
    given = axes
    axes = _shape_arg(axes, op, "axes")
    if (any(not -x.ndim <= a < x.ndim for a in axes)
            or sorted(a % x.ndim for a in axes) != list(range(x.ndim))):
        hint = ""
        if op == "transpose" and len(given) == 2 and x.ndim != 2:
            hint = (f"; PyTorch's transpose(dim0, dim1) swaps two axes: here that is "
                    f"swapaxes({given[0]}, {given[1]})")
        raise ValueError(f"{op}: axes {axes} are not a permutation of the "
                         f"{x.ndim} axes of a tensor of shape {x.shape}{hint}")
    return tuple(a % x.ndim for a in axes)


def transpose(x: TensorLike, *axes: Shape) -> Tensor:
    """Permute the axes as NumPy: reversed by default, or in the order given.

    Not PyTorch's ``transpose(dim0, dim1)``, which swaps two axes (that is
    ``swapaxes``): ``t.transpose(0, 1)`` on a 2-D tensor is the identity
    permutation here, so it warns; two axes on another number of axes are not
    a permutation and raise, suggesting ``swapaxes``.
    """
    x = as_tensor(x)
    if not axes or axes == (None,):
        axes = tuple(range(x.ndim))[::-1]
    else:
        perm = _permutation(x, axes, "transpose")
        if len(axes) == 2 and perm == (0, 1):
            warnings.warn("transpose(0, 1) on a 2-D tensor is the identity permutation "
                          "(NumPy's meaning, which autograd_core follows); PyTorch's "
                          "transpose(0, 1) swaps the axes: for that use t.swapaxes(0, 1), "
                          "t.T or t.transpose(1, 0)", UserWarning, stacklevel=2)
        axes = perm
    return Transpose.apply(x, axes)


def permute(x: TensorLike, *axes: Shape) -> Tensor:
    """The axes in the order given, as PyTorch's ``permute``: ``x.permute(0, 2, 1)``.

    ``axes`` (PyTorch's ``dims``) are ints or one sequence of them, negative
    counting from the end, and must name every axis once.
    """
    x = as_tensor(x)
    if not axes:
        raise TypeError(f"permute: needs the new order of all {x.ndim} axes, e.g. "
                        f"permute({', '.join(map(str, range(x.ndim)))})")
    return Transpose.apply(x, _permutation(x, axes, "permute"))


def swapaxes(x: TensorLike, axis1: int, axis2: int) -> Tensor:
    """Exchange two axes."""
    x = as_tensor(x)
    a, b = (normalize_axis(axis1, x.ndim, "swapaxes", "axis1")[0],
            normalize_axis(axis2, x.ndim, "swapaxes", "axis2")[0])
    perm = list(range(x.ndim))
    perm[a], perm[b] = perm[b], perm[a]
    return Transpose.apply(x, tuple(perm))


@torch_names
def flatten(x: TensorLike, start_axis: int = 0, end_axis: int = -1) -> Tensor:
    """Merge the axes from ``start_axis`` to ``end_axis`` (inclusive) into one."""
    x = as_tensor(x)
    if x.ndim == 0:
        return reshape(x, 1)
    start = normalize_axis(start_axis, x.ndim, "flatten", "start_axis")[0]
    end = normalize_axis(end_axis, x.ndim, "flatten", "end_axis")[0]
    if start > end:
        raise ValueError(f"flatten: start_axis {start_axis} comes after end_axis {end_axis}")
    shape = x.shape[:start] + (int(np.prod(x.shape[start:end + 1])),) + x.shape[end + 1:]
    return reshape(x, shape)


@torch_names
def squeeze(x: TensorLike, axis: Axis = None) -> Tensor:
    """Remove axes of size 1 (all of them, or those in ``axis``, which must have size 1)."""
    x = as_tensor(x)
    if axis is None:
        axes = tuple(i for i, s in enumerate(x.shape) if s == 1)
    else:
        axes = normalize_axis(axis, x.ndim, "squeeze")
        bad = [a for a in axes if x.shape[a] != 1]
        if bad:
            raise ValueError(f"squeeze: axis {bad[0]} of a tensor of shape {x.shape} has "
                             f"size {x.shape[bad[0]]}, not 1")
    return reshape(x, tuple(s for i, s in enumerate(x.shape) if i not in axes))


@torch_names
def expand_dims(x: TensorLike, axis: Shape) -> Tensor:
    """Insert axes of size 1 at ``axis`` (an int or a tuple), as NumPy."""
    x = as_tensor(x)
    axes = (axis,) if not isinstance(axis, (tuple, list)) else axis
    ndim = x.ndim + len(axes)
    new = normalize_axis(axis, ndim, "expand_dims")
    it = iter(x.shape)
    return reshape(x, tuple(1 if i in new else next(it) for i in range(ndim)))


def broadcast_to(x: TensorLike, shape: Shape) -> Tensor:
    """Broadcast to ``shape`` (a read-only view); the gradient is summed back."""
    x = as_tensor(x)
    return BroadcastTo.apply(x, _shape_arg((shape,), "broadcast_to"))


@torch_names
def concatenate(tensors: Sequence[TensorLike], axis: int | None = 0) -> Tensor:
    """Join a sequence of tensors along an existing axis (``axis=None``: flattened first)."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("concatenate: needs at least one tensor")
    if axis is None:                    # as NumPy: flatten first
        ts = [as_tensor(t) for t in tensors]
        tensors, axis = [t if t.ndim == 1 else reshape(t, -1) for t in ts], 0
    axis = axis_int(axis, "concatenate")
    return Concatenate.apply(*tensors, axis=axis)


@torch_names
def stack(tensors: Sequence[TensorLike], axis: int = 0) -> Tensor:
    """Join a sequence of same-shaped tensors along a new axis."""
    ts = [as_tensor(t) for t in tensors]
    if not ts:
        raise ValueError("stack: needs at least one tensor")
    shapes = {t.shape for t in ts}
    if len(shapes) > 1:
        raise ValueError("stack: all tensors must have the same shape, got "
                         + ", ".join(str(t.shape) for t in ts))
    ndim = ts[0].ndim + 1
    axis = normalize_axis(axis, ndim, "stack")[0]
    return concatenate([expand_dims(t, axis) for t in ts], axis=axis)


def pad(x: TensorLike, pad_width: Any, constant_values: Scalar = 0) -> Tensor:
    """Pad with a constant, as ``np.pad(mode="constant")``.

    ``pad_width`` is an int, a ``(before, after)`` pair, or one pair per axis.
    """
    x = as_tensor(x)
    try:
        widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (x.ndim, 2))
    except ValueError:
        raise ValueError(f"pad: pad_width {pad_width!r} does not fit a tensor of shape "
                         f"{x.shape}") from None
    if (widths < 0).any():
        raise ValueError(f"pad: pad widths must be >= 0, got {pad_width!r}")
    return Pad.apply(x, tuple(map(tuple, widths.tolist())), constant_values)


def astype(x: TensorLike, dtype: DTypeLike) -> Tensor:
    """A copy converted to ``dtype``; the gradient flows back between float dtypes."""
    x = as_tensor(x)
    return Cast.apply(x, np.dtype(dtype))


@torch_names
def unsqueeze(x: TensorLike, axis: Shape) -> Tensor:
    """A new axis of size 1 at ``axis`` (one int), as PyTorch's ``unsqueeze(dim)``.

    ``axis`` counts positions in the result, so it runs over
    ``[-ndim - 1, ndim]``: -1 makes a new last axis (as PyTorch and
    ``expand_dims``).
    """
    x = as_tensor(x)
    axis = normalize_axis(axis_int(axis, "unsqueeze"), x.ndim + 1, "unsqueeze")[0]
    return expand_dims(x, axis)


def _looks_like_dtype(s):
    if isinstance(s, (np.dtype, str)) or (isinstance(s, type) and issubclass(
            s, (np.generic, float, int, bool, complex))):
        return True
    return type(s).__module__ == "torch"        # torch.float32 and the like


def view(x: TensorLike, *shape: Shape) -> Tensor:
    """The same elements in a new shape, as PyTorch's ``view`` (``reshape`` here).

    One entry may be -1. Unlike PyTorch's, it works on any layout (a copy is
    made where a view cannot be). ``view(dtype)``, a reinterpretation of the
    bits in PyTorch, is not supported: convert with ``to``/``astype``.
    """
    x = as_tensor(x)
    if len(shape) == 1 and _looks_like_dtype(shape[0]):
        raise TypeError(f"view: view(dtype) (reinterpreting the bits, in PyTorch) is not "
                        f"supported, got {shape[0]!r}; to convert the values use "
                        f"t.to(dtype) or t.astype(dtype)")
    return Reshape.apply(x, _shape_arg(shape, "view"))


def clone(x: TensorLike) -> Tensor:
    """A copy that stays in the graph: the gradient flows back to ``x``, as PyTorch's."""
    x = as_tensor(x)
    return Clone.apply(x, x.dtype)


def numel(x: TensorLike) -> int:
    """The number of elements, a Python int (as PyTorch's ``numel``; NumPy's ``size``)."""
    return int(as_tensor(x).data.size)
