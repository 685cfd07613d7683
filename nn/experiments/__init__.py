"""``nn.experiments``: reproducible, parallel and resumable experiments on deep MLPs.

Run them from the shell (``python -m nn.experiments --help``; see ``cli``) or
from Python::

    from nn import experiments
    result = experiments.run(["deep_relu"], mode="quick", out_dir="out/experiments", jobs=2)
    rows = experiments.load_results("out/experiments")     # every finished task
    print(experiments.format_table(experiments.summary(rows)))

The pieces: ``tasks`` (one task per experiment, configuration, seed and
learning rate, named by a hash of them), ``backends`` (this process, joblib
processes, Dask), ``store`` (one JSON file per finished task, written
atomically), ``selection`` (the best learning rate by validation accuracy),
``summary``, ``data`` (fixed splits of digits, circles, MNIST), ``train`` (the
step-budget training loop), ``plotting``, ``blocks`` (gated residual blocks),
``report`` (the self-contained HTML page: ``python -m nn.experiments report DIR``).

Experiments
-----------
``registry.EXPERIMENTS`` maps a name (letters, digits, underscores) to the
module implementing it; adding an experiment is one line there. Registered:
``gradient_flow`` (1), ``saturation`` (2), ``deep_relu`` (3), ``batchnorm`` (4),
``degradation`` (5), ``thousand_layers`` (6). A module provides:

- ``TITLE``: one line.
- ``grid(quick) -> {"configs": [dict, ...], "lrs": [float, ...], "seeds": int}``:
  ``quick`` is ``False`` (full grid), ``True`` (``--quick``) or ``"tiny"``
  (tests: a few steps; truthy, so code that only tests ``if quick`` treats it
  as quick). A configuration is a flat dict of JSON scalars: its ``"label"``
  names it in tables and figures, the other keys become columns of its rows,
  and everything that changes the result (depth, width, steps ...) belongs in
  it, because the task id hashes it. ``"lrs"``: the grid every configuration
  is trained with (``[None]`` for an experiment that does not train).
  ``"seeds"`` (optional): the default number of seeds.
- ``run_task(config, seed, lr, quick) -> [row, ...]``: runs one task. The
  config it receives also holds ``"dataset"`` ("digits", "circles", "mnist")
  and, for MNIST, ``"mnist_dir"`` (``data.load_split`` reads them). Every
  random draw comes from ``seed`` (``train.task_rngs``), never from NumPy's
  global state, so any backend gives the same numbers.
- ``figures(rows) -> {name: matplotlib Figure}``: drawn from that experiment's
  rows as returned by ``load_results``; text in them is computed from the rows.
- ``cost(config, quick)`` (optional): relative running time; longest tasks start first.
- ``PAPER`` (optional): what the paper reported, a few plain sentences naming it
  (literature, not a measurement); the report prints it after the measurements.
- ``describe(rows) -> [str, ...]`` (optional): two to four plain-text sentences
  for the report, on the same rows as ``figures``. Every number in them is
  computed from the rows (losses as ``f"{x:.3g}"``, accuracies as
  ``plotting.fmt_pct``), never typed in; where the measurement disagrees with
  ``PAPER`` (decided by comparing numbers, e.g. a loss still at chance level)
  they say what was measured and why it may differ. Without it the report
  names the best and worst configuration by test accuracy.

Rows
----
A row is a flat dict of JSON values (a non-finite number is stored as ``None``).
Every row carries the task's fields, added by the runner: ``experiment``,
``task_id``, ``config`` (the label), each configuration key except ``label``
(so a configuration must not use these names), ``seed``, ``lr``, ``mode``
("full", "quick", "tiny"), ``dataset``. The experiment adds ``kind`` and
``step`` and its measurements:

- ``kind: "step"``: one per optimiser step: ``train_loss`` (that mini-batch's),
  and at evaluation steps ``val_loss`` and ``val_acc``.
- ``kind: "final"``: one per task: ``train_loss``, ``train_acc``, ``val_loss``,
  ``val_acc``, ``test_loss``, ``test_acc`` (eval mode, whole sets),
  ``diverged``, ``steps_budget``, ``time_s``, ``time_per_step_s`` and
  experiment-specific extras. Learning-rate selection reads ``val_acc`` here.
- other kinds an experiment needs, e.g. ``kind: "layer"`` (``layer``,
  ``module``, ``response_std``) in ``degradation``.

``load_results`` adds ``best_lr`` and ``selected`` (this row's ``lr`` is its
configuration's best) to every row. Keys ending in ``_s`` are wall-clock
times: they differ from run to run; every other value is reproducible bit for
bit from the task's parameters.
"""
from . import registry
from .registry import EXPERIMENTS
from .runner import DEFAULT_OUT, RunResult, plan, run, save_figures
from .selection import best_lrs, mark_selected, selected_rows
from .store import load_results
from .summary import format_table, summary

__all__ = ["registry", "EXPERIMENTS", "DEFAULT_OUT", "RunResult", "plan", "run",
           "save_figures", "load_results", "best_lrs", "mark_selected", "selected_rows",
           "summary", "format_table"]
