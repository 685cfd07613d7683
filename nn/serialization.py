"""``save`` and ``load``: state dicts and whole checkpoints as ``.npz`` files, never pickled.

Both layouts are plain ``.npz`` archives that ``np.load(path, allow_pickle=False)``
reads too:

- a flat state dict (string keys, every value an array or Tensor: what
  ``Module.state_dict()`` gives) is one ``.npy`` member per key, in order;
- anything else (an optimiser's ``state_dict()``, a DataLoader's, or a whole
  checkpoint: nested dicts, lists, tuples, ints, floats, strings, bools, None
  and arrays) is one ``.npy`` member per array plus a JSON member,
  ``nn.structure.json``, holding the nesting and every other value exactly
  (see ``nn._tree``).

A checkpoint that resumes training bit for bit::

    nn.save({"model": model.state_dict(), "optimizer": opt.state_dict(),
             "loader": loader.state_dict(), "epoch": epoch, "history": history},
            "checkpoint.npz")
    ...
    ckpt = nn.load("checkpoint.npz")
    model.load_state_dict(ckpt["model"])
    opt.load_state_dict(ckpt["optimizer"])
    loader.load_state_dict(ckpt["loader"])     # its seed and epoch count: the data order
    nn.fit(model, loss_fn, opt, loader, epochs=...)

The loader's state matters: epoch ``e`` of a shuffling ``DataLoader`` is drawn
from ``(seed, e)``, so a fresh loader would replay epoch 0's order. A model
with ``Dropout`` draws its masks from a generator whose state is not in the
``state_dict``; save ``layer.rng.bit_generator.state`` (a dict of ints and
strings) as well, and assign it back.

Loading never unpickles and checks every size before trusting it: a damaged
file (empty, truncated, not a zip archive, a member whose ``.npy`` header
declares more data than it holds or a negative dimension) is a ``ValueError``
naming the path and the cause, and no file is left open.
"""
import json
import os
from collections import OrderedDict
from collections.abc import Mapping

import numpy as np

import autograd_core as ag

from . import _tree
from ._npz import NpzReader, member_name_ok, write_npz

__all__ = ["save", "load"]

STRUCTURE = "nn.structure.json"      # the JSON member of a nested checkpoint
_FORMAT = "nn.save"
_VERSION = 1


def _is_flat(state):
    # One member per key: only for keys that a member name holds exactly.
    return all(isinstance(k, str) and k and member_name_ok(k + ".npy") for k in state) and all(
        isinstance(v, (np.ndarray, ag.Tensor)) for v in state.values())


def _flat_members(state):
    return [(key + ".npy", _tree.number_array(value, f"the value of {key!r}"))
            for key, value in state.items()]


def _structured_members(state):
    tree, arrays = _tree.encode(state)
    doc = {"format": _FORMAT, "version": _VERSION, "root": tree}
    # allow_nan=False: non-finite floats are tagged by the encoder, so the JSON is strict.
    # ASCII (escapes): every str round-trips, a lone surrogate in a key too.
    text = json.dumps(doc, allow_nan=False).encode("ascii")
    return [(STRUCTURE, text)] + arrays


def save(obj, path):
    """Write ``obj`` to ``path`` (an .npz file): a ``Module`` (its ``state_dict()``),
    any object with a ``state_dict()`` method (an optimiser, a ``DataLoader``), a
    flat dict of arrays, or a checkpoint dict nesting dicts (str or int keys),
    lists, tuples, arrays, Tensors, NumPy scalars, ints, floats (NaN too),
    strings, bools and None.

    ``path`` is used exactly as given (no extension is added); it may also be an
    open binary file. Everything is checked before the file is opened: a value
    that cannot be stored exactly without pickle (an object array, a set, a
    Module inside a dict) is a ``TypeError`` naming where it is, and an existing
    file is left untouched.
    """
    state = obj.state_dict() if callable(getattr(obj, "state_dict", None)) else obj
    if not isinstance(state, Mapping):
        raise TypeError(f"nn.save: expected a Module or a dict of arrays (or a checkpoint "
                        f"dict), got {type(obj).__name__}")
    members = _flat_members(state) if _is_flat(state) else _structured_members(state)
    if isinstance(path, (str, bytes, os.PathLike)):
        with open(path, "wb") as f:
            write_npz(f, members)
    else:
        write_npz(path, members)


def load(path):
    """Read a file written by ``save``.

    A flat state dict comes back as an ``OrderedDict`` of key -> ``np.ndarray``
    (put it into a model with ``model.load_state_dict(nn.load(path))``); a
    nested checkpoint as the structure that was saved (dicts, lists, tuples,
    arrays, NumPy scalars, numbers, strings, None; Tensors come back as arrays).

    Raises ``ValueError`` naming the path, the member and the cause for anything
    but an .npz archive of number arrays as ``save`` writes: a pickle, an
    object array, a member that is not an array, an empty, truncated or
    otherwise damaged file. Nothing is ever unpickled, no array is allocated
    before its declared size has been checked against the file, and the file
    is closed again whatever happens (an open file object passed in is left
    open).
    """
    with NpzReader(path) as reader:
        if STRUCTURE in reader.names:
            return _load_structure(reader)
        state = OrderedDict()
        for name in reader.names:
            if not name.endswith(".npy"):
                raise reader.error("not a .npy array; expected number arrays as written "
                                   "by nn.save", name)
            state[name[:-4]] = reader.read_array(name)
        return state


def _reject_constant(name):
    raise ValueError(f"the JSON holds the bare constant {name}")


def _load_structure(reader):
    def damaged(message):
        return reader.error(message, STRUCTURE)

    raw = reader.read_bytes(STRUCTURE)
    try:
        doc = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise damaged(f"not valid JSON ({exc})") from None
    if (not isinstance(doc, dict) or doc.get("format") != _FORMAT or "root" not in doc):
        raise damaged("not a structure written by nn.save")
    if doc.get("version") != _VERSION:
        raise damaged(f"format version {doc.get('version')!r}; this nn reads version "
                      f"{_VERSION}")

    def read_array(name):
        if name not in reader.names or not name.endswith(".npy"):
            raise damaged(f"the structure refers to a member {name!r} that the archive "
                          "does not hold")
        return reader.read_array(name)

    obj, used = _tree.decode(doc["root"], read_array, damaged)
    stray = [n for n in reader.names if n != STRUCTURE and n not in used]
    if stray:
        raise reader.error(f"the archive holds member(s) {stray} that its structure does "
                           "not refer to (changed after nn.save wrote it?)")
    return obj
