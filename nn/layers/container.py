"""Containers: ``Sequential`` (a chain of modules), ``Residual`` (x + module(x)), and
``ModuleList`` / ``ModuleDict``, which hold modules (registering their parameters)
without defining a forward of their own."""
from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from typing import TYPE_CHECKING, Any, NoReturn, overload

from .. import _checks
from ..module import Module

if TYPE_CHECKING:
    from typing_extensions import Self

    from autograd_core import Tensor

__all__ = ["Sequential", "Residual", "ModuleList", "ModuleDict"]


class Sequential(Module):
    """Modules applied in order; children are named "0", "1", ... (or by an OrderedDict).

    Supports ``len``, iteration, ``seq[i]`` (negative too), ``seq[i:j]`` (a new
    Sequential keeping the children's names), ``seq[i] = module`` and ``append``.
    """

    def __init__(self, *modules: Any) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, m in modules[0].items():
                self.add_module(name, m)
        else:
            for i, m in enumerate(modules):
                self.add_module(str(i), m)

    def forward(self, x: Any) -> Any:
        for m in self._modules.values():
            x = m(x)
        return x

    def _key(self, index):
        n = len(self._modules)
        if not -n <= index < n:
            raise IndexError(f"Sequential index {index} is out of range for {n} modules")
        return list(self._modules)[index % n]

    @overload
    def __getitem__(self, index: int) -> Module: ...
    @overload
    def __getitem__(self, index: slice) -> Sequential: ...
    def __getitem__(self, index: int | slice) -> Module | Sequential:
        if isinstance(index, slice):
            return Sequential(OrderedDict(list(self._modules.items())[index]))
        return self._modules[self._key(index)]

    def __setitem__(self, index, module):
        self.add_module(self._key(index), module)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> Self:
        """Add ``module`` at the end (named by its position); returns self."""
        self.add_module(str(len(self._modules)), module)
        return self


class Residual(Module):
    """``x + module(x)``: a skip connection around ``module`` (registered as ``module``).

    The module must keep its input's shape.
    """

    def __init__(self, module: Module) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"Residual: expected a Module, got {type(module).__name__}")
        self.module = module

    def forward(self, x: Any) -> Tensor:
        x = _checks.numeric_input(self, x)      # x + module(x) in the module's dtype
        y = self.module(x)
        if y.shape != x.shape:
            raise ValueError(f"Residual: the wrapped module changed the shape from {x.shape} "
                             f"to {y.shape}; x + module(x) needs them equal")
        return x + y


def _not_callable(container):
    return NotImplementedError(
        f"{type(container).__name__} has no forward() and cannot be called: it only holds "
        "modules (registering their parameters); iterate over it in your forward, e.g. "
        "'for layer in self.layers: x = layer(x)', or use nn.Sequential to chain modules")


def _add_indent(text, spaces=2):
    return text.replace("\n", "\n" + " " * spaces)


