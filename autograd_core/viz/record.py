"""Recording a backward pass: the order the engine visits the graph, and gradient sizes.

The engine calls every function in ``autograd_core.engine.observers`` with each
node (the gradient of its output) and each leaf (its total gradient) as the walk
reaches them. ``record_backward()`` puts an observer there for the length of a
``with`` block and keeps, per node or leaf, a ``Visit``: its step number, the
norm of its gradient and, for tiny tensors, the gradient itself.

Entries are keyed by object identity and held through weak references: a
recording never keeps a graph alive. (A ``WeakKeyDictionary`` would compare
keys with ``==``, which for Tensors is elementwise.)
"""
import weakref
from collections import namedtuple

import numpy as np

from .. import engine
from ..function import _SavedOutput

__all__ = ["BackwardRecording", "Visit", "record_backward"]

Visit = namedtuple("Visit", "step norm grad")
Visit.__doc__ = """What the recording knows of one node or leaf.

``step``: its position (1, 2, ...) in the order the backward walk processed it;
``norm``: the L2 norm of its gradient (of a node: of its output's gradient);
``grad``: a copy of that gradient when it has at most ``values`` elements, else None.
"""

# Gradients and values of at most this many elements are kept in full.
DEFAULT_VALUES = 6


def grad_norm(a):
    """L2 norm of an array, in float64 so float32 gradients cannot overflow it."""
    a = np.asarray(a)
    if a.size == 0:
        return 0.0
    return float(np.linalg.norm(a.ravel().astype(np.float64, copy=False)))


class WeakIdMap:
    """A mapping from live objects (by identity) to values; dead keys drop out."""

    __slots__ = ("_d", "__weakref__")

    def __init__(self):
        self._d = {}

    def __setitem__(self, key, value):
        k = id(key)
        d = self._d
        old = d.get(k)
        if old is not None and old[0]() is key:
            d[k] = (old[0], value)          # reuse the reference (and its callback)
            return
        self_ref = weakref.ref(self)

        def gone(_, k=k):
            me = self_ref()
            if me is not None and me._d.get(k, (None,))[0] is ref:
                del me._d[k]
        ref = weakref.ref(key, gone)
        d[k] = (ref, value)

    def get(self, key, default=None):
        e = self._d.get(id(key))
        return e[1] if e is not None and e[0]() is key else default

    def __contains__(self, key):
        e = self._d.get(id(key))
        return e is not None and e[0]() is key

    def items(self):
        """Pairs (live key, value)."""
        out = []
        for ref, value in list(self._d.values()):
            key = ref()
            if key is not None:
                out.append((key, value))
        return out

    def __len__(self):
        return len(self._d)


def harvest_values(node, limit, put):
    """Forward values a node still holds: its saved inputs and its saved output.

    Ops that need their inputs (or output) in backward keep them; for those of
    at most ``limit`` elements, ``put(producer_node, array)`` is called, so
    drawings can show values of intermediate tensors, which the graph does not
    otherwise reference. Returns nothing; cheap when the node saved nothing.
    """
    saved = node.saved
    if not saved or limit <= 0:
        return
    for s in saved:
        if s.__class__ is _SavedOutput:
            if s.data.size <= limit:
                put(node, s.data)
        elif getattr(s, "_is_tensor", False) and s.grad_fn is not None:
            if s.data.size <= limit:
                put(s.grad_fn, s.data)


class BackwardRecording:
    """What backward passes told the engine's observers; see ``record_backward``.

    Look a node, a leaf tensor or a non-leaf tensor up with ``rec[t]`` (a
    ``Visit`` or ``KeyError``) or ``rec.get(t)``; ``rec.order()`` lists the live
    keys (nodes and leaves) in the order they were processed, ``len(rec)`` counts
    the steps. Pass it to ``draw_graph(..., gradients=rec)`` or ``backward_html``.
    Step numbers keep counting across several backward passes recorded in one
    block (``steps`` is the count so far); a key visited twice keeps its latest
    visit. ``values`` is the size up to which gradients are kept in full.
    """

    def __init__(self, values=DEFAULT_VALUES):
        self.values = values
        self.steps = 0
        self._visits = WeakIdMap()
        self._forward = WeakIdMap()      # node -> small forward value of its output
        self._active = False

    # -- the observer --------------------------------------------------------
    def _observe(self, key, grad):
        self.steps += 1
        a = grad.data
        norm = grad_norm(a)
        small = a.copy() if a.size <= self.values else None
        self._visits[key] = Visit(self.steps, norm, small)
        if not key._is_tensor:
            # The node's saved values are still there (they are freed after it
            # runs): a last chance to read forward values of intermediates.
            harvest_values(key, self.values, self._forward.__setitem__)

    def __enter__(self):
        if self._active:
            raise RuntimeError("this recording is already active")
        self._active = True
        engine.observers.append(self._observe)
        return self

    def __exit__(self, *exc):
        self._active = False
        try:
            engine.observers.remove(self._observe)
        except ValueError:
            pass
        return False

    # -- reading it back -----------------------------------------------------
    @staticmethod
    def _key(obj):
        # A non-leaf tensor is known by the node that made it.
        if getattr(obj, "_is_tensor", False) and obj.grad_fn is not None:
            return obj.grad_fn
        return obj

    def get(self, obj, default=None):
        """The ``Visit`` of a node, leaf or non-leaf tensor, or ``default``."""
        return self._visits.get(self._key(obj), default)

    def __getitem__(self, obj):
        v = self.get(obj)
        if v is None:
            raise KeyError(f"{obj!r} was not visited by a recorded backward")
        return v

    def __contains__(self, obj):
        return self._key(obj) in self._visits

    def forward_value(self, node):
        """A small forward value of a node's output seen during the backward, or None."""
        return self._forward.get(node)

    def order(self):
        """Live nodes and leaves in the order the backward walk processed them."""
        return [k for k, v in sorted(self._visits.items(), key=lambda kv: kv[1].step)]

    def norms(self):
        """The gradient norms of every live node and leaf visited (for ``ColorScale.spanning``)."""
        return [v.norm for _, v in self._visits.items()]

    def __len__(self):
        return len(self._visits)

    def __repr__(self):
        return f"<BackwardRecording: {len(self)} steps>"


def record_backward(values=DEFAULT_VALUES):
    """Record the backward passes run inside a ``with`` block.

    ::

        with viz.record_backward() as rec:
            loss.backward()
        viz.draw_graph(loss, gradients=rec)     # numbered steps, every edge coloured

    ``values``: gradients (and forward values of intermediates) of at most this
    many elements are kept in full, to be printed in the drawing. The
    recording watches every backward in the process while active (the engine's
    observer list is global), and holds only weak references.
    """
    return BackwardRecording(values=values)
