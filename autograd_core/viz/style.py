"""Colours, and the formatting of numbers, names and shapes, for the drawings.

How gradient norms map to ``PALETTE`` is in ``scale.py``.
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
    "const": "#f2f2f2",     # an input that needs no gradient: data, targets, constants
}

# Box borders (the legend shows each swatch with its border and says what it means).
BORDER = {
    "leaf": "#3b5b7a",
    "param": "#2f6b2f",
    "output": "#9a6a00",    # drawn double
    "tensor": "#777777",
    "op": "#666666",
    "const": "#b0b0b0",
    "chain": "#555555",
    "group": "#555555",     # or the colour of the gradient norm of its parameters
}
CLUSTER_FILLS = ("#f6f7fb", "#eef0f7")     # nested scopes alternate
CLUSTER_BORDER = "#8d93b5"
FONT = "Helvetica,Arial,sans-serif"


def darken(hex_colour, amount):
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    f = 1 - amount
    return "#%02x%02x%02x" % (int(r * f), int(g * f), int(b * f))


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
