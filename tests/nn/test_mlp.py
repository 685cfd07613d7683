"""MLP: structure, keys, options, seeding, and deep combinations that must train."""
import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F

X = ag.randn(16, 4, seed=0)
Y = np.random.default_rng(0).integers(0, 3, 16)


def test_structure_and_keys():
    model = nn.MLP([2, 8, 8, 3], seed=0)
    assert [type(m).__name__ for m in model.layers] == ["Linear", "ReLU", "Linear", "ReLU",
                                                        "Linear"]
    assert list(model.state_dict()) == ["layers.0.weight", "layers.0.bias", "layers.2.weight",
                                        "layers.2.bias", "layers.4.weight", "layers.4.bias"]
    assert repr(model).startswith("MLP(\n  (layers): Sequential(\n    (0): Linear(in_features=2")
    assert model(ag.ones(5, 2)).shape == (5, 3)


def test_norm_dropout_and_residual_structure():
    model = nn.MLP([4, 8, 8, 8, 3], norm="layer", residual=True, dropout=0.1,
                   activation="tanh", seed=0)
    kinds = [type(m).__name__ for m in model.layers]
    assert kinds == ["Linear", "LayerNorm", "Tanh", "Dropout", "Residual", "Residual", "Linear"]
    block = model.layers[4].module
    assert [type(m).__name__ for m in block] == ["Linear", "LayerNorm", "Tanh", "Dropout"]
    assert "layers.4.module.0.weight" in model.state_dict()
    assert "layers.5.module.1.bias" in model.state_dict()
    bn = nn.MLP([4, 8, 3], norm="batch", seed=0)
    assert [type(m).__name__ for m in bn.layers] == ["Linear", "BatchNorm1d", "ReLU", "Linear"]
    assert "layers.1.running_var" in bn.state_dict()


@pytest.mark.parametrize("init, check", [
    ("he", lambda w, fan_in, fan_out: np.sqrt(2 / fan_in)),
    ("xavier", lambda w, fan_in, fan_out: np.sqrt(2 / (fan_in + fan_out))),
    ("normal", lambda w, fan_in, fan_out: 0.01),
    ("pytorch", lambda w, fan_in, fan_out: 1 / np.sqrt(3 * fan_in)),
])
def test_init_schemes(init, check):
    model = nn.MLP([300, 200, 10], init=init, seed=0)
    lin = model.layers[0]
    assert abs(lin.weight.data.std() - check(lin.weight, 300, 200)) < 0.03 * check(None, 300, 200)
    if init == "pytorch":
        assert np.any(lin.bias.data != 0)
    else:
        assert np.all(lin.bias.data == 0)


def test_custom_init_and_activation():
    def ones(w, rng):
        w.data[...] = 1.0
    model = nn.MLP([2, 3, 1], init=ones, activation=nn.Sigmoid, seed=0)
    assert np.all(model.layers[0].weight.data == 1) and isinstance(model.layers[1], nn.Sigmoid)


def test_seeding_is_bit_identical():
    a = nn.MLP([4, 16, 16, 3], norm="batch", dropout=0.2, seed=5)
    b = nn.MLP([4, 16, 16, 3], norm="batch", dropout=0.2, rng=np.random.default_rng(5))
    for (k, va), vb in zip(a.state_dict().items(), b.state_dict().values()):
        assert np.array_equal(va, vb), k
    assert np.array_equal(a(X).data, b(X).data)         # dropout masks seeded too
    c = nn.MLP([4, 16, 16, 3], norm="batch", dropout=0.2, seed=6)
    assert not np.array_equal(a.state_dict()["layers.0.weight"], c.state_dict()["layers.0.weight"])


def test_dtype_float64_and_gradcheck():
    model = nn.MLP([3, 4, 4, 2], activation="tanh", norm="layer", residual=True,
                   dtype=np.float64, seed=0)
    assert all(p.dtype == np.float64 for p in model.parameters())
    x = ag.randn(3, 3, seed=1, dtype=np.float64, requires_grad=True)
    params = list(model.parameters())
    assert ag.gradcheck(lambda x, *ps: model(x), (x, *params))


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu", "gelu",
                                        "identity"])
@pytest.mark.parametrize("norm", [None, "batch", "layer"])
@pytest.mark.parametrize("residual", [False, True])
def test_deep_combinations_run_with_finite_gradients(activation, norm, residual):
    model = nn.MLP([4] + [16] * 10 + [3], activation=activation, norm=norm, residual=residual,
                   init="he", seed=0)
    loss = F.cross_entropy(model(X), Y)
    loss.backward()
    assert np.isfinite(loss.item())
    grads = [p.grad for p in model.parameters()]
    assert all(g is not None and np.all(np.isfinite(g.data)) for g in grads)
    model.eval()
    assert np.all(np.isfinite(model(X).data))


def test_deep_sigmoid_with_small_init_has_vanishing_gradients():
    # the demo's premise: the first layer's gradient is orders of magnitude below the last's
    def first_last(**kw):
        model = nn.MLP([4] + [32] * 10 + [3], seed=0, **kw)
        F.cross_entropy(model(X), Y).backward()
        linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
        return (np.abs(linears[0].weight.grad.data).mean(),
                np.abs(linears[-1].weight.grad.data).mean())
    first, last = first_last(activation="sigmoid", init="normal")
    assert first < 1e-6 * last
    first, last = first_last(activation="relu", init="he", norm="batch", residual=True)
    assert first > 1e-2 * last


def test_bad_arguments():
    with pytest.raises(ValueError, match="at least 2 positive widths"):
        nn.MLP([3])
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        nn.MLP([2, 2], activation="swish")
    with pytest.raises(ValueError, match="norm must be"):
        nn.MLP([2, 2], norm="group")
    with pytest.raises(ValueError, match="init must be"):
        nn.MLP([2, 2], init="lecun")
    with pytest.raises(ValueError, match="dropout"):
        nn.MLP([2, 2], dropout=1.0)


def test_training_reduces_loss():
    model = nn.MLP([4, 16, 3], seed=0)
    first = None
    for _ in range(30):
        model.zero_grad()
        loss = F.cross_entropy(model(X), Y)
        loss.backward()
        first = first if first is not None else loss.item()
        with ag.no_grad():
            for p in model.parameters():
                p.data -= 0.5 * p.grad.data
    assert loss.item() < 0.5 * first
