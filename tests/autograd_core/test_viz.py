"""autograd_core.viz: drawings of the graph, its gradients and the backward pass.

Most tests render real SVG with Graphviz's ``dot`` and read it back (nodes,
edges, clusters, colours, texts), so they check what a reader would see, not
only the DOT text. They are skipped where ``dot`` is missing, except the ones
that check what happens then.
"""
import gc
import html
import json
import re
import shutil
import subprocess
import sys
import time
import weakref
import xml.etree.ElementTree as ET
from pathlib import Path

import graphviz
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import engine, viz
from autograd_core.viz import style

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's dot is not installed")

NS = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- #
# Reading a rendered SVG back
# --------------------------------------------------------------------------- #

class Svg:
    """Nodes, edges and clusters of an SVG written by dot, by their DOT ids."""

    def __init__(self, drawing):
        text = drawing.pipe(format="svg", encoding="utf-8")
        self.text = text
        self.root = ET.fromstring(text.encode())
        self.nodes, self.edges, self.clusters = {}, {}, {}
        for g in self.root.iter(NS + "g"):
            kind = g.get("class")
            if kind == "node":
                self.nodes[g.find(NS + "title").text] = g
            elif kind == "edge":
                a, b = g.find(NS + "title").text.split("->")
                self.edges[(a, b)] = g
            elif kind == "cluster":
                self.clusters[g.get("id")] = g

    @staticmethod
    def texts(el):
        return [t.text.strip() for t in el.iter(NS + "text") if t.text and t.text.strip()]

    def all_texts(self):
        return self.texts(self.root)

    @staticmethod
    def tooltip(el):
        a = el.find(f".//{NS}a")
        return a.get(XLINK + "title") if a is not None else ""

    @staticmethod
    def fill(node):
        shape = next(s for s in node.iter() if s.tag in (NS + "polygon", NS + "path")
                     and s.get("fill") not in (None, "none", "transparent"))
        return shape.get("fill")

    @staticmethod
    def stroke(edge):
        return edge.find(f".//{NS}path").get("stroke")

    @staticmethod
    def width(edge):
        return float(edge.find(f".//{NS}path").get("stroke-width", "1"))

    @staticmethod
    def bbox(el):
        nums = []
        for s in el.iter():
            if s.tag in (NS + "polygon", NS + "path") and s.get("fill") != "transparent":
                nums += [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?",
                                                     s.get("points") or s.get("d") or "")]
        xs, ys = nums[0::2], nums[1::2]
        return min(xs), min(ys), max(xs), max(ys)

    def cluster_named(self, label):
        return next(c for c in self.clusters.values() if self.texts(c)[:1] == [label])


def inside(inner, outer):
    return (inner[0] >= outer[0] and inner[1] >= outer[1]
            and inner[2] <= outer[2] and inner[3] <= outer[3])


def neuron():
    """o = tanh(a*b + c) with named scalar leaves (the textbook single neuron)."""
    a = ag.tensor(2.0, requires_grad=True, name="a")
    b = ag.tensor(-3.0, requires_grad=True, name="b")
    c = ag.tensor(10.0, requires_grad=True, name="c")
    o = (a * b + c).tanh()
    o.name = "o"
    return o, (a, b, c)


def mlp(rng=None):
    """A two-layer network under scopes mlp/fc1, mlp/fc2 and mse, float64."""
    rng = rng or np.random.default_rng(0)
    x = ag.tensor(rng.standard_normal((4, 3)))
    W1 = ag.tensor(rng.standard_normal((3, 5)), requires_grad=True, name="W1")
    b1 = ag.tensor(np.zeros(5), requires_grad=True, name="b1")
    W2 = ag.tensor(rng.standard_normal((5, 1)), requires_grad=True, name="W2")
    with ag.scope("mlp"):
        with ag.scope("fc1"):
            h = (x @ W1 + b1).tanh()
        with ag.scope("fc2"):
            p = h @ W2
    with ag.scope("mse"):
        loss = (p ** 2).mean()
    return loss, (W1, b1, W2)


def sigmoid_chain(n, scoped=True):
    """n sigmoids in a row, each in scope layer<i>: the gradient shrinks ~4x a layer."""
    x = ag.tensor(0.0, requires_grad=True, name="x")
    h = x
    for i in range(n):
        if scoped:
            with ag.scope(f"layer{i}"):
                h = h.sigmoid()
        else:
            h = h.sigmoid()
    return h, x


# --------------------------------------------------------------------------- #
# Structure: nodes, labels, styles
# --------------------------------------------------------------------------- #

