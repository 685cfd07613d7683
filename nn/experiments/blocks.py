"""Very deep residual MLPs whose branches start switched off (the SkipInit idea).

``GatedResidual(width)`` computes ``x + gate * relu(linear(x))`` with ``gate`` a
learnable scalar that starts at 0: at initialisation every block is the
identity, so a stack of any depth passes the input through unchanged and the
gradient reaches every layer undiminished; each branch then switches itself on
as far as training finds useful. ``gate=None`` drops the gate (a plain
``x + relu(linear(x))`` block), whose signal grows with every block.

``deep_residual_mlp(n_in, width, depth, n_out, ...)``: ``Linear(n_in, width) ->
ReLU -> depth blocks -> Linear(width, n_out)``.
"""
import numpy as np

from .. import functional as F
from .. import init
from ..layers import Linear, ReLU, Sequential
from ..module import Module, Parameter

__all__ = ["GatedResidual", "deep_residual_mlp"]


class GatedResidual(Module):
    """``x + gate * relu(W x + b)``: He-initialised ``W``, zero ``b``, and a
    learnable scalar ``gate`` starting at ``gate_init`` (``None``: no gate)."""

    def __init__(self, width, gate_init=0.0, dtype=None, rng=None):
        super().__init__()
        self.linear = Linear(width, width, dtype=dtype, seed=0)
        init.kaiming_normal_(self.linear.weight, nonlinearity="relu", rng=rng)
        init.zeros_(self.linear.bias)
        self.gate = (None if gate_init is None else
                     Parameter(np.array(gate_init, dtype=self.linear.weight.dtype)))

    def forward(self, x):
        branch = F.relu(self.linear(x))
        return x + (branch if self.gate is None else self.gate * branch)


def deep_residual_mlp(n_in, width, depth, n_out, gate_init=0.0, dtype=None, rng=None):
    """A ``Sequential`` of an input layer, ``depth`` ``GatedResidual`` blocks and an
    output layer; one generator ``rng`` draws every weight in order."""
    first = Linear(n_in, width, dtype=dtype, seed=0)
    init.kaiming_normal_(first.weight, nonlinearity="relu", rng=rng)
    init.zeros_(first.bias)
    last = Linear(width, n_out, dtype=dtype, seed=0)
    init.xavier_uniform_(last.weight, rng=rng)
    init.zeros_(last.bias)
    blocks = [GatedResidual(width, gate_init, dtype=dtype, rng=rng) for _ in range(depth)]
    return Sequential(first, ReLU(), *blocks, last)
