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

__all__ = ["flat", "total", "moments", "spread_about_sampled_mean", "percentiles", "sample",
           "sample_into", "interpolation", "sample_indices", "sample_rows", "RUN", "OUTPUT_RUN",
           "histogram", "saturated_fraction", "unit_sums", "dead_fraction"]

_ONES: dict = {}
_SAMPLES: dict = {}
_INTERP: dict = {}
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


def total(a):
    """The sum of the float array ``a`` as a Python float, in one BLAS pass.

    An array with a batch axis is summed as ``ones(batch) @ a`` (per-unit sums,
    ``unit_sums``), then over the units: the vector of ones is then short and
    stays in the cache, where a dot product with a ones vector as long as ``a``
    reads twice the memory, half of it usually evicted by the training step.
    """
    if a.size == 0:
        return 0.0
    if a.ndim >= 2 and a.shape[0] > 1:
        return float(unit_sums(a).sum())
    x = flat(a)
    return float(np.dot(x, _ones(x.size, x.dtype)))


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


def spread_about_sampled_mean(x, sample_size):
    """``(std, sum of squares)`` of the 1-D float array ``x``: the sum of squares
    exact (one pass, which also sees any NaN or inf), the std from it and the
    mean of a sample of ``sample_size`` elements (``sample``, in runs of
    ``OUTPUT_RUN``): var = E[x^2] - mean^2.

    Made for gradients, whose mean is small against their spread: the
    variance's relative error is about 2 |mean| / (std sqrt(k)) + 1 / k (one
    standard error), under 1% for a mean below a tenth of the std and k =
    1024, and 0.1% for a mean near 0. When the mean is not small (the estimate
    would keep fewer than about three digits), or ``x`` is no larger than the
    sample, the std is exact
    (``moments``).
    """
    n = x.size
    if sample_size is None or n <= sample_size:
        _, std, sq = moments(x)
        return std, sq
    sq = float(np.dot(x, x))
    s = sample(x, sample_size, OUTPUT_RUN)
    m = float(np.dot(s, _ones(s.size, s.dtype))) / s.size
    mean_sq = sq / n
    var = mean_sq - m * m
    if not var > 0.1 * mean_sq:             # a large mean, NaN or inf: exact
        _, std, sq = moments(x)
        return std, sq
    return math.sqrt(var), sq


RUN = 16            # elements per sampled run of a parameter: a 64-byte cache line of float32
OUTPUT_RUN = 4      # and of a layer output, or its gradient


def sample_indices(n, k, run=RUN):
    """A fixed random subset of ``k`` of the positions ``0..n-1``, sorted (cached).

    Drawn as ``k / run`` runs of ``run`` consecutive positions at random
    places, so that reading the subset touches about ``k / run`` cache lines
    instead of ``k`` (or nearly all of a large array): the gather is bound by
    the number of lines it touches. Neighbours are often alike (units of one
    sample, weights of one unit), so the longer the runs, the less precise the
    estimates; ``run=1`` gives ``k`` independent positions. Parameters use
    runs of 16 (one line of float32: they are out of the cache when summarised,
    after the optimizer's step), layer outputs and their gradients runs of 4
    (nearly as precise as single positions, at a quarter of the lines). Seeded
    by ``n``, ``k`` and ``run``, so a layer's statistics follow the same
    elements from step to step and their curves over training do not jitter
    from resampling.
    """
    return _sampler(n, k, run)[0]


def _sampler(n, k, run=RUN):
    """``(positions, rows)``: ``rows`` the indices of the ``run``-element rows of
    ``x.reshape(-1, run)`` that hold exactly ``positions``, or None when the
    positions are not whole rows (then they are gathered one by one)."""
    found = _SAMPLES.get((n, k, run))
    if found is not None:
        return found

    def make():
        rng = np.random.default_rng([n, k, run])
        n_runs = n // run
        rows = None
        if n_runs * run < k:               # too short for whole runs: plain positions
            idx = rng.choice(n, size=k, replace=False)
        else:
            starts = np.sort(rng.choice(n_runs, size=k // run, replace=False))
            idx = (starts[:, None] * run + np.arange(run)).reshape(-1)
            if idx.size < k:               # k not a multiple of run: top up
                rest = np.setdiff1d(np.arange(n), idx)
                idx = np.concatenate([idx, rng.choice(rest, size=k - idx.size,
                                                      replace=False)])
            elif n % run == 0:
                rows = starts
        idx.sort()
        return idx, rows
    return _cached(_SAMPLES, (n, k, run), make)


def sample_rows(n, k, run=RUN):
    """For ``sample_indices(n, k, run)``: the indices of the ``run``-element rows
    of ``x.reshape(-1, run)`` that hold exactly those positions, or None when
    they are not whole rows."""
    return _sampler(n, k, run)[1]


def sample(x, sample_size, run=RUN):
    """``x`` itself when it has at most ``sample_size`` elements (or ``sample_size``
    is None), else a copy of its values at ``sample_indices(x.size,
    sample_size, run)``."""
    n = x.size
    if sample_size is None or n <= sample_size:
        return x
    idx, rows = _sampler(n, sample_size, run)
    if rows is not None:
        # Whole rows: a gather of k / run short rows, faster than k positions.
        # (The method: np.take's Python wrapper costs as much as the gather.)
        return x.reshape(-1, run).take(rows, axis=0).reshape(-1)
    return x.take(idx)


def sample_into(x, sample_size, out, run=RUN):
    """Write ``sample(x, sample_size, run)`` into ``out`` (1-D, of that length;
    any float dtype) without a temporary array when the dtypes agree."""
    n = x.size
    if sample_size is None or n <= sample_size:
        np.copyto(out, x)
        return
    idx, rows = _sampler(n, sample_size, run)
    if rows is not None and out.dtype == x.dtype:
        x.reshape(-1, run).take(rows, axis=0, out=out.reshape(-1, run))
    elif rows is not None:
        np.copyto(out.reshape(-1, run), x.reshape(-1, run)[rows])
    elif out.dtype == x.dtype:
        x.take(idx, out=out)
    else:
        np.copyto(out, x[idx])


def interpolation(n, qs):
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
    estimated from a fixed random subset (``sample_indices(..., OUTPUT_RUN)``) of
    ``sample_size`` elements: for 1024 elements the standard error of an
    estimated quantile is at most 0.016 in probability (sqrt(p (1 - p) / n)),
    plenty for curves over training. An ``x`` holding NaN gives NaN
    everywhere (as ``np.percentile``). ``x`` is not modified.
    """
    n = x.size
    if n == 0:
        return [math.nan] * len(qs)
    s = sample(x, sample_size, OUTPUT_RUN)
    s = s.copy() if s is x else s            # sorted in place: never x itself
    s.sort()
    if s[-1] != s[-1]:                       # NaN (sort puts it last)
        return [math.nan] * len(qs)
    ranks, weights = interpolation(s.size, qs)
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
