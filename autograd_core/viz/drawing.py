"""``draw_graph``: the graph behind a tensor as a ``graphviz.Digraph``.

The pieces: ``model.walk`` collects the elements, ``collapse.layout`` groups
them into boxes, ``labels`` writes each box's HTML-like label, and this module
emits DOT (scopes as nested clusters, edges coloured by a ``ColorScale``,
a legend as the graph's label) into a ``GraphDrawing``, a Digraph whose
rendering explains how to install Graphviz when ``dot`` is missing.
``draw_graphs`` draws several graphs on one colour scale.
"""
from collections import defaultdict, deque

import math

import graphviz

from . import labels, style
from .collapse import layout as make_layout
from .model import walk
from .record import BackwardRecording
from .scale import ColorScale, as_scale

__all__ = ["draw_graph", "draw_graphs", "GraphDrawing", "GraphvizNotFound"]

INSTALL_HELP = (
    "Rendering a drawing needs Graphviz's `dot` program, which was not found on "
    "PATH (the `graphviz` Python package is only its front end). Install Graphviz: "
    "`sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS), "
    "`conda install -c conda-forge graphviz`, or see https://graphviz.org/download/ ; "
    "then restart Python. Without it the DOT text is still available as `.source`, "
    "and `.save(path)` writes it.")


class GraphvizNotFound(graphviz.ExecutableNotFound):
    """Raised when a drawing is rendered without Graphviz's ``dot`` on PATH."""

    def __init__(self, detail=""):
        RuntimeError.__init__(self, INSTALL_HELP + (f" ({detail})" if detail else ""))


class GraphDrawing(graphviz.Digraph):
    """A ``graphviz.Digraph`` of a computation graph, as made by ``draw_graph``.

    Everything a Digraph does works (``.source``, ``.render(...)``,
    ``.pipe(format="png")``, display in Jupyter); rendering without Graphviz
    raises ``GraphvizNotFound`` saying how to install it. Extra attributes:
    ``notes`` (how a big graph was collapsed, empty if it was not), ``counts``
    (ops, tensors, leaves in the graph; ``boxes`` drawn; backward ``steps``),
    ``scale`` (the ``ColorScale`` of its gradient colours).
    """

    notes = ()
    counts = None
    scale = None
    cluster_ids = None
    _svg_cache = None

    def pipe(self, *args, **kwargs):
        """Render through ``dot`` and return the result (see ``graphviz.Digraph.pipe``)."""
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound as e:
            raise GraphvizNotFound(str(e)) from None

    def render(self, *args, **kwargs):
        """Write the rendered file (see ``graphviz.Digraph.render``); returns its path.

        Unlike a plain Digraph, the DOT source file is removed afterwards unless
        ``cleanup=False`` is given: the picture is what is asked for.
        """
        if len(args) < 4:                       # cleanup is render's 4th parameter
            kwargs.setdefault("cleanup", True)
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound as e:
            raise GraphvizNotFound(str(e)) from None

    def svg(self):
        """The drawing as SVG text (cached while the DOT source is unchanged)."""
        src = self.source
        if self._svg_cache is None or self._svg_cache[0] != src:
            self._svg_cache = (src, self.pipe(format="svg", encoding="utf-8"))
        return self._svg_cache[1]

    def _repr_svg_(self):
        return self.svg()

    def _repr_html_(self):
        # Inline SVG scrolls inside the notebook instead of being scaled down.
        return f'<div style="max-width:100%;overflow:auto">{_strip_prolog(self.svg())}</div>'

    def _repr_image_svg_xml(self):
        return self.svg()


def _strip_prolog(svg):
    """The ``<svg ...>`` element alone (no XML declaration or DOCTYPE), for inlining."""
    i = svg.find("<svg")
    return svg[i:] if i >= 0 else svg


