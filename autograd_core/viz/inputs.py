"""Inputs that do not require grad (data, targets, constants), recorded for drawings.

A node's ``next`` edges are ``None`` for inputs that need no gradient, so the
graph alone does not know the data ``x`` of ``x @ W``, the targets of a loss or
the exponent of a ``Pow``. While recording is on, each recorded op that has
such inputs gets an ``InputNote`` per position: shape, dtype, a copy of the
value when it has at most ``VALUES`` elements, the tensor's ``.name`` and the
forward parameter's name ("target", "b"). Never the array itself: a note keeps
no data alive and refers to no graph object. Notes live in a map keyed weakly
by node, so they die with their graph.

Recording is on from ``import autograd_core.viz`` (``set_record_inputs(False)``
turns it off): the note-taker is one of ``autograd_core.function.graph_observers``,
called as each recorded op's node is linked. Ops whose inputs all get a
gradient pay one check of their edges, and ops with such an input a few
microseconds; ``benchmarks/bench_viz_inputs.py`` measures a training step with
recording off and on.
"""
import inspect
import threading
import weakref
from collections import namedtuple
from numbers import Number

import numpy as np

from .. import function
from ..tensor import Tensor as _Tensor

__all__ = ["InputNote", "set_record_inputs", "recording_inputs", "notes_of"]

VALUES = 6              # values of at most this many elements are kept

InputNote = namedtuple("InputNote", "shape dtype value name role")
InputNote.__doc__ = """What a drawing knows of an input that needs no gradient.

``shape``, ``dtype``; ``value``: a copy when it has at most ``VALUES`` elements,
else None; ``name``: the tensor's ``.name`` (or None); ``role``: the name of the
op's forward parameter it was passed as ("x", "target", "b"), or None.
"""

_notes = None                   # node -> tuple (InputNote or None per positional input)
_lock = threading.Lock()
_roles: dict = {}               # op class -> names of forward's positional parameters
_state = {"on": False}


def _role_names(cls):
    names = _roles.get(cls)
    if names is None:
        try:
            ps = list(inspect.signature(cls.forward).parameters.values())[1:]   # not ctx
            names = tuple(p.name for p in ps
                          if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
        except (TypeError, ValueError):
            names = ()
        _roles[cls] = names
    return names


_ndarray = np.ndarray
_new = tuple.__new__             # InputNote(...) without namedtuple's Python-level __new__
_DTYPES = {float: np.dtype(np.float64), int: np.dtype(np.int64)}


def describe(a, role=None):
    """An ``InputNote`` for an array-like input, None for anything else (options, None).

    Python numbers keep their value as is (turned into an array when drawn):
    noting a constant must cost next to nothing.
    """
    t = a.__class__
    if t is float or t is int:
        return _new(InputNote, ((), _DTYPES[t], a, None, role))
    name = None
    if getattr(a, "_is_tensor", False):
        data = a.data
        name = a.name
    elif isinstance(a, np.ndarray):
        data = a
    elif isinstance(a, (Number, np.generic)) and not isinstance(a, bool):
        data = np.asarray(a)
    else:
        return None                     # strings, None, tuples: options, not inputs
    value = data.copy() if data.size <= VALUES else None
    return _new(InputNote, (data.shape, data.dtype, value, name, role))


class _Notes:
    """node -> notes, by identity, through plain weak references (no callbacks).

    Dead entries are dropped in sweeps whenever the table has doubled since
    the last one, which keeps an insertion at a dict store and a weakref.
    """

    def __init__(self):
        self._d = {}
        self._sweep_at = 1024

    def set(self, node, notes):
        d = self._d
        d[id(node)] = (weakref.ref(node), notes)      # one dict store: atomic
        if len(d) >= self._sweep_at:
            with _lock:
                for k, (r, _) in list(d.items()):
                    if r() is None:
                        d.pop(k, None)
                self._sweep_at = max(1024, 2 * len(d))

    def get(self, node):
        e = self._d.get(id(node))
        return e[1] if e is not None and e[0]() is node else None

    def items(self):
        return [(n, v) for n, v in ((r(), v) for r, v in list(self._d.values())) if n is not None]


def _note(ctx, args):
    """Record the inputs of ``ctx`` that need no gradient (called once it is linked).

    Runs for every recorded op with such an input, so it stores bare tuples
    ``(position, shape, dtype, value, name)``; ``notes_of`` makes them
    ``InputNote``s when a drawing asks.
    """
    for e in ctx.next:                      # (by identity: a leaf Tensor's == is elementwise)
        if e is None:
            break
    else:                                   # every input gets a gradient: nothing to note
        return
        return
    raw = None
    i = 0
    for e in ctx.next:
        if e is None:
            a = args[i]
            c = a.__class__
            if c is float or c is int:
                item = (i, (), _DTYPES[c], a, None)
            elif c is _ndarray:
                item = (i, a.shape, a.dtype, a.copy() if a.size <= VALUES else None, None)
            elif c is _Tensor:
                d = a.data
                item = (i, d.shape, d.dtype, d.copy() if d.size <= VALUES else None, a.name)
            elif c is str or a is None:
                i += 1
                continue
            else:
                d = describe(a)
                if d is None:
                    i += 1
                    continue
                item = (i,) + tuple(d[:4])
            if raw is None:
                raw = [item]
            else:
                raw.append(item)
        i += 1
    if raw is not None:
        _notes.set(ctx, raw)


def set_record_inputs(on=True):
    """Turn the recording of non-grad inputs on or off; returns the previous setting.

    On by default once ``autograd_core.viz`` is imported. Nodes made while it
    is off are drawn without their non-grad inputs.
    """
    with _lock:
        was = _state["on"]
        if on == was:
            return was
        if on:
            function.graph_observers.append(_note)
        elif _note in function.graph_observers:
            function.graph_observers.remove(_note)
        _state["on"] = bool(on)
        return was


class recording_inputs:
    """``with recording_inputs(False):`` runs a block with the recording off (or on)."""

    def __init__(self, on=True):
        self.on = on

    def __enter__(self):
        self.was = set_record_inputs(self.on)
        return self

    def __exit__(self, *exc):
        set_record_inputs(self.was)
        return False


def notes_of(node):
    """The recorded ``InputNote``s of a node (None per position without one), or None."""
    raw = _notes.get(node)
    if raw is None:
        return None
    roles = _role_names(node.__class__)
    out = [None] * len(node.next)
    for i, shape, dtype, value, name in raw:
        out[i] = InputNote(tuple(shape), dtype, value, name, roles[i] if i < len(roles) else None)
    return tuple(out)


_notes = _Notes()
