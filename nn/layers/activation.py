"""Activation layers: ``ReLU Sigmoid Tanh LeakyReLU GELU Softmax LogSoftmax``.

Each takes an input of numbers; a string or object array is a ``TypeError``
naming the layer and the dtype.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .. import _checks
from .. import functional as F
from ..module import Module

if TYPE_CHECKING:
    from autograd_core import Tensor
    from autograd_core._types import TensorLike

__all__ = ["ReLU", "Sigmoid", "Tanh", "LeakyReLU", "GELU", "Softmax", "LogSoftmax"]


class ReLU(Module):
    """max(x, 0) elementwise."""

    def forward(self, x: TensorLike) -> Tensor:
        return F.relu(_checks.numeric_input(self, x))


class Sigmoid(Module):
    """1 / (1 + exp(-x)) elementwise."""

    def forward(self, x: TensorLike) -> Tensor:
        return F.sigmoid(_checks.numeric_input(self, x))


class Tanh(Module):
    """tanh(x) elementwise."""

    def forward(self, x: TensorLike) -> Tensor:
        return F.tanh(_checks.numeric_input(self, x))


class LeakyReLU(Module):
    """x for x > 0, ``negative_slope * x`` otherwise."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: TensorLike) -> Tensor:
        return F.leaky_relu(_checks.numeric_input(self, x), self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class GELU(Module):
    """x * Phi(x) (``approximate="tanh"`` for the tanh formula)."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: TensorLike) -> Tensor:
        return F.gelu(_checks.numeric_input(self, x), self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softmax(Module):
    """exp(x) / sum(exp(x)) along ``axis`` (or PyTorch's ``dim``; default -1)."""

    def __init__(self, axis: int | None = None, dim: int | None = None) -> None:
        super().__init__()
        self.axis = F.activations._axis(type(self).__name__, axis, dim)

    def forward(self, x: TensorLike) -> Tensor:
        return F.softmax(_checks.numeric_input(self, x), self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class LogSoftmax(Softmax):
    """log(softmax(x)) along ``axis``, computed stably (pairs with ``NLLLoss``)."""

    def forward(self, x: TensorLike) -> Tensor:
        return F.log_softmax(_checks.numeric_input(self, x), self.axis)
