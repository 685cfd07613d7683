"""Whole checkpoints through nn.save / nn.load: optimiser and loader state dicts,
nested structures, and a resumed run that continues bit for bit."""
import json
import math
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from nn import data, datasets, optim


OPTIMIZERS = {
    "sgd-momentum": lambda params: optim.SGD(params, lr=0.05, momentum=0.9, weight_decay=1e-3),
    "adam": lambda params: optim.Adam(params, lr=1e-2, amsgrad=True),
}


def setup(make_opt, model_seed=0):
    model = nn.MLP([2, 16, 16, 2], norm="batch", seed=model_seed)
    return model, make_opt(model.parameters())


def loader(X, y):
    return data.DataLoader(X, y, batch_size=16, shuffle=True, seed=3)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_resumed_run_continues_bit_identically(tmp_path, name):
    make_opt = OPTIMIZERS[name]
    X, y = datasets.make_moons(100, noise=0.2, seed=1)          # 7 batches, the last short

    model, opt = setup(make_opt)
    full = nn.fit(model, F.cross_entropy, opt, loader(X, y), epochs=2, progress=False,
                  val_data=(X, y))
    reference = {k: v.copy() for k, v in model.state_dict().items()}

    model, opt = setup(make_opt)
    train = loader(X, y)
    first = nn.fit(model, F.cross_entropy, opt, train, epochs=1, progress=False,
                   val_data=(X, y))
    path = tmp_path / "checkpoint.npz"
    nn.save({"model": model.state_dict(), "optimizer": opt.state_dict(),
             "loader": train.state_dict(), "epoch": 1, "history": first}, path)
    del model, opt, train

    # Fresh objects: other initial weights, another learning rate, a new loader at epoch 0.
    model2, opt2 = setup(lambda ps: type(make_opt([ag.tensor([0.0], requires_grad=True)]))(
        ps, lr=0.5), model_seed=99)
    train2 = loader(X, y)
    ckpt = nn.load(path)
    model2.load_state_dict(ckpt["model"])
    opt2.load_state_dict(ckpt["optimizer"])
    train2.load_state_dict(ckpt["loader"])
    assert ckpt["epoch"] == 1 and train2.epoch == 1
    second = nn.fit(model2, F.cross_entropy, opt2, train2, epochs=1, progress=False,
                    val_data=(X, y))

    resumed = model2.state_dict()
    assert list(resumed) == list(reference)
    for k in reference:
        assert resumed[k].tobytes() == reference[k].tobytes(), k
    for key in full:
        assert ckpt["history"][key] + second[key] == full[key]          # floats, exactly


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_without_the_loader_state_the_order_restarts(tmp_path, name):
    # What the loader's state is for: a fresh loader alone replays epoch 0's order.
    X, y = datasets.make_moons(100, noise=0.2, seed=1)
    model, opt = setup(OPTIMIZERS[name])
    nn.fit(model, F.cross_entropy, opt, loader(X, y), epochs=2, progress=False)
    model2, opt2 = setup(OPTIMIZERS[name])
    nn.fit(model2, F.cross_entropy, opt2, loader(X, y), epochs=1, progress=False)
    nn.fit(model2, F.cross_entropy, opt2, loader(X, y), epochs=1, progress=False)
    assert any(not np.array_equal(a.data, b.data)
               for a, b in zip(model.parameters(), model2.parameters()))


def test_nested_values_round_trip_exactly(tmp_path):
    obj = {
        "epoch": 3, "big": 2 ** 100, "lr": 0.1, "third": 1 / 3, "neg_zero": -0.0,
        "nan": math.nan, "inf": math.inf, "minus_inf": -math.inf,
        "name": "run-\u00e9", "none": None, "flag": True, "off": False,
        "betas": (0.9, 0.999), "empty": {}, "empty_list": [], "empty_tuple": (),
        "nested": {"a": [1, [2.5, {"b": None}]], 7: "int key", -1: [True]},
        "arrays": [np.arange(6, dtype=np.int16).reshape(2, 3), np.zeros((0, 4), np.float32),
                   np.array(2.5), np.asfortranarray(np.arange(6.0).reshape(2, 3)),
                   np.array([True, False]), np.arange(3, dtype=">u4")],
        "tensor": ag.tensor([1.0, 2.0]),
        "scalars": [np.float32(0.5), np.int64(-4), np.bool_(True), np.float64(0.1)],
        "history": {"loss": [0.7, 0.5], "accuracy": [math.nan, 0.75]},
    }
    path = tmp_path / "c.npz"
    nn.save(obj, path)
    back = nn.load(path)
    assert list(back) == list(obj)
    for key in ("epoch", "big", "lr", "third", "name", "none", "flag", "off", "betas",
                "empty", "empty_list", "empty_tuple", "nested"):
        assert back[key] == obj[key] and type(back[key]) is type(obj[key]), key
    assert math.copysign(1, back["neg_zero"]) == -1
    assert math.isnan(back["nan"]) and back["inf"] == math.inf and back["minus_inf"] == -math.inf
    assert isinstance(back["nested"][7], str) and back["nested"][-1] == [True]
    for a, b in zip(back["arrays"], obj["arrays"]):
        assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)
        assert a.flags.writeable
    assert back["arrays"][3].flags.f_contiguous
    assert isinstance(back["tensor"], np.ndarray) and back["tensor"].dtype == np.float32
    for a, b in zip(back["scalars"], obj["scalars"]):
        assert type(a) is type(b) and a == b
    assert back["history"]["loss"] == [0.7, 0.5] and math.isnan(back["history"]["accuracy"][0])


