"""``batch_norm`` and ``layer_norm``, composed of autograd_core ops (any order of gradient)."""
import numpy as np

import autograd_core as ag

from ._util import as_tensor

__all__ = ["batch_norm", "layer_norm"]


def _data(t):
    return t.data if isinstance(t, ag.Tensor) else t


def _normalize(x, axes, eps):
    """(x - mean) / sqrt(var + eps) over ``axes``, with the mean and (biased) variance."""
    mean = x.mean(axis=axes, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axis=axes, keepdims=True)
    return centred / ag.sqrt(var + eps), mean, var


def batch_norm(x, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Normalise each channel (axis 1) over the batch and any axes after the channels.

    ``x`` is ``(N, C)``, ``(N, C, L)``, ``(N, C, H, W)``...; ``running_mean`` and
    ``running_var`` are ``(C,)`` Tensors or arrays (or ``None``). With
    ``training=True`` the batch's mean and biased variance normalise ``x``, and
    the running statistics, when given, are updated in place:
    ``running = (1 - momentum) * running + momentum * batch``, using the
    unbiased variance, as PyTorch. With ``training=False`` the running
    statistics normalise ``x``. ``weight`` and ``bias`` (``(C,)``) scale and shift.
    """
    x = as_tensor(x)
    if x.ndim < 2:
        raise ValueError(f"batch_norm: input must have a batch and a channel axis, (N, C, ...), "
                         f"got shape {x.shape}")
    c = x.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != (c,):
            raise ValueError(f"batch_norm: {name} must have shape ({c},) for input of shape "
                             f"{x.shape}, got {tuple(t.shape)}")
    axes = (0,) + tuple(range(2, x.ndim))
    # Per-channel values broadcast against x as (C, 1, ..., 1).
    channel_shape = (c,) + (1,) * (x.ndim - 2)
    if training or running_mean is None or running_var is None:
        n = x.size // c
        if training and n <= 1:
            raise ValueError(f"batch_norm: expected more than 1 value per channel when "
                             f"training, got input of shape {x.shape}")
        out, mean, var = _normalize(x, axes, eps)
        if training and running_mean is not None and running_var is not None:
            rm, rv = _data(running_mean), _data(running_var)
            rm *= 1 - momentum
            rm += momentum * mean.data.reshape(c)
            rv *= 1 - momentum
            rv += (momentum * n / (n - 1)) * var.data.reshape(c)     # unbiased
    else:
        mean = _data(running_mean).reshape(channel_shape)
        inv_std = 1.0 / np.sqrt(_data(running_var).reshape(channel_shape) + eps)
        out = (x - mean.astype(x.dtype, copy=False)) * inv_std.astype(x.dtype, copy=False)
    if weight is not None:
        out = out * (weight if x.ndim == 2 else weight.reshape(channel_shape))
    if bias is not None:
        out = out + (bias if x.ndim == 2 else bias.reshape(channel_shape))
    return out


def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the last ``len(normalized_shape)`` axes of each sample.

    Uses the biased variance, as PyTorch; ``weight`` and ``bias`` (shaped
    ``normalized_shape``) scale and shift.
    """
    x = as_tensor(x)
    shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) \
        else tuple(normalized_shape)
    k = len(shape)
    if k == 0 or x.shape[x.ndim - k:] != shape or x.ndim < k:
        raise ValueError(f"layer_norm: input of shape {x.shape} does not end with "
                         f"normalized_shape {shape}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise ValueError(f"layer_norm: {name} must have shape {shape}, got {tuple(t.shape)}")
    out, _, _ = _normalize(x, tuple(range(x.ndim - k, x.ndim)), eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out
