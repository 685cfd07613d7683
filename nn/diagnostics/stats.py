"""Summary statistics of one array, fast enough to run on every layer each step.

A monitored training step summarises every layer's output and gradient, so
these helpers avoid NumPy's slower general paths: sums and sums of squares
come from BLAS dot products (several times faster than ``np.mean``/``np.std``
on float32 arrays), and percentiles come from one SIMD sort rather than
``np.percentile``'s repeated partitioning. Each array is summarised on its
own: stacking many small arrays to sort or reduce them together costs more, at
these sizes, than the calls it saves.
"""
import math

import numpy as np

__all__ = ["flat", "moments", "percentiles", "sample", "sample_indices", "histogram",
           "saturated_fraction", "unit_sums", "dead_fraction"]

_ONES = {}
_SAMPLES = {}
_INTERP = {}
_CACHE_LIMIT = 64


def _cached(cache, key, make):
    value = cache.get(key)
    if value is None:
        if len(cache) >= _CACHE_LIMIT:       # many distinct shapes: start over
            cache.clear()
        value = cache[key] = make()
    return value


def _ones(n, dtype):
    key = (n, dtype.char)
    ones = _ONES.get(key)
    if ones is None:
        ones = _cached(_ONES, key, lambda: np.ones(n, dtype))
    return ones


def flat(a):
    """``a`` as a 1-D float32 or float64 array (a view when it already is one)."""
    if type(a) is not np.ndarray:
        a = np.asarray(a)
    if a.dtype.char not in "fd":          # float32, float64: BLAS dot products
        a = a.astype(np.float64)
    return a.reshape(-1)


def moments(x, total=None):
    """``(mean, std, sum of squares)`` of the 1-D float array ``x``, as Python floats.

    The population std (``ddof=0``, as ``np.std``). Two dot products (with a
    vector of ones, and with ``x`` itself) give the sum and the sum of squares,
    and var = E[x^2] - E[x]^2.
    That difference loses digits when the mean is large against the spread
    (sigmoid outputs near 0.5 with a small std, for instance); when it keeps
    fewer than about three of float32's seven digits, the variance is computed
    again from the centred values. ``total``: the sum of ``x``, when already
    known (``unit_sums``), saves one pass.
    """
    n = x.size
    if n == 0:
        return math.nan, math.nan, 0.0
    s = float(np.dot(x, _ones(n, x.dtype))) if total is None else total
    sq = float(np.dot(x, x))
    mean = s / n
    mean_sq = sq / n
    var = mean_sq - mean * mean
    if not var > 1e-3 * mean_sq:             # cancellation, zero, NaN or inf
        d = x - x.dtype.type(mean)
        var = float(np.dot(d, d)) / n
    return mean, math.sqrt(var) if var >= 0 else math.nan, sq


_CHUNK = 16            # elements per sampled run: one 64-byte cache line of float32


def sample_indices(n, k):
    """A fixed random subset of ``k`` of the positions ``0..n-1``, sorted (cached).

    Drawn as runs of 16 consecutive positions (a cache line of float32) at
    random places, so that reading the subset touches k / 16 cache lines
    instead of nearly all of a large array. Seeded by ``n`` and ``k``, so a
    layer's statistics follow the same elements from step to step and their
    curves over training do not jitter from resampling.
    """
    return _sampler(n, k)[0]


