"""NumPy's dispatch protocols on Tensors: ``__array_ufunc__`` (NEP 13) and
``__array_function__`` (NEP 18).

NumPy hands every ufunc (``np.exp(t)``, and ``array * t``, which NumPy runs as
``np.multiply(array, t)``) and every public function (``np.sum(t, axis=0)``,
``np.concatenate([t, u])``) that meets a Tensor to the two functions below.
Each looks the ufunc or function up in a table and runs the engine's op, so
the result is a Tensor in the graph; NumPy's argument names (``axis``,
``keepdims``, ``ddof``, ``a_min``/``a_max``) are accepted.

Nothing is dropped silently. An argument the engine cannot honour (``dtype=``,
``where=``, ``initial=``, ...) raises ``TypeError`` naming it, and so does any
NumPy function or ufunc not in the tables: it would compute on the bare array
and lose the graph. ``np.asarray(t)`` is not dispatched (it uses
``__array__``) and remains the way to get an array on purpose.

``out=``: an ndarray is written (by NumPy itself, on the Tensors' data) only
when no gradient is lost, i.e. no Tensor input requires grad or recording is
off (``arr += t`` is ``np.add(arr, t, out=arr)``). A Tensor ``out=`` that is
also an input becomes the Tensor's in-place method (``t.add_``, ``t.sub_``,
``t.mul_``, ``t.div_``, ``t.clamp_``), which applies its own safety rules.

A few NumPy functions that carry no gradient are answered from the data:
the predicates ``isfinite isnan isinf all any isclose`` give bool Tensors (as
the comparison operators do), ``allclose array_equal`` Python bools, and
``shape ndim size result_type`` what NumPy gives.
"""
import numpy as np

from . import modes, versions
from .ops import arithmetic as _arith
from .ops import elementwise as _elem
from .ops import linalg as _linalg
from .ops import reduction as _red
from .ops import shape as _shape
from .tensor import Tensor, _new_tensor, _raw

__all__ = ["array_ufunc", "array_function"]

_state = modes.state
_NoValue = np._NoValue              # NumPy's "argument not given" marker
_NDARRAY_UFUNC = np.ndarray.__array_ufunc__
_NDARRAY_FUNCTION = np.ndarray.__array_function__
# Operand types handled without a closer look (the hot path of ``array * t``).
_PLAIN = {Tensor, np.ndarray, float, int, bool, np.float64, np.float32, np.int64, np.bool_}

_HOW_TO_ARRAY = ("To get an array on purpose, use t.numpy() (shares memory, no graph) "
                 "or t.detach().numpy().")


# --------------------------------------------------------------------------- helpers

def _raw_all(values):
    """``values`` with Tensors (also inside lists and tuples, as in concatenate) unwrapped."""
    return [list(map(_raw, v)) if isinstance(v, list)
            else tuple(map(_raw, v)) if isinstance(v, tuple) else _raw(v) for v in values]


def _tensors_in(values):
    """The Tensors among ``values`` and one level into lists and tuples."""
    found = []
    for v in values:
        if isinstance(v, Tensor):
            found.append(v)
        elif isinstance(v, (list, tuple)):
            found.extend(x for x in v if isinstance(x, Tensor))
    return found


def _describe(values):
    """'Tensor (2, 3) float32, ndarray (3,) float64, float': for error messages."""
    parts = []
    for v in values:
        if isinstance(v, (list, tuple)) and _tensors_in([v]):
            parts.append("[" + _describe(v) + "]")
        elif isinstance(v, (Tensor, np.ndarray, np.generic)):
            parts.append(f"{type(v).__name__} {tuple(v.shape)} {v.dtype}")
        elif isinstance(v, type):
            parts.append(v.__name__)
        else:
            parts.append(type(v).__name__)
    return ", ".join(parts)


