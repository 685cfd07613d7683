"""nn.training: fit / evaluate / predict / accuracy, reproducibility, and the
accuracies the project demonstrates (an MLP separates circles, a linear model
cannot; an MLP learns the digits)."""
import math
import time

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from nn import data, datasets, optim, training


# --- a minimal model written with autograd_core alone (no nn layers) ---------------
class Affine:
    """x @ W + b with train()/eval()/training, recording how it was called."""

    def __init__(self, n_in, n_out, seed=0):
        rng = np.random.default_rng(seed)
        self.W = ag.tensor(rng.standard_normal((n_in, n_out)).astype(np.float32) * 0.1,
                           requires_grad=True)
        self.b = ag.tensor(np.zeros(n_out, np.float32), requires_grad=True)
        self.training = True
        self.calls = []            # (training, grad enabled) per call

    def parameters(self):
        return [self.W, self.b]

    def train(self):
        self.training = True
        return self

    def eval(self):
        self.training = False
        return self

    def __call__(self, x):
        self.calls.append((self.training, ag.is_grad_enabled()))
        return x @ self.W + self.b


def ce(logits, y):
    logp = logits.log_softmax(axis=-1)
    return -logp[np.arange(len(y.data)), y.data].mean()


def blobs(n=200, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=n)
    centers = np.array([[2.0, 0.0], [-2.0, 0.0], [0.0, 2.0]])
    X = centers[y] + 0.3 * rng.standard_normal((n, 2))
    return X.astype(np.float32), y


# --- accuracy ------------------------------------------------------------------------
def test_accuracy_multiclass_binary_and_undefined():
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [0.0, 0.0, 5.0], [1.0, 0.0, 0.0]])
    assert training.accuracy(logits, np.array([0, 1, 2, 2])) == 0.75
    assert training.accuracy(ag.tensor(logits), ag.tensor([0, 1, 2, 0])) == 1.0
    single = np.array([1.5, -0.2, 0.3, -3.0])
    assert training.accuracy(single, np.array([1, 0, 0, 0])) == 0.75
    assert training.accuracy(single[:, None], np.array([[1.0], [0.0], [1.0], [0.0]])) == 1.0
    assert math.isnan(training.accuracy(np.zeros((4, 3)), np.zeros((4, 3))))   # regression
    assert math.isnan(training.accuracy(np.zeros((0, 3)), np.zeros(0, int)))


# --- evaluate / predict ------------------------------------------------------------
def test_evaluate_runs_in_eval_mode_without_grad_and_restores_mode():
    X, y = blobs(50)
    model = Affine(2, 3)
    loss, acc = training.evaluate(model, ce, (X, y), batch_size=16)
    assert model.calls and all(c == (False, False) for c in model.calls)
    assert model.training is True
    model.eval()
    training.evaluate(model, ce, data.DataLoader(X, y, batch_size=7))
    assert model.training is False
    assert 0 <= acc <= 1 and loss > 0


def test_evaluate_weights_batches_by_size():
    X, y = blobs(50)
    model = Affine(2, 3, seed=1)
    full_loss = ce(model(ag.tensor(X)), ag.tensor(y)).item()
    full_acc = training.accuracy(model(ag.tensor(X)), y)
    loss, acc = training.evaluate(model, ce, data.DataLoader(X, y, batch_size=7))
    assert loss == pytest.approx(full_loss, rel=1e-5)
    assert acc == full_acc
    loss, acc = training.evaluate(model, None, (X, y))
    assert math.isnan(loss) and acc == full_acc


def test_evaluate_rejects_one_shot_iterators_and_bad_tuples():
    X, y = blobs(10)
    with pytest.raises(TypeError, match="one-shot"):
        training.evaluate(Affine(2, 3), ce, iter(data.DataLoader(X, y, batch_size=2)))
    with pytest.raises(ValueError, match="pair"):
        training.evaluate(Affine(2, 3), ce, (X, y, y))


