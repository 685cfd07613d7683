"""``embedding`` (rows of a table by index) and ``one_hot``."""
import numpy as np

import autograd_core as ag

from ._util import first_out_of_range

__all__ = ["embedding", "one_hot"]


def _indices(index, name):
    idx = index.data if isinstance(index, ag.Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{name}: indices must be integers, got dtype {idx.dtype} "
                        f"(shape {idx.shape})")
    return idx


def embedding(input, weight):
    """Rows of ``weight`` (``(num_embeddings, embedding_dim)``) picked by the int ``input``.

    The result has shape ``input.shape + (embedding_dim,)``; rows picked more
    than once accumulate their gradients.
    """
    idx = _indices(input, "embedding")
    n = weight.shape[0]
    bad = first_out_of_range(idx, n)
    if bad is not None:
        raise IndexError(f"embedding: index {bad} is out of range for a table of {n} rows")
    return weight[idx]


def one_hot(target, num_classes=-1, dtype=np.int64):
    """``(..., num_classes)`` Tensor with a 1 at each target's class (int64 by default).

    ``num_classes=-1`` uses ``max(target) + 1``.
    """
    t = _indices(target, "one_hot")
    if num_classes == -1:
        num_classes = int(t.max()) + 1 if t.size else 0
    bad = first_out_of_range(t, num_classes)
    if bad is not None:
        raise ValueError(f"one_hot: class {bad} is out of range for num_classes={num_classes}")
    return ag.tensor((t[..., None] == np.arange(num_classes)).astype(dtype))
