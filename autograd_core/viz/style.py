"""Colours, the logarithmic gradient scale, and number formatting for the drawings.

Edges are coloured and thickened by the gradient norm of the tensor they carry,
on a log scale cut into ``len(PALETTE)`` bins: pale and thin for gradients
that have nearly died, dark red and thick for the largest. The scale adapts to
the graph (its top bin holds the largest norm) but spans at least seven
decades, so a healthy graph keeps to the upper bins and only a gradient that
really shrinks (or explodes) on its way spreads over the whole palette.
"""
import html
import math
import re

import numpy as np

# Small -> large gradient norm. Light-to-dark and cold-to-hot at once, so the
# order reads without the legend and survives grey-scale printing.
PALETTE = ("#c6dbef", "#6baed6", "#2171b5", "#6a51a3", "#c2185b", "#e6550d", "#8b0000")
NEUTRAL = "#8c8c8c"        # edges whose gradient is not known
NO_GRAD = "#c8c8c8"        # edges a recorded backward sent no gradient along
NONFINITE = "#000000"      # nan / inf gradients
STEP = "#b35900"           # backward step numbers

# Node fills: what a reader must tell apart at a glance.
FILL = {
    "leaf": "#dbe9f7",      # a tensor made by the user that requires grad
    "param": "#d5efd5",     # an nn.Parameter
    "output": "#ffe3a3",    # the tensor draw_graph was called with
    "tensor": "#ffffff",    # an intermediate result
    "op": "#eeeeee",        # an operation (graph node)
    "group": "#e8e6f6",     # a collapsed scope
    "chain": "#f1efe6",     # a collapsed chain of ops
    "more": "#f7f7f7",      # nodes left out of a huge drawing
}
CLUSTER_FILLS = ("#f6f7fb", "#eef0f7")     # nested scopes alternate
CLUSTER_BORDER = "#8d93b5"
FONT = "Helvetica,Arial,sans-serif"
MIN_DECADES = 7


class GradScale:
    """Maps gradient norms to a bin of ``PALETTE`` (log10 scale, ``step`` decades a bin)."""

    def __init__(self, norms, fixed=None):
        nbins = len(PALETTE)
        if fixed is not None:
            low, high = (float(v) for v in fixed)
            if not 0 < low < high < math.inf:
                raise ValueError(f"scale=(low, high) needs 0 < low < high < inf, got {fixed}")
            lo, hi = math.log10(low), math.log10(high)
            self.step = (hi - lo) / nbins
            self.lo = lo
        else:
            logs = [math.log10(n) for n in norms if n is not None and 0 < n < math.inf]
            hi = math.floor(max(logs)) + 1 if logs else 1
            lo = math.floor(min(logs)) if logs else hi - MIN_DECADES
            span = max(hi - lo, MIN_DECADES)
            self.step = max(1, math.ceil(span / nbins))
            self.lo = hi - self.step * nbins
        self.nbins = nbins
        self.has_nonfinite = any(n is not None and not math.isfinite(n) for n in norms)

    def bin(self, norm):
        """Bin index of a norm; None for unknown, -1 for nan/inf."""
        if norm is None:
            return None
        if not math.isfinite(norm):
            return -1
        if norm <= 0:
            return 0
        i = math.floor((math.log10(norm) - self.lo) / self.step)
        return min(max(i, 0), self.nbins - 1)

    def colour(self, norm):
        b = self.bin(norm)
        if b is None:
            return NEUTRAL
        return NONFINITE if b < 0 else PALETTE[b]

    def penwidth(self, norm):
        b = self.bin(norm)
        if b is None:
            return 1.0
        return 4.6 if b < 0 else 0.9 + 0.6 * b

    def text_colour(self, norm):
        """A darker shade of the bin colour, legible as text on white."""
        c = self.colour(norm)
        return darken(c, 0.45) if c in PALETTE[:2] else c

    def bounds(self, i):
        """(low, high) log10 bounds of bin ``i``."""
        return self.lo + i * self.step, self.lo + (i + 1) * self.step

    def bin_label(self, i):
        lo, hi = self.bounds(i)
        if i == 0:
            return f"< {pow10(hi)}"
        if i == self.nbins - 1:
            return f"≥ {pow10(lo)}"
        return f"{pow10(lo)} – {pow10(hi)}"


