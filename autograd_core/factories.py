"""Tensor factories: constant-filled, ranges, identity, and seeded random tensors.

Every factory takes ``dtype=`` and ``requires_grad=``. Float data defaults to
the default dtype (float32); the random ones take ``rng=`` (a
``np.random.Generator``) or ``seed=`` so results are reproducible.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .dtypes import check_dtype, get_default_dtype
from .tensor import Tensor, _new_tensor

if TYPE_CHECKING:
    from ._types import DTypeLike, Scalar, Shape, TensorLike

__all__ = ["zeros", "ones", "full", "zeros_like", "ones_like", "arange", "eye",
           "randn", "rand"]


def _make(array, requires_grad):
    check_dtype(array.dtype)
    t = _new_tensor(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _shape(shape):
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def _float(dtype):
    return check_dtype(np.dtype(dtype)) if dtype is not None else get_default_dtype()


def _random_dtype(dtype, name):
    dt = _float(dtype)
    if dt.kind != "f":
        raise TypeError(f"{name}: random samples need a floating dtype, got {dt}")
    return dt


def zeros(*shape: Shape, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros; ``zeros(2, 3)`` and ``zeros((2, 3))`` alike."""
    return _make(np.zeros(_shape(shape), dtype=_float(dtype)), requires_grad)


def ones(*shape: Shape, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones; ``ones(2, 3)`` and ``ones((2, 3))`` alike."""
    return _make(np.ones(_shape(shape), dtype=_float(dtype)), requires_grad)


def full(shape: Shape, fill_value: Scalar, dtype: DTypeLike | None = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ``shape`` filled with ``fill_value`` (its dtype follows the value)."""
    if dtype is None:
        dtype = Tensor(fill_value).dtype
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    return _make(np.full(shape, fill_value, dtype=dtype), requires_grad)


def zeros_like(t: TensorLike, dtype: DTypeLike | None = None,
               requires_grad: bool = False) -> Tensor:
    """Zeros with the shape (and, by default, the dtype) of ``t``."""
    t = t if isinstance(t, Tensor) else Tensor(t)
    return _make(np.zeros(t.shape, dtype=dtype or t.dtype), requires_grad)


def ones_like(t: TensorLike, dtype: DTypeLike | None = None,
              requires_grad: bool = False) -> Tensor:
    """Ones with the shape (and, by default, the dtype) of ``t``."""
    t = t if isinstance(t, Tensor) else Tensor(t)
    return _make(np.ones(t.shape, dtype=dtype or t.dtype), requires_grad)


def arange(start: float, stop: float | None = None, step: float = 1,
           dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """Evenly spaced values in [start, stop): int64 for ints, the default float dtype otherwise."""
    if stop is None:
        start, stop = 0, start
    if dtype is None:
        ints = all(isinstance(v, (int, np.integer)) for v in (start, stop, step))
        dtype = np.int64 if ints else get_default_dtype()
    return _make(np.arange(start, stop, step, dtype=dtype), requires_grad)


def eye(n: int, m: int | None = None, dtype: DTypeLike | None = None,
        requires_grad: bool = False) -> Tensor:
    """The ``n`` x ``m`` identity matrix (``m`` defaults to ``n``)."""
    return _make(np.eye(n, m, dtype=_float(dtype)), requires_grad)


def _generator(rng, seed):
    if rng is not None and seed is not None:
        raise ValueError("give rng= or seed=, not both")
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        return rng
    return np.random.default_rng(seed)


def randn(*shape: Shape, rng: np.random.Generator | None = None, seed: int | None = None,
          dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples; reproducible with ``seed=`` or a given ``rng=``."""
    gen = _generator(rng, seed)
    return _make(gen.standard_normal(_shape(shape)).astype(_random_dtype(dtype, "randn")),
                 requires_grad)


def rand(*shape: Shape, rng: np.random.Generator | None = None, seed: int | None = None,
         dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1); reproducible with ``seed=`` or a given ``rng=``."""
    gen = _generator(rng, seed)
    return _make(gen.random(_shape(shape)).astype(_random_dtype(dtype, "rand")),
                 requires_grad)
