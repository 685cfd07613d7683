"""``jacobian_singular_values``: how much each layer stretches or shrinks a signal.

For one sample, layer ``l`` maps its input ``x`` to its output ``y``; the
Jacobian ``J = dy/dx`` says how a small change of the input moves the output,
in both directions: back-propagation multiplies gradients by ``J^T``. Its
singular values are the factors by which it scales vectors along its principal
directions. When they sit well below 1 layer after layer, the gradient that
reaches the first layers is the product of many such shrinkings and vanishes;
well above 1, it explodes. Glorot & Bengio (2010) report a mean singular value
of about 0.5 for tanh networks with the then-standard initialisation
U(-1/sqrt(n), 1/sqrt(n)) and about 0.8 with their normalised one.
"""
import numpy as np

import autograd_core as ag

from ..layers import GELU, BatchNorm1d, Dropout, Identity, LeakyReLU, Linear, ReLU, Sigmoid, Tanh
from ..layers.normalization import _BatchNorm
from .paths import resolve_layers

__all__ = ["jacobian_singular_values"]

_OWNER = "jacobian_singular_values"
# Layers whose output element i depends on input element i only: J is diagonal.
_ELEMENTWISE = (ReLU, Sigmoid, Tanh, LeakyReLU, GELU, Identity, Dropout)


def jacobian_singular_values(model, x, layers=None):
    """``{layer path: mean singular value of its input-to-output Jacobian}``.

    ``model(x)`` runs once on the small batch ``x`` (say 16 samples), in the
    model's current mode, to record each layer's input. For each sample ``b``
    the Jacobian of that sample's output with respect to its own input (both
    flattened) is formed; the mean of its singular values is averaged over
    the samples. ``layers``: as ``GradientMonitor``'s (``None``: every module
    without children; any module path may be named, a ``Residual`` block
    too). Layers whose input is not a floating-point Tensor (an
    ``Embedding``'s indices) are left out, and so are layers the forward did
    not call; naming such a layer is a ``ValueError``.

    Routes, each exact: a ``Linear`` layer's Jacobian is its weight matrix for
    every sample; an elementwise layer's (activations, Identity, Dropout) is
    diagonal, ``diag(f'(x))``, read off one vector-Jacobian product with a
    vector of ones; ``BatchNorm1d`` on ``(N, C)`` inputs has a diagonal
    per-sample block, given by its closed form; any other module's rows come
    from ``ag.vjp``, one output unit at a time for the whole batch when samples
    do not interact (checked by a probe), and one unit of one sample at a time
    when they do.

    The model's buffers (batch norm's running statistics) and the random
    generators of its modules (dropout masks) are put back as they were. With
    a ``GradientMonitor`` attached, this forward in training mode counts as
    the current step's forward, so call it before a step's forward, not
    between that forward and ``mon.step()``.
    """
    watched = resolve_layers(model, layers, _OWNER)
    explicit = layers is not None
    if not isinstance(x, ag.Tensor):
        x = ag.tensor(np.asarray(x))
    if x.ndim == 0 or x.shape[0] == 0:
        raise ValueError(f"{_OWNER}: x must be a non-empty batch (samples on axis 0), got "
                         f"shape {x.shape}")
    inputs, order = _record_inputs(model, x, watched)
    result = {}
    modules = dict(watched)
    saved = _save_state(model)
    try:
        for path in order:
            args = inputs[path]
            first = args[0] if args else None
            if not isinstance(first, ag.Tensor) or first.dtype.kind != "f":
                if explicit:
                    raise ValueError(f"{_OWNER}: layer {path!r} takes no floating-point "
                                     f"Tensor as its first input")
                continue
            result[path] = _mean_singular_value(modules[path], first.data, args[1:])
    finally:
        _restore_state(saved)
    missing = [p for p, _ in watched if p not in inputs]
    if explicit and missing:
        raise ValueError(f"{_OWNER}: the forward of {type(model).__name__} did not call "
                         f"{missing}")
    return result


def _record_inputs(model, x, watched):
    """Run ``model(x)`` once (no graph) and keep each watched layer's first input."""
    inputs, order = {}, []

    def make(path):
        def pre_hook(module, args):
            if path not in inputs:
                inputs[path] = tuple(ag.tensor(a.data.copy()) if isinstance(a, ag.Tensor)
                                     else a for a in args)
                order.append(path)
        return pre_hook

    handles = [m.register_forward_pre_hook(make(p)) for p, m in watched]
    saved = _save_state(model)
    try:
        with ag.no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
        _restore_state(saved)
    return inputs, order


def _save_state(model):
    """Copies of the buffers, and the states of the modules' random generators."""
    buffers = [(b, b.data.copy()) for b in model.buffers()]
    gens = []
    for m in model.modules():
        for value in vars(m).values():
            if isinstance(value, np.random.Generator):
                gens.append((value, value.bit_generator.state))
    return buffers, gens


def _restore_state(saved):
    buffers, gens = saved
    for b, data in buffers:
        if b.data.shape == data.shape and b.data.flags.writeable:
            np.copyto(b.data, data)
        else:
            b.data = data
    for g, state in gens:
        g.bit_generator.state = state