def _short(value):
    """A short repr of an argument's value (arrays by shape and dtype only)."""
    if isinstance(value, (np.ndarray, Tensor)) and value.ndim > 0:
        return f"<{type(value).__name__} {tuple(value.shape)} {value.dtype}>"
    text = value.__name__ if isinstance(value, type) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _defers(x):
    """Whether ``x`` belongs to another library that overrides ufuncs (NEP 13: let it try)."""
    if isinstance(x, Tensor):
        return False
    override = getattr(type(x), "__array_ufunc__", None)
    return override is not None and override is not _NDARRAY_UFUNC


def _loses_grad(values):
    """Whether a result computed on bare arrays would lose a gradient."""
    return _state.grad_enabled and any(t.requires_grad for t in _tensors_in(values))


# Why each argument cannot be honoured, and what to do instead.
_ARGUMENT_HINTS = {
    "dtype": "convert first, e.g. t.astype(np.float64)",
    "where": "select the elements first, e.g. with np.where(mask, t, 0)",
    "initial": "combine the result with the initial value afterwards (ag.maximum, +)",
    "mean": "leave it out: the mean is computed (and differentiated) from the data",
    "order": "only order='C' is supported",
    "copy": "leave it out: the result shares memory where it can, as ndarray.reshape",
    "mode": "only mode='constant' is supported",
    "casting": "only casting='same_kind' (the default) is supported",
    "axes": "transpose the operands first",
    "axis": "transpose the operands first",
    "keepdims": "reshape the result afterwards",
}


def _bad_argument(name, arg, value, args):
    hint = _ARGUMENT_HINTS.get(arg)
    return TypeError(f"{name}: the argument {arg}={_short(value)} is not supported on "
                     f"Tensors (arguments: {_describe(args)})"
                     + (f"; {hint}" if hint else "") + ". " + _HOW_TO_ARRAY)


def _refuse(name, args, **given):
    """Raise for each of ``given`` that has a value (not NumPy's default None / no value)."""
    for arg, value in given.items():
        if value is not _NoValue and value is not None:
            raise _bad_argument(name, arg, value, args)


def _given(**kwargs):
    """The keyword arguments that were given (NumPy 1.26 knows fewer names than 2.x)."""
    return {k: v for k, v in kwargs.items() if v is not _NoValue}


def _flag(keepdims):
    return False if keepdims is _NoValue else bool(keepdims)


def _unsupported(name, args, instead="the ag.* functions or Tensor methods"):
    return TypeError(f"{name} is not supported on Tensors (arguments: {_describe(args)}): "
                     f"it would compute on the bare data and drop the graph. Use "
                     f"{instead}, which keep the graph. " + _HOW_TO_ARRAY)


def _into(name, func, out, args, kwargs):
    """``func`` run by NumPy on the data, writing into the ndarray ``out``.

    Allowed only where no gradient is lost: a plain array cannot be part of
    the graph, so writing a differentiable result into one would drop it.
    """
    if isinstance(out, Tensor):
        raise TypeError(f"{name}(..., out=Tensor) is not supported (arguments: "
                        f"{_describe(args)}): assign the result instead, "
                        f"t = {name}(...)")
    if _loses_grad(args):
        raise TypeError(f"{name}(..., out=ndarray): an input Tensor requires grad, and "
                        f"writing the result into an ndarray (out=, or an in-place "
                        f"operator such as arr += t) would drop the graph (arguments: "
                        f"{_describe(args)}). Use the Tensor result "
                        f"(y = {name}(...)), or compute inside ag.no_grad(). "
                        + _HOW_TO_ARRAY)
    return _written(func(*_raw_all(args), out=out, **kwargs), out)


def _written(result, out):
    """``result``, after counting the write into the ndarray(s) ``out``.

    ``out`` may be a Tensor's memory (``arr = t.numpy(); arr += u``): the write
    counts, so that a node that saved the old value refuses its backward.
    """
    for o in (out if isinstance(out, tuple) else (out,)):
        if isinstance(o, np.ndarray):
            versions.bump(o)
    return result


# --------------------------------------------------------------------------- ufuncs

