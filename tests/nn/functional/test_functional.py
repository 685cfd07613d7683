"""linear, dropout, batch_norm, layer_norm, embedding, one_hot and the activations."""
import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F

RNG = np.random.default_rng(0)


def test_linear():
    x, w, b = RNG.standard_normal((3, 4)), RNG.standard_normal((2, 4)), RNG.standard_normal(2)
    np.testing.assert_allclose(F.linear(x, ag.tensor(w), ag.tensor(b)).data, x @ w.T + b)
    np.testing.assert_allclose(F.linear(x, ag.tensor(w)).data, x @ w.T)
    with pytest.raises(ValueError, match=r"bias must have shape \(2,\)"):
        F.linear(x, ag.tensor(w), ag.tensor(np.ones(3)))
    with pytest.raises(ValueError, match="weight must be 2-D"):
        F.linear(x, ag.tensor(np.ones(4)))


def test_dropout_function():
    x = ag.ones(100, 100)
    assert F.dropout(x, 0.5, training=False) is x
    out = F.dropout(x, 0.5, rng=np.random.default_rng(0)).data
    assert set(np.unique(out)) == {0.0, 2.0}
    with pytest.raises(ValueError):
        F.dropout(x, -0.1)


def test_batch_norm_function_updates_array_stats_in_place():
    x = RNG.standard_normal((6, 2))
    rm, rv = np.zeros(2), np.ones(2)
    out = F.batch_norm(x, rm, rv, training=True, momentum=0.5)
    np.testing.assert_allclose(out.data, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5))
    np.testing.assert_allclose(rm, 0.5 * x.mean(0))
    np.testing.assert_allclose(rv, 0.5 + 0.5 * x.var(0, ddof=1))
    out = F.batch_norm(x, rm, rv)                          # training=False: running stats
    np.testing.assert_allclose(out.data, (x - rm) / np.sqrt(rv + 1e-5))
    with pytest.raises(ValueError, match=r"running_mean must have shape \(2,\)"):
        F.batch_norm(x, np.zeros(3), rv)
    with pytest.raises(ValueError, match="batch and a channel axis"):
        F.batch_norm(np.ones(3), None, None)


def test_batch_norm_second_order():
    x = ag.tensor(RNG.standard_normal((4, 2)), requires_grad=True)
    w = ag.tensor([1.5, -0.5], dtype=np.float64, requires_grad=True)
    assert ag.gradgradcheck(lambda x, w: F.batch_norm(x, None, None, w, training=True), (x, w))


def test_layer_norm_function():
    x = RNG.standard_normal((3, 4))
    ref = (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(F.layer_norm(x, 4).data, ref)
    np.testing.assert_allclose(
        F.layer_norm(x, (4,), eps=0.1).data,
        (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + 0.1))
    with pytest.raises(ValueError, match=r"weight must have shape \(4,\)"):
        F.layer_norm(x, 4, weight=ag.ones(3))


def test_embedding_and_one_hot():
    w = ag.tensor(np.arange(6.0).reshape(3, 2))
    np.testing.assert_array_equal(F.embedding(np.array([2, 0]), w).data, [[4, 5], [0, 1]])
    oh = F.one_hot(np.array([0, 2, 1]))
    assert oh.dtype == np.int64 and oh.shape == (3, 3)
    np.testing.assert_array_equal(oh.data, np.eye(3)[[0, 2, 1]])
    oh = F.one_hot(ag.tensor([[1], [0]]), num_classes=4, dtype=np.float32)
    assert oh.shape == (2, 1, 4) and oh.dtype == np.float32
    with pytest.raises(ValueError, match="class 5 is out of range for num_classes=3"):
        F.one_hot(np.array([5]), 3)
    with pytest.raises(TypeError, match="one_hot: indices must be integers"):
        F.one_hot(np.array([0.5]))


@pytest.mark.parametrize("fn, ref", [
    (F.relu, lambda x: np.maximum(x, 0)),
    (F.sigmoid, lambda x: 1 / (1 + np.exp(-x))),
    (F.tanh, np.tanh),
    (lambda x: F.leaky_relu(x, 0.1), lambda x: np.where(x > 0, x, 0.1 * x)),
    (F.softplus, lambda x: np.log1p(np.exp(x))),
    (lambda x: F.softmax(x, axis=0), lambda x: np.exp(x) / np.exp(x).sum(0)),
    (F.log_softmax, lambda x: x - np.log(np.exp(x).sum(-1, keepdims=True))),
])
def test_activations_accept_arrays(fn, ref):
    x = RNG.standard_normal((3, 2))
    np.testing.assert_allclose(fn(x).data, ref(x), rtol=1e-10)