def test_predict():
    X, _ = blobs(30)
    model = Affine(2, 3)
    out = training.predict(model, X, batch_size=8)
    assert isinstance(out, np.ndarray) and out.shape == (30, 3)
    np.testing.assert_allclose(out, model(ag.tensor(X)).data, rtol=1e-6)
    assert model.training and all(not grad for _, grad in model.calls[:-1])


def test_predict_and_evaluate_feed_a_float64_model_float64_inputs():
    # The (X, y) and predict paths batch through a DataLoader, which casts floats
    # to the default float32: a float64 model used to see rounded inputs.
    X = np.random.default_rng(0).standard_normal((10, 3)) * (1 + 1e-12)
    y = np.arange(10) % 2
    model = nn.MLP([3, 8, 2], dtype=np.float64, seed=0)
    exact = model.eval()(ag.tensor(X)).data
    model.train()
    out = training.predict(model, X, batch_size=4)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, exact)
    loss, _ = training.evaluate(model, F.cross_entropy, (X, y), batch_size=4)
    ref = F.cross_entropy(ag.tensor(exact), y, reduction="sum").item() / 10
    assert loss == pytest.approx(ref, rel=1e-13)
    # a float32 model still gets float32 batches
    out32 = training.predict(nn.MLP([3, 8, 2], seed=0), X)
    assert out32.dtype == np.float32


# --- fit ---------------------------------------------------------------------------
def test_fit_history_and_learning():
    X, y = blobs(200)
    model = Affine(2, 3)
    loader = data.DataLoader(X[:150], y[:150], batch_size=32, shuffle=True, seed=0)
    hist = training.fit(model, ce, optim.SGD(model.parameters(), lr=0.5), loader, epochs=5,
                        val_data=(X[150:], y[150:]), progress=False)
    assert set(hist) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 5 for v in hist.values())
    assert hist["loss"][-1] < hist["loss"][0]
    assert hist["accuracy"][-1] > 0.95 and hist["val_accuracy"][-1] > 0.95
    assert all(isinstance(v, float) for vals in hist.values() for v in vals)
    # training batches ran in train mode with recording on; validation did not
    assert (True, True) in model.calls and (False, False) in model.calls
    assert model.training is True


def test_fit_without_validation_and_zero_epochs():
    X, y = blobs(40)
    model = Affine(2, 3)
    loader = data.DataLoader(X, y, batch_size=8)
    hist = training.fit(model, ce, optim.SGD(model.parameters(), lr=0.1), loader, epochs=2,
                        progress=False)
    assert set(hist) == {"loss", "accuracy"}
    hist = training.fit(model, ce, optim.SGD(model.parameters(), lr=0.1), loader, epochs=0,
                        progress=False)
    assert hist == {"loss": [], "accuracy": []}


def test_fit_resets_gradients_each_step():
    X, y = blobs(20)
    model = Affine(2, 3)
    loader = data.DataLoader(X, y, batch_size=20)
    opt = optim.SGD(model.parameters(), lr=0.0)
    training.fit(model, ce, opt, loader, epochs=3, progress=False)
    g3 = model.W.grad.data.copy()
    model.W.grad = None
    ce(model(ag.tensor(X)), ag.tensor(y)).backward()
    np.testing.assert_allclose(g3, model.W.grad.data, rtol=1e-6)   # one batch's worth


def test_fit_in_two_calls_equals_fit_in_one():
    X, y = blobs(60)
    params = []
    for epochs_per_call in ([2], [1, 1]):
        model = Affine(2, 3)
        opt = optim.Adam(model.parameters(), lr=0.05)
        loader = data.DataLoader(X, y, batch_size=8, shuffle=True, seed=4)
        for epochs in epochs_per_call:        # the loader's epoch count carries on
            training.fit(model, ce, opt, loader, epochs=epochs, val_data=loader,
                         progress=False)
        params.append([p.data.copy() for p in model.parameters()])
        assert loader.epoch == 2 + 2         # two training passes, two validation passes
    for a, b in zip(*params):
        assert a.tobytes() == b.tobytes()


