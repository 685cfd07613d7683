"""What a ConvNet has learned: its filters and its feature maps (Matplotlib).

``plot_filters(conv)`` draws the kernels of one ``nn.Conv2d`` layer as a grid of
small images; ``plot_feature_maps(model, x)`` runs one image through a model and
draws, one row per layer, the channels of each layer's output. Both return a
``matplotlib.figure.Figure`` made without ``pyplot`` (no global state, no
display needed; ``fig.savefig(path)`` writes it), as the figures of
``nn.diagnostics.plots`` do.
"""
import math

import numpy as np

import autograd_core as ag

__all__ = ["plot_filters", "plot_feature_maps"]


def _figure(figsize):
    from matplotlib.figure import Figure
    return Figure(figsize=figsize, layout="constrained")


def _numpy(t):
    return np.asarray(getattr(t, "data", t))


def _layer_kinds():
    from ..layers import activation, conv, pooling
    acts = tuple(getattr(activation, n) for n in ("ReLU", "Sigmoid", "Tanh", "LeakyReLU",
                                                  "GELU", "Softmax")
                 if hasattr(activation, n))
    pools = tuple(getattr(pooling, n) for n in ("MaxPool2d", "AvgPool2d",
                                                "AdaptiveAvgPool2d")
                  if hasattr(pooling, n))
    return conv.Conv2d, acts, pools


