"""The input dtype rule (nn/_checks.py, ``numeric_input``): a layer with floating
parameters computes in its own dtype. A float64 or integer input, NumPy array or
Tensor alike, is converted to it, so the same values give the same result; a Tensor's
gradient comes back in the Tensor's own dtype. Layers without floating state keep
the input's dtype, and Embedding's indices stay integers."""
import copy

import numpy as np
import pytest

import autograd_core as ag
import nn
from nn import _checks

RNG = np.random.default_rng(0)

# name -> (factory(dtype), input shape); every layer that has floating state.
LAYERS = {
    "Linear": (lambda dt: nn.Linear(3, 4, dtype=dt, seed=0), (5, 3)),
    "Linear-no-bias": (lambda dt: nn.Linear(3, 4, bias=False, dtype=dt, seed=0), (5, 3)),
    "Conv2d": (lambda dt: nn.Conv2d(2, 3, 3, padding=1, dtype=dt, seed=0), (2, 2, 5, 5)),
    "BatchNorm1d": (lambda dt: nn.BatchNorm1d(3, dtype=dt), (6, 3)),
    "BatchNorm1d-eval": (lambda dt: nn.BatchNorm1d(3, dtype=dt).eval(), (6, 3)),
    "BatchNorm1d-no-affine": (lambda dt: nn.BatchNorm1d(3, affine=False, dtype=dt), (6, 3)),
    "BatchNorm2d": (lambda dt: nn.BatchNorm2d(2, dtype=dt), (3, 2, 4, 4)),
    "LayerNorm": (lambda dt: nn.LayerNorm(3, dtype=dt), (5, 3)),
    "LayerNorm-2d": (lambda dt: nn.LayerNorm((2, 3), dtype=dt), (4, 2, 3)),
    "MLP": (lambda dt: nn.MLP([3, 8, 8, 2], dtype=dt, seed=0), (5, 3)),
    "MLP-batch-residual": (lambda dt: nn.MLP([3, 8, 8, 2], norm="batch", residual=True,
                                             dtype=dt, seed=0), (5, 3)),
    "MLP-layer": (lambda dt: nn.MLP([3, 8, 2], norm="layer", dtype=dt, seed=0), (5, 3)),
    "Residual": (lambda dt: nn.Residual(nn.Linear(3, 3, dtype=dt, seed=0)), (5, 3)),
    "Sequential-relu-first": (lambda dt: nn.Sequential(nn.ReLU(), nn.Linear(3, 2, dtype=dt,
                                                                            seed=0)), (5, 3)),
}
NAMES = list(LAYERS)


def _x(shape):
    return RNG.standard_normal(shape) * 2 + 0.5            # float64


def _twins(name, dtype=None):
    """Two identical fresh layers (batch norm updates its running statistics)."""
    make, shape = LAYERS[name]
    layer = make(dtype)
    return layer, copy.deepcopy(layer), shape


def _state(layer):
    return {k: v.copy() for k, v in layer.state_dict().items()}


@pytest.mark.parametrize("name", NAMES)
def test_float64_array_and_tensor_give_the_same_float32_result(name):
    a, b, shape = _twins(name)
    c = copy.deepcopy(a)
    x = _x(shape)
    out_array = a(x)
    out_tensor = b(ag.tensor(x))
    out_f32 = c(x.astype(np.float32))
    assert out_array.dtype == out_tensor.dtype == out_f32.dtype == np.float32
    np.testing.assert_array_equal(out_array.data, out_tensor.data)
    np.testing.assert_array_equal(out_array.data, out_f32.data)
    # the layer's state is untouched in dtype, and equal after either input
    sa, sb = _state(a), _state(b)
    for k in sa:
        assert sa[k].dtype == sb[k].dtype
        np.testing.assert_array_equal(sa[k], sb[k])
        if sa[k].dtype.kind == "f":
            assert sa[k].dtype == np.float32, k


@pytest.mark.parametrize("name", NAMES)
def test_integer_and_bool_inputs_become_the_layers_dtype(name):
    a, b, shape = _twins(name)
    c = copy.deepcopy(a)
    xi = RNG.integers(-3, 4, size=shape)
    out_array, out_tensor = a(xi), b(ag.tensor(xi))
    out_f32 = c(xi.astype(np.float32))
    assert out_array.dtype == out_tensor.dtype == np.float32
    np.testing.assert_array_equal(out_array.data, out_tensor.data)
    np.testing.assert_array_equal(out_array.data, out_f32.data)
    d = copy.deepcopy(c)
    xb = RNG.integers(0, 2, size=shape).astype(bool)
    assert d(ag.tensor(xb)).dtype == np.float32
    assert d(xi.astype(np.int32)).dtype == np.float32


@pytest.mark.parametrize("name", NAMES)
def test_gradient_reaches_a_float64_input_as_float64(name):
    a, b, shape = _twins(name)
    x = _x(shape)
    x64 = ag.tensor(x, requires_grad=True)
    x32 = ag.tensor(x.astype(np.float32), requires_grad=True)
    a(x64).sum().backward()
    b(x32).sum().backward()
    assert x64.grad is not None and x64.grad.dtype == np.float64
    assert x64.grad.shape == x.shape
    # the computation ran in float32: the gradient is the float32 one, widened
    np.testing.assert_array_equal(x64.grad.data, x32.grad.data.astype(np.float64))
    for p, q in zip(a.parameters(), b.parameters()):
        assert p.grad.dtype == np.float32
        np.testing.assert_array_equal(p.grad.data, q.grad.data)