def test_fit_callback_can_stop_early():
    X, y = blobs(20)
    model = Affine(2, 3)
    seen = []

    def callback(epoch, history):
        seen.append((epoch, len(history["loss"])))
        return epoch == 1

    hist = training.fit(model, ce, optim.SGD(model.parameters(), lr=0.1),
                        data.DataLoader(X, y, batch_size=5), epochs=10, progress=False,
                        callback=callback)
    assert seen == [(0, 1), (1, 2)] and len(hist["loss"]) == 2


def test_fit_errors():
    X, y = blobs(20)
    model = Affine(2, 3)
    opt = optim.SGD(model.parameters(), lr=0.1)
    loader = data.DataLoader(X, y, batch_size=5)
    with pytest.raises(TypeError, match="one-shot"):
        training.fit(model, ce, opt, (b for b in loader), epochs=2, progress=False)
    for bad in (-1, 1.5, True):
        with pytest.raises(ValueError, match="epochs"):
            training.fit(model, ce, opt, loader, epochs=bad, progress=False)
    with pytest.raises(TypeError, match="DataLoader"):
        training.fit(model, ce, opt, (X, y), epochs=1, progress=False)
    with pytest.raises(ValueError, match="no batches"):
        training.fit(model, ce, opt, [], epochs=1, progress=False)


def test_fit_and_evaluate_restore_the_mode_when_interrupted():
    X, y = blobs(20)
    model = Affine(2, 3).eval()

    def failing_loss(out, target):
        assert model.training            # fit trains in train mode ...
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        training.fit(model, failing_loss, optim.SGD(model.parameters(), lr=0.1),
                     data.DataLoader(X, y, batch_size=5), epochs=1, progress=False)
    assert model.training is False       # ... and hands the model back as it was
    model.train()

    def failing_eval_loss(out, target):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        training.evaluate(model, failing_eval_loss, (X, y))
    assert model.training is True


def test_fit_progress_bar(capsys):
    pytest.importorskip("tqdm")
    X, y = blobs(20)
    model = Affine(2, 3)
    training.fit(model, ce, optim.SGD(model.parameters(), lr=0.1),
                 data.DataLoader(X, y, batch_size=5), epochs=2, val_data=(X, y),
                 progress=True)
    err = capsys.readouterr().err
    assert "epoch 2/2" in err and "8/8" in err and "val_accuracy" in err
    training.fit(model, ce, optim.SGD(model.parameters(), lr=0.1),
                 data.DataLoader(X, y, batch_size=5), epochs=2, progress=False)
    assert capsys.readouterr().err == ""


def test_fit_without_tqdm_shows_no_bar(block_import, capsys):
    block_import("tqdm")
    X, y = blobs(20)
    model = Affine(2, 3)
    hist = training.fit(model, ce, optim.SGD(model.parameters(), lr=0.1),
                        data.DataLoader(X, y, batch_size=5), epochs=1, progress=True)
    assert len(hist["loss"]) == 1 and capsys.readouterr().err == ""


# --- with the nn layers ------------------------------------------------------------
def train_mlp(sizes, X, y, *, epochs, lr, batch_size, seed, opt="adam", **mlp_options):
    model = nn.MLP(sizes, seed=seed, **mlp_options)
    loader = data.DataLoader(X, y, batch_size=batch_size, shuffle=True, seed=seed)
    optimizer = (optim.Adam(model.parameters(), lr=lr) if opt == "adam"
                 else optim.SGD(model.parameters(), lr=lr, momentum=0.9))
    hist = training.fit(model, F.cross_entropy, optimizer, loader, epochs=epochs,
                        progress=False)
    return model, hist


@pytest.mark.parametrize("options", [{}, {"norm": "batch", "dropout": 0.2, "residual": True}])
def test_same_seed_trains_bit_identical_parameters(options):
    X, y = datasets.make_moons(200, noise=0.2, seed=0)
    runs = []
    for _ in range(2):
        model, hist = train_mlp([2, 16, 16, 2], X, y, epochs=3, lr=1e-2, batch_size=32,
                                seed=7, **options)
        runs.append(([v.copy() for v in model.state_dict().values()], hist))
    (pa, ha), (pb, hb) = runs
    assert len(pa) == len(pb) == (6 if not options else 16)      # + 2 BatchNorms
    for a, b in zip(pa, pb):
        assert a.tobytes() == b.tobytes()
    assert pa[0].dtype == np.float32
    assert ha == hb
    model_c, _ = train_mlp([2, 16, 16, 2], X, y, epochs=3, lr=1e-2, batch_size=32, seed=8,
                           **options)
    assert not np.array_equal(pa[0], next(iter(model_c.parameters())).data)


