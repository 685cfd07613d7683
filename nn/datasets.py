"""Small datasets: 2-D toy problems, scikit-learn's digits, MNIST from IDX files.

Every toy generator takes ``seed`` (an int, a ``np.random.Generator`` or
``None`` for fresh entropy) and returns ``(X, y)``: ``X`` float32 of shape
``(n_samples, 2)`` and ``y`` int64 class labels, in shuffled order.

- ``make_circles``: two concentric circles (the inner one scaled by ``factor``),
  class 0 outside, 1 inside. No straight line separates them.
- ``make_moons``: two interleaving half circles.
- ``make_spirals``: ``n_classes`` interleaved spiral arms.
- ``make_xor``: points uniform in the square [-1, 1]^2, labelled by whether x0
  and x1 have different signs.

``noise`` is the standard deviation of Gaussian noise added to the points.

Real data:

- ``load_digits()``: the 1,797 8x8 handwritten digits that ship with
  scikit-learn (no download; needs ``pip install scikit-learn``, which
  ``pip install autograd-core[examples]`` includes). Pixels scaled to [0, 1].
- ``load_mnist(path)``: MNIST (or Fashion-MNIST) from the four standard IDX
  files in a directory, gzipped or not. Nothing is downloaded.
- ``train_test_split(X, y, test_size=0.2, seed=...)``, optionally stratified.
"""
import gzip
import math
import os
import zlib

import numpy as np

from ._npz import read_at_most

__all__ = ["make_circles", "make_moons", "make_spirals", "make_xor", "load_digits",
           "load_mnist", "read_idx", "train_test_split"]


def _rng(seed):
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
                             or seed < 0):
        raise ValueError(f"seed must be a non-negative int, a np.random.Generator or "
                         f"None, got {seed!r}")
    return np.random.default_rng(seed)


def _check_n(n_samples, minimum):
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) \
            or n_samples < minimum:
        raise ValueError(f"n_samples must be an int >= {minimum}, got {n_samples!r}")
    return int(n_samples)


def _check_noise(noise):
    noise = 0.0 if noise is None else float(noise)
    if not noise >= 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")
    return noise


def _finish(X, y, rng, noise, shuffle):
    """Add noise, shuffle, and convert to (float32, int64)."""
    if shuffle:
        perm = rng.permutation(len(X))
        X, y = X[perm], y[perm]
    if noise > 0:
        X = X + rng.normal(scale=noise, size=X.shape)
    return np.ascontiguousarray(X, dtype=np.float32), np.ascontiguousarray(y, dtype=np.int64)


def make_circles(n_samples=100, noise=0.0, factor=0.8, seed=None, shuffle=True):
    """Two concentric circles: radius 1 (class 0) and ``factor`` (class 1).

    ``n_samples // 2`` points on the outer circle, the rest on the inner one, evenly
    spaced in angle (as scikit-learn's ``make_circles``); then noise and shuffling.
    """
    n = _check_n(n_samples, 2)
    noise = _check_noise(noise)
    if not 0 < factor < 1:
        raise ValueError(f"factor must be in (0, 1), got {factor!r}")
    rng = _rng(seed)
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.concatenate([np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
                        factor * np.stack([np.cos(t_in), np.sin(t_in)], axis=1)])
    y = np.concatenate([np.zeros(n_out), np.ones(n_in)])
    return _finish(X, y, rng, noise, shuffle)


def make_moons(n_samples=100, noise=0.0, seed=None, shuffle=True):
    """Two interleaving half circles (as scikit-learn's ``make_moons``): class 0 the
    upper arc, class 1 the lower one shifted right."""
    n = _check_n(n_samples, 2)
    noise = _check_noise(noise)
    rng = _rng(seed)
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    X = np.concatenate([np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
                        np.stack([1 - np.cos(t_in), 0.5 - np.sin(t_in)], axis=1)])
    y = np.concatenate([np.zeros(n_out), np.ones(n_in)])
    return _finish(X, y, rng, noise, shuffle)


