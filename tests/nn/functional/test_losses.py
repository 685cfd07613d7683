"""Losses against NumPy formulas, reductions, gradients, stability and input errors."""
import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F

RNG = np.random.default_rng(0)
LOGITS = RNG.standard_normal((5, 4)) * 2
TARGET = np.array([0, 3, 1, 1, 2])


def _log_softmax(x):
    m = x.max(axis=1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=1, keepdims=True))


def _reduce(loss, reduction):
    return {"mean": loss.mean(), "sum": loss.sum(), "none": loss}[reduction]


# -- cross_entropy / nll_loss ------------------------------------------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_matches_numpy(reduction):
    ref = -_log_softmax(LOGITS)[np.arange(5), TARGET]
    out = F.cross_entropy(ag.tensor(LOGITS), TARGET, reduction=reduction)
    np.testing.assert_allclose(out.data, _reduce(ref, reduction), rtol=1e-12)
    assert out.shape == (() if reduction != "none" else (5,))


def test_cross_entropy_gradient_is_softmax_minus_onehot():
    x = ag.tensor(LOGITS, requires_grad=True)
    F.cross_entropy(x, ag.tensor(TARGET)).backward()
    p = np.exp(_log_softmax(LOGITS))
    np.testing.assert_allclose(x.grad.data, (p - np.eye(4)[TARGET]) / 5, rtol=1e-10)
    assert ag.gradcheck(lambda x: F.cross_entropy(x, TARGET, reduction="none"), (x,))


def test_cross_entropy_with_weight_and_label_smoothing():
    w = np.array([1.0, 2.0, 0.5, 1.5])
    eps = 0.2
    logp = _log_softmax(LOGITS)
    nll = -logp[np.arange(5), TARGET] * w[TARGET]
    smooth = -(logp * w).sum(axis=1)
    ref_none = (1 - eps) * nll + eps / 4 * smooth
    ref_mean = ref_none.sum() / w[TARGET].sum()
    x = ag.tensor(LOGITS, requires_grad=True)
    out = F.cross_entropy(x, TARGET, weight=w, label_smoothing=eps)
    np.testing.assert_allclose(out.data, ref_mean, rtol=1e-12)
    np.testing.assert_allclose(
        F.cross_entropy(x, TARGET, weight=w, label_smoothing=eps, reduction="none").data,
        ref_none, rtol=1e-12)
    plain = -logp[np.arange(5), TARGET]
    np.testing.assert_allclose(F.cross_entropy(x, TARGET, label_smoothing=eps).data,
                               ((1 - eps) * plain - eps / 4 * logp.sum(axis=1)).mean())
    assert ag.gradcheck(lambda x: F.cross_entropy(x, TARGET, weight=w, label_smoothing=eps), (x,))


def test_cross_entropy_is_finite_for_huge_logits():
    x = ag.tensor(np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0]], np.float32), requires_grad=True)
    loss = F.cross_entropy(x, np.array([1, 1]))
    loss.backward()
    assert np.isfinite(loss.item()) and np.all(np.isfinite(x.grad.data))
    np.testing.assert_allclose(loss.item(), 2e4 / 2, rtol=1e-6)


def test_nll_loss_matches_numpy():
    logp = _log_softmax(LOGITS)
    w = np.array([0.5, 1.0, 2.0, 1.0])
    out = F.nll_loss(ag.tensor(logp), TARGET, weight=w)
    np.testing.assert_allclose(out.data, -(logp[np.arange(5), TARGET] * w[TARGET]).sum()
                               / w[TARGET].sum())
    np.testing.assert_allclose(F.nll_loss(logp, TARGET, reduction="sum").data,
                               -logp[np.arange(5), TARGET].sum())
    lp = ag.tensor(logp, requires_grad=True)
    assert ag.gradcheck(lambda lp: F.nll_loss(lp, TARGET, weight=w), (lp,))
    assert ag.gradcheck(lambda lp: F.nll_loss(lp, TARGET, reduction="none"), (lp,))


@pytest.mark.parametrize("target, error, pattern", [
    (np.array([0.0, 1.0, 1.0, 0.0, 2.0]), TypeError,
     r"cross_entropy: target must hold integer class indices, got dtype float64 \(shape \(5,\)\)"),
    (np.array([0, 1]), ValueError, r"cross_entropy: target of shape \(2,\) does not match input "
                                   r"of shape \(5, 4\): expected target shape \(5,\)"),
    (np.array([[0], [1], [1], [0], [2]]), ValueError, r"target of shape \(5, 1\)"),
    (np.array([0, 1, 4, 0, 2]), ValueError, "target 4 is out of range for 4 classes"),
    (np.array([0, 1, -1, 0, 2]), ValueError, "target -1 is out of range"),
])
def test_cross_entropy_rejects_bad_targets(target, error, pattern):
    with pytest.raises(error, match=pattern):
        F.cross_entropy(ag.tensor(LOGITS), target)


def test_cross_entropy_other_bad_inputs():
    with pytest.raises(ValueError, match=r"logits must have shape \(N, C\), got \(4,\)"):
        F.cross_entropy(ag.ones(4), np.array([1]))
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.cross_entropy(ag.tensor(LOGITS), TARGET, reduction="avg")
    with pytest.raises(ValueError, match=r"weight must have shape \(4,\)"):
        F.cross_entropy(ag.tensor(LOGITS), TARGET, weight=np.ones(3))
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(ag.tensor(LOGITS), TARGET, label_smoothing=2.0)


