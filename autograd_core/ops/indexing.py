"""Indexing: ``t[index]`` with basic, advanced and boolean indices.

The gradient of ``t[index]`` scatters the output's gradient back into a zero
tensor of ``t``'s shape; where an integer array repeats an index, the
contributions add up (``np.add.at``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..function import Primitive
from ..tensor import Tensor
from ._util import is_array, operands

if TYPE_CHECKING:
    from .._types import TensorLike
    from ..tensor import Tensor

__all__ = ["getitem", "normalize_index"]


def normalize_index(index):
    """An index NumPy understands: Tensors and lists inside it become arrays."""
    if isinstance(index, tuple):
        return tuple(_part(i) for i in index)
    return _part(index)


def _part(i):
    if isinstance(i, Tensor):
        i = i.data
    if isinstance(i, list):
        i = np.asarray(i)
    if isinstance(i, np.ndarray) and i.dtype.kind == "f":
        raise IndexError(f"tensors used as indices must be integer or bool, got {i.dtype}")
    return i


def _is_basic(index):
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (slice, int, np.integer))
               for p in parts)


class GetItem(Primitive):
    """t[index]; the gradient is scattered back into t's shape."""

    __slots__ = ("in_shape", "basic")

    @property
    def _views_input(self):
        """A basic index (ints, slices) gives a view of the input; an advanced one a copy."""
        return self.basic

    @staticmethod
    def forward(ctx, x, index):
        out = x.data[index]
        ctx.in_shape = x.shape
        ctx.basic = _is_basic(index)
        ctx.save_for_backward(index)
        return out

    @staticmethod
    def backward(ctx, g):
        g, index = operands(g, *ctx.saved_tensors)
        if is_array(g):                 # not recorded: scatter the array directly
            return _scatter(g, ctx.in_shape, index, ctx.basic), None
        return IndexAdd.apply(g, ctx.in_shape, index, ctx.basic), None


class IndexAdd(Primitive):
    """zeros(shape) with ``g`` added at ``index``; its gradient is ``gg[index]``."""

    __slots__ = ()

    @staticmethod
    def forward(ctx, g, shape, index, basic):
        ctx.save_for_backward(index)
        return _scatter(g.data, shape, index, basic)

    @staticmethod
    def backward(ctx, gg):
        index, = ctx.saved_tensors
        return GetItem.apply(gg, index), None, None, None


def _scatter(g, shape, index, basic):
    """zeros(shape) with the array ``g`` added at ``index``."""
    out = np.zeros(shape, dtype=g.dtype)
    if basic:
        out[index] = g          # a basic index never repeats an element
    else:
        np.add.at(out, index, g)
    return out


def getitem(x: TensorLike, index: Any) -> Tensor:
    """``x[index]``: NumPy's basic, advanced and boolean indexing, differentiable."""
    return GetItem.apply(x, normalize_index(index))
