"""Experiment 6, beyond the papers: a 1,000-layer network that trains on a laptop.

Each residual block computes ``x + gate * relu(W x + b)`` with a learnable
scalar ``gate`` starting at 0 (the SkipInit idea; Fixup zero-initialises the
last layer of each branch to the same effect): at initialisation the whole
stack is the identity, the signal and the gradient pass through every block
unchanged, and training switches the branches on as it needs them. Against
it: the plain network of the same depth and width (``nn.MLP``, ReLU, He
initialisation, no normalisation) and the residual network without gates
(``x + relu(W x + b)``, whose signal grows at every block).

All three: width 64, Adam, mini-batches of 128, the same step budget and
learning-rate grid. Quick mode uses 100 blocks instead of 1,000 (the
``depth`` column says which). The final row adds ``init_signal_std`` (the std
of the last hidden representation at initialisation, on 512 validation
samples), ``gate_abs_mean`` and ``gate_abs_max`` (gated net, end of training).
Figures: training loss and validation accuracy against steps. ``describe``
words the measured outcome and sets it against ``PAPER``.
"""
import numpy as np

import autograd_core as ag

from .. import MLP
from .blocks import deep_residual_mlp
from .data import load_split
from .plotting import band, by, figure, fmt_pct, seed_curves, smooth
from .summary import summary
from .tasks import mode_name
from .train import DTYPE, task_rngs, train

__all__ = ["NAME", "TITLE", "PAPER", "ARCHS", "TARGET_ACC", "grid", "cost", "build",
           "run_task", "figures", "describe"]

NAME = "thousand_layers"
TITLE = "Beyond the papers: a 1,000-layer residual MLP with zero-initialised gates"
PAPER = ("None of the four papers trains anything this deep on a laptop. The idea is "
         "Fixup's (Zhang et al. 2019), which trained residual networks of 10,000 layers "
         "without normalisation by starting each residual branch at or near zero, and "
         "SkipInit's (De & Smith 2020), a learnable scalar on each branch that starts at "
         "zero. The target set for this project: at least 95% test accuracy on the "
         "digits, while the plain net of the same depth stays near chance.")
TARGET_ACC = 0.95         # the goal the experiment sets itself (see PAPER)

_LOSS_CEILING = 100.0     # cross-entropy above this is drawn as a note, not a curve

ARCHS = {"gated": "residual, gates at 0", "plain": "plain", "ungated": "residual, no gates"}

_BUDGETS = {  # mode -> (depth, width, steps, eval_every, batch_size, learning rates, seeds)
    "tiny": (20, 8, 5, 5, 64, [1e-3, 3e-3], 1),
    "quick": (100, 64, 200, 25, 128, [1e-3, 3e-3], 2),
    "full": (1000, 64, 200, 25, 128, [3e-4, 1e-3, 3e-3], 3),
}


def grid(quick):
    """The three architectures at the mode's depth, the rates and seeds."""
    depth, width, steps, eval_every, batch, lrs, seeds = _BUDGETS[mode_name(quick)]
    configs = [{"label": f"{label} ({depth} layers)", "arch": arch, "depth": depth,
                "width": width, "steps": steps, "eval_every": eval_every,
                "batch_size": batch, "optimizer": "adam"}
               for arch, label in ARCHS.items()]
    return {"configs": configs, "lrs": lrs, "seeds": seeds}


def cost(config, quick):
    """Relative running time: a gated block
    costs about two and a half plain layers."""
    per_layer = {"gated": 2.5, "plain": 1.0, "ungated": 1.0}[config["arch"]]
    return config["steps"] * config["depth"] * per_layer


def build(arch, n_in, width, depth, n_out, rng):
    """The network of ``arch`` ("gated", "plain" or "ungated") in float32."""
    if arch == "plain":
        return MLP([n_in] + [width] * depth + [n_out], activation="relu", init="he",
                   dtype=DTYPE, rng=rng)
    if arch in ("gated", "ungated"):
        return deep_residual_mlp(n_in, width, depth, n_out,
                                 gate_init=0.0 if arch == "gated" else None,
                                 dtype=DTYPE, rng=rng)
    raise ValueError(f"unknown arch {arch!r}; expected one of {list(ARCHS)}")


