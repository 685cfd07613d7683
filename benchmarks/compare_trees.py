"""Before/after: the MLP step of bench_nn.py in two checkouts, run alternately.

Run by hand from the repository root:

    git worktree add /tmp/before HEAD~1      # or any checkout of the older code
    .venv/bin/python benchmarks/compare_trees.py /tmp/before . [--rounds 6] [--threads 1]

Each round runs ``benchmarks/bench_nn.py`` of both trees (each in its own
process, importing its own ``autograd_core`` and ``nn``), the first tree first
in odd rounds and second in even ones, so that neither a slow spell of the
machine nor the order of the runs favours one. Prints, per tree, the
median over rounds of the per-step medians that bench_nn.py reports, for the
``nn`` step and for the raw-ops step, and the ratio of the second tree to the
first. No assertions: the numbers are for a person to read.
"""
import argparse
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROWS = {"nn": "nn (Linear + F.cross_entropy + optim.SGD)",
        "ops": "autograd_core ops, by hand",
        "numpy": "numpy reference (mlp_sgd_step)"}


def run_once(tree, threads, repeats):
    """The ms/step of each row of one bench_nn.py run in ``tree``."""
    cmd = [sys.executable, str(Path(tree) / "benchmarks" / "bench_nn.py"),
           "--threads", str(threads), "--repeats", str(repeats)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    times = {}
    for key, label in ROWS.items():
        m = re.search(re.escape(label) + r"\s+([0-9.]+)", out)
        if m:
            times[key] = float(m.group(1))
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", help="checkout of the older code")
    parser.add_argument("after", help="checkout of the newer code")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=40,
                        help="timed steps per bench_nn.py run")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    trees = {"before": args.before, "after": args.after}
    samples = {name: {k: [] for k in ROWS} for name in trees}
    for r in range(args.rounds):
        order = list(trees.items()) if r % 2 == 0 else list(trees.items())[::-1]
        for name, tree in order:
            for key, ms in run_once(tree, args.threads, args.repeats).items():
                samples[name][key].append(ms)
        print(f"round {r + 1}/{args.rounds}: " + ", ".join(
            f"{name} nn {samples[name]['nn'][-1]:.3f} ms" for name in trees), flush=True)
    print(f"\nmedian ms/step over {args.rounds} rounds "
          f"({args.repeats} interleaved steps each, threads {args.threads})")
    print(f"{'step':<8}{'before':>10}{'after':>10}{'after/before':>14}")
    for key in ROWS:
        b, a = (statistics.median(samples[n][key]) if samples[n][key] else float("nan")
                for n in trees)
        print(f"{key:<8}{b:>10.3f}{a:>10.3f}{a / b:>13.3f}x")


if __name__ == "__main__":
    main()
