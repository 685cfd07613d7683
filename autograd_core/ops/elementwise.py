"""Elementwise functions: exponentials, trigonometry, activations, clip, where.

At a kink we pick the subgradient PyTorch picks: ``relu'(0) = 0``,
``abs'(0) = 0``, ``leaky_relu'(0) = negative_slope``; ``clip`` passes the
gradient where ``min <= x <= max`` (bounds included); ``maximum``/``minimum``
split it evenly between tied inputs.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..function import Primitive
from ._util import as_tensor, is_array, operands, raw

if TYPE_CHECKING:
    from .._types import TensorLike
    from ..tensor import Tensor

__all__ = ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "leaky_relu",
           "abs", "erf", "gelu", "softplus", "clip", "maximum", "minimum", "where"]
METHODS = ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "leaky_relu",
           "abs", "erf", "gelu", "softplus", "clip"]


class Exp(Primitive):
    """exp(x); d/dx = exp(x), the output itself."""

    __slots__ = ()

    @staticmethod
    def forward(ctx, x):
        return ctx.save_output(np.exp(x.data))

    @staticmethod
    def backward(ctx, g):
        g, out = operands(g, *ctx.saved_tensors)
        return (g * out,)


class Log(Primitive):
    """Natural log; d/dx = 1/x."""

    __slots__ = ()

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x.data)

    @staticmethod
    def backward(ctx, g):
        g, x = operands(g, *ctx.saved_tensors)
        return (g / x,)


class Sqrt(Primitive):
    """sqrt(x); d/dx = 1 / (2 sqrt(x))."""

    __slots__ = ()

    @staticmethod
    def forward(ctx, x):
        return ctx.save_output(np.sqrt(x.data))

    @staticmethod
    def backward(ctx, g):
        g, out = operands(g, *ctx.saved_tensors)
        return (g / (out * 2),)


class Sin(Primitive):
    """sin(x); d/dx = cos(x)."""

    __slots__ = ()

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x.data)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return (g * cos(x),)


class Cos(Primitive):
    """cos(x); d/dx = -sin(x)."""

    __slots__ = ()

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cos(x.data)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return (-(g * sin(x)),)


class Tanh(Primitive):
    """tanh(x); d/dx = 1 - tanh(x)**2, from the output."""

    __slots__ = ()

    @staticmethod
    def forward(ctx, x):
        return ctx.save_output(np.tanh(x.data))

    @staticmethod
    def backward(ctx, g):
        g, out = operands(g, *ctx.saved_tensors)
        if is_array(g):                 # not recorded: the formula on arrays
            return (g * (1 - out * out),)
        return (TanhGrad.apply(g, out),)


class TanhGrad(Primitive):
    """g * (1 - y**2), tanh's backward as one op (y = tanh(x)); itself differentiable."""

    __slots__ = ()

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        y = y.data
        return g.data * (1 - y * y)

    @staticmethod
    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        return (TanhGrad.apply(gg, y) if ctx.next[0] is not None else None,
                gg * g * y * -2 if ctx.next[1] is not None else None)


class Sigmoid(Primitive):
    """1 / (1 + exp(-x)), computed without overflow; d/dx = s (1 - s)."""

    __slots__ = ()

    @staticmethod
    def forward(ctx, x):
        x = x.data
        # exp(-|x|) never overflows; pick the form that divides by 1 + e <= 2.
        e = np.exp(-np.abs(x))
        return ctx.save_output(
            np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False))

    @staticmethod
    def backward(ctx, g):
        g, out = operands(g, *ctx.saved_tensors)
        if is_array(g):                 # not recorded: the formula on arrays
            return (g * (out * (1 - out)),)
        return (SigmoidGrad.apply(g, out),)


class SigmoidGrad(Primitive):
    """g * s * (1 - s), sigmoid's backward as one op (s = sigmoid(x)); differentiable."""

    __slots__ = ()

    @staticmethod
    def forward(ctx, g, s):
        ctx.save_for_backward(g, s)
        s = s.data
        return g.data * (s * (1 - s))

    @staticmethod
    def backward(ctx, gg):
        g, s = ctx.saved_tensors
        return (SigmoidGrad.apply(gg, s) if ctx.next[0] is not None else None,
                gg * g * (1 - s * 2) if ctx.next[1] is not None else None)


class Relu(Primitive):
    """max(x, 0); the gradient at 0 is taken as 0."""

    __slots__ = ()

    @staticmethod
    def forward(ctx, x):
        x = x.data
        ctx.save_for_backward(x > 0)
        return np.maximum(x, 0)

    @staticmethod
    def backward(ctx, g):
        g, mask = operands(g, *ctx.saved_tensors)
        return (g * mask,)


class LeakyRelu(Primitive):
    """x for x > 0, negative_slope * x otherwise (slope also at 0)."""

    __slots__ = ()

    @staticmethod
    def forward(ctx, x, negative_slope):
        x = x.data
        slope = np.where(x > 0, 1, raw(negative_slope)).astype(x.dtype)
        ctx.save_for_backward(slope)
        return x * slope

    @staticmethod
    def backward(ctx, g):
        g, slope = operands(g, *ctx.saved_tensors)
        return g * slope, None


