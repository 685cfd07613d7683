"""Demo: a tiny two-layer network written by hand with autograd_core's public API.

Builds  loss = mean((tanh(x @ W1 + b1) @ W2 + b2 - y) ** 2),  back-propagates,
prints the loss, the shapes and a few gradients, checks them against finite
differences, and draws the graph with its gradients (``autograd_core.viz``).
Run with `bash scripts/demo.sh` (accepts `--out DIR`, default ./out).
"""

import argparse
from pathlib import Path

import numpy as np

import autograd_core as ag
from autograd_core import viz

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", type=Path, default=Path("out"),
                    help="folder for the pictures (default: ./out)")
args = parser.parse_args()
args.out.mkdir(parents=True, exist_ok=True)

# Fixed random data; float64 NumPy arrays keep their dtype inside a Tensor.
rng = np.random.default_rng(0)
x = ag.tensor(rng.standard_normal((4, 3)))             # batch of 4 inputs, 3 features
y = ag.tensor(rng.standard_normal((4, 1)))             # regression targets
W1 = ag.tensor(rng.standard_normal((3, 5)) * 0.5, requires_grad=True, name="W1")
b1 = ag.tensor(np.zeros(5), requires_grad=True, name="b1")
W2 = ag.tensor(rng.standard_normal((5, 1)) * 0.5, requires_grad=True, name="W2")
b2 = ag.tensor(np.zeros(1), requires_grad=True, name="b2")
params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def loss_fn(W1, b1, W2, b2):
    """Mean squared error of the two-layer tanh network on (x, y).

    The scopes only name parts of the graph, for the drawings.
    """
    with ag.scope("mlp"):
        with ag.scope("fc1"):
            hidden = (x @ W1 + b1).tanh()              # (4, 5)
        with ag.scope("fc2"):
            pred = hidden @ W2 + b2                    # (4, 1)
    with ag.scope("mse"):
        loss = ((pred - y) ** 2).mean()                # 0-d tensor
    loss.name = "loss"
    return loss


# Forward, then reverse mode: every leaf with requires_grad gets a .grad.
# record_backward() watches the walk, for the drawing below.
loss = loss_fn(W1, b1, W2, b2)
with viz.record_backward() as rec:
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

# Pictures (autograd_core.viz). Rendering needs Graphviz's `dot` program.
def save(drawing, name, what):
    path = Path(drawing.render(args.out / name, format="svg", cleanup=True))
    print(f"{what + ':':24s}{path}")


try:
    # 1. This network's graph with the gradients of the recorded backward:
    #    numbered steps, edges coloured by gradient size, scopes as boxes.
    save(viz.draw_graph(loss, gradients=rec, title="Two-layer MLP: loss and gradients"),
         "mlp_graph", "graph with gradients")

    # 2. The backward pass step by step, as a self-contained HTML page
    #    (backward_html runs the backward itself, on a fresh forward pass).
    for p in params.values():
        p.grad = None
    page = viz.backward_html(loss_fn(W1, b1, W2, b2), args.out / "mlp_backward.html",
                             title="Two-layer MLP: the backward pass, step by step")
    print(f"{'backward, step by step:':24s}{args.out / 'mlp_backward.html'} "
          f"({page.steps} steps; open it in a browser)")

    # 3. A single neuron with scalars: every value and gradient is printed.
    #    names=locals() labels intermediate results with their variable names.
    x1, x2 = ag.tensor(1.5, requires_grad=True), ag.tensor(0.0, requires_grad=True)
    w1, w2 = ag.tensor(-2.0, requires_grad=True), ag.tensor(0.8, requires_grad=True)
    b = ag.tensor(3.5, requires_grad=True)
    x1w1, x2w2 = x1 * w1, x2 * w2
    n = x1w1 + x2w2 + b
    o = n.tanh()
    with viz.record_backward() as neuron_rec:
        o.backward()
    save(viz.draw_graph(o, gradients=neuron_rec, names=locals(), rankdir="LR",
                        title="One neuron: o = tanh(x1·w1 + x2·w2 + b)"),
         "neuron", "a neuron, by hand")

    # 4. A deeper network: 12 sigmoid layers, each drawn as one box (depth=1).
    #    sigmoid' <= 1/4, so the gradient fades layer by layer on its way back:
    #    the colours of the edges and of the boxes' borders show it at a glance.
    h = ag.tensor(rng.standard_normal((8, 6)))
    with ag.scope("sigmoid_net"):
        for i in range(12):
            with ag.scope(f"layer{i}"):
                W = ag.tensor(rng.standard_normal((6, 6)), requires_grad=True, name=f"W{i}")
                bias = ag.tensor(np.zeros(6), requires_grad=True, name=f"b{i}")
                h = (h @ W + bias).sigmoid()
    deep_loss = h.mean()
    with viz.record_backward() as deep_rec:
        deep_loss.backward()
    save(viz.draw_graph(deep_loss, gradients=deep_rec, depth=1,
                        title="12 sigmoid layers: the gradient fades on its way back"),
         "vanishing_gradients", "a vanishing gradient")
except viz.GraphvizNotFound as e:
    print(f"no pictures: {e}")
