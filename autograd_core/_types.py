"""Type aliases for the annotations of the public API (for type checkers only).

The modules import this under ``typing.TYPE_CHECKING`` and write their
annotations as strings (``from __future__ import annotations``), so nothing
here runs when the package is imported.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, Union

import numpy as np
from numpy.typing import DTypeLike

if TYPE_CHECKING:
    from .tensor import Tensor

__all__ = ["TensorLike", "Scalar", "Axis", "Shape", "DTypeLike"]

#: A Python number (bool, int, float) or NumPy scalar.
Scalar: TypeAlias = bool | int | float | np.generic
#: What ``ag.tensor(...)`` and the ops take: a Tensor, an ndarray, a number or
#: nested sequences of numbers. (Union: the string "Tensor" cannot take ``|``.)
TensorLike: TypeAlias = Union["Tensor", np.ndarray, Scalar, Sequence[Any]]
#: An ``axis=`` argument: one axis, several, or ``None`` for all.
Axis: TypeAlias = int | Sequence[int] | None
#: A shape: ``(2, 3)`` or, where one axis is meant, ``3``.
Shape: TypeAlias = int | Sequence[int]
