"""nn.optim: SGD, Adam, AdamW follow PyTorch's update equations; groups, state dicts, errors."""
import math

import numpy as np
import pytest

import autograd_core as ag
import nn
from nn import optim


def leaf(values, dtype=np.float64):
    return ag.tensor(np.array(values, dtype=dtype), requires_grad=True)


def set_grad(p, g):
    p.grad = ag.tensor(np.array(g, dtype=p.dtype))


def grads_sequence(shape, n, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape) for _ in range(n)]


# --- references written from PyTorch's documented algorithms (float64) ----------
def ref_sgd(p, grads, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    p = np.array(p, dtype=np.float64)
    buf = None
    for g in grads:
        g = g + weight_decay * p
        if momentum:
            buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        p = p - lr * g
    return p


def ref_adam(p, grads, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
             decoupled=False, amsgrad=False):
    p = np.array(p, dtype=np.float64)
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    vmax = np.zeros_like(p)
    b1, b2 = betas
    for t, g in enumerate(grads, start=1):
        if decoupled:
            p = p * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1 ** t)
        if amsgrad:
            vmax = np.maximum(vmax, v)
            v_hat = vmax / (1 - b2 ** t)
        else:
            v_hat = v / (1 - b2 ** t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


def run(opt_cls, p0, grads, **kw):
    p = leaf(p0)
    opt = opt_cls([p], **kw)
    for g in grads:
        set_grad(p, g)
        opt.step()
    return p, opt


P0 = [0.5, -1.5, 2.0, 0.0]
GRADS = grads_sequence(4, 6)

SGD_CONFIGS = [
    dict(lr=0.1),
    dict(lr=0.1, weight_decay=0.01),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.3),
    dict(lr=0.05, momentum=0.9, nesterov=True),
    dict(lr=0.05, momentum=0.5, nesterov=True, weight_decay=0.1),
]
ADAM_CONFIGS = [
    dict(lr=0.1),
    dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6),
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.01, weight_decay=0.1, amsgrad=True),
    dict(lr=0.01, betas=(0.0, 0.5)),
]


