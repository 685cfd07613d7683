"""``Dropout``."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .. import _checks
from .. import functional as F
from .. import init
from ..module import Module

if TYPE_CHECKING:
    import numpy as np

    from autograd_core import Tensor
    from autograd_core._types import TensorLike

__all__ = ["Dropout"]


class Dropout(Module):
    """Inverted dropout: in training, zero each element with probability ``p`` and scale
    the rest by ``1 / (1 - p)``; in evaluation mode, pass the input through.

    Masks are drawn from ``rng`` (a ``np.random.Generator``) or from a
    generator seeded with ``seed``, so a seeded run repeats exactly.
    """

    def __init__(self, p: float = 0.5, rng: np.random.Generator | None = None,
                 seed: int | None = None) -> None:
        super().__init__()
        _checks.number("Dropout", "p (a probability in [0, 1])", p, 0.0, 1.0)
        self.p = p
        self.rng = init._generator(rng, seed, "Dropout")

    def forward(self, x: TensorLike) -> Tensor:
        return F.dropout(_checks.numeric_input(self, x), self.p, self.training, self.rng)

    def extra_repr(self) -> str:
        return f"p={self.p}"
