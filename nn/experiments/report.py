"""The report: one self-contained HTML page about a results folder.

``write_report(out_dir)`` reads every finished task in ``out_dir`` and writes
``out_dir/report.html``: the question the experiments answer; one backward
pass through a deep sigmoid net and a residual net drawn on one colour scale
(``autograd_core.viz``); for each experiment in the results, in registry
order, its figures, sentences generated from the measured numbers by the
module's ``describe(rows)`` and what the paper reported (``PAPER``); the
summary table; and how the numbers were made. Figures are inline PNG, the
drawings inline SVG, the style inline CSS: the page needs no network and no
JavaScript, and can be mailed as one file.
"""
import base64
import datetime
import html
import io
import os
import platform
import re
import sys
from pathlib import Path

import numpy as np

from . import registry
from .plotting import by, fmt_pct
from .store import load_results, read_records, task_path, tasks_dir
from .summary import _cell, summary

__all__ = ["write_report", "backprop_drawings"]

_CSS = """
body { font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: #1f2328; max-width: 1180px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 28px; margin: 8px 0 4px; }
h2 { font-size: 22px; margin: 44px 0 10px; padding-top: 8px; border-top: 2px solid #d0d7de; }
h3 { font-size: 17px; margin: 22px 0 6px; }
p, li { max-width: 820px; }
.sub { color: #57606a; margin-top: 0; }
.figs { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; margin: 12px 0; }
figure { margin: 0; max-width: 100%; }
figure img { max-width: 100%; height: auto; border: 1px solid #eaeef2; }
figcaption { font-size: 13px; color: #57606a; }
.measured, .paper { max-width: 880px; }
.measured { background: #f6f8fa; border-left: 4px solid #0969da; padding: 8px 14px; }
.paper { border-left: 4px solid #bf8700; padding: 4px 14px; color: #3d444d; }
.note { background: #fff8c5; border: 1px solid #d4a72c; padding: 8px 14px; }
.setup { font-size: 14px; color: #3d444d; }
/* The drawings are tall and narrow: wider than the text when the window allows,
   never wider than their natural size. */
.graphs { display: grid; grid-template-columns: 1fr 1fr; gap: 16px;
          width: min(1560px, calc(100vw - 24px)); position: relative;
          left: 50%; transform: translateX(-50%); }
.graph { text-align: center; }
.graph svg { width: 100%; max-width: 760px; height: auto; }
table { border-collapse: collapse; font-size: 14px; margin: 10px 0; }
th, td { padding: 4px 10px; border-bottom: 1px solid #d8dee4; text-align: left; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.group td { background: #eef2f6; font-weight: 600; }
code { background: #f6f8fa; padding: 1px 4px; border-radius: 4px; font-size: 14px; }
"""

_DATA_WORDS = {"digits": "scikit-learn's 1,797 handwritten digits of 8x8 pixels",
               "circles": "two noisy concentric circles",
               "mnist": "MNIST's handwritten digits of 28x28 pixels"}

_e = html.escape


def _p(text, cls=None):
    return f'<p{f" class={cls!r}" if cls else ""}>{_e(text)}</p>'