def test_optimizer_state_dict_and_objects_with_state_dict(tmp_path):
    p = nn.Parameter(np.arange(4.0).reshape(2, 2))
    q = nn.Parameter(np.array(1.5))                      # 0-d parameter
    opt = optim.Adam([{"params": [p]}, {"params": [q], "lr": 0.01}], lr=0.1)
    for g in (1.0, -2.0):
        p.grad, q.grad = ag.tensor(np.full((2, 2), g)), ag.tensor(np.array(g))
        opt.step()
    nn.save(opt, tmp_path / "opt.npz")                  # the object itself: its state_dict()
    sd = nn.load(tmp_path / "opt.npz")
    ref = opt.state_dict()
    assert sd["param_groups"] == ref["param_groups"]
    assert isinstance(sd["param_groups"][0]["betas"], tuple)
    assert list(sd["state"]) == [0, 1]                   # int keys stay ints
    assert sd["state"][1]["step"] == 2 and type(sd["state"][1]["step"]) is int
    for i in (0, 1):
        for k in ("exp_avg", "exp_avg_sq"):
            assert sd["state"][i][k].tobytes() == ref["state"][i][k].tobytes()
    p2, q2 = nn.Parameter(p.data.copy()), nn.Parameter(q.data.copy())
    opt2 = optim.Adam([{"params": [p2]}, {"params": [q2]}], lr=1.0)
    opt2.load_state_dict(sd)
    for o, (a, b) in ((opt, (p, q)), (opt2, (p2, q2))):
        a.grad, b.grad = ag.tensor(np.full((2, 2), 0.5)), ag.tensor(np.array(0.5))
        o.step()
    assert p.data.tobytes() == p2.data.tobytes() and q.data.tobytes() == q2.data.tobytes()


def test_a_checkpoint_is_a_plain_npz(tmp_path):
    model = nn.Linear(2, 3, seed=0)
    path = tmp_path / "c.npz"
    nn.save({"model": model.state_dict(), "epoch": 4}, path)
    with np.load(path, allow_pickle=False) as z:
        assert sorted(z.files) == ["model/bias", "model/weight", "nn.structure.json"]
        np.testing.assert_array_equal(z["model/weight"], model.weight.data)
    with zipfile.ZipFile(path) as zf:
        doc = json.loads(zf.read("nn.structure.json"))
    assert doc["format"] == "nn.save" and doc["version"] == 1


def test_flat_state_dicts_keep_the_old_layout(tmp_path):
    model = nn.MLP([3, 4, 2], norm="batch", seed=0)
    nn.save(model, tmp_path / "m.npz")
    with zipfile.ZipFile(tmp_path / "m.npz") as zf:
        assert zf.namelist() == [k + ".npy" for k in model.state_dict()]
    sd = nn.load(tmp_path / "m.npz")
    assert isinstance(sd, OrderedDict) and list(sd) == list(model.state_dict())


@pytest.mark.parametrize("obj,match", [
    ({"a": {1, 2}}, r"cannot save set at checkpoint\['a'\]"),
    ({"a": [np.array([object()], dtype=object)]}, r"checkpoint\['a'\]\[0\] has dtype object"),
    ({"m": nn.Linear(2, 2)}, r"cannot save Linear at checkpoint\['m'\]: save its state_dict"),
    ({"a": {(1, 2): 3}}, r"key \(1, 2\) in checkpoint\['a'\] is a tuple"),
    ({"a": {True: 3}}, r"key True .* is a bool"),
    ({"s": np.array(["x"])}, r"'s' has dtype <U1"),              # a flat dict
    ({"c": 1 + 2j}, "cannot save complex"),
])
def test_save_refuses_what_it_cannot_store_exactly(tmp_path, obj, match):
    path = tmp_path / "c.npz"
    path.write_bytes(b"previous")
    with pytest.raises(TypeError, match=match):
        nn.save(obj, path)
    assert path.read_bytes() == b"previous"             # checked before the file is opened