def draw_graph(root, *, gradients=None, depth=None, max_nodes=300, compact=None,
               values=6, names=None, scale=None, steps=True, rankdir="TB", title=None,
               legend=True, model=None):
    """Draw the computation graph that produced ``root``; returns a ``GraphDrawing``.

    Ops are grey rounded boxes named after the op; tensors are square boxes
    with their name, shape and dtype: leaves blue, ``nn.Parameter``s green,
    ``root`` gold (double border), intermediate results white. Edges point
    forward. Tensors of at most ``values`` elements show their values (and
    gradients) where the graph still holds them (the root, leaves, tensors
    saved for backward or named in ``names``). Scopes (``ag.scope``) are
    nested clusters.

    Gradients: with ``gradients=rec`` (a ``record_backward()`` recording) every
    tensor reached by the recorded backward shows its gradient norm, every
    edge is coloured and thickened by the gradient it carries back (log scale,
    legend included) and ops are numbered in the order backward processed
    them (``steps=False`` hides the numbers). Without a recording, the
    leaves' ``.grad`` and retained tensors' ``.grad`` are used, and other
    edges are grey.

    Colours: by default the scale adapts to the graph, so two drawings colour
    the same norm differently. ``scale=`` fixes it, to compare drawings: a
    ``ColorScale`` (e.g. ``ColorScale.spanning(rec_a, rec_b)``, or another
    drawing's ``.scale``) or a ``(low, high)`` pair of norms; norms outside it
    take the end colours, and the legend gives the range and what was clipped.
    ``draw_graphs`` draws several graphs on one scale.

    Size: ``depth=d`` draws each scope deeper than ``d`` as a single box
    (``depth=0``: one box per top-level scope) showing its ops, parameters,
    output shape, gradient norm and backward steps; ``depth="layers"``
    collapses at the first level where scopes branch (one box per layer of an
    ``nn.MLP``: ``MLP/layers/<i>``). Graphs that need more than
    ``max_nodes`` boxes are shrunk automatically, keeping as much as fits
    (scopes collapsed from the deepest level up, intermediate tensors drawn
    inside their ops, chains of ops merged, and last, nodes far from the output
    left out), with a note saying so; ``max_nodes=None`` never shrinks.
    ``compact=True`` always draws intermediate tensors inside their ops.

    ``names``: names for tensors, e.g. ``dict(model.named_parameters())``, or
    ``locals()`` to label intermediate results with their variable names
    (otherwise a tensor's own ``.name`` is used, where the graph can see it:
    leaves, the root, tensors that ``retain_grad()``). ``rankdir``: "TB" (top to
    bottom) or "LR". ``title``: a heading. ``legend=False``: no legend.

    ``model``: the ``nn.Module`` whose parameters to name by their path
    (``fc1.weight``, ``0.bias``). By default the modules in the caller's
    variables are used, so a model's parameters are named without ``names=``;
    ``model=False`` turns that off.

    Inputs that need no gradient (the data ``x``, a loss's targets, a
    constant such as an exponent) are small grey boxes with their shape and,
    when small, their value; they are known for ops recorded while
    ``autograd_core.viz`` was imported (see ``viz.inputs``).
    """
    scale = as_scale(scale)                 # bad arguments fail before the walk
    if gradients is not None and not isinstance(gradients, BackwardRecording):
        raise TypeError(f"draw_graph: gradients must be a record_backward() recording or "
                        f"None, got {type(gradients).__name__}")
    g = walk(root, recording=gradients, names=names, values=values, model=model)
    drawing, _ = build(g, depth=depth, max_nodes=max_nodes, compact=compact, scale=scale,
                       steps=steps, rankdir=rankdir, title=title, legend=legend)
    return drawing