def _last_hidden_std(model, X):
    """The std of the input to the model's last layer on ``X`` (eval mode)."""
    last = list(model.modules())[-1]
    seen = []
    handle = last.register_forward_pre_hook(lambda mod, args: seen.append(args[0].data))
    was_training = model.training
    model.eval()
    try:
        with ag.no_grad(), np.errstate(all="ignore"):
            model(ag.tensor(np.array(X, dtype=DTYPE)))
    finally:
        handle.remove()
        model.train(was_training)
    return float(np.std(seen[0], dtype=np.float64))


def run_task(config, seed, lr, quick):
    """Train the network of ``config``; return its step rows and final row."""
    split = load_split(config.get("dataset", "digits"), config.get("mnist_dir"))
    model_rng, data_seed = task_rngs(seed)
    model = build(config["arch"], split.n_features, config["width"], config["depth"],
                  split.n_classes, model_rng)
    init_std = _last_hidden_std(model, split.X_val[:512])
    steps, final = train(model, split, lr=lr, steps=config["steps"], data_seed=data_seed,
                         optimizer=config["optimizer"], batch_size=config["batch_size"],
                         eval_every=config["eval_every"])
    final["init_signal_std"] = init_std
    gates = [m.gate.data for m in model.modules() if getattr(m, "gate", None) is not None]
    if gates:
        g = np.abs(np.array(gates, dtype=float))
        final["gate_abs_mean"], final["gate_abs_max"] = float(g.mean()), float(g.max())
    return steps + [final]


