"""Loss modules: thin wrappers over nn.functional, with weights as buffers."""
import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F

RNG = np.random.default_rng(0)


def test_modules_match_functions():
    x = ag.tensor(RNG.standard_normal((4, 3)))
    y = np.array([0, 2, 1, 2])
    w = np.array([1.0, 2.0, 0.5])
    assert nn.CrossEntropyLoss()(x, y).item() == F.cross_entropy(x, y).item()
    assert nn.CrossEntropyLoss(weight=w, label_smoothing=0.1)(x, y).item() == \
        F.cross_entropy(x, y, weight=w, label_smoothing=0.1).item()
    logp = F.log_softmax(x)
    assert (nn.NLLLoss(reduction="sum")(logp, y).item()
            == F.nll_loss(logp, y, reduction="sum").item())
    t = RNG.uniform(0, 1, (4, 3))
    assert nn.MSELoss()(x, t).item() == F.mse_loss(x, t).item()
    assert nn.BCEWithLogitsLoss(pos_weight=np.array([1.0, 2.0, 3.0]))(x, t).item() == \
        F.binary_cross_entropy_with_logits(x, t, pos_weight=np.array([1.0, 2.0, 3.0])).item()
    p = F.sigmoid(x)
    assert nn.BCELoss()(p, t).item() == F.binary_cross_entropy(p, t).item()
    assert nn.MSELoss(reduction="none")(x, t).shape == (4, 3)


def test_weights_are_buffers_in_state_dict():
    loss = nn.CrossEntropyLoss(weight=np.array([1.0, 2.0]))
    assert list(loss.state_dict()) == ["weight"]
    assert nn.CrossEntropyLoss().state_dict() == {}
    assert list(nn.BCEWithLogitsLoss(pos_weight=np.ones(2)).state_dict()) == ["pos_weight"]


def test_reprs_and_bad_reduction():
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(nn.MSELoss(reduction="sum")) == "MSELoss(reduction='sum')"
    with pytest.raises(ValueError, match="MSELoss: reduction must be one of"):
        nn.MSELoss(reduction="avg")


def test_loss_opens_its_scope():
    out = nn.MSELoss()(ag.ones(2, requires_grad=True), np.zeros(2))
    assert out.grad_fn.scope == "MSELoss"