def draw_graphs(roots, *, gradients=None, scale=None, titles=None, names=None, values=6,
                model=None, **options):
    """Draw several graphs on one colour scale; returns a list of ``GraphDrawing``.

    The same gradient norm gets the same colour (and edge width) in every
    drawing. ``roots``: a list of tensors. ``gradients``: None, one
    ``record_backward()`` recording (of all their backward passes), or a list
    of recordings (or None), one per root. ``scale``: None for the smallest
    scale that covers every graph (``ColorScale.spanning`` of all their
    norms), or a ``ColorScale`` / ``(low, high)`` pair. ``titles``: None or
    one heading per root. ``names``, ``values`` and other keyword arguments
    (``depth``, ``max_nodes``, ``compact``, ``steps``, ``rankdir``,
    ``legend``) are those of ``draw_graph``, applied to every drawing.
    """
    roots = _per_root_list(roots)
    n = len(roots)
    recs = _per_root(gradients, n, "gradients", BackwardRecording, "record_backward() recordings")
    titles = _per_root(titles, n, "titles", str, "strings") if titles is not None else [None] * n
    scale = as_scale(scale, "draw_graphs")
    models = model if isinstance(model, (list, tuple)) and len(model) == n else [model] * n
    graphs = [walk(r, recording=rec, names=names, values=values, model=m)
              for r, rec, m in zip(roots, recs, models)]
    if scale is None and n > 1:         # one graph alone: its own scale, as draw_graph
        scale = ColorScale._fit([e.norm for g in graphs for e in g.elems])
    return [build(g, scale=scale, shared=n, title=t, **options)[0]
            for g, t in zip(graphs, titles)]


def _per_root_list(roots):
    if getattr(roots, "_is_tensor", False) or not isinstance(roots, (list, tuple)):
        raise TypeError(f"roots must be a list of Tensors (for one graph, use draw_graph), "
                        f"got {type(roots).__name__}")
    if not roots:
        raise ValueError("roots is empty: give at least one Tensor to draw")
    for i, r in enumerate(roots):
        if not getattr(r, "_is_tensor", False):
            raise TypeError(f"roots[{i}] must be a Tensor, got {type(r).__name__}")
    return list(roots)


def _per_root(value, n, name, kind, words):
    """``value`` (one for all, or a list of n, None entries allowed) as a list of n."""
    if value is None or isinstance(value, kind):
        return [value] * n
    if not isinstance(value, (list, tuple)) or len(value) != n:
        raise TypeError(f"{name} must be one of {words} or a list of {n} (one per root), "
                        f"got {type(value).__name__}"
                        + (f" of {len(value)}" if isinstance(value, (list, tuple)) else ""))
    for i, v in enumerate(value):
        if v is not None and not isinstance(v, kind):
            raise TypeError(f"{name}[{i}] must be one of {words} or None, got "
                            f"{type(v).__name__}")
    return list(value)


