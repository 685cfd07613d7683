"""The backward pass, step by step, as one self-contained HTML page.

The page holds the drawing (inline SVG from ``dot``, gradients coloured as
the backward pass left them), the steps as JSON, and a small script: at step
``k`` the node being processed is outlined, the gradients completed so far
are shown, and the rest is greyed out. No network, no external scripts, so
the file can be mailed, opened offline, or shown in a notebook (inside an
iframe, so that several pages in one notebook do not share ids).
"""
import html
import json
from pathlib import Path

from . import labels, style
from .drawing import _strip_prolog, build
from .model import apply_recording, walk
from .page_assets import CSS, SCRIPT
from .record import record_backward
from .scale import as_scale

__all__ = ["BackwardPage", "backward_html"]


class BackwardPage:
    """A self-contained HTML page that steps through a backward pass.

    ``html`` is the page; ``save(path)`` writes it; ``steps`` is how many
    steps it has; ``drawing`` is the ``GraphDrawing`` it shows. In Jupyter it
    displays inline.
    """

    def __init__(self, html_text, steps, drawing):
        self.html = html_text
        self.steps = steps
        self.drawing = drawing

    def save(self, path):
        """Write the page to ``path`` (folders are created); returns the ``Path``."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.html, encoding="utf-8")
        return path

    def _repr_html_(self):
        doc = html.escape(self.html, quote=True)
        return (f'<iframe srcdoc="{doc}" style="width:100%;height:760px;border:1px solid '
                '#ddd" sandbox="allow-scripts"></iframe>')

    def __repr__(self):
        return f"<BackwardPage: {self.steps} steps, {len(self.html):,} characters>"


def backward_html(root, path=None, *, gradient=None, retain_graph=False, recording=None,
                  title=None, names=None, values=6, model=None, **draw_options):
    """Run ``root.backward()`` while recording it; return a step-by-step ``BackwardPage``.

    The graph is read before the backward (so values that the backward frees
    can still be shown), then ``root.backward(gradient, retain_graph=...)``
    runs inside ``record_backward()``: gradients accumulate into ``.grad`` as
    usual. If ``recording`` (a ``record_backward()`` recording of a backward
    through ``root``'s graph) is given instead, nothing is run and that pass
    is shown. With ``path``, the page is also written there.

    ``title``, ``names``, ``values`` and other keyword arguments (``depth``,
    ``max_nodes``, ``compact``, ``scale``, ``rankdir``) are those of
    ``draw_graph``: ``scale=`` (a ``ColorScale``) colours the page as
    other drawings on that scale. Needs Graphviz's ``dot`` (``GraphvizNotFound`` otherwise).
    """
    if "gradients" in draw_options:
        raise TypeError("backward_html records the backward pass itself; to show one "
                        "already recorded, pass recording=, not gradients=")
    draw_options["scale"] = as_scale(draw_options.get("scale"), "backward_html")
    if recording is None:
        g = walk(root, recording=None, names=names, values=values, model=model)
        with record_backward(values=values) as recording:
            root.backward(gradient, retain_graph=retain_graph)
        # Leaves' .grad, read by walk, may be stale sums of earlier passes:
        # only what this backward did counts.
        for e in g.elems:
            e.norm = e.grad = None
        apply_recording(g, recording, values)
    else:
        g = walk(root, recording=recording, names=names, values=values, model=model)
    drawing, lay = build(g, title=title, **draw_options)
    svg = _strip_prolog(drawing.svg())
    data = _page_data(g, lay, drawing)
    page = _render(title or "Backward pass, step by step", svg, data)
    out = BackwardPage(page, g.nsteps, drawing)
    if path is not None:
        out.save(path)
    return out


# -- what the script needs ------------------------------------------------------

def _describe(e, g):
    """A short name of an element for the step texts."""
    if e.kind == "const":
        return labels.const_title(e, g)
    if e.kind == "leaf":
        return e.name or ("a Parameter" if e.param else "a leaf")
    if e.kind == "tensor":
        op = g.elems[e.op]
        return e.name or f"the output of {op.name}"
    return e.name


# The local rule each op applies in its backward: one line, for the step texts.
RULES = {
    "Add": "Add: grad of a = grad, grad of b = grad (a sum passes its gradient on unchanged)",
    "Sub": "Sub: grad of a = grad, grad of b = −grad",
    "Mul": "Mul: grad of a = grad × b, grad of b = grad × a",
    "Div": "Div: grad of a = grad / b, grad of b = −grad × a / b²",
    "Neg": "Neg: grad of x = −grad",
    "Pow": "Pow: grad of a = grad × b × a^(b−1), grad of b = grad × a^b × log a",
    "Exp": "Exp: grad of x = grad × exp(x) (the output itself)",
    "Log": "Log: grad of x = grad / x",
    "Sqrt": "Sqrt: grad of x = grad / (2 √x)",
    "Sin": "Sin: grad of x = grad × cos x",
    "Cos": "Cos: grad of x = −grad × sin x",
    "Tanh": "Tanh: grad of x = grad × (1 − tanh²x)",
    "Sigmoid": "Sigmoid: grad of x = grad × s × (1 − s), s the output",
    "Relu": "ReLU: grad of x = grad × (x > 0)",
    "LeakyRelu": "LeakyReLU: grad of x = grad × (1 where x > 0, else the slope)",
    "Abs": "Abs: grad of x = grad × sign(x)",
    "Erf": "Erf: grad of x = grad × 2/√π × exp(−x²)",
    "Softplus": "Softplus: grad of x = grad × sigmoid(x)",
    "Clip": "Clip: grad of x = grad where x was inside [min, max], 0 where it was clipped",
    "Maximum": "Maximum: the gradient goes to the larger input (split evenly on ties)",
    "Minimum": "Minimum: the gradient goes to the smaller input (split evenly on ties)",
    "Where": "Where: grad of a = grad where cond, grad of b = grad where not cond",
    "GetItem": "Indexing: the gradient is scattered back into zeros of the input's shape "
               "at the indexed places (repeated indices add up)",
    "IndexAdd": "IndexAdd: grad of the source = grad gathered at the indices",
    "Matmul": "Matmul: grad of A = grad @ B.T, grad of B = A.T @ grad",
    "Sum": "Sum: the gradient is broadcast back to the input's shape",
    "Max": "Max: the gradient goes to the maximal entries (split evenly on ties)",
    "Min": "Min: the gradient goes to the minimal entries (split evenly on ties)",
    "StdSqrt": "Std: grad of the variance = grad / (2 std)",
    "NormSqrt": "Norm: grad of the squared norm = grad / (2 norm)",
    "Softmax": "Softmax: grad of x = s × (grad − Σ grad × s), s the output",
    "LogSoftmax": "LogSoftmax: grad of x = grad − softmax(x) × Σ grad",
    "Cumsum": "Cumsum: grad of x = the reversed cumulative sum of grad",
    "Reshape": "Reshape: the gradient is reshaped back to the input's shape",
    "Transpose": "Transpose: the gradient is transposed back (inverse permutation)",
    "BroadcastTo": "BroadcastTo: the gradient is summed over the broadcast axes",
    "Concatenate": "Concatenate: the gradient is split into the pieces each input gave",
    "Pad": "Pad: the gradient is cropped back to the unpadded region",
    "Cast": "Cast: the gradient is cast back to the input's dtype",
    "Clone": "Clone: the gradient passes through unchanged",
    "Remainder": "Remainder: grad of a = grad, grad of b = −grad × floor(a / b)",
    "Linear": "Linear (x @ W.T + b): grad of x = grad @ W, grad of W = grad.T @ x, "
              "grad of b = grad summed over the batch",
    "Conv2d": "Conv2d: grad of x = the transposed convolution of grad with the filters, "
              "grad of the filters = grad correlated with x, grad of b = grad summed "
              "over batch and positions",
    "MaxPool2d": "MaxPool2d: each window's gradient goes to the position of its maximum",
    "AvgPool2d": "AvgPool2d: each window's gradient is spread evenly over the window",
    "CrossEntropy": "CrossEntropy: grad of the logits = (softmax(logits) − one_hot(target)) "
                    "× grad (÷ N for the mean)",
    "BinaryCrossEntropy": "BinaryCrossEntropy: grad of p = grad × (p − y) / (p (1 − p))",
    "TanhGrad": "TanhGrad (a backward op): its own rule from tanh's derivative",
    "SigmoidGrad": "SigmoidGrad (a backward op): its own rule from sigmoid's derivative",
}
# Ops whose inputs NumPy broadcasts to the output's shape, so that an input of
# another shape gets its gradient summed back (the engine's sum_to).
BROADCASTING = {"Add", "Sub", "Mul", "Div", "Pow", "Maximum", "Minimum", "Where",
                "Remainder"}


def rule_text(name):
    """The one-line backward rule of an op, or a generic one for ops not in ``RULES``."""
    return RULES.get(name, f"{name}: its backward multiplies the gradient of its output "
                           f"by its local derivative (the vector-Jacobian product)")


def _broadcast_note(op, t, out, g):
    """Why ``t`` gets a gradient of another shape than ``out``'s, or None."""
    if op.name not in BROADCASTING or tuple(t.shape) == tuple(out.shape):
        return None
    return (f"<b>{html.escape(_describe(t, g))}</b> "
            f"<span class=shape>{html.escape(style.shape_text(t.shape, t.dtype))}</span> was "
            f"broadcast to {html.escape(style.shape_text(out.shape, out.dtype).split()[0])} in "
            f"the forward pass, so its gradient is summed over the broadcast axes back to "
            f"its shape (<code>sum_to</code>).")


def _page_data(g, lay, drawing):
    """Steps, and for every box and edge the step where it lights up (JSON-ready)."""
    esc = html.escape
    inputs = {}                     # op idx -> elements it sends gradients to
    consts = {}                     # op idx -> its inputs that need no gradient
    for _src, dst, carrier in g.edges:
        if g.elems[dst].kind == "op":
            c = g.elems[carrier]
            (consts if c.kind == "const" else inputs).setdefault(dst, []).append(c)
    steps = [None] * g.nsteps
    known_rows = []
    for e in g.elems:
        if e.step is None:
            continue
        box = lay.box_of.get(e.idx)
        where = f" <span class=scope>in {esc('/'.join(e.path))}</span>" if e.path else ""
        if e.kind == "op":
            out = g.elems[e.idx + 1]
            got = _grad_html(out)
            to = inputs.get(e.idx, [])
            names = ", ".join(f"<b>{esc(_describe(t, g))}</b> "
                              f"<span class=shape>{esc(style.shape_text(t.shape, t.dtype))}</span>"
                              for t in to) or "nothing"
            text = (f"<b>{esc(e.name)}</b>{where} has the whole gradient of its output "
                    f"<span class=shape>{esc(style.shape_text(out.shape, out.dtype))}</span>: "
                    f"{got}. Its backward turns it into gradients for its inputs: {names}.")
            if e.idx in consts:
                text += (" No gradient for " + ", ".join(
                    f"<b>{esc(_describe(c, g))}</b>" for c in consts[e.idx])
                         + " (it does not require grad).")
            rule = esc(rule_text(e.name))
            notes = [n for n in (_broadcast_note(e, t, out, g) for t in to) if n]
            label = _describe(out, g) if out.name or out.output else f"{e.name} output"
            tensor = out
        else:
            text = (f"<b>{esc(_describe(e, g))}</b> (a leaf{', a Parameter' if e.param else ''}) "
                    f"has its total gradient: {_grad_html(e)}. It is added to "
                    f"<code>.grad</code>.")
            label = _describe(e, g)
            tensor = e
            rule, notes = None, []
        steps[e.step - 1] = {"box": box, "kind": e.kind, "text": text, "rule": rule,
                             "notes": notes}
        known_rows.append((e.step, label, style.shape_text(tensor.shape, tensor.dtype),
                           style.norm_text(tensor.norm), _colour(tensor, drawing)))
    # When each box's gradient is complete, and when it is processed.
    box_known, box_visits = {}, {}
    for bid, box in lay.boxes.items():
        ks = [g.elems[m].known for m in box.members if g.elems[m].known is not None]
        vs = [g.elems[m].step for m in box.members if g.elems[m].step is not None]
        if ks:
            box_known[bid] = max(ks) if box.kind in ("group", "chain", "more") else min(ks)
        if vs:
            box_visits[bid] = [min(vs), max(vs)]      # first and last step it is processed
    edges = {}
    for (a, b), cs in lay.edges.items():
        ks = [g.elems[c].known for c in cs if g.elems[c].known is not None]
        edges[lay.edge_ids[(a, b)]] = {"to": b, "from": a, "known": min(ks) if ks else None,
                                       "none": all(g.elems[c].kind == "const" for c in cs)}
    known_rows.sort()
    return {"start": _start(g, lay), "steps": steps, "known": box_known, "visits": box_visits,
            "edges": edges, "rows": known_rows, "notes": list(drawing.notes),
            "counts": drawing.counts}


def _start(g, lay):
    """Step 0: the output, and the gradient the backward pass is seeded with."""
    out = g.elems[g.output] if g.output is not None else None
    if out is None:
        return None
    esc = html.escape
    shape = style.shape_text(out.shape, out.dtype)
    value = (f" = <code>{esc(style.array_text(out.value))}</code>"
             if out.value is not None else "")
    if out.grad is not None:
        seed = f"<code>{esc(style.array_text(out.grad))}</code>"
        ones = out.grad.size and bool((out.grad == 1).all())
    elif out.norm is not None:
        seed, ones = f"of norm {esc(style.norm_text(out.norm))}", False
    else:
        seed, ones = "1", True
    why = (" (d output / d output = 1)" if ones and not out.shape else
           " (the <code>gradient</code> given to <code>backward</code>)" if not ones else "")
    name = esc(out.name) if out.name else "the output"
    text = (f"The forward pass built this graph and computed <b>{name}</b> "
            f"<span class=shape>{esc(shape)}</span>{value}. The backward pass starts "
            f"there: its gradient is seeded with <b>{seed}</b>{why}. Each op then runs "
            f"once all the gradient of its output has arrived.")
    return {"box": lay.box_of.get(out.idx), "text": text, "grad": seed}


def _colour(e, drawing):
    sc = drawing.scale
    return sc.colour(e.norm) if sc is not None else style.NEUTRAL


def _grad_html(e):
    if e.norm is None:
        return "no gradient"
    if e.grad is not None:
        return f"grad <code>{html.escape(style.array_text(e.grad))}</code>"
    return f"grad norm {html.escape(style.norm_text(e.norm))}"


def _render(title, svg, data):
    # "<" only ever occurs inside JSON strings, where \u003c means the same and
    # cannot end the <script> element (nor start a comment) early.
    payload = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    c = data["counts"]
    summary = (f"{style.plural(c['ops'], 'op')}, {style.plural(c['leaves'], 'leaf')}, "
               f"{style.plural(c['steps'], 'backward step')}"
               + (f"; drawn as {style.plural(c['boxes'], 'box')}" if data["notes"] else ""))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{CSS}</style></head>
<body>
<header><h1>{html.escape(title)}</h1><p class="sub">{html.escape(summary)}.
Reverse mode walks the graph from the output back to the leaves: each op runs once
all the gradient of its output has arrived.</p></header>
<nav class="controls">
<button id="first" title="first (Home)">|◀</button><button id="prev" title="back (←)">◀</button>
<button id="play" title="play / pause (space)">▶ play</button>
<button id="next" title="forward (→)">▶</button><button id="last" title="last (End)">▶|</button>
<input id="slider" type="range" min="0" max="{len(data['steps'])}" value="0" aria-label="step">
<span id="counter"></span>
<label class="fit"><input id="fit" type="checkbox" checked> fit width</label>
</nav>
<main>
<div id="graph" class="graph fitted">{svg}</div>
<aside>
<div id="now" class="now"></div>
<h2>Gradients complete so far</h2>
<div class="known"><table><thead><tr><th>step</th><th>tensor</th><th>shape</th>
<th>grad norm</th></tr></thead><tbody id="rows"></tbody></table></div>
</aside>
</main>
<script>const DATA = {payload};</script>
<script>{SCRIPT}</script>
</body></html>
"""