def make_spirals(n_samples=100, n_classes=2, noise=0.0, turns=1.0, seed=None,
                 shuffle=True):
    """``n_classes`` spiral arms around the origin, one per class.

    Arm ``k`` holds about ``n_samples / n_classes`` points whose radius grows from
    0.05 to 1 while the angle turns ``turns`` full turns, starting at
    ``2 pi k / n_classes``.
    """
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) \
            or n_classes < 2:
        raise ValueError(f"n_classes must be an int >= 2, got {n_classes!r}")
    n = _check_n(n_samples, n_classes)
    noise = _check_noise(noise)
    if not turns > 0:
        raise ValueError(f"turns must be > 0, got {turns!r}")
    rng = _rng(seed)
    counts = [n // n_classes + (k < n % n_classes) for k in range(n_classes)]
    Xs, ys = [], []
    for k, m in enumerate(counts):
        t = np.linspace(0, 1, m)
        r = 0.05 + 0.95 * t
        angle = 2 * np.pi * (turns * t + k / n_classes)
        Xs.append(np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1))
        ys.append(np.full(m, k))
    return _finish(np.concatenate(Xs), np.concatenate(ys), rng, noise, shuffle)


def make_xor(n_samples=100, noise=0.0, seed=None):
    """Points uniform in [-1, 1]^2; ``y = 1`` where ``x0`` and ``x1`` have different
    signs (the XOR of the two signs), else 0. Noise is added after labelling."""
    n = _check_n(n_samples, 1)
    noise = _check_noise(noise)
    rng = _rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    y = (X[:, 0] > 0) != (X[:, 1] > 0)
    return _finish(X, y, rng, noise, shuffle=False)


# --- scikit-learn's digits ------------------------------------------------------------
def load_digits(images=False):
    """The 8x8 handwritten digits bundled with scikit-learn (1,797 samples, 10 classes).

    Returns ``(X, y)``: ``X`` float32 with the 0..16 pixel intensities divided by
    16 (so in [0, 1]), shaped ``(1797, 64)``, or ``(1797, 1, 8, 8)`` (NCHW) with
    ``images=True``; ``y`` int64 digits 0..9. Reads the copy inside the
    scikit-learn package; nothing is downloaded.
    """
    try:
        from sklearn.datasets import load_digits as _sk_load_digits
    except ImportError as exc:
        raise ImportError(
            "load_digits() reads the digits bundled with scikit-learn, which is not "
            "installed: pip install scikit-learn (or pip install "
            "'autograd-core[examples]')") from exc
    bunch = _sk_load_digits()
    X = (np.asarray(bunch.data, dtype=np.float32) / np.float32(16.0))
    if images:
        X = X.reshape(-1, 1, 8, 8)
    return np.ascontiguousarray(X), np.asarray(bunch.target, dtype=np.int64)


