"""``BatchNorm1d``, ``BatchNorm2d`` and ``LayerNorm``.

``_BatchNorm`` holds everything batch normalisation needs for any input rank
(channels on axis 1, statistics over every other axis); a subclass only says
which input ranks it accepts, so ``BatchNorm2d`` is a four-line addition.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

import autograd_core as ag

from .. import _checks
from .. import functional as F
from .. import init
from ..module import Module, Parameter
from .linear import dtype_note, param_dtype

if TYPE_CHECKING:
    from autograd_core import Tensor
    from autograd_core._types import DTypeLike, TensorLike

__all__ = ["BatchNorm1d", "BatchNorm2d", "LayerNorm"]


class _BatchNorm(Module):
    """Batch normalisation over axis 1 (channels); subclasses set ``_ranks``."""

    _ranks: tuple[int, ...] = ()  # accepted input ranks, e.g. (2, 3) for BatchNorm1d
    _layout = ""          # shown in the error for a wrong rank, e.g. "(N, C) or (N, C, L)"
    weight: Parameter | None
    bias: Parameter | None
    # Buffers (register_buffer), or None without track_running_stats.
    running_mean: Any
    running_var: Any
    num_batches_tracked: Any

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 dtype: DTypeLike | None = None, rng: np.random.Generator | None = None,
                 seed: int | None = None) -> None:
        # rng/seed are accepted for uniformity: the initial values are fixed (1 and 0).
        super().__init__()
        name = type(self).__name__
        self.num_features = _checks.size(name, "num_features", num_features)
        _checks.number(name, "eps", eps)
        if momentum is not None:                # None: a cumulative average
            _checks.number(name, "momentum", momentum, 0.0, 1.0)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        dtype = init._float_dtype(dtype, type(self).__name__)
        c = self.num_features
        if affine:
            self.weight = Parameter(np.ones(c, dtype))
            self.bias = Parameter(np.zeros(c, dtype))
        else:
            self.weight = self.bias = None
        if track_running_stats:
            self.register_buffer("running_mean", np.zeros(c, dtype))
            self.register_buffer("running_var", np.ones(c, dtype))
            self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None

    def reset_running_stats(self):
        """Running mean 0, running variance 1, no batches tracked."""
        if self.track_running_stats:
            with ag.no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1.0)
                self.num_batches_tracked.zero_()

    def forward(self, x: TensorLike) -> Tensor:
        x = _checks.numeric_input(self, x)
        x = x if isinstance(x, ag.Tensor) else ag.tensor(x, dtype=param_dtype(self))
        if x.ndim not in self._ranks or x.shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}({self.num_features}): expected input of "
                             f"shape {self._layout} with C={self.num_features}, got "
                             f"{x.shape}")
        tracking = self.training and self.track_running_stats
        factor = self.momentum
        if tracking and self.momentum is None:        # cumulative moving average
            factor = 1.0 / (int(self.num_batches_tracked.data) + 1)
        running = not self.training or self.track_running_stats
        out = F.batch_norm(x, self.running_mean if running else None,
                           self.running_var if running else None, self.weight, self.bias,
                           self.training or not self.track_running_stats, factor, self.eps)
        if tracking:
            self.num_batches_tracked.add_(1)
        return out

    def extra_repr(self) -> str:
        text = (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")
        return text + dtype_note(self)


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of ``(N, C)`` or ``(N, C, L)`` inputs, per channel C.

    Training: normalise with the batch's mean and biased variance, and update
    ``running_mean``/``running_var`` (buffers, saved by ``state_dict``) as
    ``(1 - momentum) * running + momentum * batch`` with the unbiased variance;
    ``momentum=None`` gives a cumulative average. Evaluation: normalise with
    the running statistics. ``weight`` (ones) and ``bias`` (zeros) are learnt.
    ``num_features`` is an int >= 0 (a float is a ``TypeError``), ``eps`` a real
    number >= 0 and ``momentum`` one in [0, 1] or None (a string is a
    ``TypeError``); the input must hold numbers (a string array is a ``TypeError``).
    """

    _ranks = (2, 3)
    _layout = "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of images ``(N, C, H, W)``, per channel C: each channel's
    statistics are taken over the batch and every position (N * H * W values),
    so a feature map is normalised as one unit, as convolution shares its
    weights. Otherwise as ``BatchNorm1d`` (running statistics, train/eval).
    """

    _ranks = (4,)
    _layout = "(N, C, H, W)"


class LayerNorm(Module):
    """Normalise each sample over its last axes (``normalized_shape``), then scale and shift.

    ``weight`` (ones) and ``bias`` (zeros) have shape ``normalized_shape``;
    ``elementwise_affine=False`` leaves them out, ``bias=False`` the bias only.
    ``normalized_shape`` is an int or a tuple of ints >= 0 (a float is a ``TypeError``),
    ``eps`` a real number >= 0.
    """

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True,
                 dtype: DTypeLike | None = None, rng: np.random.Generator | None = None,
                 seed: int | None = None) -> None:
        super().__init__()
        if isinstance(normalized_shape, (int, np.integer)):
            normalized_shape = (normalized_shape,)
        elif not isinstance(normalized_shape, (tuple, list)):
            raise TypeError(f"LayerNorm: normalized_shape must be an int or a tuple of ints, "
                            f"got {type(normalized_shape).__name__} {normalized_shape!r}")
        self.normalized_shape = tuple(
            _checks.size("LayerNorm", f"normalized_shape[{i}]", s)
            for i, s in enumerate(normalized_shape))
        _checks.number("LayerNorm", "eps", eps)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dtype = init._float_dtype(dtype, "LayerNorm")
        self.weight = (Parameter(np.ones(self.normalized_shape, dtype))
                       if elementwise_affine else None)
        self.bias = (Parameter(np.zeros(self.normalized_shape, dtype))
                     if elementwise_affine and bias else None)

    def forward(self, x: TensorLike) -> Tensor:
        x = _checks.numeric_input(self, x)
        x = x if isinstance(x, ag.Tensor) else ag.tensor(x, dtype=param_dtype(self))
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        text = (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")
        if self.elementwise_affine:
            text += f", bias={self.bias is not None}"
        return text + dtype_note(self)
