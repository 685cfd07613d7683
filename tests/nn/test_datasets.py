"""nn.datasets: toy generators, digits, train_test_split, MNIST from IDX files."""
import gzip
import struct
import tracemalloc

import numpy as np
import pytest

from nn import datasets

TOYS = [
    (datasets.make_circles, dict(factor=0.5), 2),
    (datasets.make_moons, {}, 2),
    (datasets.make_spirals, dict(n_classes=2), 2),
    (datasets.make_spirals, dict(n_classes=3), 3),
    (datasets.make_xor, {}, 2),
]


@pytest.mark.parametrize("make,kw,n_classes", TOYS)
def test_toy_shapes_dtypes_and_classes(make, kw, n_classes):
    X, y = make(n_samples=301, noise=0.1, seed=0, **kw)
    assert X.shape == (301, 2) and X.dtype == np.float32
    assert y.shape == (301,) and y.dtype == np.int64
    assert set(np.unique(y)) == set(range(n_classes))
    assert np.isfinite(X).all()
    if make is not datasets.make_xor:        # balanced classes
        counts = np.bincount(y)
        assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize("make,kw,n_classes", TOYS)
def test_toy_seeding(make, kw, n_classes):
    a = make(n_samples=100, noise=0.2, seed=3, **kw)
    b = make(n_samples=100, noise=0.2, seed=3, **kw)
    c = make(n_samples=100, noise=0.2, seed=4, **kw)
    assert a[0].tobytes() == b[0].tobytes() and a[1].tobytes() == b[1].tobytes()
    assert not np.array_equal(a[0], c[0])
    g1 = make(n_samples=50, seed=np.random.default_rng(1), **kw)
    g2 = make(n_samples=50, seed=np.random.default_rng(1), **kw)
    np.testing.assert_array_equal(g1[0], g2[0])


def test_circles_geometry():
    X, y = datasets.make_circles(200, noise=0.0, factor=0.3, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0, rtol=1e-6)
    np.testing.assert_allclose(r[y == 1], 0.3, rtol=1e-6)
    # the class means coincide: no straight line separates the classes
    np.testing.assert_allclose(X[y == 0].mean(0), X[y == 1].mean(0), atol=1e-6)


def test_moons_geometry():
    X, y = datasets.make_moons(100, seed=0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, rtol=1e-6)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0, rtol=1e-6)


def test_spirals_radius_and_arms():
    X, y = datasets.make_spirals(300, n_classes=3, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.min() >= 0.05 - 1e-6 and r.max() <= 1 + 1e-6
    X, y = datasets.make_spirals(7, n_classes=3, seed=0)
    assert sorted(np.bincount(y)) == [2, 2, 3]


def test_xor_labels():
    X, y = datasets.make_xor(500, seed=0)
    assert np.abs(X).max() <= 1
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(np.int64))


def test_no_shuffle_keeps_class_blocks():
    _, y = datasets.make_circles(10, shuffle=False)
    np.testing.assert_array_equal(y, [0] * 5 + [1] * 5)


@pytest.mark.parametrize("call,match", [
    (lambda: datasets.make_circles(n_samples=1), "n_samples"),
    (lambda: datasets.make_circles(n_samples=10.5), "n_samples"),
    (lambda: datasets.make_circles(factor=1.0), "factor"),
    (lambda: datasets.make_moons(noise=-0.1), "noise"),
    (lambda: datasets.make_spirals(n_classes=1), "n_classes"),
    (lambda: datasets.make_spirals(turns=0), "turns"),
    (lambda: datasets.make_xor(seed=-1), "seed"),
    (lambda: datasets.make_xor(seed="x"), "seed"),
])
def test_toy_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --- digits ----------------------------------------------------------------------
def test_load_digits():
    pytest.importorskip("sklearn")
    X, y = datasets.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert set(np.unique(y)) == set(range(10))
    images, y2 = datasets.load_digits(images=True)
    assert images.shape == (1797, 1, 8, 8)
    np.testing.assert_array_equal(images.reshape(1797, 64), X)
    np.testing.assert_array_equal(y, y2)


def test_load_digits_without_sklearn_says_how_to_install(block_import):
    block_import("sklearn")
    with pytest.raises(ImportError, match=r"pip install scikit-learn.*autograd-core\[examples\]"):
        datasets.load_digits()


