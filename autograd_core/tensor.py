"""The ``Tensor``: an ndarray plus what reverse-mode differentiation needs.

A Tensor holds its ``data`` (always an ``np.ndarray``), its ``grad``, whether it
``requires_grad`` and, for op results, the ``grad_fn`` node that made it. The ops
themselves live in ``autograd_core.ops``; they are attached as methods and
operators at the bottom of this module.
"""
from __future__ import annotations

import builtins
import warnings
import weakref
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from . import function, modes, versions
from .dtypes import as_array, get_default_dtype

if TYPE_CHECKING:
    from ._types import Axis, DTypeLike, Scalar, Shape, TensorLike

__all__ = ["Tensor", "tensor"]

_object_new = object.__new__


class _Size(int):
    """``t.size``: NumPy's element count, an int; calling it is PyTorch's ``t.size()``.

    The contract makes ``size`` the count (``t.size == 12``, ``t.size + 1``,
    ``isinstance(t.size, int)`` all hold), but PyTorch code calls it:
    ``t.size()`` gives the shape (as ``t.shape``) and ``t.size(dim)`` the
    length of one axis (negative counting from the end), as PyTorch's. The
    call can mean nothing else, so it answers rather than failing.
    """

    _shape: tuple[int, ...]

    @overload
    def __call__(self, dim: None = None) -> tuple[int, ...]: ...
    @overload
    def __call__(self, dim: int) -> int: ...

    def __call__(self, dim: int | None = None) -> tuple[int, ...] | int:
        shape = self._shape
        if dim is None:
            return shape
        if isinstance(dim, (bool, np.bool_)) or not isinstance(dim, (int, np.integer)):
            raise TypeError(f"size: dim must be an int, got {dim!r} ({type(dim).__name__})")
        if not -len(shape) <= dim < len(shape):
            raise IndexError(f"size: dim {dim} is out of range for a tensor of shape "
                             f"{shape} ({len(shape)} dimensions)")
        return shape[dim]

    def __reduce__(self):          # pickles (and copies) as the plain int it is
        return (int, (int(self),))


def _size(data: np.ndarray) -> _Size:
    n = int.__new__(_Size, data.size)
    n._shape = data.shape
    return n


