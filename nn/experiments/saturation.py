"""Experiment 2: saturation during training (Glorot & Bengio 2010, Figs. 2-3).

A net of 4 hidden layers of sigmoid (or tanh) units, started with the
standard initialisation U(-1/sqrt(n), 1/sqrt(n)) (``init="pytorch"``), is
trained on the digits, and a ``GradientMonitor`` watches every hidden
activation. Glorot & Bengio saw the top hidden sigmoid layer driven to 0 (its
units saturated) at the start of training, then slowly leave saturation,
while the lower layers stayed near 0.5; tanh layers saturated one after the
other, from the first layer up.

Rows: the training rows of ``nn.experiments.train`` (``kind: "step"`` and
``"final"``) and, every ``record_every`` updates, one ``kind: "activation"``
row per hidden layer (``layer`` 1..4, ``module``, ``act_mean``, ``act_std``,
``act_p98``, ``act_saturated``), measured on the mini-batch of that step's
forward (``step`` = updates done before it; 0 is the initialisation).
"""
import numpy as np

from .. import MLP
from ..diagnostics import GradientMonitor
from ..layers import Sigmoid, Tanh
from .data import load_split
from .plotting import by, figure, mean_spread
from .tasks import mode_name
from .train import DTYPE, finite, mlp_cost, task_rngs, train

__all__ = ["NAME", "TITLE", "PAPER", "grid", "cost", "run_task", "figures", "describe",
           "layer_curves"]

NAME = "saturation"
TITLE = "Saturation of sigmoid and tanh layers during training (Glorot & Bengio 2010, Figs. 2-3)"
PAPER = ("Glorot & Bengio (2010, Figs. 2-3) trained 4-hidden-layer nets with the standard "
         "initialisation: the top hidden sigmoid layer was quickly pushed to 0 (saturated) "
         "and only slowly left saturation, after about 100 epochs on their data, while the "
         "lower layers' means stayed above 0.5; in tanh nets the layers saturated one after "
         "the other, starting with the first.")

_ACT_METRICS = ("act_mean", "act_std", "act_p98", "act_saturated")
_BUDGETS = {  # mode -> (width, steps, record_every, batch, eval_every, lrs, seeds)
    "tiny": (16, 6, 2, 16, 3, [0.1], 1),
    "quick": (64, 2500, 50, 16, 500, [0.03, 0.1], 2),
    "full": (256, 6000, 50, 16, 500, [0.01, 0.03, 0.1], 3),
}


def grid(quick):
    """A sigmoid and a tanh net, 4 hidden layers, standard init; lrs and seeds."""
    width, steps, every, batch, eval_every, lrs, seeds = _BUDGETS[mode_name(quick)]
    configs = [{"label": f"{act}, standard init", "activation": act, "init": "pytorch",
                "depth": 4, "width": width, "steps": steps, "record_every": every,
                "batch_size": batch, "eval_every": eval_every, "optimizer": "sgd"}
               for act in ("sigmoid", "tanh")]
    return {"configs": configs, "lrs": lrs, "seeds": seeds}


cost = mlp_cost     # relative running time of a task (orders the work)


def run_task(config, seed, lr, quick):
    """Train the net of ``config`` with ``seed`` and ``lr`` under a monitor; return its rows."""
    split = load_split(config.get("dataset", "digits"), config.get("mnist_dir"))
    model_rng, data_seed = task_rngs(seed)
    sizes = [split.n_features] + [config["width"]] * config["depth"] + [split.n_classes]
    model = MLP(sizes, activation=config["activation"], init=config["init"], dtype=DTYPE,
                rng=model_rng)
    hidden = [name for name, m in model.named_modules() if isinstance(m, (Sigmoid, Tanh))]
    with GradientMonitor(model, every=config["record_every"], layers=hidden) as mon:
        steps, final = train(model, split, lr=lr, steps=config["steps"], data_seed=data_seed,
                             optimizer=config["optimizer"], batch_size=config["batch_size"],
                             eval_every=config["eval_every"],
                             on_step=lambda step, m: mon.step())
        values = {}
        for r in mon.table(metric=list(_ACT_METRICS)):
            values.setdefault((r["step"], r["layer"]), {})[r["metric"]] = finite(r["value"])
    number = {name: i for i, name in enumerate(hidden, start=1)}
    acts = [{"kind": "activation", "step": step, "layer": number[name], "module": name,
             **{m: stats.get(m) for m in _ACT_METRICS}}
            for (step, name), stats in sorted(values.items(), key=lambda kv: (
                kv[0][0], number[kv[0][1]]))]
    return steps + [final] + acts


def layer_curves(rows, metric):
    """``{layer: (steps, mean over seeds)}`` of ``metric`` from activation rows."""
    out = {}
    for (layer,), group in sorted(by(rows, "layer").items()):
        steps = sorted({r["step"] for r in group})
        index = {s: i for i, s in enumerate(steps)}
        seeds = sorted({r["seed"] for r in group})
        matrix = np.full((len(seeds), len(steps)), np.nan)
        for r in group:
            if r.get(metric) is not None:
                matrix[seeds.index(r["seed"]), index[r["step"]]] = r[metric]
        out[layer] = (np.array(steps), mean_spread(matrix)[0])
    return out


