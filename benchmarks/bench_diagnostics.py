"""Benchmark: the cost of `nn.diagnostics.GradientMonitor` on a 10-layer MLP step.

Run by hand from the repository root:
    python benchmarks/bench_diagnostics.py [--quick] [--threads N] [--repeats N]

The model is `nn.MLP([256] * 10 + [10])` (9 hidden blocks Linear + ReLU, then a
Linear: 19 leaf modules), He initialisation, float32, trained on a fixed random
batch of 128 with `F.cross_entropy` and `optim.SGD(lr=0.01)`; one step is forward,
loss, `zero_grad()`, `backward()`, `step()`, and `mon.step()` when monitored.
Five copies of the model run interleaved, one block of 10 steps each per round
(in a shuffled order, seeded):
  * plain: no monitor ever attached,
  * every=1: a monitor recording every step (all 19 layers, all metrics),
  * every=1, exact: the same with sample_size=None (no statistic estimated),
  * every=10: a monitor recording one step in ten,
  * removed: a monitor attached, run for a few steps, then `remove()`d.
On Linux the script first fixes glibc's mmap and trim thresholds (mallopt), so
that the five models, which share one process, allocate their 128 KiB arrays
alike (see fix_malloc_thresholds). Each time is the median over the timed blocks
of the time per step, after 3 warm-up blocks (time.perf_counter, garbage
collector on); a block of 10 steps holds one recorded step at every=10, so its
time is the true average. Each ratio is the median over rounds of the ratio of
a variant's block to the plain model's block of the same round (paired, so that
a slow spell of the machine during a round cancels out); it is printed
(targets: every=1 under 1.25x, every=10 under 1.05x, removed 1.00x). No assertions.
See benchmarks/README.md.
"""

import os
import platform
import random
import statistics
import time

import _setup

ARGS = _setup.parse_args(__doc__, repeats_help="timed blocks of 10 steps per variant "
                         "(default 30, or 5 with --quick)", main=__name__ == "__main__")

import numpy as np  # noqa: E402  (after the thread settings)

import autograd_core as ag  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402
from nn import optim  # noqa: E402
from nn.diagnostics import GradientMonitor  # noqa: E402

WIDTH, DEPTH, CLASSES, BATCH, LR = 256, 10, 10, 128, 0.01
BLOCK = 10          # steps per timed block: one recorded step per block at every=10


def fix_malloc_thresholds():
    """Fix glibc's mmap and trim thresholds (Linux only); True when done.

    A step's 128 x 256 float32 arrays are 128 KiB, exactly glibc's default
    mmap threshold, which glibc moves as blocks are freed: whether an array is
    recycled from the heap or freshly mapped (page faults, zeroing) then
    depends on the allocation history, which differs between the models that
    share this process, and one of them can run 20% slower for no reason of
    its own. Fixed thresholds make every model allocate alike.
    """
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3         # mallopt parameters
        return bool(libc.mallopt(m_mmap_threshold, 4 << 20)
                    and libc.mallopt(m_trim_threshold, 64 << 20))
    except (OSError, AttributeError):
        return False


def make_step(monitor_every=None, remove_after=None, **monitor_options):
    """A closure running one training step of a fresh, identically seeded model."""
    model = nn.MLP([WIDTH] * DEPTH + [CLASSES], seed=0)
    opt = optim.SGD(model.parameters(), lr=LR)
    rng = np.random.default_rng(1)
    X = ag.tensor(rng.standard_normal((BATCH, WIDTH)).astype(np.float32))
    y = ag.tensor(rng.integers(0, CLASSES, BATCH))
    mon = (GradientMonitor(model, every=monitor_every, **monitor_options) if monitor_every
           else None)

    def step():
        loss = F.cross_entropy(model(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if mon is not None:
            mon.step()

    if remove_after:
        for _ in range(remove_after):
            step()
        mon.remove()
        mon = None
    return step


def interleaved_times(blocks, repeats, warmup=3, seed=0):
    """Seconds per step of each block of steps, timed in rounds of one block each:
    ``{name: [seconds per step in round 1, round 2, ...]}``.

    As bench_nn.py's: interleaving makes a slow spell of the machine hit every
    variant alike. The order within a round is shuffled (seeded), so that a
    disturbance that recurs with the period of a round does not always hit the
    same variant. A block is BLOCK consecutive steps, so that each timed block
    of the every=10 monitor holds exactly one recorded step: its time is then
    the true average cost per step, not that of the cheap steps alone.
    """
    rng = random.Random(seed)
    names = list(blocks)
    times = {name: [] for name in names}
    for i in range(warmup + repeats):
        rng.shuffle(names)
        for name in names:
            block = blocks[name]
            t0 = time.perf_counter()
            for _ in range(BLOCK):
                block()
            if i >= warmup:
                times[name].append((time.perf_counter() - t0) / BLOCK)
    return times


def main():
    repeats = ARGS.repeats or (5 if ARGS.quick else 30)
    fixed = fix_malloc_thresholds()
    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"{platform.machine()}, {os.cpu_count()} CPUs, threads {ARGS.threads or 'default'}, "
          f"median of {repeats} interleaved blocks of {BLOCK} steps after 3 warm-up blocks")
    print(f"MLP {WIDTH} x {DEPTH - 1} hidden (Linear + ReLU) -> {CLASSES}: 19 leaf modules, "
          f"float32, batch {BATCH}, SGD lr {LR}; malloc thresholds "
          f"{'fixed' if fixed else 'left to the C library'}")
    steps = {
        "no monitor": make_step(),
        "monitor every=1": make_step(monitor_every=1),
        "every=1, exact": make_step(monitor_every=1, sample_size=None),
        "monitor every=10": make_step(monitor_every=10),
        "monitor removed": make_step(monitor_every=1, remove_after=5),
    }
    times = interleaved_times(steps, repeats)
    base = times["no monitor"]
    # The ratio of each round's block to the same round's unmonitored block,
    # then the median over rounds: a slow spell that spans a round cancels out.
    ratio = {name: statistics.median(t / b for t, b in zip(ts, base))
             for name, ts in times.items()}
    print()
    print(f"{'model':<22}{'ms/step':>10}{'/ no monitor':>15}")
    for name in steps:
        print(f"{name:<22}{1e3 * statistics.median(times[name]):>10.3f}{ratio[name]:>14.2f}x")
    over = {name: 100 * (ratio[name] - 1) for name in ratio}
    print(f"\noverhead: every=1 {over['monitor every=1']:+.1f}% (target < 25%), "
          f"every=10 {over['monitor every=10']:+.1f}% (target < 5%), after remove() "
          f"{over['monitor removed']:+.1f}% (target 0)")


if __name__ == "__main__":
    main()