# --- splitting ----------------------------------------------------------------------
def train_test_split(X, y, test_size=0.2, seed=None, stratify=False, shuffle=True):
    """Split arrays into ``X_train, X_test, y_train, y_test`` (scikit-learn's order).

    ``test_size``: a fraction in (0, 1) or a number of test samples. ``stratify=True``
    keeps the class proportions of ``y`` in both parts (each class contributes its
    share of the test samples, rounded so the total is exact). Without ``shuffle``
    the last samples form the test set. Tensors are accepted and split as arrays.
    """
    X, y = np.asarray(X), np.asarray(y)
    n = len(X)
    if len(y) != n:
        raise ValueError(f"X and y have different numbers of samples: {n} and {len(y)}")
    if isinstance(test_size, (float, np.floating)):
        if not 0 < test_size < 1:
            raise ValueError(f"a fractional test_size must be in (0, 1), got {test_size}")
        n_test = int(np.ceil(test_size * n))
    elif isinstance(test_size, (int, np.integer)) and not isinstance(test_size, bool):
        n_test = int(test_size)
    else:
        raise ValueError(f"test_size must be a float in (0, 1) or an int, got {test_size!r}")
    if not 0 < n_test < n:
        raise ValueError(f"test_size={test_size!r} leaves {n_test} test and "
                         f"{n - n_test} training samples out of {n}; both must be > 0")
    rng = _rng(seed)
    if stratify:
        if not shuffle:
            raise ValueError("stratify=True needs shuffle=True")
        classes, y_idx = np.unique(y, return_inverse=True)
        counts = np.bincount(y_idx)
        if counts.min() < 2:
            raise ValueError("stratify=True needs at least 2 samples of every class")
        exact = counts * n_test / n
        per_class = np.floor(exact).astype(int)
        # hand the remaining test samples to the classes with the largest remainders
        short = n_test - per_class.sum()
        order = np.lexsort((rng.random(len(classes)), -(exact - per_class)))
        per_class[order[:short]] += 1
        test_idx = []
        for c in range(len(classes)):
            members = rng.permutation(np.flatnonzero(y_idx == c))
            test_idx.append(members[:per_class[c]])
        test_idx = np.concatenate(test_idx)
        mask = np.ones(n, dtype=bool)
        mask[test_idx] = False
        train_idx = rng.permutation(np.flatnonzero(mask))
        test_idx = rng.permutation(test_idx)
    else:
        perm = rng.permutation(n) if shuffle else np.arange(n)
        train_idx, test_idx = perm[:n - n_test], perm[n - n_test:]
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]


