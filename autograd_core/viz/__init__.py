"""Pictures of reverse-mode differentiation: the graph, its gradients, the backward pass.

::

    from autograd_core import viz

    viz.draw_graph(loss)                        # structure: ops, tensors, scopes
    with viz.record_backward() as rec:          # watch a backward pass...
        loss.backward()
    viz.draw_graph(loss, gradients=rec)         # ...then: gradient norms, coloured edges,
                                                #    ops numbered in backward order
    viz.backward_html(loss2, "backward.html")   # the backward pass step by step

    # Two models on one colour scale (one colour: one range of norms in both):
    a, b = viz.compare_gradients([loss_a, loss_b], titles=["sigmoid", "residual"])
    a.render("sigmoid", format="png"); b.render("residual", format="png")
    # or, after backward passes recorded in rec_a, rec_b:
    sc = viz.ColorScale.spanning(rec_a, rec_b)  # or viz.ColorScale(1e-20, 10)
    viz.draw_graph(loss_a, gradients=rec_a, scale=sc)   # and the same for b;
    viz.draw_graphs([loss_a, loss_b], gradients=[rec_a, rec_b])   # does both

``draw_graph`` returns a ``graphviz.Digraph`` (render it with ``.render()``,
display it in Jupyter); ``backward_html`` returns a ``BackwardPage`` (a
self-contained HTML page, also displayed inline in Jupyter). Rendering needs
Graphviz's ``dot`` program; without it ``GraphvizNotFound`` says how to install it.

Each drawing fits its colour scale to its own gradients unless given one, so
compare drawings only on a shared scale (``draw_graphs``, ``compare_gradients``
or ``scale=``); norms outside a given scale take its end colours, and the
legend gives its range.

Every input of every op is drawn: inputs that need no gradient (the data, a
loss's targets, constants such as an exponent) are small grey boxes with
their shape and, when small, their value; they are noted as ops are recorded
once this package is imported (``inputs.set_record_inputs(False)`` stops it;
``benchmarks/bench_viz_inputs.py`` measures the cost). An ``nn.Module``'s
parameters are named by their path (``0.weight``), from the modules in the
caller's variables or ``model=``.

Modules: ``record`` (watching backward), ``inputs`` (non-grad inputs), ``model``
(reading the graph), ``collapse`` (shrinking big graphs), ``scale`` (gradient norms to colours),
``style`` and ``labels`` (how things look), ``drawing`` (DOT), ``page`` (the
step-by-step HTML), ``compare`` (several models on one scale).
"""
from . import inputs
from .compare import compare_gradients
from .drawing import GraphDrawing, GraphvizNotFound, draw_graph, draw_graphs
from .page import BackwardPage, backward_html
from .record import BackwardRecording, Visit, record_backward
from .scale import ColorScale
from .style import PALETTE

inputs.set_record_inputs(True)      # data, targets and constants of ops, for the drawings

__all__ = ["draw_graph", "draw_graphs", "compare_gradients", "ColorScale", "record_backward",
           "backward_html", "BackwardRecording", "BackwardPage", "GraphDrawing",
           "GraphvizNotFound", "Visit", "PALETTE"]
