"""Activation functions (thin wrappers over autograd_core's differentiable ops).

Each accepts a Tensor, or array-like data, which becomes a constant Tensor.
"""
import autograd_core as ag

from ._util import as_tensor

__all__ = ["relu", "sigmoid", "tanh", "leaky_relu", "gelu", "softplus", "softmax",
           "log_softmax"]


def relu(x):
    """max(x, 0) elementwise; the gradient at 0 is 0, as PyTorch."""
    return ag.relu(as_tensor(x))


def sigmoid(x):
    """1 / (1 + exp(-x)) elementwise, finite for any input."""
    return ag.sigmoid(as_tensor(x))


def tanh(x):
    """Hyperbolic tangent elementwise."""
    return ag.tanh(as_tensor(x))


def leaky_relu(x, negative_slope=0.01):
    """x where x > 0, else negative_slope * x."""
    return ag.leaky_relu(as_tensor(x), negative_slope)


def gelu(x, approximate="none"):
    """x * Phi(x) (exact, with erf); ``approximate="tanh"`` uses the tanh formula."""
    return ag.gelu(as_tensor(x), approximate=approximate)


def softplus(x):
    """log(1 + exp(x)) elementwise, finite for any input."""
    return ag.softplus(as_tensor(x))


def _axis(op, axis, dim):
    """One axis from NumPy's ``axis=`` or PyTorch's ``dim=`` (default -1)."""
    if axis is not None and dim is not None:
        raise TypeError(f"{op}: got both axis={axis!r} and dim={dim!r}; use one")
    return -1 if axis is None and dim is None else axis if dim is None else dim


def softmax(x, axis=None, dim=None):
    """exp(x) / sum(exp(x)) along ``axis`` (or PyTorch's ``dim``; default -1),
    without overflow."""
    return ag.softmax(as_tensor(x), axis=_axis("softmax", axis, dim))


def log_softmax(x, axis=None, dim=None):
    """log(softmax(x)) along ``axis`` (or PyTorch's ``dim``; default -1), computed
    stably (x - logsumexp(x))."""
    return ag.log_softmax(as_tensor(x), axis=_axis("log_softmax", axis, dim))
