"""A LeNet-like training step written by hand in NumPy: the reference for bench_conv.py.

conv 1->8 5x5 pad 2, ReLU, max-pool 2, conv 8->16 5x5, ReLU, max-pool 2,
flatten, linear 400->10, mean softmax cross-entropy, SGD. Gradients derived on
paper; convolution by im2col (a strided window view copied into a matrix, one
matrix product) and col2im (adding each kernel offset's slice back), max-pooling
by reshaping into 2x2 blocks. The straightforward textbook way, in float32: no
autodiff, no graph, nothing cached between steps.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

SHAPES = {"c1.w": (8, 1, 5, 5), "c1.b": (8,), "c2.w": (16, 8, 5, 5), "c2.b": (16,),
          "fc.w": (10, 400), "fc.b": (10,)}


def init(seed=0):
    """He-uniform weights, zero biases, float32, as a dict named like SHAPES."""
    rng = np.random.default_rng(seed)
    params = {}
    for name, shape in SHAPES.items():
        if name.endswith(".b"):
            params[name] = np.zeros(shape, np.float32)
        else:
            fan_in = int(np.prod(shape[1:]))
            bound = np.sqrt(6.0 / fan_in)
            params[name] = rng.uniform(-bound, bound, shape).astype(np.float32)
    return params


def batch(n=64, seed=1):
    rng = np.random.default_rng(seed)
    return (rng.random((n, 1, 28, 28), dtype=np.float32),
            rng.integers(0, 10, n).astype(np.int64))


def conv_forward(x, w, b, pad):
    """x (N, C, H, W), w (O, C, k, k) -> out (N, O, OH, OW), cols (N, OH*OW, C*k*k)."""
    if pad:
        x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    n, c = x.shape[:2]
    o, _, k, _ = w.shape
    win = sliding_window_view(x, (k, k), axis=(2, 3))          # (N, C, OH, OW, k, k)
    oh, ow = win.shape[2:4]
    cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(n, oh * ow, c * k * k)
    out = cols @ w.reshape(o, -1).T + b                         # (N, OH*OW, O)
    return out.transpose(0, 2, 1).reshape(n, o, oh, ow), cols


def conv_backward(g, cols, w, x_shape, pad):
    """Gradients of conv_forward: (dx, dw, db)."""
    n, o, oh, ow = g.shape
    _, c, k, _ = w.shape
    g2 = g.reshape(n, o, oh * ow).transpose(0, 2, 1)             # (N, P, O)
    dw = np.einsum("npo,npk->ok", g2, cols).reshape(w.shape)
    db = g.sum(axis=(0, 2, 3))
    dcols = (g2 @ w.reshape(o, -1)).reshape(n, oh, ow, c, k, k)
    h, wd = x_shape[2] + 2 * pad, x_shape[3] + 2 * pad
    dx = np.zeros((n, c, h, wd), np.float32)
    for i in range(k):
        for j in range(k):
            dx[:, :, i:i + oh, j:j + ow] += dcols[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    if pad:
        dx = dx[:, :, pad:-pad, pad:-pad]
    return dx, dw, db


def pool_forward(x):
    """2x2 max-pooling: (out, mask of the max positions)."""
    n, c, h, w = x.shape
    blocks = x.reshape(n, c, h // 2, 2, w // 2, 2)
    out = blocks.max(axis=(3, 5))
    mask = blocks == out[:, :, :, None, :, None]
    return out, mask


def pool_backward(g, mask):
    n, c, oh, ow = g.shape
    dx = mask * g[:, :, :, None, :, None]
    # Ties: split between the tied positions (rare with random data).
    dx = dx / mask.sum(axis=(3, 5), keepdims=True)
    return dx.reshape(n, c, oh * 2, ow * 2)


def loss_and_grads(params, x, y):
    """Mean cross-entropy and the gradient of every parameter (a dict)."""
    a1, cols1 = conv_forward(x, params["c1.w"], params["c1.b"], 2)
    r1 = np.maximum(a1, 0)
    p1, m1 = pool_forward(r1)
    a2, cols2 = conv_forward(p1, params["c2.w"], params["c2.b"], 0)
    r2 = np.maximum(a2, 0)
    p2, m2 = pool_forward(r2)
    flat = p2.reshape(len(x), -1)
    logits = flat @ params["fc.w"].T + params["fc.b"]
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    probs = e / e.sum(axis=1, keepdims=True)
    n = len(y)
    loss = -np.log(probs[np.arange(n), y]).mean()
    dlogits = probs
    dlogits[np.arange(n), y] -= 1
    dlogits /= n
    grads = {"fc.w": dlogits.T @ flat, "fc.b": dlogits.sum(axis=0)}
    dflat = dlogits @ params["fc.w"]
    dr2 = pool_backward(dflat.reshape(p2.shape), m2) * (a2 > 0)
    dp1, grads["c2.w"], grads["c2.b"] = conv_backward(dr2, cols2, params["c2.w"], p1.shape, 0)
    dr1 = pool_backward(dp1, m1) * (a1 > 0)
    _, grads["c1.w"], grads["c1.b"] = conv_backward(dr1, cols1, params["c1.w"], x.shape, 2)
    return float(loss), grads


def sgd_step(params, x, y, lr=0.01):
    loss, grads = loss_and_grads(params, x, y)
    for name, g in grads.items():
        params[name] -= lr * g.astype(np.float32)
    return loss
