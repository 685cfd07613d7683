"""Argument checks shared by the layers: integer sizes and numeric inputs.

Each error names the class that was given the value and the argument, so
``nn.Linear(2.5, 3)`` says ``Linear: in_features must be an int``, rather than
silently building a layer of 2.
"""
import numbers

import numpy as np

import autograd_core as ag

__all__ = ["size", "numeric_input"]


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
