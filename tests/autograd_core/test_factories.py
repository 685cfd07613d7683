"""Factories: zeros ones full zeros_like ones_like arange eye randn rand."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from autograd_core import Tensor

SHAPED = {
    "zeros": (ag.zeros, 0.0),
    "ones": (ag.ones, 1.0),
}


@pytest.fixture
def default_dtype():
    old = ag.get_default_dtype()
    yield
    ag.set_default_dtype(old)


def check_leaf(t, shape, dtype, requires_grad=False):
    assert isinstance(t, Tensor)
    assert t.shape == shape, (t.shape, shape)
    assert t.dtype == dtype, (t.dtype, dtype)
    assert t.requires_grad is requires_grad
    assert t.is_leaf and t.grad_fn is None and t.grad is None
    assert type(t.data) is np.ndarray


# --------------------------------------------------------------------------- #
# zeros / ones / full
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("name", sorted(SHAPED))
def test_zeros_ones_shapes_and_values(name):
    fn, value = SHAPED[name]
    for t in (fn(2, 3), fn((2, 3))):
        check_leaf(t, (2, 3), np.float32)
        np.testing.assert_array_equal(t.data, np.full((2, 3), value))
    check_leaf(fn(4), (4,), np.float32)
    check_leaf(fn(()), (), np.float32)


@given(shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=4))
def test_shape_forms_agree(shape):
    for fn in (ag.zeros, ag.ones, ag.randn, ag.rand):
        assert fn(shape).shape == shape
        assert fn(*shape).shape == shape


@pytest.mark.parametrize("name", sorted(SHAPED))
def test_zeros_ones_dtype_and_requires_grad(name):
    fn, value = SHAPED[name]
    check_leaf(fn(2, dtype=np.float64), (2,), np.float64)
    check_leaf(fn(2, dtype=np.int64), (2,), np.int64)
    t = fn(2, 2, requires_grad=True)
    check_leaf(t, (2, 2), np.float32, requires_grad=True)
    (t * 3).sum().backward()
    np.testing.assert_array_equal(t.grad.data, np.full((2, 2), 3.0))


def test_full():
    t = ag.full((2, 3), 7.5)
    check_leaf(t, (2, 3), np.float32)
    np.testing.assert_array_equal(t.data, np.full((2, 3), 7.5))
    t = ag.full((2,), 7.5, dtype=np.float64, requires_grad=True)
    check_leaf(t, (2,), np.float64, requires_grad=True)


def test_zeros_like_ones_like():
    src = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)   # float64
    for fn, value in ((ag.zeros_like, 0.0), (ag.ones_like, 1.0)):
        t = fn(src)
        check_leaf(t, (2, 3), np.float64)          # dtype follows src, no grad
        np.testing.assert_array_equal(t.data, np.full((2, 3), value))
        check_leaf(fn(src, dtype=np.float32), (2, 3), np.float32)
        check_leaf(fn(src, requires_grad=True), (2, 3), np.float64, requires_grad=True)
        check_leaf(fn(Tensor([1, 2])), (2,), np.int64)
        check_leaf(fn(np.ones((2, 2), np.float16)), (2, 2), np.float16)


# --------------------------------------------------------------------------- #
# arange / eye
# --------------------------------------------------------------------------- #

def test_arange():
    t = ag.arange(5)
    check_leaf(t, (5,), np.int64)
    np.testing.assert_array_equal(t.data, np.arange(5))
    check_leaf(ag.arange(2, 5), (3,), np.int64)
    np.testing.assert_array_equal(ag.arange(1, 10, 3).data, [1, 4, 7])
    t = ag.arange(0, 1, 0.25)
    check_leaf(t, (4,), np.float32)
    np.testing.assert_allclose(t.data, [0, 0.25, 0.5, 0.75])
    check_leaf(ag.arange(3.0), (3,), np.float32)
    check_leaf(ag.arange(5, dtype=np.float64), (5,), np.float64)
    check_leaf(ag.arange(3, dtype=np.float32, requires_grad=True), (3,), np.float32,
               requires_grad=True)
    with pytest.raises(TypeError):
        ag.arange(3, requires_grad=True)


def test_eye():
    t = ag.eye(3)
    check_leaf(t, (3, 3), np.float32)
    np.testing.assert_array_equal(t.data, np.eye(3))
    t = ag.eye(2, 3)
    check_leaf(t, (2, 3), np.float32)
    np.testing.assert_array_equal(t.data, np.eye(2, 3))
    check_leaf(ag.eye(2, dtype=np.float64, requires_grad=True), (2, 2), np.float64,
               requires_grad=True)


def test_factories_follow_default_dtype(default_dtype):
    ag.set_default_dtype(np.float64)
    for t in (ag.zeros(2), ag.ones(2), ag.full((2,), 1.5), ag.eye(2), ag.randn(2),
              ag.rand(2), ag.arange(0.0, 1.0, 0.5)):
        assert t.dtype == np.float64
    assert ag.arange(3).dtype == np.int64


UNSUPPORTED_DTYPE_FACTORIES = {
    "zeros": lambda d: ag.zeros(2, dtype=d),
    "ones": lambda d: ag.ones(2, dtype=d),
    "full": lambda d: ag.full((2,), 1, dtype=d),
    "zeros_like": lambda d: ag.zeros_like(Tensor([1.0]), dtype=d),
    "ones_like": lambda d: ag.ones_like(Tensor([1.0]), dtype=d),
    "arange": lambda d: ag.arange(3, dtype=d),
    "eye": lambda d: ag.eye(2, dtype=d),
    "randn": lambda d: ag.randn(2, dtype=d, seed=0),
    "rand": lambda d: ag.rand(2, dtype=d, seed=0),
}


@pytest.mark.parametrize("dtype", [np.complex128, object], ids=["complex", "object"])
def test_factories_reject_unsupported_dtypes(dtype):
    # the same rule as Tensor(..., dtype=np.complex128): no complex/object tensors
    accepted = []
    for name, make in UNSUPPORTED_DTYPE_FACTORIES.items():
        try:
            make(dtype)
        except TypeError:
            continue
        accepted.append(name)
    assert not accepted, f"these factories made a {np.dtype(dtype)} tensor: {accepted}"


def test_int_factories_reject_requires_grad():
    with pytest.raises(TypeError):
        ag.zeros(2, dtype=np.int64, requires_grad=True)


# --------------------------------------------------------------------------- #
# randn / rand
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("fn", [ag.randn, ag.rand], ids=["randn", "rand"])
def test_random_shapes_dtypes_and_flags(fn):
    for t in (fn(2, 3, seed=0), fn((2, 3), seed=0)):
        check_leaf(t, (2, 3), np.float32)
    check_leaf(fn(4, dtype=np.float64, seed=0), (4,), np.float64)
    check_leaf(fn(4, requires_grad=True, seed=0), (4,), np.float32, requires_grad=True)


@pytest.mark.parametrize("fn", [ag.randn, ag.rand], ids=["randn", "rand"])
def test_random_reproducible_with_seed_and_rng(fn):
    a = fn(3, 4, seed=123)
    b = fn(3, 4, seed=123)
    c = fn(3, 4, seed=124)
    np.testing.assert_array_equal(a.data, b.data)
    assert not np.array_equal(a.data, c.data)

    r1 = fn(3, 4, rng=np.random.default_rng(7))
    r2 = fn(3, 4, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(r1.data, r2.data)

    g = np.random.default_rng(7)
    s1, s2 = fn(3, 4, rng=g), fn(3, 4, rng=g)       # a shared generator advances
    np.testing.assert_array_equal(s1.data, r1.data)
    assert not np.array_equal(s1.data, s2.data)


def test_random_distributions():
    n = ag.randn(20_000, seed=0, dtype=np.float64).data
    assert abs(n.mean()) < 0.05 and abs(n.std() - 1) < 0.05
    u = ag.rand(20_000, seed=0, dtype=np.float64).data
    assert u.min() >= 0 and u.max() < 1
    assert abs(u.mean() - 0.5) < 0.02
