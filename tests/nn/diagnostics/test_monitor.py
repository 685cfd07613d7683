"""GradientMonitor: exact values on networks whose gradients are known by hand,
which steps it records, and that it leaves nothing behind."""
import math

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from nn import data, optim
from nn.diagnostics import OUTPUT_METRICS, PARAM_METRICS, GradientMonitor

F64 = np.float64
QS = (15, 50, 85, 98)


def linear(n_in, n_out, weight, bias=None):
    """A float64 Linear layer with the given weight (out, in) and bias (zeros if None)."""
    lin = nn.Linear(n_in, n_out, dtype=F64)
    with ag.no_grad():
        lin.weight.data[...] = weight
        lin.bias.data[...] = 0.0 if bias is None else bias
    return lin


def value(mon, metric, layer, param=None, step=0):
    rows = [r for r in mon.table(metric=metric, layer=layer, param=param) if r["step"] == step]
    assert len(rows) == 1, (metric, layer, param, rows)
    return rows[0]["value"]


def train_step(model, mon, x, target, opt=None):
    loss = F.mse_loss(model(x), target)
    if opt is not None:
        opt.zero_grad()
    loss.backward()
    if opt is not None:
        opt.step()
    mon.step()
    return loss


# -- closed forms -------------------------------------------------------------------
def test_linear_chain_matches_the_gradients_worked_out_by_hand():
    # h = x W1^T = x (W1 = I), y = h W2^T = 2x (W2 = 2I), loss = mean(y^2) over the
    # 6 elements (target 0). Then dL/dy = 2y/6 = (2/3) x, dL/dh = W2^T dL/dy = (4/3) x,
    # dL/dW2 = (dL/dy)^T h = (2/3) x^T x, dL/dW1 = (dL/dh)^T x = (4/3) x^T x, and each
    # bias gradient is the batch sum of its output's gradient.
    x = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]])
    model = nn.Sequential(linear(3, 3, np.eye(3)), linear(3, 3, 2 * np.eye(3)))
    mon = GradientMonitor(model)
    train_step(model, mon, ag.tensor(x), ag.tensor(np.zeros((2, 3))))
    g_y, g_h = (2 / 3) * x, (4 / 3) * x
    expected = {
        ("1", None, "out_grad_norm"): np.linalg.norm(g_y),
        ("1", None, "out_grad_std"): g_y.std(),
        ("0", None, "out_grad_norm"): np.linalg.norm(g_h),
        ("0", None, "out_grad_std"): g_h.std(),
        ("1", "weight", "grad_norm"): np.linalg.norm((2 / 3) * x.T @ x),
        ("0", "weight", "grad_norm"): np.linalg.norm((4 / 3) * x.T @ x),
        ("1", "bias", "grad_norm"): np.linalg.norm(g_y.sum(axis=0)),
        ("0", "bias", "grad_norm"): np.linalg.norm(g_h.sum(axis=0)),
        ("0", "weight", "grad_data_ratio"): ((4 / 3) * x.T @ x).std() / np.eye(3).std(),
        ("1", "weight", "grad_data_ratio"): ((2 / 3) * x.T @ x).std() / (2 * np.eye(3)).std(),
        ("0", None, "act_mean"): x.mean(),
        ("0", None, "act_std"): x.std(),
        ("1", None, "act_mean"): (2 * x).mean(),
        ("1", None, "act_std"): (2 * x).std(),
    }
    for q in QS:
        expected[("0", None, f"act_p{q}")] = np.percentile(x, q)
        expected[("1", None, f"act_p{q}")] = np.percentile(2 * x, q)
    for (layer, param, metric), want in expected.items():
        assert value(mon, metric, layer, param) == pytest.approx(want, rel=1e-12), metric
    # No optimizer step: the parameters did not move.
    assert value(mon, "update_data_ratio", "0", "weight") == 0.0
    # Zero biases have no spread: their ratios are undefined.
    assert math.isnan(value(mon, "grad_data_ratio", "0", "bias"))
    assert mon.layers == ["0", "1"]


