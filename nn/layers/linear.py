"""``Linear`` (fully connected) and ``Identity``."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _checks
from .. import functional as F
from .. import init
from ..module import Module, Parameter

if TYPE_CHECKING:
    from autograd_core import Tensor
    from autograd_core._types import DTypeLike, TensorLike

__all__ = ["Linear", "Identity"]


class Linear(Module):
    """``y = x @ weight.T + bias`` with ``weight`` shaped ``(out_features, in_features)``.

    Initialised as PyTorch's ``Linear``: weight and bias from
    U(-1/sqrt(in_features), 1/sqrt(in_features)) (``kaiming_uniform_`` with
    ``a=sqrt(5)``), drawn from ``rng`` (a ``np.random.Generator``) or a
    generator seeded with ``seed``. ``dtype`` defaults to float32.
    ``in_features`` and ``out_features`` are ints >= 0 (a float is a ``TypeError``);
    the input must hold numbers (a string array is a ``TypeError``).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 dtype: DTypeLike | None = None, rng: np.random.Generator | None = None,
                 seed: int | None = None) -> None:
        super().__init__()
        self.in_features = _checks.size("Linear", "in_features", in_features)
        self.out_features = _checks.size("Linear", "out_features", out_features)
        dtype = init._float_dtype(dtype, "Linear")
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype))
        self.bias = Parameter(np.empty(self.out_features, dtype)) if bias else None
        self.reset_parameters(rng=rng, seed=seed)

    def reset_parameters(self, rng: np.random.Generator | None = None,
                         seed: int | None = None) -> None:
        """Draw the weight, then the bias, again with PyTorch's default scheme."""
        gen = init._generator(rng, seed, "Linear")
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), rng=gen)
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
            init.uniform_(self.bias, -bound, bound, rng=gen)

    def forward(self, x: TensorLike) -> Tensor:
        return F.linear(_checks.numeric_input(self, x), self.weight, self.bias)

    def extra_repr(self) -> str:
        text = (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")
        return text + dtype_note(self)


class Identity(Module):
    """Returns its input unchanged (a placeholder, e.g. for "no normalisation")."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, x: Any) -> Any:
        return x


def param_dtype(module):
    """The dtype of a layer's first floating parameter or buffer (None if it has none)."""
    for t in list(module.parameters()) + list(module.buffers()):
        if t.dtype.kind == "f":
            return t.dtype
    return None


def dtype_note(module):
    """", dtype=float64" for a repr when the layer's parameters are not float32."""
    dt = param_dtype(module)
    return "" if dt is None or dt == np.float32 else f", dtype={dt}"
