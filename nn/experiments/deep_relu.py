"""Experiment 3: a 30-layer ReLU MLP, Glorot (Xavier) against He initialisation.

He et al. (2015, their Fig. 3) trained a 30-layer ReLU network: started with
Xavier's initialisation it did not learn at all, started with theirs it
converged. Glorot's uniform rule gives each weight variance ``2 / (fan_in +
fan_out)``, i.e. ``1/n`` between layers of width ``n``; a ReLU keeps half of
its input's second moment, so the signal's scale halves at every layer and
after 29 hidden layers is about ``2**-14.5`` of the input's, and so are the
gradients of the first layers. He's rule, variance ``2/n``, keeps it level.

Here: 30 weight layers (29 hidden ReLU layers of equal width, then the output
layer), no normalisation, zero biases, SGD with momentum 0.9 and mini-batches
of 64, the same step budget for both initialisations and every rate of the
grid. Rows: one per step (the mini-batch's training loss; validation loss and
accuracy every ``eval_every`` steps) and a final row per task (see
``nn.experiments.train``). Figures: training loss against steps at each
initialisation's selected rate (mean over seeds, band: min to max), and the
final training loss at every rate of the grid. ``describe`` words the
measured outcome and sets it against ``PAPER``.
"""
import math

import numpy as np

from .. import MLP
from .data import load_split
from .plotting import band, by, figure, fmt_pct, seed_curves, smooth
from .summary import summary
from .tasks import mode_name
from .train import DTYPE, mlp_cost, task_rngs, train

__all__ = ["NAME", "TITLE", "PAPER", "grid", "cost", "run_task", "figures", "describe"]

NAME = "deep_relu"
TITLE = "Deep ReLU nets: Glorot against He initialisation (He et al. 2015, Fig. 3)"
PAPER = ("He et al. (2015, \"Delving deep into rectifiers\", Fig. 3) trained a 30-layer "
         "ReLU network on ImageNet: started with Xavier's initialisation it did not learn "
         "at all, while their initialisation (weight variance 2/fan-in) made it converge; "
         "at 22 layers both trained, theirs sooner.")

_BUDGETS = {  # mode -> (width, steps, eval_every, batch_size, learning rates, seeds)
    "tiny": (8, 6, 3, 32, [0.01, 0.1], 1),
    "quick": (64, 300, 50, 64, [0.001, 0.003, 0.01], 2),
    "full": (64, 1000, 100, 64, [0.001, 0.003, 0.01, 0.03], 3),
}


def grid(quick):
    """Two configurations (init "xavier" and "he"), the learning rates and seeds."""
    width, steps, eval_every, batch, lrs, seeds = _BUDGETS[mode_name(quick)]
    configs = [{"label": f"{init} init", "init": init, "depth": 30, "width": width,
                "steps": steps, "eval_every": eval_every, "batch_size": batch,
                "optimizer": "sgd"} for init in ("xavier", "he")]
    return {"configs": configs, "lrs": lrs, "seeds": seeds}


cost = mlp_cost     # relative running time of a task (orders the work)


def run_task(config, seed, lr, quick):
    """Train the 30-layer net of ``config`` with ``seed`` and ``lr``; return its rows."""
    split = load_split(config.get("dataset", "digits"), config.get("mnist_dir"))
    model_rng, data_seed = task_rngs(seed)
    sizes = [split.n_features] + [config["width"]] * (config["depth"] - 1) + [split.n_classes]
    model = MLP(sizes, activation="relu", init=config["init"], dtype=DTYPE, rng=model_rng)
    steps, final = train(model, split, lr=lr, steps=config["steps"], data_seed=data_seed,
                         optimizer=config["optimizer"], batch_size=config["batch_size"],
                         eval_every=config["eval_every"])
    return steps + [final]