@pytest.mark.parametrize("kw", SGD_CONFIGS)
def test_sgd_matches_reference(kw):
    p, _ = run(optim.SGD, P0, GRADS, **kw)
    np.testing.assert_allclose(p.data, ref_sgd(P0, GRADS, **kw), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("kw", ADAM_CONFIGS)
def test_adam_matches_reference(kw):
    p, _ = run(optim.Adam, P0, GRADS, **kw)
    np.testing.assert_allclose(p.data, ref_adam(P0, GRADS, **kw), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kw", ADAM_CONFIGS)
def test_adamw_matches_reference(kw):
    kw = dict(kw, weight_decay=kw.get("weight_decay", 0.05))
    p, _ = run(optim.AdamW, P0, GRADS, **kw)
    np.testing.assert_allclose(p.data, ref_adam(P0, GRADS, decoupled=True, **kw),
                               rtol=1e-10, atol=1e-12)


def test_sgd_plain_step_is_exact():
    p = leaf([1.0, 2.0], np.float32)
    set_grad(p, [0.5, -4.0])
    optim.SGD([p], lr=0.25).step()
    assert p.dtype == np.float32
    np.testing.assert_array_equal(p.data, np.array([1.0, 2.0], np.float32)
                                  - np.float32(0.25) * np.array([0.5, -4.0], np.float32))


def test_momentum_buffer_starts_at_first_gradient():
    p = leaf([0.0])
    opt = optim.SGD([p], lr=1.0, momentum=0.9, dampening=0.5)
    set_grad(p, [2.0])
    opt.step()
    assert p.data[0] == pytest.approx(-2.0)          # no dampening on the first step
    np.testing.assert_array_equal(opt.state[p]["momentum_buffer"], [2.0])
    set_grad(p, [2.0])
    opt.step()                                        # buf = 0.9*2 + 0.5*2 = 2.8
    assert p.data[0] == pytest.approx(-4.8)


def test_adam_first_step_moves_by_lr_times_sign():
    p = leaf([1.0, 1.0, 1.0])
    set_grad(p, [3.0, -0.01, 1e3])
    optim.Adam([p], lr=0.1).step()
    np.testing.assert_allclose(p.data, [0.9, 1.1, 0.9], rtol=1e-6)


def test_adamw_decay_is_decoupled_from_gradient():
    p = leaf([2.0])
    set_grad(p, [0.0])
    optim.AdamW([p], lr=0.1, weight_decay=0.5).step()   # zero grad: only the decay acts
    assert p.data[0] == pytest.approx(2.0 * (1 - 0.1 * 0.5))
    q = leaf([2.0])
    set_grad(q, [0.0])
    optim.Adam([q], lr=0.1, weight_decay=0.5).step()    # L2: grad 1.0 -> step lr*sign
    assert q.data[0] == pytest.approx(1.9)


def test_adamw_default_weight_decay():
    assert optim.AdamW([leaf([1.0])]).param_groups[0]["weight_decay"] == 1e-2
    assert optim.Adam([leaf([1.0])]).param_groups[0]["weight_decay"] == 0


# --- against PyTorch itself, when it is installed -------------------------------
@pytest.mark.parametrize("name,kw", [("SGD", k) for k in SGD_CONFIGS]
                         + [("Adam", k) for k in ADAM_CONFIGS]
                         + [("AdamW", dict(k, weight_decay=0.05)) for k in ADAM_CONFIGS])
def test_matches_torch(name, kw):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    p0 = rng.standard_normal((3, 4))
    grads = [rng.standard_normal((3, 4)) for _ in range(8)]
    ours, _ = run(getattr(optim, name), p0, grads, **kw)
    tp = torch.tensor(p0, requires_grad=True)
    topt = getattr(torch.optim, name)([tp], **kw)
    for g in grads:
        tp.grad = torch.tensor(g)
        topt.step()
    np.testing.assert_allclose(ours.data, tp.detach().numpy(), rtol=1e-10, atol=1e-12)


# --- behaviour ------------------------------------------------------------------
@pytest.mark.parametrize("cls,kw", [(optim.SGD, dict(lr=0.1, momentum=0.9)),
                                    (optim.Adam, dict(lr=0.1)),
                                    (optim.AdamW, dict(lr=0.1))])
def test_minimises_a_quadratic(cls, kw):
    target = np.array([1.0, -2.0, 3.0], np.float32)
    w = leaf(np.zeros(3), np.float32)
    opt = cls([w], **kw)
    for _ in range(300):
        opt.zero_grad()
        loss = ((w - ag.tensor(target)) ** 2).sum()
        loss.backward()
        opt.step()
    np.testing.assert_allclose(w.data, target, atol=0.05)
    assert w.dtype == np.float32 and w.is_leaf and w.requires_grad


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam, optim.AdamW])
def test_params_without_grad_are_skipped(cls):
    a, b = leaf([1.0, 2.0]), leaf([3.0])
    opt = cls([a, b], lr=0.1, **({"momentum": 0.9} if cls is optim.SGD else {}))
    set_grad(a, [1.0, 1.0])
    opt.step()
    assert b.data[0] == 3.0 and b.grad is None
    assert b not in opt.state and a in opt.state
    assert not np.array_equal(a.data, [1.0, 2.0])
    assert list(opt.state_dict()["state"]) == [0]


def test_step_updates_in_place_and_records_nothing():
    p = leaf([1.0, 2.0], np.float32)
    before = p.data
    (p * p).sum().backward()
    opt = optim.Adam([p], lr=0.1)
    opt.step()
    assert p.data is before                      # same array, changed in place
    assert p.is_leaf and p.grad_fn is None
    assert opt.state[p]["exp_avg"].dtype == np.float32
    with ag.no_grad():                           # also fine inside no_grad
        opt.step()