@needs_dot
def test_small_graph_has_one_node_per_op_tensor_and_leaf():
    o, _ = neuron()
    d = viz.draw_graph(o)
    assert isinstance(d, graphviz.Digraph)
    svg = Svg(d)
    # 3 ops (Mul, Add, Tanh) + their 3 outputs + 3 leaves; edges: 5 inputs + 3 outputs.
    assert len(svg.nodes) == 9
    assert len(svg.edges) == 8
    assert d.counts == {"ops": 3, "tensors": 3, "leaves": 3, "constants": 0, "boxes": 9,
                        "steps": 0}
    texts = svg.all_texts()
    for word in ("Mul", "Add", "Tanh", "a", "b", "c", "o"):
        assert word in texts
    assert texts.count("scalar float32") == 6
    # Edges point forward: leaves into ops, ops into their outputs, into the output.
    ops = {svg.texts(n)[0]: k for k, n in svg.nodes.items() if svg.texts(n)[0] in
           ("Mul", "Add", "Tanh")}
    out = next(k for k, n in svg.nodes.items() if svg.texts(n)[0] == "o")
    assert (ops["Tanh"], out) in svg.edges
    leaf_a = next(k for k, n in svg.nodes.items() if svg.texts(n)[0] == "a")
    assert (leaf_a, ops["Mul"]) in svg.edges


@needs_dot
def test_labels_show_shapes_dtypes_and_names():
    loss, (W1, b1, W2) = mlp()
    svg = Svg(viz.draw_graph(loss))
    texts = svg.all_texts()
    assert "W1" in texts and "b1" in texts and "W2" in texts
    assert "3×5 float64" in texts and "5 float64" in texts and "4×5 float64" in texts
    assert "Matmul" in texts and "Tanh" in texts and "Pow" in texts
    assert "output" in texts                      # the unnamed root is called output


@needs_dot
def test_names_option_names_intermediates_and_shows_their_values():
    a = ag.tensor(2.0, requires_grad=True)
    b = ag.tensor(-3.0, requires_grad=True)
    e = a * b
    d = e + 1.0
    L = d * 2.0
    svg = Svg(viz.draw_graph(L, names=locals()))       # variable names as labels
    texts = svg.all_texts()
    for name in ("a", "b", "e", "d", "L"):
        assert name in texts
    node_e = next(n for n in svg.nodes.values() if svg.texts(n)[0] == "e")
    assert "data -6" in svg.texts(node_e)


@needs_dot
def test_a_name_set_on_an_intermediate_tensor_is_drawn():
    # t.name on an op result is kept on its node, so no names= is needed.
    x = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    hidden = (x * 3.0).tanh()
    hidden.name = "hidden"
    out = (hidden * hidden).sum()
    out.name = "loss"
    texts = Svg(viz.draw_graph(out)).all_texts()
    assert "hidden" in texts and "loss" in texts


@needs_dot
def test_leaves_parameters_intermediates_and_output_are_styled_apart():
    class Parameter(ag.Tensor):                  # as nn.Parameter will be
        def __init__(self, data):
            super().__init__(data, requires_grad=True)

    w = Parameter(np.ones(3))
    w.name = "w"
    x = ag.tensor(np.arange(3.0), requires_grad=True, name="x")
    y = ((x * w).tanh()).sum()
    y.name = "y"
    svg = Svg(viz.draw_graph(y))

    def node(label):
        return next(n for n in svg.nodes.values() if svg.texts(n)[0] == label)
    assert svg.fill(node("w")) == style.FILL["param"]
    assert svg.fill(node("x")) == style.FILL["leaf"]
    assert svg.fill(node("y")) == style.FILL["output"]
    assert svg.fill(node("Mul")) == style.FILL["op"]
    inter = next(n for n in svg.nodes.values() if svg.texts(n)[0] == "3 float64")
    assert svg.fill(inter) == style.FILL["tensor"]
    # The output has a double border; the legend names every kind present.
    assert len(node("y").findall(f".//{NS}polygon")) == 2
    texts = svg.all_texts()
    for kind in ("op", "leaf", "Parameter", "intermediate", "output"):
        assert kind in texts


@needs_dot
def test_values_are_shown_for_tiny_tensors_only():
    x = ag.tensor([1.0, -2.0], requires_grad=True, name="x")
    big = ag.tensor(np.arange(10.0), requires_grad=True, name="big")
    y = (x * 3.0).sum() + big.sum()
    texts = Svg(viz.draw_graph(y)).all_texts()
    assert "data [1, -2]" in texts
    assert not any(t.startswith("data [0, 1, 2") for t in texts)
    texts = Svg(viz.draw_graph(y, values=0)).all_texts()
    assert not any(t.startswith("data") for t in texts)