class ModuleList(Module):
    """A list of modules, registered as children named "0", "1", ... (as PyTorch's).

    Their parameters appear in ``parameters()`` and ``state_dict()``
    (``"layers.0.weight"``) and ``train()``/``eval()`` reach them, which a plain
    Python list assigned to an attribute does not do. Supports ``len``,
    iteration, ``lst[i]`` (negative too), ``lst[i:j]`` (a new ModuleList,
    renumbered from 0), ``lst[i] = module``, ``del lst[i]`` / ``del lst[i:j]``
    (the rest are renumbered, as PyTorch), ``append``, ``extend``, ``insert``,
    ``pop``, ``+`` and ``+=``. It has no ``forward``: iterate over it.
    Every entry must be a ``Module`` (otherwise a ``TypeError`` naming its
    position and type).
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def forward(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise _not_callable(self)

    def _check(self, module, position):
        if not isinstance(module, Module):
            raise TypeError(f"ModuleList: the entry at position {position} is a "
                            f"{type(module).__name__}, not a Module (only nn.Module "
                            f"instances can be held)")
        return module

    def _abs_index(self, index):
        try:
            i = operator.index(index)
        except TypeError:
            raise TypeError(f"ModuleList indices must be integers or slices, got "
                            f"{type(index).__name__}") from None
        n = len(self._modules)
        if not -n <= i < n:
            raise IndexError(f"ModuleList index {i} is out of range for {n} modules")
        return i % n

    def _renumber(self, modules):
        """Hold exactly ``modules`` (in order), named "0", "1", ..."""
        registry = self._modules
        registry.clear()
        for i, m in enumerate(modules):
            registry[str(i)] = m
            m._set_name(str(i))

    @overload
    def __getitem__(self, index: int) -> Module: ...
    @overload
    def __getitem__(self, index: slice) -> ModuleList: ...
    def __getitem__(self, index: int | slice) -> Module | ModuleList:
        if isinstance(index, slice):
            return ModuleList(list(self._modules.values())[index])
        return self._modules[str(self._abs_index(index))]

    def __setitem__(self, index, module):
        if isinstance(index, slice):
            raise TypeError("ModuleList does not support slice assignment; assign entries "
                            "one at a time, or build a new ModuleList")
        i = self._abs_index(index)
        self.add_module(str(i), self._check(module, i))

    def __delitem__(self, index):
        mods = list(self._modules.values())
        if isinstance(index, slice):
            del mods[index]
        else:
            del mods[self._abs_index(index)]
        self._renumber(mods)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __iadd__(self, modules):
        return self.extend(modules)

    def __add__(self, other):
        if not isinstance(other, Iterable):
            return NotImplemented
        combined = ModuleList()
        combined.extend(list(self) + list(other))
        return combined

    def append(self, module: Module) -> Self:
        """Add ``module`` at the end; returns self."""
        n = len(self._modules)
        self.add_module(str(n), self._check(module, n))
        return self

    def extend(self, modules: Iterable[Module]) -> Self:
        """Add each module of the iterable ``modules`` at the end; returns self.

        All entries are checked before any is added, so a bad one leaves the list
        unchanged."""
        if isinstance(modules, Module) and not isinstance(modules, (ModuleList, Sequential)):
            raise TypeError(f"ModuleList.extend expects an iterable of modules, got a "
                            f"{type(modules).__name__}; use append() to add one module")
        if not isinstance(modules, Iterable) or isinstance(modules, (str, bytes, Mapping)):
            raise TypeError(f"ModuleList.extend expects an iterable of modules, got "
                            f"{type(modules).__name__}")
        modules = list(modules)
        offset = len(self._modules)
        for i, m in enumerate(modules):
            self._check(m, offset + i)
        for i, m in enumerate(modules):
            self.add_module(str(offset + i), m)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Insert ``module`` before position ``index`` (as ``list.insert``); the
        following modules are renumbered."""
        mods = list(self._modules.values())
        try:
            index = operator.index(index)
        except TypeError:
            raise TypeError(f"ModuleList.insert: index must be an integer, got "
                            f"{type(index).__name__}") from None
        pos = min(max(index + len(mods) if index < 0 else index, 0), len(mods))
        mods.insert(pos, self._check(module, pos))
        self._renumber(mods)

    def pop(self, index: int = -1) -> Module:
        """Remove the module at ``index`` (default the last) and return it."""
        module = self[index]
        del self[index]
        return module

    def __repr__(self):
        # As PyTorch: runs of identical entries are shown once, "(0-2): 3 x Linear(...)".
        reprs = [repr(m) for m in self]
        if not reprs:
            return "ModuleList()"
        blocks = []              # [start, end, repr]
        for i, r in enumerate(reprs):
            if blocks and blocks[-1][2] == r:
                blocks[-1][1] = i
            else:
                blocks.append([i, i, r])
        lines = []
        for start, end, r in blocks:
            head = f"({start})" if start == end else f"({start}-{end}): {end - start + 1} x"
            text = f"{head}: {r}" if start == end else f"{head} {r}"
            lines.append(_add_indent(text))
        return "ModuleList(\n  " + "\n  ".join(lines) + "\n)"


