"""The command line: ``python -m nn.experiments run | list | report``.

::

    python -m nn.experiments list
    python -m nn.experiments run --quick --jobs 2
    python -m nn.experiments run --only deep_relu,degradation --seeds 5 --out results
    python -m nn.experiments run --dask-local 4
    python -m nn.experiments run --scheduler tcp://10.0.0.5:8786
    python -m nn.experiments run --dataset mnist --mnist-dir ~/data/mnist
    python -m nn.experiments report out/experiments

``run`` skips the tasks whose results are already in ``--out``, so running the
same command again after an interruption finishes the rest. The hidden option
``--tiny`` (or the environment variable ``NN_EXPERIMENTS_TINY=1``) shrinks
every experiment to a few steps, for tests.
"""
import argparse
import importlib
import importlib.util
import os
import sys

from . import registry
from .data import DATASETS
from .runner import DEFAULT_OUT, plan, run

__all__ = ["main", "parser"]


def _names(text):
    names = [n.strip() for part in text for n in part.split(",") if n.strip()]
    unknown = [n for n in names if n not in registry.EXPERIMENTS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown experiment(s) {', '.join(unknown)}; registered: "
            f"{', '.join(registry.names())}")
    return names


def _positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def parser():
    """The ``argparse`` parser of the command line."""
    p = argparse.ArgumentParser(prog="python -m nn.experiments",
                                description="Reproduce deep-learning experiments on small "
                                            "data, in parallel and resumably.")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="run experiments (skipping finished tasks)")
    r.add_argument("--only", nargs="+", metavar="NAMES", default=None,
                   help="experiments to run, comma- or space-separated (default: all)")
    r.add_argument("--quick", action="store_true",
                   help="small grids and budgets: everything in under 2 minutes on 2 cores")
    r.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)
    r.add_argument("--out", default=DEFAULT_OUT, help=f"results folder (default {DEFAULT_OUT})")
    backend = r.add_mutually_exclusive_group()
    backend.add_argument("--jobs", type=_positive, default=1,
                         help="joblib worker processes (default 1: in this process)")
    backend.add_argument("--dask-local", type=_positive, metavar="N",
                         help="start a dask.distributed LocalCluster of N worker processes")
    backend.add_argument("--scheduler", metavar="ADDR",
                         help="run on the Dask cluster at ADDR, e.g. tcp://host:8786")
    r.add_argument("--seeds", type=_positive, default=None,
                   help="seeds per configuration (default: 3 full, 2 quick)")
    r.add_argument("--dataset", choices=DATASETS, default="digits")
    r.add_argument("--mnist-dir", metavar="DIR",
                   help="folder holding the MNIST IDX files (with --dataset mnist)")
    r.add_argument("--no-figures", action="store_true", help="do not draw the figures")
    r.add_argument("--no-progress", action="store_true", help="no progress bar")

    sub.add_parser("list", help="list the experiments and the size of their grids")

    rep = sub.add_parser("report", help="write the HTML report of a results folder")
    rep.add_argument("out_dir", nargs="?", default=DEFAULT_OUT)
    return p


def _list():
    for name in registry.names():
        module = registry.get(name)
        counts = ", ".join(f"{mode} {len(plan([name], mode))}" for mode in ("quick", "full"))
        print(f"{name:18s} {module.TITLE}\n{'':18s} tasks: {counts}")
    return 0


def _report(out_dir):
    if importlib.util.find_spec("nn.experiments.report") is None:
        print("The report is not available yet: nn.experiments.report (write_report) is "
              "not part of this installation. The results are in "
              f"{os.path.join(out_dir, 'tasks')} and the figures in "
              f"{os.path.join(out_dir, 'figures')}.", file=sys.stderr)
        return 2
    report = importlib.import_module("nn.experiments.report")
    path = report.write_report(out_dir)
    if path:
        print(f"report: {path}")
    return 0


def main(argv=None):
    """Parse ``argv`` (default ``sys.argv[1:]``), run the command; return the exit code."""
    args = parser().parse_args(argv)
    if args.command == "list":
        return _list()
    if args.command == "report":
        return _report(args.out_dir)
    try:
        names = _names(args.only) if args.only else None
    except argparse.ArgumentTypeError as exc:
        parser().error(str(exc))
    tiny = args.tiny or os.environ.get("NN_EXPERIMENTS_TINY", "") not in ("", "0")
    mode = "tiny" if tiny else "quick" if args.quick else "full"
    if args.dataset == "mnist" and not args.mnist_dir:
        parser().error("--dataset mnist needs --mnist-dir DIR")
    try:
        result = run(names, mode=mode, out_dir=args.out, jobs=args.jobs,
                     dask_local=args.dask_local, scheduler=args.scheduler, seeds=args.seeds,
                     dataset=args.dataset, mnist_dir=args.mnist_dir,
                     progress=not args.no_progress, figures=not args.no_figures)
    except (ImportError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{result.ran} tasks run, {result.skipped} skipped, {len(result.failures)} failed "
          f"in {result.seconds:.1f} s; results in {os.path.join(args.out, 'tasks')}")
    return 1 if result.failures else 0
