"""``Flatten``."""
from __future__ import annotations

from typing import TYPE_CHECKING

import autograd_core as ag

from .. import _checks
from ..module import Module

if TYPE_CHECKING:
    from autograd_core import Tensor
    from autograd_core._types import TensorLike

__all__ = ["Flatten"]


class Flatten(Module):
    """Merge axes ``start_axis..end_axis`` into one: (N, C, H, W) -> (N, C*H*W) by default."""

    def __init__(self, start_axis: int = 1, end_axis: int = -1) -> None:
        super().__init__()
        self.start_axis = start_axis
        self.end_axis = end_axis

    def forward(self, x: TensorLike) -> Tensor:
        return ag.flatten(_checks.numeric_input(self, x), self.start_axis, self.end_axis)

    def extra_repr(self) -> str:
        return f"start_axis={self.start_axis}, end_axis={self.end_axis}"