def _comparison(ufunc):
    """A binary ufunc with a bool result and no gradient, as the comparison operators."""
    def compare(a, b):
        return _new_tensor(np.asarray(ufunc(a.data if isinstance(a, Tensor) else a,
                                            b.data if isinstance(b, Tensor) else b)))
    return compare


def _predicate(ufunc):
    """A unary ufunc with a bool result and no gradient (np.isfinite...)."""
    def test(x):
        return _new_tensor(np.asarray(ufunc(x.data)))
    return test


_COMPARISONS = (np.less, np.less_equal, np.greater, np.greater_equal, np.equal,
                np.not_equal)
_PREDICATES = (np.isfinite, np.isnan, np.isinf)
_NO_GRAD_UFUNCS = _COMPARISONS + _PREDICATES

UFUNCS: dict = {
    np.add: _arith.add,
    np.subtract: _arith.sub,
    np.multiply: _arith.mul,
    np.true_divide: _arith.div,
    np.divide: _arith.div,
    np.power: _arith.pow,
    np.negative: _arith.neg,
    np.positive: lambda x: x,           # as Tensor.__pos__
    np.square: lambda x: _arith.mul(x, x),
    np.exp: _elem.exp,
    np.log: _elem.log,
    np.sqrt: _elem.sqrt,
    np.sin: _elem.sin,
    np.cos: _elem.cos,
    np.tanh: _elem.tanh,
    np.absolute: _elem.abs,
    np.maximum: _elem.maximum,
    np.minimum: _elem.minimum,
    np.matmul: _linalg.matmul,
    **{u: _comparison(u) for u in _COMPARISONS},
    **{u: _predicate(u) for u in _PREDICATES},
}
"""ufunc -> handler taking the ufunc's inputs; the result is a Tensor."""

# ``np.add(t, b, out=t)``: the Tensor method that does the same in place.
_INPLACE = {np.add: "add_", np.subtract: "sub_", np.multiply: "mul_",
            np.true_divide: "div_"}
_COMMUTATIVE = (np.add, np.multiply)
# NumPy's defaults for a ufunc's keyword arguments: given explicitly, they change nothing.
_UFUNC_DEFAULTS = {"where": True, "casting": "same_kind", "order": "K", "dtype": None,
                   "subok": True, "signature": None}
# The engine's own spelling of the reductions that ``ufunc.reduce`` performs.
_REDUCE_HINTS = {np.add: "np.sum(t, axis=...) or t.sum(...)",
                 np.maximum: "np.max(t, axis=...) or t.max(...)",
                 np.minimum: "np.min(t, axis=...) or t.min(...)"}


def array_ufunc(self, ufunc, method, *inputs, **kwargs):
    """``Tensor.__array_ufunc__``: a NumPy ufunc applied to Tensors runs the engine's op."""
    handler = UFUNCS.get(ufunc)
    # The hot path, ``array * t``: written out, as every test here costs time there.
    if handler is not None and not kwargs and method == "__call__":
        if len(inputs) == 2:
            a, b = inputs
            if a.__class__ in _PLAIN and b.__class__ in _PLAIN:
                return handler(a, b)
        elif inputs[0].__class__ in _PLAIN:
            return handler(inputs[0])
    return _ufunc_general(ufunc, method, inputs, kwargs)


def _ufunc_general(ufunc, method, inputs, kwargs):
    """The rest of ``array_ufunc``: ufunc methods, keyword arguments, ``out=``."""
    out = kwargs.pop("out", None)
    out = None if out is None or all(o is None for o in out) else out
    if any(_defers(x) for x in inputs + (out or ())):
        return NotImplemented
    name = f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
    handler = UFUNCS.get(ufunc) if method == "__call__" else None
    if handler is None:
        hint = _REDUCE_HINTS.get(ufunc) if method == "reduce" else None
        raise _unsupported(name, inputs, *([hint] if hint else []))
    if out is not None and not isinstance(out[0], Tensor):
        # Computed by NumPy on the data, which honours every keyword argument.
        if ufunc in _NO_GRAD_UFUNCS:
            return _written(ufunc(*[_raw(x) for x in inputs], out=out, **kwargs), out)
        return _into(name, ufunc, out, inputs, kwargs)
    if out is None and ufunc in _NO_GRAD_UFUNCS:     # no gradient: NumPy honours them all
        return _new_tensor(np.asarray(ufunc(*[_raw(x) for x in inputs], **kwargs)))
    _refuse_ufunc_kwargs(name, kwargs, inputs)
    if out is None:
        return handler(*inputs)
    return _into_tensor(ufunc, name, inputs, out[0])


