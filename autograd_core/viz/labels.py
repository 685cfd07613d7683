"""Labels and attributes of the boxes and edges of a drawing, and its legend.

Labels are Graphviz HTML-like labels: one table row per line, so a name can
be bold, a shape small and grey, a gradient in the colour of its bin. A
gradient's first line starts with "grad " ("grad [..]", "grad norm ..") and
its further lines (a matrix, row by row) have the same colour: that is how the
step-by-step page finds the gradient lines, to hide them until the backward
pass gets there.
"""
import math
from collections import Counter

from . import style
from .style import esc, plural, short, tip

__all__ = ["Context", "legend"]


# Friendlier words for some forward parameter names.
_ROLE_WORDS = {("Pow", "b"): "exponent", ("Pow", "a"): "base"}


def const_title(e, g, inside=False):
    """What to call a data / constant input ``e`` of op ``g.elems[e.op]``.

    Its tensor's name if it has one; else the op's parameter name when it
    says something ("target", "x", "exponent"); a bare letter ("b") is
    qualified by the op ("Mul input b") unless drawn inside that op's box.
    """
    if e.name:
        return e.name
    op = g.elems[e.op].name if e.op is not None else None
    role = _ROLE_WORDS.get((op, e.role), e.role)
    if not role:
        return "constant"
    if len(role) > 1 or role == "x" or inside or op is None:
        return role
    return f"{op} input {role}"


def _const_text(e, g):
    """One line for a constant input inside its op: "b = 2", "target 4 int64"."""
    title = const_title(e, g, inside=True)
    if e.value is not None and e.value.ndim == 0:
        return f"{title} = {style.array_text(e.value)}"
    text = f"{title} {style.shape_text(e.shape, e.dtype)}"
    if e.value is not None:
        text += " " + style.array_text(e.value)
    return text


def _row(text, size=None, colour=None, bold=False, italic=False):
    t = esc(text)
    if bold:
        t = f"<B>{t}</B>"
    if italic:
        t = f"<I>{t}</I>"
    attrs = (f' POINT-SIZE="{size}"' if size else "") + (f' COLOR="{colour}"' if colour else "")
    if attrs:
        t = f"<FONT{attrs}>{t}</FONT>"
    return f"<TR><TD>{t}</TD></TR>"


def _lines(prefix, a, colour=None):
    """Rows for a tiny array: "data [1, 2]", or a matrix row by row."""
    lines = style.array_lines(a)
    pad = " " * (len(prefix) + 1)
    return "".join(_row((prefix + " " if i == 0 else pad) + line, 10, colour)
                   for i, line in enumerate(lines))


def _table(rows):
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
            + "".join(rows) + "</TABLE>>")


def _op_summary(names, most=3):
    c = Counter(names)
    top = [f"{short(n, 24)} ×{k:,}" if k > 1 else short(n, 24) for n, k in c.most_common(most)]
    return ", ".join(top) + (", …" if len(c) > most else "")


def _span(steps):
    steps = [s for s in steps if s is not None]
    if not steps:
        return None
    lo, hi = min(steps), max(steps)
    return f"step {lo}" if lo == hi else f"steps {lo}–{hi}"


