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

__all__ = ["size", "number", "numeric_input"]


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


def numeric_input(module, x):
    """``x`` unchanged when it holds numbers (bool, int or float); otherwise a
    ``TypeError`` naming the layer and the dtype.

    Without this a string array reaches NumPy's float conversion, which turns
    ``"1"`` into 1.0 without a word and fails on ``"a"`` with a message naming
    neither the layer nor the input. Other inputs (numbers, nested lists) are
    looked at through ``np.asarray`` but returned as given, so they become
    Tensors exactly as before (Python floats as the default dtype).
    """
    arr = x if isinstance(x, (ag.Tensor, np.ndarray)) else np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{type(module).__name__}: the input has dtype {arr.dtype} (shape "
                        f"{tuple(arr.shape)}); expected numbers (float, int or bool)")
    return x
