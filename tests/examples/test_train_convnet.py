"""examples/train_convnet.py: the --quick digits run learns and writes its PNGs; the
--mnist path runs on tiny IDX files written here."""
import gzip
import importlib.util
import pathlib

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _load_example():
    # The examples folder is not a package: load the script as a module by path
    # (the tests run with --import-mode=importlib, so nothing is put on sys.path).
    spec = importlib.util.spec_from_file_location("train_convnet",
                                                  ROOT / "examples" / "train_convnet.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def example():
    pytest.importorskip("matplotlib")
    return _load_example()


def _write_idx(path, array, gzipped):
    """``array`` (uint8) as an IDX file: 0x0000 08 NDIM, big-endian uint32 dims, data."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    payload = header + array.tobytes()
    if gzipped:
        payload = gzip.compress(payload)
    path.write_bytes(payload)


def test_quick_digits_learns_and_writes_pngs(example, tmp_path):
    pytest.importorskip("sklearn")
    out = tmp_path / "plots"
    results = example.main(["--quick", "--out", str(out), "--seed", "0"])
    assert results["convnet_accuracy"] > 0.90
    assert results["mlp_accuracy"] > 0.85
    assert results["convnet_parameters"] > 0 and results["mlp_parameters"] > 0
    for key in ("filters", "feature_maps"):
        path = pathlib.Path(results["plots"][key])
        assert path.parent == out
        data = path.read_bytes()
        assert data[:8] == PNG_MAGIC and b"IEND" in data[-16:]
        assert len(data) > 1000


def test_mnist_path_on_tiny_idx_files(example, tmp_path, capsys):
    rng = np.random.default_rng(0)
    mnist = tmp_path / "mnist"
    mnist.mkdir()
    _write_idx(mnist / "train-images-idx3-ubyte.gz",
               rng.integers(0, 256, (60, 28, 28)), gzipped=True)
    _write_idx(mnist / "train-labels-idx1-ubyte.gz", np.arange(60) % 10, gzipped=True)
    _write_idx(mnist / "t10k-images-idx3-ubyte", rng.integers(0, 256, (20, 28, 28)),
               gzipped=False)
    _write_idx(mnist / "t10k-labels-idx1-ubyte", np.arange(20) % 10, gzipped=False)
    results = example.main(["--mnist", str(mnist), "--epochs", "2", "--limit", "50",
                            "--out", str(tmp_path / "unused")])
    assert 0.0 <= results["mnist_accuracy"] <= 1.0
    assert results["mnist_seconds_per_epoch"] > 0
    assert results["mnist_epochs"] == 2
    assert results["mnist_train_size"] == 50
    text = capsys.readouterr().out
    assert "test accuracy" in text and "s per epoch" in text