def test_sigmoid_layer_saturation_and_gradient():
    # Inputs chosen so that 4 of 6 sigmoid outputs lie within 0.03 of 0 or 1; with
    # loss = sum(sigmoid(z)) the gradient into the sigmoid's output is all ones and
    # into its input sigmoid'(z) = s (1 - s).
    z = np.array([[-10.0, -5.0, 0.0], [1.0, 5.0, 10.0]])
    model = nn.Sequential(linear(3, 3, np.eye(3)), nn.Sigmoid())
    mon = GradientMonitor(model)
    model(ag.tensor(z)).sum().backward()
    mon.step()
    s = 1 / (1 + np.exp(-z))
    assert value(mon, "act_saturated", "1") == pytest.approx(4 / 6)
    assert value(mon, "out_grad_norm", "1") == pytest.approx(math.sqrt(6))
    assert value(mon, "out_grad_norm", "0") == pytest.approx(np.linalg.norm(s * (1 - s)))
    assert value(mon, "act_mean", "1") == pytest.approx(s.mean())
    assert not mon.table(metric="act_saturated", layer="0")     # a Linear: not recorded
    assert not mon.table(metric="act_dead")                     # no ReLU here


def test_tanh_saturation():
    z = np.array([[-3.0, -1.0, 0.0], [0.5, 2.5, 3.0]])        # |tanh| > 0.97 for 3 of 6
    model = nn.Sequential(nn.Tanh())
    mon = GradientMonitor(model)
    model(ag.tensor(z, requires_grad=True)).sum().backward()
    mon.step()
    assert value(mon, "act_saturated", "0") == pytest.approx(3 / 6)


def test_relu_dead_units():
    # Units 1 and 2 are zero for both samples: half the units are dead.
    z = np.array([[1.0, -1.0, 0.0, 2.0], [-3.0, -2.0, 0.0, 1.0]])
    model = nn.Sequential(linear(4, 4, np.eye(4)), nn.ReLU())
    mon = GradientMonitor(model)
    model(ag.tensor(z)).sum().backward()
    mon.step()
    assert value(mon, "act_dead", "1") == 0.5
    relu_out = np.maximum(z, 0)
    for q in QS:
        assert value(mon, f"act_p{q}", "1") == pytest.approx(np.percentile(relu_out, q))
    assert not mon.table(metric="act_dead", layer="0")


def test_update_ratio_of_a_plain_sgd_step():
    # SGD moves each parameter by -lr * grad, so std(update) / std(param) is
    # lr * std(grad) / std(param), with param.std() taken after the step.
    model = nn.Sequential(nn.Linear(4, 3, dtype=F64, seed=0), nn.Tanh(),
                          nn.Linear(3, 2, dtype=F64, seed=1))
    lr = 0.1
    opt = optim.SGD(model.parameters(), lr=lr)
    mon = GradientMonitor(model)
    x = ag.tensor(np.random.default_rng(0).standard_normal((5, 4)))
    train_step(model, mon, x, ag.tensor(np.ones((5, 2))), opt)
    for layer in ("0", "2"):
        for name in ("weight", "bias"):
            p = model.get_submodule(layer)._parameters[name]
            want = lr * p.grad.data.std() / p.data.std()
            assert value(mon, "update_data_ratio", layer, name) == pytest.approx(want, rel=1e-9)
            assert value(mon, "grad_data_ratio", layer, name) == pytest.approx(
                p.grad.data.std() / p.data.std(), rel=1e-9)


