"""nn.Conv2d: parameter shapes and keys, PyTorch's default init, seeding, dtype, repr,
constructor errors; a small ConvNet against the same PyTorch model."""
import math

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F

RNG = np.random.default_rng(0)


def test_parameter_shapes_and_state_dict_keys():
    conv = nn.Conv2d(6, 4, (3, 2), groups=2, seed=0)
    assert conv.weight.shape == (4, 3, 3, 2) and conv.bias.shape == (4,)
    assert list(conv.state_dict()) == ["weight", "bias"]
    assert [n for n, _ in conv.named_parameters()] == ["weight", "bias"]
    assert conv.weight.dtype == np.float32 and conv.bias.dtype == np.float32
    no_bias = nn.Conv2d(3, 5, 1, bias=False, seed=0)
    assert no_bias.bias is None and list(no_bias.state_dict()) == ["weight"]
    assert no_bias.weight.shape == (5, 3, 1, 1)


def test_forward_is_the_functional_and_keeps_float32():
    conv = nn.Conv2d(4, 6, 3, stride=2, padding=1, dilation=1, groups=2, seed=0)
    x = RNG.standard_normal((2, 4, 7, 6)).astype(np.float32)
    out = conv(ag.tensor(x))
    assert out.shape == (2, 6, 4, 3) and out.dtype == np.float32
    np.testing.assert_allclose(
        out.data, F.conv2d(x, conv.weight, conv.bias, 2, 1, 1, 2).data, rtol=1e-6)
    assert conv(x[0]).shape == (6, 4, 3)                   # unbatched
    same = nn.Conv2d(2, 3, (2, 4), padding="same", seed=0)
    assert same(np.ones((1, 2, 5, 5))).shape == (1, 3, 5, 5)


def test_dtype_and_seed():
    a, b = nn.Conv2d(3, 4, 3, seed=1), nn.Conv2d(3, 4, 3, seed=1)
    assert np.array_equal(a.weight.data, b.weight.data) and np.array_equal(a.bias.data, b.bias.data)
    assert not np.array_equal(a.weight.data, nn.Conv2d(3, 4, 3, seed=2).weight.data)
    b = nn.Conv2d(3, 4, 3, rng=np.random.default_rng(1))
    assert np.array_equal(a.weight.data, b.weight.data)
    d = nn.Conv2d(3, 4, 3, dtype=np.float64, seed=1)
    assert d.weight.dtype == d.bias.dtype == np.float64
    np.testing.assert_allclose(a.weight.data, d.weight.data, rtol=1e-6)
    assert d(np.ones((1, 3, 4, 4), np.float32)).dtype == np.float64
    with pytest.raises(TypeError, match="floating"):
        nn.Conv2d(3, 4, 3, dtype=np.int32)


