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

A write that is itself recorded (``y += w`` while ``y`` is in a graph) also
changes the history of the memory: ``y`` gets a new ``grad_fn``, but any
other tensor over the same memory (a view made by ``reshape`` or indexing
before the write, the input a custom ``Function`` returned as its output)
keeps the old one, so its value and its history disagree. Such a tensor is
*stale*: ``check_current`` refuses to record an op on it, or to start a
backward from it.

The common case costs almost nothing: recording an op stores one int (the
clock), and a backward checks a node's saved values only when some write
happened after the node was made.
"""
import threading
import weakref

import numpy as np

__all__ = ["bump", "version", "check_saved", "check_current", "clock"]


class _Clock:
    """The tick of the latest write anywhere (``now``) and of the latest
    recorded one (``rewritten``); 0 before the first."""

    __slots__ = ("now", "rewritten")

    def __init__(self):
        self.now = 0
        self.rewritten = 0


clock = _Clock()
# Ticks are taken and published under the lock, so ``clock.now`` never goes
# back when threads write at once (a node made meanwhile would miss a write).
_lock = threading.Lock()
# id(owner array) -> [version, tick of its latest write, tick of its latest
# recorded write, weakref to the array]
_table: dict[int, list] = {}


def _owner(a):
    """The array that owns the memory of ``a`` (``a`` itself unless it is a view)."""
    base = a.base
    while isinstance(base, np.ndarray):
        a, base = base, base.base
    return a


def _forget(key):
    return lambda _ref: _table.pop(key, None)


def bump(a, recorded=False):
    """Record a write into the memory of the ndarray ``a``: its version goes up by one.

    ``recorded``: the write is part of the graph (it gave the written tensor a
    new ``grad_fn``). Returns the write's tick.
    """
    owner = _owner(a)
    key = id(owner)
    entry = _table.get(key)
    if entry is None:
        # The weakref's callback drops the entry when the array dies, before
        # its id can be given to another array. (setdefault: one entry, even
        # if two threads get here at once.)
        entry = _table.setdefault(key, [0, 0, 0, weakref.ref(owner, _forget(key))])
    with _lock:
        clock.now = tick = clock.now + 1
        entry[0] += 1
        entry[1] = tick
        if recorded:
            entry[2] = clock.rewritten = tick
    return tick


def _entry(a):
    """The table's entry for the memory of the ndarray ``a`` (None: never written)."""
    return _table.get(id(_owner(a)))


def version(a):
    """How many writes the memory of the ndarray ``a`` has seen (0 if none)."""
    entry = _entry(a)
    return entry[0] if entry is not None else 0


def _written_since(a, tick):
    entry = _entry(a)
    return entry is not None and entry[1] > tick


def check_current(t, op):
    """Raise if ``t`` is stale: a recorded in-place write went into its memory,
    through another tensor, after ``t`` was made.

    ``t`` is an op result, or a view made without recording (its ``_extra``
    holds the tick it was made at). ``op`` names what was about to use ``t``.
    Called only when ``clock.rewritten`` is later than ``t`` was made.
    """
    node = t.grad_fn
    made = node.epoch if node is not None else t._extra["made"]
    entry = _entry(t.data)
    if entry is not None and entry[2] > made:
        label = f" '{t.name}'" if t.name else ""
        how = node.name if node is not None else "a view op, unrecorded"
        raise RuntimeError(
            f"{op}: the input{label} (shape {t.shape}, {t.dtype}, made by {how}) "
            f"shares its memory with a tensor that was since updated in place while "
            f"gradients were recorded (a view taken before y += ..., or the tensor a "
            f"view was taken of), so its value is no longer what its history computes "
            f"and its gradient would be wrong. Take the view again after the in-place "
            f"update (v = y.reshape(...)), or make the update out of place (y = y + ...)")


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