class Abs(Primitive):
    """|x|; the gradient at 0 is taken as 0 (sign(0) = 0)."""

    __slots__ = ()

    @staticmethod
    def forward(ctx, x):
        x = x.data
        ctx.save_for_backward(np.sign(x))
        return np.abs(x)

    @staticmethod
    def backward(ctx, g):
        g, sign = operands(g, *ctx.saved_tensors)
        return (g * sign,)


# The series below needs at most 98 terms for |x| <= 6 (checked in the tests);
# the bound only guards against a loop that never ends.
_ERF_MAX_TERMS = 128


def _erf(x):
    """erf(x) to double precision, vectorised (NumPy has no erf).

    Uses the all-positive series erf(x) = 2/sqrt(pi) exp(-x^2) sum_n
    (2x^2)^n x / (1*3*...*(2n+1)) (Abramowitz & Stegun 7.1.6), which has no
    cancellation; beyond |x| = 6, erf(x) = +-1 in double precision, so |x| is
    capped there (inf included: erf(+-inf) = +-1). NaN gives NaN.
    """
    x64 = np.asarray(x, dtype=np.float64)
    # fmin (unlike minimum) turns NaN into 6, so every series converges; NaN
    # comes back through sign(x) below. A NaN in the series would fail the
    # stopping test for ever.
    a = np.fmin(np.abs(x64), 6.0)
    two_a2 = 2 * a * a
    term = a.copy()
    total = a.copy()
    for n in range(_ERF_MAX_TERMS):
        term *= two_a2 / (2 * n + 3)
        total += term
        if np.all(term <= 1e-17 * total):
            break
    out = np.sign(x64) * np.minimum(2 / math.sqrt(math.pi) * np.exp(-a * a) * total, 1.0)
    # A float input keeps its dtype (float16 included), as NumPy's ufuncs do.
    return out.astype(x.dtype if x.dtype.kind == "f" else np.float64, copy=False)


class Erf(Primitive):
    """The error function; d/dx = 2/sqrt(pi) exp(-x^2)."""

    __slots__ = ()

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _erf(x.data)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return (g * (2 / math.sqrt(math.pi)) * exp(-(x * x)),)


class Softplus(Primitive):
    """log(1 + exp(x)), computed without overflow; d/dx = sigmoid(x)."""

    __slots__ = ()

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.logaddexp(0, x.data).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return (g * sigmoid(x),)


class Clip(Primitive):
    """x limited to [min, max]; the gradient passes where min <= x <= max.

    The bounds are numbers, arrays or Tensors and broadcast with ``x``; a
    bound that requires grad gets the gradient where it is the result (as
    PyTorch's ``clamp``). As NumPy, ``max`` wins where ``min > max``.
    """

    __slots__ = ()

    @staticmethod
    def forward(ctx, x, lo, hi):
        x, lo, hi = x.data, raw(lo), raw(hi)
        if lo is None and hi is None:
            ctx.save_for_backward(None, None)
            return x.copy()
        out = np.clip(x, lo, hi)
        # Which of x, min, max each output element is (bounds included go to x).
        to_hi = (np.maximum(x, lo) if lo is not None else x) > hi if hi is not None else None
        to_lo = x < lo if lo is not None else None
        if to_lo is not None and to_hi is not None:
            to_lo = to_lo & ~to_hi
        ctx.save_for_backward(to_lo, to_hi)
        return out

    @staticmethod
    def backward(ctx, g):
        to_lo, to_hi = ctx.saved_tensors
        if to_lo is None and to_hi is None:
            return g, None, None
        outside = to_lo if to_hi is None else to_hi if to_lo is None else to_lo | to_hi
        return (where(outside, 0.0, g) if ctx.next[0] is not None else None,
                where(to_lo, g, 0.0) if ctx.next[1] is not None else None,
                where(to_hi, g, 0.0) if ctx.next[2] is not None else None)


class _Extremum(Primitive):
    """Shared by Maximum and Minimum: ties split the gradient evenly."""

    __slots__ = ()
    pick: np.ufunc | None = None    # np.maximum or np.minimum
    wins: np.ufunc | None = None    # np.greater or np.less

    @classmethod
    def forward(cls, ctx, a, b):
        """The elementwise extreme; saves each side's share of the gradient."""
        a, b = raw(a), raw(b)
        out = cls.pick(a, b)
        tie = np.where(a == b, 0.5, 0.0)
        ctx.save_for_backward((cls.wins(a, b) + tie).astype(out.dtype),
                              (cls.wins(b, a) + tie).astype(out.dtype))
        return out

    @staticmethod
    def backward(ctx, g):
        """Each input's share of ``g``."""
        g, wa, wb = operands(g, *ctx.saved_tensors)
        return (g * wa if ctx.next[0] is not None else None,
                g * wb if ctx.next[1] is not None else None)


