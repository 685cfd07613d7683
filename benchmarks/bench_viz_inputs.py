"""Benchmark: what recording non-grad inputs for drawings costs a training step.

Run by hand from the repository root:  python benchmarks/bench_viz_inputs.py [--quick]

``import autograd_core.viz`` turns on the recording of the inputs that need
no gradient (data, targets, constants; see ``autograd_core/viz/inputs.py``),
so that drawings show them. This times one training step of a 784-256-256-10
MLP (``nn.Linear`` + ReLU, batch 128, float32, ``F.cross_entropy``,
``optim.SGD``), and a micro-benchmark of one op with a constant input
(``h * 0.5`` on a 4-element tensor, the worst case: the op is tiny and every
call records a note), with the recording off (``viz.inputs.set_record_inputs(False)``:
exactly the engine's code path without viz, as at HEAD) and on, interleaved
in one process (one call of each per round, so a slow spell of the machine
hits both alike; the order alternates) and a second "off" series, whose
difference from the first is the noise floor. Prints medians and relative
differences. No assertions.
"""
import os
import statistics
import sys
import time

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402

import autograd_core as ag  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402
from autograd_core.viz import inputs  # noqa: E402
from nn import optim  # noqa: E402

QUICK = "--quick" in sys.argv


def interleaved_medians(steps, repeats, warmup=5):
    """Median seconds per call of ``fn`` for each ``name: (recording on?, fn)``."""
    times = {name: [] for name in steps}
    was = inputs.set_record_inputs(True)
    try:
        names = list(steps)
        for i in range(warmup + repeats):
            for name in (names if i % 2 else names[::-1]):      # alternate the order
                on, step = steps[name]
                inputs.set_record_inputs(on)       # switched outside the timed call
                t0 = time.perf_counter()
                step()
                dt = time.perf_counter() - t0
                if i >= warmup:
                    times[name].append(dt)
    finally:
        inputs.set_record_inputs(was)
    return {name: statistics.median(t) for name, t in times.items()}


def main():
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(784, 256, seed=1), nn.ReLU(), nn.Linear(256, 256, seed=2),
                          nn.ReLU(), nn.Linear(256, 10, seed=3))
    opt = optim.SGD(model.parameters(), lr=0.01)
    x = rng.standard_normal((128, 784)).astype(np.float32)
    y = rng.integers(0, 10, 128)

    def train_step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()

    h = ag.tensor(np.ones(4, dtype=np.float32), requires_grad=True)

    def tiny_op():
        for _ in range(100):
            h * 0.5

    # Sanity: with the recording on, the step's data and targets are noted.
    with inputs.recording_inputs(True):
        loss = F.cross_entropy(model(x), y)
        n = sum(1 for _ in inputs._notes.items())
    print(f"notes recorded for one forward pass: {n} (data x of the first Linear, the targets)")
    del loss

    repeats = 20 if QUICK else 400
    res = interleaved_medians({"off": (False, train_step), "on": (True, train_step),
                               "off2": (False, train_step)}, repeats)
    print(f"MLP 784-256-256-10, batch 128, one SGD step (median of {repeats}):")
    print(f"  recording off (as HEAD): {res['off'] * 1e3:8.3f} ms")
    print(f"  recording on           : {res['on'] * 1e3:8.3f} ms   "
          f"({(res['on'] / res['off'] - 1) * 100:+.2f} %)")
    print(f"  off again (noise floor): {res['off2'] * 1e3:8.3f} ms   "
          f"({(res['off2'] / res['off'] - 1) * 100:+.2f} %)")
    res = interleaved_medians({"off": (False, tiny_op), "on": (True, tiny_op)}, repeats)
    print("one tiny op with a constant input (h * 0.5, 4 elements), per call:")
    print(f"  recording off (as HEAD): {res['off'] * 1e4:8.3f} µs")
    print(f"  recording on           : {res['on'] * 1e4:8.3f} µs   "
          f"(+{(res['on'] - res['off']) * 1e4:.2f} µs per op)")


if __name__ == "__main__":
    main()
