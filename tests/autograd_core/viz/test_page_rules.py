"""autograd_core.viz.backward_html: step 0 (the output and its seed gradient), the
local rule of each op in one line, and notes where a broadcast gradient is summed back.
"""
import json
import re
import shutil

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core import viz
from autograd_core.viz import page
from autograd_core.viz.model import walk

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")


def data_of(p):
    m = re.search(r"<script>const DATA = (.*?);</script>", p.html, re.S)
    return json.loads(m.group(1))


def mlp():
    model = nn.Sequential(nn.Linear(4, 8, seed=0), nn.ReLU(), nn.Linear(8, 3, seed=1))
    x = ag.tensor(np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32))
    return model, F.cross_entropy(model(x), np.array([0, 2, 1, 1, 0]))


@needs_dot
def test_step_zero_shows_the_output_and_the_seed_gradient_one():
    model, loss = mlp()
    value = float(loss.item())
    p = viz.backward_html(loss)
    start = data_of(p)["start"]
    assert "seeded with <b><code>1</code></b>" in start["text"]
    assert "d output / d output = 1" in start["text"]
    assert f"{value:.4g}"[:4] in start["text"]
    assert start["box"] is not None and f'id="{start["box"]}"' in p.html
    assert "Step 0 of" in p.html                     # the script's step-0 panel


@needs_dot
def test_step_zero_of_a_given_gradient():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    p = viz.backward_html(x * 3, gradient=ag.tensor([0.5, 2.0]))
    start = data_of(p)["start"]
    assert "[0.5, 2]" in start["text"] and "gradient</code> given to" in start["text"]


@needs_dot
def test_each_op_step_states_its_rule():
    model, loss = mlp()
    steps = data_of(viz.backward_html(loss))["steps"]
    rules = {s["text"].split("</b>")[0].replace("<b>", ""): s["rule"]
             for s in steps if s["kind"] == "op"}
    assert rules["CrossEntropy"].startswith("CrossEntropy: grad of the logits")
    assert rules["Relu"] == "ReLU: grad of x = grad × (x &gt; 0)"
    assert rules["Linear"].startswith("Linear (x @ W.T + b): grad of x = grad @ W")
    assert all(s["rule"] is None for s in steps if s["kind"] == "leaf")
    # The data x gets no gradient, and the step says so.
    lin = [s for s in steps if s["kind"] == "op" and "Sequential/0" in s["text"]][0]
    assert "No gradient for <b>x</b>" in lin["text"]


def test_rule_table_and_fallback():
    assert page.rule_text("Mul") == "Mul: grad of a = grad × b, grad of b = grad × a"
    assert page.rule_text("Matmul") == "Matmul: grad of A = grad @ B.T, grad of B = A.T @ grad"
    assert page.rule_text("Sum") == "Sum: the gradient is broadcast back to the input's shape"
    assert page.rule_text("Frobnicate").startswith("Frobnicate: its backward multiplies")


def test_rules_cover_the_ops_of_mlps_and_convnets():
    rng = np.random.default_rng(0)
    conv = nn.Sequential(nn.Conv2d(1, 2, 3, seed=0), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(2 * 3 * 3, 4, seed=1), nn.Tanh(), nn.Linear(4, 3, seed=2))
    x = rng.standard_normal((2, 1, 8, 8)).astype(np.float32)
    losses = [F.cross_entropy(conv(x), np.array([0, 1])),
              F.mse_loss(nn.MLP([3, 4, 2])(rng.standard_normal((2, 3)).astype(np.float32)),
                         np.zeros((2, 2), np.float32)),
              nn.AvgPool2d(2)(ag.tensor(x, requires_grad=True)).sigmoid().mean()]
    norm = nn.Sequential(nn.Linear(3, 4, seed=3), nn.BatchNorm1d(4), nn.GELU(), nn.Dropout(0.5),
                         nn.LayerNorm(4), nn.Linear(4, 2, seed=4))
    losses.append(F.cross_entropy(norm(rng.standard_normal((5, 3)).astype(np.float32)),
                                  np.array([0, 1, 0, 1, 1]), label_smoothing=0.1))
    for loss in losses:
        ops = {e.name for e in walk(loss).elems if e.kind == "op"}
        assert ops <= set(page.RULES), ops - set(page.RULES)


@needs_dot
def test_broadcast_gradients_are_said_to_be_summed_back():
    a = ag.tensor(np.ones((2, 3)), requires_grad=True, name="a")
    b = ag.tensor(np.ones(3), requires_grad=True, name="b")
    steps = data_of(viz.backward_html(((a * b) ** 2).sum()))["steps"]
    mul = [s for s in steps if s["text"].startswith("<b>Mul</b>")][0]
    (note,) = mul["notes"]
    assert "<b>b</b>" in note and "broadcast to 2×3" in note and "sum_to" in note
    assert all(not s["notes"] for s in steps if s is not mul)   # same shapes: no note
    # Shapes that differ for other reasons (Matmul, Sum) are not broadcasts.
    W = ag.tensor(np.ones((3, 2)), requires_grad=True)
    steps = data_of(viz.backward_html((a @ W).sum()))["steps"]
    assert all(not s["notes"] for s in steps)


@needs_dot
def test_edges_from_constants_never_light_up():
    model, loss = mlp()
    data = data_of(viz.backward_html(loss))
    none = [e for e in data["edges"].values() if e["none"]]
    assert len(none) == 2 and all(e["known"] is None for e in none)    # x and the targets
