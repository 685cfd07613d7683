"""The backward walk: an iterative reverse topological traversal of the graph.

1. A depth-first pass (an explicit stack, no recursion) counts, for every node
   and leaf reachable from the roots, how many edges lead into it, and refuses
   to start if part of the graph was already freed.
2. Kahn's algorithm then runs each node's ``backward`` once all gradients that
   flow into it have been summed, sums broadcast gradients back to their
   input's shape (``ops.shape.sum_to``, the one place broadcasting is undone)
   and hands them on. Without ``retain_graph`` each node's saved values are
   released as soon as it has run.
"""
import threading

import numpy as np

from . import modes, versions
from .function import _to_array
from .ops.shape import sum_to
from .tensor import Tensor, _new_tensor

__all__ = ["run_backward", "observers"]

_state = modes.state
_ndarray = np.ndarray
_clock = versions.clock
# Summing into a ``.grad`` is a read, an add and a write: backwards running in
# several threads into one shared leaf would lose updates without this lock.
_accumulate_lock = threading.Lock()

# Callables ``fn(key, grad)`` told the total gradient of every node (the
# gradient of its output) and every leaf as the walk reaches it. Empty by
# default, which costs one check per backward; ``autograd_core.viz`` uses it to
# record gradient magnitudes for its drawings.
observers: list = []


def _as_grad_tensor(g, like, where):
    """Sum and cast the gradient Tensor ``g`` to the shape and dtype of ``like``."""
    if g.shape != like.shape:
        try:
            # Unrecorded (no create_graph), the sum runs on the bare array.
            g = sum_to(g, like.shape) if _state.grad_enabled else _new_tensor(
                np.asarray(sum_to(g.data, like.shape)))
        except ValueError:
            raise RuntimeError(f"{where} returned a gradient of shape {g.shape} for an "
                               f"input of shape {like.shape}") from None
    if g.dtype != like.dtype:
        g = g.astype(like.dtype)
    return g


def _count_dependencies(keys):
    """Number of graph edges that lead into every node and leaf reachable from ``keys``."""
    # Roots start at 0, so that a root reached from another root is not pushed twice.
    deps = dict.fromkeys(keys, 0)
    stack = [k for k in deps if not isinstance(k, Tensor)]
    while stack:
        node = stack.pop()
        if node.saved is None:
            raise RuntimeError(
                f"trying to backward through the graph a second time: the first backward "
                f"freed what its nodes saved (met at {node.name}). Call the first "
                f"backward() with retain_graph=True to walk a graph again")
        for e in node.next:
            if e is not None:
                n = deps.get(e)
                if n is None:
                    deps[e] = 1
                    if not isinstance(e, Tensor):
                        stack.append(e)
                else:
                    deps[e] = n + 1
    return deps


def _own(g, handed_out, create_graph=False):
    """A gradient safe to store in a leaf's ``.grad``: its array writeable and not shared.

    A view (a broadcast, a transpose...) or an array already given to another
    leaf in this backward (or kept by a hook or a node) is copied; a fresh
    array is kept as it is. Under ``create_graph`` the copy is recorded (a
    Cast), so the gradient stays differentiable: without it the two leaves of
    ``x + y`` would share one ``.grad`` object, and zeroing one would zero both.
    """
    a = g.data
    if not (a.flags.owndata and a.flags.writeable) or id(a) in handed_out:
        g = g.astype(g.dtype) if create_graph else _new_tensor(a.copy())
    elif g.grad_fn is not None and not create_graph:
        g = _new_tensor(a)              # keep the array, leave the graph behind
    handed_out.add(id(g.data))
    return g