@pytest.mark.parametrize("sample_size", [1024, None])
def test_large_parameters(sample_size):
    # 200 x 100 = 20,000 weights: more than the default sample, so the stds are
    # estimates; the norm is always exact, and sample_size=None makes all exact.
    model = nn.Sequential(nn.Linear(100, 200, dtype=F64, seed=0))
    lr = 0.01
    opt = optim.SGD(model.parameters(), lr=lr)
    mon = GradientMonitor(model, sample_size=sample_size)
    x = ag.tensor(np.random.default_rng(1).standard_normal((16, 100)))
    train_step(model, mon, x, ag.tensor(np.zeros((16, 200))), opt)
    w = model[0].weight
    g = w.grad.data
    assert value(mon, "grad_norm", "0", "weight") == pytest.approx(np.linalg.norm(g), rel=1e-9)
    rel = 0.1 if sample_size else 1e-9
    assert value(mon, "update_data_ratio", "0", "weight") == pytest.approx(
        lr * g.std() / w.data.std(), rel=rel)
    assert value(mon, "grad_data_ratio", "0", "weight") == pytest.approx(
        g.std() / w.data.std(), rel=rel)


@pytest.mark.parametrize("sample_size", [1024, None])
def test_large_outputs(sample_size):
    # 64 x 200 = 12,800 values per output: more than the default sample of 1024.
    # Means, norms and fractions are exact; the stds and percentiles of the
    # outputs and the std of their gradients are estimated from the sample,
    # unless sample_size=None.
    model = nn.Sequential(nn.Linear(100, 200, dtype=F64, seed=0), nn.ReLU())
    mon = GradientMonitor(model, sample_size=sample_size)
    x = np.random.default_rng(2).standard_normal((64, 100))
    out = model[0](ag.tensor(x)).numpy()
    w = ag.tensor(np.random.default_rng(3).standard_normal((64, 200)))
    (model(ag.tensor(x)) * w).sum().backward()
    mon.step()
    relu = np.maximum(out, 0)
    g_out = w.numpy() * (out > 0)
    rel = 0.1 if sample_size else 1e-9          # the estimates: see test_samples.py
    assert value(mon, "act_mean", "0") == pytest.approx(out.mean(), rel=1e-9, abs=1e-12)
    assert value(mon, "act_std", "0") == pytest.approx(out.std(), rel=rel)
    assert value(mon, "act_mean", "1") == pytest.approx(relu.mean(), rel=1e-9)
    assert value(mon, "act_std", "1") == pytest.approx(relu.std(), rel=rel)
    assert value(mon, "act_dead", "1") == np.mean(~relu.any(axis=0))
    assert value(mon, "out_grad_norm", "0") == pytest.approx(np.linalg.norm(g_out), rel=1e-9)
    assert value(mon, "out_grad_std", "0") == pytest.approx(g_out.std(), rel=rel)
    assert value(mon, "out_grad_norm", "1") == pytest.approx(np.linalg.norm(w.numpy()), rel=1e-9)
    assert value(mon, "out_grad_std", "1") == pytest.approx(w.numpy().std(), rel=rel)
    for q in QS:                         # within 0.05 in probability of the truth
        got = value(mon, f"act_p{q}", "0")
        if sample_size is None:
            assert got == pytest.approx(np.percentile(out, q), rel=1e-9)
        else:
            assert np.percentile(out, max(q - 5, 0)) <= got <= np.percentile(out, min(q + 5, 100))


def test_non_finite_activations_give_nan_statistics():
    model = nn.Sequential(nn.Tanh())
    mon = GradientMonitor(model, histogram_steps=[0])
    x = ag.tensor(np.array([[np.nan, 1.0], [0.0, 2.0]]), requires_grad=True)
    model(x).sum().backward()
    mon.step()
    for metric in ("act_mean", "act_std", "act_p15", "act_p98"):
        assert math.isnan(value(mon, metric, "0"))
    counts, _ = mon.histograms[(0, "0", "activation")]
    assert counts.sum() == 3                      # the NaN is left out


# -- which steps ------------------------------------------------------------------------
def small_mlp(**kw):
    return nn.MLP([3, 8, 8, 2], activation="tanh", seed=0, **kw)