def test_zero_grad():
    a, b = leaf([1.0]), leaf([2.0])
    opt = optim.SGD([a, b], lr=0.1)
    set_grad(a, [5.0])
    opt.zero_grad()
    assert a.grad is None and b.grad is None
    set_grad(a, [5.0])
    held = a.grad
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(a.grad.data, [0.0])
    assert a.grad is held and b.grad is None             # in place, as PyTorch


def test_zero_grad_replaces_a_recorded_gradient():
    # After backward(create_graph=True) the gradient is part of a graph: it is
    # replaced by zeros, not written into (that would change the recorded graph).
    p = leaf([1.0, 2.0])
    (p * p * p).sum().backward(create_graph=True)
    g = p.grad
    assert g.grad_fn is not None
    optim.SGD([p], lr=0.1).zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad.data, [0.0, 0.0])
    assert p.grad.grad_fn is None
    np.testing.assert_allclose(g.data, [3.0, 12.0])


def test_lr_change_through_param_groups():
    p = leaf([0.0])
    opt = optim.SGD([p], lr=1.0)
    set_grad(p, [1.0])
    opt.step()
    opt.param_groups[0]["lr"] = 0.1
    opt.step()
    assert p.data[0] == pytest.approx(-1.1)


def test_param_groups_with_their_own_options():
    a, b, c = leaf([0.0]), leaf([0.0]), leaf([0.0])
    opt = optim.SGD([{"params": [a, b]}, {"params": iter([c]), "lr": 0.5, "momentum": 0.9}],
                    lr=0.1)
    assert len(opt.param_groups) == 2
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[0]["momentum"] == 0
    assert opt.param_groups[1]["lr"] == 0.5 and opt.param_groups[1]["momentum"] == 0.9
    assert opt.param_groups[1]["params"] == [c] or opt.param_groups[1]["params"][0] is c
    for t in (a, b, c):
        set_grad(t, [1.0])
    opt.step()
    assert (a.data[0], b.data[0], c.data[0]) == pytest.approx((-0.1, -0.1, -0.5))
    d = leaf([0.0])
    opt.add_param_group({"params": [d], "lr": 2.0})
    set_grad(d, [1.0])
    opt.step()
    assert d.data[0] == pytest.approx(-2.0)


def test_accepts_generators_of_tensors():
    ps = [leaf([1.0]), leaf([2.0])]
    opt = optim.Adam(p for p in ps)
    assert opt.param_groups[0]["params"][1] is ps[1]


def test_state_dict_structure_and_snapshot():
    a, b, c = leaf([1.0, 2.0]), leaf([3.0]), leaf([[4.0]])
    opt = optim.Adam([{"params": [a, b]}, {"params": [c], "lr": 0.5}], lr=0.1)
    for t in (a, c):
        set_grad(t, np.ones(t.shape))
    opt.step()
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert sorted(sd["state"]) == [0, 2]                   # b never had a gradient
    assert set(sd["state"][0]) == {"step", "exp_avg", "exp_avg_sq"}
    assert sd["state"][0]["step"] == 1
    assert sd["param_groups"][0]["params"] == [0, 1]
    assert sd["param_groups"][1]["params"] == [2]
    assert sd["param_groups"][1]["lr"] == 0.5
    assert sd["param_groups"][0]["betas"] == (0.9, 0.999)
    saved = sd["state"][0]["exp_avg"].copy()
    opt.step()
    np.testing.assert_array_equal(sd["state"][0]["exp_avg"], saved)   # a copy