def darken(hex_colour, amount):
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    f = 1 - amount
    return "#%02x%02x%02x" % (int(r * f), int(g * f), int(b * f))


_SUPER = str.maketrans("-0123456789.", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹·")


def pow10(e):
    """``10⁻³`` for -3 (fractional exponents, from a fixed scale, keep one decimal)."""
    e = round(e, 1)
    text = str(int(e)) if e == int(e) else f"{e:.1f}"
    return "10" + text.translate(_SUPER)


def num(x, digits=4):
    """A number in at most ``digits`` significant digits, exponents unpadded (1.2e-5)."""
    x = float(x)
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return str(x)
    s = f"{x:.{digits}g}"
    if "e" in s:
        m, e = s.split("e")
        s = f"{m}e{int(e)}"
    return s


def norm_text(x):
    """A gradient norm in 2 significant digits (1.2e-5, 0.34, 12)."""
    return "?" if x is None else num(x, 2)


def array_text(a):
    """A tiny array on one line: ``0.5``, ``[1, -2]``, ``[[1, 2], [3, 4]]``.

    Scalars keep 4 significant digits, elements of arrays 3; a column
    (shape n×1) is written as a transposed row, ``[1, 2, 3]ᵀ``.
    """
    a = np.asarray(a)
    if a.ndim == 0:
        return num(a)
    if a.ndim == 2 and a.shape[1] == 1 and a.shape[0] > 1:
        return array_text(a[:, 0]) + "ᵀ"
    if a.ndim == 1:
        return "[" + ", ".join(num(v, 3) for v in a) + "]"
    return "[" + ", ".join(array_text(r) for r in a) + "]"


def array_lines(a):
    """Like ``array_text``, but a matrix of several rows and columns gets a line per row."""
    a = np.asarray(a)
    if a.ndim != 2 or a.shape[0] < 2 or a.shape[1] < 2:
        return [array_text(a)]
    rows = [array_text(r) for r in a]
    return (["[" + rows[0] + ","] + [" " + r + "," for r in rows[1:-1]]
            + [" " + rows[-1] + "]"])


_PLURALS = {"leaf": "leaves", "box": "boxes"}


def plural(n, word):
    """``1 op``, ``2 ops``, ``3 leaves`` (the last word of ``word`` is the one made plural)."""
    if n == 1:
        return f"{n:,} {word}"
    head, _, last = word.rpartition(" ")
    last = _PLURALS.get(last, last + "s")
    return f"{n:,} {head + ' ' if head else ''}{last}"


def shape_text(shape, dtype):
    dims = "×".join(str(d) for d in shape) if len(shape) else "scalar"
    return f"{dims} {np.dtype(dtype).name}"


# Characters XML 1.0 does not allow (C0 controls but tab and newlines, lone
# surrogates, U+FFFE/U+FFFF): in a label, dot refuses the whole graph; in a
# tooltip, they make the SVG unreadable as XML.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MAX_NAME = 48           # longer names are shortened in labels (in full in tooltips)


def printable(s):
    """``str(s)`` with characters XML cannot hold written as escapes (``\\x1b``)."""
    s = str(s)
    return _NOT_XML.sub(lambda m: ascii(m.group())[1:-1], s) if _NOT_XML.search(s) else s


def short(s, most=MAX_NAME):
    """``s`` cut in the middle with an ellipsis when longer than ``most`` characters."""
    s = str(s)
    if len(s) <= most:
        return s
    head = (most - 1) // 2 + (most - 1) % 2
    return s[:head] + "…" + s[len(s) - (most - 1 - head):]


# Graphviz reads backslashes in labels and tooltips as escapes (\\N: the node's
# id, \\\\: one backslash, and a final one swallows a tooltip's closing quote),
# each version and each kind of object a little differently. In labels a word
# joiner (U+2060, invisible) after each backslash makes it a plain character;
# tooltips drop even that backslash, so they show a look-alike (U+2216).
_BACKSLASH = "\\\u2060"


def esc(s):
    """Escape text for a Graphviz HTML-like label."""
    return html.escape(printable(s), quote=True).replace("\\", _BACKSLASH)


def tip(s):
    """Text for a tooltip (the ``graphviz`` package escapes the quotes)."""
    return printable(s).replace("\\", "\u2216")
