"""autograd_core.viz.compare: deep models side by side, one box per layer, one scale.

Read from the DOT source, so these run without Graphviz.
"""
import re

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import viz
from autograd_core.viz import style


def deep_net(kind, n=8, seed=0):
    """``n`` layers scoped as ``nn`` does (Net/layers/<i>), with the loss in its own scope.

    "sigmoid": Linear and Sigmoid as separate layers, small weights (the
    gradient vanishes); "residual": h + relu(h @ W) blocks (it does not).
    Returns (loss, first weight).
    """
    rng = np.random.default_rng(seed)
    h = ag.tensor(rng.standard_normal((16, 8)))
    weights = []
    with ag.scope("Net"), ag.scope("layers"):
        for i in range(n):
            W = ag.tensor(rng.standard_normal((8, 8)) * (0.01 if kind == "sigmoid" else 0.3),
                          requires_grad=True)
            weights.append(W)
            if kind == "sigmoid":
                with ag.scope(str(2 * i)):
                    h = h @ W
                with ag.scope(str(2 * i + 1)):
                    h = h.sigmoid()
            else:
                with ag.scope(str(i)):
                    h = h + (h @ W).relu()
    with ag.scope("loss"):
        loss = (h * h).mean()
    return loss, weights[0]


def group_colours(drawing):
    """{scope path of a collapsed box: its border colour}."""
    return {scope: colour for colour, scope in re.findall(
        r'\[label=<.*?> color="(#[0-9a-f]{6})"[^\]]*tooltip="scope ([^"]+) \(collapsed\)"',
        drawing.source)}


def test_depth_layers_draws_one_box_per_layer_under_a_loss_scope():
    loss, _ = deep_net("sigmoid", n=4)
    d = viz.draw_graph(loss, depth="layers")
    assert sorted(group_colours(d)) == sorted(f"Net/layers/{i}" for i in range(8))
    assert d.notes == ()
    with pytest.raises(ValueError, match='depth= must be an int >= 0 .* or "layers"'):
        viz.draw_graph(loss, depth="layer")


def test_compare_gradients_runs_each_backward_and_shares_one_scale():
    (sig, w_sig), (res, w_res) = deep_net("sigmoid"), deep_net("residual")
    a, b = viz.compare_gradients([sig, res], titles=["sigmoid", "residual"])
    assert w_sig.grad is not None and w_res.grad is not None      # backward ran
    assert a.scale == b.scale
    assert "one colour scale for 2 drawings" in a.source and "residual" in b.source
    ca, cb = group_colours(a), group_colours(b)
    assert len(ca) == 16 and len(cb) == 8                          # one box per layer
    # The vanishing gradient: cold at the sigmoid net's input, warm at its
    # output and all along the residual one.
    assert ca["Net/layers/0"] in style.PALETTE[:2]
    assert ca["Net/layers/15"] in style.PALETTE[-2:]
    assert {cb[f"Net/layers/{i}"] for i in range(8)} <= set(style.PALETTE[-2:])
    # A layer without parameters is coloured by the gradient of its output.
    assert ca["Net/layers/1"] != "#555555" and "grad norm of output" in a.source
    assert not re.search(r">steps? \d", a.source)                 # steps=False


def test_compare_gradients_draws_given_recordings_and_refuses_a_freed_graph():
    loss, w = deep_net("residual", n=3)
    with viz.record_backward() as rec:
        loss.backward()
    grad = w.grad.numpy().copy()
    (d,) = viz.compare_gradients([loss], recordings=rec)
    assert np.array_equal(w.grad.numpy(), grad)                    # nothing ran again
    assert d.counts["steps"] > 0
    with pytest.raises(RuntimeError, match=r"roots\[0\]'s graph was freed .* recordings="):
        viz.compare_gradients([loss])
    with pytest.raises(ValueError, match=r"roots\[0\] is a leaf"):
        viz.compare_gradients([w])
    with pytest.raises(TypeError, match=r"recordings\[0\] must be"):
        viz.compare_gradients([loss], recordings=[loss])