@needs_dot
def test_matrices_print_a_row_a_line_and_columns_transposed():
    m = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, name="m")
    c = ag.tensor([[1.0], [2.0], [3.0]], requires_grad=True, name="c")
    y = m.sum() + c.sum()
    texts = Svg(viz.draw_graph(y)).all_texts()
    assert "data [[1, 2]," in texts and "[3, 4]]" in texts
    assert "data [1, 2, 3]ᵀ" in texts


def test_a_leaf_alone_and_bad_arguments():
    t = ag.tensor([1.0, 2.0], name="t")
    d = viz.draw_graph(t)
    assert d.counts["boxes"] == 1 and "t" in d.source
    with pytest.raises(TypeError, match="Tensor"):
        viz.draw_graph(np.ones(3))
    with pytest.raises(ValueError, match="scale"):
        viz.draw_graph(t, scale=(1.0, 0.1))


# --------------------------------------------------------------------------- #
# Gradients
# --------------------------------------------------------------------------- #

@needs_dot
def test_after_backward_leaf_and_retained_gradients_are_shown():
    o, (a, b, c) = neuron()
    e = o.grad_fn.next[0]                        # the Add node
    o.backward()
    svg = Svg(viz.draw_graph(o))
    texts = svg.all_texts()
    g_a = a.grad.item()
    assert f"grad {style.num(g_a)}" in texts
    # Without a recording, only edges from tensors with a known .grad are coloured.
    neutral = [k for k, ed in svg.edges.items() if svg.stroke(ed) == style.NEUTRAL]
    coloured = [k for k, ed in svg.edges.items() if svg.stroke(ed) != style.NEUTRAL]
    assert len(coloured) == 3 and len(neutral) == 5       # the leaves' three edges
    assert e.freed                                       # a freed graph still draws

    # retain_grad on an intermediate: its gradient is shown too.
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    h.retain_grad()
    h.name = "h"
    (h.sum() * 3).backward()
    svg = Svg(viz.draw_graph(h.sum() * 3, names={"h": h}))
    node_h = next(n for n in svg.nodes.values() if svg.texts(n)[0] == "h")
    assert "grad [3, 3]" in svg.texts(node_h)


def test_recording_follows_the_engines_processing_order():
    loss, params = mlp()
    seen = []
    engine.observers.append(lambda key, grad: seen.append(key))
    try:
        with viz.record_backward() as rec:
            loss.backward()
    finally:
        engine.observers.pop(0)
    assert engine.observers == []
    assert len(rec) == len(seen) == 10          # 7 ops and 3 leaves
    assert all(a is b for a, b in zip(rec.order(), seen))
    assert [rec[k].step for k in seen] == list(range(1, 11))
    # Norms are those of the gradients; a non-leaf tensor is known by its node.
    for p in params:
        assert rec[p].norm == pytest.approx(np.linalg.norm(p.grad.data))
    assert rec[loss].norm == 1.0 and rec[loss].grad == 1.0
    assert rec.get(ag.tensor(1.0)) is None
    with pytest.raises(KeyError):
        rec[ag.tensor(1.0)]


def test_recording_stops_on_errors_and_keeps_nothing_alive():
    with pytest.raises(RuntimeError):
        with viz.record_backward():
            raise RuntimeError("boom")
    assert engine.observers == []

    def make():
        x = ag.tensor(np.ones(3), requires_grad=True)
        y = (x * 2).sum()
        return y, weakref.ref(y.grad_fn), weakref.ref(x)
    y, node, leaf = make()
    with viz.record_backward() as rec:
        y.backward()
    assert len(rec) == 3
    del y
    gc.collect()
    assert node() is None and leaf() is None and len(rec) == 0


@needs_dot
def test_recorded_drawing_numbers_steps_in_processing_order():
    loss, _ = mlp()
    with viz.record_backward() as rec:
        loss.backward()
    d = viz.draw_graph(loss, gradients=rec)
    svg = Svg(d)
    order = rec.order()
    assert d.counts["steps"] == 10
    # Each op (and leaf) node shows "step k"; k follows the engine's order.
    steps = {}
    for n in svg.nodes.values():
        for t in svg.texts(n):
            if t.startswith("step "):
                steps[int(t.split()[1])] = svg.texts(n)[0]
    assert sorted(steps) == list(range(1, 11))
    assert [steps[i] for i in range(1, 11)] == [k.name for k in order]
    # Every tensor reached by the backward shows its gradient (norm or values).
    for n in svg.nodes.values():
        texts = svg.texts(n)
        if "float64" in " ".join(texts) and not any("no grad" in t for t in texts):
            assert any(t.startswith("grad") for t in texts), texts
    # And every edge is coloured from the palette, but those from inputs that need
    # no gradient (the data), which are dashed: no gradient flows there.
    assert ({svg.stroke(e) for e in svg.edges.values()} - {style.NO_GRAD}
            <= set(style.PALETTE))
    plain = Svg(viz.draw_graph(loss, gradients=rec, steps=False)).all_texts()
    assert not any(t.startswith("step ") for t in plain)


