"""autograd_core.viz: every input of every op is drawn (data, targets, constants),
parameters are named by their path in the model, and the legend explains every code.

Read from the DOT source and the walked graph, so these run without Graphviz.
"""
import gc
import weakref

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core import viz
from autograd_core.viz import inputs, labels, style
from autograd_core.viz.model import walk


def mlp_loss(seed=0):
    model = nn.Sequential(nn.Linear(4, 8, seed=seed), nn.ReLU(), nn.Linear(8, 3, seed=seed + 1))
    x = ag.tensor(np.random.default_rng(seed).standard_normal((5, 4)).astype(np.float32))
    y = np.array([0, 2, 1, 1, 0])
    return model, F.cross_entropy(model(x), y)


def consts(g):
    """{name of the consuming op: [const elements]}."""
    out = {}
    for e in g.elems:
        if e.kind == "const":
            out.setdefault(g.elems[e.op].name, []).append(e)
    return out


# -- 1. every input is drawn ------------------------------------------------------

def test_matmul_shows_its_data_input_with_shape():
    x = ag.tensor(np.ones((4, 3)))                       # data: no grad
    W = ag.tensor(np.ones((3, 2)), requires_grad=True)
    out = x @ W
    g = walk(out)
    (c,) = consts(g)["Matmul"]
    assert c.shape == (4, 3) and c.dtype == np.float64 and c.role == "a"
    assert c.value is None                               # 12 elements: too many to print
    # Both inputs of the Matmul are drawn: the constant and the leaf W.
    into = [s for s, d, _ in g.edges if g.elems[d].kind == "op"]
    assert sorted(g.elems[s].kind for s in into) == ["const", "leaf"]
    src = viz.draw_graph(out).source
    assert "4×3 float64, no grad" in src and ">Matmul input a<" in src
    assert g.counts()["constants"] == 1


def test_pow_exponent_and_scalars_are_constants_with_their_value():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (w ** 2 * 0.5).sum()
    cs = consts(walk(y))
    (p,) = cs["Pow"]
    (m,) = cs["Mul"]
    assert p.shape == () and p.value == 2 and p.role == "b"
    assert m.value == 0.5
    src = viz.draw_graph(y).source
    assert "= 2" in src and "= 0.5" in src
    # Titled so that a bare parameter letter is not mistaken for a user's tensor "b".
    assert ">exponent<" in src and ">Mul input b<" in src
    # Small grey boxes, with their own fill and border.
    assert style.FILL["const"] in src and style.BORDER["const"] in src


def test_loss_targets_are_drawn_with_their_values():
    _, loss = mlp_loss()
    cs = consts(walk(loss))
    (t,) = cs["CrossEntropy"]
    assert t.role == "target" and t.shape == (5,) and t.dtype == np.int64
    assert t.value.tolist() == [0, 2, 1, 1, 0]
    (x,) = cs["Linear"]                                  # the data, into the first layer
    assert x.role == "x" and x.shape == (5, 4)
    src = viz.draw_graph(loss).source
    assert "target" in src and "data [0, 2, 1, 1, 0]" in src and "5×4 float32, no grad" in src
    # The reduction ("mean") is an option, not an input: not drawn.
    assert ">mean<" not in src


def test_values_limit_and_compact_mode():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (w * np.array([3.0, 4.0])).sum()
    assert "data [3, 4]" in viz.draw_graph(y).source
    assert "data [3, 4]" not in viz.draw_graph(y, values=0).source
    # compact: the constant is a line in its op's box, not a box of its own.
    d = viz.draw_graph(y, compact=True)
    assert "input b 2 float64 [3, 4]" in d.source
    assert d.counts["boxes"] == 1 + 2 + 1                # leaf, 2 ops, output


def test_a_named_data_tensor_keeps_its_name():
    x = ag.tensor(np.ones((2, 3)), name="images")
    W = ag.tensor(np.ones((3, 2)), requires_grad=True)
    (c,) = consts(walk(x @ W))["Matmul"]
    assert c.name == "images"
    assert "images" in viz.draw_graph(x @ W).source


