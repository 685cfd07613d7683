"""``Embedding``: a learnt table of vectors, indexed by integers."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

import autograd_core as ag

from .. import _checks
from .. import functional as F
from .. import init
from ..module import Module, Parameter
from .linear import dtype_note

if TYPE_CHECKING:
    from autograd_core import Tensor
    from autograd_core._types import DTypeLike, TensorLike

__all__ = ["Embedding"]


class Embedding(Module):
    """``weight[index]`` for int arrays/Tensors of any shape.

    ``weight`` has shape ``(num_embeddings, embedding_dim)`` and starts from
    N(0, 1), as PyTorch, drawn from ``rng`` or ``seed``. Both sizes are ints >= 0
    (a float is a ``TypeError``); indices must be integers (``TypeError`` otherwise).
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, dtype: DTypeLike | None = None,
                 rng: np.random.Generator | None = None, seed: int | None = None) -> None:
        super().__init__()
        self.num_embeddings = _checks.size("Embedding", "num_embeddings", num_embeddings)
        self.embedding_dim = _checks.size("Embedding", "embedding_dim", embedding_dim)
        dtype = init._float_dtype(dtype, "Embedding")
        self.weight = Parameter(np.empty((self.num_embeddings, self.embedding_dim), dtype))
        self.reset_parameters(rng=rng, seed=seed)

    def reset_parameters(self, rng: np.random.Generator | None = None,
                         seed: int | None = None) -> None:
        """Draw the weight from N(0, 1) again."""
        init.normal_(self.weight, rng=init._generator(rng, seed, "Embedding"))

    def forward(self, index: TensorLike) -> Tensor:
        idx = index if isinstance(index, ag.Tensor) else np.asarray(index)
        if idx.dtype.kind not in "iu":
            raise TypeError(f"Embedding: indices must be integers, got dtype {idx.dtype} "
                            f"(shape {tuple(idx.shape)})")
        return F.embedding(idx, self.weight)

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}" + dtype_note(self)