def _png(fig, name):
    """A Matplotlib figure as an inline ``<img>`` at its natural size (crisp at 2x)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, metadata={"Software": None})
    width = round(fig.get_figwidth() * 96)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'<figure data-figure="{_e(name)}"><img width="{width}" alt="{_e(name)}" '
            f'src="data:image/png;base64,{data}"></figure>')


def _question(rows, out_dir):
    datasets = sorted({r.get("dataset") for r in rows if r.get("dataset")}) or ["digits"]
    data = " and ".join(_DATA_WORDS.get(d, d) for d in datasets)
    return "\n".join([
        "<h2 id='question'>The question</h2>",
        _p("A network learns by nudging every weight against its gradient, and "
           "backpropagation computes that gradient as a product of one factor per layer, "
           "from the output back to the input. In the deep networks of the 1990s and "
           "2000s (sigmoid units, weights drawn small and at random) each of those "
           "factors is well below one: a sigmoid's slope is at most 1/4, and small "
           "weights shrink the signal further at every layer. Multiply ten of them and the "
           "first layers receive next to nothing, so they hardly move, and the network "
           "as a whole barely learns."),
        _p("Four ideas changed that. A ReLU passes the gradient through unchanged wherever "
           "it is active. Initial weights scaled to each layer's width (Glorot & Bengio "
           "2010, He et al. 2015) keep the signal at the same size from layer to layer "
           "when training starts. Batch normalisation (Ioffe & Szegedy 2015) re-centres "
           "and re-scales each layer's input on every batch, so it stays that way. "
           "Residual connections (He et al. 2016) add each block's input to its output, "
           "which gives the gradient a direct road back to the first layers."),
        _p(f"This page re-runs, on {data} and an ordinary CPU, the experiments with which "
           f"those papers made their case, and adds one they did not run: a net of a "
           f"thousand layers that trains. Every number in the text is computed from the "
           f"results in {out_dir}; none is typed in by hand."),
    ])


def _layer_weights(model):
    """``(name, parameter)`` of every 2-d weight, input side first."""
    return [(n, p) for n, p in model.named_parameters() if n.endswith("weight") and p.ndim == 2]


def backprop_drawings(depth=10, width=32, batch=64, seed=0):
    """One backward pass of the cross-entropy on ``batch`` training digits through a
    sigmoid MLP with small random weights and through a residual ReLU MLP (He init,
    batch norm) of the same depth. Returns ``(drawings, norms)``: the two
    ``GraphDrawing`` on one colour scale, and per network the first and last
    layers' weight-gradient norms."""
    import autograd_core as ag
    from autograd_core import viz

    from .. import MLP
    from .. import functional as F
    from .data import load_split

    split = load_split("digits")
    x, y = ag.tensor(split.X_train[:batch]), ag.tensor(split.y_train[:batch])
    sizes = [split.n_features] + [width] * depth + [split.n_classes]
    nets = {"sigmoid": MLP(sizes, activation="sigmoid", init="normal", seed=seed),
            "residual": MLP(sizes, activation="relu", init="he", norm="batch",
                            residual=True, seed=seed)}
    losses = [F.cross_entropy(net(x), y) for net in nets.values()]
    drawings = viz.compare_gradients(losses, titles=[
        f"sigmoid, weights N(0, 0.01²), {depth} hidden layers",
        f"ReLU, He init, batch norm, residual, {depth} hidden layers"])
    norms = {}
    for name, net in nets.items():
        weights = _layer_weights(net)
        norms[name] = tuple(float(np.linalg.norm(p.grad.data)) for _, p in
                            (weights[0], weights[-1]))
    return drawings, norms


def _inline_svg(svg, prefix):
    """An SVG document as an element to inline: no prolog, no namespace URLs (HTML
    does not need them), ids made unique per drawing, scaled to its column."""
    svg = svg[svg.find("<svg"):]
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)
    svg = re.sub(r'(\bid=")', rf"\g<1>{prefix}", svg)
    svg = svg.replace('href="#', f'href="#{prefix}').replace("url(#", f"url(#{prefix}")
    return re.sub(r'<svg width="[^"]*" height="[^"]*"', "<svg", svg, count=1)


