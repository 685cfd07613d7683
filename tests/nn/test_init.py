"""nn.init: PyTorch's gains and fans, in-place fills, seeding."""
import math

import numpy as np
import pytest

import autograd_core as ag
import nn
from nn import init


def _p(*shape, dtype=np.float64):
    return nn.Parameter(np.zeros(shape, dtype))


def test_calculate_gain():
    assert init.calculate_gain("linear") == 1 and init.calculate_gain("sigmoid") == 1
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01 ** 2)))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="unsupported nonlinearity"):
        init.calculate_gain("swish")


def test_fills_are_in_place_and_return_the_tensor():
    p = _p(3, 2, dtype=np.float32)
    data = p.data
    assert init.ones_(p) is p and p.data is data and np.all(data == 1)
    assert init.zeros_(p) is p and np.all(data == 0)
    init.constant_(p, 2.5)
    assert np.all(data == 2.5) and p.dtype == np.float32
    t = ag.zeros(4)                                      # plain tensors work too
    init.uniform_(t, -1, 1, seed=0)
    assert np.all(np.abs(t.data) <= 1) and np.any(t.data != 0)
    with pytest.raises(TypeError, match="floating"):
        init.ones_(ag.tensor([1, 2]))


@pytest.mark.parametrize("fn, kwargs, std", [
    (init.xavier_uniform_, {}, math.sqrt(2 / (200 + 100))),
    (init.xavier_normal_, {"gain": 2.0}, 2 * math.sqrt(2 / (200 + 100))),
    (init.kaiming_uniform_, {}, math.sqrt(2 / 100)),
    (init.kaiming_normal_, {"nonlinearity": "relu"}, math.sqrt(2 / 100)),
    (init.kaiming_normal_, {"mode": "fan_out"}, math.sqrt(2 / 200)),
    (init.kaiming_uniform_, {"a": math.sqrt(5)}, 1 / math.sqrt(100) / math.sqrt(3)),
    (init.kaiming_normal_, {"nonlinearity": "tanh"}, 5 / 3 / math.sqrt(100)),
    (init.normal_, {"mean": 0.0, "std": 0.3}, 0.3),
])
def test_standard_deviations_follow_pytorchs_formulas(fn, kwargs, std):
    w = _p(200, 100)                                     # fan_in 100, fan_out 200
    fn(w, **kwargs, seed=0)
    assert abs(w.data.std() - std) < 0.02 * std
    assert abs(w.data.mean()) < 0.02 * std * 10


def test_uniform_bounds():
    w = _p(50, 30)
    init.xavier_uniform_(w, seed=1)
    bound = math.sqrt(6 / 80)
    assert np.abs(w.data).max() <= bound and np.abs(w.data).max() > 0.95 * bound
    init.kaiming_uniform_(w, a=math.sqrt(5), seed=1)
    assert np.abs(w.data).max() <= 1 / math.sqrt(30)


def test_fans_of_higher_rank_tensors():
    w = _p(8, 4, 3, 3)                                   # conv-like: receptive field 9
    init.kaiming_normal_(w, nonlinearity="relu", seed=0)
    assert abs(w.data.std() - math.sqrt(2 / 36)) < 0.1 * math.sqrt(2 / 36)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(_p(5))
    with pytest.raises(ValueError, match="mode must be"):
        init.kaiming_normal_(_p(2, 2), mode="fan_avg")


def test_seeding_and_rng():
    a, b = _p(4, 4), _p(4, 4)
    init.kaiming_normal_(a, seed=7)
    init.kaiming_normal_(b, rng=np.random.default_rng(7))
    assert np.array_equal(a.data, b.data)
    c = _p(4, 4, dtype=np.float32)
    init.kaiming_normal_(c, seed=7)
    np.testing.assert_allclose(c.data, a.data, rtol=1e-6)   # drawn in float64, then cast
    with pytest.raises(TypeError, match="Generator"):
        init.normal_(a, rng=np.random.RandomState(0))


@pytest.mark.parametrize("fill", [
    lambda w: init.zeros_(w), lambda w: init.ones_(w), lambda w: init.constant_(w, 0.5),
    lambda w: init.normal_(w, rng=np.random.default_rng(0)),
    lambda w: init.xavier_uniform_(w, rng=np.random.default_rng(0)),
])
def test_a_fill_bumps_the_version_so_an_old_graph_refuses_backward(fill):
    # As torch.nn.init: re-initialising a weight that a recorded graph saved makes that
    # graph's backward raise, rather than differentiate with the new values.
    w = nn.Parameter(np.full((2, 2), 3.0, np.float32))
    x = ag.tensor(np.ones((2, 2), np.float32), requires_grad=True)
    loss = (w * x).sum()
    version = w._version
    fill(w)
    assert w._version > version
    with pytest.raises(RuntimeError):
        loss.backward()
