"""Figures of a ``GradientMonitor``'s records (Matplotlib, imported when drawing).

Each function returns a ``matplotlib.figure.Figure`` with a title and labelled
axes. The figures are made without ``pyplot``, so drawing many of them keeps
no global state and needs no display; ``fig.savefig(path)`` writes one, and
Jupyter shows one returned from a cell.
"""
import numpy as np

__all__ = ["plot_gradient_norms", "plot_histograms", "plot_percentiles",
           "plot_update_ratios"]

_KIND_LABEL = {"activation": "activation value",
               "gradient": "back-propagated gradient (d loss / d layer output)"}


def _figure(figsize):
    from matplotlib.figure import Figure
    return Figure(figsize=figsize, layout="constrained")


def _positive(values):
    """Values a log axis can show: non-positive and non-finite ones become NaN (gaps)."""
    v = np.asarray(values, np.float64).copy()
    v[~(v > 0) | ~np.isfinite(v)] = np.nan
    return v


def _weights(mon, layer, include_bias):
    """Parameter names of ``layer`` to plot: matrices (weights) unless ``include_bias``."""
    return [n for n in mon.param_names(layer)
            if include_bias or len(mon.param_shape(layer, n)) >= 2]


def _recorded_steps(mon, metric):
    return sorted({r["step"] for r in mon.table(metric=metric)})


def plot_gradient_norms(mon, step=None):
    """Gradient norm per layer at one recorded step (log scale).

    Two lines over the layers in forward order: the norm of the gradient of
    the loss with respect to each layer's output (the signal back-propagation
    carries down), and the norm of each layer's weight gradient (matrix
    parameters). A signal that vanishes falls steeply towards the input side
    (the left). ``step``: a recorded step; ``None``: the first one.
    """
    steps = sorted(set(_recorded_steps(mon, "out_grad_norm")) |
                   set(_recorded_steps(mon, "grad_norm")))
    if not steps:
        raise ValueError("plot_gradient_norms: the monitor has recorded no gradient yet "
                         "(call mon.step() after a backward)")
    if step is None:
        step = steps[0]
    elif step not in steps:
        raise ValueError(f"plot_gradient_norms: step {step} was not recorded; recorded "
                         f"steps: {steps[:10]}{' ...' if len(steps) > 10 else ''}")
    layers = mon.layers
    index = {layer: i for i, layer in enumerate(layers)}
    fig = _figure((max(6.0, 0.35 * len(layers) + 2), 4.2))
    ax = fig.add_subplot()
    out = {r["layer"]: r["value"] for r in mon.table(metric="out_grad_norm")
           if r["step"] == step}
    xs = [index[layer] for layer in layers if layer in out]
    ax.plot(xs, _positive([out[layers[i]] for i in xs]), "o-",
            label="d loss / d layer output")
    weight = {}
    for r in mon.table(metric="grad_norm"):
        if r["step"] == step and len(mon.param_shape(r["layer"], r["param"])) >= 2:
            weight.setdefault(r["layer"], r["value"])
    xw = [index[layer] for layer in layers if layer in weight]
    if xw:
        ax.plot(xw, _positive([weight[layers[i]] for i in xw]), "s--",
                label="d loss / d weight")
    ax.set_yscale("log")
    ax.set_xticks(range(len(layers)))
    ax.set_xticklabels(layers, rotation=60, ha="right", fontsize=8)
    ax.set_xlabel("layer (forward order: input side on the left)")
    ax.set_ylabel("gradient norm (log scale)")
    ax.set_title(f"Gradient norm per layer, step {step}")
    ax.legend()
    ax.grid(True, which="major", alpha=0.3)
    return fig


