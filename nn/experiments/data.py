"""The experiments' data: fixed, stratified train/validation/test splits, standardised.

``load_split(dataset, mnist_dir=None)`` returns a ``Split`` whose arrays are float32
features and int64 labels. The split never depends on a task's seed (seed 0 for
the test part, seed 1 for the validation part), so every task of every
experiment sees the same three sets; the learning rate is chosen on the
validation part and the test part is only reported.

- ``"digits"``: scikit-learn's 1,797 8x8 digits (64 features, 10 classes):
  20% test, then 20% of the rest for validation (1,149 / 288 / 360).
- ``"circles"``: 1,200 points of two noisy concentric circles (2 features, 2 classes),
  split the same way.
- ``"mnist"``: the IDX files in ``mnist_dir`` (784 features, 10 classes): the
  official 10,000 test images, 10,000 of the 60,000 training images (a sixth
  of a smaller file) for validation.

Features are standardised with the training part's mean and standard deviation
(a constant feature, such as a digits corner pixel, is only centred).
"""
import functools
from typing import NamedTuple

import numpy as np

from .. import datasets

__all__ = ["Split", "load_split", "DATASETS"]

DATASETS = ("digits", "circles", "mnist")


class Split(NamedTuple):
    """Train, validation and test arrays of one dataset, plus its sizes."""
    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    n_features: int
    n_classes: int


def _standardise(X_train, *others):
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std > 1e-6, std, 1.0)
    return [np.ascontiguousarray((X - mean) / std, dtype=np.float32)
            for X in (X_train, *others)]


def _three_way(X, y, test_size, val_size):
    X_rest, X_test, y_rest, y_test = datasets.train_test_split(
        X, y, test_size=test_size, seed=0, stratify=True)
    X_train, X_val, y_train, y_val = datasets.train_test_split(
        X_rest, y_rest, test_size=val_size, seed=1, stratify=True)
    return X_train, y_train, X_val, y_val, X_test, y_test


@functools.lru_cache(maxsize=4)
def load_split(dataset="digits", mnist_dir=None):
    """The ``Split`` of ``dataset`` ("digits", "circles" or "mnist"; MNIST needs
    ``mnist_dir``, a directory holding the four IDX files). Cached per process,
    so the tasks a worker runs share one copy."""
    if dataset == "digits":
        X, y = datasets.load_digits()
        parts = _three_way(X, y, 0.2, 0.2)
    elif dataset == "circles":
        X, y = datasets.make_circles(n_samples=1200, noise=0.1, factor=0.5, seed=0)
        parts = _three_way(X, y, 0.2, 0.2)
    elif dataset == "mnist":
        if not mnist_dir:
            raise ValueError("dataset 'mnist' needs the directory of its IDX files "
                             "(--mnist-dir DIR)")
        (X, y), (X_test, y_test) = datasets.load_mnist(mnist_dir, flatten=True)
        X_train, X_val, y_train, y_val = datasets.train_test_split(
            X, y, test_size=min(10000, len(X) // 6), seed=1, stratify=True)
        parts = X_train, y_train, X_val, y_val, X_test, y_test
    else:
        raise ValueError(f"unknown dataset {dataset!r}; choose one of {DATASETS}")
    X_train, y_train, X_val, y_val, X_test, y_test = parts
    X_train, X_val, X_test = _standardise(X_train, X_val, X_test)
    n_classes = int(max(y_train.max(), y_val.max(), y_test.max())) + 1
    for a in (X_train, y_train, X_val, y_val, X_test, y_test):
        a.setflags(write=False)         # shared by every task in the process
    return Split(dataset, X_train, y_train.astype(np.int64), X_val, y_val.astype(np.int64),
                 X_test, y_test.astype(np.int64), X_train.shape[1], n_classes)
