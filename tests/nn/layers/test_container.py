"""Sequential and Residual."""
from collections import OrderedDict

import numpy as np
import pytest

import autograd_core as ag
import nn


def test_sequential_applies_in_order():
    seq = nn.Sequential(nn.Linear(2, 3, seed=0, dtype=np.float64), nn.Tanh(),
                        nn.Linear(3, 1, seed=1, dtype=np.float64))
    x = ag.randn(4, 2, seed=2, dtype=np.float64)
    w0, b0, w1, b1 = (p.data.astype(np.float64) for p in seq.parameters())
    ref = np.tanh(x.data @ w0.T + b0) @ w1.T + b1                 # the formula, in NumPy
    np.testing.assert_allclose(seq(x).data, ref, rtol=1e-12)
    swapped = nn.Sequential(seq[2], seq[1], seq[0])                # order matters
    with pytest.raises(ValueError, match="linear: input of shape"):
        swapped(x)


def test_sequential_indexing_len_iter_append():
    a, b, c = nn.ReLU(), nn.Tanh(), nn.Sigmoid()
    seq = nn.Sequential(a, b)
    assert len(seq) == 2 and list(seq) == [a, b]
    assert seq[0] is a and seq[-1] is b
    with pytest.raises(IndexError):
        seq[2]
    seq.append(c)
    assert seq[2] is c and [n for n, _ in seq.named_children()] == ["0", "1", "2"]
    part = seq[1:]
    assert isinstance(part, nn.Sequential) and list(part) == [b, c]
    assert [n for n, _ in part.named_children()] == ["1", "2"]      # names kept, as PyTorch
    seq[0] = nn.GELU()
    assert isinstance(seq[0], nn.GELU) and [n for n, _ in seq.named_children()] == ["0", "1", "2"]


def test_sequential_from_ordered_dict():
    seq = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert list(seq.state_dict()) == ["fc.weight", "fc.bias"]
    assert seq.fc is seq[0]


def test_residual_adds_input():
    lin = nn.Linear(3, 3, dtype=np.float64, seed=0)
    res = nn.Residual(lin)
    x = ag.randn(2, 3, seed=1, dtype=np.float64, requires_grad=True)
    np.testing.assert_allclose(res(x).data, x.data + lin(x).data)
    assert list(res.state_dict()) == ["module.weight", "module.bias"]
    assert ag.gradcheck(lambda x, w, b: res(x), (x, lin.weight, lin.bias))
    with pytest.raises(ValueError, match=r"Residual: .*\(2, 3\) to \(2, 4\)"):
        nn.Residual(nn.Linear(3, 4))(x)
    with pytest.raises(TypeError):
        nn.Residual(lambda x: x)
