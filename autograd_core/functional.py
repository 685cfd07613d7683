"""Functional transforms: ``grad``, ``value_and_grad``, ``vjp``, ``jvp``,
``jacobian`` and ``hessian``.

Arguments may be Tensors, NumPy arrays or numbers; results are Tensors. The
transforms never touch any tensor's ``.grad``. When an argument itself
requires grad (for instance inside another transform), the result stays
joined to the graph, so transforms nest: ``hessian`` is ``jacobian`` of
``grad``.
"""
from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from .dtypes import as_array, check_dtype, get_default_dtype
from .engine import run_backward
from .modes import enable_grad
from .ops.shape import stack
from .tensor import Tensor, _new_tensor

if TYPE_CHECKING:
    from ._types import TensorLike

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "jacobian", "hessian"]


def _as_input(a):
    """A tensor to differentiate with respect to: ``a`` itself if it requires grad
    (it belongs to an enclosing computation), else a fresh leaf made from it."""
    if isinstance(a, Tensor):
        if a.requires_grad:
            return a
        data = a.data
    elif isinstance(a, (np.ndarray, np.generic)):
        # NumPy data keeps its dtype, scalars (np.float64(1.0)) as arrays do.
        data = np.asarray(a)
        check_dtype(data.dtype)
    else:
        data = as_array(a)      # Python numbers and lists: the default float dtype
    if data.dtype.kind != "f":
        data = data.astype(get_default_dtype())
    return _new_tensor(data).requires_grad_(True)


def _argnums(argnums, n):
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for i in nums:
        if not -n <= i < n:
            raise ValueError(f"argnums {argnums} out of range for {n} arguments")
    return [i % n for i in nums]


def _prepare(args, argnums):
    """(all arguments, those differentiated, the fresh leaves made for them)."""
    args = list(args)
    nums = _argnums(argnums, len(args))
    fresh = []
    for i in nums:
        x = _as_input(args[i])
        if x is not args[i]:
            fresh.append(x)
        args[i] = x
    return args, [args[i] for i in nums], fresh


# The leaves of transforms that have returned, by id (a weak reference each,
# which removes its entry when the leaf dies). Their graphs may live on inside
# a result (jvp's tangent output hangs on the primal leaves it made), but no
# enclosing computation differentiates with respect to them.
_retired: dict = {}


def _retire(leaves):
    for t in leaves:
        key = id(t)
        _retired[key] = weakref.ref(t, lambda _, key=key: _retired.pop(key, None))


def _is_retired(t):
    r = _retired.get(id(t))
    return r is not None and r() is t


def _reaches_outer(outputs, own):
    """Whether the graph of ``outputs`` reaches a tensor requiring grad besides ``own``
    (the fresh leaves a transform made) and those of transforms already returned.

    Then an enclosing computation may differentiate the result (a transform
    nested in another, one given a tensor that requires grad, or a function
    closing over parameters), so the backward must be recorded (``create_graph``).
    """
    own = {id(t) for t in own}
    stack = [o.grad_fn if o.grad_fn is not None else o for o in outputs if o.requires_grad]
    seen = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Tensor):
            if id(node) not in own and not (_retired and _is_retired(node)):
                return True
            continue
        stack.extend(e for e in node.next if e is not None)
    return False


def _grads(outputs, seeds, inputs, nested):
    grads = run_backward(outputs, seeds, retain_graph=True, create_graph=nested,
                         inputs=inputs)
    return [g if g is not None else _new_tensor(np.zeros(x.shape, x.dtype))
            for g, x in zip(grads, inputs)]


def _pack(values, argnums):
    return values[0] if isinstance(argnums, int) else tuple(values)


@overload
def value_and_grad(f: Callable[..., Tensor], argnums: int = 0
                   ) -> Callable[..., tuple[Tensor, Tensor]]: ...
@overload
def value_and_grad(f: Callable[..., Tensor], argnums: tuple[int, ...]
                   ) -> Callable[..., tuple[Tensor, tuple[Tensor, ...]]]: ...
def value_and_grad(f: Callable[..., Tensor], argnums: int | tuple[int, ...] = 0
                   ) -> Callable[..., tuple[Tensor, Any]]:
    """Return a function giving ``(f(*args), gradient of f w.r.t. args[argnums])``.

    ``f`` must return a tensor of one element; ``argnums`` is an int or a tuple.
    """
    def wrapped(*args):
        args, xs, fresh = _prepare(args, argnums)
        with enable_grad():
            out = f(*args)
        if not isinstance(out, Tensor) or out.size != 1:
            raise ValueError("grad: the function must return a tensor of one element, got "
                             + (f"shape {out.shape}" if isinstance(out, Tensor)
                                else type(out).__name__))
        nested = _reaches_outer([out], fresh)
        if not out.requires_grad:
            grads = [_new_tensor(np.zeros(x.shape, x.dtype)) for x in xs]
        else:
            grads = _grads([out], [None], xs, nested)
        _retire(fresh)
        return (out if nested else out.detach()), _pack(grads, argnums)
    return wrapped


@overload
def grad(f: Callable[..., Tensor], argnums: int = 0) -> Callable[..., Tensor]: ...
@overload
def grad(f: Callable[..., Tensor], argnums: tuple[int, ...]
         ) -> Callable[..., tuple[Tensor, ...]]: ...
def grad(f: Callable[..., Tensor], argnums: int | tuple[int, ...] = 0) -> Callable[..., Any]:
    """Return a function giving the gradient of scalar ``f`` w.r.t. ``args[argnums]``."""
    vg = value_and_grad(f, argnums)

    def wrapped(*args):
        return vg(*args)[1]
    return wrapped