def run_steps(model, mon, n, seed=0):
    rng = np.random.default_rng(seed)
    opt = optim.SGD(model.parameters(), lr=0.05)
    for _ in range(n):
        x = ag.tensor(rng.standard_normal((6, 3)).astype(np.float32))
        loss = F.cross_entropy(model(x), ag.tensor(rng.integers(0, 2, 6)))
        opt.zero_grad()
        loss.backward()
        opt.step()
        mon.step()


def test_monitoring_leaves_training_bit_for_bit_unchanged():
    plain, watched = small_mlp(norm="batch"), small_mlp(norm="batch")
    run_steps(plain, GradientMonitor(small_mlp()), 4)          # a monitor on another model
    mon = GradientMonitor(watched, histogram_steps=(0, 2))
    run_steps(watched, mon, 4)
    for (name, a), (_, b) in zip(plain.state_dict().items(), watched.state_dict().items()):
        np.testing.assert_array_equal(a, b, err_msg=name)


def test_every_n_records_only_every_nth_step():
    model = small_mlp()
    mon = GradientMonitor(model, every=3)
    run_steps(model, mon, 7)
    assert sorted({r["step"] for r in mon.records}) == [0, 3, 6]
    steps, values = mon.series("act_std", "layers.1")
    np.testing.assert_array_equal(steps, [0, 3, 6])
    assert values.dtype == np.float64 and np.isfinite(values).all()
    assert mon.step_index == 7


def test_every_recorded_step_has_every_metric_of_every_layer():
    model = small_mlp()
    mon = GradientMonitor(model)
    run_steps(model, mon, 2)
    assert mon.layers == ["layers.0", "layers.1", "layers.2", "layers.3", "layers.4"]
    for step in (0, 1):
        rows = [r for r in mon.records if r["step"] == step]
        for layer in mon.layers:
            got = {r["metric"] for r in rows if r["layer"] == layer and r["param"] is None}
            want = set(OUTPUT_METRICS) - {"act_dead"}
            if mon.kind(layer) != "tanh":
                want -= {"act_saturated"}
            assert got == want, layer
            for name in mon.param_names(layer):
                got = {r["metric"] for r in rows if r["layer"] == layer and r["param"] == name}
                assert got == set(PARAM_METRICS)
    r = mon.records[0]
    assert set(r) == {"step", "layer", "param", "metric", "value"}
    assert all(type(r["value"]) is float for r in mon.records)
    assert all(type(r["step"]) is int for r in mon.records)


def test_histograms_only_at_the_chosen_steps():
    model = small_mlp()
    mon = GradientMonitor(model, every=3, histogram_steps=(1, 4), bins=7)
    run_steps(model, mon, 6)
    assert {s for s, _, _ in mon.histograms} == {1, 4}
    assert {k for _, _, k in mon.histograms} == {"activation", "gradient"}
    assert {layer for _, layer, _ in mon.histograms} == set(mon.layers)
    counts, edges = mon.histograms[(1, "layers.1", "activation")]
    assert counts.sum() == 6 * 8 and edges.shape == (8,)
    counts, _ = mon.histograms[(4, "layers.0", "gradient")]
    assert counts.sum() == 6 * 8
    # Histogram steps need not be recorded steps.
    assert not [r for r in mon.records if r["step"] in (1, 4)]


def test_eval_forwards_are_not_recorded():
    model = small_mlp()
    mon = GradientMonitor(model)
    model.eval()
    model(ag.tensor(np.ones((2, 3), np.float32)))
    mon.step()
    assert not mon.table(metric="act_mean")
    model.train()
    run_steps(model, mon, 1)
    assert {r["step"] for r in mon.table(metric="act_mean")} == {1}


