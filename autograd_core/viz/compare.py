"""Side-by-side gradient pictures: several losses, one backward each, one colour scale.

::

    drawings = viz.compare_gradients([loss_sigmoid, loss_residual],
                                     titles=["sigmoid MLP", "residual MLP"])
    for d, name in zip(drawings, ["sigmoid", "residual"]):
        d.render(name, format="png")

Each loss's backward runs while recorded, so every edge (not only the
parameters) shows the gradient it carried back; every model is drawn one box
per layer; the colours mean the same norms in every picture.
"""
from .drawing import _per_root, _per_root_list, draw_graphs
from .record import BackwardRecording, record_backward

__all__ = ["compare_gradients"]


def compare_gradients(roots, *, titles=None, recordings=None, depth="layers", steps=False,
                      scale=None, **draw_options):
    """Run each root's backward (recorded) and draw them all on one colour scale.

    Returns a list of ``GraphDrawing``, one per root, in order. Gradients
    accumulate into ``.grad`` as usual. If ``recordings`` (one
    ``record_backward()`` recording, or one per root) is given, the backward
    passes they saw are drawn and nothing is run. ``depth="layers"`` draws
    each layer of a model as one box (see ``draw_graph``), top to bottom
    (a page's width holds two such columns side by side; ``rankdir="LR"``
    draws a row instead); ``steps=False`` leaves the backward step numbers
    out. ``scale``, ``titles`` and the other keyword arguments are those of
    ``draw_graphs``.
    """
    roots = _per_root_list(roots)
    if recordings is None:
        for i, r in enumerate(roots):
            node = r.grad_fn
            if node is None:
                raise ValueError(f"roots[{i}] is a leaf: there is no backward pass to draw")
            if getattr(node, "freed", False):
                raise RuntimeError(
                    f"roots[{i}]'s graph was freed by an earlier backward, so it cannot run "
                    f"again: compute it afresh, or record that backward (with "
                    f"viz.record_backward() as rec: ...) and pass recordings=")
        recordings = []
        for r in roots:
            with record_backward() as rec:
                r.backward()
            recordings.append(rec)
    else:
        _per_root(recordings, len(roots), "recordings", BackwardRecording,
                  "record_backward() recordings")
    return draw_graphs(roots, gradients=recordings, titles=titles, depth=depth, steps=steps,
                       scale=scale, **draw_options)