def _sampler(n, k):
    """``(positions, runs)``: ``runs`` the indices of the 16-element rows of
    ``x.reshape(-1, 16)`` that hold exactly ``positions``, or None when the
    positions are not whole rows (then they are gathered one by one)."""
    found = _SAMPLES.get((n, k))
    if found is not None:
        return found

    def make():
        rng = np.random.default_rng([n, k])
        n_runs = n // _CHUNK
        runs = None
        if n_runs * _CHUNK < k:            # too short for whole runs: plain positions
            idx = rng.choice(n, size=k, replace=False)
        else:
            starts = np.sort(rng.choice(n_runs, size=k // _CHUNK, replace=False))
            idx = (starts[:, None] * _CHUNK + np.arange(_CHUNK)).reshape(-1)
            if idx.size < k:               # k not a multiple of 16: top up
                rest = np.setdiff1d(np.arange(n), idx)
                idx = np.concatenate([idx, rng.choice(rest, size=k - idx.size,
                                                      replace=False)])
            elif n % _CHUNK == 0:
                runs = starts
        idx.sort()
        return idx, runs
    return _cached(_SAMPLES, (n, k), make)


def sample(x, sample_size):
    """``x`` itself when it has at most ``sample_size`` elements (or ``sample_size``
    is None), else a copy of its values at ``sample_indices``."""
    n = x.size
    if sample_size is None or n <= sample_size:
        return x
    idx, runs = _sampler(n, sample_size)
    if runs is not None:
        # Whole rows of 16: a gather of k / 16 short rows, about twice as fast.
        return np.take(x.reshape(-1, _CHUNK), runs, axis=0).reshape(-1)
    return x[idx]


def _interpolation(n, qs):
    """For percentiles ``qs`` of ``n`` sorted values: ``(ranks, weights)``, the
    ranks just below and just above each percentile (``[lo_1, .., lo_m, hi_1, ..,
    hi_m]``) and the weight of the upper one (linear, as ``np.percentile``)."""
    found = _INTERP.get((n, qs))
    if found is not None:
        return found

    def make():
        pos = [(n - 1) * q / 100.0 for q in qs]
        lo = [math.floor(p) for p in pos]
        hi = [min(i + 1, n - 1) for i in lo]
        return np.array(lo + hi, dtype=np.intp), [p - i for p, i in zip(pos, lo)]
    return _cached(_INTERP, (n, qs), make)


def percentiles(x, qs, sample_size=None):
    """Percentiles ``qs`` (a tuple, in 0..100) of the 1-D array ``x``, as a list of
    floats.

    Linear interpolation between the two nearest ranks, as ``np.percentile``'s
    default. When ``sample_size`` is given and ``x`` has more elements, they are
    estimated from a fixed random subset (``sample_indices``) of
    ``sample_size`` elements: for 1024 elements the standard error of an
    estimated quantile is at most 0.016 in probability (sqrt(p (1 - p) / n)),
    plenty for curves over training. An ``x`` holding NaN gives NaN
    everywhere (as ``np.percentile``). ``x`` is not modified.
    """
    n = x.size
    if n == 0:
        return [math.nan] * len(qs)
    s = sample(x, sample_size)
    s = s.copy() if s is x else s            # sorted in place: never x itself
    s.sort()
    if s[-1] != s[-1]:                       # NaN (sort puts it last)
        return [math.nan] * len(qs)
    ranks, weights = _interpolation(s.size, qs)
    v = s.take(ranks).tolist()               # one call, then plain floats
    m = len(qs)
    return [low if low == high else low + (high - low) * w
            for low, high, w in zip(v[:m], v[m:], weights)]


def histogram(x, bins, finite):
    """``(counts, edges)`` of ``x`` over ``bins``; ``finite=False`` drops NaN and inf
    first (``np.histogram`` cannot choose a range that holds them)."""
    if not finite:
        x = x[np.isfinite(x)]
    return np.histogram(x, bins=bins)


def saturated_fraction(x, kind):
    """Fraction of a sigmoid's outputs within 0.03 of 0 or 1, or of a tanh's with
    ``|t| > 0.97``: units in the flat tails, whose local derivative is under
    about 0.03 (sigmoid) or 0.06 (tanh), so that little gradient gets through."""
    n = x.size
    if n == 0:
        return math.nan
    if kind == "sigmoid":
        count = np.count_nonzero(x < 0.03) + np.count_nonzero(x > 0.97)
    else:
        count = np.count_nonzero(x > 0.97) + np.count_nonzero(x < -0.97)
    return float(count / n)


def unit_sums(a):
    """Sum over the batch (axis 0) of each unit of ``a`` (every other position), by
    one matrix-vector product; None for an array without a batch of units."""
    if a.ndim == 0 or a.size == 0:
        return None
    per_unit = a.reshape(a.shape[0], -1)
    if per_unit.dtype.char not in "fd":
        per_unit = per_unit.astype(np.float64)
    return _ones(per_unit.shape[0], per_unit.dtype) @ per_unit


def dead_fraction(a, sums=None):
    """Fraction of units (positions other than the batch axis 0) that are zero for
    every sample of the batch: ReLU units that pass no gradient at all.

    ``sums``: the units' sums over the batch (``unit_sums(a)``), given only
    for an ``a`` with no negative values (a ReLU's output): then a unit is
    dead exactly when its sum is 0, which a matrix-vector product finds about
    three times faster than testing every element.
    """
    if a.ndim == 0 or a.size == 0:
        return math.nan
    if sums is not None:
        return 1.0 - np.count_nonzero(sums) / sums.size    # NaN counts as alive
    alive = a.reshape(a.shape[0], -1).any(axis=0)
    return 1.0 - np.count_nonzero(alive) / alive.size
