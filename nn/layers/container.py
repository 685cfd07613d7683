"""Containers: ``Sequential`` (a chain of modules) and ``Residual`` (x + module(x))."""
from collections import OrderedDict

from ..module import Module

__all__ = ["Sequential", "Residual"]


class Sequential(Module):
    """Modules applied in order; children are named "0", "1", ... (or by an OrderedDict).

    Supports ``len``, iteration, ``seq[i]`` (negative too), ``seq[i:j]`` (a new
    Sequential keeping the children's names), ``seq[i] = module`` and ``append``.
    """

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, m in modules[0].items():
                self.add_module(name, m)
        else:
            for i, m in enumerate(modules):
                self.add_module(str(i), m)

    def forward(self, x):
        for m in self._modules.values():
            x = m(x)
        return x

    def _key(self, index):
        n = len(self._modules)
        if not -n <= index < n:
            raise IndexError(f"Sequential index {index} is out of range for {n} modules")
        return list(self._modules)[index % n]

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Sequential(OrderedDict(list(self._modules.items())[index]))
        return self._modules[self._key(index)]

    def __setitem__(self, index, module):
        self.add_module(self._key(index), module)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module):
        """Add ``module`` at the end (named by its position); returns self."""
        self.add_module(str(len(self._modules)), module)
        return self


class Residual(Module):
    """``x + module(x)``: a skip connection around ``module`` (registered as ``module``).

    The module must keep its input's shape.
    """

    def __init__(self, module):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"Residual: expected a Module, got {type(module).__name__}")
        self.module = module

    def forward(self, x):
        y = self.module(x)
        if y.shape != x.shape:
            raise ValueError(f"Residual: the wrapped module changed the shape from {x.shape} "
                             f"to {y.shape}; x + module(x) needs them equal")
        return x + y
