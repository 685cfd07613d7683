"""Experiment 1: gradient flow at initialisation (Glorot & Bengio 2010).

A deep MLP is built with one of eight recipes (activation, initialisation,
batch norm, residual blocks) at several depths, and one backward pass of the
cross-entropy on a fixed batch of training samples is watched with a
``GradientMonitor``; nothing is trained. Per weight layer (each ``Linear``,
numbered 1 .. depth + 1 from the input) the rows hold the gradient norm of its
weight and the norm of the gradient flowing back into its output (the
back-propagated signal). The first-to-last ratio divides the first hidden
Linear's weight-gradient norm by the output Linear's: far below 1, the first
layers barely learn. At one depth the mean singular value of each hidden
layer's input-to-output Jacobian (``Linear -> norm -> activation``, or a whole
residual block) is measured too.

Rows, all at ``step`` 0: ``kind: "gradient"`` (``layer``, ``module``,
``grad_norm``, ``out_grad_norm``), ``kind: "jacobian"`` (``layer``,
``jacobian_sv``) and one ``kind: "final"`` row per task holding ``ratio``,
``first_grad_norm``, ``last_grad_norm`` and, as ``train_loss``, the
cross-entropy of the batch at initialisation (the other training fields are
``None``). There is no learning-rate grid (``lrs == [None]``).
"""
import math
import time

import numpy as np

import autograd_core as ag

from .. import MLP
from .. import functional as F
from ..diagnostics import GradientMonitor, jacobian_singular_values
from ..layers import Linear, Residual, Sequential
from .data import load_split
from .plotting import by, figure
from .tasks import mode_name
from .train import DTYPE, finite, task_rngs

__all__ = ["NAME", "TITLE", "PAPER", "SCHEMES", "grid", "cost", "run_task", "figures",
           "describe"]

NAME = "gradient_flow"
TITLE = "Gradient flow at initialisation (Glorot & Bengio 2010)"
PAPER = ("Glorot & Bengio (2010, \"Understanding the difficulty of training deep "
         "feedforward neural networks\") found that with the then-standard initialisation "
         "U(-1/sqrt(n), 1/sqrt(n)) the back-propagated gradients of a tanh network shrink "
         "from the top layer down, and that their normalised initialisation keeps them "
         "level; the mean singular value of a layer's Jacobian was about 0.5 with the "
         "standard initialisation and 0.8 with theirs.")

#: label -> MLP options; "pytorch" is the standard U(+-1/sqrt(fan_in)).
SCHEMES = {
    "sigmoid standard": {"activation": "sigmoid", "init": "pytorch"},
    "tanh standard": {"activation": "tanh", "init": "pytorch"},
    "tanh glorot": {"activation": "tanh", "init": "xavier"},
    "relu glorot": {"activation": "relu", "init": "xavier"},
    "relu he": {"activation": "relu", "init": "he"},
    "sigmoid batchnorm": {"activation": "sigmoid", "init": "pytorch", "norm": "batch"},
    "relu he batchnorm": {"activation": "relu", "init": "he", "norm": "batch"},
    "relu he residual": {"activation": "relu", "init": "he", "residual": True},
}

_BUDGETS = {  # mode -> (depths, width, batch, Jacobian depth, Jacobian batch, seeds)
    "tiny": ((2, 4), 16, 64, 4, 8, 1),
    "quick": ((5, 10, 20), 64, 256, 10, 8, 2),
    "full": ((5, 10, 20, 50), 64, 256, 10, 16, 5),
}


def grid(quick):
    """One configuration per recipe and depth; ``lrs == [None]`` (nothing is trained)."""
    depths, width, batch, jac_depth, jac_batch, seeds = _BUDGETS[mode_name(quick)]
    configs = []
    for scheme, options in SCHEMES.items():
        for depth in depths:
            configs.append({"label": f"{scheme}, {depth} layers", "scheme": scheme,
                            "activation": options["activation"], "init": options["init"],
                            "norm": options.get("norm") or "none",
                            "residual": bool(options.get("residual")), "depth": depth,
                            "width": width, "batch_size": batch,
                            "jacobian_batch": jac_batch if depth == jac_depth else 0})
    return {"configs": configs, "lrs": [None], "seeds": seeds}


def cost(config, quick):
    """Relative running time of a task (orders the work, longest first)."""
    return config["depth"] * (1 + 4 * bool(config["jacobian_batch"]))


