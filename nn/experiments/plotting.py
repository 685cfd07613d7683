"""Helpers the experiments' ``figures`` share: grouping rows, mean and spread over
seeds, and Matplotlib figures made without pyplot (no global state, no GUI
backend), imported only when a figure is drawn.
"""
import math
import warnings
from collections import defaultdict

import numpy as np

__all__ = ["figure", "by", "seed_curves", "smooth", "mean_spread", "band", "fmt_pct"]


def figure(ncols=1, nrows=1, width=5.0, height=3.6):
    """A ``matplotlib.figure.Figure`` and its axes (a flat list)."""
    from matplotlib.figure import Figure
    fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, list(axes.ravel())


def by(rows, *keys):
    """``{(row[k] for k in keys): [rows]}``, insertion-ordered."""
    groups = defaultdict(list)
    for row in rows:
        groups[tuple(row.get(k) for k in keys)].append(row)
    return dict(groups)


def _value(v):
    return math.nan if v is None else float(v)


def seed_curves(rows, y, x="step"):
    """``(xs, matrix)``: one row of ``matrix`` per seed holding ``y`` at each ``x``
    (NaN where a seed has no value, e.g. after it diverged)."""
    rows = [r for r in rows if y in r]
    xs = sorted({r[x] for r in rows})
    index = {v: i for i, v in enumerate(xs)}
    seeds = sorted({r["seed"] for r in rows})
    matrix = np.full((len(seeds), len(xs)), np.nan)
    for r in rows:
        matrix[seeds.index(r["seed"]), index[r[x]]] = _value(r[y])
    return np.array(xs), matrix


def smooth(values, window):
    """A trailing moving average over ``window`` points (NaN-aware)."""
    if window <= 1 or values.shape[-1] < 2:
        return values
    out = np.empty_like(values)
    for i in range(values.shape[-1]):
        chunk = values[..., max(0, i - window + 1):i + 1]
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            out[..., i] = np.nanmean(chunk, axis=-1)
    return out


def mean_spread(matrix):
    """Mean and standard deviation over seeds (axis 0), ignoring NaN."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)     # all-NaN columns
        return np.nanmean(matrix, axis=0), np.nanstd(matrix, axis=0)


def band(ax, xs, matrix, label, color=None, log=False, **kw):
    """Plot the mean over seeds as a line and the seeds' min-max as a shaded band."""
    mean, _ = mean_spread(matrix)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = np.nanmin(matrix, axis=0), np.nanmax(matrix, axis=0)
    line, = ax.plot(xs, mean, label=label, color=color, **kw)
    if matrix.shape[0] > 1:
        ax.fill_between(xs, lo, hi, color=line.get_color(), alpha=0.2, linewidth=0)
    if log:
        ax.set_yscale("log")
    return line


def fmt_pct(value):
    """``0.953 -> '95.3%'``; ``None``/NaN -> 'n/a'."""
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{100 * value:.1f}%"
