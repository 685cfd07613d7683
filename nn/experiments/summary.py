"""The summary table: one line per configuration, at its selected learning rate.

``summary(rows)`` returns a list of dicts with ``experiment``, ``config``,
``best_lr``, ``seeds``, ``diverged`` (how many of the seeds) and, for each of
``train_loss``, ``val_acc``, ``test_acc`` and ``time_s``, the mean and the
standard deviation over seeds (``<metric>_mean``, ``<metric>_std``; ``None``
when no seed has a value). ``format_table`` lays it out for a terminal.
"""
import math
import re
from collections import defaultdict

from . import registry
from .selection import config_key, selected_rows

__all__ = ["METRICS", "summary", "format_table"]

METRICS = ("train_loss", "val_acc", "test_acc", "time_s")


def _mean_std(values):
    values = [v for v in values if v is not None and math.isfinite(v)]
    if not values:
        return None, None
    mean = sum(values) / len(values)
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def _order(line):
    """Registry order of experiments, then labels with their numbers compared as numbers."""
    names = registry.names()
    rank = names.index(line["experiment"]) if line["experiment"] in names else len(names)
    parts = re.split(r"(\d+)", str(line["config"]))
    label = [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts]
    return rank, str(line["experiment"]), label, str(line["mode"]), str(line["dataset"])


def summary(rows):
    """Per configuration, the selected learning rate's final rows averaged over seeds
    (lines in registry order, then by label). Configurations that report no test
    accuracy (measurements at initialisation, which train nothing) get no line."""
    groups = defaultdict(list)
    for row in selected_rows(rows):
        if row.get("kind") == "final":
            groups[config_key(row)].append(row)
    table = []
    for key, finals in groups.items():
        if all(r.get("test_acc") is None for r in finals):
            continue        # a measurement without training (gradient_flow): no line
        line = {"experiment": key[0], "config": key[1], "mode": key[2], "dataset": key[3],
                "best_lr": finals[0].get("lr"), "seeds": len(finals),
                "diverged": sum(bool(r.get("diverged")) for r in finals)}
        for metric in METRICS:
            line[f"{metric}_mean"], line[f"{metric}_std"] = _mean_std(
                [r.get(metric) for r in finals])
        table.append(line)
    return sorted(table, key=_order)


def _cell(mean, std, percent=False, missing="-"):
    """``"mean ± std"`` (accuracies as percentages), or ``missing`` without a mean."""
    if mean is None:
        return missing
    if percent:
        return f"{100 * mean:.1f}% ± {100 * std:.1f}"
    return f"{mean:.3g} ± {std:.2g}"


def format_table(table):
    """``summary``'s lines as aligned text columns."""
    header = ["experiment", "config", "lr", "seeds", "train loss", "val acc", "test acc",
              "time/task s"]
    lines = [header]
    for t in table:
        seeds = f"{t['seeds']}" + (f" ({t['diverged']} diverged)" if t["diverged"] else "")
        lines.append([t["experiment"], t["config"], "-" if t["best_lr"] is None
                      else f"{t['best_lr']:g}", seeds,
                      _cell(t["train_loss_mean"], t["train_loss_std"]),
                      _cell(t["val_acc_mean"], t["val_acc_std"], True),
                      _cell(t["test_acc_mean"], t["test_acc_std"], True),
                      "-" if t["time_s_mean"] is None else f"{t['time_s_mean']:.1f}"])
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    out = ["  ".join(str(c).ljust(w) for c, w in zip(line, widths)).rstrip()
           for line in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)