@pytest.mark.parametrize("cls,kw", [(optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
                                    (optim.Adam, dict(lr=0.05, amsgrad=True)),
                                    (optim.AdamW, dict(lr=0.05))])
def test_state_dict_round_trip_resumes_exactly(cls, kw):
    grads = grads_sequence((2, 3), 8, seed=3)
    p0 = np.arange(6.0).reshape(2, 3)
    ref, _ = run(cls, p0, grads, **kw)

    p, opt = run(cls, p0, grads[:4], **kw)
    sd = opt.state_dict()
    q = leaf(p.data.copy())
    opt2 = cls([q], lr=123.0)            # hyper-parameters come from the state dict
    opt2.load_state_dict(sd)
    assert opt2.param_groups[0]["lr"] == kw["lr"]
    for g in grads[4:]:
        set_grad(q, g)
        opt2.step()
    np.testing.assert_array_equal(q.data, ref.data)


def test_load_state_dict_rejects_mismatches():
    a, b = leaf([1.0, 2.0]), leaf([3.0])
    opt = optim.SGD([a, b], lr=0.1, momentum=0.9)
    set_grad(a, [1.0, 1.0])
    set_grad(b, [1.0])
    opt.step()
    sd = opt.state_dict()
    with pytest.raises(ValueError, match="parameter group"):
        optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).load_state_dict(sd)
    with pytest.raises(ValueError, match="parameters"):
        optim.SGD([a], lr=0.1).load_state_dict(sd)
    with pytest.raises(ValueError, match="shape"):
        optim.SGD([leaf([1.0]), leaf([3.0])], lr=0.1).load_state_dict(sd)
    with pytest.raises(ValueError, match="state_dict"):
        opt.load_state_dict({"state": {}})


@pytest.mark.parametrize("make,match", [
    (lambda p: optim.SGD([p], lr=-0.1), "lr"),
    (lambda p: optim.SGD([p], lr=float("nan")), "lr"),
    (lambda p: optim.SGD([p], lr=0.1, momentum=-1), "momentum"),
    (lambda p: optim.SGD([p], lr=0.1, weight_decay=-1), "weight_decay"),
    (lambda p: optim.SGD([p], lr=0.1, nesterov=True), "Nesterov"),
    (lambda p: optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
     "Nesterov"),
    (lambda p: optim.Adam([p], lr=-1e-3), "lr"),
    (lambda p: optim.Adam([p], betas=(1.0, 0.999)), "beta1"),
    (lambda p: optim.Adam([p], betas=(0.9, -0.1)), "beta2"),
    (lambda p: optim.Adam([p], betas=0.9), "betas"),
    (lambda p: optim.AdamW([p], eps=-1.0), "eps"),
    (lambda p: optim.AdamW([p], weight_decay=-0.1), "weight_decay"),
    (lambda p: optim.Adam([{"params": [p], "lr": -1.0}]), "lr"),
    (lambda p: optim.Adam([{"params": [p], "momentum": 0.9}]), "unknown option"),
    (lambda p: optim.SGD([], lr=0.1), "empty"),
    (lambda p: optim.SGD([{"params": []}], lr=0.1), "no parameters"),
    (lambda p: optim.SGD([ag.tensor([1, 2])], lr=0.1), "floating-point"),
    (lambda p: optim.SGD([p, p], lr=0.1), "more than once"),
    (lambda p: optim.SGD([p * 2], lr=0.1), "non-leaf"),
    (lambda p: optim.SGD([{"lr": 0.1}], lr=0.1), "'params'"),
])
def test_bad_arguments_raise_value_error(make, match):
    with pytest.raises(ValueError, match=match):
        make(leaf([1.0]))


def test_sgd_positional_order_is_the_contracts():
    # API.md: SGD(params, lr, momentum=0, nesterov=False, weight_decay=0).
    p0, grads = P0, GRADS
    p, opt = run(lambda ps, *a: optim.SGD(ps, 0.05, 0.5, True, 0.1), p0, grads)
    assert opt.param_groups[0]["nesterov"] is True
    assert opt.param_groups[0]["weight_decay"] == 0.1
    assert opt.param_groups[0]["dampening"] == 0
    np.testing.assert_allclose(p.data, ref_sgd(p0, grads, lr=0.05, momentum=0.5,
                                               nesterov=True, weight_decay=0.1), rtol=1e-12)
    # PyTorch's positional order (..., momentum, dampening, ...) is an error, not a
    # silently different optimiser; dampening is keyword-only.
    with pytest.raises(TypeError, match="nesterov must be a bool"):
        optim.SGD([leaf([1.0])], 0.1, 0.9, 0.5)
    with pytest.raises(TypeError):
        optim.SGD([leaf([1.0])], 0.1, 0.9, False, 0.0, 0.3)