@needs_dot
def test_vanishing_gradient_edges_are_small_coloured_and_last_layer_large():
    out, x = sigmoid_chain(30)
    with viz.record_backward() as rec:
        out.backward()
    assert x.grad.item() < 1e-17                 # 0.25 ** 30 is about 1e-18
    svg = Svg(viz.draw_graph(out, gradients=rec))

    def edges_of(layer):
        ids = {k for k, n in svg.nodes.items() if f" in {layer}:" in svg.tooltip(n)}
        return [e for (a, b), e in svg.edges.items() if a in ids or b in ids]
    first, last = edges_of("layer0"), edges_of("layer29")
    assert len(first) == 3 and len(last) == 2    # x -> Sigmoid -> t0 -> ..., ... -> output
    assert {svg.stroke(e) for e in first} == {style.PALETTE[0]}
    assert {svg.stroke(e) for e in last} == {style.PALETTE[-1]}
    assert max(svg.width(e) for e in first) < min(svg.width(e) for e in last)
    # The legend explains the colours, in decades.
    texts = svg.all_texts()
    assert "edge colour and width:" in texts
    assert any(t.startswith("≥ 10") for t in texts) and any(t.startswith("< 10⁻")
                                                            for t in texts)


@needs_dot
def test_edges_without_gradient_are_dashed_and_nan_is_black():
    class FirstOnly(ag.Function):                # sends no gradient to its 2nd input
        @staticmethod
        def forward(ctx, a, b):
            return a.data + b.data

        @staticmethod
        def backward(ctx, g):
            return g, None
    a = ag.tensor(1.0, requires_grad=True, name="a")
    b = ag.tensor(2.0, requires_grad=True, name="b")
    y = FirstOnly.apply(a, b.exp())
    with viz.record_backward() as rec:
        y.backward()
    svg = Svg(viz.draw_graph(y, gradients=rec))
    dashed = [e for e in svg.edges.values() if svg.stroke(e) == style.NO_GRAD]
    assert len(dashed) == 3                      # b -> Exp -> its output -> FirstOnly
    assert "no gradient (dashed)" in svg.all_texts()

    z = ag.tensor([0.0, 1.0], requires_grad=True)
    w = z.sqrt().sum()                           # d sqrt / dz at 0 is inf
    with viz.record_backward() as rec, np.errstate(divide="ignore"):
        w.backward()
    svg = Svg(viz.draw_graph(w, gradients=rec))
    assert style.NONFINITE in {svg.stroke(e) for e in svg.edges.values()}
    assert "nan / inf" in svg.all_texts()


def test_colour_scale_bins():
    sc = viz.ColorScale.spanning([1.0, 1e-19])
    assert sc.bin(1e-19) == 0 and sc.bin(1.0) == len(style.PALETTE) - 1
    assert sc.bin(None) is None and sc.bin(float("nan")) == -1 and sc.bin(0.0) == 0
    healthy = viz.ColorScale.spanning(0.5, 0.05)  # spans at least 7 decades
    assert healthy.bin(0.5) == 6 and healthy.bin(0.05) == 5
    fixed = viz.ColorScale(1e-7, 1e0)
    assert fixed.bin(1e-6) == 1 and fixed.bin_label(0) == "< 10⁻⁶"
    assert fixed.bin_label(0, ends=True) == "10⁻⁷ – 10⁻⁶"


# --------------------------------------------------------------------------- #
# Scopes, depth, big graphs
# --------------------------------------------------------------------------- #

@needs_dot
def test_scopes_become_nested_clusters():
    loss, _ = mlp()
    svg = Svg(viz.draw_graph(loss))
    assert len(svg.clusters) == 4                # mlp, mlp/fc1, mlp/fc2, mse
    box = {name: svg.bbox(svg.cluster_named(name)) for name in ("mlp", "fc1", "fc2", "mse")}
    assert inside(box["fc1"], box["mlp"]) and inside(box["fc2"], box["mlp"])
    assert not inside(box["mse"], box["mlp"])
    # Ops sit in their scope's cluster, and a weight in the scope that uses it.
    nodes = {svg.texts(n)[0]: n for n in svg.nodes.values()}
    assert inside(svg.bbox(nodes["Tanh"]), box["fc1"])
    assert inside(svg.bbox(nodes["W1"]), box["fc1"])
    assert inside(svg.bbox(nodes["Pow"]), box["mse"])


