"""Fair comparisons: every configuration is trained with each learning rate of a
small grid and the same step budget; the rate reported is the one with the
best validation accuracy (the validation split of the training data, never
the test set).

Per configuration (experiment, ``config`` label, mode, dataset), ``best_lrs``
averages ``val_acc`` of the final rows over seeds for each learning rate (a
missing value, e.g. a run that diverged, counts as 0) and takes the highest;
ties go to the lower mean ``val_loss``, then to the smaller rate.
``mark_selected`` writes the choice into every row as ``best_lr`` and
``selected`` (``lr == best_lr``); ``selected_rows`` keeps those rows only.
"""
import math
from collections import defaultdict

__all__ = ["config_key", "best_lrs", "mark_selected", "selected_rows"]


def config_key(row):
    """The configuration a row belongs to, learning rate and seed aside."""
    return (row.get("experiment"), row.get("config"), row.get("mode"), row.get("dataset"))


def _mean(values, missing):
    values = [missing if v is None or not math.isfinite(v) else v for v in values]
    return sum(values) / len(values)


def best_lrs(rows, metric="val_acc"):
    """``{config_key: best learning rate}`` chosen by the mean ``metric`` of the
    final rows (higher is better), as described in the module docstring."""
    finals = defaultdict(lambda: defaultdict(list))
    for row in rows:
        if row.get("kind") == "final":
            finals[config_key(row)][row.get("lr")].append(row)
    best = {}
    for key, by_lr in finals.items():
        def score(lr):
            group = by_lr[lr]  # noqa: B023  (score is used at once, by min below)
            return (-_mean([r.get(metric) for r in group], 0.0),
                    _mean([r.get("val_loss") for r in group], math.inf),
                    math.inf if lr is None else lr)
        best[key] = min(by_lr, key=score)
    return best


def mark_selected(rows, metric="val_acc"):
    """Add ``best_lr`` and ``selected`` to every row, in place; returns ``rows``.
    A configuration without final rows gets ``best_lr: None`` and
    ``selected: False``."""
    best = best_lrs(rows, metric)
    for row in rows:
        key = config_key(row)
        row["best_lr"] = best.get(key)
        row["selected"] = key in best and row.get("lr") == best[key]
    return rows


def selected_rows(rows, metric="val_acc"):
    """The rows trained with their configuration's best learning rate."""
    best = best_lrs(rows, metric)
    return [r for r in rows
            if config_key(r) in best and r.get("lr") == best[config_key(r)]]
