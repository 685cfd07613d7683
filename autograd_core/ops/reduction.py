"""Reductions (sum, mean, max, min, var, std, prod, norm, all, any, argmax,
argmin), the running sum ``cumsum`` and the stable log-sum-exp family.

``axis`` is None (all axes), an int (negative counts from the end) or a tuple,
and ``keepdims`` keeps reduced axes as size 1, as in NumPy. ``max``/``min``
split the gradient evenly among tied maxima. ``logsumexp``, ``softmax`` and
``log_softmax`` subtract the (constant) maximum first, so they stay finite for
any finite input. ``softmax`` and ``log_softmax`` are primitives (the hot path
of every classifier), with backwards written in Tensor ops.

Every function here also takes PyTorch's argument names (``dim=``,
``keepdim=``, ``correction=``/``unbiased=`` for ``ddof=``; see
``_util.torch_names``). ``max``/``min`` called with ``dim=`` return
PyTorch's named tuple ``(values, indices)``; with ``axis=`` (the contract)
they return the values.
"""
from __future__ import annotations

import collections
from builtins import any as _builtin_any
from builtins import max as _builtin_max
from typing import TYPE_CHECKING

import numpy as np

from ..function import Primitive
from ..tensor import Tensor, _new_tensor
from ._util import (as_tensor, axis_int, is_array, keepdims_shape, normalize_axis, operands,
                    torch_names)
from .elementwise import Sqrt, abs, exp, log, where
from .shape import pad

if TYPE_CHECKING:
    from .._types import Axis, TensorLike

__all__ = ["sum", "mean", "max", "min", "var", "std", "logsumexp", "softmax",
           "log_softmax", "prod", "cumsum", "norm", "all", "any", "argmax", "argmin"]
METHODS = __all__


