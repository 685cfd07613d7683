"""``Dropout``."""
from .. import _checks
from .. import functional as F
from .. import init
from ..module import Module

__all__ = ["Dropout"]


class Dropout(Module):
    """Inverted dropout: in training, zero each element with probability ``p`` and scale
    the rest by ``1 / (1 - p)``; in evaluation mode, pass the input through.

    Masks are drawn from ``rng`` (a ``np.random.Generator``) or from a
    generator seeded with ``seed``, so a seeded run repeats exactly.
    """

    def __init__(self, p=0.5, rng=None, seed=None):
        super().__init__()
        _checks.number("Dropout", "p (a probability in [0, 1])", p, 0.0, 1.0)
        self.p = p
        self.rng = init._generator(rng, seed, "Dropout")

    def forward(self, x):
        return F.dropout(_checks.numeric_input(self, x), self.p, self.training, self.rng)

    def extra_repr(self):
        return f"p={self.p}"
