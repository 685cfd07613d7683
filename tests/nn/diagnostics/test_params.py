"""ParamStats: per-parameter statistics computed for all parameters at once,
against the same statistics taken one parameter at a time."""
import math

import numpy as np
import pytest

import autograd_core as ag
from nn.diagnostics import stats
from nn.diagnostics.params import ParamStats


def param(values, grad=None):
    t = ag.tensor(np.asarray(values), requires_grad=True)
    if grad is not None:
        t.grad = ag.tensor(np.asarray(grad, dtype=t.dtype))
    return t


def expected(before, t, k):
    """(grad_norm, grad_std, update_std, param_std) taken directly."""
    x = t.data.reshape(-1)
    xs, bs = stats.sample(x, k), stats.sample(before.reshape(-1), k)
    g = None if t.grad is None else t.grad.data.reshape(-1)
    return (None if g is None else float(np.linalg.norm(g)),
            None if g is None else float(np.std(stats.sample(g, k))),
            float(np.std(xs - bs)), float(np.std(xs)))


def step(ps, params, update):
    """Snapshot, change every parameter by update(i), compute."""
    ps.snapshot()
    before = [t.data.copy() for t in params]
    with ag.no_grad():
        for i, t in enumerate(params):
            t.add_(update(i, t))
    return before, ps.compute()


@pytest.mark.parametrize("k", [64, None])
def test_matches_one_parameter_at_a_time(k):
    rng = np.random.default_rng(0)
    # Sizes: small (whole), a multiple of 16 (sampled by runs), 1000 (not a
    # multiple of 16: sampled at single positions), and one without a gradient.
    params = [param(rng.standard_normal(5).astype(np.float32), rng.standard_normal(5)),
              param(rng.standard_normal((16, 32)).astype(np.float32),
                    rng.standard_normal((16, 32))),
              param(rng.standard_normal(1000).astype(np.float32), rng.standard_normal(1000)),
              param(rng.standard_normal(300).astype(np.float32)),
              # Large enough to be summarised alone when not sampled.
              param(rng.standard_normal((100, 100)).astype(np.float32),
                    rng.standard_normal((100, 100)))]
    ps = ParamStats(params, k)
    before, got = step(ps, params, lambda i, t: 0.01 * rng.standard_normal(t.shape)
                       .astype(np.float32))
    # Twice: the second step's update is measured from the values kept.
    before, got = step(ps, params, lambda i, t: 0.01 * rng.standard_normal(t.shape)
                       .astype(np.float32))
    for t, b in zip(params, before):
        want = expected(b, t, k)
        for g, w in zip(got[id(t)], want):
            assert (g is None) == (w is None)
            if w is not None:
                assert g == pytest.approx(w, rel=1e-4)


def test_mixed_dtypes_use_float64():
    a = param(np.arange(6.0), np.ones(6))                         # float64
    b = param(np.arange(4, dtype=np.float32), np.ones(4))
    ps = ParamStats([a, b], 1024)
    _, got = step(ps, [a, b], lambda i, t: np.full(t.shape, 0.5 * (i + 1), t.dtype)
                  + (np.arange(t.size) % 2).astype(t.dtype))
    assert got[id(a)][3] == pytest.approx(np.std(a.data), rel=1e-12)
    assert got[id(a)][2] == pytest.approx(0.5, rel=1e-12)          # update: 0.5 + {0, 1}
    assert got[id(b)][2] == pytest.approx(0.5, rel=1e-6)


def test_empty_parameter_and_no_snapshot():
    empty = param(np.zeros((0, 3)), np.zeros((0, 3)))
    full = param(np.arange(3.0), np.ones(3))
    ps = ParamStats([empty, full], 1024)
    got = ps.compute()                                    # no snapshot this step
    assert got[id(empty)][0] == 0.0 and math.isnan(got[id(empty)][1])
    assert got[id(full)][2] is None                       # update unknown
    assert got[id(full)][0] == pytest.approx(math.sqrt(3))


def test_large_mean_small_spread_is_exact():
    # float32 values near 1000 with a spread of 1e-3: E[x^2] - E[x]^2 would
    # keep no digit; the segment is summed again, centred.
    x = (1000 + 1e-3 * np.random.default_rng(1).standard_normal(512)).astype(np.float32)
    t = param(x, np.ones(512))
    ps = ParamStats([t], 1024)
    ps.snapshot()
    got = ps.compute()
    assert got[id(t)][3] == pytest.approx(np.std(x.astype(np.float64)), rel=1e-3)


def test_values_reused_unless_written_between_steps():
    t = param(np.arange(32.0), np.ones(32))
    ps = ParamStats([t], 1024)
    step(ps, [t], lambda i, t: np.ones(32))               # values 1..32 kept
    # A write between the step and the next forward (e.g. a weight clip) is
    # seen through the version counter: the update is measured from it.
    with ag.no_grad():
        t.mul_(2.0)
    ps.snapshot()
    with ag.no_grad():
        t.add_(np.arange(32.0) % 2)                       # the step's update: {0, 1}
    got = ps.compute()
    assert got[id(t)][2] == pytest.approx(0.5)
    # Replacing the array (a new object of the same size) is seen too.
    t.data = np.zeros(32)
    ps.snapshot()
    with ag.no_grad():
        t.add_(np.arange(32.0) % 2)
    assert ps.compute()[id(t)][2] == pytest.approx(0.5)


def test_size_change_redoes_the_layout():
    t = param(np.arange(8.0), np.ones(8))
    ps = ParamStats([t], 1024)
    ps.snapshot()
    t.data = np.arange(20.0)
    t.grad = ag.tensor(np.ones(20))
    ps.snapshot()
    got = ps.compute()
    assert got[id(t)][3] == pytest.approx(np.std(np.arange(20.0)))
    assert got[id(t)][0] == pytest.approx(math.sqrt(20))