# --- train_test_split ----------------------------------------------------------------
def test_train_test_split_sizes_and_partition():
    X = np.arange(100).reshape(50, 2)
    y = np.arange(50)
    X_tr, X_te, y_tr, y_te = datasets.train_test_split(X, y, test_size=0.2, seed=0)
    assert len(X_tr) == 40 and len(X_te) == 10
    assert sorted(np.concatenate([y_tr, y_te])) == list(range(50))
    np.testing.assert_array_equal(X_tr[:, 0] // 2, y_tr)       # rows stay paired
    np.testing.assert_array_equal(X_te[:, 0] // 2, y_te)
    again = datasets.train_test_split(X, y, test_size=0.2, seed=0)
    np.testing.assert_array_equal(again[3], y_te)
    assert len(datasets.train_test_split(X, y, test_size=7, seed=0)[1]) == 7
    assert len(datasets.train_test_split(X, y, test_size=0.25)[1]) == 13  # ceil, as sklearn
    _, _, _, y_last = datasets.train_test_split(X, y, test_size=5, shuffle=False)
    np.testing.assert_array_equal(y_last, [45, 46, 47, 48, 49])


def test_train_test_split_stratified_keeps_proportions():
    y = np.repeat([0, 1, 2], [60, 30, 10])
    X = np.arange(100)[:, None]
    X_tr, X_te, y_tr, y_te = datasets.train_test_split(X, y, test_size=0.2, seed=1,
                                                       stratify=True)
    assert np.bincount(y_te).tolist() == [12, 6, 2]
    assert np.bincount(y_tr).tolist() == [48, 24, 8]
    assert sorted(np.concatenate([X_tr[:, 0], X_te[:, 0]])) == list(range(100))
    # an uneven split still hands out exactly n_test samples
    y = np.repeat([0, 1, 2], [7, 7, 7])
    _, X_te, _, y_te = datasets.train_test_split(np.zeros((21, 1)), y, test_size=5, seed=0,
                                                 stratify=True)
    assert len(y_te) == 5 and np.bincount(y_te, minlength=3).min() >= 1


@pytest.mark.parametrize("kw,match", [
    (dict(test_size=0.0), "test_size"), (dict(test_size=1.5), "test_size"),
    (dict(test_size=0), "test_size"), (dict(test_size=10), "test_size"),
    (dict(test_size="a"), "test_size"),
])
def test_train_test_split_errors(kw, match):
    with pytest.raises(ValueError, match=match):
        datasets.train_test_split(np.zeros((10, 2)), np.zeros(10), **kw)


def test_train_test_split_length_mismatch_and_singleton_class():
    with pytest.raises(ValueError, match="different numbers"):
        datasets.train_test_split(np.zeros((10, 2)), np.zeros(9))
    with pytest.raises(ValueError, match="at least 2"):
        datasets.train_test_split(np.zeros((5, 1)), np.array([0, 0, 0, 0, 1]),
                                  stratify=True)


# --- MNIST IDX files ------------------------------------------------------------------
def idx_bytes(array, type_code=0x08):
    header = bytes([0, 0, type_code, array.ndim]) + b"".join(
        struct.pack(">I", d) for d in array.shape)
    return header + array.tobytes()


def write(path, payload, gz):
    if gz:
        with gzip.open(str(path) + ".gz", "wb") as f:
            f.write(payload)
    else:
        path.write_bytes(payload)


def fake_mnist(tmp_path, n_train=5, n_test=3, gz=False, seed=0, size=28):
    rng = np.random.default_rng(seed)
    arrays = {}
    for split, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, size=(n, size, size), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n, dtype=np.uint8)
        write(tmp_path / f"{split}-images-idx3-ubyte", idx_bytes(images), gz)
        write(tmp_path / f"{split}-labels-idx1-ubyte", idx_bytes(labels), gz)
        arrays[split] = (images, labels)
    return arrays


@pytest.mark.parametrize("gz", [False, True])
def test_load_mnist(tmp_path, gz):
    arrays = fake_mnist(tmp_path, gz=gz)
    (X_tr, y_tr), (X_te, y_te) = datasets.load_mnist(tmp_path)
    assert X_tr.shape == (5, 1, 28, 28) and X_te.shape == (3, 1, 28, 28)
    assert X_tr.dtype == np.float32 and y_tr.dtype == np.int64
    assert 0.0 <= X_tr.min() and X_tr.max() <= 1.0
    np.testing.assert_allclose(X_tr[:, 0] * 255, arrays["train"][0], atol=1e-4)
    np.testing.assert_array_equal(y_tr, arrays["train"][1])
    np.testing.assert_array_equal(y_te, arrays["t10k"][1])
    (flat, _), _ = datasets.load_mnist(str(tmp_path), flatten=True)
    assert flat.shape == (5, 784)
    np.testing.assert_array_equal(flat, X_tr.reshape(5, 784))


def test_load_mnist_accepts_dotted_names(tmp_path):
    arrays = fake_mnist(tmp_path, size=4)
    for p in tmp_path.iterdir():
        p.rename(tmp_path / p.name.replace("-idx", ".idx"))
    (X_tr, _), (X_te, y_te) = datasets.load_mnist(tmp_path)
    assert X_tr.shape == (5, 1, 4, 4)
    np.testing.assert_array_equal(y_te, arrays["t10k"][1])


def test_load_mnist_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        datasets.load_mnist(tmp_path)
    with pytest.raises(FileNotFoundError, match="not a directory"):
        datasets.load_mnist(tmp_path / "nope")


def test_load_mnist_bad_magic(tmp_path):
    fake_mnist(tmp_path)
    path = tmp_path / "train-images-idx3-ubyte"
    raw = bytearray(path.read_bytes())
    raw[0:4] = b"PK\x03\x04"
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte: not an IDX file .*0x504B0304"):
        datasets.load_mnist(tmp_path)


def test_load_mnist_labels_file_in_place_of_images(tmp_path):
    fake_mnist(tmp_path)
    labels = (tmp_path / "train-labels-idx1-ubyte").read_bytes()
    (tmp_path / "train-images-idx3-ubyte").write_bytes(labels)
    with pytest.raises(ValueError, match="0x00000803"):
        datasets.load_mnist(tmp_path)


def test_load_mnist_truncated_and_too_long(tmp_path):
    fake_mnist(tmp_path)
    path = tmp_path / "t10k-images-idx3-ubyte"
    raw = path.read_bytes()
    path.write_bytes(raw[:-10])
    with pytest.raises(ValueError, match=r"shape \(3, 28, 28\).*2368 bytes.*2358 bytes"):
        datasets.load_mnist(tmp_path)
    path.write_bytes(raw + b"\x00")
    with pytest.raises(ValueError, match="t10k-images"):
        datasets.load_mnist(tmp_path)
    path.write_bytes(raw[:6])
    with pytest.raises(ValueError, match="truncated header"):
        datasets.load_mnist(tmp_path)


def test_load_mnist_count_mismatch_and_bad_labels(tmp_path):
    fake_mnist(tmp_path)
    write(tmp_path / "train-labels-idx1-ubyte", idx_bytes(np.zeros(4, np.uint8)), False)
    with pytest.raises(ValueError, match="5 images but .* 4 labels"):
        datasets.load_mnist(tmp_path)
    write(tmp_path / "train-labels-idx1-ubyte", idx_bytes(np.full(5, 12, np.uint8)), False)
    with pytest.raises(ValueError, match="0..9"):
        datasets.load_mnist(tmp_path)


def test_load_mnist_corrupt_gzip(tmp_path):
    fake_mnist(tmp_path)
    (tmp_path / "train-images-idx3-ubyte").unlink()
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match="cannot read"):
        datasets.load_mnist(tmp_path)