class Tensor:
    """An n-dimensional array that records the operations applied to it.

    ``Tensor(data, requires_grad=False, dtype=None)``: ``data`` is a number,
    nested list, NumPy array or Tensor (copied). Python floats become the
    default dtype (float32), Python ints int64 and bools bool; NumPy data keeps
    its dtype. Only floating tensors may require gradients.
    """

    __slots__ = ("data", "_grad", "requires_grad", "grad_fn", "_extra", "__weakref__")
    # NumPy's protocols (NEP 13, NEP 18), ``__array_ufunc__`` and
    # ``__array_function__``, are set by numpy_dispatch (imported at the bottom):
    # np.exp(t), np.sum(t, axis=0) and ``array * tensor`` run the engine's ops,
    # other NumPy functions raise. (No __array_priority__: with __array_ufunc__
    # defined, NumPy's operators call it instead of consulting priorities.)
    _is_tensor = True
    data: np.ndarray
    _grad: Tensor | None
    requires_grad: builtins.bool
    grad_fn: function.Function | None

    def __init__(self, data: TensorLike, requires_grad: builtins.bool = False,
                 dtype: DTypeLike | None = None, name: str | None = None) -> None:
        self.data = as_array(data, dtype)
        self._grad = None
        self.grad_fn = None
        self._extra = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)
        if name is not None:
            self.name = name

    # -- attributes ---------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        """The shape, a tuple of ints."""
        return self.data.shape

    @property
    def ndim(self) -> int:
        """The number of axes."""
        return self.data.ndim

    @property
    def size(self) -> _Size:
        """The number of elements (as NumPy's ``size``), an int.

        Calling it works as PyTorch's: ``t.size()`` is the shape, ``t.size(d)``
        the length of axis ``d`` (see ``numel()`` for the count as a method).
        """
        return _size(self.data)

    @property
    def dtype(self) -> np.dtype[Any]:
        """The NumPy dtype of ``data``."""
        return self.data.dtype

    @property
    def is_leaf(self) -> builtins.bool:
        """True for tensors made by the user (no ``grad_fn``), false for op results."""
        return self.grad_fn is None

    @property
    def T(self) -> Tensor:
        """The transpose (axes reversed), as NumPy's ``.T``."""
        return self.transpose()

    def t(self) -> Tensor:
        """PyTorch's ``t()``: a 2-D tensor with its two axes swapped (0-D and 1-D
        tensors come back as they are); for more axes use ``permute`` or ``swapaxes``."""
        if self.ndim > 2:
            raise ValueError(f"t() expects a tensor with at most 2 axes, got shape "
                             f"{self.shape}; use permute(...) or swapaxes(a, b)")
        return self.transpose()

    @property
    def name(self) -> str | None:
        """An optional name, shown by ``autograd_core.viz`` (``None`` unless set)."""
        if self.grad_fn is not None:
            extra = self.grad_fn.extra
            return extra.name if extra is not None else None
        return self._extra.get("name") if self._extra else None

    @name.setter
    def name(self, value: str | None) -> None:
        if self.grad_fn is not None:
            # Kept on the node, which the graph (and so a drawing) can reach.
            self.grad_fn._extra().name = value
        else:
            self._meta()["name"] = value

    def _meta(self):
        if self._extra is None:
            self._extra = {}
        return self._extra

    # -- gradients ------------------------------------------------------------
    @property
    def grad(self) -> Tensor | None:
        """The gradient accumulated by ``backward()``: a Tensor, or ``None``.

        Only leaves (and tensors that called ``retain_grad()``) get one; reading
        it on any other op result warns, as that ``None`` is almost always a
        mistake.
        """
        g = self._grad
        if g is None and self.grad_fn is not None and not self.retains_grad:
            warnings.warn(
                "reading .grad of a tensor that is not a leaf (it was made by "
                f"{self.grad_fn.name}): backward() does not fill it, so it is None. Call "
                ".retain_grad() on it before backward() to keep its gradient, or read "
                "the .grad of the leaf tensors", UserWarning, stacklevel=2)
        return g

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"t.grad must be a Tensor or None, got "
                                f"{type(value).__name__} (wrap an array with ag.tensor(...))")
            if value is self:
                # zero_grad(set_to_none=False) would then zero the tensor itself.
                raise RuntimeError("a tensor cannot be its own grad: assign a copy "
                                   "(t.grad = ag.tensor(t.numpy())) or another tensor")
            if value.shape != self.data.shape:
                raise RuntimeError(f"assigned grad has shape {value.shape}, but the tensor "
                                   f"has shape {self.data.shape}")
            if value.dtype != self.data.dtype:
                raise RuntimeError(f"assigned grad has dtype {value.dtype}, but the tensor "
                                   f"has dtype {self.data.dtype}")
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def _version(self) -> int:
        """How many in-place writes the memory of this tensor has seen (as PyTorch's)."""
        return versions.version(self.data)

    def requires_grad_(self, flag: builtins.bool = True) -> Tensor:
        """Set ``requires_grad`` in place (leaves only) and return ``self``."""
        flag = bool(flag)
        if flag and self.data.dtype.kind != "f":
            raise TypeError(f"only floating-point tensors can require gradients, "
                            f"got dtype {self.data.dtype}")
        if not flag and self.grad_fn is not None:
            raise RuntimeError("requires_grad_(False) on a non-leaf tensor: use detach() "
                               "to get a tensor outside the graph")
        self.requires_grad = flag
        return self

    def backward(self, gradient: TensorLike | None = None,
                 retain_graph: builtins.bool | None = None,
                 create_graph: builtins.bool = False) -> None:
        """Accumulate the gradient of this tensor into the ``.grad`` of the leaves.

        ``gradient`` is d(something)/d(self); it may be omitted for a tensor of
        one element (it is then 1). ``retain_graph`` keeps the saved values so the
        graph can be walked again (it defaults to ``create_graph``), and
        ``create_graph`` records the backward pass itself, so the gradients can
        be differentiated again.
        """
        _engine.run_backward([self], [gradient], retain_graph=retain_graph,
                             create_graph=create_graph)

    def retain_grad(self) -> None:
        """Make this non-leaf tensor keep its ``.grad`` after backward (a no-op on leaves)."""
        if self.grad_fn is None:
            if not self.requires_grad:
                raise RuntimeError("retain_grad() on a tensor that does not require grad")
            return
        self.grad_fn._extra().retained = weakref.ref(self)

    @property
    def retains_grad(self) -> builtins.bool:
        """Whether ``retain_grad()`` was called on this non-leaf tensor."""
        extra = self.grad_fn.extra if self.grad_fn is not None else None
        return extra is not None and extra.retained is not None and extra.retained() is self

    def register_hook(self, fn: Callable[[Tensor], Tensor | np.ndarray | None]
                      ) -> function.RemovableHandle:
        """Call ``fn(grad)`` whenever this tensor's gradient is computed.

        ``fn`` may return a replacement gradient. Hooks run in registration
        order; the returned handle's ``.remove()`` unregisters the hook.
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that does not "
                               "require grad")
        if self.grad_fn is not None:
            return self.grad_fn.register_hook(fn)
        hooks = self._meta().setdefault("hooks", {})
        return function.RemovableHandle(hooks, fn)

    def detach(self) -> Tensor:
        """A tensor sharing ``data`` but outside the graph (no ``grad_fn``, no grad)."""
        return _new_tensor(self.data)

    # -- conversion -----------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """The data as an ndarray (shared, not copied)."""
        return self.data

    def item(self) -> Any:
        """The single element as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor of one element, got shape {self.shape}")
        return self.data.item()

    def tolist(self) -> Any:
        """The data as (nested) Python lists of numbers."""
        return self.data.tolist()

    def astype(self, dtype: DTypeLike) -> Tensor:
        """A copy converted to ``dtype``; differentiable between float dtypes."""
        return _shape_ops.astype(self, dtype)

    # PyTorch's casts: a copy in the graph (as astype), or self when the dtype is already it.
    def float(self) -> Tensor:
        """As float32 (PyTorch's ``float()``), in the graph; ``self`` if already float32."""
        return self.to(np.float32)

    def double(self) -> Tensor:
        """As float64 (PyTorch's ``double()``), in the graph; ``self`` if already float64."""
        return self.to(np.float64)

    def half(self) -> Tensor:
        """As float16 (PyTorch's ``half()``), in the graph; ``self`` if already float16."""
        return self.to(np.float16)

    def long(self) -> Tensor:
        """As int64 (PyTorch's ``long()``; no gradient); ``self`` if already int64."""
        return self.to(np.int64)

    def int(self) -> Tensor:
        """As int32 (PyTorch's ``int()``; no gradient); ``self`` if already int32."""
        return self.to(np.int32)

    def bool(self) -> Tensor:
        """As bool (PyTorch's ``bool()``; no gradient); ``self`` if already bool."""
        return self.to(np.bool_)

    def to(self, *args: Any, dtype: DTypeLike | None = None, device: Any = None,
           copy: builtins.bool = False, non_blocking: builtins.bool = False) -> Tensor:
        """PyTorch's ``to``: a dtype conversion that stays in the graph.

        ``t.to(np.float64)``, ``t.to("float32")`` (any NumPy dtype name),
        ``t.to(other_tensor)`` (its dtype), ``t.to("cpu")`` and
        ``t.to("cpu", np.float32)``; keywords ``dtype=``, ``device=`` and
        ``copy=``. The only device is the CPU (NumPy): "cpu" is accepted and
        changes nothing, any other device raises. As PyTorch's, it returns
        ``self`` when nothing changes (unless ``copy=True``); between float
        dtypes the gradient flows back (converted to the original dtype).
        """
        for a in args:
            if isinstance(a, Tensor):
                given = a.dtype
            elif _is_device(a):
                given, device = None, a if device is None else _both("device", device, a)
                continue
            else:
                given = a
            dtype = given if dtype is None else _both("dtype", dtype, given)
        if device is not None:
            name = str(device)
            if name.split(":")[0] != "cpu":
                raise ValueError(f"to: autograd_core runs on the CPU (NumPy) only, got "
                                 f"device {device!r}; use 'cpu' or leave it out")
        if dtype is None:
            return _shape_ops.clone(self) if copy else self
        dtype = _as_dtype(dtype)
        if dtype == self.data.dtype and not copy:
            return self
        return _shape_ops.astype(self, dtype)

    def __array__(self, dtype: DTypeLike | None = None,
                  copy: builtins.bool | None = None) -> np.ndarray:
        if dtype is not None and np.dtype(dtype) != self.data.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def __len__(self) -> builtins.int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __iter__(self) -> Iterator[Tensor]:
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self.data)))

    def __bool__(self) -> builtins.bool:
        return bool(self.data)

    def __float__(self) -> builtins.float:
        return float(self.data)

    def __int__(self) -> builtins.int:
        return int(self.data)

    def __index__(self) -> builtins.int:
        if self.data.dtype.kind not in "iub" or self.data.size != 1:
            raise TypeError("only integer tensors of one element can be used as an index")
        return int(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extra = []
        # Like PyTorch: name the dtype unless it is what the data would get anyway.
        if self.data.dtype not in (get_default_dtype(), np.int64, np.bool_):
            extra.append(f"dtype={self.data.dtype}")
        if self.grad_fn is not None:
            extra.append(f"grad_fn=<{self.grad_fn.name}>")
        elif self.requires_grad:
            extra.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extra) + ")"

    # -- in-place writes ------------------------------------------------------
    def __setitem__(self, index: Any, value: TensorLike) -> None:
        # As in PyTorch, any tensor may be written in place under no_grad
        # (optimizers do), as the in-place methods may: the version check
        # catches a backward that needs the old value.
        if self.requires_grad and modes.state.grad_enabled:
            raise RuntimeError(
                "t[index] = value on a tensor that is part of a graph (it requires grad "
                "or was made by an op) would make its gradients wrong: build a new "
                "tensor with ag.where/ag.concatenate, or write inside ag.no_grad()")
        if isinstance(value, Tensor):
            if value.requires_grad and modes.state.grad_enabled:
                raise RuntimeError("t[index] = value where value requires grad would drop "
                                   "its gradient: build the result with ag.where instead")
            value = value.data
        self.data[_indexing.normalize_index(index)] = value
        versions.bump(self.data)

    # -- comparisons: elementwise, bool results, never differentiable -------------
    def _compare(self, other: Any, ufunc: np.ufunc) -> Tensor:
        return _new_tensor(np.asarray(ufunc(self.data, _raw(other))))

    def __lt__(self, other: TensorLike) -> Tensor:
        return self._compare(other, np.less)

    def __le__(self, other: TensorLike) -> Tensor:
        return self._compare(other, np.less_equal)

    def __gt__(self, other: TensorLike) -> Tensor:
        return self._compare(other, np.greater)

    def __ge__(self, other: TensorLike) -> Tensor:
        return self._compare(other, np.greater_equal)

    def __eq__(self, other: object) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.equal)

    def __ne__(self, other: object) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.not_equal)

    if TYPE_CHECKING:
        # Attached at the bottom of this module from autograd_core.ops (and set by
        # numpy_dispatch and inplace); declared here for type checkers only.
        # The reductions also take PyTorch's spellings (dim=, keepdim=, correction=,
        # unbiased=), accepted here as keywords.
        def __add__(self, other: TensorLike) -> Tensor: ...
        def __radd__(self, other: TensorLike) -> Tensor: ...
        def __sub__(self, other: TensorLike) -> Tensor: ...
        def __rsub__(self, other: TensorLike) -> Tensor: ...
        def __mul__(self, other: TensorLike) -> Tensor: ...
        def __rmul__(self, other: TensorLike) -> Tensor: ...
        def __truediv__(self, other: TensorLike) -> Tensor: ...
        def __rtruediv__(self, other: TensorLike) -> Tensor: ...
        def __pow__(self, other: TensorLike) -> Tensor: ...
        def __rpow__(self, other: TensorLike) -> Tensor: ...
        def __matmul__(self, other: TensorLike) -> Tensor: ...
        def __rmatmul__(self, other: TensorLike) -> Tensor: ...
        def __mod__(self, other: TensorLike) -> Tensor: ...
        def __rmod__(self, other: TensorLike) -> Tensor: ...
        def __floordiv__(self, other: TensorLike) -> Tensor: ...
        def __rfloordiv__(self, other: TensorLike) -> Tensor: ...
        def __and__(self, other: TensorLike) -> Tensor: ...
        def __rand__(self, other: TensorLike) -> Tensor: ...
        def __or__(self, other: TensorLike) -> Tensor: ...
        def __ror__(self, other: TensorLike) -> Tensor: ...
        def __xor__(self, other: TensorLike) -> Tensor: ...
        def __rxor__(self, other: TensorLike) -> Tensor: ...
        def __neg__(self) -> Tensor: ...
        def __pos__(self) -> Tensor: ...
        def __abs__(self) -> Tensor: ...
        def __invert__(self) -> Tensor: ...
        def __getitem__(self, index: Any) -> Tensor: ...
        def exp(self) -> Tensor: ...
        def log(self) -> Tensor: ...
        def sqrt(self) -> Tensor: ...
        def sin(self) -> Tensor: ...
        def cos(self) -> Tensor: ...
        def tanh(self) -> Tensor: ...
        def sigmoid(self) -> Tensor: ...
        def relu(self) -> Tensor: ...
        def abs(self) -> Tensor: ...
        def erf(self) -> Tensor: ...
        def softplus(self) -> Tensor: ...
        def leaky_relu(self, negative_slope: builtins.float = 0.01) -> Tensor: ...
        def gelu(self, approximate: str = "none") -> Tensor: ...
        def clip(self, min: TensorLike | None = None, max: TensorLike | None = None) -> Tensor: ...
        def sum(self, axis: Axis = None, keepdims: builtins.bool = False,
                *, dim: Axis = None, keepdim: builtins.bool = False) -> Tensor: ...
        def mean(self, axis: Axis = None, keepdims: builtins.bool = False,
                *, dim: Axis = None, keepdim: builtins.bool = False) -> Tensor: ...
        def prod(self, axis: Axis = None, keepdims: builtins.bool = False,
                *, dim: Axis = None, keepdim: builtins.bool = False) -> Tensor: ...
        def logsumexp(self, axis: Axis = None, keepdims: builtins.bool = False,
                *, dim: Axis = None, keepdim: builtins.bool = False) -> Tensor: ...
        def all(self, axis: Axis = None, keepdims: builtins.bool = False,
                *, dim: Axis = None, keepdim: builtins.bool = False) -> Tensor: ...
        def any(self, axis: Axis = None, keepdims: builtins.bool = False,
                *, dim: Axis = None, keepdim: builtins.bool = False) -> Tensor: ...
        @overload
        def max(self, axis: Axis = None, keepdims: builtins.bool = False, *,
                keepdim: builtins.bool = False) -> Tensor: ...
        @overload
        def max(self, axis: None = None, keepdims: builtins.bool = False, *,
                dim: builtins.int, keepdim: builtins.bool = False) -> tuple[Tensor, Tensor]: ...
        def max(self, axis: Axis = None, keepdims: builtins.bool = False, *, dim: Any = None,
                keepdim: builtins.bool = False) -> Any: ...
        @overload
        def min(self, axis: Axis = None, keepdims: builtins.bool = False, *,
                keepdim: builtins.bool = False) -> Tensor: ...
        @overload
        def min(self, axis: None = None, keepdims: builtins.bool = False, *,
                dim: builtins.int, keepdim: builtins.bool = False) -> tuple[Tensor, Tensor]: ...
        def min(self, axis: Axis = None, keepdims: builtins.bool = False, *, dim: Any = None,
                keepdim: builtins.bool = False) -> Any: ...
        def argmax(self, axis: builtins.int | None = None, keepdims: builtins.bool = False,
                *, dim: builtins.int | None = None, keepdim: builtins.bool = False) -> Tensor: ...
        def argmin(self, axis: builtins.int | None = None, keepdims: builtins.bool = False,
                *, dim: builtins.int | None = None, keepdim: builtins.bool = False) -> Tensor: ...
        def var(self, axis: Axis = None, ddof: builtins.int = 0, keepdims: builtins.bool = False,
                *, dim: Axis = None, keepdim: builtins.bool = False,
                correction: builtins.int | None = None,
                unbiased: builtins.bool | None = None) -> Tensor: ...
        def std(self, axis: Axis = None, ddof: builtins.int = 0, keepdims: builtins.bool = False,
                *, dim: Axis = None, keepdim: builtins.bool = False,
                correction: builtins.int | None = None,
                unbiased: builtins.bool | None = None) -> Tensor: ...
        def softmax(self, axis: builtins.int = -1, *,
                       dim: builtins.int | None = None) -> Tensor: ...
        def log_softmax(self, axis: builtins.int = -1, *,
                           dim: builtins.int | None = None) -> Tensor: ...
        def cumsum(self, axis: builtins.int | None = None, *,
                   dim: builtins.int | None = None) -> Tensor: ...
        def norm(self, p: builtins.float | str = 2, axis: Axis = None,
                 keepdims: builtins.bool = False, *, dim: Axis = None,
                 keepdim: builtins.bool = False) -> Tensor: ...
        def reshape(self, *shape: Shape) -> Tensor: ...
        def view(self, *shape: Shape) -> Tensor: ...
        def transpose(self, *axes: Shape) -> Tensor: ...
        def permute(self, *axes: Shape) -> Tensor: ...
        def swapaxes(self, axis1: builtins.int, axis2: builtins.int) -> Tensor: ...
        def flatten(self, start_axis: builtins.int = 0, end_axis: builtins.int = -1, *,
                    start_dim: builtins.int | None = None,
                    end_dim: builtins.int | None = None) -> Tensor: ...
        def squeeze(self, axis: Axis = None, *, dim: Axis = None) -> Tensor: ...
        def expand_dims(self, axis: Shape | None = None, *, dim: Shape | None = None) -> Tensor: ...
        def unsqueeze(self, axis: Shape | None = None, *, dim: Shape | None = None) -> Tensor: ...
        def broadcast_to(self, shape: Shape) -> Tensor: ...
        def clone(self) -> Tensor: ...
        def numel(self) -> builtins.int: ...
        def matmul(self, other: TensorLike) -> Tensor: ...
        def dot(self, other: TensorLike) -> Tensor: ...
        def add_(self, other: TensorLike, alpha: Scalar = 1) -> Tensor: ...
        def sub_(self, other: TensorLike, alpha: Scalar = 1) -> Tensor: ...
        def mul_(self, other: TensorLike) -> Tensor: ...
        def div_(self, other: TensorLike) -> Tensor: ...
        def pow_(self, exponent: TensorLike) -> Tensor: ...
        def zero_(self) -> Tensor: ...
        def fill_(self, value: TensorLike) -> Tensor: ...
        def copy_(self, src: TensorLike) -> Tensor: ...
        def clamp_(self, min: TensorLike | None = None,
                   max: TensorLike | None = None) -> Tensor: ...
        def __iadd__(self, other: TensorLike) -> Tensor: ...
        def __isub__(self, other: TensorLike) -> Tensor: ...
        def __imul__(self, other: TensorLike) -> Tensor: ...
        def __itruediv__(self, other: TensorLike) -> Tensor: ...
        def __ipow__(self, other: TensorLike) -> Tensor: ...
        __array_ufunc__: Callable[..., Any]
        __array_function__: Callable[..., Any]

    # Tensors are hashed by identity (as in PyTorch), so they can key dicts.
    __hash__ = object.__hash__


