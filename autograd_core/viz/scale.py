"""The colour scale of gradient norms, and fixing one to compare drawings.

Edges are coloured and thickened by the gradient norm of the tensor they
carry, on a log scale cut into ``len(PALETTE)`` bins of equal width: pale and
thin for gradients that have nearly died, dark red and thick for the largest.

By default each drawing makes its own scale (``ColorScale.spanning`` of its
norms): the top bin holds the largest norm, bins are whole decades, and the
scale spans at least seven decades, so a healthy graph keeps to the upper
bins. Two drawings made that way colour the same norm differently; a
``ColorScale`` given to each of them (``draw_graph(..., scale=sc)``, or
``draw_graphs``) makes one colour mean one range of norms in both.
"""
import math
import numbers

import numpy as np

from .model import walk
from .record import BackwardRecording
from .style import NEUTRAL, NONFINITE, PALETTE, darken, num

__all__ = ["ColorScale", "as_scale", "MIN_DECADES"]

MIN_DECADES = 7


def _bound(name, value, where):
    """``value`` as a float, or a clear error naming the argument."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: {name} must be a number (a gradient norm), got "
                        f"{type(value).__name__} {value!r}")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{where}: {name} must be finite, got {v}")
    if v <= 0:
        raise ValueError(f"{where}: {name} must be > 0 (the scale is logarithmic), got {v:g}")
    return v


class ColorScale:
    """A colour scale for gradient norms: ``low`` to ``high``, logarithmic.

    ``ColorScale(low, high)`` cuts ``[low, high)`` into ``len(PALETTE)`` bins
    of equal width in log10. Norms below ``low`` (zero included) take the first
    colour, norms at or above ``high`` the last: they are clipped, and a
    drawing's legend says how many. Give the same scale to several drawings
    (``draw_graph(..., scale=sc)``) to make their colours comparable;
    ``ColorScale.spanning(...)`` makes one that covers several graphs.
    ``low``, ``high``: the range; ``colour(norm)``: a norm's colour.
    """

    def __init__(self, low, high):
        where = "ColorScale(low, high)"
        low, high = _bound("low", low, where), _bound("high", high, where)
        if not low < high:
            raise ValueError(f"{where}: low must be below high, got low={low:g}, high={high:g}")
        self._set(math.log10(low), (math.log10(high) - math.log10(low)) / len(PALETTE))

    def _set(self, lo, step):
        self.nbins = len(PALETTE)
        self.lo, self.step = lo, step           # log10 of low; decades a bin
        self.low = 10.0 ** lo
        self.high = 10.0 ** (lo + step * self.nbins)

    @classmethod
    def spanning(cls, *sources, min_decades=MIN_DECADES):
        """The scale a drawing of all ``sources`` together would get by itself.

        ``sources``: tensors after their backward (the gradients their graphs
        hold: leaves' ``.grad``, retained ones), ``record_backward()``
        recordings (every gradient they saw), gradient norms (numbers or
        arrays), or lists of these. The range is in whole decades, from the
        smallest positive norm to the largest, at least ``min_decades`` wide,
        and each bin spans a whole number of decades; zero, nan and inf norms
        do not count. ``ColorScale.spanning(a)`` draws ``a`` exactly as by default.
        """
        if isinstance(min_decades, bool) or not isinstance(min_decades, numbers.Integral) \
                or min_decades < 1:
            raise ValueError(f"ColorScale.spanning: min_decades must be an int >= 1, got "
                             f"{min_decades!r}")
        norms = _norms(sources)
        if not any(0 < n < math.inf for n in norms):
            raise ValueError(
                "ColorScale.spanning: no gradient norm > 0 found in its sources; run "
                "backward() first, or pass the record_backward() recordings of it")
        return cls._fit(norms, min_decades)

    @classmethod
    def _fit(cls, norms, min_decades=MIN_DECADES):
        """The scale a drawing with these norms (None, 0, inf allowed) gets by default."""
        logs = [math.log10(n) for n in norms if n is not None and 0 < n < math.inf]
        nbins = len(PALETTE)
        hi = math.floor(max(logs)) + 1 if logs else 1
        lo = math.floor(min(logs)) if logs else hi - min_decades
        step = max(1, math.ceil(max(hi - lo, min_decades) / nbins))
        sc = cls.__new__(cls)
        sc._set(hi - step * nbins, step)
        return sc

    def __repr__(self):
        return f"ColorScale({num(self.low, 3)}, {num(self.high, 3)})"

    def __eq__(self, other):
        return (isinstance(other, ColorScale)
                and (self.lo, self.step, self.nbins) == (other.lo, other.step, other.nbins))

    def __hash__(self):
        return hash((self.lo, self.step, self.nbins))

    # -- mapping ------------------------------------------------------------------
    def bin(self, norm):
        """Bin index of a norm (clipped to the ends); None for unknown, -1 for nan/inf."""
        if norm is None:
            return None
        if not math.isfinite(norm):
            return -1
        if norm <= 0:
            return 0
        i = math.floor((math.log10(norm) - self.lo) / self.step + 1e-9)
        return min(max(i, 0), self.nbins - 1)

    def clipped(self, norm):
        """-1 for a finite norm below ``low``, 1 at or above ``high``, else 0."""
        if norm is None or not math.isfinite(norm):
            return 0
        return -1 if norm < self.low * (1 - 1e-9) else 1 if norm >= self.high * (1 - 1e-9) else 0

    def colour(self, norm):
        """The colour (``#rrggbb``) of a gradient norm; grey for None, black for nan/inf."""
        b = self.bin(norm)
        if b is None:
            return NEUTRAL
        return NONFINITE if b < 0 else PALETTE[b]

    def penwidth(self, norm):
        """Edge width for a norm: thicker for larger gradients."""
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

    def bin_label(self, i, ends=False):
        """Bin ``i``'s range; the end bins as open ("< 10⁻⁶") unless ``ends``."""
        lo, hi = self.bounds(i)
        if not ends and i == 0:
            return f"< {edge_text(hi)}"
        if not ends and i == self.nbins - 1:
            return f"≥ {edge_text(lo)}"
        return f"{edge_text(lo)} – {edge_text(hi)}"

    def range_text(self):
        """``10⁻²⁶ to 10²`` (bin edges that are not whole decades as numbers)."""
        return f"{edge_text(self.lo)} to {edge_text(self.lo + self.step * self.nbins)}"


_SUPER = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def edge_text(e):
    """A bin edge given as its log10: ``10⁻³`` for a whole decade, else ``0.0032``."""
    if abs(e - round(e)) < 1e-9:
        return "10" + str(int(round(e))).translate(_SUPER)
    return num(10.0 ** e, 2)


def as_scale(scale, where="draw_graph"):
    """``scale=`` as a ``ColorScale`` (None stays None); clear errors naming it."""
    if scale is None or isinstance(scale, ColorScale):
        return scale
    if isinstance(scale, (tuple, list, np.ndarray)) and len(scale) == 2:
        low, high = scale
        arg = f"{where}: scale=(low, high)"
        low, high = _bound("low", low, arg), _bound("high", high, arg)
        if not low < high:
            raise ValueError(f"{arg} needs low < high, got ({low:g}, {high:g})")
        return ColorScale(low, high)
    raise TypeError(f"{where}: scale must be a viz.ColorScale, a (low, high) pair of "
                    f"gradient norms, or None, got {type(scale).__name__} {scale!r}")


def _norms(sources):
    """Every gradient norm in ``sources`` (see ``ColorScale.spanning``), as floats."""
    out = []
    stack = list(reversed(sources))
    while stack:
        s = stack.pop()
        if getattr(s, "_is_tensor", False):
            out += [e.norm for e in walk(s, values=0, model=False).elems if e.norm is not None]
        elif isinstance(s, BackwardRecording):
            out += s.norms()
        elif isinstance(s, numbers.Real) and not isinstance(s, bool):
            out.append(float(s))
        elif isinstance(s, np.ndarray) and s.dtype.kind in "fiu":
            out += [float(v) for v in s.ravel()]
        elif isinstance(s, (list, tuple)):
            stack.extend(reversed(s))
        else:
            raise TypeError(f"ColorScale.spanning: sources must be Tensors, record_backward() "
                            f"recordings or gradient norms, got {type(s).__name__}")
    return out
