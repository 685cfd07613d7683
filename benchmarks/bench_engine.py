"""Benchmarks: autograd_core vs hand-written NumPy vs PyTorch (if installed).

Run by hand from the repository root:  python benchmarks/bench_engine.py [--quick] [--threads N]
  a. per-op overhead: 10,000 scalar ops (mul, add, tanh, ...), forward + backward
  b. one SGD step of a 784-256-256-10 ReLU MLP, float32, batch 128
  c. backward alone through a 100,000-op scalar chain (float64)
Every time is the MEDIAN of several repeats (after warm-up) with time.perf_counter;
the garbage collector is left on. See benchmarks/README.md.
"""

import os
import platform
import statistics
import time

import _setup

ARGS = _setup.parse_args(__doc__, main=__name__ == "__main__")

import numpy as np  # noqa: E402  (after the thread settings)

import autograd_core as ag  # noqa: E402
import numpy_reference as ref  # noqa: E402  (lives beside this file)

torch = _setup.import_torch(ARGS.threads)

N_OPS, N_LONG, LR = 10_000, 100_000, 0.01


def median_time(fn, repeats, warmup=1, setup=None):
    """Median seconds of fn(state) over `repeats` runs; setup() (untimed) makes state."""
    times = []
    for i in range(warmup + repeats):
        state = setup() if setup else None
        t0 = time.perf_counter()
        fn(state)
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def interleaved_ms(steps, repeats, warmup=3):
    """Median milliseconds per call of each step (None stays None), timed in rounds."""
    live = _setup.interleaved_medians({k: f for k, f in steps.items() if f is not None},
                                      repeats, warmup)
    return {k: (1e3 * live[k] if k in live else None) for k in steps}


# --- a. per-op overhead --------------------------------------------------------
def chain_engine(_):
    x0 = ag.tensor(np.array(0.3, dtype=np.float32), requires_grad=True)
    x = x0
    for i in range(N_OPS):
        x = x * 0.5 if i % 3 == 0 else (x + 0.1 if i % 3 == 1 else x.tanh())
    x.backward()
    return x0.grad


def chain_torch(_):
    x0 = torch.tensor(0.3, dtype=torch.float32, requires_grad=True)
    x = x0
    for i in range(N_OPS):
        x = x * 0.5 if i % 3 == 0 else (x + 0.1 if i % 3 == 1 else torch.tanh(x))
    x.backward()
    return x0.grad


def chain_numpy(_):
    return ref.scalar_chain(np.float32(0.3), N_OPS)


# --- b. MLP training step -------------------------------------------------------
def mlp_engine_setup(np_params):
    return [ag.tensor(p.copy(), requires_grad=True) for p in np_params]


def mlp_engine_loss(params, X, y):
    h = X if isinstance(X, ag.Tensor) else ag.tensor(X)
    n_layers = len(params) // 2
    for layer in range(n_layers):
        h = h @ params[2 * layer] + params[2 * layer + 1]
        if layer < n_layers - 1:
            h = h.relu()
    logp = h.log_softmax(axis=-1)
    return -logp[np.arange(X.shape[0]), y].mean()


def mlp_engine_step(params, X, y):
    loss = mlp_engine_loss(params, X, y)
    loss.backward()
    with ag.no_grad():
        for p in params:
            p.data -= LR * p.grad.data
            p.grad = None
    return loss


def mlp_torch_setup(np_params):
    return [torch.tensor(p.copy(), requires_grad=True) for p in np_params]


def mlp_torch_loss(params, X, y):
    h = X
    n_layers = len(params) // 2
    for layer in range(n_layers):
        h = h @ params[2 * layer] + params[2 * layer + 1]
        if layer < n_layers - 1:
            h = torch.relu(h)
    logp = torch.log_softmax(h, dim=-1)
    return -logp[torch.arange(X.shape[0]), y].mean()


def mlp_torch_step(params, X, y):
    loss = mlp_torch_loss(params, X, y)
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= LR * p.grad
            p.grad = None
    return loss


def grads_agree(grads, ref_grads):
    return all(g.shape == r.shape and np.allclose(g, r, rtol=1e-3, atol=1e-5)
               for g, r in zip(grads, ref_grads))


# --- c. long backward -----------------------------------------------------------
def long_engine_forward():
    x0 = ag.tensor(np.array(1.0), requires_grad=True)
    x = x0
    for i in range(N_LONG):
        x = x * 1.0001 if i % 2 == 0 else x + 0.0001
    return x