def _graphs_section():
    head = ["<h2 id='backprop'>Seeing it: one backward pass through each kind of net</h2>"]
    try:
        drawings, norms = backprop_drawings()
        svgs = [d.svg() for d in drawings]
    except Exception as exc:                # e.g. Graphviz's dot is not installed
        from autograd_core import viz
        if isinstance(exc, viz.GraphvizNotFound):
            why = ("Graphviz's dot program was not found, so the drawings of the backward "
                   "pass are missing. Install it (Debian/Ubuntu: apt-get install graphviz; "
                   "macOS: brew install graphviz) and write the report again.")
        else:
            why = f"The drawings of the backward pass could not be made: {exc!r}."
        return "\n".join(head + [f"<p class='note' id='no-drawings'>{_e(why)}</p>"])
    (s_first, s_last), (r_first, r_last) = norms["sigmoid"], norms["residual"]
    fade, spread = s_last / s_first, max(r_first, r_last) / min(r_first, r_last)
    caption = (
        f"One backward pass of the cross-entropy on 64 training digits, each box one layer, "
        f"both drawings on one colour scale (a colour means the same gradient norm in "
        f"both; the legends give the decades). In the sigmoid net the first layer's weight "
        f"gradient has a norm of {s_first:.2g} against {s_last:.2g} at the last layer, "
        f"{f'{fade:.2g}'.replace('e+', 'e')} times smaller"
        + (": the signal fades at every layer on its way back. " if fade > 100 else ". ")
        + f"In the residual net they are {r_first:.3g} and {r_last:.3g}, a ratio of "
        f"{spread:.2g}" + (": every layer gets a gradient of the same order." if spread < 10
                           else "."))
    graphs = "".join(f"<div class='graph' data-graph='{name}'>{_inline_svg(svg, f'g{i}_')}"
                     f"</div>" for i, (name, svg) in enumerate(zip(norms, svgs)))
    return "\n".join(head + [_p(caption, "measured"), f"<div class='graphs'>{graphs}</div>"])


def _fallback_describe(rows):
    """Sentences for an experiment without ``describe``: its best and worst configuration."""
    lines = [t for t in summary(rows) if t["test_acc_mean"] is not None]
    if not lines:
        return ["No configuration of this experiment reports a test accuracy."]
    best = max(lines, key=lambda t: t["test_acc_mean"])
    worst = min(lines, key=lambda t: t["test_acc_mean"])
    out = [f"The best configuration, {best['config']}, reached "
           f"{fmt_pct(best['test_acc_mean'])} test accuracy (mean of {best['seeds']} seeds)."]
    if worst is not best:
        out.append(f"The worst, {worst['config']}, reached {fmt_pct(worst['test_acc_mean'])}.")
    return out


def _setup_line(rows):
    """The grid an experiment's rows come from: configurations, steps, rates, seeds."""
    finals = [r for r in rows if r.get("kind") == "final"]
    # In summary order; configurations the summary leaves out (no training) after.
    configs = [str(t["config"]) for t in summary(rows)]
    configs += sorted({str(r["config"]) for r in finals} - set(configs))
    lrs = sorted({r["lr"] for r in finals if r.get("lr") is not None})
    seeds = sorted({r["seed"] for r in finals})
    steps = sorted({r["steps_budget"] for r in finals if r.get("steps_budget") is not None})
    parts = [f"{len(configs)} configurations ({', '.join(f'“{c}”' for c in configs)})"]
    if steps:
        parts.append(f"{', '.join(f'{s:,}' for s in steps)} steps each")
    if lrs:
        parts.append(f"learning rates {', '.join(f'{v:g}' for v in lrs)}, the best by "
                     f"validation accuracy reported")
    parts.append(f"{len(seeds)} seed{'s' if len(seeds) != 1 else ''}")
    return "Set-up: " + "; ".join(parts) + "."


def _experiment_section(name, rows, problems):
    known = name in registry.EXPERIMENTS
    module = registry.get(name) if known else None
    title = getattr(module, "TITLE", name)
    parts = [f"<h2 id='exp-{_e(name)}'>{_e(title)}</h2>"]
    if not known:
        parts.append(_p(f"'{name}' is not a registered experiment, so there are no figures; "
                        f"its results are in the summary table."))
        return "\n".join(parts)
    groups = by(rows, "mode", "dataset")
    for (mode, dataset), group in groups.items():
        if len(groups) > 1:
            parts.append(f"<h3>{_e(f'{mode} run on {dataset}')}</h3>")
        parts.append(_p(_setup_line(group), "setup"))
        try:
            figs = module.figures(group)
            parts.append("<div class='figs'>" + "".join(
                _png(fig, f"{name}-{key}") for key, fig in figs.items()) + "</div>")
        except Exception as exc:            # one broken figure must not sink the page
            problems.append(f"{name}: figures failed: {exc!r}")
            parts.append(_p(f"The figures of this experiment could not be drawn: {exc!r}",
                            "note"))
        describe = getattr(module, "describe", None)
        try:
            sentences = describe(group) if describe else _fallback_describe(group)
        except Exception as exc:
            problems.append(f"{name}: describe failed: {exc!r}")
            sentences = [f"The description could not be generated: {exc!r}"]
        parts.append("<div class='measured'><strong>Measured.</strong> "
                     + " ".join(_e(s) for s in sentences) + "</div>")
    if getattr(module, "PAPER", None):
        parts.append(f"<p class='paper'><strong>The literature.</strong> "
                     f"{_e(module.PAPER)}</p>")
    return "\n".join(parts)


