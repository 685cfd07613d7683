"""nn.data.DataLoader: batches, dtypes, seeded shuffling, errors."""
import numpy as np
import pytest

import autograd_core as ag
from nn.data import DataLoader


def arrays(n=10, d=3):
    X = np.arange(n * d, dtype=np.float64).reshape(n, d)
    y = np.arange(n) % 3
    return X, y


def collect(loader):
    return [(xb.data.copy(), yb.data.copy()) for xb, yb in loader]


def test_batches_in_order_with_partial_last_batch():
    X, y = arrays(10)
    loader = DataLoader(X, y, batch_size=4)
    assert len(loader) == 3
    batches = collect(loader)
    assert [len(xb) for xb, _ in batches] == [4, 4, 2]
    np.testing.assert_array_equal(np.concatenate([xb for xb, _ in batches]), X)
    np.testing.assert_array_equal(np.concatenate([yb for _, yb in batches]), y)


def test_drop_last():
    X, y = arrays(10)
    loader = DataLoader(X, y, batch_size=4, drop_last=True)
    assert len(loader) == 2
    assert [len(xb) for xb, _ in loader] == [4, 4]
    assert len(DataLoader(X, y, batch_size=5, drop_last=True)) == 2
    assert len(DataLoader(X, y, batch_size=5)) == 2
    assert len(DataLoader(X, y, batch_size=100)) == 1


def test_yields_tensors_with_documented_dtypes():
    X, y = arrays()
    xb, yb = next(iter(DataLoader(X, y.astype(np.int32), batch_size=4)))
    assert isinstance(xb, ag.Tensor) and isinstance(yb, ag.Tensor)
    assert xb.dtype == np.float32 and yb.dtype == np.int64          # float64 -> default
    assert not xb.requires_grad
    xb, yb = next(iter(DataLoader(X, y.astype(np.float64), batch_size=4,
                                  dtype=np.float64)))
    assert xb.dtype == np.float64 and yb.dtype == np.float64        # float targets
    tokens = np.arange(12).reshape(6, 2)
    xb, _ = next(iter(DataLoader(tokens, np.zeros(6, int), batch_size=3)))
    assert xb.dtype == np.int64                                     # ints kept
    xb, yb = next(iter(DataLoader(X, y > 0, batch_size=3)))
    assert yb.dtype == np.int64                                     # bool labels -> int64


def test_follows_the_default_dtype():
    X, y = arrays()
    old = ag.get_default_dtype()
    ag.set_default_dtype(np.float64)
    try:
        xb, _ = next(iter(DataLoader(X.astype(np.float32), y, batch_size=2)))
        assert xb.dtype == np.float64
    finally:
        ag.set_default_dtype(old)


def test_accepts_tensors_and_lists():
    X, y = arrays(6)
    loader = DataLoader(ag.tensor(X, requires_grad=True), ag.tensor(y), batch_size=6)
    xb, yb = next(iter(loader))
    np.testing.assert_array_equal(xb.data, X.astype(np.float32))
    assert not xb.requires_grad
    xb, yb = next(iter(DataLoader([[1.0, 2.0], [3.0, 4.0]], [0, 1], batch_size=1)))
    assert xb.shape == (1, 2) and yb.tolist() == [0]


def test_without_labels_yields_inputs_alone():
    X, _ = arrays(5)
    batches = list(DataLoader(X, batch_size=2))
    assert len(batches) == 3 and all(isinstance(b, ag.Tensor) for b in batches)
    assert batches[-1].shape == (1, 3)


def test_multidimensional_samples():
    X = np.random.default_rng(0).random((7, 1, 4, 4))
    y = np.arange(7)
    xb, yb = next(iter(DataLoader(X, y, batch_size=3, shuffle=True, seed=0)))
    assert xb.shape == (3, 1, 4, 4)
    for xi, yi in zip(xb.data, yb.data):        # pairs stay together
        np.testing.assert_array_equal(xi, X[yi].astype(np.float32))


