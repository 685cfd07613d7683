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

    Put it into a model with ``model.load_state_dict(nn.load(path))``.
    """
    data = np.load(path, allow_pickle=False)
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise ValueError(f"nn.load: {path!r} holds a single array, not an .npz file of "
                         "named arrays")
    with data:
        return OrderedDict((k, data[k]) for k in data.files)