def vjp(f: Callable[..., Tensor], *primals: TensorLike
        ) -> tuple[Tensor, Callable[[TensorLike], tuple[Tensor, ...]]]:
    """Evaluate ``f(*primals)`` and return ``(out, vjp_fn)``.

    ``vjp_fn(v)`` gives the tuple ``(v^T df/dp for each primal p)``, where ``v``
    has the shape of ``out``. It may be called several times.
    """
    args, xs, fresh = _prepare(primals, tuple(range(len(primals))))
    with enable_grad():
        out = f(*args)
    nested = _reaches_outer([out], fresh)
    _retire(fresh)

    def vjp_fn(v):
        v = _as_vector(v, out, "vjp", "vector", "an output")
        if not out.requires_grad:
            return tuple(_new_tensor(np.zeros(x.shape, x.dtype)) for x in xs)
        return tuple(_grads([out], [v], xs, nested or v.requires_grad))
    return (out if nested else out.detach()), vjp_fn


def _as_vector(v, like, op, what, of):
    """A tangent or cotangent ``v`` as a Tensor of ``like``'s dtype and shape.

    A Tensor stays in its graph (a cast to ``like``'s dtype is differentiable),
    so results can be differentiated with respect to it. ``what`` and ``of``
    name ``v`` and ``like`` in errors.
    """
    if not isinstance(v, Tensor):
        v = np.asarray(v)
        check_dtype(v.dtype, f"{op} {what}")
        v = _new_tensor(v)
    if v.shape != like.shape:
        raise ValueError(f"{op}: {what} of shape {v.shape} for {of} of shape {like.shape}")
    return v if v.dtype == like.dtype else v.astype(like.dtype)


def jvp(f: Callable[..., Tensor], primals: TensorLike | Sequence[TensorLike],
        tangents: TensorLike | Sequence[TensorLike]) -> tuple[Tensor, Tensor]:
    """Evaluate ``f`` at ``primals`` and its directional derivative along ``tangents``.

    Returns ``(out, J @ tangents)``. Forward mode is obtained from reverse mode
    by the double-vjp trick: ``u -> J^T u`` is linear in ``u``, and the
    gradient of ``<J^T u, t>`` with respect to ``u`` is ``J t``.
    """
    primals = primals if isinstance(primals, (tuple, list)) else (primals,)
    tangents = tangents if isinstance(tangents, (tuple, list)) else (tangents,)
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    args, xs, fresh = _prepare(primals, tuple(range(len(primals))))
    # Tangents stay Tensors, so that the result is differentiable with respect
    # to them too (a tangent may be a leaf of an enclosing transform).
    ts = [_as_vector(t, x, "jvp", "tangent", "a primal") for t, x in zip(tangents, xs)]
    with enable_grad():
        out = f(*args)
        nested = _reaches_outer([out], fresh)
        if not out.requires_grad:
            _retire(fresh)
            return out, _new_tensor(np.zeros(out.shape, out.dtype))
        u = _new_tensor(np.zeros(out.shape, out.dtype)).requires_grad_(True)
        vjps = run_backward([out], [u], create_graph=True, retain_graph=True, inputs=xs)
        total = None
        for g, t in zip(vjps, ts):
            if g is not None and g.requires_grad:
                term = (g * t).sum()
                total = term if total is None else total + term
    tangent_out = None
    if total is not None:
        # J t is linear in t: it is recorded when a tangent requires grad as
        # well as when the primal computation reaches outside.
        record = nested or any(t.requires_grad for t in ts)
        tangent_out, = run_backward([total], [None], retain_graph=True, create_graph=record,
                                    inputs=[u])
    _retire(fresh + [u])
    if tangent_out is None:
        tangent_out = _new_tensor(np.zeros(out.shape, out.dtype))
    return (out if nested else out.detach()), tangent_out


def jacobian(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0
             ) -> Callable[..., Any]:
    """Return a function giving the Jacobian of ``f`` w.r.t. ``args[argnums]``.

    The Jacobian of an output of shape ``S`` w.r.t. an input of shape ``T`` has
    shape ``S + T``. With a tuple ``argnums`` (or a tuple of outputs) the result
    is a tuple (of tuples).
    """
    def wrapped(*args):
        args, xs, fresh = _prepare(args, argnums)
        with enable_grad():
            outs = f(*args)
        single_out = isinstance(outs, Tensor)
        outs = [outs] if single_out else list(outs)
        nested = _reaches_outer(outs, fresh)
        result = []
        for out in outs:
            rows = [[] for _ in xs]
            for j in range(out.size):
                if out.requires_grad:
                    seed = np.zeros(out.size, out.dtype)
                    seed[j] = 1
                    grads = _grads([out], [_new_tensor(seed.reshape(out.shape))], xs, nested)
                else:
                    grads = [_new_tensor(np.zeros(x.shape, x.dtype)) for x in xs]
                for r, g in zip(rows, grads):
                    r.append(g)
            jac = []
            for x, r in zip(xs, rows):
                if r:
                    j = stack(r).reshape(out.shape + x.shape)
                else:
                    j = _new_tensor(np.zeros(out.shape + x.shape, x.dtype))
                jac.append(j if nested else j.detach())
            result.append(_pack(jac, argnums))
        _retire(fresh)
        return result[0] if single_out else tuple(result)
    return wrapped


def hessian(f: Callable[..., Tensor], argnums: int | tuple[int, ...] = 0
            ) -> Callable[..., Any]:
    """Return a function giving the Hessian of scalar ``f``: ``jacobian(grad(f))``."""
    return jacobian(grad(f, argnums), argnums)