class Context:
    """What the label writers share: the graph, its layout and the colour scale."""

    def __init__(self, g, lay, scale, steps=True):
        self.g, self.lay, self.scale, self.steps = g, lay, scale, steps
        self.kinds = set()
        self.dashed = False
        self.fixed = False          # the scale was given, not fitted to this graph
        self.shared = 1             # how many drawings share it
        self.nonfinite = False
        self.clipped = (0, 0)       # norms below / above a fixed scale

    # -- rows shared by several kinds of box ---------------------------------
    def _grad_row(self, e, prefix="grad"):
        if e.norm is None:
            return None
        colour = self.scale.text_colour(e.norm)
        if e.grad is not None:
            return _lines(prefix, e.grad, colour)
        return _row(f"{prefix} norm {style.norm_text(e.norm)}", 10, colour)

    def _step_row(self, step):
        if self.steps and step is not None:
            return _row(f"step {step}", 9, style.STEP, bold=True)
        return None

    def _tensor_rows(self, e, title=True):
        rows = []
        if title:
            if e.name is not None:
                rows.append(_row(short(e.name), bold=True))
            elif e.output:
                rows.append(_row("output", bold=True))
            elif e.kind == "leaf":
                rows.append(_row("Parameter" if e.param else "leaf", 10, "#555555",
                                 italic=True))
        rows.append(_row(style.shape_text(e.shape, e.dtype), 9, "#555555"))
        if e.value is not None:
            rows.append(_lines("data", e.value))
        rows.append(self._grad_row(e))
        return rows

    # -- boxes -----------------------------------------------------------------
    def node_attrs(self, box):
        g = self.g
        els = [g.elems[m] for m in box.members]
        kind = box.kind
        attrs = {"id": box.id, "style": "filled"}
        if kind in ("tensor", "leaf"):
            e = els[0]
            k = "output" if e.output else "param" if e.param else kind
            self.kinds.add(k)
            rows = self._tensor_rows(e)
            if kind == "leaf":
                rows.append(self._step_row(e.step))
            attrs.update(shape="box", fillcolor=style.FILL[k],
                         tooltip=self._tooltip(e))
            attrs.update(color=style.BORDER[k])
            if e.output:
                attrs.update(peripheries="2")
        elif kind == "const":
            self.kinds.add("const")
            e = els[0]
            rows = self._const_rows(e)
            attrs.update(shape="box", fillcolor=style.FILL["const"], color=style.BORDER["const"],
                         fontsize="9", margin="0.06,0.02", height="0.2",
                         tooltip=self._tooltip(e))
        elif kind == "op":
            self.kinds.add("op")
            op = els[0]
            rows = [_row(short(op.name), bold=True)]
            for t in els[1:]:
                if t.kind == "tensor":          # its output tensor folded in
                    rows += self._tensor_rows(t, title=t.name is not None)
            for c in els[1:]:
                if c.kind == "const":           # a constant input drawn inside (compact)
                    self.kinds.add("const-in")
                    rows += [_row("input " + _const_text(c, g), 9, "#777777")]
            rows.append(self._step_row(op.step))
            attrs.update(shape="box", style="rounded,filled", fillcolor=style.FILL["op"],
                         color=style.BORDER["op"], tooltip=self._tooltip(op))
        elif kind == "group":
            self.kinds.add("group")
            rows, colour = self._group_rows(box, els)
            attrs.update(shape="box3d", fillcolor=style.FILL["group"], color=colour,
                         margin="0.14,0.07",
                         penwidth="2" if colour != "#555555" else "1",
                         tooltip=tip("scope " + "/".join(box.title) + " (collapsed)"))
        elif kind == "chain":
            self.kinds.add("chain")
            ops = [e.name for e in els if e.kind == "op"]
            rows = [_row(f"chain of {plural(len(ops), 'op')}", bold=True),
                    _row(_op_summary(ops), 9, "#555555")]
            span = _span(e.step for e in els)
            rows.append(_row(span, 9, style.STEP, bold=True) if span and self.steps else None)
            attrs.update(shape="box3d", fillcolor=style.FILL["chain"], color="#555555",
                         margin="0.14,0.07",
                         tooltip=f"{len(ops)} ops merged into one box")
        else:                                   # "more"
            n_ops = sum(1 for e in els if e.kind == "op")
            rows = [_row(f"… {plural(n_ops, 'op')} more", bold=True),
                    _row(f"and {plural(len(els) - n_ops, 'tensor')}", 9, "#555555"),
                    _row("not drawn (max_nodes)", 9, "#555555", italic=True)]
            attrs.update(shape="note", fillcolor=style.FILL["more"], color="#999999")
        attrs["label"] = _table([r for r in rows if r])
        return attrs

    def _const_rows(self, e):
        """A data / target / constant input: its name or role, shape, and small value."""
        title = const_title(e, self.g)
        rows = [_row(short(title), 10, "#444444", bold=e.name is not None,
                     italic=e.name is None),
                _row(style.shape_text(e.shape, e.dtype) + ", no grad", 8, "#777777")]
        if e.value is not None:
            if e.value.ndim == 0:
                rows.append(_row("= " + style.array_text(e.value), 9, "#444444"))
            else:
                rows.append(_lines("data", e.value, "#444444"))
        return rows

    def _group_rows(self, box, els):
        ops = [e.name for e in els if e.kind == "op"]
        leaves = [e for e in els if e.kind == "leaf"]
        rows = [_row(short(box.title[-1]), bold=True),
                _row(f"{plural(len(ops), 'op')}: {_op_summary(ops)}", 9, "#555555")]
        if leaves:
            n = sum(math.prod(e.shape) for e in leaves)
            word = "param" if all(e.param for e in leaves) else "leaf"
            rows.append(_row(f"{plural(len(leaves), word)} ({n:,} values)", 9, "#555555"))
        outs = {}
        for (a, _b), cs in self.lay.edges.items():
            if a == box.id:
                for c in cs:
                    outs[c] = self.g.elems[c]
        shapes = {style.shape_text(e.shape, e.dtype) for e in outs.values()}
        if len(shapes) == 1:
            rows.append(_row("out " + shapes.pop(), 9, "#555555"))
        colour = "#555555"
        known = [e.norm for e in leaves if e.norm is not None]
        if known and len(known) == len(leaves):
            total = sum(n * n for n in known) ** 0.5
            colour = self.scale.colour(total)
            rows.append(_row(f"grad norm of {'params' if word == 'param' else 'leaves'} "
                             f"{style.norm_text(total)}", 10, self.scale.text_colour(total)))
        out_norm = next(iter(outs.values())).norm if len(outs) == 1 else None
        if out_norm is not None:
            # The gradient that reached the layer's output: what vanishes or
            # explodes on its way back, and the only one a layer without
            # parameters (an activation) has.
            rows.append(_row(f"grad norm of output {style.norm_text(out_norm)}", 10,
                             self.scale.text_colour(out_norm)))
            if colour == "#555555":
                colour = self.scale.colour(out_norm)
        span = _span(e.step for e in els)
        if span and self.steps:
            rows.append(_row(span, 9, style.STEP, bold=True))
        return rows, colour

    def _tooltip(self, e):
        where = " in " + "/".join(e.path) if e.path else ""
        what = f"{e.name} (op)" if e.kind == "op" else (
            f"{const_title(e, self.g)} (input of {self.g.elems[e.op].name} that "
            f"needs no gradient)" if e.kind == "const" else
            f"{e.name or ('parameter' if e.param else e.kind)}")
        text = f"{what}{where}: {style.shape_text(e.shape, e.dtype)}"
        t = self.g.elems[e.idx + 1] if e.kind == "op" else e
        if e.kind == "const" and e.value is not None:
            text += f"; value {style.array_text(e.value)}"
        if t.norm is not None:
            text += f"; gradient norm {t.norm:.6g}"
        if e.step is not None:
            text += f"; backward step {e.step}"
        return tip(text)

    # -- edges -----------------------------------------------------------------
    def edge_attrs(self, carriers):
        g = self.g
        els = [g.elems[c] for c in dict.fromkeys(carriers)]    # x * x: x once
        norms = [e.norm for e in els if e.norm is not None]
        attrs = {}
        what = (style.shape_text(els[0].shape, els[0].dtype) if len(els) == 1
                else f"{len(els)} tensors")
        if norms:
            bad = [x for x in norms if not math.isfinite(x)]
            n = bad[0] if bad else max(norms)            # nan/inf must show
            attrs.update(color=self.scale.colour(n), penwidth=f"{self.scale.penwidth(n):.1f}",
                         arrowsize=f"{0.5 + 0.08 * max(self.scale.bin(n), 0):.2f}",
                         tooltip=f"{what}: gradient norm {n:.4g}")
        elif g.recorded:
            self.dashed = True
            attrs.update(color=style.NO_GRAD, style="dashed",
                         tooltip=f"{what}: no gradient flowed back here")
        else:
            attrs.update(color=style.NEUTRAL, tooltip=what)
        return attrs