def test_recording_can_be_switched_off_and_keeps_nothing_alive():
    W = ag.tensor(np.ones((3, 2)), requires_grad=True)
    with inputs.recording_inputs(False):
        out = ag.tensor(np.ones((4, 3))) @ W
    assert walk(out).counts()["constants"] == 0
    # The note holds no reference to the (big) data array, and the graph dies
    # by reference counting as before.
    big = np.ones((500, 3))
    dead = weakref.ref(big)
    out = ag.tensor(big) @ W
    node = weakref.ref(out.grad_fn)
    del big
    gc.collect()
    assert walk(out).counts()["constants"] == 1
    # Matmul saves its inputs for backward; once the graph goes, so does the array.
    del out
    assert node() is None and dead() is None
    assert inputs.set_record_inputs(True) is True         # on by default, still on


def test_notes_stay_small():
    W = ag.tensor(np.ones((3, 2)), requires_grad=True)
    out = ag.tensor(np.ones((4, 3))) @ W
    (note, _) = inputs.notes_of(out.grad_fn)
    assert note.shape == (4, 3) and note.value is None and note.role == "a"


# -- 2. parameters named by their path -------------------------------------------

def test_parameters_are_named_by_path_without_names():
    model, loss = mlp_loss()
    with viz.record_backward() as rec:
        loss.backward()
    for d in (viz.draw_graph(loss), viz.draw_graph(loss, gradients=rec)):
        for path in ("0.weight", "0.bias", "2.weight", "2.bias"):
            assert f"<B>{path}</B>" in d.source


def _draw_elsewhere(loss, **kw):
    return viz.draw_graph(loss, **kw)         # no model among this function's variables


def test_model_argument_names_parameters_the_caller_cannot_see():
    model, loss = mlp_loss()
    src = _draw_elsewhere(loss).source
    assert "0.weight" not in src and "Parameter" in src
    assert "<B>0.weight</B>" in _draw_elsewhere(loss, model=model).source
    with pytest.raises(TypeError, match="model="):
        viz.draw_graph(loss, model=42)


def test_outermost_model_wins_and_names_and_model_false_still_work():
    model, loss = mlp_loss()
    first = model[0] if hasattr(model, "__getitem__") else None   # a submodule in a variable
    src = viz.draw_graph(loss).source
    assert "<B>0.weight</B>" in src and "<B>weight</B>" not in src
    assert "<B>W1</B>" in viz.draw_graph(loss, names={"W1": model[0].weight}).source
    assert "0.weight" not in viz.draw_graph(loss, model=False).source
    del first


# -- 3. the legend explains every visual code --------------------------------------

def test_legend_explains_every_box_and_border_drawn():
    model, loss = mlp_loss()
    with viz.record_backward() as rec:
        loss.backward()
    src = viz.draw_graph(loss, gradients=rec).source
    assert "Borders:" in src
    for k in ("op", "param", "const", "tensor", "output"):
        assert style.esc(labels._BORDER_TEXT[k]) in src, k
        assert f'BGCOLOR="{style.FILL[k]}"' in src and f'COLOR="{style.BORDER[k]}"' in src
    assert style.esc(labels._BORDER_TEXT["leaf"]) not in src       # no plain leaf drawn
    assert "step n" in src and "order in which the backward pass" in src
    assert "no gradient (dashed)" in src and "No gradient flows into data" in src
    assert "Edges point forward" in src and "scopes (ag.scope" in src
    # Every kind of box has a border explanation.
    assert {k for k, _ in labels._KIND_NAMES} <= set(labels._BORDER_TEXT)


def test_legend_of_leaves_and_collapsed_scopes():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    src = viz.draw_graph((x * 2).sum()).source
    assert style.esc(labels._BORDER_TEXT["leaf"]) in src
    model, loss = mlp_loss()
    src = viz.draw_graph(loss, depth=0).source
    assert style.esc(labels._BORDER_TEXT["group"]) in src