def _blocks(model):
    """The hidden layers as ``Sequential(Linear, [norm], activation)`` (or the
    residual block), sharing the model's modules; the output Linear is left out."""
    blocks = []
    for module in model.layers:
        if isinstance(module, (Linear, Residual)):
            blocks.append([module])
        else:
            blocks[-1].append(module)
    return Sequential(*[b[0] if len(b) == 1 else Sequential(*b) for b in blocks[:-1]])


def run_task(config, seed, lr, quick):
    """Build the net of ``config`` with ``seed``, run one backward pass on a batch of
    training samples under a ``GradientMonitor``; return its rows."""
    start = time.perf_counter()
    split = load_split(config.get("dataset", "digits"), config.get("mnist_dir"))
    model_rng, data_seed = task_rngs(seed)
    sizes = ([split.n_features] + [config["width"]] * config["depth"] + [split.n_classes])
    model = MLP(sizes, activation=config["activation"], init=config["init"],
                norm=None if config["norm"] == "none" else config["norm"],
                residual=config["residual"], dtype=DTYPE, rng=model_rng)
    pick = np.random.default_rng(data_seed).choice(len(split.X_train), config["batch_size"],
                                                   replace=False)
    xb = ag.tensor(np.array(split.X_train[pick], dtype=DTYPE))
    yb = ag.tensor(np.asarray(split.y_train[pick]))
    rows = []
    if config["jacobian_batch"]:
        # Before the monitor is attached: the Jacobian's forward must not count as a step.
        blocks = _blocks(model)
        svs = jacobian_singular_values(blocks, xb[:config["jacobian_batch"]],
                                       layers=[str(i) for i in range(len(blocks))])
        rows += [{"kind": "jacobian", "step": 0, "layer": int(name) + 1,
                  "jacobian_sv": finite(sv)} for name, sv in svs.items()]
    linears = [name for name, m in model.named_modules() if isinstance(m, Linear)]
    with np.errstate(all="ignore"), GradientMonitor(model, layers=linears) as mon:
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        mon.step()
        stats = {(r["layer"], r["metric"]): r["value"] for r in mon.records
                 if r["param"] in (None, "weight")}
    for i, name in enumerate(linears, start=1):
        rows.append({"kind": "gradient", "step": 0, "layer": i, "module": name,
                     "grad_norm": finite(stats[(name, "grad_norm")]),
                     "out_grad_norm": finite(stats[(name, "out_grad_norm")])})
    first, last = rows[-len(linears)]["grad_norm"], rows[-1]["grad_norm"]
    ratio = first / last if first is not None and last else None
    # The final row carries the ratio; nothing is trained, so the training fields are
    # empty apart from the loss at initialisation on this batch.
    rows.append({"kind": "final", "step": 0, "steps_budget": None, "diverged": False,
                 "ratio": ratio, "first_grad_norm": first, "last_grad_norm": last,
                 "train_loss": finite(loss.data), "train_acc": None, "val_loss": None,
                 "val_acc": None, "test_loss": None, "test_acc": None,
                 "time_s": time.perf_counter() - start, "time_per_step_s": None})
    return rows


def _geo_mean(values):
    values = [v for v in values if v is not None and v >= 0]
    if not values:
        return None
    if min(values) == 0:        # a gradient that underflowed float32: the mean is 0 too
        return 0.0
    return math.exp(np.mean(np.log(values)))


def _times(v):
    """A ratio as words: 0 means the first layer's gradient underflowed to 0."""
    return ("0 (it underflowed: smaller than the smallest float32 number)" if v == 0
            else f"{v:.3g}")


def ratios(rows):
    """``{(scheme, depth): geometric mean over seeds of the first-to-last ratio}``."""
    out = {}
    for (scheme, depth), group in by([r for r in rows if r.get("kind") == "final"],
                                     "scheme", "depth").items():
        out[(scheme, depth)] = _geo_mean([r["ratio"] for r in group])
    return out


def jacobians(rows):
    """``{scheme: mean over layers and seeds of the Jacobian's mean singular value}``."""
    return {scheme: float(np.mean([r["jacobian_sv"] for r in group
                                   if r["jacobian_sv"] is not None]))
            for (scheme,), group in by([r for r in rows if r.get("kind") == "jacobian"],
                                       "scheme").items()}