@pytest.mark.parametrize("cin,cout,k,groups", [(3, 8, 3, 1), (8, 16, (3, 5), 4), (6, 6, 2, 6)])
def test_default_init_bounds_use_fan_in_per_group(cin, cout, k, groups):
    conv = nn.Conv2d(cin, cout, k, groups=groups, seed=0)
    kh, kw = (k, k) if isinstance(k, int) else k
    bound = 1 / math.sqrt(cin // groups * kh * kw)
    for p in (conv.weight, conv.bias):
        assert np.abs(p.data).max() <= bound
    # the bound is reached (not a smaller one): the largest of many draws is near it
    big = nn.Conv2d(cin, 64, k, groups=groups if 64 % groups == 0 else 1, seed=0)
    bound_big = 1 / math.sqrt(cin // big.groups * kh * kw)
    assert np.abs(big.weight.data).max() > 0.95 * bound_big
    assert np.abs(big.weight.data).max() <= bound_big


def test_kaiming_normal_uses_fan_in_of_a_conv_weight():
    conv = nn.Conv2d(64, 64, 3, groups=2, bias=False, seed=0)        # weight (64, 32, 3, 3)
    nn.init.kaiming_normal_(conv.weight, nonlinearity="relu", seed=0)
    fan_in = 32 * 3 * 3
    std = math.sqrt(2.0) / math.sqrt(fan_in)
    assert abs(conv.weight.data.std() - std) < 0.03 * std
    assert abs(conv.weight.data.mean()) < 0.03 * std
    nn.init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu", seed=0)
    std_out = math.sqrt(2.0) / math.sqrt(64 * 3 * 3)
    assert abs(conv.weight.data.std() - std_out) < 0.03 * std_out


def test_repr_looks_like_pytorchs():
    assert repr(nn.Conv2d(3, 8, 3)) == "Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))"
    text = repr(nn.Conv2d(4, 8, (3, 5), stride=2, padding=1, dilation=2, groups=2, bias=False))
    for part in ("Conv2d(4, 8, kernel_size=(3, 5), stride=(2, 2)", "padding=(1, 1)",
                 "dilation=(2, 2)", "groups=2", "bias=False"):
        assert part in text, text
    assert repr(nn.Conv2d(1, 1, 3, padding="same")).endswith("padding=same)")    # as PyTorch
    assert "float64" in repr(nn.Conv2d(1, 1, 3, dtype=np.float64))
    torch = pytest.importorskip("torch")
    assert repr(nn.Conv2d(3, 8, 3, stride=2, padding=1, groups=1, bias=False)) == \
        repr(torch.nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False))


def test_constructor_errors():
    with pytest.raises(ValueError, match="in_channels=6 is not divisible by groups=4"):
        nn.Conv2d(6, 8, 3, groups=4)
    with pytest.raises(ValueError, match="out_channels=6 is not divisible by groups=4"):
        nn.Conv2d(8, 6, 3, groups=4)
    with pytest.raises(ValueError, match="'full'"):
        nn.Conv2d(1, 1, 3, padding="full")
    with pytest.raises(ValueError, match="kernel_size must be >= 1, got 0"):
        nn.Conv2d(1, 1, 0)
    with pytest.raises(ValueError, match="padding must be >= 0, got -1"):
        nn.Conv2d(1, 1, 3, padding=-1)
    with pytest.raises(TypeError, match="stride"):
        nn.Conv2d(1, 1, 3, stride=1.5)
    with pytest.raises(ValueError, match="groups must be >= 1, got 0"):
        nn.Conv2d(1, 1, 3, groups=0)
    conv = nn.Conv2d(3, 4, 3)
    with pytest.raises(ValueError, match=r"input has 2 channels"):
        conv(np.ones((1, 2, 5, 5), np.float32))


def test_padding_same_with_stride_fails_at_construction():
    # LIBRARY DIVERGENCE (reported): PyTorch's Conv2d raises in its constructor
    # ("padding='same' is not supported for strided convolutions"); ours builds the layer
    # and only its first forward raises.
    with pytest.raises(ValueError, match=r"'same'.*stride"):
        nn.Conv2d(1, 1, 3, stride=2, padding="same")


def test_gradcheck_through_the_layer():
    conv = nn.Conv2d(4, 2, (2, 3), stride=(2, 1), padding=(1, 0), groups=2, dtype=np.float64,
                     seed=0)
    x = ag.tensor(RNG.standard_normal((1, 4, 4, 4)), requires_grad=True)
    assert ag.gradcheck(lambda x, w, b: conv(x), (x, conv.weight, conv.bias))


# ----------------------------------------------------------------- against PyTorch

def _lenet(dtype=np.float64):
    return nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1, dtype=dtype, seed=0),
        nn.BatchNorm2d(4, dtype=dtype),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 6, (3, 2), padding="same", groups=2, dtype=dtype, seed=1),
        nn.ReLU(),
        nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False),
        nn.Conv2d(6, 6, 2, stride=2, dilation=1, bias=False, dtype=dtype, seed=2),
        nn.AdaptiveAvgPool2d((2, 3)),
        nn.Flatten(),
        nn.Linear(36, 3, dtype=dtype, seed=3),
    )


def _torch_lenet(torch):
    tnn = torch.nn
    return tnn.Sequential(
        tnn.Conv2d(2, 4, 3, padding=1), tnn.BatchNorm2d(4), tnn.ReLU(), tnn.MaxPool2d(2),
        tnn.Conv2d(4, 6, (3, 2), padding="same", groups=2), tnn.ReLU(),
        tnn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False),
        tnn.Conv2d(6, 6, 2, stride=2, bias=False), tnn.AdaptiveAvgPool2d((2, 3)), tnn.Flatten(),
        tnn.Linear(36, 3)).double()


@pytest.mark.filterwarnings("ignore:Using padding='same'")
def test_convnet_matches_pytorch_in_train_and_eval():
    torch = pytest.importorskip("torch")
    ours, theirs = _lenet(), _torch_lenet(torch)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for k, v in theirs.state_dict().items():
        assert ours.state_dict()[k].shape == tuple(v.shape), k
    ours[1].weight.data[...] = [0.5, 1.0, 1.5, 2.0]       # non-trivial batch-norm affine
    ours[1].bias.data[...] = [0.1, -0.2, 0.3, 0.0]
    theirs.load_state_dict({k: torch.tensor(v) for k, v in ours.state_dict().items()})

    for step in range(2):
        x = RNG.standard_normal((3, 2, 9, 8)) * (step + 1)
        out = ours(ag.tensor(x))
        tout = theirs(torch.tensor(x))
        np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-9, atol=1e-12)
        ours.zero_grad()
        theirs.zero_grad()
        (out * out).sum().backward()
        (tout * tout).sum().backward()
        for (name, p), tp in zip(ours.named_parameters(), theirs.parameters()):
            np.testing.assert_allclose(p.grad.data, tp.grad.numpy(), rtol=1e-9, atol=1e-12,
                                       err_msg=name)
    for k, v in theirs.state_dict().items():   # running statistics after the train steps
        np.testing.assert_allclose(ours.state_dict()[k], v.numpy(), rtol=1e-12, err_msg=k)

    ours.eval()
    theirs.eval()
    x = RNG.standard_normal((2, 2, 8, 10))
    np.testing.assert_allclose(ours(x).data, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-9, atol=1e-12)