def _own_forward(module, cls):
    """True when ``module`` computes what ``cls`` computes (no overridden forward)."""
    return isinstance(module, cls) and type(module).forward is cls.forward


def _mean_singular_value(module, X, rest):
    if _own_forward(module, Linear) and not rest:
        # y = x W^T + b: J = W for every sample.
        return float(_svd_mean(module.weight.data[None]))
    if any(_own_forward(module, cls) for cls in _ELEMENTWISE) and not rest:
        return float(np.mean(np.abs(_elementwise_diagonal(module, X))))
    if (_own_forward(module, _BatchNorm) and isinstance(module, BatchNorm1d) and X.ndim == 2
            and not rest):
        return float(np.mean(np.abs(_batchnorm_diagonal(module, X))))
    return float(_svd_mean(_per_sample_jacobians(module, X, rest)))


def _frozen(fn):
    """``fn`` run with the module's parameters not requiring grad (then restored):
    the vector-Jacobian products then need no graph of the backward itself, which
    ``ag.vjp`` would otherwise record for a function that reaches other leaves."""
    def run(module, *args):
        params = list(module.parameters())
        flags = [p.requires_grad for p in params]
        try:
            for p in params:
                p.requires_grad_(False)
            return fn(module, *args)
        finally:
            for p, flag in zip(params, flags):
                p.requires_grad_(flag)
    return run


def _svd_mean(J):
    """Mean singular value of each matrix of the stack ``J``, averaged over the stack."""
    s = np.linalg.svd(np.asarray(J, np.float64), compute_uv=False)
    return s.mean(axis=-1).mean()


@_frozen
def _elementwise_diagonal(module, X):
    """f'(x) for an elementwise layer: J = diag(f'(x)), so v^T J with v = 1 is the
    diagonal itself."""
    out, vjp_fn = ag.vjp(module, ag.tensor(X))
    g, = vjp_fn(np.ones(out.shape, out.dtype))
    return g.data


def _batchnorm_diagonal(module, X):
    """Diagonal of sample b's block of batch norm's Jacobian, for ``(N, C)`` input.

    Channels do not mix, so the block d y_b / d x_b is diagonal. With the
    running statistics (evaluation) y = gamma (x - m) / sqrt(v + eps) + beta and
    the entry is gamma / sqrt(v + eps). With the batch's statistics the mean
    and the biased variance depend on x_b too: with x_hat = (x - mean) / s and
    s = sqrt(var + eps), d mean / d x_b = 1/N and d s / d x_b = (x_b - mean) /
    (N s), so d x_hat_b / d x_b = (1 - 1/N - x_hat_b^2 / N) / s, times gamma.
    """
    X = X.astype(np.float64)
    gamma = (module.weight.data.astype(np.float64) if module.weight is not None
             else np.ones(X.shape[1]))
    eps = float(module.eps)
    if module.training or not module.track_running_stats:
        n = X.shape[0]
        mean = X.mean(axis=0)
        s = np.sqrt(X.var(axis=0) + eps)
        x_hat = (X - mean) / s
        return gamma * (1.0 - 1.0 / n - x_hat ** 2 / n) / s
    var = module.running_var.data.astype(np.float64)
    return np.broadcast_to(gamma / np.sqrt(var + eps), X.shape)


@_frozen
def _per_sample_jacobians(module, X, rest):
    """``J[b] = d y_b / d x_b`` (flattened to ``(out units, in units)``) by ``ag.vjp``."""
    B = X.shape[0]
    out, vjp_fn = ag.vjp(lambda t: module(t, *rest), ag.tensor(X))
    if not isinstance(out, ag.Tensor) or out.ndim == 0 or out.shape[0] != B:
        raise ValueError(f"{_OWNER}: {type(module).__name__} must return a Tensor with the "
                         f"batch on axis 0 (got {getattr(out, 'shape', type(out).__name__)} "
                         f"for {B} samples)")
    n_out, n_in = out.size // B, X.size // B
    J = np.zeros((B, n_out, n_in))
    if n_out == 0:
        return J
    seed = np.zeros((B, n_out), out.dtype)

    def pull(v):
        g, = vjp_fn(v.reshape(out.shape))
        return g.data.reshape(B, n_in)

    coupled = False
    if B > 1:
        # Probe: a random cotangent on sample 0 only. If sample 0's output
        # depends on other samples (batch statistics), their inputs get a
        # non-zero gradient.
        seed[0] = np.random.default_rng(0).standard_normal(n_out)
        coupled = bool(np.any(pull(seed)[1:] != 0))
        seed[0] = 0
    if not coupled:
        # Samples are independent: a cotangent e_j on every sample gives row j of
        # every sample's Jacobian in one product.
        for j in range(n_out):
            seed[:, j] = 1
            J[:, j, :] = pull(seed)
            seed[:, j] = 0
    else:
        for b in range(B):
            for j in range(n_out):
                seed[b, j] = 1
                J[b, j, :] = pull(seed)[b]
                seed[b, j] = 0
    return J
