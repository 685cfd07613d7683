"""Pooling layers: ``MaxPool2d``, ``AvgPool2d`` and ``AdaptiveAvgPool2d`` (no parameters)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .. import _checks
from .. import functional as F
from ..functional._window import output_size as check_output_size
from ..functional._window import pool_sizes
from ..module import Module

if TYPE_CHECKING:
    from autograd_core import Tensor
    from autograd_core._types import TensorLike

    _Pair = int | tuple[int, int]

__all__ = ["MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d"]


class _Pool2d(Module):
    def __init__(self, kernel_size: _Pair, stride: _Pair | None = None,
                 padding: _Pair = 0) -> None:
        super().__init__()
        name = type(self).__name__
        self.kernel_size, self.stride, self.padding = pool_sizes(name, kernel_size, stride,
                                                                 padding)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}")


class MaxPool2d(_Pool2d):
    """The maximum of each ``kernel_size`` window, windows ``stride`` apart (default:
    the kernel size, so they do not overlap); see ``F.max_pool2d``."""

    def forward(self, x: TensorLike) -> Tensor:
        return F.max_pool2d(_checks.numeric_input(self, x), self.kernel_size, self.stride,
                            self.padding)


class AvgPool2d(_Pool2d):
    """The mean of each ``kernel_size`` window, windows ``stride`` apart (default: the
    kernel size); see ``F.avg_pool2d`` for ``count_include_pad``."""

    def __init__(self, kernel_size: _Pair, stride: _Pair | None = None, padding: _Pair = 0,
                 count_include_pad: bool = True) -> None:
        super().__init__(kernel_size, stride, padding)
        self.count_include_pad = bool(count_include_pad)

    def forward(self, x: TensorLike) -> Tensor:
        return F.avg_pool2d(_checks.numeric_input(self, x), self.kernel_size, self.stride,
                            self.padding, self.count_include_pad)

    def extra_repr(self) -> str:
        return super().extra_repr() + f", count_include_pad={self.count_include_pad}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed ``output_size`` whatever the input's size;
    ``AdaptiveAvgPool2d(1)`` is global average pooling (see ``F.adaptive_avg_pool2d``)."""

    def __init__(self, output_size: _Pair) -> None:
        super().__init__()
        self.output_size = check_output_size("AdaptiveAvgPool2d", output_size)

    def forward(self, x: TensorLike) -> Tensor:
        return F.adaptive_avg_pool2d(_checks.numeric_input(self, x), self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