def _is_device(a):
    """A device spec: "cpu", "cuda:0", a torch.device."""
    if type(a).__name__ == "device":
        return True
    return isinstance(a, str) and a.split(":")[0] in ("cpu", "cuda", "mps", "meta", "xla")


def _both(what, first, second):
    if first is second or first == second:
        return first
    raise TypeError(f"to: got two {what}s, {first!r} and {second!r}; give one")


def _as_dtype(dtype):
    """A NumPy dtype from a dtype, a type, a name ("float32") or a torch dtype."""
    if type(dtype).__module__ == "torch":           # torch.float32 -> "float32"
        dtype = str(dtype).rsplit(".", 1)[-1]
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"to: not a dtype or device: {dtype!r}") from None


def _raw(x):
    """The ndarray inside a Tensor, or ``x`` itself."""
    return x.data if isinstance(x, Tensor) else x


def _new_tensor(data: np.ndarray) -> Tensor:
    """A leaf Tensor around an existing ndarray (no copy, no checks): the fast path."""
    t = _object_new(Tensor)
    t.data = data
    t._grad = None
    t.requires_grad = False
    t.grad_fn = None
    t._extra = None
    return t


def tensor(data: TensorLike, requires_grad: bool = False, dtype: DTypeLike | None = None,
           name: str | None = None) -> Tensor:
    """Make a Tensor; the same as ``Tensor(data, requires_grad, dtype)``."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, name=name)


function.Tensor = Tensor

# The ops import Tensor from here; attach them as methods once they exist.
from .ops import arithmetic as _arith  # noqa: E402
from .ops import elementwise as _elem  # noqa: E402
from .ops import indexing as _indexing  # noqa: E402
from .ops import linalg as _linalg  # noqa: E402
from .ops import reduction as _red  # noqa: E402
from .ops import shape as _shape_ops  # noqa: E402
from . import engine as _engine  # noqa: E402  (it imports Tensor from here)
from . import inplace as _inplace  # noqa: E402
from . import numpy_dispatch as _numpy_dispatch  # noqa: E402,F401  (sets the protocols)

# Type checkers see the declarations in the class body instead.
if not TYPE_CHECKING:
    Tensor.__add__ = Tensor.__radd__ = _arith.add
    Tensor.__sub__ = _arith.sub
    Tensor.__rsub__ = lambda self, other: _arith.sub(other, self)
    Tensor.__mul__ = Tensor.__rmul__ = _arith.mul
    Tensor.__truediv__ = _arith.div
    Tensor.__rtruediv__ = lambda self, other: _arith.div(other, self)
    Tensor.__pow__ = _arith.pow
    Tensor.__rpow__ = lambda self, other: _arith.pow(other, self)
    Tensor.__neg__ = _arith.neg
    Tensor.__pos__ = lambda self: self
    Tensor.__abs__ = _elem.abs
    Tensor.__matmul__ = _linalg.matmul
    Tensor.__rmatmul__ = lambda self, other: _linalg.matmul(other, self)
    Tensor.__getitem__ = _indexing.getitem
    # No gradient (``%`` has one on floats, as PyTorch's): see ops/arithmetic.py.
    Tensor.__mod__ = _arith.remainder
    Tensor.__rmod__ = lambda self, other: _arith.remainder(other, self)
    Tensor.__floordiv__ = _arith.floor_divide
    Tensor.__rfloordiv__ = lambda self, other: _arith.floor_divide(other, self)
    Tensor.__and__ = _arith.bitwise_and
    Tensor.__rand__ = lambda self, other: _arith.bitwise_and(other, self)
    Tensor.__or__ = _arith.bitwise_or
    Tensor.__ror__ = lambda self, other: _arith.bitwise_or(other, self)
    Tensor.__xor__ = _arith.bitwise_xor
    Tensor.__rxor__ = lambda self, other: _arith.bitwise_xor(other, self)
    Tensor.__invert__ = _arith.bitwise_not

    for _module in (_elem, _red, _shape_ops, _linalg, _inplace):
        for _name in _module.METHODS:
            setattr(Tensor, _name, getattr(_module, _name))
    del _module, _name