def build(g, *, depth=None, max_nodes=300, compact=None, scale=None, steps=True,
          rankdir="TB", title=None, legend=True, shared=1):
    """DOT for a ``model.Graph``: returns (GraphDrawing, Layout).

    ``scale``: a fixed ``ColorScale`` (or pair), else one fitted to ``g``;
    ``shared``: how many drawings it was fitted to, for the legend.
    """
    lay = make_layout(g, depth=depth, max_nodes=max_nodes, compact=compact)
    norms = [e.norm for e in g.elems if e.norm is not None]
    fixed = as_scale(scale)
    sc = fixed or ColorScale._fit(norms)
    has_grads = bool(norms)

    dot = GraphDrawing(name="graph", format="svg", engine="dot")
    dot.attr(rankdir=rankdir, fontname=style.FONT, newrank="true", labelloc="t",
             labeljust="l", nodesep="0.22", ranksep="0.32", pad="0.2",
             bgcolor="white", tooltip=" ")
    dot.attr("node", fontname=style.FONT, fontsize="11", penwidth="0.9",
             margin="0.11,0.04")
    dot.attr("edge", fontname=style.FONT, fontsize="9", arrowsize="0.6")

    if len(lay.boxes) > 150:
        # Fewer crossing-minimisation passes: big drawings render in seconds.
        dot.attr(mclimit="0.3")
    ctx = labels.Context(g, lay, sc, steps=steps)
    ctx.fixed, ctx.shared = fixed is not None, shared
    ctx.nonfinite = any(not math.isfinite(n) for n in norms)
    ctx.clipped = [sum(1 for n in norms if sc.clipped(n) == side) for side in (-1, 1)]
    # Boxes by cluster, and clusters in the order their first box appears:
    # boxes come in forward order, and dot lays out more cleanly (no zigzag
    # of "layer10" before "layer2") when it reads them in that order.
    by_cluster = defaultdict(list)
    children = defaultdict(list)
    seen = set()

    def first(box):
        return min((g.pos[m] for m in box.members), default=math.inf)
    for box in sorted(lay.boxes.values(), key=first):
        by_cluster[box.cluster].append(box)
        for i in range(1, len(box.cluster) + 1):
            path = box.cluster[:i]
            if path not in seen:
                seen.add(path)
                children[path[:-1]].append(path)
    cluster_ids = {}
    _emit(dot, (), by_cluster, children, ctx, cluster_ids)

    lay.edge_ids = {}
    spine = _spine(lay)
    for i, ((a, b), cs) in enumerate(lay.edges.items(), 1):
        eid = lay.edge_ids[(a, b)] = f"e{i}"
        attrs = ctx.edge_attrs(cs)
        if spine.get(b) == a:
            attrs["weight"] = "8"
        if lay.boxes[a].cluster != lay.boxes[b].cluster:
            # A leaf in the next scope would otherwise share a rank with the
            # end of this one; clusters on a shared rank must sit side by
            # side, and a deep net would be drawn as a long staircase.
            attrs["minlen"] = "2"
        dot.edge(a, b, id=eid, **attrs)

    counts = g.counts()
    counts["boxes"] = len(lay.boxes)
    counts["steps"] = g.nsteps
    ctx.scopes = bool(cluster_ids)
    if legend or title or lay.notes:
        dot.attr(label=labels.legend(ctx, title, lay.notes, counts, legend, has_grads))
    dot.notes = tuple(lay.notes)
    dot.counts = counts
    dot.cluster_ids = cluster_ids
    dot.scale = sc
    return dot, lay


def _emit(graph, path, by_cluster, children, ctx, cluster_ids):
    """The boxes of scope ``path`` and, as nested clusters, its sub-scopes.

    A module-level function, not a closure calling itself: such a closure is a
    reference cycle, and through ``ctx`` it would keep the whole graph (and
    every array its nodes saved) alive until the garbage collector ran.
    """
    for box in by_cluster.get(path, ()):
        graph.node(box.id, **ctx.node_attrs(box))
    for child in children.get(path, ()):
        cid = cluster_ids[child] = f"s{len(cluster_ids)}"
        with graph.subgraph(name=f"cluster_{cid}") as sub:
            sub.attr(label=f"<<B>{style.esc(style.short(child[-1]))}</B>>", id=cid,
                     tooltip=style.tip("scope " + "/".join(child)), labeljust="l",
                     labelloc="t", fontsize="12", fontcolor="#3a3f63",
                     style="rounded,filled", color=style.CLUSTER_BORDER,
                     fillcolor=style.CLUSTER_FILLS[(len(child) - 1) % 2])
            _emit(sub, child, by_cluster, children, ctx, cluster_ids)


def _spine(lay):
    """For each box, the input that comes by the longest path: {box: that input}.

    dot centres a node between its inputs; giving the edge from the longest
    path (the main line of computation, not a weight or a side branch) more
    weight keeps that line straight instead of drifting into a staircase.
    """
    preds = defaultdict(list)
    indeg = dict.fromkeys(lay.boxes, 0)
    succ = defaultdict(list)
    for a, b in lay.edges:
        preds[b].append(a)
        succ[a].append(b)
        indeg[b] += 1
    depth = dict.fromkeys(lay.boxes, 0)
    queue = deque(b for b, n in indeg.items() if n == 0)
    while queue:                        # Kahn's algorithm; boxes on a cycle keep 0
        a = queue.popleft()
        for b in succ[a]:
            depth[b] = max(depth[b], depth[a] + 1)
            indeg[b] -= 1
            if indeg[b] == 0:
                queue.append(b)
    return {b: max(ps, key=lambda a: depth[a]) for b, ps in preds.items()}
