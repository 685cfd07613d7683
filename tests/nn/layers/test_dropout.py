"""Dropout: inverted scaling in training, identity in evaluation, seeded masks."""
import numpy as np
import pytest

import autograd_core as ag
import nn


def test_training_zeroes_and_scales():
    d = nn.Dropout(0.25, seed=0)
    x = ag.ones(200, 50)
    out = d(x).data
    kept = out != 0
    assert np.allclose(out[kept], 1 / 0.75)
    assert abs(kept.mean() - 0.75) < 0.02


def test_eval_is_identity():
    d = nn.Dropout(0.5, seed=0).eval()
    x = ag.randn(4, 4, seed=0)
    assert d(x) is x


def test_seeded_masks_repeat_and_advance():
    a, b = nn.Dropout(0.5, seed=1), nn.Dropout(0.5, seed=1)
    x = ag.ones(10, 10)
    m1, m2 = a(x).data, b(x).data
    assert np.array_equal(m1, m2)
    assert not np.array_equal(a(x).data, m1)           # the next call draws a new mask
    c = nn.Dropout(0.5, rng=np.random.default_rng(1))
    assert np.array_equal(c(x).data, m1)


def test_gradient_is_the_mask():
    d = nn.Dropout(0.5, seed=2)
    x = ag.ones(6, 6, requires_grad=True, dtype=np.float64)
    out = d(x)
    out.sum().backward()
    assert np.array_equal(x.grad.data, out.data)


def test_edge_probabilities():
    x = ag.ones(3, 3)
    assert nn.Dropout(0.0)(x) is x
    assert np.all(nn.Dropout(1.0)(x).data == 0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        nn.Dropout(1.5)
    assert repr(nn.Dropout(0.3)) == "Dropout(p=0.3)"


def test_gradcheck_with_a_fixed_mask():
    # a fresh, identically seeded layer per call draws the same mask every time
    x = ag.randn(4, 5, seed=0, dtype=np.float64, requires_grad=True)
    assert ag.gradcheck(lambda x: nn.Dropout(0.4, seed=3)(x), (x,))


def test_eval_mode_inside_a_model_is_deterministic_and_unscaled():
    model = nn.MLP([3, 16, 2], dropout=0.5, seed=0)
    x = ag.randn(8, 3, seed=1)
    assert not np.array_equal(model(x).data, model(x).data)      # training: masks vary
    model.eval()
    a, b = model(x).data, model(x).data
    assert np.array_equal(a, b)
    ref = np.maximum(x.data @ model.layers[0].weight.data.T + model.layers[0].bias.data, 0)
    ref = ref @ model.layers[3].weight.data.T + model.layers[3].bias.data
    np.testing.assert_allclose(a, ref, rtol=1e-5, atol=1e-6)