@pytest.mark.parametrize("name", NAMES)
def test_a_float64_layer_keeps_float64(name):
    a, b, shape = _twins(name, np.float64)
    c, d = copy.deepcopy(a), copy.deepcopy(a)
    x = _x(shape)
    out_array, out_tensor = a(x), b(ag.tensor(x))
    assert out_array.dtype == out_tensor.dtype == np.float64
    np.testing.assert_array_equal(out_array.data, out_tensor.data)
    assert c(x.astype(np.float32)).dtype == np.float64          # float32 input: widened
    assert d(RNG.integers(-2, 3, size=shape)).dtype == np.float64
    xg = ag.tensor(x.astype(np.float32), requires_grad=True)
    copy.deepcopy(a)(xg).sum().backward()
    assert xg.grad.dtype == np.float32                           # back in the input's dtype


@pytest.mark.parametrize("name", ["Linear", "Conv2d", "BatchNorm1d", "LayerNorm", "MLP"])
def test_gradcheck_of_a_float64_layer(name):
    layer, _, shape = _twins(name, np.float64)
    x = ag.tensor(_x(shape), requires_grad=True)
    assert ag.gradcheck(lambda x: layer(x), (x,))


def test_module_to_changes_the_dtype_the_inputs_take():
    model = nn.MLP([3, 4, 2], norm="batch", seed=0)
    x = _x((5, 3))
    assert model(ag.tensor(x)).dtype == np.float32
    model.to(np.float64)
    assert model(ag.tensor(x)).dtype == model(x).dtype == np.float64
    model.to(np.float32)
    assert model(x).dtype == np.float32


def test_float32_tensor_passes_through_unconverted():
    lin = nn.Linear(3, 2, seed=0)
    x = ag.tensor(_x((4, 3)).astype(np.float32), requires_grad=True)
    assert _checks.numeric_input(lin, x) is x                    # no copy, no extra node
    lin(x).sum().backward()
    assert x.grad.dtype == np.float32


def test_python_lists_and_scalars_take_the_layers_dtype():
    lin = nn.Linear(2, 1, seed=0)
    assert lin([[1.0, 2.0]]).dtype == np.float32
    assert lin([[1, 2]]).dtype == np.float32
    lin64 = nn.Linear(2, 1, dtype=np.float64, seed=0)
    out = lin64([[0.1, 0.2]])
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.data, np.array([[0.1, 0.2]]) @ lin64.weight.data.T
                               + lin64.bias.data, rtol=1e-15)


def test_batchnorm_running_statistics_stay_in_the_layers_dtype():
    bn = nn.BatchNorm1d(3)
    bn(ag.tensor(_x((8, 3))))
    bn(_x((8, 3)))
    assert bn.running_mean.dtype == bn.running_var.dtype == np.float32
    assert bn.num_batches_tracked.dtype == np.int64 and int(bn.num_batches_tracked.data) == 2


def test_batchnorm_without_state_keeps_the_inputs_dtype():
    bn = nn.BatchNorm1d(3, affine=False, track_running_stats=False)
    x = _x((6, 3))
    assert bn(x).dtype == bn(ag.tensor(x)).dtype == np.float64
    assert bn(x.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize("layer", [nn.ReLU(), nn.Tanh(), nn.Sigmoid(), nn.GELU(), nn.Softmax(),
                                   nn.Flatten(), nn.Dropout(0.0), nn.Identity()])
def test_layers_without_floating_state_keep_the_inputs_dtype(layer):
    x = _x((2, 3))
    for value in (x, ag.tensor(x)):
        assert layer(value).dtype == np.float64
    assert layer(ag.tensor(x.astype(np.float32))).dtype == np.float32


def test_pooling_keeps_the_inputs_dtype():
    x = _x((1, 1, 4, 4))
    for pool in (nn.MaxPool2d(2), nn.AvgPool2d(2)):
        assert pool(x).dtype == pool(ag.tensor(x)).dtype == np.float64
        assert pool(x.astype(np.float32)).dtype == np.float32


def test_embedding_indices_stay_integers():
    emb = nn.Embedding(10, 3, seed=0)
    idx = np.array([[1, 2], [9, 0]])
    expected = emb.weight.data[idx]
    for value in (idx, ag.tensor(idx), idx.astype(np.int32), idx.astype(np.uint8),
                  idx.tolist()):
        out = emb(value)
        assert out.dtype == np.float32
        np.testing.assert_array_equal(out.data, expected)
    with pytest.raises(TypeError, match="indices must be integers"):
        emb(idx.astype(np.float64))
    with pytest.raises(TypeError, match="indices must be integers"):
        emb(ag.tensor(idx.astype(np.float32)))
    assert nn.Embedding(10, 3, dtype=np.float64, seed=0)(idx).dtype == np.float64


def test_embedding_then_linear_in_float32():
    model = nn.Sequential(nn.Embedding(5, 4, seed=0), nn.Flatten(), nn.Linear(8, 2, seed=0))
    assert model(np.array([[1, 2], [3, 4]])).dtype == np.float32


def test_strings_are_still_rejected_naming_the_layer():
    for layer in (nn.Linear(2, 2), nn.LayerNorm(2), nn.BatchNorm1d(2), nn.ReLU()):
        with pytest.raises(TypeError, match=rf"{type(layer).__name__}: the input has dtype"):
            layer(np.array([["1", "2"]]))