def _refuse_ufunc_kwargs(name, kwargs, args):
    """Raise for a ufunc keyword argument given with other than NumPy's default value."""
    for key, value in kwargs.items():
        default = _UFUNC_DEFAULTS.get(key, _NoValue)
        if not (value is default or (isinstance(value, str) and value == default)):
            raise _bad_argument(name, key, value, args)


def _into_tensor(ufunc, name, inputs, target):
    """``out=`` a Tensor: the Tensor's in-place method, when one does the same."""
    method_name = _INPLACE.get(ufunc)
    if method_name is None:
        raise TypeError(f"{name}(..., out=Tensor): no in-place Tensor method does this "
                        f"(arguments: {_describe(inputs)}); assign the result instead, "
                        f"t = {name}(...)")
    if inputs[0] is target:
        other = inputs[1]
    elif ufunc in _COMMUTATIVE and inputs[1] is target:
        other = inputs[0]
    else:
        raise TypeError(f"{name}(a, b, out=t) on Tensors works only as t.{method_name}(b), "
                        f"so t must be the first input (arguments: {_describe(inputs)}); "
                        f"assign the result instead, t = {name}(a, b)")
    method = getattr(target, method_name, None)
    if method is None:
        raise TypeError(f"{name}(..., out=Tensor) needs the in-place method "
                        f"Tensor.{method_name}, which is not available; assign the "
                        f"result instead, t = {name}(...)")
    return method(other)


# --------------------------------------------------------------------------- functions
# Each handler takes NumPy's signature; ``out`` and the arguments the engine
# cannot honour are dealt with first.

def _np_sum(a, axis=None, dtype=None, out=None, keepdims=_NoValue, initial=_NoValue,
            where=_NoValue):
    if out is not None:
        return _into("np.sum", np.sum, out, (a,), _given(
            axis=axis, dtype=dtype, keepdims=keepdims, initial=initial, where=where))
    _refuse("np.sum", (a,), dtype=dtype, initial=initial, where=where)
    return _red.sum(a, axis, _flag(keepdims))


def _np_mean(a, axis=None, dtype=None, out=None, keepdims=_NoValue, *, where=_NoValue):
    if out is not None:
        return _into("np.mean", np.mean, out, (a,), _given(
            axis=axis, dtype=dtype, keepdims=keepdims, where=where))
    _refuse("np.mean", (a,), dtype=dtype, where=where)
    return _red.mean(a, axis, _flag(keepdims))


def _extreme(name, func, reduce):
    def handler(a, axis=None, out=None, keepdims=_NoValue, initial=_NoValue,
                where=_NoValue):
        if out is not None:
            return _into(name, func, out, (a,), _given(
                axis=axis, keepdims=keepdims, initial=initial, where=where))
        _refuse(name, (a,), initial=initial, where=where)
        return reduce(a, axis, _flag(keepdims))
    return handler


def _spread(name, func, reduce):
    """np.var or np.std (``correction`` is the Array API's name for ``ddof``)."""
    def handler(a, axis=None, dtype=None, out=None, ddof=0, keepdims=_NoValue, *,
                where=_NoValue, mean=_NoValue, correction=_NoValue):
        if out is not None:
            return _into(name, func, out, (a,), _given(
                axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims, where=where,
                mean=mean, correction=correction))
        _refuse(name, (a,), dtype=dtype, where=where, mean=mean)
        if correction is not _NoValue:
            if ddof != 0:
                raise ValueError(f"{name}: ddof and correction can't be provided "
                                 "simultaneously")
            ddof = correction
        return reduce(a, axis, ddof, _flag(keepdims))
    return handler


