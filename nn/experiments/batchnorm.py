"""Experiment 4: batch normalisation (Ioffe & Szegedy 2015, Fig. 1).

Three hidden layers of 100 sigmoid units, the standard initialisation,
trained with and without ``BatchNorm1d`` before each sigmoid. A
``GradientMonitor`` watches the input to the last hidden sigmoid (its
pre-activation): without batch norm that is the output of the last hidden
``Linear``, with it the output of the last hidden ``BatchNorm1d`` (the
normalised, scaled and shifted values the sigmoid receives). Its 15th, 50th
and 85th percentiles are taken over every unit and sample of the mini-batch
(the paper plots one typical unit), every ``record_every`` updates; test
accuracy is measured every ``eval_every`` updates.

Rows: the training rows of ``nn.experiments.train``; ``kind: "preact"``
(``module``, ``p15``, ``p50``, ``p85``; ``step`` = updates done before that
forward) and ``kind: "test"`` (``test_acc`` after ``step`` updates).
"""
import numpy as np

from .. import MLP
from ..diagnostics import GradientMonitor
from ..layers import BatchNorm1d, Linear
from .data import load_split
from .plotting import by, figure, fmt_pct, mean_spread, seed_curves
from .tasks import mode_name
from .train import DTYPE, evaluate, finite, task_rngs, train

__all__ = ["NAME", "TITLE", "PAPER", "grid", "cost", "run_task", "figures", "describe"]

NAME = "batchnorm"
TITLE = "Batch normalisation of a sigmoid net (Ioffe & Szegedy 2015, Fig. 1)"
PAPER = ("Ioffe & Szegedy (2015, Fig. 1) trained a net of 3 hidden layers of 100 sigmoid "
         "units on MNIST: with batch normalisation it reached a higher test accuracy sooner, "
         "and the distribution of a last-layer sigmoid's input (its 15th, 50th and 85th "
         "percentiles) stayed stable over training, while without it the distribution "
         "drifted in mean and spread.")

_PCTS = ("p15", "p50", "p85")
_BUDGETS = {  # mode -> (steps, record_every, eval_every, batch, lrs, seeds)
    "tiny": (6, 2, 3, 30, [0.1], 1),
    "quick": (1500, 25, 100, 60, [0.03, 0.1], 2),
    "full": (5000, 50, 250, 60, [0.01, 0.03, 0.1, 0.3], 3),
}


def grid(quick):
    """The net without and with batch norm; learning rates and seeds."""
    steps, every, eval_every, batch, lrs, seeds = _BUDGETS[mode_name(quick)]
    configs = [{"label": label, "norm": norm, "activation": "sigmoid", "init": "pytorch",
                "depth": 3, "width": 100, "steps": steps, "record_every": every,
                "eval_every": eval_every, "batch_size": batch, "optimizer": "sgd"}
               for label, norm in (("without batch norm", "none"),
                                   ("with batch norm", "batch"))]
    return {"configs": configs, "lrs": lrs, "seeds": seeds}


def cost(config, quick):
    """Relative running time of a task (orders the work, longest first)."""
    return config["steps"] * (2 if config["norm"] == "batch" else 1)


def run_task(config, seed, lr, quick):
    """Train the net of ``config`` with ``seed`` and ``lr``, watching the last hidden
    sigmoid's input; return its rows."""
    split = load_split(config.get("dataset", "digits"), config.get("mnist_dir"))
    model_rng, data_seed = task_rngs(seed)
    sizes = [split.n_features] + [config["width"]] * config["depth"] + [split.n_classes]
    norm = None if config["norm"] == "none" else config["norm"]
    model = MLP(sizes, activation=config["activation"], init=config["init"], norm=norm,
                dtype=DTYPE, rng=model_rng)
    # The last hidden sigmoid's input: the last BatchNorm1d, else the last hidden Linear.
    kind = BatchNorm1d if norm else Linear
    watched = [name for name, m in model.named_modules() if isinstance(m, kind)]
    watched = watched[-1] if norm else watched[-2]
    tests = []

    def on_step(step, m):
        mon.step()
        if step % config["eval_every"] == 0 or step == config["steps"]:
            tests.append({"kind": "test", "step": step,
                          "test_acc": evaluate(m, split.X_test, split.y_test)[1]})

    with GradientMonitor(model, every=config["record_every"], layers=[watched]) as mon:
        steps, final = train(model, split, lr=lr, steps=config["steps"], data_seed=data_seed,
                             optimizer=config["optimizer"], batch_size=config["batch_size"],
                             eval_every=config["eval_every"], on_step=on_step)
        values = {}
        for r in mon.table(metric=["act_p15", "act_p50", "act_p85"]):
            values.setdefault(r["step"], {})[r["metric"][4:]] = finite(r["value"])
    pre = [{"kind": "preact", "step": s, "module": watched, **v}
           for s, v in sorted(values.items())]
    return steps + [final] + tests + pre


