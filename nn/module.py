"""``Module`` and ``Parameter``: the building blocks every layer is made of.

A ``Module`` owns ``Parameter``s, buffers (non-trainable state such as running
statistics) and child modules. As in PyTorch, assigning a ``Parameter`` or a
``Module`` to an attribute registers it; its name in the parent becomes one
component of the keys of ``state_dict()`` (``"layers.0.weight"``) and the name of
the ``ag.scope`` that calling the child opens, so a graph made by calling a
model is tagged with paths such as ``"MLP/layers/0"``. Modules inside a plain
list, tuple or dict attribute are not registered (as in PyTorch); such an
assignment warns and names ``nn.ModuleList`` / ``nn.ModuleDict``, which are.
"""
from __future__ import annotations

import warnings
from collections import OrderedDict, namedtuple
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

import autograd_core as ag

if TYPE_CHECKING:
    from typing_extensions import Self

    from autograd_core._types import DTypeLike, TensorLike

__all__ = ["Module", "Parameter", "IncompatibleKeys", "zero_grads"]


class Parameter(ag.Tensor):
    """A leaf Tensor that a ``Module`` registers as trainable when assigned to it.

    ``Parameter(data, requires_grad=True, dtype=None)``: ``data`` is a number,
    nested list, NumPy array or Tensor (copied). Parameters are floating point:
    Python numbers become the default dtype (float32), NumPy float arrays keep
    their dtype and integer data is converted to the default float dtype.
    """

    __slots__ = ()

    def __init__(self, data: TensorLike, requires_grad: bool = True,
                 dtype: DTypeLike | None = None) -> None:
        super().__init__(data, dtype=dtype)
        if self.data.dtype.kind != "f":
            if dtype is not None:
                raise TypeError(f"Parameter: dtype must be floating point, got {self.data.dtype}")
            self.data = self.data.astype(ag.get_default_dtype())
        self.requires_grad_(requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])
IncompatibleKeys.__doc__ = ("What ``load_state_dict(..., strict=False)`` could not match: "
                            "keys the model has but the state_dict lacks, and the reverse.")


class _HookHandle:
    """Returned by ``register_forward_hook``; ``.remove()`` unregisters the hook."""

    __slots__ = ("_hooks", "_key")
    _next_key = 0

    def __init__(self, hooks, fn):
        _HookHandle._next_key += 1
        self._key = _HookHandle._next_key
        self._hooks = hooks
        hooks[self._key] = fn

    def remove(self) -> None:
        """Unregister the hook; calling it twice is harmless."""
        self._hooks.pop(self._key, None)


def zero_grads(params: Iterable[ag.Tensor], set_to_none: bool = True) -> None:
    """Set each parameter's ``.grad`` to ``None``, or zero it in place.

    Shared by ``Module.zero_grad`` and ``Optimizer.zero_grad``. A gradient that
    is itself recorded (``create_graph=True``) or read-only is replaced by
    zeros instead of being written into.
    """
    for p in params:
        g = p.grad
        if g is None:
            continue
        if set_to_none:
            p.grad = None
        elif g.grad_fn is not None or not g.data.flags.writeable:
            p.grad = ag.zeros_like(g.detach())
        else:
            g.zero_()


def _as_buffer(value, name):
    if isinstance(value, ag.Tensor):
        if value.requires_grad:
            raise TypeError(f"buffer '{name}' must not require grad (use a Parameter for "
                            "trainable state)")
        return value
    if isinstance(value, (np.ndarray, np.generic, int, float, bool, list, tuple)):
        return ag.tensor(value)
    raise TypeError(f"cannot assign {type(value).__name__} as buffer '{name}' (a Tensor, "
                    "NumPy array or None is expected)")


_PLAIN_CONTAINERS = (list, tuple, dict, set, frozenset)


def _modules_inside(value, path="", seen=None):
    """Yield ``(path, module)`` for each Module in the (nested) plain containers
    ``value`` (lists, tuples, dicts' values, sets), e.g. ``("[1][0]", Linear)``."""
    if seen is None:
        seen = set()
    if id(value) in seen:               # a container holding itself
        return
    seen.add(id(value))
    if isinstance(value, dict):
        entries = ((f"[{k!r}]", v) for k, v in value.items())
    elif isinstance(value, (set, frozenset)):
        entries = (("{...}", v) for v in value)
    else:
        entries = ((f"[{i}]", v) for i, v in enumerate(value))
    for where, v in entries:
        if isinstance(v, Module):
            yield path + where, v
        elif isinstance(v, _PLAIN_CONTAINERS):
            yield from _modules_inside(v, path + where, seen)