# -- mse -----------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss(reduction):
    a, b = RNG.standard_normal((3, 2)), RNG.standard_normal((3, 2))
    out = F.mse_loss(ag.tensor(a), b, reduction=reduction)
    np.testing.assert_allclose(out.data, _reduce((a - b) ** 2, reduction))
    x = ag.tensor(a, requires_grad=True)
    y = ag.tensor(b, requires_grad=True)
    assert ag.gradcheck(lambda x, y: F.mse_loss(x, y, reduction=reduction), (x, y))


def test_mse_loss_keeps_float32_and_rejects_shape_mismatch():
    assert F.mse_loss(ag.ones(3), np.zeros(3)).dtype == np.float32
    with pytest.raises(ValueError, match=r"mse_loss: input of shape \(4, 1\) and target of shape "
                                         r"\(4,\) differ"):
        F.mse_loss(ag.ones(4, 1), np.zeros(4))


# -- binary cross-entropy ---------------------------------------------------------------------
def _bce_ref(p, y):
    with np.errstate(divide="ignore"):
        return -(y * np.maximum(np.log(p), -100) + (1 - y) * np.maximum(np.log(1 - p), -100))


def test_binary_cross_entropy_matches_numpy_and_clamps():
    p = np.array([[0.0, 0.3, 1.0], [0.9, 0.5, 1e-3]])
    y = np.array([[1.0, 0.0, 0.0], [1.0, 0.5, 0.0]])
    out = F.binary_cross_entropy(ag.tensor(p), y, reduction="none")
    np.testing.assert_allclose(out.data, _bce_ref(p, y))
    assert out.data[0, 0] == 100 and out.data[0, 2] == 100
    pt = ag.tensor(p, requires_grad=True)
    F.binary_cross_entropy(pt, y, reduction="sum").backward()
    assert np.all(np.isfinite(pt.grad.data))


def test_binary_cross_entropy_gradcheck_and_weight():
    p = ag.tensor(RNG.uniform(0.05, 0.95, (4, 2)), requires_grad=True)
    y = ag.tensor(RNG.uniform(0, 1, (4, 2)), requires_grad=True)
    assert ag.gradcheck(lambda p, y: F.binary_cross_entropy(p, y), (p, y))
    w = np.array([1.0, 3.0])
    np.testing.assert_allclose(F.binary_cross_entropy(p, y, weight=w, reduction="sum").data,
                               (_bce_ref(p.data, y.data) * w).sum())
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        F.binary_cross_entropy(ag.tensor([1.5]), np.array([1.0]))
    with pytest.raises(ValueError, match="binary_cross_entropy: input of shape"):
        F.binary_cross_entropy(ag.tensor([0.5, 0.5]), np.array([1.0]))


def test_bce_with_logits_matches_numpy():
    x = RNG.standard_normal((4, 3)) * 3
    y = RNG.integers(0, 2, (4, 3)).astype(float)
    p = 1 / (1 + np.exp(-x))
    out = F.binary_cross_entropy_with_logits(ag.tensor(x), y, reduction="none")
    np.testing.assert_allclose(out.data, -(y * np.log(p) + (1 - y) * np.log(1 - p)), rtol=1e-10)
    pw = np.array([1.0, 2.0, 0.5])
    out = F.binary_cross_entropy_with_logits(ag.tensor(x), y, pos_weight=pw, reduction="none")
    np.testing.assert_allclose(out.data, -(pw * y * np.log(p) + (1 - y) * np.log(1 - p)),
                               rtol=1e-10)
    xt = ag.tensor(x, requires_grad=True)
    assert ag.gradcheck(lambda x: F.binary_cross_entropy_with_logits(x, y, pos_weight=pw), (xt,))


def test_bce_with_logits_is_finite_for_huge_logits():
    x = ag.tensor(np.array([1e4, -1e4, 1e4, -1e4], np.float32), requires_grad=True)
    y = np.array([1.0, 0.0, 0.0, 1.0])
    loss = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    loss.sum().backward()
    np.testing.assert_allclose(loss.data, [0, 0, 1e4, 1e4])
    np.testing.assert_allclose(x.grad.data, [0, 0, 1, -1])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_fused_cross_entropy_matches_the_composition_to_second_order(reduction):
    # The plain case runs as one op; it must equal nll_loss(log_softmax(x)),
    # with first and second derivatives checked numerically.
    rng = np.random.default_rng(3)
    x = ag.tensor(rng.standard_normal((5, 4)), requires_grad=True)
    t = np.array([0, 3, 1, 1, 2])
    fused = F.cross_entropy(x, t, reduction=reduction)
    composed = F.nll_loss(ag.log_softmax(x, axis=1), t, reduction=reduction)
    np.testing.assert_allclose(fused.data, composed.data, rtol=1e-12)
    assert ag.gradcheck(lambda z: F.cross_entropy(z, t, reduction=reduction), (x,))
    assert ag.gradgradcheck(lambda z: F.cross_entropy(z, t, reduction=reduction), (x,))


def test_fused_cross_entropy_is_finite_for_huge_logits():
    x = ag.tensor(np.array([[1e4, -1e4, 0.0], [0.0, 0.0, 1e4]], dtype=np.float32),
                  requires_grad=True)
    loss = F.cross_entropy(x, np.array([1, 2]))
    loss.backward()
    assert np.isfinite(loss.item()) and loss.item() == pytest.approx(1e4)
    np.testing.assert_allclose(x.grad.data, [[0.5, -0.5, 0.0], [0.0, 0.0, 0.0]])
