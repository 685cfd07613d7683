"""Command line and thread settings shared by the benchmark scripts.

Import it before NumPy: the BLAS/OpenMP thread counts must be in the
environment before NumPy loads its BLAS.
"""
import argparse
import os
import sys
from pathlib import Path

# The working tree's packages come first, then the NumPy reference beside this file.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def parse_args(doc, repeats_help=None, main=True, flags=()):
    """Parse ``--quick``, ``--threads N`` (and ``--repeats N`` if described, and each
    ``(flag, help)`` of ``flags`` as a switch); set threads."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--threads", type=int, help="BLAS/OpenMP/torch threads (default: "
                        "the libraries' own); 1 gives steadier numbers on a busy machine")
    if repeats_help:
        parser.add_argument("--repeats", type=int, help=repeats_help)
    for flag, text in flags:
        parser.add_argument(flag, action="store_true", help=text)
    args = parser.parse_args() if main else parser.parse_args([])
    if args.threads:
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(args.threads)
    return args


def import_torch(threads):
    """PyTorch if installed (set to ``threads`` threads when given), else None."""
    try:
        import torch
    except ImportError:
        return None
    if threads:
        torch.set_num_threads(threads)
    return torch


def interleaved_medians(steps, repeats, warmup=3):
    """Median seconds per call of each step (a dict name -> callable), timed in
    rounds of one call each.

    Interleaving makes a slow spell of the machine hit every implementation
    alike, so the ratios stay meaningful on a busy machine.
    """
    import statistics
    import time
    times = {name: [] for name in steps}
    for i in range(warmup + repeats):
        for name, step in steps.items():
            t0 = time.perf_counter()
            step()
            if i >= warmup:
                times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(t) for name, t in times.items()}


def train_step(loss_fn, model, opt, X, y):
    """One training step, written the same way for `nn` and for PyTorch: forward,
    ``loss_fn(model(X), y)``, ``zero_grad()``, ``backward()``, ``step()``."""
    loss = loss_fn(model(X), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss
