"""Gradient checking: analytic gradients against central finite differences.

``gradcheck`` compares, for every input that requires grad, the full Jacobian
computed by backward (one backward per output element) with the one from
central differences ``(f(x + eps) - f(x - eps)) / (2 eps)`` (two evaluations
per input element). Use float64: in float32 the differences are too coarse.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .engine import run_backward
from .modes import enable_grad, no_grad
from .tensor import Tensor, _new_tensor

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(AssertionError):
    """Raised by ``gradcheck`` when analytic and numerical gradients disagree."""


def _outputs(fn, inputs):
    out = fn(*inputs)
    return [out] if isinstance(out, Tensor) else list(out)


def _values(fn, inputs, checked):
    """The checked outputs' values as float64 copies (an output may alias an input)."""
    with no_grad():
        outs = _outputs(fn, inputs)
    return {k: np.array(outs[k].data, dtype=np.float64) for k in checked}


def _float_outputs(outs):
    return [i for i, o in enumerate(outs) if isinstance(o, Tensor) and o.dtype.kind == "f"]


def _fail(msg, raise_exception):
    if raise_exception:
        raise GradcheckError(msg)
    return False


def gradcheck(fn: Callable[..., Any], inputs: Tensor | Sequence[Any],
              eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True) -> bool:
    """Check ``fn``'s gradients w.r.t. every input that requires grad.

    ``inputs`` is a Tensor or a tuple of arguments (Tensors, arrays, numbers).
    Returns True when every element satisfies ``|analytic - numerical| <=
    atol + rtol * |numerical|``; otherwise raises ``GradcheckError`` naming the
    input, the element and both values (or returns False with
    ``raise_exception=False``).
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    wrt = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not wrt:
        raise ValueError("gradcheck: no input requires grad")
    for i in wrt:
        if inputs[i].dtype != np.float64:
            warnings.warn(f"gradcheck: input {i} is {inputs[i].dtype}; finite differences "
                          "are only reliable in float64", UserWarning, stacklevel=2)
    with enable_grad():
        outs = _outputs(fn, inputs)
    checked = _float_outputs(outs)
    wrt_tensors = [inputs[i] for i in wrt]

    # Analytic Jacobian rows: one backward per output element.
    analytic = {}
    for k in checked:
        out = outs[k]
        per_input = [np.zeros((out.size, inputs[i].size)) for i in wrt]
        if out.requires_grad:
            for j in range(out.size):
                seed = np.zeros(out.size, out.dtype)
                seed[j] = 1
                grads = run_backward([out], [_new_tensor(seed.reshape(out.shape))],
                                     retain_graph=True, inputs=wrt_tensors)
                for m, g in enumerate(grads):
                    if g is not None:
                        per_input[m][j] = np.asarray(g.data, dtype=np.float64).ravel()
        analytic[k] = per_input

    # Numerical Jacobian columns: perturb one input element at a time.
    for m, i in enumerate(wrt):
        x = inputs[i]
        original = x.data
        # Perturb a private copy, so the caller's array is never written to.
        x.data = np.array(original, copy=True, order="C")
        flat = x.data.reshape(-1)            # a view: writes reach x.data
        try:
            for e in range(x.size):
                orig = flat[e].item()
                flat[e] = orig + eps
                plus = _values(fn, inputs, checked)
                flat[e] = orig - eps
                minus = _values(fn, inputs, checked)
                flat[e] = orig
                mismatch = _compare(analytic, plus, minus, checked, m, e, eps, atol, rtol)
                if mismatch:
                    return _fail(_mismatch_message(mismatch, i, x, outs, e, atol, rtol)
                                 + _precision_hint(inputs, wrt, eps), raise_exception)
        finally:
            x.data = original
    return True


def _compare(analytic, plus, minus, checked, m, e, eps, atol, rtol):
    """The first (output, element, analytic, numerical) that disagrees, or None."""
    for k in checked:
        num = (plus[k] - minus[k]).ravel() / (2 * eps)
        ana = analytic[k][m][:, e]
        # Written as "not close" so that a nan on either side is a mismatch
        # (nan compares false with everything); equal infinities agree.
        with np.errstate(invalid="ignore"):
            bad = ~((np.abs(ana - num) <= atol + rtol * np.abs(num)) | (ana == num))
        if bad.any():
            j = int(np.argmax(bad))
            return k, j, ana[j], num[j]
    return None


def _mismatch_message(mismatch, i, x, outs, e, atol, rtol):
    k, j, ana, num = mismatch
    where = tuple(int(v) for v in np.unravel_index(e, x.shape)) if x.ndim else ()
    out_where = (tuple(int(v) for v in np.unravel_index(j, outs[k].shape))
                 if outs[k].ndim else ())
    return (f"gradcheck: gradient mismatch for input {i} at element {where} (output {k}, "
            f"element {out_where}): analytic {float(ana)!r}, numerical {float(num)!r} "
            f"(atol={atol}, rtol={rtol})")


def _precision_hint(inputs, wrt, eps):
    """Why a mismatch may be no error at all: the inputs are too coarse for the differences."""
    coarse = [i for i in wrt if inputs[i].dtype.itemsize < 8]
    if not coarse:
        return ""
    names = sorted({str(inputs[i].dtype) for i in coarse})
    which = (f"input {coarse[0]} is" if len(coarse) == 1
             else "inputs " + ", ".join(map(str, coarse)) + " are")
    resolution = np.finfo(inputs[coarse[0]].dtype).eps
    return (f". {which} {'/'.join(names)}, and {names[0]} is too coarse for finite "
            f"differences (relative resolution {resolution:.1e} against eps={eps}: the "
            f"numerical gradient is mostly rounding error, the analytic one may well be "
            f"right); use float64: x.astype(np.float64), or dtype=np.float64 when making "
            f"the inputs")


def gradgradcheck(fn: Callable[..., Any], inputs: Tensor | Sequence[Any],
                  grad_outputs: Tensor | Sequence[Any] | None = None,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  raise_exception: bool = True, seed: int | None = 0) -> bool:
    """Check second-order gradients: ``gradcheck`` of the map (inputs, v) -> v^T J.

    ``grad_outputs`` (one per output of ``fn``) default to random float64
    tensors drawn with ``seed``; they are differentiated too.
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    wrt = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not wrt:
        raise ValueError("gradgradcheck: no input requires grad")
    with enable_grad():
        outs = _outputs(fn, inputs)
    checked = _float_outputs(outs)
    if grad_outputs is None:
        rng = np.random.default_rng(seed)
        grad_outputs = [Tensor(rng.standard_normal(outs[k].shape), requires_grad=True)
                        for k in checked]
    else:
        grad_outputs = [grad_outputs] if isinstance(grad_outputs, Tensor) else list(grad_outputs)
    n = len(inputs)

    def first_order(*args):
        xs, vs = args[:n], args[n:]
        with enable_grad():
            outs = _outputs(fn, xs)
            roots = [outs[k] for k in checked if outs[k].requires_grad]
            seeds = [v for k, v in zip(checked, vs) if outs[k].requires_grad]
            wrt_x = [xs[i] for i in wrt]
            if not roots:
                return tuple(_new_tensor(np.zeros(x.shape, x.dtype)) for x in wrt_x)
            grads = run_backward(roots, seeds, retain_graph=True, create_graph=True,
                                 inputs=wrt_x)
        return tuple(g if g is not None else _new_tensor(np.zeros(x.shape, x.dtype))
                     for g, x in zip(grads, wrt_x))

    return gradcheck(first_order, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception)
