"""``Function``: an operation with its forward and backward side by side.

Calling ``MyOp.apply(*args)`` runs ``forward`` with recording off and, when an
input requires grad, returns a Tensor whose ``grad_fn`` is the ``ctx`` object
that ``forward`` received: an instance of ``MyOp`` that is the graph node.

A node holds only what backward needs: the edges to its inputs' nodes (or to
leaf tensors, where gradients accumulate), the values saved for backward, the
output's shape and dtype, and the scope it was made in. It never refers to its
own output tensor, so graphs contain no reference cycles and die by reference
counting the moment nothing uses them.
"""
from __future__ import annotations

import itertools
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np

from . import modes
from .versions import check_current as _check_current
from .versions import clock as _clock

__all__ = ["Function", "Primitive", "RemovableHandle"]

_state = modes.state
_object_new = object.__new__
_ndarray = np.ndarray
_PACKAGE_DIR = __file__.rsplit("/", 1)[0]

#: Callables ``fn(node, args)`` told of every op recorded into a graph, once its
#: node is linked to its output. Empty by default (one check per recorded op);
#: ``autograd_core.viz`` adds one that notes the inputs needing no gradient
#: (data, targets, constants), so that drawings can show them.
graph_observers: list = []


class _SavedOutput:
    """Stands in the saved tuple for the op's own output (saving it would be a cycle)."""

    __slots__ = ("data",)

    def __init__(self, data):
        self.data = data


class _NodeExtra:
    """The rarely used parts of a node: hooks, a retained tensor, where it was made,
    and the name given to its output tensor (for drawings)."""

    __slots__ = ("hooks", "retained", "trace", "name")

    def __init__(self):
        self.hooks = self.retained = self.trace = self.name = None