def plot_histograms(mon, step, kind="activation", layers=None):
    """Histograms of every layer's activations (``kind="activation"``) or of the
    gradients flowing back into them (``kind="gradient"``) at ``step``, one line per
    layer, coloured from the input side (dark) to the output side (light).

    ``step`` must be one of the monitor's ``histogram_steps``. ``layers``: the
    paths to draw (say, the activation layers only); ``None``: all.
    """
    if kind not in _KIND_LABEL:
        raise ValueError(f"plot_histograms: kind must be 'activation' or 'gradient', got "
                         f"{kind!r}")
    found = {layer: h for (s, layer, k), h in mon.histograms.items()
             if s == step and k == kind}
    if not found:
        have = sorted({s for s, _, k in mon.histograms if k == kind})
        raise ValueError(f"plot_histograms: no {kind} histograms at step {step}; steps "
                         f"with some: {have} (histogram_steps= chooses them)")
    from matplotlib import colormaps
    chosen = mon.layers if layers is None else [layers] if isinstance(layers, str) else layers
    layers = [layer for layer in mon.layers if layer in found and layer in chosen]
    if not layers:
        raise ValueError(f"plot_histograms: none of the layers {list(chosen)} has a {kind} "
                         f"histogram at step {step}")
    cmap = colormaps["viridis"]
    fig = _figure((7.0, 4.2))
    ax = fig.add_subplot()
    for i, layer in enumerate(layers):
        counts, edges = found[layer]
        ax.stairs(counts, edges, color=cmap(i / max(1, len(layers) - 1)), label=layer)
    ax.set_xlabel(_KIND_LABEL[kind])
    ax.set_ylabel("count")
    what = "Activation" if kind == "activation" else "Back-propagated gradient"
    ax.set_title(f"{what} histograms per layer, step {step}")
    if len(layers) <= 12:
        ax.legend(fontsize=8)
    else:
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import Normalize
        bar = fig.colorbar(ScalarMappable(Normalize(0, len(layers) - 1), cmap), ax=ax)
        bar.set_label("layer index (forward order)")
    return fig


def plot_percentiles(mon, layer=None):
    """The 15th, 50th, 85th and 98th percentiles of a layer's output over training.

    ``layer``: a monitored path, a list of them (one panel each), or ``None``
    for every monitored layer. Saturating sigmoid or tanh units show as
    percentiles pressed against the ends of the range; batch norm keeps them
    steady.
    """
    layers = mon.layers if layer is None else ([layer] if isinstance(layer, str) else
                                               list(layer))
    for name in layers:
        if name not in mon.layers:
            raise ValueError(f"plot_percentiles: {name!r} is not a monitored layer; "
                             f"monitored: {mon.layers}")
    if not layers:
        raise ValueError("plot_percentiles: no layer to plot")
    cols = min(4, len(layers))
    rows = -(-len(layers) // cols)
    fig = _figure((3.6 * cols + 0.6, 2.8 * rows + 0.6))
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True)
    for i, name in enumerate(layers):
        ax = axes[i // cols][i % cols]
        for q, style in ((98, ":"), (85, "--"), (50, "-"), (15, "--")):
            steps, values = mon.series(f"act_p{q}", name)
            ax.plot(steps, values, style, label=f"{q}th")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("step")
        ax.set_ylabel("activation")
        if i == 0:
            ax.legend(fontsize=7, title="percentile", title_fontsize=7)
    for j in range(len(layers), rows * cols):
        axes[j // cols][j % cols].set_visible(False)
    fig.suptitle("Activation percentiles over training")
    return fig


def plot_update_ratios(mon, include_bias=False):
    """Update-to-data ratio of each layer's weights over training (log scale).

    The ratio std(parameter change of one optimizer step) / std(parameter):
    around 1e-3 (the dashed guide) is a common rule of thumb for a healthy
    learning rate; far below, the layer hardly learns; far above, it churns.
    Matrix parameters only unless ``include_bias``.
    """
    from matplotlib import colormaps
    fig = _figure((7.0, 4.2))
    ax = fig.add_subplot()
    cmap = colormaps["viridis"]
    lines = [(layer, p) for layer in mon.layers for p in _weights(mon, layer, include_bias)]
    for i, (layer, p) in enumerate(lines):
        steps, values = mon.series("update_data_ratio", layer, p)
        label = layer if p == "weight" else f"{layer}.{p}"
        ax.plot(steps, _positive(values), color=cmap(i / max(1, len(lines) - 1)),
                label=label)
    ax.axhline(1e-3, color="black", linestyle="--", linewidth=1, label="1e-3 guide")
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("std(update) / std(parameter) (log scale)")
    ax.set_title("Update-to-data ratio over training")
    if len(lines) <= 12:
        ax.legend(fontsize=7)
    return fig