def legend(ctx, title, notes, counts, show_legend, has_grads):
    """The graph's label: title, summary, notes about collapsing, and the legends.

    One table whose columns the node-kind swatches and the gradient bins share,
    so nothing in it is stretched to another row's width.
    """
    kinds = [(k, text) for k, text in _KIND_NAMES if k in ctx.kinds] if show_legend else []
    bins = _grad_bins(ctx) if show_legend and has_grads else []
    ncol = 1 + max(len(kinds), len(bins), 1)

    def wide(content, size=10, colour="#444444"):
        return (f'<TR><TD ALIGN="LEFT" COLSPAN="{ncol}"><FONT POINT-SIZE="{size}" '
                f'COLOR="{colour}">{content}</FONT></TD></TR>')
    rows = []
    if title:
        rows.append(wide(f"<B>{esc(title)}</B>", 14, "#000000"))
    summary = f"{plural(counts['ops'], 'op')}, {plural(counts['leaves'], 'leaf')}"
    if counts["steps"]:
        summary += f"; backward pass: {plural(counts['steps'], 'step')}"
    if counts.get("constants"):
        summary += f", {plural(counts['constants'], 'input')} without gradient (data, constants)"
    if counts["boxes"] < (counts["ops"] + counts["tensors"] + counts["leaves"]
                          + counts.get("constants", 0)):
        summary += f"; drawn as {plural(counts['boxes'], 'box')}"
    rows.append(wide(esc(summary)))
    for note in notes:
        rows.append(wide(esc(f"Large graph: {note}."), colour="#a33a00"))

    def pad(n):
        return f'<TD COLSPAN="{n}"></TD>' if n > 0 else ""
    head = '<TD ALIGN="RIGHT"><FONT POINT-SIZE="9" COLOR="#444444">{}</FONT></TD>'
    if kinds:
        cells = "".join(f'<TD BGCOLOR="{style.FILL[k]}" BORDER="{2 if k == "output" else 1}" '
                        f'COLOR="{style.BORDER.get(k, "#888888")}">'
                        f'<FONT POINT-SIZE="9">{text}</FONT></TD>' for k, text in kinds)
        rows.append(f"<TR>{head.format('boxes')}{cells}{pad(ncol - 1 - len(kinds))}</TR>")
        rows.append(wide("Borders: " + '<BR ALIGN="LEFT"/>'.join(
            esc(_BORDER_TEXT[k]) for k, _ in kinds) + '<BR ALIGN="LEFT"/>', 9))
        extra = ["edges point forward, from an input to the op that uses it; the backward "
                 "pass sends gradients back along them"]
        if getattr(ctx, "scopes", False):
            extra.append("shaded rounded panels: scopes (ag.scope, or the nn module that ran "
                         "the ops), nested")
        if has_grads:
            extra.append("gradient texts take the colour of their edge colour bin")
        if "const-in" in ctx.kinds:
            extra.append("\"input …\" lines in an op: its inputs that need no gradient")
        if ctx.steps and any(e.step is not None for e in ctx.g.elems):
            extra.append("\"step n\" (orange): the order in which the backward pass "
                         "processed the box")
        if any(e.kind == "const" for e in ctx.g.elems) or ctx.dashed:
            extra.append("no gradient flows into data and constants"
                          + (" (dashed edges: no gradient)" if ctx.dashed else ""))
        rows.append(wide('<BR ALIGN="LEFT"/>'.join(esc(t[0].upper() + t[1:] + ".")
                                                   for t in extra) + '<BR ALIGN="LEFT"/>', 9))
    if bins:
        swatches = "".join(
            f'<TD BGCOLOR="{c}" HEIGHT="{h}" FIXEDSIZE="FALSE"></TD>' for c, h, _ in bins)
        texts = "".join(f'<TD><FONT POINT-SIZE="9">{esc(t)}</FONT></TD>' for _, _, t in bins)
        rest = pad(ncol - 1 - len(bins))
        rows.append(f'<TR><TD ROWSPAN="2" ALIGN="RIGHT"><FONT POINT-SIZE="9" COLOR="#444444">'
                    "edge colour and width:<BR/>grad norm of the<BR/>tensor it carries"
                    f"</FONT></TD>{swatches}{rest}</TR>")
        rows.append(f"<TR>{texts}{rest}</TR>")
        if ctx.fixed:
            rows.append(wide(esc(_scale_note(ctx)), 9))
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="2">'
            + "".join(rows) + "</TABLE>>")