def test_the_last_forward_of_a_step_counts():
    model = nn.Sequential(nn.Linear(2, 2, dtype=F64, seed=0))
    mon = GradientMonitor(model)
    model(ag.tensor(np.full((3, 2), 100.0)))       # e.g. a batch that was skipped
    x = ag.tensor(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
    out = model(x)
    out.sum().backward()
    mon.step()
    assert value(mon, "act_mean", "0") == pytest.approx(out.data.mean())
    assert value(mon, "out_grad_norm", "0") == pytest.approx(math.sqrt(6))


def test_a_module_called_twice_counts_its_first_call():
    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = linear(2, 2, 2 * np.eye(2))

        def forward(self, x):
            return self.lin(self.lin(x))

    model = Twice()
    mon = GradientMonitor(model)
    x = np.array([[1.0, 3.0]])
    model(ag.tensor(x)).sum().backward()
    mon.step()
    assert value(mon, "act_mean", "lin") == pytest.approx((2 * x).mean())
    assert value(mon, "out_grad_norm", "lin") == pytest.approx(2 * math.sqrt(2))


# -- any module ---------------------------------------------------------------------
class UserNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 5, seed=0)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(5, 2, seed=1)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


def test_works_on_a_user_written_module():
    model = UserNet()
    mon = GradientMonitor(model)
    run_steps(model, mon, 2)
    assert mon.layers == ["fc1", "act", "fc2"]
    assert {r["layer"] for r in mon.table(metric="out_grad_norm")} == {"fc1", "act", "fc2"}
    assert len(mon.series("act_dead", "act")[0]) == 2
    assert len(mon.series("grad_norm", "fc2", "weight")[1]) == 2


def test_an_activation_subclass_with_its_own_forward_is_not_assumed_to_be_one():
    class Doubling(nn.ReLU):
        def forward(self, x):
            return x * 2

    model = nn.Sequential(nn.ReLU(), Doubling())
    mon = GradientMonitor(model)
    model(ag.tensor(-np.ones((2, 2)), requires_grad=True)).sum().backward()
    mon.step()
    assert mon.kind("0") == "relu" and mon.kind("1") is None
    assert {r["layer"] for r in mon.table(metric="act_dead")} == {"0"}


def test_residual_blocks_are_monitored_by_their_inner_paths():
    model = nn.MLP([4, 4, 4, 2], residual=True, seed=0)
    mon = GradientMonitor(model)
    assert mon.layers == ["layers.0.module.0", "layers.0.module.1", "layers.1.module.0",
                          "layers.1.module.1", "layers.2"]
    model(ag.tensor(np.ones((3, 4), np.float32))).sum().backward()
    mon.step()
    assert {r["layer"] for r in mon.table(metric="act_mean")} == set(mon.layers)


def test_chosen_layers_only():
    model = nn.MLP([4, 4, 4, 2], residual=True, seed=0)
    mon = GradientMonitor(model, layers=["layers.2", "layers.0"])
    model(ag.tensor(np.ones((3, 4), np.float32))).sum().backward()
    mon.step()
    assert mon.layers == ["layers.0", "layers.2"]
    assert {r["layer"] for r in mon.records} == {"layers.0", "layers.2"}
    # A container's parameters are named relative to it.
    assert mon.param_names("layers.0") == ["module.0.weight", "module.0.bias"]


# -- leaving nothing behind -----------------------------------------------------------
def hook_state(model):
    return {name: (dict(m._forward_hooks), dict(m._forward_pre_hooks))
            for name, m in model.named_modules()}


def test_remove_leaves_no_hook():
    model = small_mlp()
    before = hook_state(model)
    mon = GradientMonitor(model)
    assert hook_state(model) != before
    x = ag.tensor(np.ones((2, 3), np.float32))
    model(x).sum().backward()               # hooks on this step's tensors too
    mon.remove()
    mon.remove()                            # harmless twice
    assert hook_state(model) == before
    # Empty hook dicts: Module.__call__ skips its hook loops, as never monitored.
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())
    n = len(mon.records)
    model(x).sum().backward()
    assert len(mon.records) == n
    with pytest.raises(RuntimeError, match="removed"):
        mon.step()


def test_context_manager_removes_the_hooks():
    model = small_mlp()
    before = hook_state(model)
    with GradientMonitor(model) as mon:
        run_steps(model, mon, 1)
    assert hook_state(model) == before
    assert mon.records                      # results stay readable


