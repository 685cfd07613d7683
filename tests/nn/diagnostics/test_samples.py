"""SpreadBatch: stds and percentiles of many samples computed together."""
import math

import numpy as np
import pytest

from nn.diagnostics import stats
from nn.diagnostics.samples import SpreadBatch

QS = (15.0, 50.0, 85.0, 98.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matches_one_array_at_a_time(dtype):
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal(5000).astype(dtype) * (i + 1) + i for i in range(40)]
    batch = SpreadBatch(QS, 256, std_at=0, pct_at=1)
    slots = [[None] * 5 for _ in xs]
    for x, s in zip(xs, slots):                   # 40 rows: the buffer grows
        batch.add(x, float(x.mean(dtype=np.float64)), s)
    batch.finish()
    for x, s in zip(xs, slots):
        sample = stats.sample(x, 256, stats.OUTPUT_RUN).astype(np.float64)
        assert s[0] == pytest.approx(np.sqrt(np.mean((sample - x.mean()) ** 2)), rel=1e-5)
        np.testing.assert_allclose(s[1:], stats.percentiles(x, QS, 256), rtol=1e-6)


def test_nan_in_the_sample_gives_nan_and_clear_forgets():
    x = np.ones(2000)
    x[stats.sample_indices(2000, 100, stats.OUTPUT_RUN)[3]] = np.nan
    batch = SpreadBatch(QS, 100, std_at=0, pct_at=1)
    slots = [None] * 5
    batch.add(x, 1.0, slots)
    batch.finish()
    assert all(math.isnan(v) for v in slots)
    other = [None] * 5
    batch.add(np.ones(2000), 1.0, other)
    batch.clear()
    batch.finish()
    assert other == [None] * 5


def test_std_estimates_are_within_their_stated_error():
    # The outputs of a Linear layer (units of one sample share its input, so
    # neighbours are alike): over 100 batches, the estimated std is unbiased
    # and within about 2% (one standard error) of the exact one.
    w = np.random.default_rng(0).standard_normal((100, 200)) / 10
    errors = []
    for seed in range(100):
        out = (np.random.default_rng(seed).standard_normal((64, 100)) @ w).reshape(-1)
        batch = SpreadBatch(QS, 1024, std_at=0, pct_at=1)
        slots = [None] * 5
        batch.add(out, out.mean(), slots)
        batch.finish()
        errors.append(slots[0] / out.std() - 1)
    assert abs(np.mean(errors)) < 0.01
    assert np.std(errors) < 0.03
