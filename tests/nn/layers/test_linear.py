"""Linear and Identity: formula, PyTorch's default init, seeding, dtype, gradients."""
import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F


def test_forward_matches_numpy_and_shapes():
    lin = nn.Linear(3, 2, seed=0)
    assert lin.weight.shape == (2, 3) and lin.bias.shape == (2,)
    x = np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32)
    out = lin(ag.tensor(x))
    assert out.shape == (4, 2) and out.dtype == np.float32
    np.testing.assert_allclose(out.data, x @ lin.weight.data.T + lin.bias.data, rtol=1e-6)
    # leading batch axes pass through
    assert lin(ag.ones(5, 6, 3)).shape == (5, 6, 2)


def test_no_bias():
    lin = nn.Linear(3, 2, bias=False, seed=0)
    assert lin.bias is None and [n for n, _ in lin.named_parameters()] == ["weight"]
    x = np.ones((1, 3), np.float32)
    np.testing.assert_allclose(lin(x).data, x @ lin.weight.data.T, rtol=1e-6)


def test_default_init_is_pytorchs_uniform_bound():
    lin = nn.Linear(400, 300, seed=0)
    bound = 1 / np.sqrt(400)
    for p in (lin.weight, lin.bias):
        assert p.data.min() >= -bound and p.data.max() <= bound
    # a uniform distribution on [-b, b] has std b / sqrt(3)
    assert abs(lin.weight.data.std() - bound / np.sqrt(3)) < 0.02 * bound
    assert lin.weight.data.max() > 0.95 * bound


def test_seeding_is_bit_identical_and_rng_works():
    a, b = nn.Linear(5, 4, seed=3), nn.Linear(5, 4, seed=3)
    assert np.array_equal(a.weight.data, b.weight.data) and np.array_equal(a.bias.data, b.bias.data)
    c = nn.Linear(5, 4, seed=4)
    assert not np.array_equal(a.weight.data, c.weight.data)
    d = nn.Linear(5, 4, rng=np.random.default_rng(3))
    assert np.array_equal(a.weight.data, d.weight.data)
    with pytest.raises(ValueError, match="not both"):
        nn.Linear(2, 2, rng=np.random.default_rng(0), seed=1)


def test_dtype_float64_matches_float32_values():
    a = nn.Linear(3, 3, seed=0)
    b = nn.Linear(3, 3, dtype=np.float64, seed=0)
    assert b.weight.dtype == np.float64 and b.bias.dtype == np.float64
    np.testing.assert_allclose(a.weight.data, b.weight.data, rtol=1e-6)
    # array inputs take the layer's dtype
    assert b(np.ones((1, 3), np.float32)).dtype == np.float64
    assert a(np.ones((1, 3))).dtype == np.float32
    with pytest.raises(TypeError, match="floating"):
        nn.Linear(2, 2, dtype=np.int32)


def test_gradcheck_input_weight_and_bias():
    lin = nn.Linear(3, 2, dtype=np.float64, seed=0)
    x = ag.randn(4, 3, seed=1, dtype=np.float64, requires_grad=True)
    assert ag.gradcheck(lambda x, w, b: lin(x), (x, lin.weight, lin.bias))


@pytest.mark.parametrize("x_shape", [(4, 3), (2, 2, 3), (3,)])
def test_second_order_gradients(x_shape):
    # the backward takes an array-only fast path unless it is being recorded
    lin = nn.Linear(3, 2, dtype=np.float64, seed=0)
    x = ag.randn(*x_shape, seed=1, dtype=np.float64, requires_grad=True)
    assert ag.gradcheck(lambda x, w, b: lin(x), (x, lin.weight, lin.bias))
    assert ag.gradgradcheck(lambda x, w, b: ag.tanh(lin(x)), (x, lin.weight, lin.bias))
    loss = (lin(x) ** 2).sum()
    gw = ag.grad(lambda w: (F.linear(x, w, lin.bias) ** 2).sum())(lin.weight)
    hess = ag.hessian(lambda w: (F.linear(x.detach(), w) ** 2).sum())(lin.weight)
    xs = x.data.reshape(-1, 3)
    # d2/dW2 of sum((x W^T)^2) = 2 * kron(I_out, X^T X)
    np.testing.assert_allclose(hess.data.reshape(6, 6), 2 * np.kron(np.eye(2), xs.T @ xs),
                               rtol=1e-10, atol=1e-12)
    loss.backward()
    np.testing.assert_allclose(lin.weight.grad.data, gw.data, rtol=1e-12)


def test_wrong_input_width_is_a_clear_error():
    with pytest.raises(ValueError,
                       match=r"linear: input of shape \(4, 5\).*\(2, 3\).*in_features=3"):
        nn.Linear(3, 2)(ag.ones(4, 5))


def test_reset_parameters_redraws():
    lin = nn.Linear(3, 2, seed=0)
    w = lin.weight.data.copy()
    lin.reset_parameters(seed=0)
    assert np.array_equal(lin.weight.data, w)
    lin.reset_parameters(seed=1)
    assert not np.array_equal(lin.weight.data, w)


def test_identity():
    x = ag.ones(2, 2)
    assert nn.Identity()(x) is x
    assert nn.Identity(54, unused="x")(x) is x and repr(nn.Identity()) == "Identity()"
