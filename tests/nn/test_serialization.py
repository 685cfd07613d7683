"""nn.save / nn.load: .npz round trips that never pickle."""
import io

import numpy as np
import pytest

import autograd_core as ag
import nn


def _model():
    return nn.MLP([3, 4, 2], norm="batch", seed=0)


def test_round_trip_through_a_file(tmp_path):
    model = _model()
    model(ag.randn(5, 3, seed=1))                     # move the running stats
    path = tmp_path / "model.npz"
    nn.save(model, path)
    sd = nn.load(path)
    assert list(sd) == list(model.state_dict())
    for k, v in model.state_dict().items():
        assert np.array_equal(sd[k], v) and sd[k].dtype == v.dtype, k
    other = nn.MLP([3, 4, 2], norm="batch", seed=1)
    other.load_state_dict(sd)
    x = ag.randn(2, 3, seed=2)
    assert np.array_equal(other.eval()(x).data, model.eval()(x).data)


def test_file_is_a_plain_npz_without_pickles(tmp_path):
    path = str(tmp_path / "weights.bin")             # the path is used as given
    nn.save(_model().state_dict(), path)
    with np.load(path, allow_pickle=False) as z:
        assert z.files[0] == "layers.0.weight"
        assert z["layers.1.num_batches_tracked"].dtype == np.int64


def test_odd_keys_and_file_objects():
    buf = io.BytesIO()
    nn.save({"file": np.ones(2), "a/b": ag.tensor([1.0, 2.0]), "allow_pickle": np.zeros(1)}, buf)
    buf.seek(0)
    sd = nn.load(buf)
    assert list(sd) == ["file", "a/b", "allow_pickle"]
    assert sd["a/b"].dtype == np.float32


def test_rejects_objects_and_single_arrays(tmp_path):
    with pytest.raises(TypeError, match="only number arrays"):
        nn.save({"x": np.array([object()])}, tmp_path / "x.npz")
    with pytest.raises(TypeError, match="Module or a dict"):
        nn.save([1, 2], tmp_path / "x.npz")
    np.save(tmp_path / "one.npy", np.ones(2))
    with pytest.raises(ValueError, match="not an .npz"):
        nn.load(tmp_path / "one.npy")