def _run_hooks(hooks, g, handed_out):
    """``g`` passed through the hooks in order; each may return a replacement."""
    for fn in list(hooks.values()):
        r = fn(g)
        if r is not None and r is not g:
            r = r if isinstance(r, Tensor) else _new_tensor(np.asarray(r))
            # The hook may keep the array (a buffer it fills): a leaf's .grad
            # gets a copy, not the hook's memory.
            handed_out.add(id(r.data))
            # As PyTorch: a hook may change the values, never the shape or dtype
            # (a wrong shape would be broadcast or summed away without a word).
            if r.shape != g.shape:
                raise RuntimeError(f"hook {_hook_name(fn)} has changed the shape of the "
                                   f"gradient from {g.shape} to {r.shape}")
            if r.dtype != g.dtype:
                raise RuntimeError(f"hook {_hook_name(fn)} has changed the dtype of the "
                                   f"gradient from {g.dtype} to {r.dtype}")
            g = r
    return g


def _hook_name(fn):
    return repr(getattr(fn, "__qualname__", None) or type(fn).__name__)


def _accumulate(t, g, create_graph, handed_out):
    with _accumulate_lock:
        old = t._grad
        if old is None:
            t._grad = _own(g, handed_out, create_graph)
        elif create_graph:
            t._grad = old + g
        else:
            t._grad = _new_tensor(old.data + g.data)


def run_backward(roots, root_grads, retain_graph=None, create_graph=False, inputs=None):
    """Backpropagate from ``roots`` (tensors) seeded with ``root_grads``.

    With ``inputs=None`` gradients accumulate into the leaves' ``.grad``;
    otherwise nothing is accumulated and the gradients w.r.t. ``inputs`` (leaf
    or not) are returned in a list, ``None`` where no gradient reaches one.
    """
    if retain_graph is None:
        retain_graph = create_graph
    grads = {}
    keys = []
    given = set()       # the caller's gradient arrays, when used as they are
    for r, g in zip(roots, root_grads):
        if not isinstance(r, Tensor):
            raise TypeError(f"backward() needs Tensors, got {type(r).__name__}")
        if not r.requires_grad:
            raise RuntimeError("backward() on a tensor that does not require grad and has "
                               "no grad_fn: nothing to differentiate")
        if r.grad_fn is not None and _clock.rewritten > r.grad_fn.epoch:
            versions.check_current(r, "backward()")
        if g is None:
            if r.size != 1:
                raise RuntimeError(f"backward() on a non-scalar output (shape {r.shape}) "
                                   "needs gradient=: the gradient w.r.t. that output")
            g = _new_tensor(np.ones(r.shape, dtype=r.dtype))
        else:
            g = g if isinstance(g, Tensor) else _new_tensor(np.array(g, dtype=r.dtype))
            if g.shape != r.shape:
                raise RuntimeError(f"backward(): gradient has shape {g.shape} but the "
                                   f"output has shape {r.shape}")
            if not create_graph:
                g = _new_tensor(g.data.astype(r.dtype, copy=True))
            else:
                given.add(id(g.data))
        key = r.grad_fn if r.grad_fn is not None else r
        grads[key] = grads[key] + g if key in grads else g
        keys.append(key)
    deps = _count_dependencies(keys)

    capture = None
    if inputs is not None:
        capture = {}
        for t in inputs:
            capture[t.grad_fn if t.grad_fn is not None else t] = None

    prev = _state.grad_enabled
    _state.grad_enabled = create_graph
    try:
        _walk(keys, grads, deps, capture, retain_graph, create_graph, _state.anomaly, given)
    finally:
        _state.grad_enabled = prev
    if capture is not None:
        return [capture[t.grad_fn if t.grad_fn is not None else t] for t in inputs]
    return None


