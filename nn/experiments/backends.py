"""Where tasks run: in this process, in joblib worker processes, or on Dask.

Each backend is a generator that takes a list of tasks and yields one result
per task as it finishes, in any order; the caller writes each to disk at once.
A result is ``{"task": task, "rows": [...], "elapsed_s": float, "worker":
"host:pid"}``, or ``{"task": task, "error": traceback text}`` when the task
raised (the other tasks go on).

All three call ``execute``, which runs the experiment's ``run_task`` with the
BLAS thread pools limited to one thread (threadpoolctl when installed; the
worker processes are also started with ``OMP_NUM_THREADS=1`` and friends).
A single-threaded BLAS adds up in one fixed order, so the same task gives the
same bits in any process and on any backend.
"""
import contextlib
import logging
import math
import os
import socket
import time
import traceback

import numpy as np

from . import registry
from .tasks import label_of, quick_flag

__all__ = ["THREAD_VARS", "execute", "run_here", "run_joblib", "run_dask"]

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@contextlib.contextmanager
def single_threaded_blas():
    """Limit NumPy's BLAS (and OpenMP) to one thread inside the block."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:           # then the workers' environment variables do it
        yield
        return
    with threadpool_limits(limits=1):
        yield


def _plain(value):
    """A JSON value: NumPy scalars become Python numbers, NaN and inf ``None``."""
    if isinstance(value, (np.generic,)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def common_fields(task):
    """The fields every row of ``task`` carries (they override the experiment's)."""
    fields = {"experiment": task["experiment"], "task_id": task["id"],
              "config": label_of(task["config"])}
    fields.update({k: v for k, v in task["config"].items() if k != "label"})
    fields.update(seed=task["seed"], lr=task["lr"], mode=task["mode"],
                  dataset=task["data"]["dataset"])
    return fields


def execute(task):
    """Run one task here and return its result (see the module docstring)."""
    worker = f"{socket.gethostname()}:{os.getpid()}"
    start = time.perf_counter()
    try:
        module = registry.get(task["experiment"])
        config = {**task["config"], **task["data"]}
        with single_threaded_blas():
            rows = module.run_task(config, task["seed"], task["lr"], quick_flag(task["mode"]))
        common = common_fields(task)
        rows = [_plain({**row, **common}) for row in rows]
    except Exception:
        return {"task": task, "error": traceback.format_exc(), "worker": worker}
    return {"task": task, "rows": rows, "elapsed_s": time.perf_counter() - start,
            "worker": worker}


def run_here(tasks):
    """Run the tasks one after another in this process."""
    for task in tasks:
        yield execute(task)


def run_joblib(tasks, jobs):
    """Run the tasks in ``jobs`` joblib (loky) worker processes. A missing joblib
    raises ``ImportError`` here, before any work."""
    try:
        from joblib import Parallel, delayed, parallel_config
    except ImportError as exc:
        raise ImportError("--jobs N needs joblib: pip install joblib (or "
                          "pip install 'autograd-core[experiments]')") from exc

    def results():
        # inner_max_num_threads: loky starts its workers with the thread variables at 1.
        with parallel_config(backend="loky", inner_max_num_threads=1):
            yield from Parallel(n_jobs=jobs, return_as="generator_unordered")(
                delayed(execute)(task) for task in tasks)
    return results()


def _import_distributed():
    try:
        import dask
        import distributed
    except ImportError as exc:
        raise ImportError("--dask-local and --scheduler need dask.distributed: "
                          "pip install distributed (or pip install "
                          "'autograd-core[distributed]')") from exc
    return dask, distributed


def run_dask(tasks, scheduler=None, n_workers=None):
    """Run the tasks on Dask: the cluster at ``scheduler`` ("tcp://host:port", whose
    workers must be able to import this package), or a LocalCluster of
    ``n_workers`` single-threaded worker processes started here (and stopped
    at the end). A missing ``distributed`` raises ``ImportError`` here."""
    dask, distributed = _import_distributed()
    return _dask_results(tasks, scheduler, n_workers, dask, distributed)


def _dask_results(tasks, scheduler, n_workers, dask, distributed):
    cluster = None
    env = {**dask.config.get("distributed.nanny.pre-spawn-environ", default={}),
           **{var: 1 for var in THREAD_VARS}}
    with dask.config.set({"distributed.nanny.pre-spawn-environ": env}):
        if scheduler is None:
            cluster = distributed.LocalCluster(
                n_workers=n_workers, threads_per_worker=1, processes=True,
                dashboard_address=None, silence_logs=logging.ERROR)
            client = distributed.Client(cluster)
        else:
            client = distributed.Client(scheduler)
        try:
            # Higher priority first: the tasks come sorted longest first.
            futures = [client.submit(execute, task, key=f"{task['experiment']}-{task['id']}",
                                     pure=False, priority=len(tasks) - i)
                       for i, task in enumerate(tasks)]
            for _, result in distributed.as_completed(futures, with_results=True):
                yield result
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
