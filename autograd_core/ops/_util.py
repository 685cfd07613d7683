"""Small helpers shared by the op modules."""
from __future__ import annotations

import functools
import inspect
import numbers
import operator
from collections.abc import Callable
from typing import Any, TypeVar, overload

import numpy as np

from ..dtypes import _SUPPORTED_KINDS as _REAL_KINDS, check_dtype
from ..modes import state as _state
from ..tensor import Tensor, _new_tensor

# For type checkers, a function decorated with ``torch_names`` keeps its own
# signature (the NumPy spellings); PyTorch's are accepted at run time.
_F = TypeVar("_F", bound=Callable[..., Any])

_ndarray = np.ndarray


def raw(x):
    """An operand as an op computes with it: the ndarray inside a Tensor, or a constant.

    Every op's operands come through here (or through ``constant`` for the
    ones that are not Tensors), so this is where values a Tensor could not
    hold are refused: a complex number or array would otherwise make a complex
    result that silently leaves the graph.
    """
    return x.data if isinstance(x, Tensor) else constant(x)


def constant(x):
    """A non-Tensor operand (number, array, list or None) checked for its dtype.

    Python floats, ints and real arrays pass unchanged (the common case costs
    a class test); a sequence becomes an array, as NumPy would make it. Complex,
    object and string values raise the ``TypeError`` a Tensor made of them raises.
    """
    cls = x.__class__
    if cls is float or cls is int or x is None:
        return x
    if cls is _ndarray or isinstance(x, (np.ndarray, np.generic)):
        if x.dtype.kind not in _REAL_KINDS:
            check_dtype(x.dtype)
        return x
    if isinstance(x, complex):
        raise TypeError(f"unsupported dtype complex for a tensor (got {x!r})")
    if cls is bool or isinstance(x, numbers.Real):
        return x
    arr = np.asarray(x)                 # a list or another array-like
    check_dtype(arr.dtype)
    return arr


def as_tensor(x: Any) -> Tensor:
    """``x`` as a Tensor: Tensors pass through, anything else becomes a constant."""
    if isinstance(x, Tensor):
        return x
    if x.__class__ is _ndarray:
        return _new_tensor(constant(x))
    return Tensor(x)


def normalize_axis(axis, ndim, op, name="axis"):
    """``axis`` (None, int or tuple) as a sorted tuple of non-negative ints.

    As NumPy: an axis out of ``[-ndim, ndim)`` raises ``AxisError`` naming the
    op (so a 0-d tensor has no axis 0). Anything but an integer (a float, a
    string, a bool) raises ``TypeError``: truncating 1.5 to 1, or reading
    True as 1, would reduce over an axis the caller did not mean.
    """
    if axis is None:
        return tuple(range(ndim))
    if axis.__class__ is int and -ndim <= axis < ndim:      # the common case, fast
        return (axis % ndim,)
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    out = []
    for a in axes:
        a = axis_int(a, op, name, axis)
        if not -ndim <= a < ndim:
            raise np.exceptions.AxisError(f"{op}: {name} {a} is out of bounds for a tensor "
                                          f"of {ndim} dimensions")
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {name}={axis}")
    return tuple(sorted(out))


def axis_int(a, op, name="axis", whole=None):
    """One axis as a Python int; a non-integer (bools included) raises ``TypeError``."""
    if a.__class__ is int:
        return a
    if not isinstance(a, (bool, np.bool_)):
        try:
            return operator.index(a)
        except TypeError:
            pass
    # ``whole`` is the whole argument of an op that takes a tuple of axes too.
    given, kinds = (a, "an int") if whole is None else (whole, "an int or a tuple of ints")
    raise TypeError(f"{op}: {name} must be {kinds}, got {given!r} ({type(given).__name__})")


def keepdims_shape(shape, axes):
    """``shape`` with the reduced ``axes`` set to 1 (the keepdims shape)."""
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def operands(*values):
    """The values a backward computes with: as given when the backward is recorded.

    Under ``create_graph`` a backward must build a graph, so its Tensors stay
    Tensors. Otherwise each Tensor is replaced by its array: ndarrays and
    Tensors share the operators such backwards use (``@ * / + - reshape
    transpose swapaxes sum``), so one formula serves both, and an unrecorded
    backward (every training step) skips the bookkeeping of each intermediate.
    Numbers and arrays pass through unchanged.
    """
    if _state.grad_enabled:
        return values
    return tuple(v.data if isinstance(v, Tensor) else v for v in values)


def is_array(x):
    """True for a bare NumPy value (array or scalar): an unrecorded backward's operand."""
    return isinstance(x, (np.ndarray, np.generic))


# PyTorch's names for NumPy's arguments. The ops are written with NumPy's words
# (the contract); ``torch_names`` lets each also take PyTorch's, in one place.
_TORCH_NAMES = (("dim", "axis"), ("keepdim", "keepdims"), ("start_dim", "start_axis"),
                ("end_dim", "end_axis"), ("correction", "ddof"), ("unbiased", "ddof"))


def _unbiased(value, op):
    """PyTorch's ``unbiased=True/False`` as ``ddof`` 1/0."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{op}: unbiased must be True or False, got {value!r}")
    return int(value)


@overload
def torch_names(f: _F, *, with_dim: Callable[..., Any] | None = None) -> _F: ...
@overload
def torch_names(f: None = None, *, with_dim: Callable[..., Any] | None = None
                ) -> Callable[[_F], _F]: ...
def torch_names(f: Any = None, *, with_dim: Callable[..., Any] | None = None) -> Any:
    """Decorator: ``f``, written with NumPy's argument names, also takes PyTorch's.

    ``dim=`` stands for ``axis=``, ``keepdim=`` for ``keepdims=``,
    ``start_dim=``/``end_dim=`` for ``start_axis=``/``end_axis=``, and
    ``correction=`` (or ``unbiased=True/False``) for ``ddof=``, wherever ``f``
    has the NumPy parameter. Giving both spellings of one argument (by
    keyword, or the NumPy one by position) raises ``TypeError``: "sum: got both
    axis=1 and dim=1; use one". ``with_dim``, if given, is called instead of
    ``f`` when ``dim=`` was used (``max``/``min`` then return PyTorch's
    ``(values, indices)``). A call without keywords costs one function call.
    """
    if f is None:
        return lambda g: torch_names(g, with_dim=with_dim)
    params = list(inspect.signature(f).parameters.values())
    pairs = []
    for alias, name in _TORCH_NAMES:
        for i, p in enumerate(params):
            if p.name == name:
                pairs.append((alias, name, i if p.kind is p.POSITIONAL_OR_KEYWORD else None))
    op = f.__name__

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        if kwargs:
            dim_given = False
            for alias, name, pos in pairs:
                if alias in kwargs:
                    value = kwargs.pop(alias)
                    if name in kwargs or (pos is not None and len(args) > pos):
                        given = kwargs[name] if name in kwargs else args[pos]
                        raise TypeError(f"{op}: got both {name}={given!r} and "
                                        f"{alias}={value!r}; use one")
                    kwargs[name] = _unbiased(value, op) if alias == "unbiased" else value
                    dim_given = dim_given or alias == "dim"
            if dim_given and with_dim is not None:
                return with_dim(*args, **kwargs)
        return f(*args, **kwargs)

    if pairs and f.__doc__:
        names = ", ".join(f"{alias}= for {name}=" for alias, name, _ in pairs)
        wrapper.__doc__ = (inspect.cleandoc(f.__doc__) + "\n\nAlso takes PyTorch's "
                           f"names: {names} (one spelling per argument).")
    return wrapper
