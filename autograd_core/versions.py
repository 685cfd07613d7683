"""Version counters: how a backward notices that a value it needs was overwritten.

Every write into a tensor's memory (``t[i] = v``, ``t += 1``, ``t.add_(...)``,
an optimizer step) counts as a new *version* of that memory. A node records
the clock when it is created; before it runs its backward, the engine checks
that nothing it saved has been written since. Without this check, a backward
after ``with no_grad(): w[0] = 10`` would silently use the new ``w`` in the
gradient of a loss computed from the old one.

Versions belong to memory, not to Tensor objects: ``t.detach()``, a slice or
a reshape may share the array of ``t``, and a write through any of them
changes what a node that saved ``t`` would read. So the counter is kept for
the array that owns the memory (the root of the ``.base`` chain), in a table
that forgets an array when it dies.

The common case costs almost nothing: recording an op stores one int (the
clock), and a backward checks a node's saved values only when some write
happened after the node was made.
"""
import itertools
import weakref

import numpy as np

__all__ = ["bump", "version", "check_saved", "clock"]


class _Clock:
    """The tick of the latest write anywhere (0 before the first)."""

    __slots__ = ("now",)

    def __init__(self):
        self.now = 0


clock = _Clock()
# next() on itertools.count is atomic in CPython, so threads never share a tick.
_ticks = itertools.count(1)
# id(owner array) -> [version, tick of its latest write, weakref to the array]
_table = {}


def _owner(a):
    """The array that owns the memory of ``a`` (``a`` itself unless it is a view)."""
    base = a.base
    while isinstance(base, np.ndarray):
        a, base = base, base.base
    return a


def _forget(key):
    return lambda _ref: _table.pop(key, None)


def bump(a):
    """Record a write into the memory of the ndarray ``a``: its version goes up by one."""
    owner = _owner(a)
    key = id(owner)
    tick = next(_ticks)
    entry = _table.get(key)
    if entry is None:
        # The weakref's callback drops the entry when the array dies, before
        # its id can be given to another array.
        _table[key] = [1, tick, weakref.ref(owner, _forget(key))]
    else:
        entry[0] += 1
        entry[1] = tick
    clock.now = tick


def version(a):
    """How many writes the memory of the ndarray ``a`` has seen (0 if none)."""
    entry = _table.get(id(_owner(a)))
    return entry[0] if entry is not None else 0


def _written_since(a, tick):
    entry = _table.get(id(_owner(a)))
    return entry is not None and entry[1] > tick


def check_saved(node):
    """Raise if a value ``node`` saved for backward was written after ``node`` was made.

    Called by the engine only when ``clock.now > node.epoch`` (some write
    happened since the node was recorded).
    """
    tick = node.epoch
    for i, s in enumerate(node.saved or ()):
        data = s if isinstance(s, np.ndarray) else getattr(s, "data", None)
        if isinstance(data, np.ndarray) and _written_since(data, tick):
            raise RuntimeError(_message(node, i, s, data))


def _message(node, index, saved, data):
    own = type(saved).__name__ == "_SavedOutput"
    what = "its own output" if own else f"a tensor (item {index} of what it saved)"
    name = getattr(saved, "name", None) if not own else None
    label = f" '{name}'" if name else ""
    return (
        f"a tensor needed to compute the gradient was modified by an in-place operation: "
        f"{node.name} saved {what}{label} (shape {data.shape}, {data.dtype}) for its "
        f"backward, and it was written after {node.name} was recorded (its version is now "
        f"{version(data)}). Compute the result out of place (y = y + 1 rather than "
        f"y += 1), or make the update (an optimizer step, t[i] = v) after the last "
        f"backward through this graph")
