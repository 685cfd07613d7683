"""Mini-batches over in-memory arrays: ``DataLoader``.

::

    loader = data.DataLoader(X, y, batch_size=64, shuffle=True, seed=0)
    for epoch in range(10):
        for xb, yb in loader:          # ag.Tensors; a new order every epoch
            ...

Dtypes: floating ``X`` is converted once, when the loader is made, to
``dtype`` (default: ``ag.get_default_dtype()``, i.e. float32, the dtype of the
layers' parameters; pass ``dtype=np.float64`` to keep double precision).
Integer and bool ``X`` (token indices, say) are kept. Integer or bool labels
``y`` become int64 (class indices); floating ``y`` (regression targets, 0/1
targets for a binary loss) takes the same float dtype as ``X``.

Shuffling: with ``shuffle=True`` each pass over the loader draws a new
permutation. Epoch ``e`` (counting the ``iter()`` calls from 0) uses a
generator seeded with ``(seed, e)``, so a loader made with the same seed
yields the same sequence of epochs, bit for bit, whatever else draws random
numbers. ``seed=None`` picks fresh entropy (not reproducible).

Resuming: ``loader.state_dict()`` holds the seed and the number of passes
started; ``load_state_dict`` gives both to a new loader over the same data,
which then continues with the next epoch's order (see ``nn.save`` for a
checkpoint holding it beside the model and the optimiser).
"""
from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

import autograd_core as ag

if TYPE_CHECKING:
    from autograd_core._types import DTypeLike, TensorLike

__all__ = ["DataLoader"]


def _as_numpy(a: Any, name: str) -> np.ndarray:
    if isinstance(a, ag.Tensor):
        if a.requires_grad:
            a = a.detach()
        return a.data
    try:
        return np.asarray(a)
    except Exception as exc:
        raise TypeError(f"{name} must be a NumPy array or a Tensor, got "
                        f"{type(a).__name__}") from exc


class DataLoader:
    """Iterate over ``(xb, yb)`` mini-batches of the arrays ``X`` and ``y`` as Tensors.

    ``X``, ``y``: NumPy arrays, Tensors or nested lists with the samples along
    axis 0 (``y`` may be ``None``: the loader then yields ``xb`` alone).
    ``batch_size``: samples per batch (default 1, as PyTorch); the last batch is
    smaller when ``batch_size`` does not divide the number of samples, unless
    ``drop_last``.
    ``shuffle``/``seed``: see the module docstring (``seed``: a non-negative int,
    ``None``, or a ``np.random.Generator`` from which one seed is drawn).
    ``len(loader)`` is the number of batches per epoch.
    """

    seed: int       # the seed of the shuffles (drawn at construction when not given)

    def __init__(self, X: TensorLike, y: TensorLike | None = None, batch_size: int = 1,
                 shuffle: bool = False, seed: int | np.random.Generator | None = None,
                 drop_last: bool = False,
                 dtype: DTypeLike | None = None) -> None:
        X = _as_numpy(X, "X")
        if X.ndim == 0:
            raise ValueError("X must have at least one axis (the samples)")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
                or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        float_dtype = np.dtype(dtype) if dtype is not None else ag.get_default_dtype()
        if float_dtype.kind != "f":
            raise ValueError(f"dtype must be a floating dtype, got {float_dtype}")
        if X.dtype.kind == "f":
            X = X.astype(float_dtype, copy=False)
        elif X.dtype.kind not in "biu":
            raise TypeError(f"X has dtype {X.dtype}; expected numbers (float, int or bool)")
        if y is not None:
            y = _as_numpy(y, "y")
            if y.ndim == 0:
                raise ValueError("y must have at least one axis (the samples)")
            if len(y) != len(X):
                raise ValueError(f"X and y have different numbers of samples: "
                                 f"{len(X)} and {len(y)}")
            if y.dtype.kind in "biu":
                y = y.astype(np.int64, copy=False)
            elif y.dtype.kind == "f":
                y = y.astype(float_dtype, copy=False)
            else:
                raise TypeError(f"y has dtype {y.dtype}; expected integer class labels "
                                "or float targets")
        if len(X) == 0:
            raise ValueError("X has no samples")
        self.X, self.y = X, y
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        if len(X) < self.batch_size and self.drop_last:
            raise ValueError(f"drop_last=True with batch_size {batch_size} > "
                             f"{len(X)} samples would give no batches")
        if seed is None:
            seed = np.random.SeedSequence().entropy  # type: ignore[assignment]  # an int
        elif isinstance(seed, np.random.Generator):
            seed = int(seed.integers(2**63))
        elif isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be a non-negative int, a np.random.Generator or "
                             f"None, got {seed!r}")
        self.seed = seed  # type: ignore[assignment]  # an int by now
        self.epoch = 0             # the number of passes started so far

    @property
    def n_samples(self) -> int:
        """The number of samples."""
        return len(self.X)

    def __len__(self) -> int:
        n, b = len(self.X), self.batch_size
        return n // b if self.drop_last else math.ceil(n / b)

    def order(self, epoch: int) -> np.ndarray:
        """The sample order of pass ``epoch`` (an int64 array; ``arange`` without shuffle)."""
        n = len(self.X)
        if not self.shuffle:
            return np.arange(n)
        return np.random.default_rng([int(self.seed), int(epoch)]).permutation(n)

    def __iter__(self) -> Iterator[Any]:
        order = self.order(self.epoch)
        self.epoch += 1
        return self._batches(order)

    def _batches(self, order):
        X, y, b = self.X, self.y, self.batch_size
        for i in range(len(self)):
            if self.shuffle:
                idx = order[i * b:(i + 1) * b]
            else:
                idx = slice(i * b, (i + 1) * b)
            xb = ag.tensor(X[idx])
            if y is None:
                yield xb
            else:
                yield xb, ag.tensor(y[idx])

    def state_dict(self) -> dict[str, int]:
        """What fixes the order of the coming epochs: ``{"seed": int, "epoch": int,
        "n_samples": int}`` (plain ints, e.g. for an ``nn.save`` checkpoint).

        A loader made with the same arrays and options, given this state by
        ``load_state_dict``, yields the same batches as this one would from now on
        (also for ``seed=None``: the seed drawn then is part of the state).
        """
        return {"seed": int(self.seed), "epoch": int(self.epoch), "n_samples": len(self.X)}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Take over ``seed`` and ``epoch`` from ``state_dict()`` of a loader over the
        same number of samples (``ValueError`` otherwise, naming what differs)."""
        if not isinstance(state_dict, dict) or not {"seed", "epoch"} <= set(state_dict):
            raise ValueError("DataLoader.load_state_dict: expected a dict with 'seed' and "
                             "'epoch', as made by DataLoader.state_dict()")
        n = state_dict.get("n_samples", len(self.X))
        if n != len(self.X):
            raise ValueError(f"DataLoader.load_state_dict: the state is of a loader over "
                             f"{n} samples, this one has {len(self.X)}")
        seed, epoch = state_dict["seed"], state_dict["epoch"]
        for name, v in (("seed", seed), ("epoch", epoch)):
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) \
                    or v < 0:
                raise ValueError(f"DataLoader.load_state_dict: {name} must be a "
                                 f"non-negative int, got {v!r}")
        self.seed, self.epoch = int(seed), int(epoch)

    def __repr__(self) -> str:
        return (f"DataLoader(n_samples={len(self.X)}, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last}, batches={len(self)})")
