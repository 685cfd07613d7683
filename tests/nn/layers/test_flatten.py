"""Flatten."""
import numpy as np

import autograd_core as ag
import nn


def test_flatten_keeps_the_batch_axis():
    x = ag.tensor(np.arange(24.0).reshape(2, 3, 4))
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0)(x).shape == (24,)
    assert nn.Flatten(1, 1)(x).shape == (2, 3, 4)
    np.testing.assert_array_equal(nn.Flatten()(x).data, x.data.reshape(2, 12))
    assert repr(nn.Flatten()) == "Flatten(start_axis=1, end_axis=-1)"


def test_flatten_gradient():
    x = ag.randn(2, 2, 2, seed=0, dtype=np.float64, requires_grad=True)
    assert ag.gradcheck(nn.Flatten(), (x,))
