"""fit stops at a NaN/inf loss before the step that would spread it into every
parameter; evaluate and accuracy do not report an accuracy computed from NaN outputs."""
import math
import warnings

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from nn import data, datasets, optim, training


def moons(n=64):
    X, y = datasets.make_moons(n, noise=0.2, seed=0)
    return X, y


def make_run(seed=0):
    model = nn.MLP([2, 8, 2], norm="batch", seed=seed)          # has buffers too
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    return model, opt


def snapshot(model, opt):
    state = {k: v.copy() for k, v in model.state_dict().items()}
    return state, opt.state_dict()


def assert_same(a, b):
    (ma, oa), (mb, ob) = a, b
    assert list(ma) == list(mb)
    for k in ma:
        assert ma[k].tobytes() == mb[k].tobytes(), k
    assert oa["param_groups"] == ob["param_groups"]
    assert set(oa["state"]) == set(ob["state"])
    for i in oa["state"]:
        for k, v in oa["state"][i].items():
            assert np.asarray(v).tobytes() == np.asarray(ob["state"][i][k]).tobytes()


def nan_at(calls, bad_call):
    """A cross-entropy loss that returns NaN on call number ``bad_call`` (from 0)."""
    def loss_fn(out, y):
        loss = F.cross_entropy(out, y)
        calls.append(len(calls))
        return loss * float("nan") if len(calls) - 1 == bad_call else loss
    return loss_fn


def test_nan_inputs_stop_fit_before_the_step_leaving_parameters_as_they_were():
    X, y = moons()
    X = X.copy()
    X[40] = np.nan                                  # in batch 2 (batches of 16, no shuffle)
    model, opt = make_run()
    with pytest.raises(FloatingPointError,
                       match=r"loss is nan in epoch 0, batch 2 of 4 \(both counted from 0\)"
                             r".*before the optimizer step") as info:
        training.fit(model, F.cross_entropy, opt, data.DataLoader(X, y, batch_size=16),
                     epochs=3, progress=False)
    assert isinstance(info.value, training.NonFiniteLossError)
    assert (info.value.epoch, info.value.batch) == (0, 2) and math.isnan(info.value.loss)
    # The same model trained on the two good batches alone: parameters, running
    # statistics and optimiser state agree bit for bit, and are finite.
    ref_model, ref_opt = make_run()
    training.fit(ref_model, F.cross_entropy, ref_opt, data.DataLoader(X[:32], y[:32],
                                                                      batch_size=16),
                 epochs=1, progress=False)
    assert_same(snapshot(model, opt), snapshot(ref_model, ref_opt))
    assert all(np.isfinite(v).all() for v in model.state_dict().values())
    assert model.training is True                   # mode restored on the way out


def test_the_error_names_the_epoch_and_the_batch():
    X, y = moons(48)
    model, opt = make_run()
    calls, before = [], {}
    inner = nan_at(calls, 4)                        # 3 batches an epoch: epoch 1, batch 1

    def loss_fn(out, yb):
        if len(calls) == 4:                         # the parameters before that batch
            before.update(snapshot=[p.data.copy() for p in model.parameters()])
        return inner(out, yb)

    with pytest.raises(FloatingPointError, match=r"epoch 1, batch 1 of 3") as info:
        training.fit(model, loss_fn, opt, data.DataLoader(X, y, batch_size=16, shuffle=True,
                                                          seed=0),
                     epochs=3, progress=False)
    assert (info.value.epoch, info.value.batch) == (1, 1)
    for p, saved in zip(model.parameters(), before["snapshot"]):
        assert p.data.tobytes() == saved.tobytes()


def test_an_infinite_loss_is_caught_too():
    X, y = moons(32)
    model, opt = make_run()

    def loss_fn(out, yb):
        return F.cross_entropy(out, yb) * float("inf")

    with pytest.raises(FloatingPointError, match=r"loss is inf in epoch 0, batch 0"):
        training.fit(model, loss_fn, opt, data.DataLoader(X, y, batch_size=16),
                     progress=False)


