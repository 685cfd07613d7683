"""Tasks: one (experiment, configuration, seed, learning rate) each, with a stable id.

A task is a plain dict (cheap to pickle to a worker)::

    {"id": "3f1c9a0b2d4e6f78", "experiment": "deep_relu", "config": {...},
     "seed": 0, "lr": 0.01, "mode": "quick", "data": {"dataset": "digits"}}

``mode`` is "full", "quick" or "tiny" (tests); the experiment's ``run_task``
receives it as ``quick`` = ``False``, ``True`` or ``"tiny"``. The id is a hash
of everything but itself, so the same parameters always name the same result
file and a changed budget (kept in the configuration) names a new one. The
runner adds ``"cost"`` (the experiment's estimate of its running time, which
only orders the work and is not hashed).
"""
import hashlib
import json
import os

from . import registry

__all__ = ["MODES", "quick_flag", "mode_name", "task_id", "make_tasks", "label_of"]

MODES = ("full", "quick", "tiny")
DEFAULT_SEEDS = {"full": 3, "quick": 2, "tiny": 1}


def quick_flag(mode):
    """What ``run_task``/``grid`` receive as ``quick`` for a mode name."""
    return {"full": False, "quick": True, "tiny": "tiny"}[mode]


def mode_name(quick):
    """The mode name for a ``quick`` flag (the inverse of ``quick_flag``)."""
    return "tiny" if quick == "tiny" else "quick" if quick else "full"


_NOT_HASHED = ("id", "cost")       # the id itself, and what only orders the work


def task_id(task):
    """A 16-hex-digit hash of the task's parameters (everything but ``id`` and ``cost``)."""
    params = {k: v for k, v in task.items() if k not in _NOT_HASHED}
    text = json.dumps(params, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def label_of(config):
    """A configuration's short name: its ``"label"``, or ``key=value`` pairs."""
    if "label" in config:
        return str(config["label"])
    return ", ".join(f"{k}={v}" for k, v in config.items())


def make_tasks(name, mode="quick", seeds=None, dataset="digits", mnist_dir=None):
    """Every task of experiment ``name`` in ``mode``: its ``grid`` crossed with the
    learning rates and ``seeds`` seeds (0 .. seeds-1; default: the grid's
    ``"seeds"``, else 3 full, 2 quick, 1 tiny), longest first by its ``cost``."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    module = registry.get(name)
    quick = quick_flag(mode)
    grid = module.grid(quick)
    n_seeds = seeds or grid.get("seeds") or DEFAULT_SEEDS[mode]
    data = {"dataset": dataset}
    if dataset == "mnist":
        data["mnist_dir"] = os.path.abspath(mnist_dir) if mnist_dir else None
    cost = getattr(module, "cost", None)
    tasks = []
    for config in grid["configs"]:
        for lr in grid["lrs"]:
            for seed in range(n_seeds):
                task = {"experiment": name, "config": dict(config), "seed": seed, "lr": lr,
                        "mode": mode, "data": data}
                task["id"] = task_id(task)
                task["cost"] = float(cost(config, quick)) if cost else 1.0
                tasks.append(task)
    tasks.sort(key=lambda t: -t["cost"])
    return tasks