def plot_filters(conv, max_filters=64):
    """The filters of the ``nn.Conv2d`` layer ``conv`` as a grid of small images.

    One image per output channel (the first ``max_filters`` of them). For a layer
    with several input channels each image is the mean of the kernel over its
    input channels (the title says so). All images share one colour scale,
    symmetric about zero (red positive, blue negative, white zero), shown by a
    colour bar; the title gives the weight's shape. Raises ``TypeError`` for a
    layer that is not an ``nn.Conv2d``.
    """
    conv_type, _, _ = _layer_kinds()
    if not isinstance(conv, conv_type):
        raise TypeError(f"plot_filters: expected an nn.Conv2d layer, got "
                        f"{type(conv).__name__}")
    if isinstance(max_filters, bool) or not isinstance(max_filters, (int, np.integer)) \
            or max_filters < 1:
        raise ValueError(f"plot_filters: max_filters must be a positive int, got "
                         f"{max_filters!r}")
    w = _numpy(conv.weight).astype(np.float64)          # (out, in/groups, kh, kw)
    out_ch, in_ch = w.shape[:2]
    if in_ch > 1:
        kernels = w.mean(axis=1)
        how = f"mean over the {in_ch} input channels"
    else:
        kernels = w[:, 0]
        how = "single input channel"
    n = min(out_ch, int(max_filters))
    kernels = kernels[:n]
    cols = min(n, 8)
    rows = math.ceil(n / cols)
    vmax = float(np.abs(kernels).max()) if kernels.size else 1.0
    vmax = vmax if vmax > 0 and np.isfinite(vmax) else 1.0
    fig = _figure((1.2 * cols + 1.4, 1.2 * rows + 0.9))
    grid = fig.subplots(rows, cols, squeeze=False)
    image = None
    for i, ax in enumerate(grid.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= n:
            ax.set_axis_off()
            continue
        image = ax.imshow(kernels[i], cmap="RdBu_r", vmin=-vmax, vmax=vmax,
                          interpolation="nearest")
        ax.set_title(f"filter {i}", fontsize=8)
    shown = "" if n == out_ch else f", first {n} of {out_ch} shown"
    fig.suptitle(f"Conv2d filters, weight shape {tuple(w.shape)} "
                 f"({how}{shown})", fontsize=10)
    fig.colorbar(image, ax=grid.ravel().tolist(), shrink=0.8, label="weight value")
    return fig


def plot_feature_maps(model, x, layers=None, max_maps=8):
    """The feature maps of one image ``x`` in ``model``'s layers, one row per layer.

    ``x``: one image shaped ``(1, C, H, W)`` or ``(C, H, W)`` (array or Tensor).
    The model runs once in eval mode under ``autograd_core.no_grad()`` (its mode
    is restored afterwards); forward hooks, removed again before returning, catch
    the output of each chosen layer. ``layers``: module paths (as
    ``model.named_modules()`` names them) to show; ``None``: every Conv2d,
    activation and pooling module. The first row is the input image; each next
    row shows up to ``max_maps`` channels of a layer's output (an output that is
    not 4-D, say after ``Flatten``, is drawn as one strip), labelled with the
    module path, the module's class and the output's shape. The channels of one
    row share a colour scale (viridis: dark low, yellow high), so that they can
    be compared, and 1x1 maps (after global pooling) still show their values.
    """
    if isinstance(max_maps, bool) or not isinstance(max_maps, (int, np.integer)) \
            or max_maps < 1:
        raise ValueError(f"plot_feature_maps: max_maps must be a positive int, got "
                         f"{max_maps!r}")
    xa = _numpy(x)
    if xa.ndim == 3:
        xa = xa[None]
    if xa.ndim != 4 or xa.shape[0] != 1:
        raise ValueError(f"plot_feature_maps: x must be one image shaped (1, C, H, W) or "
                         f"(C, H, W), got shape {tuple(_numpy(x).shape)}")
    named = [(name, m) for name, m in model.named_modules() if name]
    if layers is None:
        conv_type, acts, pools = _layer_kinds()
        kinds = (conv_type,) + acts + pools
        chosen = [(name, m) for name, m in named if isinstance(m, kinds)]
    else:
        wanted = [layers] if isinstance(layers, str) else list(layers)
        by_name = dict(named)
        missing = [w for w in wanted if w not in by_name]
        if missing:
            raise ValueError(f"plot_feature_maps: no module named {missing} in the model; "
                             f"names: {[name for name, _ in named]}")
        chosen = [(w, by_name[w]) for w in wanted]
    if not chosen:
        raise ValueError("plot_feature_maps: the model has no layer to show (no Conv2d, "
                         "activation or pooling module; pass layers=[...])")

    outputs = {}

    def catcher(name):
        def hook(module, args, out):
            outputs.setdefault(name, _numpy(out).copy())
        return hook

    handles = []
    was_training = bool(getattr(model, "training", False))
    try:
        for name, m in chosen:
            handles.append(m.register_forward_hook(catcher(name)))
        model.eval()
        with ag.no_grad():
            model(ag.tensor(np.ascontiguousarray(xa, dtype=_param_dtype(model))))
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)

    rows = [("input", xa[0])] + [(name, outputs[name][0]) for name, _ in chosen
                                 if name in outputs]
    cols = max(min(max_maps, a.shape[0] if a.ndim == 3 else 1) for _, a in rows)
    fig = _figure((1.3 * cols + 2.2, 1.35 * len(rows) + 0.6))
    grid = fig.subplots(len(rows), cols, squeeze=False)
    for r, (name, a) in enumerate(rows):
        if a.ndim != 3:                     # e.g. the output of Flatten or Linear
            a = np.atleast_1d(a).reshape(1, 1, -1)
        shape = tuple(xa.shape) if name == "input" else tuple(outputs[name].shape)
        shown = min(max_maps, a.shape[0])
        finite = a[:shown][np.isfinite(a[:shown])]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if hi <= lo:
            lo, hi = lo - 0.5, hi + 0.5
        for c in range(cols):
            ax = grid[r, c]
            ax.set_xticks([])
            ax.set_yticks([])
            if c >= shown:
                ax.set_axis_off()
                continue
            ax.imshow(a[c], cmap="viridis", vmin=lo, vmax=hi, interpolation="nearest",
                      aspect="auto" if a.shape[1] == 1 else "equal")
            ax.set_title(f"ch {c}", fontsize=7)
        label = f"{name}\n{shape}"
        if name != "input":
            label = f"{name} ({type(dict(chosen)[name]).__name__})\n{shape}"
        grid[r, 0].set_ylabel(label, fontsize=7, rotation=0, ha="right", va="center")
    fig.suptitle(f"Feature maps of one input (up to {max_maps} channels per layer; "
                 f"one colour scale per row, dark = low, yellow = high)", fontsize=10)
    return fig


def _param_dtype(model):
    for p in model.parameters():
        return _numpy(p).dtype
    return np.float32
