"""Plain NumPy reference implementations for the benchmarks, backward by hand.

Each gradient below was derived on paper; nothing here uses autograd_core.
They set the floor that an autodiff engine on NumPy is compared against.
"""

import numpy as np

# --- a. chain of scalar ops (mul, add, tanh, repeated) -----------------------


def scalar_chain(x0, n, c_mul=0.5, c_add=0.1):
    """Forward n ops cycling x*c_mul, x+c_add, tanh(x) on a 0-d array, keeping a
    tape of what the backward needs, then walk it backward. Returns (x_n, dx_n/dx0)."""
    x = np.asarray(x0)
    tape = []  # per op, the local derivative factor d(out)/d(in), or what makes it
    for i in range(n):
        k = i % 3
        if k == 0:
            x = x * c_mul
            tape.append(c_mul)           # d(x*c)/dx = c
        elif k == 1:
            x = x + c_add
            tape.append(1.0)             # d(x+c)/dx = 1
        else:
            x = np.tanh(x)
            tape.append(x)               # d tanh/dx = 1 - tanh(x)^2, saved as output
    g = np.ones_like(x)
    for i in range(n - 1, -1, -1):
        if i % 3 == 2:
            t = tape[i]
            g = g * (1 - t * t)
        else:
            g = g * tape[i]
    return x, g


# --- c. long chain (x*1.0001, x+0.0001, alternating); backward timed alone ----


def long_chain_forward(x0, n, c_mul=1.0001, c_add=0.0001):
    """Forward of the alternating chain; returns (x_n, tape) for long_chain_backward."""
    x = np.asarray(x0)
    tape = []
    for i in range(n):
        if i % 2 == 0:
            x = x * c_mul
            tape.append(c_mul)
        else:
            x = x + c_add
            tape.append(1.0)
    return x, tape


def long_chain_backward(x, tape):
    """Walk the tape backward: dx_n/dx0 is the product of the local factors."""
    g = np.ones_like(x)
    for factor in reversed(tape):
        g = g * factor
    return g


# --- b. 784-256-256-10 ReLU MLP, softmax cross-entropy, SGD -------------------


def mlp_init(sizes=(784, 256, 256, 10), seed=0, dtype=np.float32):
    """He-initialised weights (fan_in, fan_out) for x @ W + b, zero biases.
    Returns a list [W1, b1, W2, b2, ...] of NumPy arrays."""
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        W = rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)
        params += [W.astype(dtype), np.zeros(fan_out, dtype=dtype)]
    return params


def mlp_batch(batch=128, n_in=784, n_classes=10, seed=1, dtype=np.float32):
    """A fixed random input batch and integer labels."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch, n_in)).astype(dtype)
    y = rng.integers(0, n_classes, size=batch)
    return X, y


def mlp_loss_and_grads(params, X, y):
    """Mean softmax cross-entropy of the ReLU MLP and its gradients (same order)."""
    n_layers = len(params) // 2
    acts, pre = [X], []
    h = X
    for layer in range(n_layers):
        W, b = params[2 * layer], params[2 * layer + 1]
        z = h @ W + b
        pre.append(z)
        h = np.maximum(z, 0) if layer < n_layers - 1 else z
        acts.append(h)
    logits = acts[-1]
    B = X.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    logsumexp = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    logp = shifted - logsumexp
    loss = -logp[np.arange(B), y].mean()

    # Backward: dL/dlogits = (softmax - onehot) / B, then through the layers.
    dz = np.exp(logp)
    dz[np.arange(B), y] -= 1
    dz /= B
    grads = [None] * len(params)
    for layer in range(n_layers - 1, -1, -1):
        W = params[2 * layer]
        grads[2 * layer] = acts[layer].T @ dz    # dL/dW = input^T @ dz
        grads[2 * layer + 1] = dz.sum(axis=0)    # dL/db = column sums of dz
        if layer > 0:
            dh = dz @ W.T                        # back to the previous activation
            dz = dh * (pre[layer - 1] > 0)       # ReLU passes where its input > 0
    return loss, grads


def mlp_sgd_step(params, X, y, lr=0.01):
    """One training step: forward, backward, in-place SGD update. Returns the loss."""
    loss, grads = mlp_loss_and_grads(params, X, y)
    for p, g in zip(params, grads):
        p -= lr * g
    return loss