_KIND_NAMES = [("op", "op"), ("leaf", "leaf"), ("param", "Parameter"),
               ("const", "input, no grad"), ("tensor", "intermediate"), ("output", "output"),
               ("group", "collapsed scope"), ("chain", "collapsed chain")]

_BORDER_TEXT = {
    "op": "rounded dark grey = an op (its name; its output folded in when compact)",
    "leaf": "blue = a leaf tensor that requires grad (gradient lands in .grad)",
    "param": "green = an nn.Parameter, named by its path in the model",
    "const": "thin light grey = an input that needs no gradient (data, targets, constants: "
             "shape, and value when small)",
    "tensor": "grey = an intermediate result",
    "output": "double gold = the output, where the backward pass starts",
    "group": "collapsed scope = 3-D box, border coloured by the gradient norm of its "
             "parameters (or of its output), grey when not known",
    "chain": "collapsed chain = 3-D box with a grey border",
}


def _scale_note(ctx):
    """What a fixed scale is and what it clipped, for the legend."""
    sc = ctx.scale
    whose = (f"one colour scale for {ctx.shared} drawings" if ctx.shared > 1
             else "fixed colour scale")
    text = (f"{whose}: {sc.range_text()} (log); norms below it take the first colour, "
            f"norms above it the last")
    below, above = ctx.clipped
    if below or above:
        parts = [f"{n:,} below" for n in (below,) if n] + [f"{n:,} above" for n in (above,) if n]
        text += f" (here: {' and '.join(parts)})"
    return text


def _grad_bins(ctx):
    """(colour, bar height, text) for every bin, then "no gradient" and "nan/inf" if used."""
    sc = ctx.scale
    out = []
    for i, colour in enumerate(style.PALETTE):
        out.append((colour, 8, sc.bin_label(i, ends=ctx.fixed)))
    if ctx.dashed:
        out.append((style.NO_GRAD, 2, "no gradient (dashed)"))
    if ctx.nonfinite:
        out.append((style.NONFINITE, 6, "nan / inf"))
    return out