def test_non_tensor_params_raise_type_error():
    with pytest.raises(TypeError, match="iterable"):
        optim.SGD(leaf([1.0]), lr=0.1)
    with pytest.raises(TypeError, match="Tensors"):
        optim.SGD([np.ones(2)], lr=0.1)
    with pytest.raises(TypeError, match="set"):
        optim.SGD([{"params": {leaf([1.0])}}], lr=0.1)


def test_repr_names_the_options():
    text = repr(optim.SGD([leaf([1.0])], lr=0.1, momentum=0.9))
    assert text.startswith("SGD") and "lr: 0.1" in text and "momentum: 0.9" in text


def test_bias_correction_uses_per_parameter_step_count():
    a, b = leaf([1.0]), leaf([1.0])
    opt = optim.Adam([a, b], lr=0.1)
    set_grad(a, [1.0])
    opt.step()                     # b has no gradient yet
    set_grad(b, [1.0])
    opt.step()
    assert opt.state[a]["step"] == 2 and opt.state[b]["step"] == 1
    # b's first step is a full lr * sign(grad) step
    assert b.data[0] == pytest.approx(0.9, abs=1e-6)
    assert not math.isnan(a.data[0])


# --- 0-d parameters ------------------------------------------------------------------
# For a 0-d parameter NumPy arithmetic returns scalars, not arrays: state that is kept
# by updating it in place must still be an array, or the update is lost.
ZERO_D_CONFIGS = [
    (optim.SGD, dict(lr=0.1, momentum=0.9, weight_decay=0.1)),
    (optim.SGD, dict(lr=0.05, momentum=0.5, nesterov=True, weight_decay=0.2)),
    (optim.SGD, dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    (optim.SGD, dict(lr=0.1, momentum=0.9)),
    (optim.Adam, dict(lr=0.1, weight_decay=0.1, amsgrad=True)),
    (optim.AdamW, dict(lr=0.1, weight_decay=0.1)),
]
SCALAR_GRADS = [np.array(g) for g in (1.0, -0.5, 0.25, 2.0, -1.5)]


def _reference(cls, p0, grads, kw):
    if cls is optim.SGD:
        return ref_sgd(p0, grads, **kw)
    return ref_adam(p0, grads, decoupled=cls is optim.AdamW, **kw)


@pytest.mark.parametrize("cls,kw", ZERO_D_CONFIGS)
def test_zero_dim_parameter_follows_the_reference_trajectory(cls, kw):
    p = leaf(1.5)
    assert p.shape == ()
    opt = cls([p], **kw)
    for t, g in enumerate(SCALAR_GRADS, start=1):
        set_grad(p, g)
        opt.step()
        np.testing.assert_allclose(p.data, _reference(cls, 1.5, SCALAR_GRADS[:t], kw),
                                   rtol=1e-12, atol=1e-14, err_msg=f"step {t}")
    for value in opt.state[p].values():
        assert not isinstance(value, np.generic)         # arrays (or a Python int step)


def test_zero_dim_sgd_momentum_by_hand():
    # p0 = 1.5, lr 0.1, momentum 0.9, weight decay 0.1, gradients 1 and -0.5:
    # g1 = 1 + 0.15 = 1.15, buf = 1.15, p1 = 1.5 - 0.115 = 1.385;
    # g2 = -0.5 + 0.1385 = -0.3615, buf = 0.9 * 1.15 - 0.3615 = 0.6735,
    # p2 = 1.385 - 0.06735 = 1.31765.
    p = leaf(1.5)
    opt = optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.1)
    set_grad(p, 1.0)
    opt.step()
    set_grad(p, -0.5)
    opt.step()
    assert opt.state[p]["momentum_buffer"] == pytest.approx(0.6735, abs=1e-15)
    assert p.data == pytest.approx(1.31765, abs=1e-15)


