"""Running experiments: build the tasks, skip the finished ones, run the rest on a
backend with a progress bar, write each result as it arrives, then draw the
figures and return the rows of this grid.
"""
import importlib.util
import os
import sys
import time
from typing import NamedTuple

from . import registry
from .backends import run_dask, run_here, run_joblib
from .selection import mark_selected
from .store import finished_ids, load_results, write_task
from .summary import format_table, summary
from .tasks import make_tasks

__all__ = ["DEFAULT_OUT", "RunResult", "plan", "run", "save_figures"]

DEFAULT_OUT = os.path.join("out", "experiments")


class RunResult(NamedTuple):
    """What ``run`` did: task counts, failures (results holding ``"error"``),
    the rows of every task of the grid (with ``best_lr``/``selected``), the
    figure files written, and the wall-clock seconds."""
    total: int
    skipped: int
    ran: int
    failures: list
    rows: list
    figure_paths: list
    seconds: float


def plan(names=None, mode="quick", seeds=None, dataset="digits", mnist_dir=None):
    """Every task of the experiments ``names`` (default: all registered), longest
    first, each id once."""
    tasks, seen = [], set()
    for name in names or registry.names():
        for task in make_tasks(name, mode, seeds, dataset, mnist_dir):
            if task["id"] not in seen:
                seen.add(task["id"])
                tasks.append(task)
    tasks.sort(key=lambda t: -t["cost"])
    return tasks


def _backend(pending, jobs, dask_local, scheduler):
    if scheduler:
        return run_dask(pending, scheduler=scheduler), f"the Dask scheduler at {scheduler}"
    if dask_local:
        return (run_dask(pending, n_workers=dask_local),
                f"a Dask LocalCluster of {dask_local} worker processes")
    if jobs == 1:
        return run_here(pending), "this process"
    return run_joblib(pending, jobs), f"{jobs} joblib worker processes"


def _bar(total, enabled):
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="task", desc="tasks", dynamic_ncols=True)


def save_figures(rows, out_dir, names, echo=print):
    """Draw each experiment's figures from ``rows`` and write them as PNG files to
    ``out_dir/figures/<experiment>-<figure>.png``; returns the paths."""
    if importlib.util.find_spec("matplotlib") is None:
        echo("matplotlib is not installed: no figures (pip install matplotlib)")
        return []
    folder = os.path.join(os.fspath(out_dir), "figures")
    os.makedirs(folder, exist_ok=True)
    paths = []
    for name in names:
        mine = [r for r in rows if r.get("experiment") == name]
        if not mine:
            continue
        for fig_name, fig in registry.get(name).figures(mine).items():
            path = os.path.join(folder, f"{name}-{fig_name}.png")
            fig.savefig(path, dpi=110)
            paths.append(path)
    return paths


def run(names=None, mode="quick", out_dir=DEFAULT_OUT, jobs=1, dask_local=None,
        scheduler=None, seeds=None, dataset="digits", mnist_dir=None, progress=True,
        figures=True, echo=print):
    """Run every unfinished task of the experiments ``names`` and return a ``RunResult``.

    ``mode``: "full", "quick" or "tiny". Backend: ``scheduler`` (a Dask address),
    else ``dask_local`` (LocalCluster workers), else ``jobs`` (1: this process;
    more: joblib processes). ``seeds``: seeds per configuration (default: the
    experiment's). ``echo``: a ``print``-like function (it is also given
    ``file=sys.stderr`` for failures) for the progress lines; ``None``: silent.
    """
    echo = echo or (lambda *a, **k: None)
    start = time.perf_counter()
    names = list(names or registry.names())
    for name in names:
        registry.get(name)                       # unknown names fail before any work
    if dataset == "mnist" and not (mnist_dir and os.path.isdir(mnist_dir)):
        raise FileNotFoundError(f"--dataset mnist needs --mnist-dir, a directory holding "
                                f"the MNIST IDX files (got {mnist_dir!r})")
    tasks = plan(names, mode, seeds, dataset, mnist_dir)
    done = finished_ids(out_dir)
    pending = [t for t in tasks if t["id"] not in done]
    skipped = len(tasks) - len(pending)
    results, where = _backend(pending, jobs, dask_local, scheduler)
    echo(f"{len(tasks)} tasks ({mode}, {dataset}) in {out_dir}: {skipped} already finished, "
         f"running {len(pending)} on {where}")
    failures = []
    bar = _bar(len(pending), progress and bool(pending))
    try:
        for result in (results if pending else ()):
            if "error" in result:
                failures.append(result)
            else:
                write_task(out_dir, result["task"], {k: v for k, v in result.items()
                                                     if k != "task"})
            if bar is not None:
                bar.set_postfix_str(result["task"]["experiment"], refresh=False)
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    for failure in failures:
        task = failure["task"]
        echo(f"task {task['experiment']}-{task['id']} failed ({task['config']}, seed "
             f"{task['seed']}, lr {task['lr']}):\n{failure['error']}", file=sys.stderr)
    ids = {t["id"] for t in tasks}
    rows = [r for r in load_results(out_dir, experiments=names, select=False)
            if r.get("task_id") in ids]
    mark_selected(rows)
    paths = save_figures(rows, out_dir, names, echo) if figures and rows else []
    if rows:
        echo(format_table(summary(rows)))
    if paths:
        echo(f"figures: {os.path.dirname(paths[0])}")
    return RunResult(len(tasks), skipped, len(pending), failures, rows, paths,
                     time.perf_counter() - start)