def test_a_graph_from_an_earlier_step_does_not_write_into_the_current_one():
    model = nn.Sequential(nn.Linear(2, 2, dtype=F64, seed=0))
    mon = GradientMonitor(model)
    old = model(ag.tensor(np.ones((1, 2)))).sum()
    mon.step()                               # step 0 ends without a backward
    old.backward()
    mon.step()
    assert not mon.table(metric="out_grad_norm")


# -- fit ----------------------------------------------------------------------------
def test_fit_calls_step_after_each_optimizer_step():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 3)).astype(np.float32)
    y = rng.integers(0, 2, 30)
    model = small_mlp()
    mon = GradientMonitor(model, every=2)
    loader = data.DataLoader(X, y, batch_size=10)
    nn.fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), loader,
           epochs=2, progress=False, val_data=(X, y), monitor=mon)
    assert mon.step_index == 6               # 3 batches x 2 epochs
    assert sorted({r["step"] for r in mon.records}) == [0, 2, 4]
    assert all(v > 0 for v in mon.series("update_data_ratio", "layers.0", "weight")[1])


def test_fit_rejects_a_monitor_without_step():
    with pytest.raises(TypeError, match="monitor"):
        nn.fit(small_mlp(), nn.CrossEntropyLoss(), optim.SGD(small_mlp().parameters(), lr=0.1),
               data.DataLoader(np.ones((2, 3), np.float32), np.zeros(2, int), batch_size=2),
               progress=False, monitor=object())


# -- results and arguments -------------------------------------------------------------
def test_table_and_series_helpers():
    model = small_mlp()
    mon = GradientMonitor(model)
    run_steps(model, mon, 3)
    rows = mon.table(metric="grad_norm", layer="layers.0")
    assert {(r["param"], r["step"]) for r in rows} == {(p, s) for p in ("weight", "bias")
                                                      for s in range(3)}
    assert mon.table(metric=["act_p15", "act_p98"], layer="layers.4", param=None)
    with pytest.raises(ValueError, match="param="):
        mon.series("grad_norm", "layers.0")
    with pytest.raises(ValueError, match="unknown metric"):
        mon.series("grad_nrom", "layers.0")
    with pytest.raises(ValueError, match="not a monitored layer"):
        mon.series("act_mean", "layers.9")
    with pytest.raises(ValueError, match="no parameter"):
        mon.series("grad_norm", "layers.0", "gamma")
    steps, values = mon.series("act_saturated", "layers.0")     # a Linear: nothing
    assert steps.size == 0 and values.size == 0
    assert len(mon.records) == len(mon.table())
    assert "GradientMonitor(MLP" in repr(mon)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"every": 0}, ValueError, "every"),
    ({"every": 1.5}, TypeError, "every"),
    ({"layers": ["layers.7"]}, ValueError, "layers.7"),
    ({"layers": [3]}, TypeError, "layers"),
    ({"bins": 0}, ValueError, "bins"),
    ({"bins": [1.0, 0.0]}, ValueError, "bins"),
    ({"histogram_steps": [-1]}, ValueError, "histogram_steps"),
    ({"sample_size": 0}, ValueError, "sample_size"),
])
def test_argument_errors_name_the_class_and_argument(kwargs, error, match):
    with pytest.raises(error, match=match) as info:
        GradientMonitor(small_mlp(), **kwargs)
    assert "GradientMonitor" in str(info.value)


def test_model_must_be_a_module():
    with pytest.raises(TypeError, match="GradientMonitor: model must be an nn.Module"):
        GradientMonitor(lambda x: x)


def test_importable_from_nn():
    from nn import diagnostics
    assert diagnostics.GradientMonitor is GradientMonitor


def test_to_frame():
    pd = pytest.importorskip("pandas")
    model = small_mlp()
    mon = GradientMonitor(model)
    run_steps(model, mon, 2)
    frame = mon.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["step", "layer", "param", "metric", "value"]
    assert len(frame) == len(mon.records)