def _bound(name, a_name, a_value, alias, alias_value):
    if a_value is not _NoValue and alias_value is not _NoValue:
        raise ValueError(f"{name}: pass {a_name} or {alias}, not both")
    value = a_value if a_value is not _NoValue else alias_value
    return None if value is _NoValue else value


def _np_clip(a, a_min=_NoValue, a_max=_NoValue, out=None, *, min=_NoValue, max=_NoValue,
             **kwargs):
    lo = _bound("np.clip", "a_min", a_min, "min", min)
    hi = _bound("np.clip", "a_max", a_max, "max", max)
    if isinstance(out, Tensor) and out is a and not kwargs:
        clamp = getattr(a, "clamp_", None)
        if clamp is None:
            raise TypeError("np.clip(t, ..., out=t) needs the in-place method "
                            "Tensor.clamp_, which is not available; assign the result "
                            "instead, t = np.clip(t, ...)")
        return clamp(lo, hi)
    if out is not None:
        return _into("np.clip", np.clip, out, (a, lo, hi), kwargs)
    _refuse_ufunc_kwargs("np.clip", kwargs, (a, lo, hi))
    return _elem.clip(a, lo, hi)


def _np_where(condition, x=_NoValue, y=_NoValue, /):
    if x is _NoValue and y is _NoValue:
        raise TypeError("np.where(condition) with one argument gives the indices of the "
                        "true elements (as np.nonzero), which is not supported on Tensors "
                        f"(arguments: {_describe((condition,))}); use "
                        "np.nonzero(t.numpy()), or np.where(condition, x, y)")
    if x is _NoValue or y is _NoValue:
        raise ValueError("np.where: either both or neither of x and y should be given")
    return _elem.where(condition, x, y)