class Sum(Primitive):
    """Sum over axes; the gradient is broadcast back over the summed axes."""

    __slots__ = ("in_shape", "axes")

    @staticmethod
    def forward(ctx, x, axes, keepdims):
        ctx.in_shape = x.shape
        ctx.axes = axes
        return x.data.sum(axis=axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        g, = operands(g)
        kd_shape = keepdims_shape(ctx.in_shape, ctx.axes)
        if g.shape != kd_shape:
            g = g.reshape(kd_shape)
        return _broadcast(g, ctx.in_shape), None, None


class _Extreme(Primitive):
    """Max or min over axes; tied extremes share the gradient evenly."""

    __slots__ = ("in_shape", "kd_shape")
    reduce: str | None = None   # "max" or "min": the ndarray method

    @classmethod
    def forward(cls, ctx, x, axes, keepdims):
        """The extreme over ``axes``; saves each element's share of the gradient."""
        x = x.data
        if _builtin_any(x.shape[a] == 0 for a in axes):
            raise ValueError("cannot reduce over an axis of length 0: the result has no value")
        ctx.in_shape = x.shape
        ctx.kd_shape = keepdims_shape(x.shape, axes)
        out = getattr(x, cls.reduce)(axis=axes, keepdims=True)
        hit = x == out
        ctx.save_for_backward((hit / hit.sum(axis=axes, keepdims=True)).astype(x.dtype))
        return out if keepdims else out.reshape(tuple(
            s for i, s in enumerate(x.shape) if i not in axes))

    @staticmethod
    def backward(ctx, g):
        """The gradient broadcast back, times each element's share."""
        g, share = operands(g, *ctx.saved_tensors)
        if g.shape != ctx.kd_shape:
            g = g.reshape(ctx.kd_shape)
        return _broadcast(g, ctx.in_shape) * share, None, None


class Max(_Extreme):
    """Maximum over axes."""

    __slots__ = ()
    reduce = "max"


class Min(_Extreme):
    """Minimum over axes."""

    __slots__ = ()
    reduce = "min"


def _broadcast(g, shape):
    """``g`` broadcast to ``shape``: a Tensor op, or a read-only view of an array."""
    return np.broadcast_to(g, shape) if is_array(g) else g.broadcast_to(shape)


def _count(shape, axes):
    n = 1
    for a in axes:
        n *= shape[a]
    return n


@torch_names
def sum(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Sum of elements over ``axis`` (None: all); an empty sum is 0, as NumPy."""
    x = as_tensor(x)
    return Sum.apply(x, normalize_axis(axis, x.ndim, "sum"), keepdims)


@torch_names
def mean(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Arithmetic mean over ``axis``; the mean of nothing is nan, as NumPy.

    As NumPy, a float16 tensor is summed in float32 (a float16 sum of many
    elements overflows) and the result converted back to float16.
    """
    x = as_tensor(x)
    if x.dtype == np.float16:
        return mean(x.astype(np.float32), axis, keepdims).astype(np.float16)
    axes = normalize_axis(axis, x.ndim, "mean")
    n = _count(x.shape, axes)
    s = Sum.apply(x, axes, keepdims)
    return s / n if n else s * np.nan


@torch_names(with_dim=lambda *a, **k: _with_indices("max", *a, **k))
def max(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Maximum over ``axis``; tied maxima share the gradient evenly.

    With PyTorch's ``dim=`` (an int) instead of ``axis=``, the result is
    PyTorch's named tuple ``(values, indices)``, as ``torch.max(x, dim)``; the
    values' gradient still splits ties evenly. A positional axis (the
    contract) gives the values only.
    """
    x = as_tensor(x)
    _check_axis_arg("max", axis)
    return Max.apply(x, normalize_axis(axis, x.ndim, "max"), keepdims)


@torch_names(with_dim=lambda *a, **k: _with_indices("min", *a, **k))
def min(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Minimum over ``axis``; tied minima share the gradient evenly.

    With ``dim=`` instead of ``axis=``: PyTorch's ``(values, indices)``, as ``max``.
    """
    x = as_tensor(x)
    _check_axis_arg("min", axis)
    return Min.apply(x, normalize_axis(axis, x.ndim, "min"), keepdims)


@torch_names
def var(x: TensorLike, axis: Axis = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
    """Variance over ``axis`` with ``ddof`` delta degrees of freedom, as NumPy.

    With ``ddof`` at least the number of elements the result is inf or nan (a
    division by zero degrees of freedom), as NumPy; float16 is computed in
    float32, as NumPy does. ``ddof`` defaults to 0 also when PyTorch's ``dim=``
    is used (PyTorch's default is ``correction=1``: pass it to match).
    """
    x = as_tensor(x)
    if x.dtype == np.float16:
        return var(x.astype(np.float32), axis, ddof, keepdims).astype(np.float16)
    axes = normalize_axis(axis, x.ndim, "var")
    d = x - mean(x, axes, keepdims=True)
    return sum(d * d, axes, keepdims) / _builtin_max(_count(x.shape, axes) - ddof, 0)


@torch_names
def std(x: TensorLike, axis: Axis = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
    """Standard deviation: ``sqrt(var(x, axis, ddof, keepdims))``.

    Where the spread is 0 (equal values, or an axis of length 1) the gradient
    is 0, as PyTorch's, instead of ``0 * sqrt'(0) = 0 * inf = nan``.

    Note: ``ddof`` defaults to 0 (NumPy, the contract) also when PyTorch's
    ``dim=`` is used; PyTorch's default is ``correction=1``: pass it to match.
    """
    x = as_tensor(x)
    axes = normalize_axis(axis, x.ndim, "std")
    return StdSqrt.apply(var(x, axes, ddof, keepdims))


class StdSqrt(Sqrt):
    """sqrt of a variance; its gradient is taken as 0 where the variance is 0.

    At zero spread std is not differentiable (it is a cone, like |x| at 0) and
    0 is a subgradient; the variance's own gradient 2 (x - mean) / (n - ddof)
    is 0 there, so sqrt'(0) = inf would turn the product into nan.
    """

    __slots__ = ()

    # forward: Sqrt's
    @staticmethod
    def backward(ctx, g):
        g, out = operands(g, *ctx.saved_tensors)
        zero = (out if is_array(out) else out.data) == 0
        if not zero.any():
            return (g / (out * 2),)
        if is_array(g):
            return (np.where(zero, 0, g / np.where(zero, 1, out * 2)),)
        # The denominator is made 1 where it was 0, so that no inf enters the
        # recorded graph (higher derivatives would be 0 * inf = nan).
        return (where(zero, 0.0, g / where(zero, 1.0, out * 2)),)


def _stop_max(x, axes):
    """The maximum over ``axes`` as a constant (0 where it is not finite)."""
    m = x.data.max(axis=axes, keepdims=True) if x.data.size else np.zeros(
        keepdims_shape(x.shape, axes), x.dtype)
    return np.where(np.isfinite(m), m, 0).astype(x.dtype, copy=False)


@torch_names
def logsumexp(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """log(sum(exp(x))) over ``axis``, computed without overflow."""
    x = as_tensor(x)
    axes = normalize_axis(axis, x.ndim, "logsumexp")
    m = _stop_max(x, axes)
    # Subtracting a constant m changes nothing in value or gradient, but keeps exp <= 1.
    # (Reduced with keepdims as asked, rather than reshaped afterwards: the
    # result is then not a view, and ``out += v`` may update it.)
    return log(sum(exp(x - m), axes, keepdims)) + (m if keepdims else m.reshape(
        tuple(s for i, s in enumerate(x.shape) if i not in axes)))


class Softmax(Primitive):
    """exp(x) / sum(exp(x)) along one axis; backward y * (g - sum(g * y))."""

    __slots__ = ("axis",)

    @staticmethod
    def forward(ctx, x, axis):
        ctx.axis = axis                 # a tuple of axes (axis=None: all of them)
        e = np.exp(x.data - _stop_max(x, axis))
        return ctx.save_output(e / e.sum(axis=axis, keepdims=True))

    @staticmethod
    def backward(ctx, g):
        g, y = operands(g, *ctx.saved_tensors)
        return y * (g - (g * y).sum(axis=ctx.axis, keepdims=True)), None


class LogSoftmax(Primitive):
    """x - logsumexp(x) along one axis; backward g - softmax(x) * sum(g)."""

    __slots__ = ("axis",)

    @staticmethod
    def forward(ctx, x, axis):
        ctx.axis = axis
        shifted = x.data - _stop_max(x, axis)
        return ctx.save_output(shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True)))

    @staticmethod
    def backward(ctx, g):
        g, logp = operands(g, *ctx.saved_tensors)
        p = np.exp(logp) if is_array(logp) else exp(logp)
        return g - p * g.sum(axis=ctx.axis, keepdims=True), None


@torch_names
def softmax(x: TensorLike, axis: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along ``axis``, computed without overflow."""
    x = as_tensor(x)
    return Softmax.apply(x, normalize_axis(axis, x.ndim, "softmax"))


@torch_names
def log_softmax(x: TensorLike, axis: int = -1) -> Tensor:
    """x - logsumexp(x) along ``axis``: log-probabilities, finite for any finite x."""
    x = as_tensor(x)
    return LogSoftmax.apply(x, normalize_axis(axis, x.ndim, "log_softmax"))


# --------------------------------------------------------------------------- max/min with dim

ValuesIndices = collections.namedtuple("ValuesIndices", ["values", "indices"])
ValuesIndices.__doc__ = """``max``/``min`` with ``dim=``: the values and their int64 indices
(as PyTorch's ``torch.return_types.max``)."""


def _with_indices(name, x, axis=None, keepdims=False):
    """``max``/``min`` called with PyTorch's ``dim=``: ``(values, indices)``, as PyTorch."""
    if axis is None or isinstance(axis, (tuple, list)):
        raise TypeError(f"{name}: dim= returns (values, indices), as PyTorch's, and needs "
                        f"one int, got dim={axis!r}; for the {name} over several (or all) "
                        f"axes pass axis= (or nothing)")
    x = as_tensor(x)
    reduce, arg = (max, argmax) if name == "max" else (min, argmin)
    return ValuesIndices(reduce(x, axis, keepdims), arg(x, axis, keepdims))


def _check_axis_arg(name, axis):
    """PyTorch's ``max(a, b)`` is elementwise; here the second argument is an axis."""
    if isinstance(axis, Tensor) and (axis.dtype.kind not in "iu" or axis.size != 1):
        raise TypeError(f"{name}: the second argument is the axis (an int or a tuple), got "
                        f"a Tensor of shape {axis.shape} {axis.dtype}; for the elementwise "
                        f"{name} of two tensors (PyTorch's {name}(a, b)) use "
                        f"ag.{name}imum(a, b)")


# --------------------------------------------------------------------------- prod

@torch_names
def prod(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Product of elements over ``axis`` (None: all); an empty product is 1, as NumPy.

    Composed of multiplications: the reduced axes are laid out as one last
    axis and multiplied in pairs (a tree, log2(n) steps; an odd length is
    padded with a 1). So every derivative of every order is the product rule
    itself, exact with zeros and never a division: with exactly one zero, the
    gradient at the zero is the product of the others and 0 elsewhere; with
    two or more zeros it is 0 everywhere. (``prod / x`` would give nan.) The
    pairwise order rounds differently from ``np.prod`` (by a few ulps, and
    usually less). Bools and small integers are multiplied as int64 (uint64),
    as NumPy and PyTorch do.
    """
    x = as_tensor(x)
    axes = normalize_axis(axis, x.ndim, "prod")
    kind = x.dtype.kind
    if kind == "b" or (kind in "iu" and x.dtype.itemsize < 8):
        x = x.astype(np.uint64 if kind == "u" else np.int64)
    kept = [a for a in range(x.ndim) if a not in axes]
    out_shape = (keepdims_shape(x.shape, axes) if keepdims
                 else tuple(x.shape[a] for a in kept))
    n = _count(x.shape, axes)
    if n == 0:                          # the empty product: 1 (in the graph, gradient 0)
        return sum(x, axes, keepdims) + 1
    perm = kept + list(axes)
    y = x if perm == list(range(x.ndim)) else x.transpose(perm)
    y = y.reshape(tuple(x.shape[a] for a in kept) + (n,))
    while y.shape[-1] > 1:
        if y.shape[-1] % 2:
            y = _pad_one(y)
        y = y[..., 0::2] * y[..., 1::2]
    return y.reshape(out_shape)


def _pad_one(y):
    """``y`` with a 1 appended along its last axis."""
    return pad(y, [(0, 0)] * (y.ndim - 1) + [(0, 1)], constant_values=1)


# --------------------------------------------------------------------------- cumsum

def _cumsum(a, axis, reverse):
    """np.cumsum along ``axis``, from the end when ``reverse``."""
    if not reverse:
        return np.cumsum(a, axis=axis)
    return np.flip(np.cumsum(np.flip(a, axis), axis=axis), axis).copy()


class Cumsum(Primitive):
    """Running sum along one axis (from the end when ``reverse``).

    Its adjoint is the running sum the other way: the gradient of element i
    is the sum of the output's gradient at i and after. So the backward is
    this op again, and every order of derivative follows.
    """

    __slots__ = ("axis", "reverse")

    @staticmethod
    def forward(ctx, x, axis, reverse):
        ctx.axis, ctx.reverse = axis, reverse
        return _cumsum(x.data, axis, reverse)

    @staticmethod
    def backward(ctx, g):
        g, = operands(g)
        if is_array(g):
            return _cumsum(g, ctx.axis, not ctx.reverse), None, None
        return Cumsum.apply(g, ctx.axis, not ctx.reverse), None, None


@torch_names
def cumsum(x: TensorLike, axis: int | None = None) -> Tensor:
    """Running sum along ``axis``, as NumPy (``axis=None``: of the flattened tensor).

    Differentiable: the gradient is the running sum of the output's gradient
    taken from the end. Bools and small integers are summed as int64 (uint64),
    as NumPy and PyTorch do.
    """
    x = as_tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis = normalize_axis(axis_int(axis, "cumsum"), x.ndim, "cumsum")[0]
    return Cumsum.apply(x, axis, False)


# --------------------------------------------------------------------------- norm

class NormSqrt(StdSqrt):
    """sqrt of a sum of squares (the 2-norm); its gradient is 0 where the norm is 0.

    PyTorch's subgradient of the 2-norm at 0 (the formula x / norm is 0 / 0).
    """

    __slots__ = ()


@torch_names
def norm(x: TensorLike, p: float | str = 2, axis: Axis = None,
         keepdims: bool = False) -> Tensor:
    """The vector norm of the elements over ``axis`` (None: all), as ``torch.norm``.

    ``p``: 2 or "fro" (sqrt of the sum of squares, the default), 1 (sum of
    absolute values), ``inf`` / ``-inf`` (largest / smallest absolute value).
    Over two axes this is the entrywise norm (Frobenius for p=2), as
    ``torch.norm`` with a number ``p``, not ``np.linalg.norm``'s matrix norms
    (spectral, max row sum). Gradients follow PyTorch: 0 for the 2-norm at 0
    (not nan), sign(x) for p=1 (0 at 0), and ties share the gradient of
    p=inf evenly. The sum of squares is not rescaled: it overflows where
    ``x * x`` does. Floating tensors only.
    """
    x = as_tensor(x)
    if x.dtype.kind != "f":
        raise TypeError(f"norm: needs a floating tensor, got {x.dtype} (shape {x.shape}); "
                        f"convert it first, e.g. x.float() or x.astype(np.float64)")
    axes = normalize_axis(axis, x.ndim, "norm")
    if isinstance(p, str):
        if p != "fro":
            raise ValueError(f"norm: p must be 1, 2, inf, -inf or 'fro', got {p!r}")
        p = 2
    if isinstance(p, (bool, np.bool_)) or not isinstance(p, (int, float, np.number)):
        raise TypeError(f"norm: p must be 1, 2, inf, -inf or 'fro', got {p!r}")
    if p == 2:
        return NormSqrt.apply(sum(x * x, axes, keepdims))
    if p == 1:
        return sum(abs(x), axes, keepdims)
    if p == np.inf:
        return max(abs(x), axes, keepdims)
    if p == -np.inf:
        return min(abs(x), axes, keepdims)
    raise ValueError(f"norm: p must be 1, 2, inf, -inf or 'fro', got {p!r}")


# --------------------------------------------------------------------------- no gradient

@torch_names
def all(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Whether every element over ``axis`` is true (nonzero): a bool tensor, no gradient."""
    x = as_tensor(x)
    axes = normalize_axis(axis, x.ndim, "all")
    return _new_tensor(np.asarray(x.data.all(axis=axes, keepdims=keepdims)))


@torch_names
def any(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Whether any element over ``axis`` is true (nonzero): a bool tensor, no gradient."""
    x = as_tensor(x)
    axes = normalize_axis(axis, x.ndim, "any")
    return _new_tensor(np.asarray(x.data.any(axis=axes, keepdims=keepdims)))


def _arg_extreme(name, x, axis, keepdims):
    x = as_tensor(x)
    if axis is not None:
        axis = normalize_axis(axis_int(axis, name), x.ndim, name)[0]
    if (x.shape[axis] if axis is not None else x.data.size) == 0:
        raise ValueError(f"{name}: cannot take the {name} over an axis of length 0 (a "
                         f"tensor of shape {x.shape}, axis={axis})")
    out = getattr(np, name)(x.data, axis=axis, keepdims=keepdims)
    return _new_tensor(np.asarray(out, dtype=np.int64))


@torch_names
def argmax(x: TensorLike, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """Index of the (first) maximum along ``axis`` (None: of the flattened tensor).

    An int64 tensor without gradient; NaN counts as the maximum, as NumPy and
    PyTorch. ``axis`` is one int (PyTorch's ``dim``).
    """
    return _arg_extreme("argmax", x, axis, keepdims)


@torch_names
def argmin(x: TensorLike, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """Index of the (first) minimum along ``axis`` (None: of the flattened tensor).

    An int64 tensor without gradient; NaN counts as the minimum, as NumPy and
    PyTorch. ``axis`` is one int (PyTorch's ``dim``).
    """
    return _arg_extreme("argmin", x, axis, keepdims)