def _num(mean, std, percent=False):
    return _cell(mean, std, percent, missing="–")


def _summary_section(rows):
    head = ("<tr><th>configuration</th><th>lr</th><th>seeds</th><th>training loss</th>"
            "<th>validation accuracy</th><th>test accuracy</th><th>time per run (s)</th></tr>")
    body, current = [], None
    for t in summary(rows):
        group = (t["experiment"], t["mode"], t["dataset"])
        if group != current:
            current = group
            body.append(f"<tr class='group'><td colspan='7'>{_e(t['experiment'])} "
                        f"<span class='sub'>({_e(str(t['mode']))}, "
                        f"{_e(str(t['dataset']))})</span></td></tr>")
        seeds = f"{t['seeds']}" + (f" ({t['diverged']} diverged)" if t["diverged"] else "")
        cells = [_e(str(t["config"])), "–" if t["best_lr"] is None else f"{t['best_lr']:g}",
                 seeds, _num(t["train_loss_mean"], t["train_loss_std"]),
                 _num(t["val_acc_mean"], t["val_acc_std"], True),
                 _num(t["test_acc_mean"], t["test_acc_std"], True),
                 "–" if t["time_s_mean"] is None else f"{t['time_s_mean']:.1f}"]
        body.append("<tr>" + "".join(f"<td{'' if i == 0 else ' class=num'}>{c}</td>"
                                     for i, c in enumerate(cells)) + "</tr>")
    return "\n".join([
        "<h2 id='summary'>Summary table</h2>",
        _p("One line per configuration, at the learning rate chosen by validation accuracy; "
           "mean ± standard deviation over seeds. A diverged seed has no loss or accuracy "
           "and is left out of the means."),
        f"<table id='summary-table'>{head}{''.join(body)}</table>"])


