"""The summary statistics behind the monitor, against NumPy's own."""
import math

import numpy as np
import pytest

from nn.diagnostics import stats

QS = (15.0, 50.0, 85.0, 98.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_moments_match_numpy(dtype):
    x = np.random.default_rng(0).standard_normal(1000).astype(dtype) * 3 + 0.5
    mean, std, sq = stats.moments(x)
    x64 = x.astype(np.float64)
    assert mean == pytest.approx(x64.mean(), rel=1e-5)
    assert std == pytest.approx(x64.std(), rel=1e-5)
    assert sq == pytest.approx((x64 ** 2).sum(), rel=1e-5)


def test_moments_keep_digits_when_the_mean_dwarfs_the_spread():
    # Sigmoid outputs pressed against 1: E[x^2] - E[x]^2 alone would lose every digit.
    x = (1 - np.random.default_rng(1).uniform(0, 1e-4, 5000)).astype(np.float32)
    _, std, _ = stats.moments(x)
    assert std == pytest.approx(x.astype(np.float64).std(), rel=1e-3)


def test_moments_with_a_known_total():
    x = np.random.default_rng(3).standard_normal(100) + 2
    assert stats.moments(x, float(x.sum())) == pytest.approx(stats.moments(x))


def test_moments_of_special_arrays():
    assert stats.moments(np.zeros(7)) == (0.0, 0.0, 0.0)
    m, s, _ = stats.moments(np.array([1.0, np.nan]))
    assert math.isnan(m) and math.isnan(s)
    m, s, sq = stats.moments(np.zeros(0))
    assert math.isnan(m) and math.isnan(s) and sq == 0.0


def test_flat_converts_other_dtypes():
    assert stats.flat(np.ones((2, 3), np.float16)).dtype == np.float64
    x = np.ones((2, 3), np.float32)
    assert stats.flat(x).base is x            # a view, no copy


@pytest.mark.parametrize("n", [1, 2, 7, 100, 1001])
def test_exact_percentiles_match_numpy(n):
    x = np.random.default_rng(n).standard_normal(n).astype(np.float32)
    copy = x.copy()
    got = stats.percentiles(x, QS)
    np.testing.assert_allclose(got, np.percentile(x.astype(np.float64), QS), rtol=1e-6,
                               atol=1e-7)
    np.testing.assert_array_equal(x, copy)                  # input left unsorted


def test_sampled_percentiles_are_close_and_repeatable():
    x = np.random.default_rng(2).standard_normal(100_000)
    got = stats.percentiles(x, QS, sample_size=4096)
    # Within 0.015 in probability of the true quantiles.
    true_lo = np.percentile(x, np.array(QS) - 1.5)
    true_hi = np.percentile(x, np.minimum(np.array(QS) + 1.5, 100))
    assert np.all((true_lo <= got) & (got <= true_hi))
    assert got == stats.percentiles(x, QS, sample_size=4096)


def test_percentiles_of_special_values():
    assert np.isnan(stats.percentiles(np.array([1.0, np.nan, 3.0]), QS)).all()
    assert np.isnan(stats.percentiles(np.zeros(0), QS)).all()
    infinite = stats.percentiles(np.array([0.0] * 7 + [np.inf] * 2), QS)
    assert infinite[0] == 0.0 and infinite[-1] == np.inf


def test_sample_indices():
    idx = stats.sample_indices(10_000, 4096)
    assert idx.size == 4096 and np.all(np.diff(idx) > 0)
    assert idx[0] >= 0 and idx[-1] < 10_000
    np.testing.assert_array_equal(idx, stats.sample_indices(10_000, 4096))
    odd = stats.sample_indices(1000, 50)          # not a multiple of the run length
    assert odd.size == 50 and np.unique(odd).size == 50
    tiny = stats.sample_indices(20, 18)           # fewer whole runs than asked for
    assert tiny.size == 18 and np.unique(tiny).size == 18


@pytest.mark.parametrize("n, k", [(65536, 4096), (10_000, 4096), (10_007, 4096),
                                  (1000, 50), (20, 18)])
def test_sample_takes_the_sampled_positions(n, k):
    x = np.random.default_rng(0).standard_normal(n)
    np.testing.assert_array_equal(stats.sample(x, k), x[stats.sample_indices(n, k)])


def test_sample_returns_small_arrays_whole():
    x = np.arange(10.0)
    assert stats.sample(x, 100) is x
    assert stats.sample(x, None) is x


def test_saturated_and_dead_fractions():
    sig = np.array([0.0, 0.02, 0.5, 0.96, 0.98, 1.0])
    assert stats.saturated_fraction(sig, "sigmoid") == pytest.approx(4 / 6)
    tanh = np.array([-0.99, -0.5, 0.0, 0.97, 0.975])
    assert stats.saturated_fraction(tanh, "tanh") == pytest.approx(2 / 5)
    relu = np.array([[1.0, 0.0, 0.0, 2.0], [0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 3.0, 0.0]])
    assert stats.dead_fraction(relu) == pytest.approx(1 / 4)
    relu32 = relu.astype(np.float32)
    assert stats.dead_fraction(relu32, stats.unit_sums(relu32)) == pytest.approx(1 / 4)
    images = np.zeros((2, 3, 4, 4))                 # units: every (channel, row, column)
    images[1, 0, 0, 0] = 1.0
    assert stats.dead_fraction(images, stats.unit_sums(images)) == pytest.approx(47 / 48)
    np.testing.assert_array_equal(stats.unit_sums(relu), relu.sum(axis=0))
    assert stats.unit_sums(np.float64(1.0)) is None


def test_histogram_drops_non_finite_values_when_told():
    counts, edges = stats.histogram(np.array([0.0, 1.0, np.inf, np.nan]), 4, finite=False)
    assert counts.sum() == 2 and edges.size == 5


def test_spread_about_sampled_mean():
    rng = np.random.default_rng(4)
    # A gradient's mean is small against its spread: the std is within 1% (2%
    # with a mean of 0.05 std), which allows up to 4 standard errors of the
    # sampled mean.
    errors = []
    for shift in (0.0, 0.05):
        for _ in range(20):
            g = rng.standard_normal(100_000).astype(np.float32) + shift
            std, sq = stats.spread_about_sampled_mean(g, 1024)
            assert sq == pytest.approx(float(np.dot(g.astype(np.float64), g)), rel=1e-5)
            errors.append(abs(std / g.std(dtype=np.float64) - 1))
        assert max(errors) < (1e-2 if shift == 0 else 2e-2)
    # A mean large against the spread: exact instead.
    h = rng.standard_normal(100_000) * 1e-3 + 5.0
    std, _ = stats.spread_about_sampled_mean(h, 1024)
    assert std == pytest.approx(h.std(), rel=1e-6)
    # Small arrays and sample_size=None: exact.
    assert stats.spread_about_sampled_mean(g[:500], 1024)[0] == pytest.approx(
        g[:500].std(dtype=np.float64), rel=1e-5)
    assert math.isnan(stats.spread_about_sampled_mean(np.array([np.nan] * 2000), 1024)[0])


def test_total_of_batched_and_flat_arrays():
    a = np.arange(24, dtype=np.float32).reshape(4, 6)
    assert stats.total(a) == 276.0
    assert stats.total(a.reshape(-1)) == 276.0
    assert stats.total(np.zeros((0, 3))) == 0.0
