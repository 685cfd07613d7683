"""``MLP``: a multi-layer perceptron whose depth, activation, initialisation,
normalisation and skip connections are all options, for experiments such as
deep sigmoid networks with small weights against ReLU + He + BatchNorm + residual.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from . import _checks
from . import init as _init
from .layers import (GELU, BatchNorm1d, Dropout, Identity, LayerNorm, LeakyReLU, Linear, ReLU,
                     Residual, Sequential, Sigmoid, Tanh)
from .module import Module

if TYPE_CHECKING:
    import numpy as np

    from autograd_core import Tensor
    from autograd_core._types import DTypeLike, TensorLike

__all__ = ["MLP"]

ACTIVATIONS = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid, "leaky_relu": LeakyReLU,
               "gelu": GELU, "identity": Identity}
NORMS = {"batch": BatchNorm1d, "layer": LayerNorm}
INITS = ("he", "kaiming", "xavier", "glorot", "normal", "pytorch")


class MLP(Module):
    """Fully connected network ``sizes[0] -> sizes[1] -> ... -> sizes[-1]``.

    Every layer but the last is a hidden block ``Linear -> norm -> activation
    -> Dropout`` (norm and dropout when asked for); the last is a plain
    ``Linear`` (raw outputs, e.g. logits). ``sizes`` are ints (a float or a bool
    is a ``TypeError``; NumPy integers are fine). Everything lives in the
    ``Sequential`` ``self.layers``, flat, so ``state_dict`` keys read
    ``layers.0.weight``, ``layers.1.running_mean`` ... and calling the model
    tags the graph with scopes ``MLP/layers/0`` ...; with ``residual=True`` a
    hidden block whose input and output widths match is wrapped whole as
    ``Residual(Sequential(Linear, norm, activation, dropout))``: its keys read
    ``layers.2.module.0.weight``.

    - ``activation``: "relu", "tanh", "sigmoid", "leaky_relu", "gelu",
      "identity", or a callable returning a fresh ``Module`` (e.g. ``nn.Tanh``).
    - ``init``: weights of every Linear, biases zero, except for "pytorch":
      "he"/"kaiming": N(0, 2/fan_in) (``kaiming_normal_``; for "leaky_relu" the
      gain accounts for its slope); "xavier"/"glorot": ``xavier_uniform_``,
      U(+-sqrt(6/(fan_in+fan_out))); "normal": N(0, 0.01**2), the classic
      "small random numbers" that makes deep nets' signals vanish;
      "pytorch": ``Linear``'s default (weights and biases U(+-1/sqrt(fan_in)));
      or a callable ``fn(weight, rng)`` that fills the weight in place.
    - ``norm``: None, "batch" (``BatchNorm1d``) or "layer" (``LayerNorm``),
      after each hidden Linear.
    - ``dropout``: probability of a ``Dropout`` after each hidden activation (0: none).
    - ``rng``/``seed``: one generator draws every weight in layer order, so the
      same seed gives bit-identical parameters; dropout masks come from a
      generator spawned from it.
    """

    def __init__(self, sizes: Sequence[int], activation: str | type[Module] = "relu",
                 init: str | Callable[..., Any] = "he", norm: str | None = None,
                 residual: bool = False, dropout: float = 0.0, bias: bool = True,
                 dtype: DTypeLike | None = None, rng: np.random.Generator | None = None,
                 seed: int | None = None) -> None:
        super().__init__()
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
            raise TypeError(f"MLP: sizes must be a list of ints (the widths), got "
                            f"{type(sizes).__name__} {sizes!r}")
        sizes = [_checks.size("MLP", f"sizes[{i}]", s) for i, s in enumerate(sizes)]
        if len(sizes) < 2 or any(s <= 0 for s in sizes):
            raise ValueError(f"MLP: sizes must list at least 2 positive widths, got {sizes}")
        make_act = _activation(activation)
        if norm is not None and norm not in NORMS:
            raise ValueError(f"MLP: norm must be None, 'batch' or 'layer', got {norm!r}")
        if not (isinstance(init, str) and init in INITS) and not callable(init):
            raise ValueError(f"MLP: init must be one of {INITS} or a callable, got {init!r}")
        _checks.number("MLP", "dropout (a probability in [0, 1))", dropout, 0.0, 1.0,
                       high_open=True)
        gen = _init._generator(rng, seed, "MLP")
        self.sizes = sizes
        self.activation = activation if isinstance(activation, str) else getattr(
            activation, "__name__", repr(activation))
        self.init_scheme = init if isinstance(init, str) else getattr(init, "__name__", "custom")
        self.norm, self.residual = norm, residual

        mask_rng = gen.spawn(1)[0] if dropout > 0 else None
        layers: list[Module] = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            linear = Linear(n_in, n_out, bias=bias, dtype=dtype, rng=gen if init == "pytorch"
                            else None, seed=None if init == "pytorch" else 0)
            if init != "pytorch":
                _init_linear(linear, init, activation, gen)
            if i == len(sizes) - 2:                          # output layer
                layers.append(linear)
                break
            block: list[Module] = [linear]
            if norm is not None:
                block.append(NORMS[norm](n_out, dtype=dtype))
            block.append(make_act())
            if dropout > 0:
                block.append(Dropout(dropout, rng=mask_rng))
            if residual and n_in == n_out:
                layers.append(Residual(Sequential(*block)))
            else:
                layers.extend(block)
        self.layers = Sequential(*layers)

    def forward(self, x: TensorLike) -> Tensor:
        return self.layers(x)


def _activation(activation):
    if isinstance(activation, str):
        if activation not in ACTIVATIONS:
            raise ValueError(f"MLP: unknown activation {activation!r}; choose one of "
                             f"{sorted(ACTIVATIONS)} or pass a callable returning a Module")
        return ACTIVATIONS[activation]
    if callable(activation):
        return activation
    raise TypeError(f"MLP: activation must be a name or a callable, got {activation!r}")


def _init_linear(linear, scheme, activation, gen):
    w = linear.weight
    if scheme in ("he", "kaiming"):
        if activation == "leaky_relu":
            _init.kaiming_normal_(w, a=0.01, nonlinearity="leaky_relu", rng=gen)
        else:
            _init.kaiming_normal_(w, nonlinearity="relu", rng=gen)
    elif scheme in ("xavier", "glorot"):
        _init.xavier_uniform_(w, rng=gen)
    elif scheme == "normal":
        _init.normal_(w, 0.0, 0.01, rng=gen)
    else:
        scheme(w, gen)
    if linear.bias is not None:
        _init.zeros_(linear.bias)