def _acts(rows, activation):
    return [r for r in rows if r.get("kind") == "activation" and r.get("selected", True)
            and r.get("activation") == activation]


def _finish(ax, acts, top, ylabel, net, what):
    """Label one panel of ``figures``: the y range 0 to ``top``, axes, title and legend."""
    lr = f", lr {acts[0]['lr']:g}" if acts else ""
    ax.set_ylim(0, top)
    ax.set_xlabel("step (updates)")
    ax.set_ylabel(ylabel)
    ax.set_title(f"{net} net, standard init{lr}: {what}", fontsize=9)
    ax.legend(fontsize=8)


def figures(rows):
    """``{"sigmoid": mean and std of each sigmoid layer against steps,
    "tanh": each tanh layer's 98th percentile against steps}``."""
    fig, (ax,) = figure(width=6.0, height=4.0)
    sig = _acts(rows, "sigmoid")
    means, stds = layer_curves(sig, "act_mean"), layer_curves(sig, "act_std")
    for layer, (xs, mean) in means.items():
        line, = ax.plot(xs, mean, label=f"layer {layer}")
        std = stds[layer][1]
        ax.fill_between(xs, mean - std, mean + std, color=line.get_color(), alpha=0.15,
                        linewidth=0)
    _finish(ax, sig, 1, "sigmoid activation: mean, band ± std",
            "Sigmoid", "activation of each hidden layer")

    fig2, (ax2,) = figure(width=6.0, height=4.0)
    tanh = _acts(rows, "tanh")
    for layer, (xs, p98) in layer_curves(tanh, "act_p98").items():
        ax2.plot(xs, p98, label=f"layer {layer}")
    _finish(ax2, tanh, 1.05, "98th percentile of the activation",
            "Tanh", "98th percentile of each hidden layer")
    return {"sigmoid": fig, "tanh": fig2}


def _order(first):
    """The end of the tanh sentence: do layers saturate from the first up, as in the paper?"""
    steps = [first[layer] for layer in sorted(first)]
    if len(steps) > 1 and all(a <= b for a, b in zip(steps, steps[1:])):
        return ", from the first layer up, as in the paper."
    return ("; not in the paper's order (first layer first, then the next), possibly "
            "because momentum SGD pushes every layer at once here." if len(steps) > 1 else ".")


def describe(rows):
    """Sentences from the activation rows: the top sigmoid layer's lowest mean,
    when it happened and where it ended against the lower layers; the tanh
    layers' 98th percentile at the end; set against ``PAPER``."""
    means = layer_curves(_acts(rows, "sigmoid"), "act_mean")
    if not means:
        return ["No sigmoid activations were recorded."]
    top = max(means)
    xs, top_mean = means[top]
    low = int(np.nanargmin(top_mean))
    lower = [float(np.nanmean(m)) for layer, (_, m) in means.items() if layer != top]
    lows = f"the lower layers averaged {min(lower):.2f} to {max(lower):.2f}" if lower else ""
    out = [f"The top hidden sigmoid layer (layer {top}) started at a mean activation of "
           f"{top_mean[0]:.3f}, reached its lowest, {top_mean[low]:.3f}, at step {xs[low]} "
           f"and ended at {top_mean[-1]:.3f} after {xs[-1]} steps; {lows} over training."]
    below = np.flatnonzero(top_mean < 0.1)
    if below.size:
        again = np.flatnonzero((xs > xs[low]) & (top_mean > 0.1))
        out.append(f"It saturated towards 0 as in the paper, falling below 0.1 by step "
                   f"{xs[below[0]]}; "
                   + (f"it left saturation again (back above 0.1) at step {xs[again[0]]}, "
                      f"as the paper also saw." if again.size else
                      "it had not left saturation by the end of this budget (the paper's "
                      "recovery took about 100 epochs)."))
    else:
        out.append(f"It never came near 0 (lowest {top_mean[low]:.2f}), unlike the paper: "
                   f"with this rate and budget the top layer was not pushed into "
                   f"saturation the way their setup did.")
    p98 = layer_curves(_acts(rows, "tanh"), "act_p98")
    if p98:
        ends = ", ".join(f"layer {layer} {v[-1]:.2f}" for layer, (_, v) in p98.items())
        first = {layer: xs[np.flatnonzero(v > 0.97)[0]] for layer, (xs, v) in p98.items()
                 if np.nanmax(v) > 0.97}
        out.append(f"In the tanh net the 98th percentile ended at {ends}; "
                   + ("it first passed 0.97 (saturation) at step "
                      + ", ".join(f"{s} in layer {layer}" for layer, s in first.items())
                      + _order(first) if first else "no layer reached saturation (0.97)."))
    return out