def _joining(func, op):
    """The handler of ``np.concatenate`` or ``np.stack`` (``func``), running ``op``."""
    name = f"np.{func.__name__}"

    def handler(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
        if out is not None:
            return _into(name, func, out, (arrays,),
                         {"axis": axis, "dtype": dtype, "casting": casting})
        _refuse(name, arrays, dtype=dtype)
        if casting != "same_kind":
            raise _bad_argument(name, "casting", casting, arrays)
        return op(arrays, axis)
    return handler


_np_concatenate = _joining(np.concatenate, _shape.concatenate)
_np_stack = _joining(np.stack, _shape.stack)


def _np_dot(a, b, out=None):
    if out is not None:
        return _into("np.dot", np.dot, out, (a, b), {})
    return _linalg.dot(a, b)


def _np_reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    # ``newshape`` is the name NumPy < 2.1 gives ``shape``.
    if newshape is not None:
        if shape is not None:
            raise TypeError("np.reshape: pass shape or newshape, not both")
        shape = newshape
    if shape is None:
        raise TypeError("np.reshape: missing the argument 'shape'")
    if order != "C":
        raise _bad_argument("np.reshape", "order", order, (a,))
    _refuse("np.reshape", (a,), copy=copy)
    return _shape.reshape(a, shape)


def _np_ravel(a, order="C"):
    if order != "C":
        raise _bad_argument("np.ravel", "order", order, (a,))
    return _shape.reshape(a, -1)


def _np_transpose(a, axes=None):
    return _shape.transpose(a) if axes is None else _shape.transpose(a, axes)


def _np_swapaxes(a, axis1, axis2):
    return _shape.swapaxes(a, axis1, axis2)


def _np_squeeze(a, axis=None):
    return _shape.squeeze(a, axis)


def _np_expand_dims(a, axis):
    return _shape.expand_dims(a, axis)


def _np_broadcast_to(array, shape, subok=False):
    # ``subok`` asks to keep ndarray subclasses; either way the result is a Tensor.
    return _shape.broadcast_to(array, shape)


def _np_pad(array, pad_width, mode="constant", **kwargs):
    if not (isinstance(mode, str) and mode == "constant"):
        raise _bad_argument("np.pad", "mode", mode, (array,))
    value = kwargs.pop("constant_values", 0)
    for key, given in kwargs.items():
        raise _bad_argument("np.pad", key, given, (array,))
    if isinstance(value, Tensor):
        if _loses_grad([value]):
            raise TypeError("np.pad: constant_values is a Tensor that requires grad, "
                            "but the padding value gets no gradient; pass a number, or "
                            "build the result with np.concatenate")
        value = value.data
    return _shape.pad(array, pad_width, value)


def _on_data(func, wrap=True):
    """A handler for a function without gradient: NumPy runs it on the Tensors' data.

    With ``wrap``, an array result (a bool mask from ``np.isclose``, a bool from
    ``np.all``) comes back as a Tensor, as from the comparison operators.
    """
    name = f"np.{func.__name__}"

    def handler(*args, **kwargs):
        out = kwargs.get("out")
        if isinstance(out, Tensor):
            raise TypeError(f"{name}(..., out=Tensor) is not supported (arguments: "
                            f"{_describe(args)}); assign the result instead")
        result = func(*_raw_all(args), **{k: _raw(v) for k, v in kwargs.items()})
        if wrap and out is None and isinstance(result, (np.ndarray, np.generic)):
            return _new_tensor(np.asarray(result))
        return result
    return handler


FUNCTIONS = {
    np.sum: _np_sum,
    np.mean: _np_mean,
    np.max: _extreme("np.max", np.max, _red.max),
    np.amax: _extreme("np.amax", np.amax, _red.max),
    np.min: _extreme("np.min", np.min, _red.min),
    np.amin: _extreme("np.amin", np.amin, _red.min),
    np.var: _spread("np.var", np.var, _red.var),
    np.std: _spread("np.std", np.std, _red.std),
    np.clip: _np_clip,
    np.where: _np_where,
    np.concatenate: _np_concatenate,
    np.stack: _np_stack,
    np.dot: _np_dot,
    np.reshape: _np_reshape,
    np.ravel: _np_ravel,
    np.transpose: _np_transpose,
    np.swapaxes: _np_swapaxes,
    np.squeeze: _np_squeeze,
    np.expand_dims: _np_expand_dims,
    np.broadcast_to: _np_broadcast_to,
    np.pad: _np_pad,
    np.all: _on_data(np.all),
    np.any: _on_data(np.any),
    np.isclose: _on_data(np.isclose),
    np.allclose: _on_data(np.allclose),
    np.array_equal: _on_data(np.array_equal),
    np.shape: _on_data(np.shape, wrap=False),
    np.ndim: _on_data(np.ndim, wrap=False),
    np.size: _on_data(np.size, wrap=False),
    np.result_type: _on_data(np.result_type, wrap=False),
}
"""NumPy function -> handler with the same signature."""


# What to write instead of a NumPy function that has a Tensor spelling of its own.
_FUNCTION_HINTS = {np.copyto: ["t.copy_(src) (in place) or ag.where(mask, src, t)"]}


def array_function(self, func, types, args, kwargs):
    """``Tensor.__array_function__``: a NumPy function called with Tensors."""
    for cls in types:
        # Another library's array type may know what to do (NEP 18): let it try.
        if not issubclass(cls, Tensor) and cls.__array_function__ is not _NDARRAY_FUNCTION:
            return NotImplemented
    handler = FUNCTIONS.get(func)
    if handler is None:
        module = func.__module__ or "numpy"
        prefix = "np" + module[len("numpy"):] if module.startswith("numpy") else module
        raise _unsupported(f"{prefix}.{func.__name__}", args, *_FUNCTION_HINTS.get(func, ()))
    return handler(*args, **kwargs)


# Bind the protocols on Tensor (tensor.py imports this module at its bottom,
# once the ops it dispatches to exist).
Tensor.__array_ufunc__ = array_ufunc
Tensor.__array_function__ = array_function