def _container_warning(owner, name, value):
    """The warning for ``owner.name = value`` when ``value`` (a list, tuple, dict or
    set, maybe nested) holds Modules that ``owner`` does not otherwise register;
    ``None`` when it holds none (or only modules registered elsewhere in ``owner``,
    such as ``self.pair = (self.fc1, self.fc2)``)."""
    found = list(_modules_inside(value))
    if not found:
        return None
    registered = {id(m) for m in owner.modules()}
    found = [(where, m) for where, m in found if id(m) not in registered]
    if not found:
        return None
    kind = type(value).__name__
    nested = any(where.count("[") + where.count("{") > 1 for where, _ in found)
    listed = ", ".join(f"{type(m).__name__} at {where}" for where, m in found[:3])
    if len(found) > 3:
        listed += f" and {len(found) - 3} more"
    if isinstance(value, dict):
        use = "nn.ModuleDict"
        example = f"self.{name} = nn.ModuleDict({{...}})"
        if nested:
            example += " (with nn.ModuleList / nn.ModuleDict for the inner containers)"
    else:
        use = "nn.ModuleList"
        example = f"self.{name} = nn.ModuleList([...])"
        if nested:
            example += (" (a nested list becomes an nn.ModuleList of nn.ModuleLists, a "
                        "dict an nn.ModuleDict)")
    return (f"{type(owner).__name__}.{name} is assigned a plain {kind} holding "
            f"{len(found)} module(s) ({listed}); modules inside a plain {kind} are NOT "
            f"registered: their parameters are not in parameters() (an optimizer will not "
            f"see or train them), state_dict() and nn.save will not save them, and "
            f"train()/eval() will not reach them. Use {use} instead: {example}.")