class Function:
    """Base class of every differentiable operation, built-in or user-defined.

    Subclasses define ``forward(ctx, *args)`` and ``backward(ctx, grad_output)``
    as static methods. ``forward`` gets the arguments as given (Tensors stay
    Tensors), runs with recording off and returns a Tensor or an ndarray; it
    may keep values for backward with ``ctx.save_for_backward(...)``, its own
    result included. ``backward`` gets the output's gradient as a Tensor and
    returns one gradient (Tensor, ndarray or ``None``) per positional argument
    of ``forward``. Written with Tensor ops, it can itself be differentiated
    (higher-order gradients). Gradients for broadcast inputs are summed back to
    the input's shape by the engine.
    """

    __slots__ = ("next", "saved", "shape", "dtype", "scope", "extra", "epoch", "__weakref__")
    # Built-in primitives compute on arrays only, so apply need not switch
    # recording off around their forward nor look for their output among the
    # saved values (they save it wrapped already). See ``Primitive``.
    _arrays_only = False
    _is_tensor = False       # lets the backward walk tell nodes from leaf tensors
    # Whether the output may be a view of an input's memory. A custom forward
    # may return one, so only built-in primitives that never do say False.
    _views_input = True

    # -- what users call ---------------------------------------------------
    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run the op on ``args`` and record it in the graph when an input needs it."""
        ctx = _object_new(cls)
        ctx.saved = ()
        if _state.grad_enabled:
            for a in args:
                if isinstance(a, Tensor) and a.requires_grad:
                    return _apply_recorded(cls, ctx, args, kwargs)
            if _clock.rewritten:
                _check_inputs(cls, args, _clock.rewritten)
        # Nothing to record: no input requires grad, so forward cannot record either.
        out = _forward(cls, ctx, args, kwargs)
        data = out.data if isinstance(out, Tensor) else out
        if data.__class__ is not _ndarray:
            data = _to_array(data)
        t = _object_new(Tensor)
        t.data = data
        t._grad = t.grad_fn = t._extra = None
        t.requires_grad = False
        if ctx._views_input and isinstance(data.base, _ndarray):
            # A view made without recording: when, so that using it after a
            # recorded in-place write into its memory is refused (versions.py).
            t._extra = {"made": _clock.now}
        return t

    @staticmethod
    def forward(ctx: Any, *args: Any) -> Any:
        """Compute the result from the inputs (override in subclasses)."""
        raise NotImplementedError(f"{ctx.name} does not define forward")

    @staticmethod
    def backward(ctx: Any, grad_output: Any) -> Any:
        """Return one gradient per input of ``forward`` (override in subclasses)."""
        raise NotImplementedError(f"{ctx.name} does not define backward")

    # -- what forward and backward use -------------------------------------
    def save_for_backward(self, *values: Any) -> None:
        """Keep Tensors (or arrays, or numbers) for backward; the op's own output may be one."""
        self.saved = values

    def save_output(self, out):
        """For primitives: save the result too (it comes back joined to the graph).

        Appends to what ``save_for_backward`` saved; returns ``out`` as an ndarray.
        """
        if out.__class__ is not _ndarray:
            out = _to_array(out)
        self.saved = self.saved + (_SavedOutput(out),)
        return out

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """The values given to ``save_for_backward``; the output comes back joined to the graph."""
        saved = self.saved
        if saved is None:
            raise RuntimeError(
                f"the values saved by {self.name} for backward were freed by an earlier "
                "backward: a graph can be walked backward once, unless the first "
                "backward() is called with retain_graph=True")
        for s in saved:
            if s.__class__ is _SavedOutput:
                return tuple([self._output(s.data) if s.__class__ is _SavedOutput else s
                              for s in saved])
        return saved

    def _output(self, data):
        # Rebuilding the output tensor on demand (rather than storing it) keeps
        # the graph free of cycles; joined to this node, it is differentiable.
        t = _object_new(Tensor)
        t.data = data
        t._grad = t._extra = None
        t.grad_fn = self
        t.requires_grad = True
        return t

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """Tuple of bools: which inputs of ``forward`` need a gradient."""
        nxt = getattr(self, "next", None)
        return tuple(e is not None for e in nxt) if nxt is not None else ()

    @property
    def name(self) -> str:
        """The op's readable name (the class name, e.g. ``"Mul"``)."""
        return type(self).__name__

    @property
    def inputs(self):
        """The edges to the inputs: a Function node, a leaf Tensor, or ``None`` (no gradient)."""
        return getattr(self, "next", ())

    @property
    def freed(self):
        """Whether a backward without ``retain_graph`` already released this node."""
        return self.saved is None

    @property
    def trace(self):
        """Where the op was created (recorded under ``detect_anomaly`` only), or None."""
        return self.extra.trace if self.extra is not None else None

    def _extra(self):
        if self.extra is None:
            self.extra = _NodeExtra()
        return self.extra

    def register_hook(self, fn: Callable[[Any], Any]) -> RemovableHandle:
        """Call ``fn(grad)`` with the gradient of this node's output; may return a replacement."""
        extra = self._extra()
        if extra.hooks is None:
            extra.hooks = {}
        return RemovableHandle(extra.hooks, fn)

    def __repr__(self):
        scope = f" in {self.scope}" if getattr(self, "scope", None) else ""
        return f"<{self.name} node{scope}>"


class Primitive(Function):
    """Base of the built-in ops: ``forward`` computes on the inputs' arrays only.

    Such a forward cannot record anything, so ``apply`` skips switching
    recording off around it, and a primitive that needs its own output in
    backward saves it with ``ctx.save_output(out)``.
    """

    __slots__ = ()
    _arrays_only = True
    _views_input = False        # True on the ops whose output is a view of their input


def _forward(cls, ctx, args, kwargs):
    """Call ``cls.forward``; a bad input's error names the op and the input shapes."""
    try:
        return cls.forward(ctx, *args, **kwargs)
    except (ValueError, TypeError, IndexError) as e:
        raise _op_error(cls, args, e) from e


