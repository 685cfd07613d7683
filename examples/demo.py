"""Demo: a tiny two-layer network written by hand with autograd_core's public API.

Builds  loss = mean((tanh(x @ W1 + b1) @ W2 + b2 - y) ** 2),  back-propagates,
prints the loss, the shapes and a few gradients, and checks them against
finite differences. Run with `bash scripts/demo.sh` (accepts `--out DIR`).
"""

import argparse
from pathlib import Path

import numpy as np

import autograd_core as ag

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", type=Path, help="folder for output files (graph pictures later)")
args = parser.parse_args()
if args.out is not None:
    args.out.mkdir(parents=True, exist_ok=True)

# Fixed random data; float64 NumPy arrays keep their dtype inside a Tensor.
rng = np.random.default_rng(0)
x = ag.tensor(rng.standard_normal((4, 3)))             # batch of 4 inputs, 3 features
y = ag.tensor(rng.standard_normal((4, 1)))             # regression targets
W1 = ag.tensor(rng.standard_normal((3, 5)) * 0.5, requires_grad=True)
b1 = ag.tensor(np.zeros(5), requires_grad=True)
W2 = ag.tensor(rng.standard_normal((5, 1)) * 0.5, requires_grad=True)
b2 = ag.tensor(np.zeros(1), requires_grad=True)
params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def loss_fn(W1, b1, W2, b2):
    """Mean squared error of the two-layer tanh network on (x, y)."""
    hidden = (x @ W1 + b1).tanh()                      # (4, 5)
    pred = hidden @ W2 + b2                            # (4, 1)
    return ((pred - y) ** 2).mean()                    # 0-d tensor


# Forward, then reverse mode: every leaf with requires_grad gets a .grad.
loss = loss_fn(W1, b1, W2, b2)
loss.backward()
print(f"loss = {loss.item():.6f}   (grad_fn: {loss.grad_fn.name})")
for name, p in params.items():
    print(f"  {name}: shape {p.shape}, grad shape {p.grad.shape}, "
          f"first grads {np.round(p.grad.data.ravel()[:3], 5)}")

# One element by hand: central difference of the loss w.r.t. W1[0, 0].
eps = 1e-6
with ag.no_grad():
    bump = np.zeros_like(W1.data)
    bump[0, 0] = eps
    up = loss_fn(ag.tensor(W1.data + bump), b1, W2, b2).item()
    down = loss_fn(ag.tensor(W1.data - bump), b1, W2, b2).item()
numeric = (up - down) / (2 * eps)
print(f"dL/dW1[0,0]: backward {W1.grad.data[0, 0]:.8f}, finite difference {numeric:.8f}")

# All elements of all parameters at once with the library's checker.
inputs = [ag.tensor(p.data.copy(), requires_grad=True) for p in params.values()]
ok = ag.gradcheck(loss_fn, inputs)
print(f"ag.gradcheck on all parameters: {ok}")