def deep_net(layers, width=4, seed=0):
    """layers x (matmul, add, tanh) under net/layer<i>, then a loss outside."""
    rng = np.random.default_rng(seed)
    h = ag.tensor(rng.standard_normal((2, width)).astype(np.float32))
    with ag.scope("net"):
        for i in range(layers):
            with ag.scope(f"layer{i}"):
                W = ag.tensor(rng.standard_normal((width, width)).astype(np.float32) * 0.5,
                              requires_grad=True, name=f"W{i}")
                b = ag.tensor(np.zeros(width, np.float32), requires_grad=True, name=f"b{i}")
                h = (h @ W + b).tanh()
    return (h * h).sum()


@needs_dot
def test_depth_collapses_each_deeper_scope_into_one_box():
    loss = deep_net(50)
    with viz.record_backward() as rec:
        loss.backward()
    d = viz.draw_graph(loss, gradients=rec, depth=1)
    svg = Svg(d)
    boxes = [n for n in svg.nodes.values() if svg.texts(n)[0].startswith("layer")]
    assert sorted(svg.texts(b)[0] for b in boxes) == sorted(f"layer{i}" for i in range(50))
    assert all("3 ops: Matmul, Add, Tanh" in svg.texts(b) for b in boxes)
    assert len(svg.nodes) == 50 + 3 + 1          # layers, Mul, its output, Sum, output
    assert d.notes == ()                         # asked for, so no note
    assert any(t.startswith("grad norm of leaves") for t in svg.texts(boxes[0]))
    d0 = viz.draw_graph(loss, depth=0)
    assert [svg_t for svg_t in Svg(d0).all_texts() if svg_t == "net"] == ["net"]
    assert d0.counts["boxes"] == 1 + 3 + 1


def ten_thousand_ops():
    """10,000 ops in 50 scoped blocks: Net/layers/<i>, as nn will name them."""
    rng = np.random.default_rng(0)
    h = ag.tensor(rng.standard_normal((2, 4)).astype(np.float32))
    with ag.scope("Net"):
        for i in range(50):
            with ag.scope("layers"), ag.scope(str(i)):
                W = ag.tensor(rng.standard_normal((4, 4)).astype(np.float32),
                              requires_grad=True)
                h = (h @ W).tanh()
                for _ in range(99):
                    h = h * 0.9 + 0.01
    return (h * h).sum()


@needs_dot
def test_a_big_graph_collapses_automatically_with_a_note_and_draws_fast():
    loss = ten_thousand_ops()
    with viz.record_backward() as rec:
        loss.backward()
    start = time.perf_counter()
    d = viz.draw_graph(loss, gradients=rec)
    drawn = time.perf_counter() - start
    svg = Svg(d)
    rendered = time.perf_counter() - start
    assert d.counts["ops"] == 10002
    assert d.counts["boxes"] <= 300 and len(svg.nodes) == d.counts["boxes"]
    assert any("depth=2" in n for n in d.notes)
    assert any(t.startswith("Large graph: scopes deeper than depth=2") for t in svg.all_texts())
    blocks = [n for n in svg.nodes.values() if "200 ops" in " ".join(svg.texts(n))]
    assert len(blocks) == 50
    print(f"\n10,002-op graph: draw_graph {drawn:.3f} s, with dot rendering {rendered:.3f} s")
    assert drawn < 3 and rendered < 6


@needs_dot
def test_unscoped_big_graphs_merge_chains_then_leave_far_nodes_out():
    h = ag.tensor(0.5, requires_grad=True)
    for _ in range(5000):
        h = (h * 1.0001).tanh()
    d = viz.draw_graph(h)
    assert d.counts["boxes"] == 3                # leaf -> one chain -> output
    assert "chain of 10,000 ops" in Svg(d).all_texts()

    xs = [ag.tensor(float(i), requires_grad=True) for i in range(100)]
    acc = xs[0]
    for i in range(3000):                        # no chains: a comb of Adds
        acc = acc + xs[i % 100] * 0.5
    d = viz.draw_graph(acc, max_nodes=120)
    svg = Svg(d)
    assert len(svg.nodes) == 120 and any("only the 119 boxes" in n for n in d.notes)
    assert any(t.startswith("…") and "more" in t for t in svg.all_texts())
    # Every op, output and leaf, and the 3,000 constants 0.5 (inputs without gradient).
    assert viz.draw_graph(acc, max_nodes=None).counts["boxes"] == 2 * 6000 + 100 + 3000


def test_compact_folds_intermediate_tensors_into_their_ops():
    o, _ = neuron()
    assert viz.draw_graph(o, compact=True).counts["boxes"] == 3 + 3 + 1
    assert viz.draw_graph(o, compact=False).counts["boxes"] == 9


# --------------------------------------------------------------------------- #
# The backward pass, step by step (HTML)
# --------------------------------------------------------------------------- #

