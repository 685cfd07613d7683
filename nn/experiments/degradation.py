"""Experiment 5: degradation with depth, and residual connections (He et al. 2016).

He et al. found that a deeper plain network (He initialisation, batch norm)
reaches a higher *training* error than a shallower one, which is no
overfitting but an optimisation difficulty, and that the same networks with
identity shortcuts do not degrade. Their Fig. 7 shows the standard deviation
of each layer's response (the output of its batch norm, before the addition
and the nonlinearity): smaller in residual nets, whose layers learn small
corrections to the identity.

Here: ``nn.MLP`` with He init and batch norm, plain or residual (each hidden
block whose input and output widths match, i.e. all but the first, is wrapped
as ``x + block(x)``), at several depths (hidden layers), the same step budget
and learning-rate grid for each; SGD with momentum 0.9. At the end of
training, forward hooks on every ``BatchNorm1d`` record the standard
deviation of its output (over the batch and the units) on the first 512
validation samples, in eval mode.

Rows: step and final rows (``nn.experiments.train``), plus one ``kind: "layer"``
row per batch norm: ``layer`` (1-based, input side first), ``module`` (its
path), ``response_std``. Figures: final training loss and test accuracy
against depth; the response std per layer. ``describe`` words the measured
outcome and sets it against ``PAPER``.
"""
import numpy as np

import autograd_core as ag

from .. import MLP, BatchNorm1d
from .data import load_split
from .plotting import by, figure, fmt_pct, mean_spread
from .summary import summary
from .tasks import mode_name
from .train import DTYPE, task_rngs, train

__all__ = ["NAME", "TITLE", "PAPER", "grid", "cost", "run_task", "layer_response_std",
           "figures", "describe"]

NAME = "degradation"
TITLE = "Degradation with depth and residual connections (He et al. 2016)"
PAPER = ("He et al. (2016, \"Deep residual learning\") found that deeper plain networks, "
         "even with careful initialisation and batch norm, reach a higher training error "
         "than shallower ones (56 against 20 layers on CIFAR-10, 34 against 18 on ImageNet), "
         "an optimisation failure rather than overfitting; with identity shortcuts the "
         "deeper networks trained better, and their layers' responses (their Fig. 7) were "
         "generally smaller than in plain networks.")

_BUDGETS = {  # mode -> (depths, width, steps, eval_every, batch_size, learning rates, seeds)
    "tiny": ([2, 3], 8, 5, 5, 32, [0.03, 0.1], 1),
    "quick": ([2, 8, 16], 32, 200, 50, 64, [0.03, 0.1], 2),
    "full": ([4, 8, 16, 32], 64, 1000, 100, 64, [0.01, 0.03, 0.1], 3),
}


def grid(quick):
    """Plain and residual MLPs at each depth of the mode, the rates and seeds."""
    depths, width, steps, eval_every, batch, lrs, seeds = _BUDGETS[mode_name(quick)]
    configs = [{"label": f"{arch} {depth}", "arch": arch, "depth": depth, "width": width,
                "steps": steps, "eval_every": eval_every, "batch_size": batch,
                "optimizer": "sgd"}
               for arch in ("plain", "residual") for depth in depths]
    return {"configs": configs, "lrs": lrs, "seeds": seeds}


def cost(config, quick):
    """Relative running time of a task (batch norm costs about four Linears)."""
    return config["steps"] * config["depth"] * 4 * (1 + config["width"] / 64)


def layer_response_std(model, X, batch=512):
    """``[(module path, std of its output)]`` for every ``BatchNorm1d`` in ``model``,
    measured with forward hooks on one eval-mode forward pass of ``X[:batch]``."""
    found, handles = [], []
    for name, module in model.named_modules():
        if isinstance(module, BatchNorm1d):
            def hook(mod, args, output, name=name):
                found.append((name, float(np.std(output.data, dtype=np.float64))))
            handles.append(module.register_forward_hook(hook))
    was_training = model.training
    model.eval()
    try:
        with ag.no_grad(), np.errstate(all="ignore"):
            model(ag.tensor(np.array(X[:batch], dtype=DTYPE)))
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    return found


