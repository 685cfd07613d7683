"""BatchNorm2d: per-channel statistics over N, H and W; running statistics; eval mode;
errors naming the shape; state_dict keys; gradients; PyTorch's layer."""
import numpy as np
import pytest

import autograd_core as ag
import nn

RNG = np.random.default_rng(0)


def _ref(x, mean, var, w, b, eps=1e-5):
    r = (1, -1, 1, 1)
    return (x - mean.reshape(r)) / np.sqrt(var.reshape(r) + eps) * w.reshape(r) + b.reshape(r)


def test_per_channel_statistics_over_batch_and_positions():
    bn = nn.BatchNorm2d(3, momentum=0.25, dtype=np.float64)
    bn.weight.data[...] = [1.0, 2.0, -0.5]
    bn.bias.data[...] = [0.0, 1.0, -1.0]
    rm, rv = np.zeros(3), np.ones(3)
    for step in range(3):
        # channels with very different scales and offsets
        x = RNG.standard_normal((4, 3, 5, 6)) * np.array([1, 10, 0.1]).reshape(1, 3, 1, 1) \
            + np.array([0, -5, 3]).reshape(1, 3, 1, 1) + step
        out = bn(ag.tensor(x))
        mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
        np.testing.assert_allclose(out.data, _ref(x, mean, var, bn.weight.data, bn.bias.data),
                                   rtol=1e-10, atol=1e-12)
        # each channel of the normalised output has mean bias and std |weight| (nearly)
        np.testing.assert_allclose(out.data.mean(axis=(0, 2, 3)), bn.bias.data, atol=1e-10)
        np.testing.assert_allclose(out.data.std(axis=(0, 2, 3)), np.abs(bn.weight.data),
                                   rtol=1e-3)
        rm = 0.75 * rm + 0.25 * mean
        rv = 0.75 * rv + 0.25 * x.var(axis=(0, 2, 3), ddof=1)       # unbiased, N*H*W - 1
        np.testing.assert_allclose(bn.running_mean.data, rm, rtol=1e-12)
        np.testing.assert_allclose(bn.running_var.data, rv, rtol=1e-12)
    assert int(bn.num_batches_tracked.data) == 3


def test_eval_uses_running_statistics():
    bn = nn.BatchNorm2d(2, dtype=np.float64)
    bn(RNG.standard_normal((3, 2, 4, 4)) * 3 + 1)
    rm, rv = bn.running_mean.data.copy(), bn.running_var.data.copy()
    bn.eval()
    x = RNG.standard_normal((1, 2, 3, 3))
    np.testing.assert_allclose(bn(x).data, _ref(x, rm, rv, bn.weight.data, bn.bias.data),
                               rtol=1e-12)
    # a single image, even a single pixel, is fine in eval mode; nothing is tracked
    assert bn(np.ones((1, 2, 1, 1))).shape == (1, 2, 1, 1)
    np.testing.assert_array_equal(bn.running_mean.data, rm)
    assert int(bn.num_batches_tracked.data) == 1


def test_errors_name_the_shape():
    bn = nn.BatchNorm2d(3)
    with pytest.raises(ValueError, match=r"BatchNorm2d\(3\).*\(N, C, H, W\) with C=3, "
                                         r"got \(2, 3\)"):
        bn(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match=r"got \(2, 3, 4\)"):
        bn(np.ones((2, 3, 4), np.float32))
    with pytest.raises(ValueError, match=r"C=3, got \(2, 4, 5, 5\)"):
        bn(np.ones((2, 4, 5, 5), np.float32))
    with pytest.raises(ValueError, match=r"got \(1, 3, 2, 2, 2\)"):
        bn(np.ones((1, 3, 2, 2, 2), np.float32))


def test_state_dict_defaults_and_repr():
    bn = nn.BatchNorm2d(5)
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                     "num_batches_tracked"]
    assert bn.weight.shape == bn.running_var.shape == (5,)
    assert bn.weight.dtype == np.float32 and bn.num_batches_tracked.dtype == np.int64
    assert repr(bn).startswith("BatchNorm2d(5, eps=1e-05, momentum=0.1, affine=True")
    assert list(nn.BatchNorm2d(2, affine=False).state_dict()) == [
        "running_mean", "running_var", "num_batches_tracked"]
    assert list(nn.BatchNorm2d(2, track_running_stats=False).state_dict()) == ["weight", "bias"]


def test_gradcheck():
    bn = nn.BatchNorm2d(2, dtype=np.float64)
    bn.weight.data[...] = [1.5, -0.5]
    x = ag.tensor(RNG.standard_normal((2, 2, 2, 3)), requires_grad=True)
    assert ag.gradcheck(lambda x, w, b: bn(x), (x, bn.weight, bn.bias))


def test_matches_pytorch_train_and_eval():
    torch = pytest.importorskip("torch")
    ours = nn.BatchNorm2d(3, momentum=0.3, dtype=np.float64)
    theirs = torch.nn.BatchNorm2d(3, momentum=0.3).double()
    ours.weight.data[...] = [0.5, 1.0, 2.0]
    ours.bias.data[...] = [0.1, 0.0, -0.3]
    theirs.load_state_dict({k: torch.tensor(v) for k, v in ours.state_dict().items()})
    for step in range(2):
        x = RNG.standard_normal((4, 3, 3, 2)) * (step + 2)
        xt, tx = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        y, ty = ours(xt), theirs(tx)
        np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-10, atol=1e-12)
        ((y * y * y).sum()).backward()
        ((ty * ty * ty).sum()).backward()
        np.testing.assert_allclose(xt.grad.data, tx.grad.numpy(), rtol=1e-9, atol=1e-12)
    for k, v in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[k], v.numpy(), rtol=1e-12, err_msg=k)
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-9)
    np.testing.assert_allclose(ours.bias.grad.data, theirs.bias.grad.numpy(), rtol=1e-9)
    ours.eval()
    theirs.eval()
    x = RNG.standard_normal((2, 3, 2, 2))
    np.testing.assert_allclose(ours(x).data, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-12)