@pytest.mark.parametrize("cls,kw", ZERO_D_CONFIGS)
def test_zero_dim_parameter_matches_torch(cls, kw):
    torch = pytest.importorskip("torch")
    p = leaf(1.5)
    opt = cls([p], **kw)
    tp = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    topt = getattr(torch.optim, cls.__name__)([tp], **kw)
    for g in SCALAR_GRADS:
        set_grad(p, g)
        opt.step()
        tp.grad = torch.tensor(float(g), dtype=torch.float64)
        topt.step()
        np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_zero_dim_state_loaded_as_a_scalar_still_updates():
    # A state dict may hold NumPy scalars for 0-d parameters (from a file, or
    # written by hand); loading it gives arrays that step() can update in place.
    kw = dict(lr=0.1, momentum=0.9, weight_decay=0.1)
    p, opt = run(optim.SGD, 1.5, SCALAR_GRADS[:2], **kw)
    sd = opt.state_dict()
    sd["state"][0]["momentum_buffer"] = np.float64(sd["state"][0]["momentum_buffer"])
    q = leaf(p.data.copy())
    opt2 = optim.SGD([q], lr=1.0)
    opt2.load_state_dict(sd)
    assert isinstance(opt2.state[q]["momentum_buffer"], np.ndarray)
    for g in SCALAR_GRADS[2:]:
        set_grad(q, g)
        opt2.step()
    np.testing.assert_allclose(q.data, ref_sgd(1.5, SCALAR_GRADS, **kw), rtol=1e-12)


# --- argument types ------------------------------------------------------------------
@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam, optim.AdamW])
@pytest.mark.parametrize("lr", ["0.1", None, [0.1], True, np.array([0.1])])
def test_non_number_lr_raises_type_error(cls, lr):
    with pytest.raises(TypeError, match=rf"{cls.__name__}: learning rate lr must be a real "
                                        r"number, got"):
        cls([leaf([1.0])], lr=lr)
    with pytest.raises(TypeError, match="learning rate lr"):
        cls([{"params": [leaf([1.0])], "lr": lr}], lr=0.1)


@pytest.mark.parametrize("make,match", [
    (lambda p: optim.SGD([p], lr=0.1, momentum="0.9"), "SGD: momentum"),
    (lambda p: optim.SGD([p], lr=0.1, weight_decay=None), "SGD: weight_decay"),
    (lambda p: optim.Adam([p], betas=("0.9", 0.999)), r"Adam: beta1 \(betas\[0\]\)"),
    (lambda p: optim.AdamW([p], eps=None), "AdamW: eps"),
])
def test_non_number_hyper_parameters_raise_type_error(make, match):
    with pytest.raises(TypeError, match=match):
        make(leaf([1.0]))


def test_numpy_numbers_are_accepted_as_hyper_parameters():
    opt = optim.SGD([leaf([1.0])], lr=np.float32(0.5), momentum=np.float64(0.5),
                    weight_decay=np.int64(0))
    assert opt.param_groups[0]["lr"] == 0.5


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam, optim.AdamW])
def test_a_module_or_a_tensor_as_params_says_what_to_pass(cls):
    import nn
    for model in (nn.MLP([2, 3, 1], seed=0), nn.Linear(2, 3),
                  nn.Sequential(nn.Linear(2, 3), nn.ReLU())):    # Sequential iterates
        with pytest.raises(TypeError, match=rf"{cls.__name__} got a Module "
                                            rf"\({type(model).__name__}\).*"
                                            r"model\.parameters\(\)"):
            cls(model, lr=0.1)
        with pytest.raises(TypeError, match=r"model\.parameters\(\)"):
            cls([{"params": model}], lr=0.1)
        with pytest.raises(TypeError, match=r"parameter 0 is a Module.*model\.parameters"):
            cls([model], lr=0.1)
    with pytest.raises(TypeError, match=rf"{cls.__name__}: params should be an iterable.*"
                                        r"single Tensor"):
        cls(leaf([1.0]), lr=0.1)
    with pytest.raises(TypeError, match=rf"{cls.__name__}: params should be an iterable.*int"):
        cls(3, lr=0.1)