class Maximum(_Extremum):
    """Elementwise max(a, b); where a == b each gets half the gradient."""

    __slots__ = ()
    pick, wins = np.maximum, np.greater


class Minimum(_Extremum):
    """Elementwise min(a, b); where a == b each gets half the gradient."""

    __slots__ = ()
    pick, wins = np.minimum, np.less


class Where(Primitive):
    """a where cond else b; the gradient goes to the chosen side."""

    __slots__ = ()

    @staticmethod
    def forward(ctx, cond, a, b):
        cond = np.asarray(raw(cond), dtype=bool)
        ctx.save_for_backward(cond)
        return np.where(cond, raw(a), raw(b))

    @staticmethod
    def backward(ctx, g):
        cond, = ctx.saved_tensors
        return (None,
                where(cond, g, 0.0) if ctx.next[1] is not None else None,
                where(cond, 0.0, g) if ctx.next[2] is not None else None)


def exp(x: TensorLike) -> Tensor:
    """Elementwise e**x."""
    return Exp.apply(as_tensor(x))


def log(x: TensorLike) -> Tensor:
    """Elementwise natural logarithm."""
    return Log.apply(as_tensor(x))


def sqrt(x: TensorLike) -> Tensor:
    """Elementwise square root."""
    return Sqrt.apply(as_tensor(x))


def sin(x: TensorLike) -> Tensor:
    """Elementwise sine."""
    return Sin.apply(as_tensor(x))


def cos(x: TensorLike) -> Tensor:
    """Elementwise cosine."""
    return Cos.apply(as_tensor(x))


def tanh(x: TensorLike) -> Tensor:
    """Elementwise hyperbolic tangent."""
    return Tanh.apply(as_tensor(x))


def sigmoid(x: TensorLike) -> Tensor:
    """Elementwise logistic function 1 / (1 + exp(-x)), stable for any x."""
    return Sigmoid.apply(as_tensor(x))


def relu(x: TensorLike) -> Tensor:
    """Elementwise max(x, 0); gradient 0 at x = 0."""
    return Relu.apply(as_tensor(x))


def leaky_relu(x: TensorLike, negative_slope: float = 0.01) -> Tensor:
    """x where x > 0, else negative_slope * x; gradient negative_slope at 0."""
    return LeakyRelu.apply(as_tensor(x), negative_slope)


def abs(x: TensorLike) -> Tensor:
    """Elementwise |x|; gradient 0 at x = 0."""
    return Abs.apply(as_tensor(x))


def erf(x: TensorLike) -> Tensor:
    """Elementwise error function (accurate to double precision)."""
    return Erf.apply(as_tensor(x))


def gelu(x: TensorLike, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit x * Phi(x), as PyTorch's ``gelu``.

    ``approximate="none"`` uses the exact erf form; ``"tanh"`` the tanh formula.
    Composed of primitives, so every order of derivative comes for free.
    """
    x = as_tensor(x)
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    inf = np.isinf(x.data)
    if not inf.any():
        return _gelu(x, approximate)
    # At -inf, x * Phi(x) is -inf * 0 = nan; the limits are gelu(-inf) = 0 and
    # gelu(inf) = inf, with slopes 0 and 1: relu's values there. The formula
    # runs on 0 in place of the infinities, so its (unused) gradient there is
    # finite and the where() passes exactly 0 back through it.
    return where(inf, relu(x), _gelu(where(inf, 0.0, x), approximate))


def _gelu(x, approximate):
    """gelu's formula, for finite (or NaN) x."""
    if approximate == "none":
        return x * (erf(x * (1 / math.sqrt(2))) + 1) * 0.5
    inner = (x + x * x * x * 0.044715) * math.sqrt(2 / math.pi)
    return x * (tanh(inner) + 1) * 0.5


def softplus(x: TensorLike) -> Tensor:
    """Elementwise log(1 + exp(x)), stable for any x; its gradient is sigmoid(x)."""
    return Softplus.apply(as_tensor(x))


def clip(x: TensorLike, min: TensorLike | None = None,
         max: TensorLike | None = None) -> Tensor:
    """Limit x to [min, max] (either may be None); gradient passes where min <= x <= max.

    ``min`` and ``max`` may be numbers, arrays or Tensors (broadcast with ``x``).
    """
    return Clip.apply(as_tensor(x), min, max)


def maximum(a: TensorLike, b: TensorLike) -> Tensor:
    """Elementwise maximum with broadcasting; ties split the gradient evenly."""
    return Maximum.apply(a, b)


def minimum(a: TensorLike, b: TensorLike) -> Tensor:
    """Elementwise minimum with broadcasting; ties split the gradient evenly."""
    return Minimum.apply(a, b)


def where(cond: TensorLike, a: TensorLike, b: TensorLike) -> Tensor:
    """Elementwise ``a if cond else b`` with broadcasting; cond gets no gradient."""
    return Where.apply(cond, a, b)
