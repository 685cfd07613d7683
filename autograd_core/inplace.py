"""In-place updates: ``+= -= *= /= **=`` and ``add_ sub_ mul_ div_ pow_ zero_ fill_ copy_
clamp_``.

They follow PyTorch's rules, so that the usual training loop

    with ag.no_grad():
        for p in model.parameters():
            p -= lr * p.grad

really changes the parameters:

* Nothing to differentiate (recording is off, or neither the tensor nor the
  operand requires grad): the result is written into the tensor's existing
  array, so every alias of that memory (``detach()``, views) sees it.
* A leaf that requires grad, while recording: refused. Overwriting it would
  lose the value its gradient is defined at (PyTorch refuses it too).
* An op result in a graph, or a tensor that takes in an operand that requires
  grad: recorded. The op runs out of place on a snapshot of the old value, the
  result is written into the tensor's array, and the tensor's ``grad_fn``
  becomes the new node, so a later backward differentiates the new value.

Every write bumps the version of the memory (``versions.bump``): a node that
saved the old value then refuses to run its backward, instead of silently
computing with the new one.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import modes, versions
from .ops.elementwise import clip, where
from .tensor import Tensor, _new_tensor, _raw

if TYPE_CHECKING:
    from ._types import Scalar, TensorLike

__all__ = ["add_", "sub_", "mul_", "div_", "pow_", "zero_", "fill_", "copy_", "clamp_"]
METHODS = __all__

_state = modes.state


def _requires_grad(x):
    return isinstance(x, Tensor) and x.requires_grad


def _write(t, name, array_fn, tensor_fn, operands, casting="same_kind"):
    """Run one in-place update of ``t``; returns ``t``.

    ``array_fn(out, *raw_operands)`` writes the result into the array ``out``;
    ``tensor_fn(old, *operands)`` computes it out of place with Tensor ops (the
    recorded path). ``casting`` is NumPy's rule for storing the result in
    ``t``'s dtype ("same_kind": a float result never goes into an int tensor).
    """
    if _state.grad_enabled and (t.requires_grad or any(map(_requires_grad, operands))):
        _record(t, name, tensor_fn, operands, casting)
        return t
    raw = [_raw(x) for x in operands]
    try:
        array_fn(t.data, *raw)
    except (TypeError, ValueError, OverflowError) as e:
        raise _error(t, name, raw, e) from None
    versions.bump(t.data)
    return t


def _error(t, name, raw, e):
    shapes = ", ".join(f"{np.shape(x)} {np.result_type(x)}" for x in raw)
    if not t.data.flags.writeable:
        return ValueError(f"{name}: the tensor's array is read-only (it is a broadcast "
                          f"view, or was marked read-only), so it cannot be written in "
                          f"place; compute a new tensor instead")
    if isinstance(e, OverflowError):        # a Python int out of the dtype's range
        return OverflowError(f"{name}: {e} (tensor: {t.shape} {t.dtype}; operands: {shapes})")
    if isinstance(e, TypeError):
        return TypeError(f"{name}: the result cannot be stored in place in a tensor of dtype "
                         f"{t.dtype} (operands: {shapes}); convert first, e.g. "
                         f"t = t.astype(np.float32), or compute out of place")
    try:
        fits = np.broadcast_shapes(t.shape, *[np.shape(x) for x in raw]) == t.shape
    except ValueError:
        fits = False
    if fits:            # NumPy refused the values, not the shapes
        return ValueError(f"{name}: {e} (tensor: {t.shape} {t.dtype}; operands: {shapes})")
    return ValueError(f"{name}: operands ({shapes}) do not broadcast to the tensor's shape "
                      f"{t.shape}, which an in-place update cannot change ({e})")


def _record(t, name, tensor_fn, operands, casting):
    """The recorded in-place update of a tensor in a graph (or joining one)."""
    if t.grad_fn is None and t.requires_grad:
        raise RuntimeError(
            f"{name}: a leaf tensor that requires grad is being used in an in-place "
            f"operation while gradients are recorded. Update parameters inside "
            f"'with ag.no_grad():' (as an optimizer step does), or write the new value "
            f"out of place (w = w - lr * g) if it should be part of the graph")
    fn = t.grad_fn
    if isinstance(t.data.base, np.ndarray) and (fn is None or fn._views_input):
        # The memory belongs to another tensor (t came from a slice, reshape,
        # transpose...). Writing it would change that tensor behind its
        # history's back; PyTorch rewrites the base's history, this engine refuses.
        # (Other ops' results may be views too, of temporaries no one else sees.)
        raise RuntimeError(
            f"{name}: in-place update, while gradients are recorded, of a tensor that "
            f"is a view of another tensor's memory (made by indexing, reshape, "
            f"transpose..., or a custom Function that returned its input). Write it "
            f"out of place (y = y + v), or build the whole new "
            f"tensor with ag.where / ag.concatenate")
    if fn is not None and versions.clock.rewritten > fn.epoch:
        versions.check_current(t, name)
    for x in operands:
        if isinstance(x, Tensor) and x is not t and np.may_share_memory(t.data, x.data):
            raise RuntimeError(f"{name}: the operand shares memory with the tensor being "
                               f"updated; compute out of place instead")
    # A snapshot of the old value stands for t in the graph: the op saves it
    # (not t's array, which is about to change).
    old = _new_tensor(t.data.copy())
    old.grad_fn, old.requires_grad = t.grad_fn, t.requires_grad
    args = [old if x is t else x for x in operands]
    result = tensor_fn(old, *args)
    if result.shape != t.shape:
        raise ValueError(f"{name}: the result has shape {result.shape}, but an in-place "
                         f"update cannot change the tensor's shape {t.shape}")
    if result.dtype != t.dtype:
        if not np.can_cast(result.dtype, t.dtype, casting):
            raise TypeError(f"{name}: a {result.dtype} result cannot be stored in place in "
                            f"a tensor of dtype {t.dtype}; convert first or compute out "
                            f"of place")
        result = result.astype(t.dtype)
    name_before, retained = t.name, t.retains_grad
    t.data[...] = result.data
    tick = versions.bump(t.data, recorded=True)
    t.grad_fn, t.requires_grad = result.grad_fn, result.requires_grad
    t._grad = None
    if t.grad_fn is not None:
        # The new node is current with the write it made (other tensors over
        # this memory, made before, are stale: see versions.check_current).
        t.grad_fn.epoch = tick
        if name_before is not None:
            t.name = name_before
        if retained:
            # As PyTorch: retain_grad() follows the tensor to its new value
            # (hooks stay with the old one, as they do there).
            fn.extra.retained = None
            t.retain_grad()


def _scaled(other, alpha):
    return other if alpha == 1 else other * alpha


def _replace(a, value):
    """``value`` broadcast to ``a``'s shape, recorded so that ``a`` gets gradient 0.

    (``a * 0 + value`` would turn an inf or nan in ``a`` into nan.)
    """
    return where(np.ones(a.shape, dtype=bool), value, a)


def add_(self: Tensor, other: TensorLike, alpha: Scalar = 1) -> Tensor:
    """In place: ``self += alpha * other`` (returns ``self``)."""
    return _write(self, "add_",
                  lambda out, b: np.add(out, b if alpha == 1 else np.multiply(b, alpha),
                                        out=out, casting="same_kind"),
                  lambda a, b: a + _scaled(b, alpha), (other,))


def sub_(self: Tensor, other: TensorLike, alpha: Scalar = 1) -> Tensor:
    """In place: ``self -= alpha * other`` (returns ``self``)."""
    return _write(self, "sub_",
                  lambda out, b: np.subtract(out, b if alpha == 1 else np.multiply(b, alpha),
                                             out=out, casting="same_kind"),
                  lambda a, b: a - _scaled(b, alpha), (other,))


def mul_(self: Tensor, other: TensorLike) -> Tensor:
    """In place: ``self *= other`` (returns ``self``)."""
    return _write(self, "mul_",
                  lambda out, b: np.multiply(out, b, out=out, casting="same_kind"),
                  lambda a, b: a * b, (other,))


def div_(self: Tensor, other: TensorLike) -> Tensor:
    """In place: ``self /= other`` (true division; returns ``self``)."""
    return _write(self, "div_",
                  lambda out, b: np.true_divide(out, b, out=out, casting="same_kind"),
                  lambda a, b: a / b, (other,))


def pow_(self: Tensor, exponent: TensorLike) -> Tensor:
    """In place: ``self **= exponent`` (returns ``self``)."""
    return _write(self, "pow_",
                  lambda out, b: np.power(out, b, out=out, casting="same_kind"),
                  lambda a, b: a ** b, (exponent,))


def zero_(self: Tensor) -> Tensor:
    """In place: fill with zeros (returns ``self``)."""
    return _write(self, "zero_", lambda out: out.fill(0), lambda a: _replace(a, 0.0), ())


def fill_(self: Tensor, value: TensorLike) -> Tensor:
    """In place: set every element to ``value`` (a number or a one-element Tensor)."""
    if isinstance(value, Tensor) and value.size != 1:
        raise ValueError(f"fill_: the value must be a number or a tensor of one element, "
                         f"got shape {value.shape}")
    if self.dtype.kind in "iu":
        _check_fits(self.dtype, value)
    return _write(self, "fill_",
                  lambda out, v: np.copyto(out, np.reshape(v, ()), casting="unsafe"),
                  lambda a, v: _replace(a, v.reshape(()) if isinstance(v, Tensor) else v),
                  (value,))


def _check_fits(dtype, value):
    """Raise unless the number ``value`` can be stored in the integer ``dtype``.

    As PyTorch's fill_: NaN, inf and numbers out of range raise (NumPy would
    store INT_MIN, or wrap 300 to 44 in uint8); a float is truncated, and a
    negative number in an unsigned dtype wraps (-1 is 255 in uint8), as there.
    """
    v = np.asarray(_raw(value)).item()
    info = np.iinfo(dtype)
    low = -info.max if info.min == 0 else info.min
    if isinstance(v, float) and not np.isfinite(v) or not low <= v <= info.max:
        raise ValueError(f"fill_: the value {v!r} cannot be stored in a tensor of dtype "
                         f"{dtype} without overflow (its range is {info.min} to {info.max})")


def copy_(self: Tensor, src: TensorLike) -> Tensor:
    """In place: copy ``src`` (broadcast to this shape, cast to this dtype) into ``self``."""
    def array_fn(out, s):
        np.copyto(out, np.broadcast_to(s, out.shape), casting="unsafe")
    return _write(self, "copy_", array_fn, _replace, (src,), casting="unsafe")


def clamp_(self: Tensor, min: TensorLike | None = None,
           max: TensorLike | None = None) -> Tensor:
    """In place: limit the values to ``[min, max]`` (either may be None; returns ``self``)."""
    if min is None and max is None:
        raise ValueError("clamp_: give at least one of min and max")
    return _write(self, "clamp_",
                  lambda out, lo, hi: np.clip(out, lo, hi, out=out),
                  lambda a, lo, hi: clip(a, lo, hi), (min, max))


def _iadd(self, other):
    return add_(self, other)


def _isub(self, other):
    return sub_(self, other)


def _imul(self, other):
    return mul_(self, other)


def _itruediv(self, other):
    return div_(self, other)


def _ipow(self, other):
    # Without it, ``p **= 2`` would quietly rebind ``p`` to a new tensor and
    # leave the one a model holds unchanged.
    return pow_(self, other)


Tensor.__iadd__ = _iadd  # type: ignore[method-assign]
Tensor.__isub__ = _isub  # type: ignore[method-assign]
Tensor.__imul__ = _imul  # type: ignore[method-assign]
Tensor.__itruediv__ = _itruediv  # type: ignore[method-assign]
Tensor.__ipow__ = _ipow  # type: ignore[method-assign]