def test_save_refuses_a_structure_containing_itself(tmp_path):
    loop = {"a": []}
    loop["a"].append(loop)
    with pytest.raises(ValueError, match=r"checkpoint\['a'\]\[0\] contains itself"):
        nn.save(loop, tmp_path / "c.npz")


def test_member_names_do_not_collide(tmp_path):
    obj = {"a/b": np.ones(1), "a": {"b": np.zeros(1)}, "x": [np.ones(2), np.zeros(2)]}
    nn.save(obj, tmp_path / "c.npz")
    back = nn.load(tmp_path / "c.npz")
    assert back["a/b"][0] == 1 and back["a"]["b"][0] == 0
    assert np.array_equal(back["x"][1], np.zeros(2))


@pytest.mark.parametrize("structure,match", [
    (b"{not json", "not valid JSON"),
    (b'{"format": "nn.save", "version": 99, "root": 1}', "format version 99"),
    (b'{"format": "other", "version": 1, "root": 1}', "not a structure written by nn.save"),
    (b'{"format": "nn.save", "version": 1, "root": {"array": "missing.npy"}}',
     "refers to a member 'missing.npy'"),
    (b'{"format": "nn.save", "version": 1, "root": {"pickle": "x"}}', "unexpected entry"),
    (b'{"format": "nn.save", "version": 1, "root": NaN}', "not valid JSON"),
])
def test_a_damaged_structure_is_a_value_error(tmp_path, structure, match):
    path = tmp_path / "c.npz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("nn.structure.json", structure)
    with pytest.raises(ValueError, match=rf"nn.load: member 'nn.structure.json' of "
                                         rf"'{path}'.*{match}"):
        nn.load(path)


def test_stray_members_in_a_checkpoint_are_reported(tmp_path):
    path = tmp_path / "c.npz"
    nn.save({"epoch": 1, "w": np.ones(2)}, path)
    with zipfile.ZipFile(path, "a") as zf:
        with zf.open("extra.npy", "w") as f:
            np.lib.format.write_array(f, np.ones(1))
    with pytest.raises(ValueError, match=r"\['extra.npy'\] that its structure does not"):
        nn.load(path)


# --- DataLoader state -----------------------------------------------------------------
def batches(loader, epochs):
    return [[xb.data.tobytes() for xb, _ in loader] for _ in range(epochs)]


@pytest.mark.parametrize("seed", [5, None])
def test_loader_state_dict_continues_the_order(seed):
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    a = data.DataLoader(X, y, batch_size=3, shuffle=True, seed=seed)
    batches(a, 2)
    state = a.state_dict()
    assert state["epoch"] == 2 and state["n_samples"] == 10
    assert all(type(v) is int for v in state.values())
    b = data.DataLoader(X, y, batch_size=3, shuffle=True, seed=1)
    b.load_state_dict(state)
    assert batches(b, 3) == batches(a, 3)


def test_loader_load_state_dict_checks():
    loader = data.DataLoader(np.zeros((10, 2)), batch_size=2, shuffle=True, seed=0)
    with pytest.raises(ValueError, match="over 12 samples, this one has 10"):
        loader.load_state_dict({"seed": 0, "epoch": 1, "n_samples": 12})
    with pytest.raises(ValueError, match="'seed' and 'epoch'"):
        loader.load_state_dict({"epoch": 1})
    with pytest.raises(ValueError, match="epoch must be a non-negative int"):
        loader.load_state_dict({"seed": 0, "epoch": -1})


def test_dropout_generator_state_fits_in_a_checkpoint(tmp_path):
    model = nn.MLP([2, 8, 2], dropout=0.5, seed=0)
    drop = next(m for m in model.modules() if isinstance(m, nn.Dropout))
    x = ag.ones(4, 2)
    model(x)
    nn.save({"model": model.state_dict(), "rng": drop.rng.bit_generator.state},
            tmp_path / "c.npz")
    expected = model(x).data
    model2 = nn.MLP([2, 8, 2], dropout=0.5, seed=1)
    ckpt = nn.load(tmp_path / "c.npz")
    model2.load_state_dict(ckpt["model"])
    drop2 = next(m for m in model2.modules() if isinstance(m, nn.Dropout))
    drop2.rng.bit_generator.state = ckpt["rng"]
    assert model2(x).data.tobytes() == expected.tobytes()
