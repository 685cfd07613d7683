"""nn.save / nn.load: .npz round trips that never pickle."""
import io
import zipfile

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


@pytest.mark.parametrize("change, pattern", [
    (lambda sd: sd.pop("layers.1.running_var"),
     r'Missing key\(s\) in state_dict: "layers.1.running_var"'),
    (lambda sd: sd.__setitem__("layers.9.weight", np.zeros(2)),
     r'Unexpected key\(s\) in state_dict: "layers.9.weight"'),
    (lambda sd: sd.__setitem__("layers.3.weight", np.zeros((2, 5), np.float32)),
     r"size mismatch for layers.3.weight: .*\(2, 5\).*\(2, 4\)"),
])
def test_loading_a_bad_file_names_the_key_and_changes_nothing(tmp_path, change, pattern):
    donor = nn.MLP([3, 4, 2], norm="batch", seed=5)
    donor(ag.randn(6, 3, seed=0))
    sd = donor.state_dict()
    change(sd)
    path = tmp_path / "bad.npz"
    nn.save(sd, path)
    model = _model()
    before = model.state_dict()
    with pytest.raises(RuntimeError, match=pattern):
        model.load_state_dict(nn.load(path))
    after = model.state_dict()
    assert list(after) == list(before)
    assert all(np.array_equal(before[k], after[k]) for k in before)


def test_load_never_unpickles(tmp_path):
    import pickle
    import zipfile

    class Boom:
        def __reduce__(self):
            return (pytest.fail, ("nn.load unpickled something",))

    pkl = tmp_path / "model.pkl"
    pkl.write_bytes(pickle.dumps({"layers.0.weight": Boom()}))
    with pytest.raises(ValueError, match="not an .npz file.*nothing was unpickled"):
        nn.load(pkl)
    objects = tmp_path / "objects.npz"
    np.savez(objects, w=np.ones(2), evil=np.array([Boom()], dtype=object))
    with pytest.raises(ValueError, match="member 'evil'.*without unpickling"):
        nn.load(objects)
    stray = tmp_path / "stray.npz"
    nn.save({"w": np.ones(2)}, stray)
    with zipfile.ZipFile(stray, "a") as z:
        z.writestr("notes.txt", b"not an array")
    with pytest.raises(ValueError, match="member 'notes.txt'.*not a .npy array"):
        nn.load(stray)


@pytest.mark.parametrize("key", ["a\x00b", "c\\d", "\udc80", "k" * 70000, "w\x00"])
def test_keys_a_zip_member_name_cannot_hold_round_trip_exactly(tmp_path, key):
    # zipfile cuts a name at NUL, turns "\\" into "/" on Windows, and fails half-way
    # through writing on a lone surrogate or a name over 65535 bytes.
    path = tmp_path / "m.npz"
    path.write_bytes(b"previous")
    flat = {key: np.arange(3.0), "w": np.ones(2)}
    nested = {"model": flat, "epoch": 2}
    for obj in (flat, nested):
        nn.save(obj, path)
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
        assert all("\\" not in n and "\x00" not in n and len(n) < 1100 for n in names)
        back = nn.load(path)
        sd = back if obj is flat else back["model"]
        assert list(sd) == [key, "w"]
        np.testing.assert_array_equal(sd[key], np.arange(3.0))
