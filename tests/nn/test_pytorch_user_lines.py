"""The lines a PyTorch user types most, run unchanged (``torch`` -> ``ag``), with
PyTorch's results where it is installed."""
import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from nn import optim


def test_a_training_step_written_as_in_pytorch():
    x = ag.randn(8, 4, requires_grad=True, seed=0)
    y = ag.tensor(np.arange(8) % 3)
    model = nn.Sequential(nn.Linear(4, 16, seed=1), nn.ReLU(), nn.Linear(16, 3, seed=2))
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model.train()
    logits = model(x)
    loss = F.cross_entropy(logits, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    assert isinstance(loss.item(), float)
    preds = logits.argmax(dim=1)
    acc = (preds == y).float().mean()
    assert 0.0 <= acc.item() <= 1.0
    batch = x.size(0)
    assert batch == 8 and x.size() == (8, 4)
    with ag.no_grad():
        model.eval()
        probs = F.softmax(model(x), dim=1)
    np.testing.assert_allclose(probs.sum(dim=1).numpy(), 1.0, rtol=1e-6)
    assert set(model.state_dict()) == {"0.weight", "0.bias", "2.weight", "2.bias"}


def test_tensor_lines_match_pytorch():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(0).standard_normal((4, 6))
    x, t = ag.tensor(a), torch.tensor(a)
    pairs = [
        (x.sum(dim=1, keepdim=True), t.sum(dim=1, keepdim=True)),
        (x.mean(dim=0), t.mean(dim=0)),
        (x.max(dim=1)[0], t.max(dim=1)[0]),
        (x.max(dim=1)[1], t.max(dim=1)[1]),
        (x.view(-1, 3), t.view(-1, 3)),
        (x.view(2, 2, 6).permute(0, 2, 1), t.view(2, 2, 6).permute(0, 2, 1)),
        (x.unsqueeze(1), t.unsqueeze(1)),
        (ag.cat([x, x], dim=1), torch.cat([t, t], dim=1)),
        (x.t(), t.t()),
        (x.clone().float(), t.clone().float()),
        (x.std(dim=0, correction=1), t.std(dim=0)),
        (x.argmax(dim=1), t.argmax(dim=1)),
    ]
    for ours, theirs in pairs:
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
    assert x.detach().numpy() is x.data and x.to("cpu") is x


def test_the_two_traps_are_spelled_out():
    x = ag.randn(3, 3, seed=0)
    with pytest.warns(UserWarning, match="identity permutation"):
        same = x.transpose(0, 1)
    np.testing.assert_array_equal(same.numpy(), x.numpy())
    np.testing.assert_array_equal(x.transpose(1, 0).numpy(), x.numpy().T)
    assert x.std().item() == pytest.approx(float(np.std(x.numpy())))        # ddof=0
    with pytest.raises(ValueError, match="at most 2 axes"):
        ag.randn(2, 2, 2).t()
    with pytest.raises(TypeError, match="both axis=1 and dim=1"):
        F.softmax(x, 1, dim=1)