def figures(rows):
    """``{"loss": training loss against steps, "lr_grid": final loss per rate}``."""
    fig, (ax,) = figure(width=6.0, height=4.0)
    selected = [r for r in rows if r.get("selected")]
    summary = []
    for (label,), group in sorted(by(selected, "config").items(), reverse=True):
        steps = [r for r in group if r["kind"] == "step"]
        xs, matrix = seed_curves(steps, "train_loss")
        if not len(xs):
            continue
        window = max(1, len(xs) // 50)
        band(ax, xs, smooth(matrix, window), f"{label}, lr {group[0]['lr']:g}")
        finals = [r for r in group if r["kind"] == "final"]
        accs = [r["test_acc"] for r in finals if r.get("test_acc") is not None]
        summary.append(f"{label}: test {fmt_pct(np.mean(accs) if accs else None)}")
    depth = rows[0].get("depth")
    n_seeds = len({r["seed"] for r in selected}) if selected else 0
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("training loss (mini-batch, moving average)")
    ax.set_title(f"{depth}-layer ReLU MLP on {rows[0].get('dataset')}: "
                 f"mean of {n_seeds} seeds, band min-max\n" + "; ".join(summary), fontsize=9)
    ax.legend(fontsize=8)

    fig2, (ax2,) = figure(width=5.0, height=3.6)
    finals = [r for r in rows if r["kind"] == "final"]
    for (label,), group in sorted(by(finals, "config").items(), reverse=True):
        per_lr = by(group, "lr")
        lrs = sorted(per_lr)
        losses = [np.mean([r["train_loss"] if r["train_loss"] is not None else np.nan
                           for r in per_lr[lr]]) for lr in lrs]
        line, = ax2.plot(lrs, losses, "o-", label=label)
        # A rate where some seed diverged has no mean loss: mark it on the axis
        # rather than leaving a silent gap in the curve.
        gone = [lr for lr, v in zip(lrs, losses) if not np.isfinite(v)]
        if gone:
            ax2.plot(gone, [1.0] * len(gone), "x", color=line.get_color(), markersize=9,
                     transform=ax2.get_xaxis_transform(), clip_on=False,
                     label=f"{label}: diverged (a seed at this rate)")
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set_xlabel("learning rate")
    ax2.set_ylabel("final training loss (mean over seeds)")
    ax2.set_title(f"Every learning rate of the grid, {finals[0]['steps']} steps each"
                  if finals else "no finished tasks", fontsize=9)
    ax2.legend(fontsize=8)
    return {"loss": fig, "lr_grid": fig2}


_CLASSES = {"digits": 10, "mnist": 10, "circles": 2}


def _outcome(line):
    """"a training loss of L and A test accuracy", or how it diverged."""
    if line["train_loss_mean"] is None:
        return f"diverged in all {line['seeds']} seeds"
    text = (f"a training loss of {line['train_loss_mean']:.3g} and "
            f"{fmt_pct(line['test_acc_mean'])} test accuracy")
    if line["diverged"]:
        text += f" ({line['diverged']} of {line['seeds']} seeds diverged)"
    return text


def describe(rows):
    """Two to four sentences on what the rows measured, compared with ``PAPER``:
    the final loss and accuracy of each initialisation at its selected rate,
    whether Xavier stalled at chance as in the paper (decided from the numbers),
    and what the whole learning-rate grid gave Xavier."""
    lines = {t["config"]: t for t in summary(rows)}
    he, xa = lines.get("he init"), lines.get("xavier init")
    if he is None or xa is None:
        return ["The results hold only one of the two initialisations; nothing to compare."]
    finals = [r for r in rows if r.get("kind") == "final"]
    depth, steps = finals[0].get("depth"), finals[0].get("steps_budget")
    n_classes = _CLASSES.get(finals[0].get("dataset"), 10)
    chance_loss, chance_acc = math.log(n_classes), 1 / n_classes
    seeds = f"mean of {xa['seeds']} seeds" if xa["seeds"] > 1 else "one seed"
    out = [f"With He initialisation the {depth}-layer ReLU net reached {_outcome(he)} "
           f"after {steps:,} steps (lr {he['best_lr']:g}, {seeds}); with Xavier (Glorot) "
           f"initialisation it ended at {_outcome(xa)} (lr {xa['best_lr']:g})."]

    xa_acc = xa["test_acc_mean"] or 0.0
    he_acc = he["test_acc_mean"] or 0.0
    xa_finals = [r for r in finals if r["config"] == "xavier init" and r.get("selected")]
    learned = sum(1 for r in xa_finals if r.get("train_loss") is not None
                  and r["train_loss"] < 0.9 * chance_loss)
    chance = (f"chance is a loss of ln {n_classes} = {chance_loss:.2f} and "
              f"{fmt_pct(chance_acc)} accuracy")
    if he_acc < chance_acc + 0.1:
        out.append(f"Here He's initialisation did not train either ({chance}), unlike the "
                   f"paper: {steps} steps may be too few for a net this deep, or no rate of "
                   f"the grid suited it.")
    elif xa_acc < chance_acc + 0.05:
        out.append(f"Xavier's net stalled at chance ({chance}), as in the paper.")
    elif xa_acc < he_acc - 0.2:
        out.append(f"Xavier's net did learn a little, unlike the paper's, which did not "
                   f"learn at all: {fmt_pct(xa_acc)} test accuracy where {chance}, and "
                   f"{learned} of {len(xa_finals)} seeds brought the training loss below "
                   f"{0.9 * chance_loss:.2f}. The shrinking signal starves the first "
                   f"layers, but the last layers still get a usable gradient, and "
                   f"{n_classes} classes of {finals[0].get('dataset')} are far easier to "
                   f"make a start on than ImageNet's thousand.")
    else:
        out.append(f"Xavier's net trained nearly as well as He's here ({fmt_pct(xa_acc)} "
                   f"against {fmt_pct(he_acc)} test accuracy), unlike the paper: momentum "
                   f"SGD with a tuned rate can make up for a weak signal on small data.")

    per_lr = {}
    for r in finals:
        if r["config"] == "xavier init":
            per_lr.setdefault(r["lr"], []).append(r.get("train_loss"))
    means = {lr: float(np.mean([chance_loss if v is None else v for v in vals]))
             for lr, vals in per_lr.items()}
    if len(means) > 1 and he["train_loss_mean"] is not None:
        lr, best = min(means.items(), key=lambda item: item[1])
        if best >= 0.9 * chance_loss:
            verdict = "so no rate of the grid moved it off chance level"
        elif best > 10 * he["train_loss_mean"]:
            verdict = "so no rate brought it within a factor of ten of He's"
        else:
            verdict = "so with a well-chosen rate Xavier's net catches up"
        out.append(f"Across the whole grid ({', '.join(f'{v:g}' for v in sorted(means))}), "
                   f"Xavier's lowest mean training loss was {best:.3g} (lr {lr:g}), "
                   f"{verdict}.")
    return out