def test_warn_skips_the_bad_batch():
    X, y = moons()
    model, opt = make_run()
    with pytest.warns(RuntimeWarning, match=r"loss is nan in epoch 0, batch 1 of 4.*skipping"):
        hist = training.fit(model, nan_at([], 1), opt, data.DataLoader(X, y, batch_size=16),
                            epochs=2, progress=False, on_nonfinite="warn")
    assert all(math.isfinite(v) for v in hist["loss"] + hist["accuracy"])
    # The same as training without batch 1's samples in the first epoch.
    ref_model, ref_opt = make_run()
    keep = np.r_[0:16, 32:64]
    training.fit(ref_model, F.cross_entropy, ref_opt,
                 data.DataLoader(X[keep], y[keep], batch_size=16), epochs=1, progress=False)
    training.fit(ref_model, F.cross_entropy, ref_opt, data.DataLoader(X, y, batch_size=16),
                 epochs=1, progress=False)
    assert_same(snapshot(model, opt), snapshot(ref_model, ref_opt))


def test_warn_with_every_batch_bad_records_nan():
    X, y = moons(32)
    model, opt = make_run()
    before = [p.data.copy() for p in model.parameters()]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        hist = training.fit(model, lambda o, t: F.cross_entropy(o, t) * float("nan"), opt,
                            data.DataLoader(X, y, batch_size=16), epochs=1, progress=False,
                            on_nonfinite="warn")
    assert len([w for w in caught if issubclass(w.category, RuntimeWarning)]) == 2
    assert math.isnan(hist["loss"][0]) and math.isnan(hist["accuracy"][0])
    assert all(np.array_equal(p.data, b) for p, b in zip(model.parameters(), before))


def test_on_nonfinite_must_be_known():
    X, y = moons(16)
    model, opt = make_run()
    with pytest.raises(ValueError, match="on_nonfinite must be one of"):
        training.fit(model, F.cross_entropy, opt, data.DataLoader(X, y, batch_size=16),
                     progress=False, on_nonfinite="ignore")


def test_evaluate_does_not_report_an_accuracy_from_nan_logits():
    X, y = moons(32)
    y = np.zeros_like(y)                            # argmax of all-NaN rows is 0: "100%"
    model = nn.Linear(2, 2, seed=0)
    model.weight.data[...] = np.nan
    with pytest.warns(RuntimeWarning, match=r"NaN for 32 of 32 samples.*accuracy is reported "
                                            r"as nan"):
        loss, acc = training.evaluate(model, F.cross_entropy, (X, y))
    assert math.isnan(loss) and math.isnan(acc)
    logits = np.array([[np.nan, 1.0], [2.0, 1.0]])
    assert math.isnan(training.accuracy(logits, np.array([0, 0])))
    assert math.isnan(training.accuracy(np.array([np.nan, 1.0]), np.array([0.0, 1.0])))
    # inf logits still have an argmax: a number, not nan
    assert training.accuracy(np.array([[np.inf, 1.0], [2.0, 1.0]]), np.array([0, 0])) == 1.0


def test_nan_loss_no_longer_sits_beside_a_perfect_accuracy():
    # Before: NaN weights gave loss nan and accuracy 1.0 on all-zero labels.
    X, y = moons(32)
    y = np.zeros_like(y)
    model = nn.Linear(2, 2, seed=0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    model.weight.data[...] = np.nan
    with pytest.raises(FloatingPointError):
        training.fit(model, F.cross_entropy, opt, data.DataLoader(X, y, batch_size=16),
                     progress=False)
    with pytest.warns(RuntimeWarning):
        hist = training.fit(model, F.cross_entropy, opt, data.DataLoader(X, y, batch_size=16),
                            progress=False, on_nonfinite="warn",
                            val_data=(X, y))
    assert math.isnan(hist["loss"][0]) and math.isnan(hist["accuracy"][0])
    assert math.isnan(hist["val_accuracy"][0])
    assert ag.is_grad_enabled()


def test_the_error_survives_pickling_and_copying():
    # A run in a worker process sends its exception back pickled.
    import copy
    import pickle
    err = nn.NonFiniteLossError("fit: the loss is nan in epoch 2, batch 5", 2, 5, math.nan)
    for back in (pickle.loads(pickle.dumps(err)), copy.copy(err)):
        assert type(back) is nn.NonFiniteLossError and str(back) == str(err)
        assert (back.epoch, back.batch) == (2, 5) and math.isnan(back.loss)
