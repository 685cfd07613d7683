"""``Conv2d``: a learnt bank of 2-D filters slid over NCHW images."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .. import _checks
from .. import functional as F
from .. import init
from ..functional._window import conv_padding, integer, pair
from ..module import Module, Parameter
from .linear import dtype_note

if TYPE_CHECKING:
    from autograd_core import Tensor
    from autograd_core._types import DTypeLike, TensorLike

    _Pair = int | tuple[int, int]

__all__ = ["Conv2d"]


class Conv2d(Module):
    """2-D convolution: ``out_channels`` filters of ``in_channels / groups`` x
    ``kernel_size``, each slid over the image (``F.conv2d``).

    ``weight`` is shaped ``(out_channels, in_channels / groups, kh, kw)`` and
    ``bias`` ``(out_channels,)``, as PyTorch, and initialised as PyTorch's
    ``Conv2d``: ``kaiming_uniform_(a=sqrt(5))``, i.e. U(-1/sqrt(fan_in),
    1/sqrt(fan_in)) with fan_in = in_channels / groups * kh * kw, for both.
    ``kernel_size``, ``stride``, ``padding`` and ``dilation`` are ints or pairs;
    ``padding`` may be ``"valid"`` or ``"same"``. Draws from ``rng`` or
    ``seed``; ``dtype`` defaults to float32.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: _Pair,
                 stride: _Pair = 1, padding: _Pair | str = 0, dilation: _Pair = 1,
                 groups: int = 1, bias: bool = True, dtype: DTypeLike | None = None,
                 rng: np.random.Generator | None = None, seed: int | None = None) -> None:
        super().__init__()
        name = "Conv2d"
        self.in_channels = _checks.size(name, "in_channels", in_channels, minimum=1)
        self.out_channels = _checks.size(name, "out_channels", out_channels, minimum=1)
        self.kernel_size = pair(name, "kernel_size", kernel_size)
        self.stride = pair(name, "stride", stride)
        self.padding = conv_padding(name, padding, self.stride)
        self.dilation = pair(name, "dilation", dilation)
        self.groups = integer(name, "groups", groups, 1)
        for what, n in (("in_channels", self.in_channels), ("out_channels", self.out_channels)):
            if n % self.groups:
                raise ValueError(f"{name}: {what}={n} is not divisible by groups={self.groups}")
        dtype = init._float_dtype(dtype, name)
        shape = (self.out_channels, self.in_channels // self.groups) + self.kernel_size
        self.weight = Parameter(np.empty(shape, dtype))
        self.bias = Parameter(np.empty(self.out_channels, dtype)) if bias else None
        self.reset_parameters(rng=rng, seed=seed)

    def reset_parameters(self, rng: np.random.Generator | None = None,
                         seed: int | None = None) -> None:
        """Draw the weight, then the bias, again with PyTorch's default scheme."""
        gen = init._generator(rng, seed, "Conv2d")
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), rng=gen)
        if self.bias is not None:
            fan_in = self.weight.shape[1] * self.kernel_size[0] * self.kernel_size[1]
            bound = 1 / math.sqrt(fan_in)
            init.uniform_(self.bias, -bound, bound, rng=gen)

    def forward(self, x: TensorLike) -> Tensor:
        return F.conv2d(_checks.numeric_input(self, x), self.weight, self.bias, self.stride,
                        self.padding, self.dilation, self.groups)

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding not in ((0, 0), "valid"):
            text += f", padding={self.padding}"
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text + dtype_note(self)
