"""BatchNorm1d and LayerNorm against NumPy formulas; running statistics; gradients."""
import numpy as np
import pytest

import autograd_core as ag
import nn

RNG = np.random.default_rng(0)


def _bn_ref(x, mean, var, w, b, eps=1e-5):
    shape = (1, -1) + (1,) * (x.ndim - 2)
    return (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps) * w.reshape(shape) \
        + b.reshape(shape)


@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5)])
def test_batchnorm_train_uses_batch_stats_and_updates_running_stats(shape):
    bn = nn.BatchNorm1d(3, momentum=0.2, dtype=np.float64)
    bn.weight.data[...] = [1.0, 2.0, -1.0]
    bn.bias.data[...] = [0.0, 0.5, 1.0]
    axes = (0,) + tuple(range(2, len(shape)))
    n = int(np.prod([shape[a] for a in axes]))
    rm, rv = np.zeros(3), np.ones(3)
    for step in range(4):
        x = RNG.standard_normal(shape) * (step + 1) + step
        out = bn(ag.tensor(x))
        mean, var = x.mean(axis=axes), x.var(axis=axes)               # biased, for normalising
        np.testing.assert_allclose(out.data, _bn_ref(x, mean, var, bn.weight.data, bn.bias.data),
                                   rtol=1e-10, atol=1e-12)
        rm = 0.8 * rm + 0.2 * mean
        rv = 0.8 * rv + 0.2 * x.var(axis=axes, ddof=1)                 # unbiased, for running
        np.testing.assert_allclose(bn.running_mean.data, rm, rtol=1e-12)
        np.testing.assert_allclose(bn.running_var.data, rv, rtol=1e-12)
        assert n > 1
    assert bn.num_batches_tracked.data == 4 and bn.num_batches_tracked.dtype == np.int64
    bn.eval()
    x = RNG.standard_normal(shape)
    np.testing.assert_allclose(bn(ag.tensor(x)).data,
                               _bn_ref(x, rm, rv, bn.weight.data, bn.bias.data), rtol=1e-10)
    assert bn.num_batches_tracked.data == 4                            # eval tracks nothing


def test_batchnorm_momentum_none_is_a_cumulative_average():
    bn = nn.BatchNorm1d(2, momentum=None, dtype=np.float64)
    xs = [RNG.standard_normal((5, 2)) for _ in range(3)]
    for x in xs:
        bn(x)
    np.testing.assert_allclose(bn.running_mean.data, np.mean([x.mean(0) for x in xs], axis=0))
    np.testing.assert_allclose(bn.running_var.data, np.mean([x.var(0, ddof=1) for x in xs], axis=0))


def test_batchnorm_buffers_state_dict_and_defaults():
    bn = nn.BatchNorm1d(4)
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                     "num_batches_tracked"]
    assert bn.weight.dtype == np.float32 and bn.running_var.dtype == np.float32
    assert np.all(bn.running_var.data == 1) and np.all(bn.running_mean.data == 0)
    assert repr(bn) == ("BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, "
                        "track_running_stats=True)")
    bn(ag.randn(3, 4, seed=0))
    bn.reset_running_stats()
    assert bn.num_batches_tracked.data == 0 and np.all(bn.running_mean.data == 0)


def test_batchnorm_without_affine_or_tracking():
    bn = nn.BatchNorm1d(2, affine=False, track_running_stats=False, dtype=np.float64)
    assert list(bn.parameters()) == [] and bn.state_dict() == {}
    x = RNG.standard_normal((6, 2))
    ref = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5)
    np.testing.assert_allclose(bn(x).data, ref)
    np.testing.assert_allclose(bn.eval()(x).data, ref)                 # batch stats in eval too


@pytest.mark.parametrize("shape", [(5, 3), (3, 3, 2)])
def test_batchnorm_gradcheck_in_training(shape):
    bn = nn.BatchNorm1d(3, dtype=np.float64)
    bn.weight.data[...] = [0.5, 1.5, -1.0]
    x = ag.tensor(RNG.standard_normal(shape), requires_grad=True)
    assert ag.gradcheck(lambda x, w, b: bn(x), (x, bn.weight, bn.bias))


def test_batchnorm_gradcheck_in_eval():
    bn = nn.BatchNorm1d(3, dtype=np.float64)
    bn.running_mean.data[...] = [1.0, -1.0, 0.0]
    bn.running_var.data[...] = [2.0, 0.5, 1.0]
    bn.eval()
    x = ag.tensor(RNG.standard_normal((4, 3)), requires_grad=True)
    assert ag.gradcheck(lambda x, w, b: bn(x), (x, bn.weight, bn.bias))


def test_batchnorm_input_errors():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"BatchNorm1d\(3\).*\(N, C\) or \(N, C, L\).*\(4, 5\)"):
        bn(ag.ones(4, 5))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        bn(ag.ones(1, 3))
    assert bn.num_batches_tracked.data == 0 and np.all(bn.running_var.data == 1)
    bn.eval()(ag.ones(1, 3))                                            # fine in eval


@pytest.mark.parametrize("shape, normalized", [((4, 5), 5), ((2, 3, 4), (3, 4))])
def test_layernorm_matches_numpy_and_gradcheck(shape, normalized):
    ln = nn.LayerNorm(normalized, dtype=np.float64)
    ln.weight.data[...] = RNG.standard_normal(ln.weight.shape)
    ln.bias.data[...] = RNG.standard_normal(ln.bias.shape)
    x = RNG.standard_normal(shape) * 3 + 1
    k = 1 if isinstance(normalized, int) else len(normalized)
    axes = tuple(range(len(shape) - k, len(shape)))
    ref = (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True) + 1e-5)
    np.testing.assert_allclose(ln(ag.tensor(x)).data, ref * ln.weight.data + ln.bias.data,
                               rtol=1e-10, atol=1e-12)
    xt = ag.tensor(x, requires_grad=True)
    assert ag.gradcheck(lambda x, w, b: ln(x), (xt, ln.weight, ln.bias))


def test_layernorm_options_and_errors():
    ln = nn.LayerNorm(4)
    assert ln.normalized_shape == (4,) and ln.weight.dtype == np.float32
    assert repr(ln) == "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)"
    assert list(nn.LayerNorm(4, elementwise_affine=False).parameters()) == []
    assert [n for n, _ in nn.LayerNorm(4, bias=False).named_parameters()] == ["weight"]
    with pytest.raises(ValueError, match=r"layer_norm: input of shape \(2, 3\).*\(4,\)"):
        ln(ag.ones(2, 3))
    # same in train and eval
    x = ag.randn(2, 4, seed=0)
    assert np.array_equal(ln(x).data, ln.eval()(x).data)
