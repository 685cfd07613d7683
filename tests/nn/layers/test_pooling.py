"""MaxPool2d, AvgPool2d and AdaptiveAvgPool2d layers: the functional ops with stored
arguments, no parameters, reprs, constructor errors, and PyTorch's layers."""
import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F

RNG = np.random.default_rng(0)


def test_layers_are_the_functionals_and_have_no_state():
    x = RNG.standard_normal((2, 3, 7, 6))
    cases = [
        (nn.MaxPool2d(3, stride=2, padding=1), F.max_pool2d(x, 3, 2, 1)),
        (nn.MaxPool2d((2, 3)), F.max_pool2d(x, (2, 3), (2, 3))),
        (nn.AvgPool2d(2, stride=1), F.avg_pool2d(x, 2, 1)),
        (nn.AvgPool2d(3, padding=1, count_include_pad=False),
         F.avg_pool2d(x, 3, 3, 1, count_include_pad=False)),
        (nn.AdaptiveAvgPool2d((3, None)), F.adaptive_avg_pool2d(x, (3, None))),
        (nn.AdaptiveAvgPool2d(1), F.adaptive_avg_pool2d(x, 1)),
    ]
    for layer, expected in cases:
        np.testing.assert_array_equal(layer(ag.tensor(x)).data, expected.data)
        assert list(layer.state_dict()) == [] and list(layer.parameters()) == []
    assert nn.MaxPool2d(2).stride == (2, 2) and nn.AvgPool2d(3, 1).stride == (1, 1)
    assert nn.MaxPool2d(2)(x[0]).shape == (3, 3, 3)                # unbatched


def test_reprs_look_like_pytorchs():
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))"
    text = repr(nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False))
    assert text.startswith("AvgPool2d(kernel_size=(3, 3), stride=(1, 1), padding=(1, 1)")
    assert "count_include_pad=False" in text
    assert repr(nn.AdaptiveAvgPool2d((2, None))) == "AdaptiveAvgPool2d(output_size=(2, None))"
    assert repr(nn.AdaptiveAvgPool2d(1)) == "AdaptiveAvgPool2d(output_size=1)"


def test_constructor_errors():
    with pytest.raises(ValueError, match=r"padding \(2, 2\) must be at most half the kernel "
                                         r"size \(3, 3\)"):
        nn.MaxPool2d(3, padding=2)
    with pytest.raises(ValueError, match=r"padding \(0, 1\).*kernel size \(2, 1\)"):
        nn.AvgPool2d((2, 1), padding=(0, 1))
    with pytest.raises(ValueError, match="kernel_size must be >= 1, got 0"):
        nn.MaxPool2d(0)
    with pytest.raises(ValueError, match="stride must be >= 1, got 0"):
        nn.AvgPool2d(2, stride=0)
    with pytest.raises(TypeError, match="kernel_size"):
        nn.MaxPool2d(2.0)
    with pytest.raises(ValueError, match="output_size must be >= 1, got 0"):
        nn.AdaptiveAvgPool2d(0)
    with pytest.raises(ValueError, match=r"output_size must be an int or a pair.*\(1, 2, 3\)"):
        nn.AdaptiveAvgPool2d((1, 2, 3))
    with pytest.raises(ValueError, match=r"input must be 4-D.*\(4, 4\)"):
        nn.MaxPool2d(2)(np.ones((4, 4)))


def test_layers_match_pytorch_forward_and_backward():
    torch = pytest.importorskip("torch")
    tnn = torch.nn
    pairs = [(nn.MaxPool2d(3, 2, 1), tnn.MaxPool2d(3, 2, 1)),
             (nn.MaxPool2d((2, 3), (1, 2)), tnn.MaxPool2d((2, 3), (1, 2))),
             (nn.AvgPool2d(3, 2, 1), tnn.AvgPool2d(3, 2, 1)),
             (nn.AvgPool2d(3, 2, 1, count_include_pad=False),
              tnn.AvgPool2d(3, 2, 1, count_include_pad=False)),
             (nn.AdaptiveAvgPool2d((4, 3)), tnn.AdaptiveAvgPool2d((4, 3)))]
    x = RNG.standard_normal((2, 2, 7, 6))
    for ours, theirs in pairs:
        xt = ag.tensor(x, requires_grad=True)
        tx = torch.tensor(x, requires_grad=True)
        y, ty = ours(xt), theirs(tx)
        np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12, err_msg=repr(ours))
        gy = RNG.standard_normal(y.shape)
        (y * ag.tensor(gy)).sum().backward()
        ty.backward(torch.tensor(gy))
        np.testing.assert_allclose(xt.grad.data, tx.grad.numpy(), rtol=1e-12, atol=1e-14,
                                   err_msg=repr(ours))
