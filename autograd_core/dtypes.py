"""Default float dtype and the conversion of user data into NumPy arrays."""
from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

__all__ = ["set_default_dtype", "get_default_dtype", "as_array"]

_default: np.dtype[Any] = np.dtype(np.float32)

# dtype kinds a Tensor may hold: bool, signed and unsigned ints, floats.
_SUPPORTED_KINDS = "biuf"


def set_default_dtype(dtype: DTypeLike) -> None:
    """Set the dtype that Python floats (and lists holding a float) become."""
    global _default
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise TypeError(f"default dtype must be a floating dtype, got {dt}")
    _default = dt


def get_default_dtype() -> np.dtype[Any]:
    """Return the dtype that Python floats become (``float32`` unless changed)."""
    return _default


def check_dtype(dt, what="tensor"):
    """Raise ``TypeError`` for dtypes a Tensor cannot hold (complex, object, strings...)."""
    if dt.kind not in _SUPPORTED_KINDS:
        raise TypeError(f"unsupported dtype {dt} for a {what}: use a bool, integer or "
                        "floating dtype")
    return dt


def as_array(data, dtype=None):
    """Convert a number, nested list, NumPy array or Tensor into a fresh ndarray.

    Python floats (and lists that hold any float) take the default dtype, Python
    ints become int64 and bools stay bool; NumPy data keeps its own dtype.
    """
    if dtype is not None:
        dtype = check_dtype(np.dtype(dtype))
    if hasattr(data, "_is_tensor"):
        data = data.data
    if isinstance(data, (np.ndarray, np.generic)):
        arr = np.array(data, dtype=dtype)
    else:
        if isinstance(data, numbers.Complex) and not isinstance(data, numbers.Real):
            raise TypeError(f"unsupported dtype complex for a tensor (got {data!r})")
        try:
            arr = np.array(data, dtype=dtype)
        except ValueError as e:
            if "inhomogeneous" in str(e) or "sequence" in str(e):
                raise ValueError("cannot make a tensor from a ragged nested sequence: "
                                 "every sublist at the same depth must have the same "
                                 f"length ({e})") from None
            raise
        if dtype is None:
            if arr.dtype == np.float64 and _python_floats(data):
                arr = arr.astype(_default)
            elif arr.dtype.kind in "iu" and arr.dtype != np.int64:
                arr = arr.astype(np.int64)
    check_dtype(arr.dtype)
    return arr


def _python_floats(data):
    """True when ``data`` holds Python numbers (not NumPy float64 scalars/arrays) only."""
    if isinstance(data, (list, tuple)):
        # Lists of NumPy float64 arrays keep float64; plain Python lists do not.
        return all(_python_floats(x) for x in data) if data else True
    return not isinstance(data, (np.ndarray, np.generic)) and not hasattr(data, "_is_tensor")