class Module:
    """Base class of layers and models: subclass it and define ``forward``.

    Assign parameters and sub-modules as attributes in ``__init__`` (after
    calling ``super().__init__()``); they are then found by ``parameters()``,
    saved by ``state_dict()`` and switched by ``train()``/``eval()``. Calling a
    module runs ``forward`` inside ``ag.scope(name)``, where ``name`` is the
    attribute name the module was (last) registered under in its parent
    (``"fc1"``, or ``"0"`` inside a ``Sequential``), or its class name for a
    module that was never registered; scopes nest, giving ``"MLP/layers/0"``.
    Assigning a list, tuple or dict that holds (possibly nested) modules not
    registered otherwise gives a ``UserWarning``: hold them in ``nn.ModuleList``
    or ``nn.ModuleDict`` so that their parameters are registered.
    """

    def __init__(self) -> None:
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = OrderedDict()
        d["_buffers"] = OrderedDict()
        d["_non_persistent"] = set()
        d["_modules"] = OrderedDict()
        d["_forward_hooks"] = OrderedDict()
        d["_forward_pre_hooks"] = OrderedDict()
        d["_scope"] = ag.scope(type(self).__name__)     # renamed when registered

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; subclasses override it. Call the module, not ``forward``."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self._scope:
            if self._forward_pre_hooks:
                for hook in list(self._forward_pre_hooks.values()):
                    r = hook(self, args)
                    if r is not None:
                        args = r if isinstance(r, tuple) else (r,)
            out = self.forward(*args, **kwargs)
            if self._forward_hooks:
                for hook in list(self._forward_hooks.values()):
                    r = hook(self, args, out)
                    if r is not None:
                        out = r
        return out

    # -- registration -----------------------------------------------------------
    def _check_init(self, what):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {what} before Module.__init__() call "
                                 f"(call super().__init__() first in {type(self).__name__})")

    def _set_name(self, name):
        self.__dict__["_scope"] = ag.scope(name)

    def _unregister(self, name, keep=None):
        # ``keep``: the registry about to receive ``name`` again, which keeps its place.
        for registry in (self._parameters, self._buffers, self._modules):
            if registry is not keep:
                registry.pop(name, None)
        self._non_persistent.discard(name)

    def __setattr__(self, name, value):
        if isinstance(value, Parameter):
            self._check_init("parameters")
            self._unregister(name, keep=self._parameters)
            self.__dict__.pop(name, None)
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._check_init("modules")
            self._unregister(name, keep=self._modules)
            self.__dict__.pop(name, None)
            self._modules[name] = value
            value._set_name(name)
        elif "_buffers" in self.__dict__ and name in self._buffers:
            if value is not None and not isinstance(value, (ag.Tensor, np.ndarray)):
                raise TypeError(f"cannot assign {type(value).__name__} as buffer '{name}' "
                                "(a Tensor, NumPy array or None is expected)")
            self._buffers[name] = None if value is None else _as_buffer(value, name)
        else:
            if "_parameters" in self.__dict__:
                # As PyTorch: a registered parameter or child is replaced only by its
                # own kind (or None), never silently dropped by a stray assignment.
                if value is not None and name in self._parameters:
                    raise TypeError(f"cannot assign {type(value).__name__} as parameter "
                                    f"'{name}' (nn.Parameter or None expected)")
                if value is not None and name in self._modules:
                    raise TypeError(f"cannot assign {type(value).__name__} as child module "
                                    f"'{name}' (nn.Module or None expected)")
                self._unregister(name)
                if isinstance(value, _PLAIN_CONTAINERS):
                    message = _container_warning(self, name, value)
                    if message is not None:
                        warnings.warn(message, UserWarning, stacklevel=2)
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        # Called only when normal lookup fails: registered things live in the registries.
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            r = d.get(registry)
            if r is not None and name in r:
                return r[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        d = self.__dict__
        if any(name in d.get(r, ()) for r in ("_parameters", "_buffers", "_modules")):
            self._unregister(name)
        else:
            object.__delattr__(self, name)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers)
                      | set(self._modules))

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` (a ``Parameter``, or ``None`` to unregister) as ``name``."""
        self._check_name(name)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign {type(param).__name__} as parameter '{name}' "
                            "(nn.Parameter or None expected)")
        setattr(self, name, param)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register ``module`` as the child ``name`` (as ``self.name = module`` does)."""
        self._check_name(name)
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        setattr(self, name, module)

    register_module = add_module

    def register_buffer(self, name: str, tensor: TensorLike | None,
                        persistent: bool = True) -> None:
        """Register non-trainable state (a Tensor or NumPy array, e.g. running statistics).

        Buffers are saved by ``state_dict()`` unless ``persistent=False``. Assigning
        a Tensor or array to the attribute later replaces the buffer's value.
        """
        self._check_init("buffers")
        self._check_name(name)
        if name not in self._buffers and (name in self.__dict__ or name in self._parameters
                                          or name in self._modules):
            raise KeyError(f"attribute '{name}' already exists")
        self._unregister(name, keep=self._buffers)
        self._buffers[name] = None if tensor is None else _as_buffer(tensor, name)
        if not persistent:
            self._non_persistent.add(name)

    @staticmethod
    def _check_name(name):
        if not isinstance(name, str):
            raise TypeError(f"name must be a string, got {type(name).__name__}")
        if not name or "." in name:
            raise KeyError(f"name must be a non-empty string without '.', got {name!r}")

    def register_forward_hook(self, hook: Callable[..., Any]) -> _HookHandle:
        """Call ``hook(module, args, output)`` after each forward; it may return a new output."""
        return _HookHandle(self._forward_hooks, hook)

    def register_forward_pre_hook(self, hook: Callable[..., Any]) -> _HookHandle:
        """Call ``hook(module, args)`` before each forward; it may return new args."""
        return _HookHandle(self._forward_pre_hooks, hook)

    # -- walking the tree ---------------------------------------------------------
    def named_modules(self, memo: set[int] | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """Yield ``(name, module)`` for this module and all below it; each module once."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            yield from child.named_modules(memo, f"{prefix}.{name}" if prefix else name,
                                           remove_duplicate)

    def modules(self) -> Iterator[Module]:
        """Yield this module and every module below it, each once."""
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Yield ``(name, module)`` for the direct children, each module once."""
        seen = set()
        for name, child in self._modules.items():
            if id(child) not in seen:
                seen.add(id(child))
                yield name, child

    def children(self) -> Iterator[Module]:
        """Yield the direct child modules, each once."""
        for _, child in self.named_children():
            yield child

    def _named_members(self, registry, prefix, recurse, remove_duplicate):
        seen = set()
        modules = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for mod_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{mod_prefix}.{name}" if mod_prefix else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """Yield ``(name, parameter)``; a parameter shared by several modules comes once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Yield the parameters (each once), e.g. for an optimizer."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, ag.Tensor]]:
        """Yield ``(name, buffer)`` for the buffers (running statistics and the like)."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[ag.Tensor]:
        """Yield the buffers, each once."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def get_submodule(self, target: str) -> Module:
        """The module at a dotted path such as ``"layers.0"`` (``""`` is ``self``)."""
        module = self
        if target:
            for part in target.split("."):
                if part not in module._modules:
                    raise AttributeError(f"{type(module).__name__} has no submodule '{part}' "
                                         f"(looking up '{target}')")
                module = module._modules[part]
        return module

    def apply(self, fn: Callable[[Module], object]) -> Self:
        """Call ``fn(module)`` on every child (recursively), then on ``self``; returns self."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # -- modes and gradients ------------------------------------------------------
    def train(self, mode: bool = True) -> Self:
        """Set training mode (``mode=True``) or evaluation mode here and below; returns self."""
        if not isinstance(mode, bool):
            raise ValueError(f"training mode must be a bool, got {mode!r}")
        for m in self.modules():
            m.training = mode
        return self

    def eval(self) -> Self:
        """Evaluation mode (dropout off, batch norm uses running statistics); returns self."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the parameters' gradients: to ``None`` (default) or, with
        ``set_to_none=False``, to zeros in place (as PyTorch)."""
        zero_grads(self.parameters(), set_to_none)

    def requires_grad_(self, requires_grad: bool = True) -> Self:
        """Set ``requires_grad`` on every parameter (``False`` freezes them); returns self."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def to(self, dtype: DTypeLike) -> Self:
        """Convert the floating parameters and buffers to ``dtype`` in place; returns self.

        Do this before making an optimizer: its state is kept per parameter array.
        """
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"Module.to: dtype must be floating point, got {dtype}")
        for t in list(self.parameters()) + list(self.buffers()):
            if t.data.dtype.kind == "f":
                t.data = t.data.astype(dtype)
                if t.grad is not None:
                    t.grad = ag.tensor(t.grad.data.astype(dtype))
        return self

    # -- state ------------------------------------------------------------------
    def _state_items(self, prefix=""):
        """Yield ``(key, tensor)`` in PyTorch's order: own params, own buffers, children."""
        for name, p in self._parameters.items():
            if p is not None:
                yield prefix + name, p
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent:
                yield prefix + name, b
        for name, child in self._modules.items():
            yield from child._state_items(f"{prefix}{name}.")

    def state_dict(self, prefix: str = "") -> OrderedDict[str, np.ndarray]:
        """An ``OrderedDict`` of key -> NumPy array copy, with PyTorch's keys.

        Keys are attribute paths (``"fc1.weight"``, ``"0.bias"``,
        ``"bn.running_mean"``); a parameter shared by two modules appears under
        both names, as in PyTorch.
        """
        return OrderedDict((k, np.array(t.data, copy=True)) for k, t in self._state_items(prefix))

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True
                        ) -> IncompatibleKeys:
        """Copy values from ``state_dict`` into the parameters and buffers.

        Every key, shape and dtype is checked before anything is written, so on
        an error (a ``RuntimeError`` naming the offending keys) the model is left
        unchanged. With ``strict=True`` missing and unexpected keys are errors;
        with ``strict=False`` they are returned as ``IncompatibleKeys(missing_keys,
        unexpected_keys)``. Values are cast to each parameter's dtype; a value that
        is not an array of numbers (a string array, ragged nested lists) is an error
        naming its key. A whole checkpoint (no key of the model's, nested dicts
        such as ``"model"``) is an error in both modes, naming the nested keys.
        """
        if not hasattr(state_dict, "keys"):
            raise TypeError(f"load_state_dict expects a dict of arrays, got "
                            f"{type(state_dict).__name__}")
        own = OrderedDict(self._state_items())
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors, updates = [], []
        nested = [k for k in unexpected if isinstance(state_dict[k], Mapping)]
        if own and len(missing) == len(own) and nested:
            # Even with strict=False: loading nothing at all is never what was meant.
            errors.append(f"none of the model's keys is in the state dict, which holds "
                          f"nested dicts under {', '.join(map(repr, nested))} (a "
                          f"checkpoint?): pass the model's part, e.g. "
                          f"load_state_dict(checkpoint[{nested[0]!r}])")
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            try:
                value = value.data if isinstance(value, ag.Tensor) else np.asarray(value)
            except (TypeError, ValueError) as exc:     # e.g. ragged nested lists
                errors.append(f"value for {key} is not an array: a {type(value).__name__} "
                              f"that NumPy cannot make into one ({exc})")
                continue
            if value.dtype.kind not in "biuf":
                errors.append(f"wrong dtype for {key}: got {value.dtype}, expected a number "
                              "array")
            elif value.shape != target.data.shape:
                errors.append(f"size mismatch for {key}: copying a param with shape "
                              f"{value.shape} from checkpoint, the shape in current model "
                              f"is {target.data.shape}.")
            else:
                updates.append((target, value))
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: "
                              + ", ".join(f'"{k}"' for k in unexpected) + ".")
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: "
                              + ", ".join(f'"{k}"' for k in missing) + ".")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                               + "\n\t".join(errors))
        for target, value in updates:
            if target.data.flags.writeable:
                with ag.no_grad():      # copy_ bumps the version: graphs made before see it
                    target.copy_(value)
            else:           # e.g. a read-only array assigned to .data: replace, don't fail
                target.data = np.array(value, dtype=target.data.dtype)
        return IncompatibleKeys(missing, unexpected)

    # -- printing -----------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text between the parentheses of ``repr`` (layers override it)."""
        return ""

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = []
        for name, child in self._modules.items():
            text = repr(child).replace("\n", "\n  ")
            child_lines.append(f"({name}): {text}")
        lines = extra_lines + child_lines
        body = ""
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                body = extra_lines[0]
            else:
                body = "\n  " + "\n  ".join(lines) + "\n"
        return f"{type(self).__name__}({body})"
