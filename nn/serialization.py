"""``save`` and ``load``: state dicts as ``.npz`` files, never pickled.

A file holds one ``.npy`` member per state_dict key, in order; ``np.load(path,
allow_pickle=False)`` reads it too. Saving refuses object arrays, and loading
never unpickles, so loading an untrusted file cannot run code.
"""
import os
import zipfile
from collections import OrderedDict

import numpy as np

import autograd_core as ag

from .module import Module

__all__ = ["save", "load"]


def save(obj, path):
    """Write a module's ``state_dict()`` (or a dict of arrays) to ``path`` (an .npz file).

    ``path`` is used exactly as given (no extension is added); it may also be
    an open binary file.
    """
    state = obj.state_dict() if isinstance(obj, Module) else obj
    if not hasattr(state, "items"):
        raise TypeError(f"nn.save: expected a Module or a dict of arrays, got "
                        f"{type(obj).__name__}")
    arrays = []
    for key, value in state.items():
        if not isinstance(key, str) or not key:
            raise TypeError(f"nn.save: keys must be non-empty strings, got {key!r}")
        arr = value.data if isinstance(value, ag.Tensor) else np.asarray(value)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"nn.save: value of {key!r} has dtype {arr.dtype}; only number "
                            "arrays can be saved (without pickle)")
        arrays.append((key, arr))
    if isinstance(path, (str, os.PathLike)):
        with open(path, "wb") as f:
            _write(f, arrays)
    else:
        _write(path, arrays)


def _write(f, arrays):
    # What np.savez writes, without its keyword-argument keys (a key "file" would clash).
    with zipfile.ZipFile(f, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for key, arr in arrays:
            with zf.open(key + ".npy", mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asanyarray(arr), allow_pickle=False)


def load(path):
    """Read a file written by ``save``: an ``OrderedDict`` of key -> ``np.ndarray``.

    Put it into a model with ``model.load_state_dict(nn.load(path))``. Raises
    ``ValueError`` for anything but an .npz of number arrays (a pickle, an
    object array, a member that is not an array), naming the offending member;
    nothing is ever unpickled.
    """
    try:
        data = np.load(path, allow_pickle=False)
    except ValueError as exc:       # NumPy's words for "a pickle, or not NumPy's format"
        raise ValueError(f"nn.load: {path!r} is not an .npz file of number arrays "
                         f"(nothing was unpickled): {exc}") from exc
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise ValueError(f"nn.load: {path!r} holds a single array, not an .npz file of "
                         "named arrays")
    state = OrderedDict()
    with data:
        for key in data.files:
            try:
                value = data[key]
            except ValueError as exc:                   # an object (pickled) array
                raise ValueError(f"nn.load: member {key!r} of {path!r} cannot be read "
                                 f"without unpickling: {exc}") from exc
            if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
                what = (f"dtype {value.dtype}" if isinstance(value, np.ndarray)
                        else "not a .npy array")
                raise ValueError(f"nn.load: member {key!r} of {path!r} is {what}; "
                                 "expected number arrays as written by nn.save")
            state[key] = value
    return state