class ModuleDict(Module):
    """A dict of modules, registered as children named by their keys (as PyTorch's).

    ``state_dict()`` keys are ``"<attribute>.<key>.<parameter>"``. Keys keep
    their insertion order and must be non-empty strings without ``"."`` (they
    become parts of those names; a ``KeyError`` otherwise, as PyTorch) that are
    not already attribute names of ``ModuleDict`` such as ``"keys"`` or
    ``"training"``. Supports ``md[key]``, ``md[key] = module``, ``del md[key]``,
    ``key in md``, ``len``, iteration over the keys, ``keys()``, ``values()``,
    ``items()``, ``update`` (a mapping or an iterable of key/module pairs),
    ``pop`` and ``clear``. It has no ``forward``. Values must be ``Module``s
    (otherwise a ``TypeError`` naming the key and the type).
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def forward(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise _not_callable(self)

    def _check(self, key, module):
        if not isinstance(key, str):
            raise TypeError(f"ModuleDict: keys must be strings, got {type(key).__name__} "
                            f"{key!r}")
        if not key:
            raise KeyError("ModuleDict: a key cannot be the empty string")
        if "." in key:
            # (no double quotes: KeyError shows its message through repr)
            raise KeyError(f"ModuleDict: key {key!r} contains '.'; keys become parts of "
                           f"state_dict names (such as '{key}.weight') where '.' separates "
                           "the levels, so they cannot contain it")
        if key not in self._modules and hasattr(self, key):
            raise KeyError(f"ModuleDict: key {key!r} is already an attribute of ModuleDict; "
                           "choose another name")
        if not isinstance(module, Module):
            raise TypeError(f"ModuleDict: the value for key {key!r} is a "
                            f"{type(module).__name__}, not a Module (only nn.Module "
                            "instances can be held)")
        return module

    def __getitem__(self, key: str) -> Module:
        try:
            return self._modules[key]
        except KeyError:
            raise KeyError(f"ModuleDict has no key {key!r} (keys: "
                           f"{list(self._modules)})") from None
        except TypeError:
            raise KeyError(f"ModuleDict has no key {key!r}") from None

    def __setitem__(self, key, module):
        self.add_module(key, self._check(key, module))

    def __delitem__(self, key):
        self[key]                          # KeyError naming the key if absent
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self._modules

    def keys(self) -> KeysView[str]:
        """The keys, in insertion order."""
        return self._modules.keys()

    def values(self) -> ValuesView[Module]:
        """The modules, in insertion order."""
        return self._modules.values()

    def items(self) -> ItemsView[str, Module]:
        """``(key, module)`` pairs, in insertion order."""
        return self._modules.items()

    def clear(self) -> None:
        """Remove every module."""
        self._modules.clear()

    def pop(self, key: str) -> Module:
        """Remove the module under ``key`` and return it."""
        module = self[key]
        del self[key]
        return module

    def update(self, modules: Any) -> None:
        """Add or replace modules from a mapping (``dict``, ``OrderedDict``,
        ``ModuleDict``) or an iterable of ``(key, module)`` pairs. Every pair is
        checked before any is added, so a bad one leaves the dict unchanged."""
        if isinstance(modules, (Mapping, ModuleDict)):
            pairs = list(modules.items())
        elif isinstance(modules, Iterable) and not isinstance(modules, (str, bytes, Module)):
            pairs = []
            for j, pair in enumerate(modules):
                if not isinstance(pair, Iterable) or isinstance(pair, (str, Module)):
                    raise TypeError(f"ModuleDict.update: element #{j} of the sequence must "
                                    f"be a (key, module) pair, got {type(pair).__name__}")
                pair = tuple(pair)
                if len(pair) != 2:
                    raise ValueError(f"ModuleDict.update: element #{j} of the sequence has "
                                     f"length {len(pair)}; a (key, module) pair is required")
                pairs.append(pair)
        else:
            raise TypeError(f"ModuleDict.update expects a mapping or an iterable of "
                            f"(key, module) pairs, got {type(modules).__name__}")
        staged = OrderedDict()
        for key, module in pairs:
            self._check(key, module)
            staged[key] = module
        for key, module in staged.items():
            self.add_module(key, module)
