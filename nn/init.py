"""Weight initialisation, as ``torch.nn.init``: each function fills a tensor in place.

Every function writes into ``tensor.data`` (keeping its dtype and shape) and
returns the tensor. The random ones take ``rng=`` (a ``np.random.Generator``)
or ``seed=``; with neither they draw from a fresh, unseeded generator. Samples
are drawn in float64 and then cast, so the same seed gives the same values (up
to rounding) whatever the tensor's dtype.

Gains and fans follow PyTorch: ``fan_in = shape[1] * prod(shape[2:])`` and
``fan_out = shape[0] * prod(shape[2:])`` (a ``Linear`` weight is
``(out_features, in_features)``).
"""
import math

import numpy as np

import autograd_core as ag

__all__ = ["calculate_gain", "uniform_", "normal_", "constant_", "zeros_", "ones_",
           "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"]


def _generator(rng, seed, name):
    """The generator to draw from: ``rng``, or a new one seeded with ``seed`` (maybe None)."""
    if rng is not None and seed is not None:
        raise ValueError(f"{name}: give rng= or seed=, not both")
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"{name}: rng must be a numpy.random.Generator, got "
                            f"{type(rng).__name__}")
        return rng
    return np.random.default_rng(seed)


def _float_dtype(dtype, name):
    """``dtype`` as a floating NumPy dtype; ``None`` gives autograd_core's default (float32)."""
    if dtype is None:
        return ag.get_default_dtype()
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise TypeError(f"{name}: dtype must be floating point, got {dt}")
    return dt


def _fill(tensor, values):
    data = tensor.data
    if data.dtype.kind != "f":
        raise TypeError(f"nn.init: can only fill floating tensors, got dtype {data.dtype}")
    # Through the Tensor, as an optimiser step: the write bumps its version, so a
    # backward through a graph made before it raises instead of using new values.
    with ag.no_grad():
        tensor.copy_(values)
    return tensor


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for an activation, as PyTorch's ``calculate_gain``.

    linear/identity/conv/sigmoid: 1; tanh: 5/3; relu: sqrt(2); leaky_relu:
    sqrt(2 / (1 + slope**2)) with ``param`` the slope (0.01 by default); selu: 3/4.
    """
    if nonlinearity in ("linear", "identity", "conv1d", "conv2d", "conv3d", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def _fans(tensor, name):
    shape = tensor.data.shape
    if len(shape) < 2:
        raise ValueError(f"{name}: fan in and fan out cannot be computed for a tensor with "
                         f"fewer than 2 dimensions (shape {shape})")
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _fan(tensor, mode, name):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"{name}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _fans(tensor, name)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a=0.0, b=1.0, rng=None, seed=None):
    """Fill with samples from U(a, b)."""
    gen = _generator(rng, seed, "uniform_")
    return _fill(tensor, gen.uniform(a, b, tensor.data.shape))


def normal_(tensor, mean=0.0, std=1.0, rng=None, seed=None):
    """Fill with samples from N(mean, std**2)."""
    gen = _generator(rng, seed, "normal_")
    return _fill(tensor, gen.normal(mean, std, tensor.data.shape))


def constant_(tensor, val):
    """Fill with ``val``."""
    return _fill(tensor, val)


def zeros_(tensor):
    """Fill with zeros."""
    return _fill(tensor, 0)


def ones_(tensor):
    """Fill with ones."""
    return _fill(tensor, 1)


def xavier_uniform_(tensor, gain=1.0, rng=None, seed=None):
    """Glorot uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(tensor, "xavier_uniform_")
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -a, a, rng=rng, seed=seed)


def xavier_normal_(tensor, gain=1.0, rng=None, seed=None):
    """Glorot normal: N(0, std**2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(tensor, "xavier_normal_")
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return normal_(tensor, 0.0, std, rng=rng, seed=seed)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", rng=None,
                     seed=None):
    """He uniform: U(-b, b) with b = gain * sqrt(3 / fan), gain = calculate_gain(nonlinearity, a).

    ``a`` is the negative slope of the leaky ReLU that follows (0: plain ReLU).
    ``Linear``'s default init is this with ``a=sqrt(5)``: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    """
    fan = _fan(tensor, mode, "kaiming_uniform_")
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / fan) if fan else 0.0
    return uniform_(tensor, -bound, bound, rng=rng, seed=seed)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", rng=None,
                    seed=None):
    """He normal: N(0, std**2) with std = gain / sqrt(fan).

    gain = calculate_gain(nonlinearity, a); ``a`` as in ``kaiming_uniform_``.
    """
    fan = _fan(tensor, mode, "kaiming_normal_")
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan) if fan else 0.0
    return normal_(tensor, 0.0, std, rng=rng, seed=seed)