def test_state_dicts_resume_training_exactly():
    X, y = datasets.make_moons(120, noise=0.2, seed=1)
    loader = lambda: data.DataLoader(X, y, batch_size=16, shuffle=True, seed=3)  # noqa: E731

    model = nn.MLP([2, 8, 2], seed=0)
    opt = optim.Adam(model.parameters(), lr=1e-2)
    training.fit(model, F.cross_entropy, opt, loader(), epochs=2, progress=False)
    reference = [p.data.copy() for p in model.parameters()]

    model2 = nn.MLP([2, 8, 2], seed=0)
    opt2 = optim.Adam(model2.parameters(), lr=1e-2)
    loader2 = loader()
    training.fit(model2, F.cross_entropy, opt2, loader2, epochs=1, progress=False)
    model3 = nn.MLP([2, 8, 2], seed=99)
    model3.load_state_dict(model2.state_dict())
    opt3 = optim.Adam(model3.parameters(), lr=0.5)
    opt3.load_state_dict(opt2.state_dict())
    training.fit(model3, F.cross_entropy, opt3, loader2, epochs=1, progress=False)
    for a, b in zip(reference, model3.parameters()):
        assert a.tobytes() == b.data.tobytes()


def test_mlp_separates_circles_a_linear_model_cannot():
    X, y = datasets.make_circles(1000, noise=0.05, factor=0.5, seed=0)
    X_tr, X_te, y_tr, y_te = datasets.train_test_split(X, y, test_size=0.2, seed=0)
    start = time.perf_counter()
    mlp, _ = train_mlp([2, 32, 32, 2], X_tr, y_tr, epochs=30, lr=1e-2, batch_size=32, seed=0)
    assert time.perf_counter() - start < 20          # the budget is 30 s on 2 cores
    linear, _ = train_mlp([2, 2], X_tr, y_tr, epochs=30, lr=1e-2, batch_size=32, seed=0)
    _, mlp_acc = training.evaluate(mlp, F.cross_entropy, (X_te, y_te))
    _, lin_acc = training.evaluate(linear, F.cross_entropy, (X_te, y_te))
    assert mlp_acc >= 0.99
    assert lin_acc < 0.7          # near chance: no straight line separates circles


def test_mlp_learns_digits():
    pytest.importorskip("sklearn")
    X, y = datasets.load_digits()
    X_tr, X_te, y_tr, y_te = datasets.train_test_split(X, y, test_size=0.2, seed=0,
                                                       stratify=True)
    start = time.perf_counter()
    model, _ = train_mlp([64, 128, 10], X_tr, y_tr, epochs=20, lr=1e-2, batch_size=64,
                         seed=0)
    _, acc = training.evaluate(model, F.cross_entropy, (X_te, y_te))
    elapsed = time.perf_counter() - start
    assert acc >= 0.97
    assert elapsed < 20


def test_single_logit_binary_classifier_with_bce():
    X, y = datasets.make_moons(300, noise=0.1, seed=2)
    targets = y.astype(np.float32)[:, None]                 # (N, 1) floats for BCE
    model = nn.MLP([2, 16, 16, 1], seed=0)
    loader = data.DataLoader(X, targets, batch_size=32, shuffle=True, seed=0)
    hist = training.fit(model, nn.BCEWithLogitsLoss(), optim.Adam(model.parameters(), 1e-2),
                        loader, epochs=20, val_data=(X, targets), progress=False)
    assert hist["val_accuracy"][-1] > 0.95
    out = training.predict(model, X)
    assert out.shape == (300, 1)
    assert training.accuracy(out, y) == hist["val_accuracy"][-1]
