"""Nested checkpoints as JSON plus arrays: how ``nn.save`` stores a structure.

``encode(obj)`` walks nested dicts, lists and tuples and returns ``(tree,
arrays)``: ``tree`` is JSON-ready, ``arrays`` the ``(member name, ndarray)``
pairs it refers to; ``decode(tree, read_array)`` rebuilds the object. Plain
JSON values stand for themselves (``None``, bools, ints, finite floats,
strings, lists); everything JSON cannot say exactly is an object with one tag:

- ``{"dict": [[key, value], ...]}``: a dict, keys ``str`` or ``int`` (an
  optimiser's state is keyed by parameter index), order kept;
- ``{"tuple": [...]}``: a tuple (Adam's ``betas``);
- ``{"float": "nan" | "inf" | "-inf"}``: a float JSON has no literal for;
- ``{"array": name}``: an ndarray (or Tensor, saved as its array) stored as the
  member ``name``;
- ``{"scalar": name}``: a NumPy scalar (``np.float32(0.5)``), stored as a 0-d
  array and read back as the same scalar type.

Member names are the keys along the path joined by ``/`` (``model/0.weight.npy``,
``optimizer/state/0/exp_avg.npy``), with ``~2``, ``~3`` ... added if two paths
give the same name; a key that a member name cannot hold as it is (a NUL, a
backslash, a lone surrogate, a very long key) gives a cleaned, shortened
label instead. Ints, floats and strings round-trip exactly (Python's JSON
writes floats with ``repr``), so a resumed run sees the very same numbers.
"""
import math
import numbers
from collections.abc import Mapping

import numpy as np

import autograd_core as ag

from ._npz import member_name_ok

__all__ = ["encode", "decode", "number_array", "TAGS"]

TAGS = ("dict", "tuple", "float", "array", "scalar")


def _where(path):
    return "checkpoint" + "".join(f"[{k!r}]" for k in path)


def number_array(value, where):
    """The ndarray of ``value`` (an ndarray or Tensor); a TypeError naming ``where``
    unless it holds numbers, which is all that ``.npy`` stores without pickle."""
    arr = value.data if isinstance(value, ag.Tensor) else value
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"nn.save: {where} has dtype {arr.dtype}; only number arrays "
                        "can be saved (without pickle)")
    return arr


class _Encoder:
    def __init__(self):
        self.arrays = []
        self.names = set()
        self.open = set()           # ids of the containers on the current path

    def member(self, path, arr):
        base = "/".join(str(k) for k in path) or "value"
        if not member_name_ok(base + ".npy"):
            # The JSON keeps the keys exactly; the member's name is only a label.
            base = base.encode("utf-8", "replace").decode("utf-8")
            base = base.replace("\x00", "_").replace("\\", "_")[:200]
        name, n = base + ".npy", 1
        while name in self.names:
            n += 1
            name = f"{base}~{n}.npy"
        self.names.add(name)
        self.arrays.append((name, arr))
        return name

    def encode(self, value, path):
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, np.generic):        # before float: np.float64 is a float
            arr = np.asarray(value)
            number_array(arr, _where(path))
            return {"scalar": self.member(path, arr)}
        if isinstance(value, int):
            return int(value)                 # an int subclass (IntEnum...) as a plain int
        if isinstance(value, float):
            v = float(value)
            if math.isfinite(v):
                return v
            return {"float": "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")}
        if isinstance(value, (np.ndarray, ag.Tensor)):
            arr = np.asarray(number_array(value, _where(path)))
            return {"array": self.member(path, arr)}
        if isinstance(value, (Mapping, list, tuple)):
            if id(value) in self.open:
                raise ValueError(f"nn.save: {_where(path)} contains itself")
            self.open.add(id(value))
            try:
                return self.container(value, path)
            finally:
                self.open.discard(id(value))
        hint = (": save its state_dict() instead" if callable(getattr(value, "state_dict",
                                                                         None)) else "")
        raise TypeError(f"nn.save: cannot save {type(value).__name__} at {_where(path)}"
                        f"{hint} (a checkpoint holds dicts, lists, tuples, arrays, numbers, "
                        "strings, bools and None)")

    def container(self, value, path):
        if isinstance(value, Mapping):
            items = []
            for k, v in value.items():
                if isinstance(k, (bool, np.bool_)) or not isinstance(k, (str, numbers.Integral)):
                    raise TypeError(f"nn.save: the key {k!r} in {_where(path)} is a "
                                    f"{type(k).__name__}; keys must be str or int")
                k = k if isinstance(k, str) else int(k)
                items.append([k, self.encode(v, path + (k,))])
            return {"dict": items}
        encoded = [self.encode(v, path + (i,)) for i, v in enumerate(value)]
        return {"tuple": encoded} if isinstance(value, tuple) else encoded


def encode(obj):
    """``(tree, arrays)`` for ``obj``; TypeError naming the path of anything that
    cannot be stored exactly without pickle."""
    enc = _Encoder()
    tree = enc.encode(obj, ())
    return tree, enc.arrays


def decode(tree, read_array, error):
    """Rebuild what ``encode`` stored: ``read_array(name)`` reads a member,
    ``error(message)`` makes the exception for a tree that ``encode`` cannot have
    written. Returns ``(obj, names of the members used)``."""
    used = set()

    def walk(node, path):
        if node is None or isinstance(node, (bool, str, int, float)):
            return node
        if isinstance(node, list):
            return [walk(v, path + (i,)) for i, v in enumerate(node)]
        if not isinstance(node, dict) or len(node) != 1 or next(iter(node)) not in TAGS:
            raise error(f"unexpected entry at {_where(path)} in the structure: {node!r:.80}")
        tag, body = next(iter(node.items()))
        if tag == "dict":
            if not isinstance(body, list):
                raise error(f"malformed dict at {_where(path)} in the structure")
            out = {}
            for item in body:
                if (not isinstance(item, list) or len(item) != 2 or isinstance(item[0], bool)
                        or not isinstance(item[0], (str, int))):
                    raise error(f"malformed dict item at {_where(path)} in the structure")
                out[item[0]] = walk(item[1], path + (item[0],))
            return out
        if tag == "tuple":
            if not isinstance(body, list):
                raise error(f"malformed tuple at {_where(path)} in the structure")
            return tuple(walk(v, path + (i,)) for i, v in enumerate(body))
        if tag == "float":
            if body not in ("nan", "inf", "-inf"):
                raise error(f"malformed float {body!r} at {_where(path)} in the structure")
            return float(body)
        if not isinstance(body, str):                        # "array" or "scalar"
            raise error(f"malformed {tag} reference at {_where(path)} in the structure")
        used.add(body)
        arr = read_array(body)
        if tag == "scalar":
            if arr.shape != ():
                raise error(f"the scalar at {_where(path)} (member {body!r}) has shape "
                            f"{arr.shape}")
            return arr[()]
        return arr

    try:
        return walk(tree, ()), used
    except RecursionError:
        raise error("the structure is nested too deeply") from None