def page_data(page_html):
    m = re.search(r"const DATA = (\{.*?\});</script>", page_html, re.S)
    return json.loads(m.group(1))


@needs_dot
def test_backward_html_is_self_contained_and_holds_the_steps(tmp_path):
    loss, params = mlp()
    seen = []
    engine.observers.append(lambda key, grad: seen.append(key))
    try:
        page = viz.backward_html(loss, tmp_path / "sub" / "page.html", title="MLP")
    finally:
        engine.observers.pop(0)
    text = (tmp_path / "sub" / "page.html").read_text(encoding="utf-8")
    assert text == page.html and page.steps == 10
    assert all(p.grad is not None for p in params)       # the backward really ran
    # Nothing from the network: no external src/href, no script or style files.
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", text)
    assert not re.search(r"<script[^>]*\bsrc\s*=", text)
    assert "<link" not in text and "@import" not in text
    assert "<svg" in text and "<?xml" not in text
    # The steps are the engine's processing order, each pointing at a drawn box.
    data = page_data(text)
    assert len(data["steps"]) == 10
    ids = set(re.findall(r'<g id="([^"]+)" class="node"', text))
    kinds = ["leaf" if k._is_tensor else "op" for k in seen]
    assert [s["kind"] for s in data["steps"]] == kinds
    assert all(s["box"] in ids for s in data["steps"])
    names = [k.name for k in seen]
    for s, name in zip(data["steps"], names):
        assert html.escape(name) in s["text"]
    # Every edge lights up at the step its gradient is complete.
    # (Edges from data and constants carry no gradient: they never light up.)
    assert all(e["known"] is not None for e in data["edges"].values() if not e["none"])
    assert all(e["known"] is None for e in data["edges"].values() if e["none"])
    edge_ids = set(re.findall(r'<g id="(e\d+)" class="edge"', text))
    assert set(data["edges"]) == edge_ids
    assert [r[0] for r in data["rows"]] == list(range(1, 11))


@needs_dot
def test_backward_html_escapes_names():
    x = ag.tensor([1.0, 2.0], requires_grad=True, name="</script><b>x&y")
    page = viz.backward_html((x * x).sum())
    assert page.html.count("</script>") == 2        # the data and the script, no more
    assert "x&amp;y" in page.html
    assert page_data(page.html)["rows"][-1][1] == "</script><b>x&y"   # leaf: last step


@needs_dot
def test_backward_html_from_an_existing_recording_runs_nothing():
    loss, params = mlp()
    with viz.record_backward() as rec:
        loss.backward(retain_graph=True)
    before = [p.grad.data.copy() for p in params]
    page = viz.backward_html(loss, recording=rec, depth=0)
    assert page.steps == 10
    assert all(np.array_equal(p.grad.data, b) for p, b in zip(params, before))
    assert "collapsed scope" in page.html


# --------------------------------------------------------------------------- #
# Jupyter, and life without Graphviz
# --------------------------------------------------------------------------- #

@needs_dot
def test_jupyter_display_of_drawings_and_pages():
    o, _ = neuron()
    d = viz.draw_graph(o)
    svg = d._repr_svg_()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    inline = d._repr_html_()
    assert inline.startswith("<div") and "<svg" in inline and "<?xml" not in inline
    assert "image/svg+xml" in d._repr_mimebundle_()
    page = viz.backward_html(o)
    frame = page._repr_html_()
    assert frame.startswith("<iframe") and "srcdoc=" in frame
    assert "<script" not in frame and "&lt;script" in frame   # all inside srcdoc


def test_without_dot_drawing_works_and_rendering_says_how_to_install(tmp_path,
                                                                     monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))                # no dot to be found
    o, _ = neuron()
    d = viz.draw_graph(o)
    assert "Tanh" in d.source
    for render in (lambda: d.pipe(format="svg"), lambda: d.render(tmp_path / "g"),
                   d._repr_svg_, d._repr_html_, lambda: viz.backward_html(o)):
        with pytest.raises(viz.GraphvizNotFound) as err:
            render()
        msg = str(err.value)
        assert "apt-get install graphviz" in msg and "brew install graphviz" in msg
        assert "https://graphviz.org/download/" in msg
        assert isinstance(err.value, graphviz.ExecutableNotFound)
    d.save(tmp_path / "g.dot")                               # DOT text needs no dot
    assert "digraph" in (tmp_path / "g.dot").read_text()


# --------------------------------------------------------------------------- #
# The demo
# --------------------------------------------------------------------------- #

