"""Which modules of a model are watched, and what kind of layer each one is."""
from ..layers import ReLU, Sigmoid, Tanh
from ..module import Module

__all__ = ["resolve_layers", "layer_kind"]


def resolve_layers(model, layers, owner):
    """``[(path, module)]`` for ``layers`` of ``model``, in ``named_modules()`` order.

    ``layers=None``: every module without children (Linear, activations,
    BatchNorm1d, ...; inside a ``Residual`` block too, by paths such as
    ``layers.2.module.0``). Otherwise a path or a list of paths as
    ``named_modules()`` gives them; any module may be named, containers
    included. Errors start with ``owner``.
    """
    if not isinstance(model, Module):
        raise TypeError(f"{owner}: model must be an nn.Module, got {type(model).__name__}")
    named = list(model.named_modules())
    if layers is None:
        return [(p, m) for p, m in named if next(m.children(), None) is None]
    if isinstance(layers, str):
        layers = [layers]
    try:
        wanted = list(layers)
    except TypeError:
        raise TypeError(f"{owner}: layers must be None or a list of module paths, got "
                        f"{type(layers).__name__}") from None
    lookup = dict(named)
    for p in wanted:
        if not isinstance(p, str):
            raise TypeError(f"{owner}: layers must hold module paths (str), got "
                            f"{type(p).__name__} {p!r}")
        if p not in lookup:
            examples = ", ".join(repr(q) for q, _ in named[1:4])
            raise ValueError(f"{owner}: layers: {type(model).__name__} has no submodule "
                             f"{p!r} (paths as named_modules() gives them, e.g. {examples})")
    wanted = set(wanted)
    return [(p, m) for p, m in named if p in wanted]


def layer_kind(module):
    """"sigmoid", "tanh" or "relu" for those activation layers, else None.

    A subclass that overrides ``forward`` may compute anything, so it gets None.
    """
    for cls, kind in ((Sigmoid, "sigmoid"), (Tanh, "tanh"), (ReLU, "relu")):
        if isinstance(module, cls):
            return kind if type(module).forward is cls.forward else None
    return None
