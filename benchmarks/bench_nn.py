"""Benchmark: one training step of a 784-256-256-10 MLP written with `nn`.

Run by hand from the repository root:  python benchmarks/bench_nn.py [--quick] [--threads N]

The model is `nn.Linear(784, 256)`, ReLU, `nn.Linear(256, 256)`, ReLU,
`nn.Linear(256, 10)`, float32, trained on a fixed batch of 128 with
`F.cross_entropy` and `optim.SGD(lr=0.01)`; one step is forward, loss,
`zero_grad()`, `backward()` and `step()`. Its weights start from the He
initialisation of `numpy_reference.mlp_init` (seeded), copied into the layers, so
all implementations do the same arithmetic. Compared with:
  * the hand-written NumPy step `numpy_reference.mlp_sgd_step` (the floor),
  * the same network written with raw autograd_core ops (as bench_engine.py b),
  * PyTorch's torch.nn / torch.optim, when `import torch` works.
Each time is the MEDIAN of several repeats after warm-up (time.perf_counter,
garbage collector on); the ratio to the NumPy reference is printed (target:
within 1.2x). No assertions. See benchmarks/README.md.
"""

import os
import platform

import _setup

ARGS = _setup.parse_args(__doc__, repeats_help="timed steps per implementation "
                         "(default 100, or 10 with --quick)", main=__name__ == "__main__")

import numpy as np  # noqa: E402  (after the thread settings)

import autograd_core as ag  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402
import bench_engine  # noqa: E402  (its engine-only MLP step, beside this file)
import numpy_reference as ref  # noqa: E402  (lives beside this file)
from nn import optim  # noqa: E402

torch = _setup.import_torch(ARGS.threads)

SIZES, BATCH, LR = (784, 256, 256, 10), 128, 0.01


def grads_agree(grads, ref_grads):
    return all(g.shape == r.shape and np.allclose(g, r, rtol=1e-3, atol=1e-5)
               for g, r in zip(grads, ref_grads))


# --- nn: Linear layers, F.cross_entropy, optim.SGD ------------------------------------
def build_nn(np_params):
    layers = []
    for i in range(len(np_params) // 2):
        W, b = np_params[2 * i], np_params[2 * i + 1]
        lin = nn.Linear(W.shape[0], W.shape[1])
        with ag.no_grad():                      # weight is (out, in), as PyTorch
            lin.weight.data[...] = W.T
            lin.bias.data[...] = b
        layers.append(lin)
        if i < len(np_params) // 2 - 1:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


# The same network with raw autograd_core ops is bench_engine.py's (b).


# --- PyTorch ---------------------------------------------------------------------------
def build_torch(np_params):
    layers = []
    for i in range(len(np_params) // 2):
        W, b = np_params[2 * i], np_params[2 * i + 1]
        lin = torch.nn.Linear(W.shape[0], W.shape[1])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W.T.copy()))
            lin.bias.copy_(torch.from_numpy(b))
        layers.append(lin)
        if i < len(np_params) // 2 - 1:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def main():
    repeats = ARGS.repeats or (10 if ARGS.quick else 100)
    torch_info = (f"{torch.__version__} ({torch.get_num_threads()} threads)" if torch
                  else "not installed")
    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"torch {torch_info}, "
          f"{platform.machine()}, {os.cpu_count()} CPUs, threads {ARGS.threads or 'default'}, "
          f"median of {repeats} interleaved steps after 3 warm-up rounds")
    print(f"MLP {'-'.join(map(str, SIZES))}, float32, batch {BATCH}, SGD lr {LR}")
    np_params0 = ref.mlp_init(SIZES, seed=0)
    X, y = ref.mlp_batch(BATCH, SIZES[0], SIZES[-1], seed=1)
    _, ref_grads = ref.mlp_loss_and_grads(np_params0, X, y)
    Xt, yt = ag.tensor(X), ag.tensor(y)
    steps = {}

    # nn: check the gradients once, then time
    model = build_nn(np_params0)
    F.cross_entropy(model(Xt), yt).backward()
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    grads = []
    for lin in linears:
        grads += [lin.weight.grad.data.T, lin.bias.grad.data]
    print(f"  nn gradients agree with reference: {grads_agree(grads, ref_grads)}")
    model = build_nn(np_params0)
    opt = optim.SGD(model.parameters(), lr=LR)
    step = _setup.train_step
    steps["nn (Linear + F.cross_entropy + optim.SGD)"] = lambda: step(F.cross_entropy, model,
                                                         opt, Xt, yt)

    params = [ag.tensor(p.copy(), requires_grad=True) for p in np_params0]
    steps["autograd_core ops, by hand"] = lambda: bench_engine.mlp_engine_step(params, Xt, y)

    np_params = [p.copy() for p in np_params0]
    steps["numpy reference (mlp_sgd_step)"] = lambda: ref.mlp_sgd_step(np_params, X, y, lr=LR)

    if torch is not None:
        tmodel = build_torch(np_params0)
        topt = torch.optim.SGD(tmodel.parameters(), lr=LR)
        Xtt, ytt = torch.from_numpy(X), torch.from_numpy(y)
        t_loss = torch.nn.functional.cross_entropy
        steps["torch.nn + torch.optim.SGD"] = lambda: step(t_loss, tmodel, topt, Xtt, ytt)

    results = _setup.interleaved_medians(steps, repeats)

    base = results["numpy reference (mlp_sgd_step)"]
    print()
    print(f"{'implementation':<44}{'ms/step':>10}{'/ numpy ref':>13}")
    for name, seconds in results.items():
        print(f"{name:<44}{1e3 * seconds:>10.3f}{seconds / base:>12.2f}x")
    nn_ratio = results["nn (Linear + F.cross_entropy + optim.SGD)"] / base
    print(f"\nnn / numpy reference: {nn_ratio:.2f}x (target: within 1.2x)")


if __name__ == "__main__":
    main()