def run_task(config, seed, lr, quick):
    """Train the MLP of ``config``; return its step, final and layer rows."""
    split = load_split(config.get("dataset", "digits"), config.get("mnist_dir"))
    model_rng, data_seed = task_rngs(seed)
    sizes = [split.n_features] + [config["width"]] * config["depth"] + [split.n_classes]
    model = MLP(sizes, activation="relu", init="he", norm="batch",
                residual=config["arch"] == "residual", dtype=DTYPE, rng=model_rng)
    steps, final = train(model, split, lr=lr, steps=config["steps"], data_seed=data_seed,
                         optimizer=config["optimizer"], batch_size=config["batch_size"],
                         eval_every=config["eval_every"])
    layers = [{"kind": "layer", "step": final["step"], "layer": i + 1, "module": name,
               "response_std": std}
              for i, (name, std) in enumerate(layer_response_std(model, split.X_val))]
    return steps + [final] + layers


def _per_depth(finals, metric):
    depths = sorted({r["depth"] for r in finals})
    values = [[r[metric] if r.get(metric) is not None else np.nan
               for r in finals if r["depth"] == d] for d in depths]
    means = [mean_spread(np.array(v, dtype=float)[:, None]) for v in values]
    return (np.array(depths), np.array([m[0][0] for m in means]),
            np.array([m[1][0] for m in means]))


def figures(rows):
    """``{"depth": training loss and test accuracy against depth,
    "responses": each layer's response std}``, at each configuration's
    selected learning rate (mean over seeds, error bars: standard deviation)."""
    selected = [r for r in rows if r.get("selected")]
    finals = [r for r in selected if r["kind"] == "final"]
    fig, (ax_loss, ax_acc) = figure(ncols=2, width=4.6, height=3.6)
    notes = []
    for (arch,), group in sorted(by(finals, "arch").items()):
        depths, loss, loss_sd = _per_depth(group, "train_loss")
        _, acc, acc_sd = _per_depth(group, "test_acc")
        marker = "o-" if arch == "plain" else "s--"
        ax_loss.errorbar(depths, loss, yerr=loss_sd, fmt=marker, capsize=3, label=arch)
        ax_acc.errorbar(depths, 100 * acc, yerr=100 * acc_sd, fmt=marker, capsize=3,
                        label=arch)
        if len(depths):
            notes.append(f"{arch}: loss {loss[0]:.3g} at {depths[0]} -> {loss[-1]:.3g} at "
                         f"{depths[-1]}, test {fmt_pct(acc[-1])}")
    for ax in (ax_loss, ax_acc):
        ax.set_xscale("log", base=2)
        ax.set_xlabel("hidden layers")
        ax.legend(fontsize=8)
    ax_loss.set_yscale("log")
    ax_loss.set_ylabel("final training loss")
    ax_acc.set_ylabel("test accuracy (%)")
    steps = finals[0]["steps"] if finals else 0
    fig.suptitle(f"Plain vs residual MLP (He init + batch norm), {steps} steps each, "
                 f"best rate by validation\n" + "; ".join(notes), fontsize=9)

    layers = [r for r in selected if r["kind"] == "layer"]
    fig2, (ax_idx, ax_sorted) = figure(ncols=2, width=4.6, height=3.6)
    depths = sorted({r["depth"] for r in layers})
    colors = {d: f"C{i}" for i, d in enumerate(depths)}
    for (arch, depth), group in sorted(by(layers, "arch", "depth").items()):
        n = max(r["layer"] for r in group)
        matrix = np.full((len({r['seed'] for r in group}), n), np.nan)
        seeds = sorted({r["seed"] for r in group})
        for r in group:
            matrix[seeds.index(r["seed"]), r["layer"] - 1] = (
                np.nan if r["response_std"] is None else r["response_std"])
        mean, _ = mean_spread(matrix)
        style = "-" if arch == "plain" else "--"
        ax_idx.plot(np.arange(1, n + 1), mean, style, color=colors[depth],
                    label=f"{arch} {depth}")
        ax_sorted.plot(np.arange(1, n + 1), np.sort(mean)[::-1], style, color=colors[depth],
                       label=f"{arch} {depth}")
    for ax, xlabel in ((ax_idx, "layer index (input side first)"),
                       (ax_sorted, "layers sorted by magnitude")):
        ax.set_xlabel(xlabel)
        ax.set_ylabel("std of batch-norm output")
        ax.legend(fontsize=7, ncol=2)
    fig2.suptitle("Std of each hidden layer's batch-norm output at the end of training "
                  "(solid: plain, dashed: residual)", fontsize=9)
    return {"depth": fig, "responses": fig2}


