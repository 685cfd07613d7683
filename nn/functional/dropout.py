"""``dropout``: inverted dropout, active in training only."""
import numpy as np

from ._util import as_tensor

__all__ = ["dropout"]


def dropout(x, p=0.5, training=True, rng=None):
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``.

    With ``training=False`` (or ``p=0``) ``x`` is returned unchanged, so the
    expected value of every element is the same in both modes. ``rng`` (a
    ``np.random.Generator``) draws the mask; without it an unseeded one is used.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be a probability in [0, 1], got {p}")
    x = as_tensor(x)
    if not training or p == 0.0:
        return x
    if rng is None:
        rng = np.random.default_rng()
    if p == 1.0:
        return x * np.zeros(x.shape, dtype=x.dtype)
    keep = rng.random(x.shape) >= p
    return x * (keep * (1.0 / (1.0 - p))).astype(x.dtype)
