"""Argument checks shared by the layers and the optimisers: integer sizes, real
hyper-parameters and numeric inputs.

Each error names the class that was given the value and the argument, so
``nn.Linear(2.5, 3)`` says ``Linear: in_features must be an int``, rather than
silently building a layer of 2.
"""
import math
import numbers

import numpy as np

import autograd_core as ag

__all__ = ["size", "number", "numeric_input", "layer_dtype"]


def size(owner, name, value, minimum=0):
    """``value`` as a Python int, for a layer size.

    Python and NumPy integers are sizes; floats (even ``3.0``), strings, bools
    and anything else are a ``TypeError``, and an int below ``minimum`` a
    ``ValueError``, each starting with ``owner`` (the class name) and naming
    the argument ``name``.
    """
    # bool is an Integral, but True as a width is a mistake, not a 1.
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{owner}: {name} must be an int, got {type(value).__name__} "
                        f"{value!r}")
    value = int(value)
    if value < minimum:
        raise ValueError(f"{owner}: {name} must be >= {minimum}, got {value}")
    return value


def number(owner, name, value, low=0.0, high=None, high_open=False):
    """``value`` as a float, for a hyper-parameter (a learning rate, ``eps``, ``p``).

    A ``TypeError`` unless ``value`` is a real number (a bool, a string such as
    ``"0.1"``, None or a list is not: each would only fail, or silently misbehave,
    later), and a ``ValueError`` unless ``low <= value`` (and ``< high`` with
    ``high_open``, else ``<= high``); NaN is out of every range. Both messages
    start with ``owner`` and name the argument ``name``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a real number, got "
                        f"{type(value).__name__} {value!r}")
    v = float(value)
    if math.isnan(v) or v < low or (high is not None and (v >= high if high_open else v > high)):
        bound = "" if high is None else (f" and < {high}" if high_open else f" and <= {high}")
        raise ValueError(f"{owner}: invalid {name}: {value!r} (expected >= {low}{bound})")
    return v


def layer_dtype(module):
    """The dtype a layer computes in: that of its first floating parameter or buffer
    (its own first, then its children's), or ``None`` for a layer without floating
    state (activations, pooling, dropout, flatten)."""
    for registry in (module._parameters, module._buffers):
        for t in registry.values():
            if t is not None and t.dtype.kind == "f":
                return t.dtype
    if module._modules:
        for t in module.parameters():
            if t.dtype.kind == "f":
                return t.dtype
        for t in module.buffers():
            if t.dtype.kind == "f":
                return t.dtype
    return None


def numeric_input(module, x):
    """``x`` checked to hold numbers and converted to the dtype the layer computes in.

    **The input dtype rule** (the one place it is implemented; every layer's
    ``forward`` passes its input through here): a layer with floating parameters
    or buffers (``Linear``, ``Conv2d``, ``BatchNorm1d/2d``, ``LayerNorm``, and so
    ``MLP``, ``Sequential`` and ``Residual`` around them) computes in *its own*
    dtype, float32 unless it was made with ``dtype=`` or converted with
    ``Module.to``. A float64, integer or bool input, NumPy array or Tensor alike,
    is converted to that dtype, so the same values give the same result whatever
    container they come in, and a float64 array never silently turns a float32
    model into a float64 one (and back again at the next NumPy input). A Tensor
    is converted with ``Tensor.astype``, which is recorded: its gradient comes
    back converted to the Tensor's own dtype (a float64 input gets a float64
    ``.grad``). For more precision, make the layer float64 (``dtype=np.float64``
    or ``model.to(np.float64)``). PyTorch raises on such a mismatch instead;
    converting keeps NumPy inputs, the common case here, working.

    A layer without floating state (activations, pooling, dropout, flatten)
    returns ``x`` as given and computes in its dtype, as the ``nn.functional``
    ops do. ``Embedding`` takes integer indices and does not come here.

    A string (or other non-number) input is a ``TypeError`` naming the layer and
    the dtype: without this a string array reaches NumPy's float conversion,
    which turns ``"1"`` into 1.0 without a word and fails on ``"a"`` with a
    message naming neither the layer nor the input.
    """
    arr = x if isinstance(x, (ag.Tensor, np.ndarray)) else np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{type(module).__name__}: the input has dtype {arr.dtype} (shape "
                        f"{tuple(arr.shape)}); expected numbers (float, int or bool)")
    dtype = layer_dtype(module)
    if dtype is None or arr.dtype == dtype:
        return x
    if isinstance(x, ag.Tensor):
        return x.astype(dtype)
    return ag.tensor(arr, dtype=dtype)
