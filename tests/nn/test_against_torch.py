"""nn against PyTorch itself, when it is installed: state_dict keys and shapes, layer
outputs and gradients in train and eval mode, running statistics, and the losses.

The NumPy-formula tests elsewhere are the primary checks; these make sure the
conventions (key names, weight layout, momentum, unbiased running variance,
reductions) are PyTorch's and not merely self-consistent.
"""
import numpy as np
import pytest

import autograd_core as ag
import nn

torch = pytest.importorskip("torch")
tnn = torch.nn

RNG = np.random.default_rng(0)


def _pair(momentum=0.1):
    ours = nn.Sequential(nn.Linear(3, 4, dtype=np.float64), nn.BatchNorm1d(4, momentum=momentum,
                                                                           dtype=np.float64),
                         nn.ReLU(), nn.Dropout(0.3), nn.Linear(4, 5, dtype=np.float64),
                         nn.LayerNorm(5, dtype=np.float64), nn.Tanh(),
                         nn.Linear(5, 2, dtype=np.float64))
    theirs = tnn.Sequential(tnn.Linear(3, 4), tnn.BatchNorm1d(4, momentum=momentum), tnn.ReLU(),
                            tnn.Dropout(0.3), tnn.Linear(4, 5), tnn.LayerNorm(5), tnn.Tanh(),
                            tnn.Linear(5, 2)).double()
    with torch.no_grad():                     # non-trivial affine parameters
        theirs[1].weight.uniform_(0.5, 1.5)
        theirs[1].bias.uniform_(-0.5, 0.5)
        theirs[5].weight.uniform_(0.5, 1.5)
        theirs[5].bias.uniform_(-0.5, 0.5)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    ours[3].p = theirs[3].p = 0.0             # masks cannot match; keys and modes can
    return ours, theirs


def test_state_dict_keys_and_shapes_are_pytorchs():
    ours, theirs = _pair()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for (k, a), b in zip(ours.state_dict().items(), theirs.state_dict().values()):
        assert a.shape == tuple(b.shape), k
    assert list(nn.Embedding(4, 3).state_dict()) == list(tnn.Embedding(4, 3).state_dict())
    assert list(nn.CrossEntropyLoss(weight=np.ones(3)).state_dict()) == \
        list(tnn.CrossEntropyLoss(weight=torch.ones(3)).state_dict())


@pytest.mark.parametrize("momentum", [0.1, None])
def test_train_and_eval_match_pytorch(momentum):
    ours, theirs = _pair(momentum)
    for step in range(3):
        x = RNG.standard_normal((8, 3)) * (step + 1)
        out = ours(ag.tensor(x))
        tx = torch.tensor(x)
        tout = theirs(tx)
        np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-10, atol=1e-12)
        ours.zero_grad()
        theirs.zero_grad()
        (out * out).sum().backward()
        (tout * tout).sum().backward()
        for (name, p), tp in zip(ours.named_parameters(), theirs.parameters()):
            np.testing.assert_allclose(p.grad.data, tp.grad.numpy(), rtol=1e-9, atol=1e-12,
                                       err_msg=name)
    for (k, a), b in zip(ours.state_dict().items(), theirs.state_dict().values()):
        np.testing.assert_allclose(a, b.numpy(), rtol=1e-12, err_msg=k)   # running stats
    ours.eval()
    theirs.eval()
    ours[3].p = theirs[3].p = 0.5             # eval: dropout is the identity in both
    x = RNG.standard_normal((5, 3))
    np.testing.assert_allclose(ours(ag.tensor(x)).data,
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10, atol=1e-12)


def test_losses_match_pytorch():
    logits = RNG.standard_normal((6, 4)) * 2
    target = np.array([0, 3, 1, 1, 2, 3])
    w = np.array([1.0, 2.0, 0.5, 1.5])
    lt, tt, wt = torch.tensor(logits), torch.tensor(target), torch.tensor(w)
    for reduction in ("mean", "sum", "none"):
        for kw, tkw in [({}, {}), ({"weight": w}, {"weight": wt}),
                        ({"weight": w, "label_smoothing": 0.2},
                         {"weight": wt, "label_smoothing": 0.2})]:
            ours = nn.CrossEntropyLoss(reduction=reduction, **kw)(ag.tensor(logits), target)
            theirs = tnn.CrossEntropyLoss(reduction=reduction, **tkw)(lt, tt)
            np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12)
        logp = torch.log_softmax(lt, 1)
        np.testing.assert_allclose(
            nn.NLLLoss(weight=w, reduction=reduction)(ag.tensor(logp.numpy()), target).data,
            tnn.NLLLoss(weight=wt, reduction=reduction)(logp, tt).numpy(), rtol=1e-12)
        y = RNG.uniform(0, 1, (6, 4))
        yt = torch.tensor(y)
        np.testing.assert_allclose(nn.MSELoss(reduction=reduction)(ag.tensor(logits), y).data,
                                   tnn.MSELoss(reduction=reduction)(lt, yt).numpy(), rtol=1e-12)
        pw = np.array([1.0, 2.0, 0.5, 3.0])
        np.testing.assert_allclose(
            nn.BCEWithLogitsLoss(reduction=reduction, pos_weight=pw)(ag.tensor(logits), y).data,
            tnn.BCEWithLogitsLoss(reduction=reduction, pos_weight=torch.tensor(pw))(lt, yt)
            .numpy(), rtol=1e-10)
        p = 1 / (1 + np.exp(-logits))
        np.testing.assert_allclose(
            nn.BCELoss(reduction=reduction)(ag.tensor(p), y).data,
            tnn.BCELoss(reduction=reduction)(torch.tensor(p), yt).numpy(), rtol=1e-10)
