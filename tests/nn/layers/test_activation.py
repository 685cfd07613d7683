"""Activation layers against NumPy formulas, with gradients checked in float64."""
import math

import numpy as np
import pytest

import autograd_core as ag
import nn

X = np.array([[-3.0, -0.5, 0.0], [0.25, 1.0, 4.0]])
_erf = np.vectorize(math.erf)


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


CASES = [
    (nn.ReLU(), lambda x: np.maximum(x, 0)),
    (nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
    (nn.Tanh(), np.tanh),
    (nn.LeakyReLU(), lambda x: np.where(x > 0, x, 0.01 * x)),
    (nn.LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    (nn.GELU(), lambda x: 0.5 * x * (1 + _erf(x / np.sqrt(2)))),
    (nn.GELU("tanh"),
     lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))),
    (nn.Softmax(), lambda x: _softmax(x, -1)),
    (nn.Softmax(axis=0), lambda x: _softmax(x, 0)),
    (nn.LogSoftmax(), lambda x: np.log(_softmax(x, -1))),
]


@pytest.mark.parametrize("layer, ref", CASES, ids=[repr(c[0]) for c in CASES])
def test_forward_matches_numpy(layer, ref):
    np.testing.assert_allclose(layer(ag.tensor(X)).data, ref(X), rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize("layer, ref", CASES, ids=[repr(c[0]) for c in CASES])
def test_gradcheck(layer, ref):
    # away from the kinks at 0
    x = ag.tensor(X + 0.1, requires_grad=True)
    assert ag.gradcheck(layer, (x,))


def test_reprs():
    assert repr(nn.LeakyReLU()) == "LeakyReLU(negative_slope=0.01)"
    assert repr(nn.GELU()) == "GELU(approximate='none')"
    assert repr(nn.Softmax()) == "Softmax(axis=-1)"
    with pytest.raises(ValueError):
        nn.GELU("fast")


def test_activations_keep_float32():
    x = ag.ones(2, 2)
    for layer, _ in CASES:
        assert layer(x).dtype == np.float32
