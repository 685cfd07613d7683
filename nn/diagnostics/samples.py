"""The spread of many layer outputs, from samples processed together.

A recorded step needs, for each watched layer's output, its std and four
percentiles. Exact ones cost a second pass over the output (the std) and a
sort of all of it (the percentiles): for a small MLP, as much as a fifth of
the training step. Instead, each output's mean is taken exactly (one pass,
which also sees any NaN or inf) and a fixed sample of its elements
(``stats.sample``, in runs of ``stats.OUTPUT_RUN``) is gathered into one row of
a buffer; ``finish()``, once per step, sorts all rows in one call and computes
every std and percentile at once.
"""
import math

import numpy as np

from . import stats

__all__ = ["SpreadBatch"]


class SpreadBatch:
    """Std and percentiles ``qs`` (in 0..100) of many 1-D arrays, each estimated
    from ``sample_size`` of its elements, computed together.

    ``add(x, mean, slots)`` takes the sample of ``x`` (more than ``sample_size``
    elements) now; ``mean`` is its exact mean. ``finish()`` writes the std (the
    root mean square deviation of the sample from ``mean``) into
    ``slots[std_at]`` and the percentiles (linear interpolation, as
    ``stats.percentiles(x, qs, sample_size)``) into ``slots[pct_at:pct_at +
    len(qs)]``; NaN where the sample holds a NaN.
    """

    def __init__(self, qs, sample_size, std_at, pct_at):
        self._qs = tuple(qs)
        self._k = sample_size
        self._std_at, self._pct_at = std_at, pct_at
        self._bufs = {}         # dtype -> (rows, sample_size) buffer, reused
        self._pending = {}      # dtype -> ([slots], [mean]), one per used row

    def add(self, x, mean, slots):
        """Sample ``x`` now; its std and percentiles go to ``slots`` at ``finish()``."""
        pending = self._pending.get(x.dtype)
        if pending is None:
            pending = self._pending[x.dtype] = ([], [])
        buf = self._bufs.get(x.dtype)
        row = len(pending[0])
        if buf is None or buf.shape[0] <= row:
            grown = np.empty((max(16, 2 * row), self._k), x.dtype)
            if buf is not None:
                grown[:row] = buf[:row]
            buf = self._bufs[x.dtype] = grown
        stats.sample_into(x, self._k, buf[row], stats.OUTPUT_RUN)
        pending[0].append(slots)
        pending[1].append(mean)

    def finish(self):
        """Compute and write every pending std and percentile."""
        m = len(self._qs)
        ranks, weights = stats.interpolation(self._k, self._qs)
        std_at, pct_at = self._std_at, self._pct_at
        for dtype, (targets, means) in self._pending.items():
            if not targets:
                continue
            rows = self._bufs[dtype][:len(targets)]
            # Deviations from the exact means (an unbiased estimate of each
            # variance), in the samples' own precision.
            d = rows - np.array(means, dtype=dtype)[:, None]
            with np.errstate(invalid="ignore", over="ignore"):
                std = np.sqrt(np.einsum("ij,ij->i", d, d).astype(np.float64) / self._k)
            rows.sort(axis=1)
            v = rows[:, ranks].astype(np.float64)
            low, high = v[:, :m], v[:, m:]
            with np.errstate(invalid="ignore"):         # inf - inf: low is kept
                p = np.where(low == high, low, low + (high - low) * weights)
            nan = rows[:, -1] != rows[:, -1]            # a NaN sorts last
            p[nan] = math.nan
            std[nan] = math.nan
            for slots, s, values in zip(targets, std.tolist(), p.tolist()):
                slots[std_at] = s
                slots[pct_at:pct_at + m] = values
        self.clear()

    def clear(self):
        """Forget the samples taken since the last ``finish()``."""
        self._pending = {}
