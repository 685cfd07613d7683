"""``Flatten``."""
import autograd_core as ag

from .. import _checks
from ..module import Module

__all__ = ["Flatten"]


class Flatten(Module):
    """Merge axes ``start_axis..end_axis`` into one: (N, C, H, W) -> (N, C*H*W) by default."""

    def __init__(self, start_axis=1, end_axis=-1):
        super().__init__()
        self.start_axis = start_axis
        self.end_axis = end_axis

    def forward(self, x):
        return ag.flatten(_checks.numeric_input(self, x), self.start_axis, self.end_axis)

    def extra_repr(self):
        return f"start_axis={self.start_axis}, end_axis={self.end_axis}"