@needs_dot
def test_demo_writes_the_graph_and_the_backward_page(tmp_path):
    out = tmp_path / "pictures"
    r = subprocess.run([sys.executable, str(ROOT / "examples" / "demo.py"), "--out", str(out)],
                       capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    svg, page = out / "mlp_graph.svg", out / "mlp_backward.html"
    neuron_svg, deep = out / "neuron.svg", out / "vanishing_gradients.svg"
    for f in (svg, page, neuron_svg, deep):
        assert f.exists() and str(f) in r.stdout
    assert sorted(p.name for p in out.iterdir()) == sorted(   # no DOT files left over
        ["mlp_graph.svg", "mlp_backward.html", "neuron.svg", "vanishing_gradients.svg"])
    assert "fc1" in svg.read_text() and "step 13" in svg.read_text()
    assert 'id="slider"' in page.read_text()
    assert "grad -1.5" in html.unescape(neuron_svg.read_text())   # dL/dx1, as by hand
    assert "layer11" in deep.read_text()


# --------------------------------------------------------------------------- #
# Unusual graphs, names and arguments
# --------------------------------------------------------------------------- #

class Twice(ag.Function):
    """A custom op: 2a + b; saves a non-tensor and sends no gradient to ``k``."""

    @staticmethod
    def forward(ctx, a, k, b):
        ctx.save_for_backward(a, k, "note", None)
        return a.data * 2 + b.data

    @staticmethod
    def backward(ctx, g):
        return g * 2, None, g


def unusual_graphs():
    """(name, root) pairs of graphs that are easy to get wrong."""
    out = [("leaf root", ag.tensor(3.0, requires_grad=True, name="x"))]
    s = ag.tensor(2.0, requires_grad=True)
    out.append(("0-d", s * s))                                   # one input used twice
    e = ag.tensor(np.zeros((0, 3)), requires_grad=True)
    out.append(("empty", (e * 2).sum()))
    v = ag.tensor([1.0, 2.0], requires_grad=True)
    out.append(("int and bool constants",
                ((v * ag.tensor([1, 2])) + ag.tensor([True, False])).sum()))
    d = ag.tensor(2.0, requires_grad=True)
    h = d * 3
    out.append(("diamond", h * h + h.exp()))
    c = ag.tensor([1.0, 2.0], requires_grad=True)
    out.append(("custom Function", Twice.apply(c * 1, 3, c.tanh()).sum()))
    return out


@needs_dot
@pytest.mark.parametrize("case", range(6))
def test_unusual_graphs_draw_and_step_through(case):
    name, root = unusual_graphs()[case]
    d = viz.draw_graph(root)
    Svg(d)                                               # valid SVG
    with viz.record_backward() as rec:
        root.backward(retain_graph=True)
    with viz.record_backward() as rec2:                  # a second pass, retain_graph
        root.backward(retain_graph=True)
    for r in (rec, rec2):
        d = viz.draw_graph(root, gradients=r)
        svg = Svg(d)
        assert d.counts["steps"] == len(r) > 0, name
        assert sorted(int(t.split()[1]) for t in svg.all_texts()
                      if re.fullmatch(r"step \d+", t)) == list(range(1, len(r) + 1))
    page = viz.backward_html(root, retain_graph=True)
    data = page_data(page.html)
    assert page.steps == len(rec) and all(s is not None for s in data["steps"]), name


def test_drawings_and_pages_keep_no_graph_alive():
    # A graph dies by reference counting (the engine makes no cycles); a drawing
    # must not add one (it would keep every saved array until the collector ran).
    gc.collect()
    gc.disable()
    try:
        for draw in (lambda t: viz.draw_graph(t).source,
                     lambda t: viz.draw_graph(t, depth=0).source,
                     lambda t: viz.backward_html(t) if shutil.which("dot") else None):
            loss, params = mlp()
            refs = [weakref.ref(loss.grad_fn)] + [weakref.ref(p) for p in params]
            with viz.record_backward() as rec:
                draw(loss)
            del loss, params
            assert all(r() is None for r in refs)
            assert len(rec) == 0
    finally:
        gc.enable()


@needs_dot
def test_names_with_backslashes_control_characters_and_long_names():
    long = "a_very_long_parameter_name_" * 6
    with ag.scope('odd"<scope>&\\N\\'):
        w = ag.tensor(1.0, requires_grad=True, name='w"\\\x01\x1b')
        y = w * ag.tensor(2.0, requires_grad=True, name=long)
    with ag.scope("s\x02"):
        y = y.exp()
    d = viz.draw_graph(y)
    svg = Svg(d)                                         # dot accepted it, and the SVG is XML
    # Backslashes are not escapes (\N would be the node's id): an invisible word
    # joiner follows each one in labels, and tooltips show a look-alike.
    texts = [t.replace("\u2060", "") for t in svg.all_texts()]
    assert 'odd"<scope>&\\N\\' in texts and "s\\x02" in texts
    assert 'w"\\\\x01\\x1b' in texts
    shown = next(t for t in texts if t.startswith("a_very"))
    assert "…" in shown and len(shown) == style.MAX_NAME
    tips = [svg.tooltip(n) for n in svg.nodes.values()]
    assert any(long in t for t in tips)                  # in full in the tooltip
    assert any('w"∖∖x01∖x1b in odd"<scope>&∖N∖: scalar float32' == t for t in tips)
    assert 'scope odd"<scope>&∖N∖' in [svg.tooltip(c) for c in svg.clusters.values()]


def test_bad_depth_scale_and_backward_html_arguments():
    o, _ = neuron()
    for depth in (-1, 1.5):
        with pytest.raises(ValueError, match="depth"):
            viz.draw_graph(o, depth=depth)
    assert viz.draw_graph(o, depth=np.int64(0)).counts["boxes"] == 9
    for scale in ((0, 1), (1e-3, float("inf")), (float("nan"), 1)):
        with pytest.raises(ValueError, match=r"scale=\(low, high\)"):
            viz.draw_graph(o, scale=scale)
    with pytest.raises(TypeError, match="recording="):
        viz.backward_html(o, gradients=None)


def test_counts_are_spelled_right():
    assert style.plural(1, "leaf") == "1 leaf" and style.plural(2, "leaf") == "2 leaves"
    assert style.plural(2, "box") == "2 boxes" and style.plural(1_000, "op") == "1,000 ops"
    assert style.plural(3, "backward step") == "3 backward steps"
    assert style.norm_text(0.123456) == "0.12" and style.norm_text(1.5e-7) == "1.5e-7"
    assert style.norm_text(None) == "?" and style.norm_text(float("nan")) == "nan"


@needs_dot
def test_page_summary_and_an_input_used_twice():
    x = ag.tensor(2.0, requires_grad=True, name="x")
    page = viz.backward_html(x * x)
    assert "1 op, 1 leaf, 2 backward steps." in page.html
    svg = Svg(page.drawing)
    (edge,) = [e for (a, b), e in svg.edges.items() if a.startswith("l")]
    assert svg.tooltip(edge).startswith("scalar float32: gradient norm")   # one tensor


# --------------------------------------------------------------------------- #
# The step-by-step page in a real browser
# --------------------------------------------------------------------------- #

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(n)), None)