def _apply_recorded(cls, ctx, args, kwargs):
    """``apply`` when an input requires grad: run forward, then link the node."""
    # Edge per argument: the input's node, the leaf itself, or None.
    ctx.next = tuple([(a.grad_fn or a) if isinstance(a, Tensor) and a.requires_grad
                      else None for a in args])
    if _clock.rewritten:        # some recorded in-place write happened: any stale input?
        _check_inputs(cls, args, _clock.rewritten)
    st = _state
    if cls._arrays_only:
        out = _forward(cls, ctx, args, kwargs)
    else:
        st.grad_enabled = False
        try:
            out = _forward(cls, ctx, args, kwargs)
        finally:
            st.grad_enabled = True
    data = out.data if isinstance(out, Tensor) else out
    if data.__class__ is not _ndarray:
        data = _to_array(data)
    t = _object_new(Tensor)
    t.data = data
    t._grad = t._extra = None
    if data.dtype.kind != "f":              # integer or bool results carry no gradient
        t.grad_fn = None
        t.requires_grad = False
        return t
    if not cls._arrays_only:
        given = data
        if isinstance(data.base, _ndarray) or _is_an_input(data, args):
            t.data = data = _own_view(data, args)
        if ctx.saved:
            ctx.saved = tuple([_SavedOutput(data) if s is given or s is out else s
                               for s in ctx.saved])
    ctx.shape = data.shape
    ctx.dtype = data.dtype
    ctx.scope = st.scope
    ctx.extra = None
    # The write clock now: a backward checks the saved values only when some
    # in-place write happened after this (see versions.py).
    ctx.epoch = _clock.now
    if st.anomaly:
        ctx._extra().trace = _user_frames()
    t.grad_fn = ctx
    t.requires_grad = True
    if graph_observers:
        for fn in graph_observers:
            fn(ctx, args)
    return t


def _check_inputs(cls, args, rewritten):
    """Refuse inputs made before the latest recorded in-place write whose memory it hit."""
    for a in args:
        if isinstance(a, Tensor):
            fn = a.grad_fn
            if fn is not None:
                if fn.epoch < rewritten:
                    _check_current(a, cls.__name__)
            elif a._extra is not None and a._extra.get("made", rewritten) < rewritten:
                _check_current(a, cls.__name__)


def _is_an_input(data, args):
    for a in args:
        if isinstance(a, Tensor) and a.data is data:
            return True
    return False


def _own_view(data, args):
    """A custom forward's output array, so that it is a view exactly when it aliases an input.

    An input's own array comes back as a view of it, and a view of anything
    else (a temporary, a constant the op keeps) as a copy: an in-place update
    of the output is then refused where it would change an input (a leaf,
    perhaps) behind the graph's back, and allowed where nothing else sees it.
    """
    for a in args:
        if isinstance(a, Tensor) and np.may_share_memory(data, a.data):
            return data if isinstance(data.base, _ndarray) else data.view()
    return data.copy()


class RemovableHandle:
    """Returned by ``register_hook``; ``.remove()`` unregisters the hook."""

    __slots__ = ("_hooks", "_key")
    # next() on itertools.count is atomic in CPython: handles made in several
    # threads at once never share a key (``+= 1`` on a class attribute could).
    _keys = itertools.count(1)

    def __init__(self, hooks, fn):
        self._key = next(RemovableHandle._keys)
        self._hooks = hooks
        hooks[self._key] = fn

    def remove(self) -> None:
        """Unregister the hook; calling it twice is harmless."""
        self._hooks.pop(self._key, None)


def _to_array(x):
    """Ufuncs return NumPy scalars for 0-d results; ``x[...]`` is the fast way back."""
    return x[...] if isinstance(x, np.generic) else np.asarray(x)


def _op_error(cls, args, e):
    """The same kind of error, naming the op and its inputs' shapes and dtypes."""
    shapes = ", ".join(f"{a.shape} {a.dtype}" if hasattr(a, "shape") and hasattr(a, "dtype")
                       else type(a).__name__ for a in args)
    name = cls.__name__.lower()
    text = str(e)
    msg = f"{text if text.startswith(name + ':') else name + ': ' + text} (inputs: {shapes})"
    try:
        return type(e)(msg)
    except Exception:  # an exception class with a constructor of its own
        return next(b for b in (IndexError, TypeError, ValueError) if isinstance(e, b))(msg)


def _user_frames():
    """The stack where an op was created, without the engine's own frames."""
    frames = [f for f in traceback.extract_stack()[:-2]
              if not f.filename.startswith(_PACKAGE_DIR)]
    return "".join(traceback.format_list(frames[-4:]))


# Filled in by tensor.py (which imports this module) to avoid an import cycle.
Tensor: Any = None