def _walk(keys, grads, deps, capture, retain_graph, create_graph, anomaly, handed_out):
    """Kahn's algorithm: run each node's backward once all its gradients have arrived.

    ``handed_out``: ids of arrays a leaf's ``.grad`` must not take as they are
    (see ``_own``); it grows as leaves take theirs.
    """
    ready = [k for k in dict.fromkeys(keys) if deps[k] == 0]
    pop_ready, push_ready, pop_grad, get_grad = ready.pop, ready.append, grads.pop, grads.get
    watchers = list(observers)
    clock = _clock
    while ready:
        node = pop_ready()
        g = pop_grad(node, None)
        if watchers and g is not None:
            for fn in watchers:
                fn(node, g)
        if node._is_tensor:
            # A leaf: its hooks see the total gradient, then it accumulates.
            if g is not None:
                _leaf_gradient(node, g, capture, create_graph, handed_out)
            continue
        nxt = node.next
        if g is not None:
            if clock.now > node.epoch:      # something was written in place since
                versions.check_saved(node)
            if node.extra is not None or capture is not None:
                g = _node_extras(node, g, capture, create_graph, handed_out)
            out = node.backward(node, g)
            if out.__class__ is not tuple:
                out = tuple(out) if isinstance(out, list) else (out,)
            if len(out) != len(nxt):
                raise RuntimeError(f"{node.name}.backward returned {len(out)} gradients, "
                                   f"but forward took {len(nxt)} inputs")
            if not node._arrays_only:
                _note_kept(node, out, handed_out)
        else:                       # no gradient reached this node: pass nothing on
            out = (None,) * len(nxt)
        for e, gi in zip(nxt, out):
            if e is None:
                continue
            if gi is not None:
                if gi.__class__ is not Tensor:      # a backward that computed on arrays
                    gi = _new_tensor(gi if gi.__class__ is _ndarray else _to_array(gi))
                if gi.data.shape != e.shape or gi.data.dtype != e.dtype:
                    gi = _as_grad_tensor(gi, e, f"{node.name}.backward")
                if anomaly:
                    _check_finite(node, gi)
                old = get_grad(e)
                grads[e] = gi if old is None else old + gi
            d = deps[e] - 1
            deps[e] = d
            if d == 0:
                push_ready(e)
        if not retain_graph:
            node.saved = None


def _note_kept(node, out, handed_out):
    """Add to ``handed_out`` the arrays among a custom backward's gradients ``out`` that
    its node keeps (a saved value, an attribute set in forward).

    A leaf's ``.grad`` then gets a copy: ``zero_grad(set_to_none=False)`` must not
    zero what the node saved. (Fresh results, the usual case, are not copied.)
    """
    kept = node.saved or ()
    attributes = getattr(node, "__dict__", None)
    if attributes:
        kept = kept + tuple(attributes.values())
    for gi in out:
        if gi is None:
            continue
        a = gi.data if isinstance(gi, Tensor) else gi
        for s in kept:
            if s is a or s is gi or (s.__class__ is not _ndarray
                                     and getattr(s, "data", None) is a):
                handed_out.add(id(a))
                break


def _leaf_gradient(leaf, g, capture, create_graph, handed_out):
    extra = leaf._extra
    if extra and extra.get("hooks"):
        g = _run_hooks(extra["hooks"], g, handed_out)
    if capture is None:
        _accumulate(leaf, g, create_graph, handed_out)
    elif leaf in capture:
        capture[leaf] = g


def _node_extras(node, g, capture, create_graph, handed_out):
    """Hooks, retain_grad and captured gradients of a node's output; returns the gradient."""
    extra = node.extra
    if extra is not None:
        if extra.hooks:
            g = _run_hooks(extra.hooks, g, handed_out)
        if extra.retained is not None and capture is None:
            t = extra.retained()
            if t is not None:
                _accumulate(t, g, create_graph, handed_out)
    if capture is not None and node in capture:
        capture[node] = g
    return g


def _check_finite(node, g):
    if not np.isfinite(g.data).all():
        where = node.trace or "(unknown: the op was created outside detect_anomaly)\n"
        raise RuntimeError(f"detect_anomaly: the backward of {node.name} produced "
                           f"nan or inf values. {node.name} was created at:\n{where}")