DRIVER = """<script>
window.addEventListener("error", function (e) { console.error("PAGE ERROR " + e.message); });
setTimeout(function () {
  try {
    var n = DATA.steps.length, key = function (k) {
      document.dispatchEvent(new KeyboardEvent("keydown", {key: k})); };
    for (var i = 0; i < n + 2; i++) key("ArrowRight");
    for (var i = 0; i < n + 2; i++) key("ArrowLeft");
    key("End"); key("Home");
    document.getElementById("play").click(); document.getElementById("play").click();
    document.querySelectorAll("g.node.visitable").forEach(function (el) {
      el.dispatchEvent(new MouseEvent("click", {bubbles: true})); });
    key("Home");
    console.log("DRIVEN " + document.getElementById("counter").textContent);
  } catch (e) { console.error("DRIVER ERROR " + e); }
}, 50);
</script></body>"""


@needs_dot
@pytest.mark.skipif(CHROMIUM is None, reason="no headless Chromium")
def test_page_runs_without_script_errors_in_a_browser(tmp_path):
    g = ag.tensor([1.0, 2.0], requires_grad=True)
    with ag.scope("<odd & scope>"):
        named = (g * 3).sum()
    # named "grad x": a name, not a gradient, so never hidden
    roots = (mlp()[0], named + mlp()[0], ag.tensor(1.0, requires_grad=True))
    for i, root in enumerate(roots):
        page = viz.backward_html(root, names={"grad x": named})
        f = tmp_path / f"p{i}.html"
        f.write_text(page.html.replace("</body>", DRIVER), encoding="utf-8")
        r = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                            "--enable-logging=stderr", "--v=0", "--virtual-time-budget=3000",
                            "--dump-dom", f.as_uri()],
                           capture_output=True, text=True, timeout=120)
        console = [ln for ln in r.stderr.splitlines() if ":CONSOLE" in ln]
        assert any(f"DRIVEN step 0 / {page.steps}" in ln for ln in console), r.stderr[-2000:]
        assert not any("ERROR" in ln.upper().split('"')[1] for ln in console
                       if '"' in ln), console
        # At step 0 gradients are hidden, names are not.
        assert re.search(r'visibility: hidden;?">grad', r.stdout)
        assert (">grad x<" in r.stdout) == (i == 1)
        assert not re.search(r'visibility: hidden;?">grad x<', r.stdout)
