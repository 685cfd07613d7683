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
final training loss at every rate of the grid.
"""
import numpy as np

from .. import MLP
from .data import load_split
from .plotting import band, by, figure, fmt_pct, seed_curves, smooth
from .train import DTYPE, task_rngs, train

__all__ = ["NAME", "TITLE", "grid", "cost", "run_task", "figures"]

NAME = "deep_relu"
TITLE = "Deep ReLU nets: Glorot against He initialisation (He et al. 2015, Fig. 3)"

_BUDGETS = {  # mode -> (width, steps, eval_every, batch_size, learning rates, seeds)
    "tiny": (8, 6, 3, 32, [0.01, 0.1], 1),
    "quick": (64, 300, 50, 64, [0.001, 0.003, 0.01], 2),
    "full": (64, 1000, 100, 64, [0.001, 0.003, 0.01, 0.03], 3),
}


def _mode(quick):
    return "tiny" if quick == "tiny" else "quick" if quick else "full"


def grid(quick):
    """Two configurations (init "xavier" and "he"), the learning rates and seeds."""
    width, steps, eval_every, batch, lrs, seeds = _BUDGETS[_mode(quick)]
    configs = [{"label": f"{init} init", "init": init, "depth": 30, "width": width,
                "steps": steps, "eval_every": eval_every, "batch_size": batch,
                "optimizer": "sgd"} for init in ("xavier", "he")]
    return {"configs": configs, "lrs": lrs, "seeds": seeds}


def cost(config, quick):
    """Relative running time of a task (orders the work, longest first)."""
    return config["steps"] * config["depth"] * (1 + config["width"] / 64)


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
        ax2.plot(lrs, losses, "o-", label=label)
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set_xlabel("learning rate")
    ax2.set_ylabel("final training loss (mean over seeds)")
    ax2.set_title(f"Every learning rate of the grid, {finals[0]['steps']} steps each"
                  if finals else "no finished tasks", fontsize=9)
    ax2.legend(fontsize=8)
    return {"loss": fig, "lr_grid": fig2}
