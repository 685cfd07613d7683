"""Results on disk: one JSON file per finished task, written atomically.

``OUT/tasks/<experiment>-<id>.json`` holds ``{"format": 1, "task": {...},
"rows": [...], "elapsed_s": seconds, "worker": "host:pid"}``. It is written to
a temporary file in the same folder and renamed into place, so a file with a
``.json`` name is always complete: a run killed at any moment leaves only
finished tasks (and perhaps a stray ``.tmp`` file, which is ignored), and the
next run skips exactly those.
"""
import json
import os
import tempfile

__all__ = ["tasks_dir", "task_path", "finished_ids", "write_task", "read_records",
           "load_results"]

FORMAT = 1


def tasks_dir(out_dir):
    """The folder holding the task files of ``out_dir``."""
    return os.path.join(os.fspath(out_dir), "tasks")


def task_path(out_dir, task):
    """Where the result of ``task`` goes."""
    return os.path.join(tasks_dir(out_dir), f"{task['experiment']}-{task['id']}.json")


def finished_ids(out_dir):
    """The ids of the tasks whose results are on disk."""
    folder = tasks_dir(out_dir)
    if not os.path.isdir(folder):
        return set()
    return {name[:-5].rsplit("-", 1)[1] for name in os.listdir(folder)
            if name.endswith(".json") and "-" in name}


def write_task(out_dir, task, result):
    """Write ``result`` (``{"rows", "elapsed_s", "worker"}``) of ``task``: temporary
    file, flush to disk, rename."""
    folder = tasks_dir(out_dir)
    os.makedirs(folder, exist_ok=True)
    record = {"format": FORMAT, "task": {k: v for k, v in task.items() if k != "cost"},
              **result}
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{task['id']}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(record, f, allow_nan=False, separators=(",", ":"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, task_path(out_dir, task))
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def read_records(out_dir, experiments=None):
    """Every task record in ``out_dir`` (optionally only those of ``experiments``),
    sorted by experiment and file name."""
    folder = tasks_dir(out_dir)
    if not os.path.isdir(folder):
        return []
    records = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".json"):
            continue
        if experiments is not None and name.rsplit("-", 1)[0] not in experiments:
            continue
        with open(os.path.join(folder, name)) as f:
            records.append(json.load(f))
    return records


def load_results(out_dir, experiments=None, select=True):
    """All rows of all finished tasks in ``out_dir`` as one list of dicts.

    ``experiments``: names to keep (default all). With ``select`` (default) every
    row also gets ``best_lr`` and ``selected`` (see ``selection.mark_selected``).
    """
    rows = [row for record in read_records(out_dir, experiments) for row in record["rows"]]
    if select:
        from .selection import mark_selected
        mark_selected(rows)
    return rows
