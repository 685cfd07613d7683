"""Benchmark: one training step of a LeNet-like ConvNet written with `nn`.

Run by hand from the repository root:
    python benchmarks/bench_conv.py [--quick] [--threads N] [--repeats N] [--profile]

The network: `Conv2d(1, 8, 5, padding=2)`, ReLU, `MaxPool2d(2)`, `Conv2d(8, 16, 5)`,
ReLU, `MaxPool2d(2)`, `Flatten`, `Linear(400, 10)`, float32, on a fixed random
batch of 64 x 1 x 28 x 28 with `F.cross_entropy` and `optim.SGD(lr=0.01)`; one
step is forward, loss, `zero_grad()`, `backward()`, `step()`. All implementations
start from the same seeded weights (numpy_lenet.init), so they do the same
arithmetic. Compared with:
  * the hand-written NumPy step `numpy_lenet.sgd_step` (im2col / col2im by hand),
  * PyTorch's torch.nn / torch.optim, when `import torch` works.
Before timing, the gradients of every parameter are compared once with the
NumPy reference's. Each time is the MEDIAN over interleaved rounds (one step of
each implementation per round, after 3 warm-up rounds; time.perf_counter,
garbage collector on); ratios to PyTorch (target: at most 2x) and to the NumPy
reference are printed. `--profile` also prints where `nn`'s step spends its
time (cProfile, by function). No assertions. See benchmarks/README.md.
"""

import cProfile
import os
import platform
import pstats
import time

import _setup

ARGS = _setup.parse_args(__doc__, repeats_help="timed steps per implementation "
                         "(default 50, or 10 with --quick)", main=__name__ == "__main__",
                         flags=[("--profile", "also print where nn's step spends its time")])

import numpy as np  # noqa: E402  (after the thread settings)

import autograd_core as ag  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402
import numpy_lenet as ref  # noqa: E402  (lives beside this file)
from nn import optim  # noqa: E402

LR = 0.01
ORDER = ("c1.w", "c1.b", "c2.w", "c2.b", "fc.w", "fc.b")


def build_nn(params):
    model = nn.Sequential(nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(8, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(400, 10))
    with ag.no_grad():
        for p, name in zip(model.parameters(), ORDER):
            p.data[...] = params[name]
    return model


def build_torch(torch, params):
    tn = torch.nn
    model = tn.Sequential(tn.Conv2d(1, 8, 5, padding=2), tn.ReLU(), tn.MaxPool2d(2),
                          tn.Conv2d(8, 16, 5), tn.ReLU(), tn.MaxPool2d(2), tn.Flatten(),
                          tn.Linear(400, 10))
    with torch.no_grad():
        for p, name in zip(model.parameters(), ORDER):
            p.copy_(torch.from_numpy(params[name]))
    return model


def profile(step, n=30):
    """Print the functions where ``step`` spends most of its time."""
    prof = cProfile.Profile(time.process_time)     # CPU time: steady on a busy machine
    prof.enable()
    for _ in range(n):
        step()
    prof.disable()
    print(f"\nwhere nn's step spends its time ({n} steps, cProfile, CPU time, by own time):")
    pstats.Stats(prof).sort_stats("tottime").print_stats(15)


def main(args):
    repeats = args.repeats or (10 if args.quick else 50)
    torch = _setup.import_torch(args.threads)
    torch_info = (f"{torch.__version__} ({torch.get_num_threads()} threads)" if torch
                  else "not installed")
    print(f"python {platform.python_version()}, numpy {np.__version__}, torch {torch_info}, "
          f"{platform.machine()}, {os.cpu_count()} CPUs, threads {args.threads or 'default'}, "
          f"median of {repeats} interleaved steps after 3 warm-up rounds")
    print("LeNet: conv 1->8 5x5 pad 2, ReLU, maxpool 2, conv 8->16 5x5, ReLU, maxpool 2, "
          "linear 400->10; float32, batch 64x1x28x28, SGD lr 0.01")
    params0 = ref.init(seed=0)
    X, y = ref.batch(64, seed=1)
    _, ref_grads = ref.loss_and_grads(params0, X, y)
    Xt, yt = ag.tensor(X), ag.tensor(y)

    model = build_nn(params0)
    F.cross_entropy(model(Xt), yt).backward()
    agree = all(np.allclose(p.grad.data, ref_grads[name], rtol=1e-3, atol=1e-5)
                for p, name in zip(model.parameters(), ORDER))
    print(f"  nn gradients agree with the NumPy reference: {agree}")

    steps = {}
    model = build_nn(params0)
    opt = optim.SGD(model.parameters(), lr=LR)
    step = _setup.train_step
    steps["nn (Conv2d, MaxPool2d, Linear + optim.SGD)"] = lambda: step(F.cross_entropy, model,
                                                         opt, Xt, yt)
    np_params = {k: v.copy() for k, v in params0.items()}
    steps["numpy im2col by hand (numpy_lenet)"] = lambda: ref.sgd_step(np_params, X, y, LR)
    if torch is not None:
        tmodel = build_torch(torch, params0)
        topt = torch.optim.SGD(tmodel.parameters(), lr=LR)
        Xtt, ytt = torch.from_numpy(X), torch.from_numpy(y)
        t_loss = torch.nn.functional.cross_entropy
        steps["torch.nn + torch.optim.SGD"] = lambda: step(t_loss, tmodel, topt, Xtt, ytt)

    results = _setup.interleaved_medians(steps, repeats)
    ours = results["nn (Conv2d, MaxPool2d, Linear + optim.SGD)"]
    numpy_ref = results["numpy im2col by hand (numpy_lenet)"]
    print()
    print(f"{'implementation':<46}{'ms/step':>10}{'/ numpy':>10}{'/ torch':>10}")
    for name, seconds in results.items():
        vs_torch = (f"{seconds / results['torch.nn + torch.optim.SGD']:>9.2f}x" if torch
                    else f"{'-':>10}")
        print(f"{name:<46}{1e3 * seconds:>10.3f}{seconds / numpy_ref:>9.2f}x{vs_torch}")
    if torch is not None:
        print(f"\nnn / torch: {ours / results['torch.nn + torch.optim.SGD']:.2f}x "
              f"(target: at most 2x)")
    if args.profile:
        profile(steps["nn (Conv2d, MaxPool2d, Linear + optim.SGD)"])


if __name__ == "__main__":
    main(ARGS)