def figures(rows):
    """``{"training": loss and validation accuracy against steps}`` at each
    architecture's selected rate (mean over seeds, band: min to max)."""
    fig, (ax_loss, ax_acc) = figure(ncols=2, width=4.8, height=3.8)
    selected = [r for r in rows if r.get("selected")]
    notes, off_scale = [], []
    order = list(ARCHS)
    groups = sorted(by(selected, "config", "arch").items(),
                    key=lambda item: order.index(item[0][1]) if item[0][1] in order else 99)
    for (label, arch), group in groups:
        steps = [r for r in group if r["kind"] == "step"]
        finals = [r for r in group if r["kind"] == "final"]
        xs, loss = seed_curves(steps, "train_loss")
        if len(xs):
            curve = smooth(loss, max(1, len(xs) // 40))
            finite = curve[np.isfinite(curve)]
            # A net whose outputs blow up would squash every other curve flat.
            if not finite.size:
                off_scale.append(f"{label}: no finite loss")
            elif finite.min() > _LOSS_CEILING:
                off_scale.append(f"{label}: loss {finite.mean():.2g}")
            else:
                band(ax_loss, xs, curve, f"{label}, lr {group[0]['lr']:g}")
        xs, acc = seed_curves([r for r in steps if "val_acc" in r], "val_acc")
        if len(xs):
            band(ax_acc, xs, 100 * acc, ARCHS.get(arch, arch))
        accs = [r["test_acc"] for r in finals if r.get("test_acc") is not None]
        per_step = [r["time_per_step_s"] for r in finals if r.get("time_per_step_s")]
        notes.append(f"{ARCHS.get(arch, arch)}: test "
                     f"{fmt_pct(np.mean(accs) if accs else None)}"
                     + (f", {np.mean(per_step):.3f} s/step" if per_step else "")
                     + (f", {sum(bool(r['diverged']) for r in finals)} diverged"
                        if any(r.get("diverged") for r in finals) else ""))
    ax_loss.set_yscale("log")
    if off_scale:
        ax_loss.text(0.02, 0.02, "off the scale: " + "; ".join(off_scale), fontsize=7,
                     transform=ax_loss.transAxes)
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("training loss (mini-batch, moving average)")
    ax_loss.legend(fontsize=7)
    ax_acc.set_xlabel("step")
    ax_acc.set_ylabel("validation accuracy (%)")
    ax_acc.set_ylim(0, 100)
    ax_acc.legend(fontsize=7)
    depth = rows[0].get("depth") if rows else "?"
    fig.suptitle(f"{depth}-layer MLPs of width {rows[0].get('width') if rows else '?'} on "
                 f"{rows[0].get('dataset') if rows else '?'}\n" + "; ".join(notes),
                 fontsize=9)
    return {"training": fig}


_CLASSES = {"digits": 10, "mnist": 10, "circles": 2}


def _outcome(line):
    """"reached T test accuracy (training loss L)", or how it diverged."""
    if line is None:
        return "was not run"
    if line["test_acc_mean"] is None:
        return (f"diverged in {line['diverged']} of {line['seeds']} seeds" if line["diverged"]
                else "gave no finite result")
    loss = line["train_loss_mean"]
    text = f"reached {fmt_pct(line['test_acc_mean'])} test accuracy (training loss {loss:.3g})"
    if line["diverged"]:
        text += f", {line['diverged']} of {line['seeds']} seeds diverged"
    return text


def describe(rows):
    """Two to four sentences on what the rows measured: each architecture's test
    accuracy at its selected rate, the gated net's time, whether it met
    ``TARGET_ACC`` and whether the plain net stayed near chance (decided from
    the numbers), and the signal at initialisation that explains it."""
    arch_of = {r["config"]: r.get("arch") for r in rows if r.get("kind") == "final"}
    lines = {arch_of.get(t["config"]): t for t in summary(rows)}
    gated, plain, ungated = lines.get("gated"), lines.get("plain"), lines.get("ungated")
    if gated is None:
        return ["The results hold no gated residual net; nothing to report."]
    finals = [r for r in rows if r.get("kind") == "final" and r.get("selected")]
    depth, steps = finals[0].get("depth"), finals[0].get("steps_budget")
    took = ("" if gated["time_s_mean"] is None
            else f", {gated['time_s_mean']:.0f} s per run")
    out = [f"The {depth:,}-layer residual net with its gates starting at 0 "
           f"{_outcome(gated)} after {steps:,} steps of Adam (lr {gated['best_lr']:g}, mean "
           f"of {gated['seeds']} seeds{took}); the plain "
           f"net of the same depth {_outcome(plain)}, and the residual net without gates "
           f"{_outcome(ungated)}."]

    acc = gated["test_acc_mean"] or 0.0
    goal = (f"That meets the target of {fmt_pct(TARGET_ACC)}" if acc >= TARGET_ACC else
            f"That falls short of the target of {fmt_pct(TARGET_ACC)}")
    if depth < 1000:
        goal += f" at {depth} layers (the full run trains 1,000)"
    plain_acc = plain["test_acc_mean"] if plain else None
    if plain_acc is None:
        goal += "."
    elif plain_acc < 1 / _CLASSES.get(finals[0].get("dataset"), 10) + 0.1:
        goal += ", and the plain net stayed near chance, as intended."
    else:
        goal += (f", but the plain net did learn somewhat ({fmt_pct(plain_acc)}): at "
                 f"this depth the signal of a He-initialised stack has not yet vanished.")
    out.append(goal)

    def init_std(arch):
        values = [r.get("init_signal_std") for r in finals if r.get("arch") == arch]
        values = [v for v in values if v is not None]
        return float(np.mean(values)) if values else None
    g, p = init_std("gated"), init_std("plain")
    if g is not None and p is not None:
        u = init_std("ungated")
        out.append(f"At initialisation the last hidden layer's signal had a std of "
                   f"{g:.3g} in the gated net and {p:.2g} in the plain one"
                   + (" (in the net without gates it overflowed)" if u is None and ungated
                      else f" ({u:.2g} without gates)" if u is not None else "")
                   + ": with every branch switched off the input reaches the output "
                     "unchanged, and so does the gradient on its way back.")
    return out