# --- MNIST from IDX files ------------------------------------------------------------
# IDX: two zero bytes, a type code, the number of dimensions, then each dimension as a
# big-endian uint32, then the data, big-endian. MNIST: images 0x00000803 (ubyte, 3-D),
# labels 0x00000801 (ubyte, 1-D).
_IDX_TYPES = {0x08: np.dtype(np.uint8), 0x09: np.dtype(np.int8), 0x0B: np.dtype(">i2"),
              0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def read_idx(path):
    """Read one IDX file, gzipped or not, into a NumPy array.

    Gzip is recognised by its magic bytes (1F 8B), so the name does not have to
    end in ``.gz``. The header is read first; the data is then read as a
    stream, at most the byte count the header declares (plus one byte, to
    notice trailing data), so a small gzip file that inflates to gigabytes
    costs no more memory than the array it claims to hold. Raises
    ``ValueError`` naming the file when it cannot be decompressed, when the
    magic number is wrong or when the data does not match the sizes in its
    header.
    """
    path = os.fspath(path)
    with open(path, "rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b" or path.endswith(".gz")
        raw.seek(0)
        if not gzipped:
            return _read_idx_stream(raw, path, os.fstat(raw.fileno()).st_size)
        with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
            try:
                return _read_idx_stream(stream, path, None)
            except (OSError, EOFError, zlib.error) as exc:   # gzip.BadGzipFile is an OSError
                raise ValueError(f"{path}: cannot read the file as gzip ({exc})") from exc


def _read_idx_stream(stream, path, file_size):
    """The array in the IDX ``stream``; ``file_size`` is its size in bytes when known
    (a plain file), ``None`` for a gzip stream, whose size shows only on reading."""
    head = read_at_most(stream, 4)
    if len(head) < 4:
        raise ValueError(f"{path}: too short for an IDX file ({len(head)} bytes)")
    if head[0] != 0 or head[1] != 0 or head[2] not in _IDX_TYPES or head[3] == 0:
        raise ValueError(f"{path}: not an IDX file (magic number "
                         f"0x{int.from_bytes(head, 'big'):08X}; expected 0x0000TTNN with "
                         f"a type code TT in {sorted(hex(t) for t in _IDX_TYPES)} and "
                         f"NN dimensions)")
    dtype, ndim = _IDX_TYPES[head[2]], head[3]
    header = 4 + 4 * ndim
    dims = read_at_most(stream, 4 * ndim)
    if len(dims) < 4 * ndim:
        raise ValueError(f"{path}: truncated header ({4 + len(dims)} bytes, {ndim} "
                         f"dimensions need {header})")
    shape = tuple(int(d) for d in np.frombuffer(bytes(dims), dtype=">u4"))
    # Python ints: a header declaring 2**32 x 2**32 x ... does not overflow.
    expected = header + math.prod(shape) * dtype.itemsize
    if file_size is not None and file_size != expected:
        raise ValueError(f"{path}: the header promises shape {shape} of {dtype.name} "
                         f"({expected} bytes in all) but the file has {file_size} bytes")
    # One byte beyond the declared data tells "too long" from "exact".
    body = read_at_most(stream, expected - header + 1)
    if len(body) != expected - header:
        got = (f"{header + len(body)} bytes" if len(body) < expected - header
               else "more bytes (it was not read further)")
        raise ValueError(f"{path}: the header promises shape {shape} of {dtype.name} "
                         f"({expected} bytes in all, decompressed) but the file has {got}")
    data = np.frombuffer(body, dtype=dtype).reshape(shape)
    return data if dtype.isnative else data.astype(dtype.newbyteorder("="))


_MNIST_FILES = {
    "train_images": ("train-images-idx3-ubyte", "train-images.idx3-ubyte"),
    "train_labels": ("train-labels-idx1-ubyte", "train-labels.idx1-ubyte"),
    "test_images": ("t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"),
    "test_labels": ("t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"),
}


def _find(directory, names):
    for name in names:
        for candidate in (name, name + ".gz"):
            full = os.path.join(directory, candidate)
            if os.path.isfile(full):
                return full
    raise FileNotFoundError(
        f"no {names[0]} (or {names[0]}.gz) in {directory}: load_mnist needs the four "
        f"MNIST IDX files {', '.join(n[0] for n in _MNIST_FILES.values())}, gzipped or "
        f"not (download them yourself; nothing is fetched)")


def _read_split(directory, images_key, labels_key, flatten):
    images_path = _find(directory, _MNIST_FILES[images_key])
    labels_path = _find(directory, _MNIST_FILES[labels_key])
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.dtype != np.uint8 or images.ndim != 3:
        raise ValueError(f"{images_path}: expected unsigned bytes in 3 dimensions "
                         f"(magic 0x00000803), got {images.dtype} with shape {images.shape}")
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise ValueError(f"{labels_path}: expected unsigned bytes in 1 dimension "
                         f"(magic 0x00000801), got {labels.dtype} with shape {labels.shape}")
    if len(images) != len(labels):
        raise ValueError(f"{images_path} holds {len(images)} images but {labels_path} "
                         f"{len(labels)} labels")
    if labels.size and labels.max() > 9:
        raise ValueError(f"{labels_path}: labels must be 0..9, found {labels.max()}")
    X = images.astype(np.float32) / np.float32(255.0)
    X = X.reshape(len(X), -1) if flatten else X[:, None, :, :]
    return np.ascontiguousarray(X), labels.astype(np.int64)


def load_mnist(path, flatten=False):
    """Read MNIST from the directory ``path`` (the standard IDX files, ``.gz`` or not).

    Returns ``((X_train, y_train), (X_test, y_test))``: ``X`` float32 in [0, 1]
    shaped ``(n, 1, 28, 28)`` (NCHW), or ``(n, 784)`` with ``flatten=True``;
    ``y`` int64. File names: ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
    ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte`` (a ``.`` before ``idx``
    is accepted too). Any image size is read as the header says, so Fashion-MNIST
    works the same way.
    """
    directory = os.fspath(path)
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"load_mnist: {directory} is not a directory")
    train = _read_split(directory, "train_images", "train_labels", flatten)
    test = _read_split(directory, "test_images", "test_labels", flatten)
    return train, test