def test_read_idx_other_types(tmp_path):
    a = np.arange(6, dtype=">i4").reshape(2, 3)
    (tmp_path / "a.idx").write_bytes(idx_bytes(a, 0x0C))
    out = datasets.read_idx(tmp_path / "a.idx")
    np.testing.assert_array_equal(out, a)
    assert out.dtype == np.int32 and out.dtype.isnative


def test_read_idx_recognises_gzip_by_its_bytes_not_its_name(tmp_path):
    # Some mirrors serve gzipped IDX files without the .gz ending.
    labels = np.array([3, 1, 4, 1, 5], np.uint8)
    (tmp_path / "labels-idx1-ubyte").write_bytes(gzip.compress(idx_bytes(labels)))
    out = datasets.read_idx(tmp_path / "labels-idx1-ubyte")
    np.testing.assert_array_equal(out, labels)
    arrays = fake_mnist(tmp_path, n_train=2, n_test=2, gz=True, size=3)
    for p in tmp_path.glob("*.gz"):
        p.rename(p.with_suffix(""))                     # gzipped, but named as plain files
    (X_tr, y_tr), _ = datasets.load_mnist(tmp_path)
    assert X_tr.shape == (2, 1, 3, 3)
    np.testing.assert_array_equal(y_tr, arrays["train"][1])