def _curves(rows, kind, metric):
    """``(steps, mean over seeds)`` of ``metric`` in rows of ``kind``."""
    steps, matrix = seed_curves(
        [r for r in rows if r.get("kind") == kind and r.get(metric) is not None], metric)
    return steps, mean_spread(matrix)[0]


def _selected(rows):
    return by([r for r in rows if r.get("selected", True)], "config")


def figures(rows):
    """``{"accuracy": test accuracy against steps, "preact": the 15/50/85th
    percentiles of the last hidden sigmoid's input against steps, one panel each}``."""
    groups = _selected(rows)
    fig, (ax,) = figure(width=5.5, height=3.8)
    for (label,), group in groups.items():
        xs, acc = _curves(group, "test", "test_acc")
        ax.plot(xs, acc, label=f"{label}, lr {group[0]['lr']:g}")
    ax.set_xlabel("step (updates)")
    ax.set_ylabel("test accuracy")
    ax.set_title("Test accuracy of a 3x100 sigmoid net", fontsize=9)
    ax.legend(fontsize=8)

    fig2, axes = figure(ncols=max(1, len(groups)), width=4.2, height=3.6)
    for ax2, ((label,), group) in zip(axes, groups.items()):
        for pct, style in zip(_PCTS, (":", "-", ":")):
            xs, ys = _curves(group, "preact", pct)
            ax2.plot(xs, ys, style, color="C0", label=f"{pct[1:]}th percentile")
        module = next((r["module"] for r in group if r.get("kind") == "preact"), "?")
        ax2.set_xlabel("step (updates)")
        ax2.set_ylabel("input to the last hidden sigmoid")
        ax2.set_title(f"{label} ({module})", fontsize=9)
        ax2.legend(fontsize=7)
    return {"accuracy": fig, "preact": fig2}


def _drift(group):
    """Median and 15-85 spread of the pre-activation at the first and last record."""
    _, p15 = _curves(group, "preact", "p15")
    _, p50 = _curves(group, "preact", "p50")
    _, p85 = _curves(group, "preact", "p85")
    return p50[0], p50[-1], p85[0] - p15[0], p85[-1] - p15[-1]


def describe(rows):
    """Sentences from the rows: final test accuracy and when each net first reached
    90% of the digits, and how far the pre-activation distribution moved."""
    groups = {label: g for (label,), g in _selected(rows).items()}
    plain, bn = groups.get("without batch norm"), groups.get("with batch norm")
    if plain is None or bn is None:
        return ["The results hold only one of the two nets; nothing to compare."]
    out, reach = [], {}
    for label, group in (("without", plain), ("with", bn)):
        xs, acc = _curves(group, "test", "test_acc")
        hit = np.flatnonzero(acc >= 0.9)
        reach[label] = xs[hit[0]] if hit.size else None
        out.append(f"{label.capitalize()} batch norm (lr {group[0]['lr']:g}) the net "
                   f"reached {fmt_pct(acc[-1])} test accuracy after {xs[-1]} steps"
                   + (f", first above 90% at step {reach[label]}." if hit.size else
                      ", never above 90%."))
    moves, parts = {}, []
    for label, group in (("without", plain), ("with", bn)):
        m0, m1, s0, s1 = _drift(group)
        moves[label] = abs(m1 - m0) / max(s0, 1e-12)
        parts.append(f"from median {m0:.2f} (15-85 spread {s0:.2f}) to {m1:.2f} "
                     f"({s1:.2f}) {label} batch norm")
    out.append(f"The last hidden sigmoid's input moved {parts[0]}, and {parts[1]}.")
    faster = (reach["with"] is not None and
              (reach["without"] is None or reach["with"] < reach["without"]))
    steadier = moves["with"] < moves["without"]
    verdict = {(True, True): "Both agree with the paper: batch norm trained faster and "
                             "kept the distribution steadier.",
               (True, False): "Batch norm trained faster, as in the paper, but its "
                              "distribution did not move less here: on easy digits the "
                              "plain net's inputs drift little too.",
               (False, True): "Batch norm kept the distribution steadier, as in the paper, "
                              "but did not train faster here: with a tuned rate the small "
                              "plain net learns the digits quickly.",
               (False, False): "Neither effect of the paper showed here (faster training, "
                               "steadier inputs): the budget or the easy data may hide it."}
    out.append(verdict[(faster, steadier)])
    return out
