"""Pictures of reverse-mode differentiation: the graph, its gradients, the backward pass.

::

    from autograd_core import viz

    viz.draw_graph(loss)                        # structure: ops, tensors, scopes
    with viz.record_backward() as rec:          # watch a backward pass...
        loss.backward()
    viz.draw_graph(loss, gradients=rec)         # ...then: gradient norms, coloured edges,
                                                #    ops numbered in backward order
    viz.backward_html(loss2, "backward.html")   # the backward pass step by step

``draw_graph`` returns a ``graphviz.Digraph`` (render it with ``.render()``,
display it in Jupyter); ``backward_html`` returns a ``BackwardPage`` (a
self-contained HTML page, also displayed inline in Jupyter). Rendering needs
Graphviz's ``dot`` program; without it ``GraphvizNotFound`` says how to install it.

Modules: ``record`` (watching backward), ``model`` (reading the graph),
``collapse`` (shrinking big graphs), ``style`` and ``labels`` (how things
look), ``drawing`` (DOT), ``page`` (the step-by-step HTML).
"""
from .drawing import GraphDrawing, GraphvizNotFound, draw_graph
from .page import BackwardPage, backward_html
from .record import BackwardRecording, Visit, record_backward
from .style import PALETTE

__all__ = ["draw_graph", "record_backward", "backward_html", "BackwardRecording",
           "BackwardPage", "GraphDrawing", "GraphvizNotFound", "Visit", "PALETTE"]
