"""Matrix products: ``matmul`` (the ``@`` operator) and ``dot``.

``matmul`` follows NumPy: 1-D operands are promoted to a row (left) or a
column (right) and the added axis removed again, and leading batch axes
broadcast. The backward is written for the promoted 2-D (batched) case:
dA = g @ B^T, dB = A^T @ g; the engine sums broadcast batch axes away. It is
one formula for Tensors (recorded, for higher order) and bare arrays (see
``_util.operands``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..function import Primitive
from ._util import as_tensor, operands, raw

if TYPE_CHECKING:
    from .._types import TensorLike
    from ..tensor import Tensor

__all__ = ["matmul", "dot"]
METHODS = ["matmul", "dot"]


class Matmul(Primitive):
    """a @ b with NumPy's rules for 1-D and batched operands."""

    __slots__ = ()

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.matmul(raw(a), raw(b))

    @staticmethod
    def backward(ctx, g):
        g, a, b = operands(g, *ctx.saved_tensors)
        if a.ndim == 1 and b.ndim == 1:          # inner product: g is 0-d
            return (g * b if ctx.next[0] is not None else None,
                    g * a if ctx.next[1] is not None else None)
        # Promote 1-D operands to matrices (and g with them), as the forward did.
        a2 = a.reshape(1, -1) if a.ndim == 1 else a
        b2 = b.reshape(-1, 1) if b.ndim == 1 else b
        if a.ndim == 1:
            g = g.reshape(g.shape[:-1] + (1, g.shape[-1]))
        if b.ndim == 1:
            g = g.reshape(g.shape + (1,))
        ga = gb = None
        if ctx.next[0] is not None:
            ga = g @ b2.swapaxes(-1, -2)
            if a.ndim == 1:
                ga = ga.reshape(ga.shape[:-2] + (ga.shape[-1],))
        if ctx.next[1] is not None:
            gb = a2.swapaxes(-1, -2) @ g
            if b.ndim == 1:
                gb = gb.reshape(gb.shape[:-1])
        return ga, gb


def matmul(a: TensorLike, b: TensorLike) -> Tensor:
    """Matrix product with NumPy's ``matmul`` rules (1-D promotion, batch broadcasting)."""
    return Matmul.apply(a, b)


def dot(a: TensorLike, b: TensorLike) -> Tensor:
    """``np.dot`` for 0-D, 1-D and 2-D operands: inner, matrix-vector or matrix product."""
    a, b = as_tensor(a), as_tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.ndim > 2 or b.ndim > 2:
        raise ValueError(f"dot: operands of shapes {a.shape} and {b.shape}; dot takes "
                         "up to 2-D operands, use matmul for batches")
    return Matmul.apply(a, b)