def test_shuffle_is_a_permutation_that_changes_each_epoch():
    X, y = arrays(50)
    loader = DataLoader(X, np.arange(50), batch_size=8, shuffle=True, seed=1)
    epochs = [np.concatenate([yb.data for _, yb in loader]) for _ in range(3)]
    for order in epochs:
        assert sorted(order) == list(range(50))
        assert not np.array_equal(order, np.arange(50))
    assert not np.array_equal(epochs[0], epochs[1])
    assert not np.array_equal(epochs[1], epochs[2])
    xb, yb = next(iter(loader))                 # X rows follow their labels
    np.testing.assert_array_equal(xb.data, X[yb.data].astype(np.float32))


def test_same_seed_same_epochs_bit_for_bit():
    X, y = arrays(40)
    a = DataLoader(X, y, batch_size=7, shuffle=True, seed=123)
    b = DataLoader(X, y, batch_size=7, shuffle=True, seed=123)
    np.random.seed(0)                           # the global RNG plays no part
    run_a = [collect(a) for _ in range(3)]
    np.random.random(100)
    run_b = [collect(b) for _ in range(3)]
    for ea, eb in zip(run_a, run_b):
        for (xa, ya), (xb, yb) in zip(ea, eb):
            assert xa.tobytes() == xb.tobytes() and ya.tobytes() == yb.tobytes()
    c = DataLoader(X, y, batch_size=7, shuffle=True, seed=124)
    assert not all(np.array_equal(p[1], q[1]) for p, q in zip(collect(c), run_a[0]))


def test_epoch_order_does_not_depend_on_finishing_an_epoch():
    X, y = arrays(30)
    a = DataLoader(X, np.arange(30), batch_size=4, shuffle=True, seed=5)
    b = DataLoader(X, np.arange(30), batch_size=4, shuffle=True, seed=5)
    next(iter(a))                               # an interrupted epoch 0
    list(b)
    np.testing.assert_array_equal(np.concatenate([yb.data for _, yb in a]),
                                  np.concatenate([yb.data for _, yb in b]))
    np.testing.assert_array_equal(a.order(1), b.order(1))


def test_unseeded_shuffles_differ_between_loaders():
    X, y = arrays(100)
    a = DataLoader(X, np.arange(100), batch_size=100, shuffle=True)
    b = DataLoader(X, np.arange(100), batch_size=100, shuffle=True)
    assert not np.array_equal(next(iter(a))[1].data, next(iter(b))[1].data)


def test_generator_seed():
    X, y = arrays(20)
    a = DataLoader(X, y, batch_size=5, shuffle=True, seed=np.random.default_rng(7))
    b = DataLoader(X, y, batch_size=5, shuffle=True, seed=np.random.default_rng(7))
    np.testing.assert_array_equal(a.order(0), b.order(0))


def test_errors():
    X, y = arrays(10)
    with pytest.raises(ValueError, match="different numbers of samples: 10 and 9"):
        DataLoader(X, y[:9], batch_size=2)
    for bad in (0, -1, 2.5, True, None):
        with pytest.raises(ValueError, match="batch_size"):
            DataLoader(X, y, batch_size=bad)
    with pytest.raises(ValueError, match="no samples"):
        DataLoader(X[:0], y[:0], batch_size=2)
    with pytest.raises(ValueError, match="at least one axis"):
        DataLoader(np.float32(1.0), batch_size=1)
    with pytest.raises(ValueError, match="no batches"):
        DataLoader(X, y, batch_size=11, drop_last=True)
    with pytest.raises(ValueError, match="seed"):
        DataLoader(X, y, batch_size=2, shuffle=True, seed=-3)
    with pytest.raises(ValueError, match="dtype"):
        DataLoader(X, y, batch_size=2, dtype=np.int32)
    with pytest.raises(TypeError, match="y has dtype"):
        DataLoader(X, np.array(["a"] * 10), batch_size=2)


def test_repr_and_len():
    X, y = arrays(10)
    loader = DataLoader(X, y, batch_size=3, shuffle=True, seed=0)
    assert "batch_size=3" in repr(loader) and len(loader) == 4
    assert loader.n_samples == 10
