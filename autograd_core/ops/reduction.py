"""Reductions (sum, mean, max, min, var, std) and the stable log-sum-exp family.

``axis`` is None (all axes), an int (negative counts from the end) or a tuple,
and ``keepdims`` keeps reduced axes as size 1, as in NumPy. ``max``/``min``
split the gradient evenly among tied maxima. ``logsumexp``, ``softmax`` and
``log_softmax`` subtract the (constant) maximum first, so they stay finite for
any finite input. ``softmax`` and ``log_softmax`` are primitives (the hot path
of every classifier), with backwards written in Tensor ops.
"""
from builtins import max as _builtin_max

import numpy as np

from ..function import Primitive
from ._util import as_tensor, is_array, keepdims_shape, normalize_axis, operands
from .elementwise import Sqrt, exp, log, where

__all__ = ["sum", "mean", "max", "min", "var", "std", "logsumexp", "softmax",
           "log_softmax"]
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
    reduce = None               # "max" or "min": the ndarray method

    @classmethod
    def forward(cls, ctx, x, axes, keepdims):
        """The extreme over ``axes``; saves each element's share of the gradient."""
        x = x.data
        if any(x.shape[a] == 0 for a in axes):
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


def sum(x, axis=None, keepdims=False):
    """Sum of elements over ``axis`` (None: all); an empty sum is 0, as NumPy."""
    x = as_tensor(x)
    return Sum.apply(x, normalize_axis(axis, x.ndim, "sum"), keepdims)


def mean(x, axis=None, keepdims=False):
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


def max(x, axis=None, keepdims=False):
    """Maximum over ``axis``; tied maxima share the gradient evenly."""
    x = as_tensor(x)
    return Max.apply(x, normalize_axis(axis, x.ndim, "max"), keepdims)


def min(x, axis=None, keepdims=False):
    """Minimum over ``axis``; tied minima share the gradient evenly."""
    x = as_tensor(x)
    return Min.apply(x, normalize_axis(axis, x.ndim, "min"), keepdims)


def var(x, axis=None, ddof=0, keepdims=False):
    """Variance over ``axis`` with ``ddof`` delta degrees of freedom, as NumPy.

    With ``ddof`` at least the number of elements the result is inf or nan (a
    division by zero degrees of freedom), as NumPy; float16 is computed in
    float32, as NumPy does.
    """
    x = as_tensor(x)
    if x.dtype == np.float16:
        return var(x.astype(np.float32), axis, ddof, keepdims).astype(np.float16)
    axes = normalize_axis(axis, x.ndim, "var")
    d = x - mean(x, axes, keepdims=True)
    return sum(d * d, axes, keepdims) / _builtin_max(_count(x.shape, axes) - ddof, 0)


def std(x, axis=None, ddof=0, keepdims=False):
    """Standard deviation: ``sqrt(var(x, axis, ddof, keepdims))``.

    Where the spread is 0 (equal values, or an axis of length 1) the gradient
    is 0, as PyTorch's, instead of ``0 * sqrt'(0) = 0 * inf = nan``.
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
    m = x.data.max(axis=axes, keepdims=True) if x.size else np.zeros(
        keepdims_shape(x.shape, axes), x.dtype)
    return np.where(np.isfinite(m), m, 0).astype(x.dtype, copy=False)


def logsumexp(x, axis=None, keepdims=False):
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


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along ``axis``, computed without overflow."""
    x = as_tensor(x)
    return Softmax.apply(x, normalize_axis(axis, x.ndim, "softmax"))


def log_softmax(x, axis=-1):
    """x - logsumexp(x) along ``axis``: log-probabilities, finite for any finite x."""
    x = as_tensor(x)
    return LogSoftmax.apply(x, normalize_axis(axis, x.ndim, "log_softmax"))