def long_torch_forward():
    x0 = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    x = x0
    for i in range(N_LONG):
        x = x * 1.0001 if i % 2 == 0 else x + 0.0001
    return x


def main():
    args = ARGS
    reps_a, reps_b, reps_c = (2, 10, 1) if args.quick else (5, 100, 3)

    torch_note = (f"{torch.__version__} ({torch.get_num_threads()} threads)" if torch
                  else "not installed")
    print(f"python {platform.python_version()}, numpy {np.__version__}, torch {torch_note}, "
          f"{platform.machine()}, {os.cpu_count()} CPUs, "
          f"threads {args.threads or 'default'}, "
          f"median of {reps_a}/{reps_b}/{reps_c} repeats for a/b/c")
    rows = []  # (benchmark, unit, {impl: value})

    def measure(impl, fn):
        """Run fn() -> value; a failing implementation is reported, not fatal."""
        if impl == "torch" and torch is None:
            return None
        try:
            return fn()
        except Exception as exc:
            print(f"  [{impl}] failed: {type(exc).__name__}: {exc}")
            return None

    # a.
    print(f"a. {N_OPS} scalar ops, forward + backward ...")
    us = lambda f: 1e6 * median_time(f, reps_a) / N_OPS  # noqa: E731
    rows.append(("a. per-op overhead", "us/op", {
        "engine": measure("engine", lambda: us(chain_engine)),
        "numpy": measure("numpy", lambda: us(chain_numpy)),
        "torch": measure("torch", lambda: us(chain_torch))}))

    # b.
    print("b. MLP 784-256-256-10, batch 128, one SGD step ...")
    np_params0 = ref.mlp_init()
    X, y = ref.mlp_batch()
    _, ref_grads = ref.mlp_loss_and_grads(np_params0, X, y)

    # The three steps run interleaved, round after round, so that a slow spell
    # of the machine hits all of them alike and the ratios stay meaningful.
    def engine_b():
        params = mlp_engine_setup(np_params0)
        Xt = ag.tensor(X)               # made once, as torch.from_numpy below
        mlp_engine_loss(params, Xt, y).backward()
        print(f"  engine gradients agree with reference: "
              f"{grads_agree([p.grad.data for p in params], ref_grads)}")
        params = mlp_engine_setup(np_params0)
        return lambda: mlp_engine_step(params, Xt, y)

    def torch_b():
        params = mlp_torch_setup(np_params0)
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
        mlp_torch_loss(params, Xt, yt).backward()
        print(f"  torch gradients agree with reference: "
              f"{grads_agree([p.grad.numpy() for p in params], ref_grads)}")
        params = mlp_torch_setup(np_params0)
        return lambda: mlp_torch_step(params, Xt, yt)

    def numpy_b():
        params = [p.copy() for p in np_params0]
        return lambda: ref.mlp_sgd_step(params, X, y)

    steps = {"engine": measure("engine", engine_b), "numpy": measure("numpy", numpy_b),
             "torch": measure("torch", torch_b)}
    rows.append(("b. MLP SGD step", "ms/step", interleaved_ms(steps, reps_b)))

    # c. (the forward is built untimed in setup; only backward is timed)
    print(f"c. backward through a {N_LONG}-op chain ...")
    ms = lambda f, s: 1e3 * median_time(f, reps_c, setup=s)  # noqa: E731
    rows.append(("c. long-chain backward", "ms", {
        "engine": measure("engine", lambda: ms(lambda x: x.backward(), long_engine_forward)),
        "numpy": measure("numpy", lambda: ms(
            lambda st: ref.long_chain_backward(*st),
            lambda: ref.long_chain_forward(np.float64(1.0), N_LONG))),
        "torch": measure("torch", lambda: ms(lambda x: x.backward(), long_torch_forward))}))

    # table
    fmt = lambda v: "n/a" if v is None else f"{v:.3g}"  # noqa: E731
    ratio = lambda a, b: "n/a" if a is None or not b else f"{a / b:.2f}x"  # noqa: E731
    header = ("benchmark", "unit", "engine", "numpy ref", "torch", "engine/ref", "torch/ref")
    print()
    print("{:<24}{:<9}{:>10}{:>11}{:>10}{:>12}{:>11}".format(*header))
    for name, unit, v in rows:
        print("{:<24}{:<9}{:>10}{:>11}{:>10}{:>12}{:>11}".format(
            name, unit, fmt(v["engine"]), fmt(v["numpy"]), fmt(v["torch"]),
            ratio(v["engine"], v["numpy"]), ratio(v["torch"], v["numpy"])))


if __name__ == "__main__":
    main()