def _method_section(rows, out_dir):
    finals = [r for r in rows if r.get("kind") == "final"]
    modes = sorted({r.get("mode") for r in finals}, key=str)
    records = read_records(out_dir)
    workers = {rec.get("worker") for rec in records if rec.get("worker")}
    hosts = sorted({w.rsplit(":", 1)[0] for w in workers})
    task_time = sum(rec.get("elapsed_s") or 0 for rec in records)
    items = []
    mode_words = {"full": "the full grid", "quick": "the quick grid (--quick: fewer "
                  "steps, rates, depths and seeds)", "tiny": "the tiny grid used by the tests"}
    items.append("Grid: " + "; ".join(mode_words.get(m, str(m)) for m in modes) + ".")
    for (name,), group in by(finals, "experiment").items():
        lrs = sorted({r["lr"] for r in group if r.get("lr") is not None})
        steps = sorted({r["steps_budget"] for r in group if r.get("steps_budget")})
        items.append(f"{name}: {len(group)} runs; seeds "
                     f"{', '.join(str(s) for s in sorted({r['seed'] for r in group}))}; "
                     f"{', '.join(f'{s:,}' for s in steps)} steps; learning rates "
                     f"{', '.join(f'{v:g}' for v in lrs) or 'none'}.")
    items.append("The learning rate reported for each configuration is the one with the "
                 "best mean validation accuracy over its seeds (the validation split is "
                 "carved out of the training data; the test set is only reported). Every "
                 "random draw comes from the task's seed, so any backend gives the same "
                 "numbers; only the times differ.")
    # A task file is written when its task ends: its time less the task's own
    # duration is when the task started, so the run spans first start to last end.
    ends = [(os.path.getmtime(task_path(out_dir, rec["task"])), rec.get("elapsed_s") or 0)
            for rec in records if os.path.exists(task_path(out_dir, rec["task"]))]
    if ends:
        last = max(end for end, _ in ends)
        span = last - min(end - took for end, took in ends)
        when = datetime.datetime.fromtimestamp(last).strftime("%Y-%m-%d %H:%M")
        items.append(f"Machine and time: {len(records)} tasks run by {len(workers)} worker "
                     f"process{'es' if len(workers) != 1 else ''} on "
                     f"{', '.join(hosts) or 'an unnamed host'}; together they took "
                     f"{task_time / 60:.1f} min of task time and ran within about "
                     f"{span / 60:.1f} min of wall-clock time, the last ending at {when}.")
    items = [_e(i) for i in items]
    flag = {"quick": " --quick", "tiny": " --tiny"}.get(modes[0], "") if len(modes) == 1 else ""
    items.append(_e(f"This page was written on {platform.node() or 'this machine'} "
                    f"({os.cpu_count()} CPU cores, Python {platform.python_version()}, "
                    f"NumPy {np.__version__}). The same numbers again: ")
                 + f"<code>{_e(f'python -m nn.experiments run{flag} --out {out_dir}')}</code>"
                 + f", then <code>{_e(f'python -m nn.experiments report {out_dir}')}</code>.")
    return "\n".join(["<h2 id='method'>How the numbers were made</h2>", "<ul>"]
                     + [f"<li>{i}</li>" for i in items] + ["</ul>"])


def _page(rows, out_dir, problems):
    names = [n for n in registry.names() if any(r.get("experiment") == n for r in rows)]
    names += sorted({r.get("experiment") for r in rows} - set(names), key=str)
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    parts = ["<!DOCTYPE html>", "<html lang='en'><head><meta charset='utf-8'>",
             "<meta name='viewport' content='width=device-width, initial-scale=1'>",
             "<title>Why deep nets were hard to train, and what fixed it</title>",
             f"<style>{_CSS}</style></head><body>",
             "<h1>Why deep nets were hard to train, and what fixed it</h1>",
             _p(f"Results from {out_dir}, report written {stamp}.", "sub")]
    if not rows:
        parts.append(_p(f"No finished tasks in {tasks_dir(out_dir)}. Run the experiments "
                        f"first: python -m nn.experiments run --quick --out {out_dir}",
                        "note"))
        return "\n".join(parts + ["</body></html>"])
    contents = [("question", "The question"), ("backprop", "One backward pass, drawn")]
    contents += [(f"exp-{n}", getattr(registry.get(n), "TITLE", n)
                  if n in registry.EXPERIMENTS else n) for n in names]
    contents += [("summary", "Summary table"), ("method", "How the numbers were made")]
    parts.append("<ol>" + "".join(f"<li><a href='#{a}'>{_e(t)}</a></li>"
                                  for a, t in contents) + "</ol>")
    parts += [_question(rows, out_dir), _graphs_section()]
    parts += [_experiment_section(n, [r for r in rows if r.get("experiment") == n], problems)
              for n in names]
    parts += [_summary_section(rows), _method_section(rows, out_dir), "</body></html>"]
    return "\n".join(parts)


def write_report(out_dir, path=None):
    """Write the report of the results in ``out_dir`` to ``path`` (default
    ``out_dir/report.html``) and return its path. A figure or a description that
    fails is reported on the page and on stderr instead of stopping the page."""
    out_dir = os.fspath(out_dir)
    path = Path(path) if path is not None else Path(out_dir) / "report.html"
    rows = load_results(out_dir)
    problems = []
    text = _page(rows, out_dir, problems)
    for problem in problems:
        print(f"report: {problem}", file=sys.stderr)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)                   # never a half-written page under the name
    return path.resolve()