def _fold(a, b):
    """"rose 12-fold" / "fell 3-fold" / "stayed level" from ``a`` to ``b``."""
    def times(x):
        return f"{x:.0f}" if x >= 10 else f"{x:.1f}"
    if b >= 1.25 * a:
        return f"rose {times(b / a)}-fold"
    if a >= 1.25 * b:
        return f"fell {times(a / b)}-fold"
    return "stayed about level"


def describe(rows):
    """Two to four sentences on what the rows measured, compared with ``PAPER``:
    training loss and test accuracy from the shallowest to the deepest net of
    each kind at its selected rate, whether the plain nets degraded more than
    the residual ones (decided from the numbers), and the response stds."""
    lines = summary(rows)
    arch_depth = {r["config"]: (r.get("arch"), r.get("depth")) for r in rows
                  if r.get("kind") == "final"}
    curves = {}             # arch -> [(depth, summary line)] by depth
    for t in lines:
        arch, depth = arch_depth.get(t["config"], (None, None))
        if arch is not None and t["train_loss_mean"] is not None:
            curves.setdefault(arch, []).append((depth, t))
    for arch in curves:
        curves[arch].sort(key=lambda item: item[0])
    if set(curves) != {"plain", "residual"} or any(len(c) < 2 for c in curves.values()):
        return ["The results lack a plain or a residual net at two depths or more; "
                "nothing to compare."]
    parts, factor = [], {}
    for arch in ("plain", "residual"):
        (d0, first), (d1, last) = curves[arch][0], curves[arch][-1]
        a, b = first["train_loss_mean"], last["train_loss_mean"]
        factor[arch] = b / a if a > 0 else float("inf")
        parts.append(f"the {arch} nets' training loss {_fold(a, b)} from {a:.3g} at {d0} "
                     f"to {b:.3g} at {d1} hidden layers ({fmt_pct(last['test_acc_mean'])} "
                     f"test accuracy at {d1})")
    steps = next(r["steps_budget"] for r in rows if r.get("kind") == "final")
    out = [f"With the same {steps:,} steps and the best rate of the grid for each, "
           + "; ".join(parts) + "."]

    p, r = factor["plain"], factor["residual"]
    if p > 2 and p > 2 * r:
        out.append("The plain nets degrade with depth and the residual ones much less, "
                   "as He et al. found.")
    elif p > 2:
        out.append("Here the residual nets degraded about as much as the plain ones, "
                   "unlike the paper; at these depths and this short budget the shortcuts "
                   "may not yet pay off.")
    else:
        out.append(f"Here the plain nets did not degrade at these depths (at most "
                   f"{curves['plain'][-1][0]} hidden layers, {steps:,} steps), unlike the "
                   f"paper's 56-layer nets: batch norm and He's initialisation carry a "
                   f"net this shallow, and the digits are easy to fit.")

    means = {}
    for (arch, depth), group in by([x for x in rows if x.get("kind") == "layer"
                                    and x.get("selected")
                                    and x.get("response_std") is not None],
                                   "arch", "depth").items():
        means[(arch, depth)] = float(np.mean([x["response_std"] for x in group]))
    depths = sorted({d for a, d in means if (("plain", d) in means and ("residual", d) in means)})
    if depths:
        smaller = sum(means[("residual", d)] < means[("plain", d)] for d in depths)
        d = depths[-1]
        text = (f"Averaged over layers, the std of the batch-norm outputs at {d} hidden "
                f"layers was {means[('plain', d)]:.3g} in the plain net and "
                f"{means[('residual', d)]:.3g} in the residual one; ")
        if smaller > len(depths) / 2:
            text += (f"it was smaller in the residual nets at {smaller} of {len(depths)} "
                     f"depths, as in their Fig. 7")
            gap = abs(means[("plain", d)] - means[("residual", d)]) / means[("plain", d)]
            text += (", though by little: batch norm pins every response near unit scale "
                     "and only its learned scale can shrink it." if gap < 0.1 else ".")
        else:
            text += (f"it was smaller in the residual nets at only {smaller} of "
                     f"{len(depths)} depths, unlike their Fig. 7: batch norm pins every "
                     f"response near unit scale, and in {steps:,} steps its learned scale "
                     f"moves little.")
        out.append(text)
    return out