# --- gzip bombs: the header bounds what is inflated ----------------------------------
def gzip_bomb(path, header_shape=(10, 28, 28), extra=50 * 2 ** 20):
    """A valid IDX header for ``header_shape`` ubyte images, then ``extra`` zero bytes
    beyond the declared data, gzipped (50 MB of zeros compress to about 50 KB)."""
    declared = int(np.prod(header_shape))
    with gzip.open(path, "wb") as f:
        f.write(bytes([0, 0, 0x08, len(header_shape)])
                + b"".join(struct.pack(">I", d) for d in header_shape))
        chunk = bytes(2 ** 20)
        left = declared + extra
        while left > 0:
            f.write(chunk[:min(left, len(chunk))])
            left -= len(chunk)
    return path


def peak_memory(fn):
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_read_idx_does_not_inflate_a_gzip_bomb(tmp_path):
    path = gzip_bomb(tmp_path / "train-images-idx3-ubyte.gz")
    assert path.stat().st_size < 2 ** 20

    def read():
        with pytest.raises(ValueError, match=r"train-images-idx3-ubyte\.gz: the header promises "
                                             r"shape \(10, 28, 28\) of uint8 \(7856 bytes"):
            datasets.read_idx(path)

    assert peak_memory(read) < 2 ** 20


def test_load_mnist_does_not_inflate_a_gzip_bomb(tmp_path):
    fake_mnist(tmp_path, n_train=10, gz=True)
    gzip_bomb(tmp_path / "train-images-idx3-ubyte.gz")

    def load():
        with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz"):
            datasets.load_mnist(tmp_path)

    assert peak_memory(load) < 2 ** 20


def test_a_header_declaring_huge_dims_reads_only_what_is_there(tmp_path):
    # 2**32-1 images of 2**32-1 x 2**32-1: never allocated, the file is simply short.
    path = tmp_path / "huge.gz"
    with gzip.open(path, "wb") as f:
        f.write(bytes([0, 0, 0x08, 3]) + struct.pack(">III", *(2 ** 32 - 1,) * 3) + bytes(100))

    def read():
        with pytest.raises(ValueError, match=r"huge\.gz: the header promises shape "
                                             r"\(4294967295, 4294967295, 4294967295\).*"
                                             r"but the file has 116 bytes"):
            datasets.read_idx(path)

    assert peak_memory(read) < 2 ** 20
    plain = tmp_path / "huge.idx"
    plain.write_bytes(gzip.decompress(path.read_bytes()))
    with pytest.raises(ValueError, match="but the file has 116 bytes"):
        datasets.read_idx(plain)


def test_gzipped_idx_with_trailing_data_or_short_data(tmp_path):
    labels = np.array([3, 1, 4, 1, 5], np.uint8)
    path = tmp_path / "labels.gz"
    path.write_bytes(gzip.compress(idx_bytes(labels) + b"\x00"))
    with pytest.raises(ValueError, match=r"labels\.gz: .*shape \(5,\).*but the file has more "
                                         r"bytes"):
        datasets.read_idx(path)
    path.write_bytes(gzip.compress(idx_bytes(labels)[:-2]))
    with pytest.raises(ValueError, match=r"labels\.gz: .*\(13 bytes in all, decompressed\) "
                                         r"but the file has 11 bytes"):
        datasets.read_idx(path)
    path.write_bytes(gzip.compress(idx_bytes(labels))[:-12])      # a cut gzip stream
    with pytest.raises(ValueError, match=r"labels\.gz"):
        datasets.read_idx(path)