def _depth_for_plot(rows):
    depths = sorted({r["depth"] for r in rows if r.get("kind") == "gradient"})
    return 10 if 10 in depths else depths[len(depths) // 2] if depths else None


def figures(rows):
    """``{"layers": weight-gradient norm per layer at one depth (log scale),
    "ratio": first-to-last ratio against depth (log scale)}``."""
    depth = _depth_for_plot(rows)
    fig, (ax,) = figure(width=6.5, height=4.2)
    layer_rows = [r for r in rows if r.get("kind") == "gradient" and r["depth"] == depth]
    for (scheme,), group in by(layer_rows, "scheme").items():
        per_layer = by(group, "layer")
        xs = sorted(per_layer)
        ys = [_geo_mean([r["grad_norm"] for r in per_layer[x]]) for x in xs]
        ax.plot(xs, [np.nan if y is None else y for y in ys], "o-", ms=3, label=scheme)
    ax.set_yscale("log")
    ax.set_xlabel("weight layer (1 = first hidden, last = output)")
    ax.set_ylabel("weight-gradient norm at init (geo. mean over seeds)")
    ax.set_title(f"Gradient norm per layer at initialisation, {depth} hidden layers",
                 fontsize=9)
    ax.legend(fontsize=7, ncol=2)

    fig2, (ax2,) = figure(width=6.5, height=4.2)
    table = ratios(rows)
    for scheme in SCHEMES:
        points = sorted((d, v) for (s, d), v in table.items() if s == scheme and v)
        if points:
            ax2.plot(*zip(*points), "o-", ms=4, label=scheme)
    ax2.axhline(1.0, color="grey", lw=0.8, ls="--")
    ax2.set_yscale("log")
    ax2.set_xlabel("hidden layers")
    ax2.set_ylabel("first / last layer weight-gradient norm")
    ax2.set_title("First-to-last gradient ratio at initialisation (1 = level)", fontsize=9)
    ax2.legend(fontsize=7, ncol=2)
    return {"layers": fig, "ratio": fig2}


def describe(rows):
    """Sentences on the measured ratios (which recipes lose the gradient, by how
    much, at the deepest depth) and the Jacobian singular values against ``PAPER``."""
    table = ratios(rows)
    if not table:
        return ["No gradient-flow measurements were found."]
    deepest = max(d for _, d in table)
    at = {s: v for (s, d), v in table.items() if d == deepest and v is not None}
    worst = min(at, key=at.get)
    nonzero = [s for s in at if at[s] > 0] or [worst]
    best = min(nonzero, key=lambda s: abs(math.log(at[s])) if at[s] > 0 else math.inf)
    out = [f"At {deepest} hidden layers the first hidden layer's weight gradient was "
           f"{_times(at[worst])} times the output layer's with {worst} (the weakest), and "
           f"{_times(at[best])} times with {best} (the closest to level)."]
    sig, he = at.get("sigmoid standard"), at.get("relu he")
    if sig == 0 and he:
        out.append(f"Sigmoid units with the standard initialisation lost the gradient "
                   f"entirely at that depth (it underflowed to 0 in float32), against a "
                   f"ratio of {he:.3g} for ReLU with He's initialisation: the vanishing "
                   f"gradient the paper describes, taken to its end.")
    elif sig and he:
        orders = math.log10(he / sig)
        if orders >= 1:
            out.append(f"Sigmoid units with the standard initialisation keep {orders:.1f} "
                       f"orders of magnitude less of the gradient than ReLU with He's "
                       f"initialisation at that depth ({sig:.3g} against {he:.3g}): the "
                       f"vanishing gradient the paper describes.")
        else:
            out.append(f"Sigmoid units with the standard initialisation kept a ratio of "
                       f"{sig:.3g} against {he:.3g} for ReLU with He's initialisation, not "
                       f"orders of magnitude less, unlike the paper's picture: at this "
                       f"shallow depth the shrinking has not compounded yet.")
    jac = jacobians(rows)
    ts, tg = jac.get("tanh standard"), jac.get("tanh glorot")
    if ts is not None and tg is not None:
        agree = "as in the paper" if ts < tg else "unlike the paper, where it was smaller"
        out.append(f"The mean singular value of a tanh layer's Jacobian was {ts:.2f} with "
                   f"the standard initialisation and {tg:.2f} with Glorot's ({agree}; "
                   f"they report about 0.5 and 0.8 on 1,000-unit layers, here the layers "
                   f"are narrower).")
    return out
