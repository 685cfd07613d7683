"""Arithmetic: ``+ - * / ** %`` and negation; ``//`` and the bitwise ``& | ^ ~``.

``%`` is Python's (and PyTorch's) remainder, with the sign of the divisor; on
floats it is differentiable as PyTorch's: d/da = 1, d/db = -floor(a / b).
``//`` (floor division, Python's and PyTorch's) and ``& | ^ ~`` have no
gradient: their results never require grad (``//`` is piecewise constant,
so 0 is its derivative wherever it has one). ``& | ^ ~`` take bool and
integer operands only. An integer ``//`` or ``%`` by zero raises
``ZeroDivisionError``, as PyTorch's (NumPy would give 0 with a warning).

The backwards of ``- * /`` are written once for Tensors and bare arrays
(``_util.operands``): recorded under ``create_graph``, plain NumPy otherwise.

Binary ops broadcast like NumPy and promote like NumPy 2: a Python number is
"weak" and never upcasts a float32 tensor. A number operand is kept as it is
(it needs no gradient); the engine sums broadcast gradients back to each
input's shape, so the backwards below ignore broadcasting.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..function import Primitive
from ..tensor import Tensor, _new_tensor
from ._util import as_tensor, constant, operands

if TYPE_CHECKING:
    from .._types import TensorLike

__all__ = ["add", "sub", "mul", "div", "neg", "pow", "remainder", "floor_divide",
           "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not"]


class Add(Primitive):
    """a + b"""

    __slots__ = ()

    @staticmethod
    def forward(ctx, a, b):
        return np.add(a.data if isinstance(a, Tensor) else constant(a),
                      b.data if isinstance(b, Tensor) else constant(b))

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Primitive):
    """a - b"""

    __slots__ = ()

    @staticmethod
    def forward(ctx, a, b):
        return np.subtract(a.data if isinstance(a, Tensor) else constant(a),
                           b.data if isinstance(b, Tensor) else constant(b))

    @staticmethod
    def backward(ctx, g):
        g, = operands(g)
        return g, (-g if ctx.next[1] is not None else None)


class Mul(Primitive):
    """a * b; d/da = b, d/db = a."""

    __slots__ = ()

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.multiply(a.data if isinstance(a, Tensor) else constant(a),
                           b.data if isinstance(b, Tensor) else constant(b))

    @staticmethod
    def backward(ctx, g):
        g, a, b = operands(g, *ctx.saved_tensors)
        need_a, need_b = ctx.next
        return (g * b if need_a is not None else None,
                g * a if need_b is not None else None)


class Div(Primitive):
    """a / b; d/da = 1/b, d/db = -a/b**2."""

    __slots__ = ()

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.true_divide(a.data if isinstance(a, Tensor) else constant(a),
                              b.data if isinstance(b, Tensor) else constant(b))

    @staticmethod
    def backward(ctx, g):
        g, a, b = operands(g, *ctx.saved_tensors)
        ga = g / b
        gb = -(ga * a) / b if ctx.next[1] is not None else None
        return (ga if ctx.next[0] is not None else None), gb


class Neg(Primitive):
    """-a"""

    __slots__ = ()

    @staticmethod
    def forward(ctx, a):
        return np.negative(a.data)

    @staticmethod
    def backward(ctx, g):
        g, = operands(g)
        return (-g,)


class Pow(Primitive):
    """a ** b; d/da = b a**(b-1), d/db = a**b log(a) (taken as 0 where a == 0 and b >= 0)."""

    __slots__ = ()

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return ctx.save_output(np.power((a.data if isinstance(a, Tensor) else constant(a)),
                                        (b.data if isinstance(b, Tensor) else constant(b))))

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        ga = gb = None
        if ctx.next[0] is not None:
            # x**0 is constant, so its derivatives (of every order) are 0, also at
            # x == 0 where the formula gives 0 * inf = nan, and at tiny x where
            # x**-2 overflows in the second derivative. So where the exponent is a
            # constant 0, the base is made 1 before the formula runs (masking only
            # the result would leave the inf in the recorded graph, and higher
            # derivatives would be 0 * inf = nan). An exponent that requires grad
            # is masked only where the formula itself is nan (x == 0): elsewhere
            # d/db (b x**(b-1)) = 1/x at b == 0 is not 0.
            b_ = b.data if isinstance(b, Tensor) else np.asarray(b)
            nan_at = (b_ == 0) if ctx.next[1] is None else (b_ == 0) & (a.data == 0)
            if nan_at.any():
                ga = where(nan_at, 0.0, g * b * where(nan_at, 1.0, a) ** (b - 1))
            else:
                ga = g * b * a ** (b - 1)
        if ctx.next[1] is not None:
            # d/db a**b = a**b log(a). Where a == 0 and b >= 0, a**b is constant
            # (0, or 1 at b == 0) near b, so the gradient is 0, as PyTorch takes
            # it; where a == 0 and b < 0 the formula stands: inf * log(0) = -inf.
            # log(a) runs in the result's dtype: a number base must not be
            # rounded to float32 when the exponent is float64.
            dtype = out.dtype
            b_ = b.data if isinstance(b, Tensor) else np.asarray(b)
            if isinstance(a, Tensor):
                if a.dtype != dtype:
                    a = a.astype(dtype)
                flat = (a.data == 0) & (b_ >= 0)
                if flat.any():
                    a = where(flat, 1.0, a)
                with np.errstate(divide="ignore"):      # log(0) = -inf is meant
                    log_a = log(a)
            else:                                       # a constant: its log is one too
                a = np.asarray(a, dtype=dtype)
                flat = (a == 0) & (b_ >= 0)
                with np.errstate(divide="ignore", invalid="ignore"):
                    log_a = np.log(np.where(flat, 1, a).astype(dtype, copy=False))
            gb = g * out * log_a
        return ga, gb


class Remainder(Primitive):
    """a % b with the sign of b (Python's); d/da = 1, d/db = -floor(a / b)."""

    __slots__ = ()

    @staticmethod
    def forward(ctx, a, b):
        a, b = (a.data if isinstance(a, Tensor) else constant(a),
                b.data if isinstance(b, Tensor) else constant(b))
        _check_int_division("remainder", "%", a, b)
        ctx.save_for_backward(a, b)
        return np.remainder(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        gb = None
        if ctx.next[1] is not None:
            # floor(a / b) is piecewise constant: a constant here, at every order.
            q = np.floor_divide(a, b).astype(g.dtype, copy=False)
            gb = -(g * q)
        return (g if ctx.next[0] is not None else None), gb


def _describe(values):
    return " and ".join(f"{v.shape} {v.dtype}" if isinstance(v, (Tensor, np.ndarray))
                        else f"{type(v).__name__} {v!r}" for v in values)


def _check_int_division(name, symbol, a, b):
    """Integer ``//`` or ``%`` by zero raises, as PyTorch's (NumPy gives 0)."""
    a_kind, b_kind = np.asarray(a).dtype.kind, np.asarray(b).dtype.kind
    if a_kind in "biu" and b_kind in "biu" and np.any(np.equal(b, 0)):
        raise ZeroDivisionError(f"{name} ({symbol}): integer division by zero (operands: "
                                f"{_describe((a, b))})")


def _no_grad(name, symbol, ufunc, values, integers_only=False):
    """``ufunc`` on the operands' data: a Tensor outside the graph."""
    values = [v.data if isinstance(v, Tensor) else constant(v) for v in values]
    if integers_only:
        kinds = [np.asarray(v).dtype.kind for v in values]
        if any(k not in "biu" for k in kinds):
            raise TypeError(f"{name} ({symbol}): needs bool or integer operands, got "
                            f"{_describe(values)}; for masks compare first (t > 0) and "
                            f"combine the bool tensors")
    else:
        _check_int_division(name, symbol, *values)
    try:
        return _new_tensor(np.asarray(ufunc(*values)))
    except TypeError as e:
        raise TypeError(f"{name} ({symbol}): {e} (operands: {_describe(values)})") from None


def add(a: TensorLike, b: TensorLike) -> Tensor:
    """Elementwise ``a + b`` with broadcasting."""
    return Add.apply(a, b)


def sub(a: TensorLike, b: TensorLike) -> Tensor:
    """Elementwise ``a - b`` with broadcasting."""
    return Sub.apply(a, b)


def mul(a: TensorLike, b: TensorLike) -> Tensor:
    """Elementwise ``a * b`` with broadcasting."""
    return Mul.apply(a, b)


def div(a: TensorLike, b: TensorLike) -> Tensor:
    """Elementwise ``a / b`` (true division) with broadcasting."""
    return Div.apply(a, b)


def neg(a: TensorLike) -> Tensor:
    """Elementwise ``-a``."""
    return Neg.apply(as_tensor(a))


def pow(a: TensorLike, b: TensorLike) -> Tensor:
    """Elementwise ``a ** b``; either may be a Tensor or a number."""
    return Pow.apply(a, b)


def remainder(a: TensorLike, b: TensorLike) -> Tensor:
    """Elementwise ``a % b``: Python's remainder, with the sign of ``b`` (as PyTorch's).

    Differentiable on floats: d/da = 1, d/db = -floor(a / b). Integer ``% 0``
    raises ``ZeroDivisionError``; a float ``% 0`` is nan, as NumPy and PyTorch.
    """
    return Remainder.apply(a, b)


def floor_divide(a: TensorLike, b: TensorLike) -> Tensor:
    """Elementwise ``a // b``: Python's floor division (as PyTorch's), no gradient.

    The result never requires grad (it is piecewise constant). Integer ``// 0``
    raises ``ZeroDivisionError``; a float ``// 0`` is inf or nan, as NumPy and PyTorch.
    """
    return _no_grad("floor_divide", "//", np.floor_divide, (a, b))


def bitwise_and(a: TensorLike, b: TensorLike) -> Tensor:
    """Elementwise ``a & b`` on bools or integers (logical and for bools); no gradient."""
    return _no_grad("bitwise_and", "&", np.bitwise_and, (a, b), integers_only=True)


def bitwise_or(a: TensorLike, b: TensorLike) -> Tensor:
    """Elementwise ``a | b`` on bools or integers (logical or for bools); no gradient."""
    return _no_grad("bitwise_or", "|", np.bitwise_or, (a, b), integers_only=True)


def bitwise_xor(a: TensorLike, b: TensorLike) -> Tensor:
    """Elementwise ``a ^ b`` on bools or integers (logical xor for bools); no gradient."""
    return _no_grad("bitwise_xor", "^", np.bitwise_xor, (a, b), integers_only=True)


def bitwise_not(a: TensorLike) -> Tensor:
    """Elementwise ``~a`` on a bool or integer tensor (logical not for bools); no gradient."""
    return _no_grad("bitwise_not", "~", np.invert, (a,), integers_only=True)


from .elementwise import log, where  # noqa: E402  (elementwise imports this module)
