"""Datasets other than the digits, and clear errors for missing optional packages."""
import struct

import numpy as np
import pytest

from nn.experiments import cli, load_results, run


def _idx(array):
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(struct.pack(">I", d)
                                                        for d in array.shape)
    return header + array.tobytes()


def _fake_mnist(folder, n_train=120, n_test=40):
    rng = np.random.default_rng(0)
    for split, n in (("train", n_train), ("t10k", n_test)):
        labels = np.arange(n, dtype=np.uint8) % 10
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        (folder / f"{split}-images-idx3-ubyte").write_bytes(_idx(images))
        (folder / f"{split}-labels-idx1-ubyte").write_bytes(_idx(labels))


@pytest.mark.parametrize("dataset", ["circles", "mnist"])
def test_other_datasets_run(tmp_path, dataset):
    mnist_dir = None
    if dataset == "mnist":
        mnist_dir = tmp_path / "mnist"
        mnist_dir.mkdir()
        _fake_mnist(mnist_dir)
    out = tmp_path / "out"
    result = run(["deep_relu"], mode="tiny", out_dir=str(out), dataset=dataset,
                 mnist_dir=None if mnist_dir is None else str(mnist_dir), progress=False,
                 figures=False, echo=None)
    assert not result.failures and result.ran == result.total
    rows = load_results(out)
    assert {r["dataset"] for r in rows} == {dataset}
    finals = [r for r in rows if r["kind"] == "final"]
    assert all(r["test_acc"] is not None for r in finals)


def test_mnist_without_a_folder_is_a_clear_error(capsys):
    with pytest.raises(SystemExit):
        cli.main(["run", "--tiny", "--dataset", "mnist"])
    assert "--mnist-dir" in capsys.readouterr().err


def test_dask_backend_without_distributed_says_how_to_install(tmp_path, block_import,
                                                              capsys):
    block_import("distributed")
    code = cli.main(["run", "--tiny", "--only", "deep_relu", "--dask-local", "2",
                     "--out", str(tmp_path), "--no-progress"])
    assert code == 2
    captured = capsys.readouterr()
    assert "pip install distributed" in captured.err
    assert "running" not in captured.out            # it failed before starting anything