# -- optimizer steps are writes: a graph made before a step refuses a second backward --
@pytest.mark.parametrize("make", [lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
                                  lambda ps: optim.Adam(ps, lr=0.1),
                                  lambda ps: optim.AdamW(ps, lr=0.1)])
def test_backward_after_a_step_through_an_old_graph_raises(make):
    lin = nn.Linear(3, 2, seed=0)
    opt = make(list(lin.parameters()))
    x = ag.tensor(np.ones((4, 3), dtype=np.float32))
    loss = (lin(x) ** 2).sum()
    loss.backward(retain_graph=True)
    before = lin.weight.grad.data.copy()
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        loss.backward()
    np.testing.assert_array_equal(lin.weight.grad.data, before)


def test_a_step_bumps_the_version_of_every_updated_parameter():
    lin = nn.Linear(3, 2, seed=0)
    opt = optim.SGD(lin.parameters(), lr=0.1)
    (lin(ag.tensor(np.ones((1, 3), dtype=np.float32)))).sum().backward()
    versions = [p._version for p in lin.parameters()]
    opt.step()
    assert [p._version for p in lin.parameters()] == [v + 1 for v in versions]


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam, optim.AdamW])
def test_parameters_method_without_the_call_says_to_call_it(cls):
    model = nn.Linear(2, 3, seed=0)
    with pytest.raises(TypeError, match=r"got method \(call it: model\.parameters\(\)\)"):
        cls(model.parameters, lr=0.1)
    with pytest.raises(TypeError, match=r"'params'.*got method \(call it"):
        cls([{"params": model.parameters}], lr=0.1)


def test_load_state_dict_of_another_optimizer_is_refused_and_changes_nothing():
    a = leaf([1.0, 2.0])
    sgd = optim.SGD([a], lr=0.1, momentum=0.9)
    set_grad(a, [1.0, 1.0])
    sgd.step()
    adam = optim.Adam([a], lr=0.01)
    with pytest.raises(ValueError, match=r"Adam.load_state_dict: parameter group 0 has "
                                         r"option\(s\) \['dampening', 'momentum', "
                                         r"'nesterov'\].*lacks \['amsgrad', 'betas', "
                                         r"'eps'\].*another optimiser"):
        adam.load_state_dict(sgd.state_dict())
    with pytest.raises(ValueError, match=r"SGD.load_state_dict.*another optimiser"):
        optim.SGD([a], lr=0.1).load_state_dict(adam.state_dict())
    assert adam.state == {} and adam.param_groups[0]["lr"] == 0.01
    set_grad(a, [1.0, 1.0])
    adam.step()                                   # still a working Adam
    # Adam and AdamW share their options: either loads the other's state.
    optim.AdamW([a]).load_state_dict(adam.state_dict())
    # A key added to a group (by a schedule, say) is not another optimiser's.
    adam.param_groups[0]["initial_lr"] = 0.01
    again = optim.Adam([a])
    again.load_state_dict(adam.state_dict())
    assert again.param_groups[0]["initial_lr"] == 0.01


@pytest.mark.parametrize("bad", [
    {"state": {}, "param_groups": [{"lr": 0.1}]},
    {"state": {}, "param_groups": [[0]]},
    {"state": [], "param_groups": [{"lr": 0.1, "params": [0]}]},
    {"state": {0: [1.0]}, "param_groups": [{"lr": 0.1, "params": [0]}]},
])
def test_malformed_optimizer_state_dicts_are_value_errors(bad):
    with pytest.raises(ValueError, match="SGD.load_state_dict"):
        optim.SGD([leaf([1.0])], lr=0.1).load_state_dict(bad)
