"""Tensor construction, dtypes, attributes, conversions and operators."""
import operator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from autograd_core import Tensor

FLOAT_DTYPES = [np.float16, np.float32, np.float64]


@pytest.fixture
def default_dtype():
    """Let a test change the default dtype; always restore it afterwards."""
    old = ag.get_default_dtype()
    yield
    ag.set_default_dtype(old)


# --------------------------------------------------------------------------- #
# Construction and dtypes
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("data", [1.5, [1.0, 2.0], [1, 2.5], [[1, 2], [3, 4.0]], [True, 1.5]])
def test_python_floats_become_float32(data):
    assert Tensor(data).dtype == np.float32
    assert ag.tensor(data).dtype == np.float32


def test_default_dtype_is_float32():
    assert np.dtype(ag.get_default_dtype()) == np.float32


def test_set_default_dtype(default_dtype):
    ag.set_default_dtype(np.float64)
    assert np.dtype(ag.get_default_dtype()) == np.float64
    assert Tensor(1.5).dtype == np.float64
    assert Tensor([1, 2.5]).dtype == np.float64
    # ints, bools and NumPy arrays are unaffected
    assert Tensor(3).dtype == np.int64
    assert Tensor(True).dtype == np.bool_
    assert Tensor(np.ones(2, np.float32)).dtype == np.float32
    ag.set_default_dtype(np.float32)
    assert Tensor(1.5).dtype == np.float32


@pytest.mark.parametrize("data", [3, [1, 2], [[1], [2]]])
def test_python_ints_become_int64(data):
    assert Tensor(data).dtype == np.int64


@pytest.mark.parametrize("data", [True, [True, False], [[False]]])
def test_python_bools_become_bool(data):
    assert Tensor(data).dtype == np.bool_


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_numpy_float_arrays_keep_dtype(dtype):
    arr = np.arange(6, dtype=dtype).reshape(2, 3)
    t = Tensor(arr)
    assert t.dtype == dtype
    np.testing.assert_array_equal(t.data, arr)


def test_dtype_argument():
    assert Tensor([1, 2], dtype=np.float64).dtype == np.float64
    assert Tensor(1.5, dtype=np.float64).dtype == np.float64
    assert Tensor(np.ones(3), dtype=np.float32).dtype == np.float32
    assert Tensor([1.7, 2.2], dtype=np.int64).dtype == np.int64
    t = Tensor([1, 2], dtype=np.float64, requires_grad=True)
    assert t.requires_grad


def test_from_tensor():
    src = Tensor(np.array([1.0, 2.0], np.float64))
    t = Tensor(src)
    assert t.dtype == np.float64
    np.testing.assert_array_equal(t.data, [1.0, 2.0])
    assert Tensor(src, dtype=np.float32).dtype == np.float32


@pytest.mark.parametrize("data", [1, [1, 2], True, [True], np.arange(3), np.array([True])])
def test_requires_grad_on_int_or_bool_raises(data):
    with pytest.raises(TypeError):
        Tensor(data, requires_grad=True)
    with pytest.raises(TypeError):
        Tensor(data).requires_grad_()


def test_ragged_list_raises_value_error():
    with pytest.raises(ValueError):
        Tensor([[1.0, 2.0], [3.0]])
    with pytest.raises(ValueError):
        Tensor([1.0, [2.0, 3.0]])


@pytest.mark.parametrize("arr", [
    np.array([1 + 2j]),
    np.array([1.0, "a"], dtype=object),
    np.array(["ab", "c"]),
    np.array([b"ab"]),
], ids=["complex", "object", "str", "bytes"])
def test_unsupported_dtype_raises_type_error_naming_it(arr):
    with pytest.raises(TypeError) as info:
        Tensor(arr)
    msg = str(info.value)
    assert arr.dtype.name in msg or str(arr.dtype) in msg, msg


@pytest.mark.parametrize("data", [1 + 2j, "abc", None])
def test_unsupported_python_values_raise_type_error(data):
    with pytest.raises(TypeError):
        Tensor(data)


def test_unsupported_dtype_argument_raises():
    with pytest.raises(TypeError):
        Tensor([1.0, 2.0], dtype=np.complex128)


# --------------------------------------------------------------------------- #
# Attributes
# --------------------------------------------------------------------------- #

def test_data_is_ndarray_also_for_0d():
    t = Tensor(2.0)
    assert type(t.data) is np.ndarray and t.data.shape == ()
    x = Tensor(np.arange(3.0), requires_grad=True)
    for r in [x.sum(), x[1], (x * 2).sum() * 3, Tensor(2.0) * 3, Tensor(2.0).exp(), x.mean()]:
        assert type(r.data) is np.ndarray, type(r.data)
        assert r.data.shape == ()
        assert r.shape == () and r.ndim == 0 and r.size == 1


def test_leaf_attributes():
    t = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert t.grad is None
    assert t.requires_grad is False
    assert t.is_leaf
    assert t.grad_fn is None
    assert t.shape == (2, 3) and isinstance(t.shape, tuple)
    assert t.ndim == 2
    assert t.size == 6
    assert t.dtype == np.float32
    r = Tensor([1.0], requires_grad=True)
    assert r.requires_grad is True and r.is_leaf and r.grad_fn is None


def test_op_result_attributes():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    assert y.requires_grad
    assert not y.is_leaf
    assert y.grad_fn is not None
    assert isinstance(y.grad_fn.name, str) and y.grad_fn.name
    assert "mul" in y.grad_fn.name.lower()
    assert "add" in (x + x).grad_fn.name.lower()
    # an op on tensors that need no grad gives a plain leaf
    z = Tensor([1.0, 2.0]) * 3
    assert not z.requires_grad and z.is_leaf and z.grad_fn is None


def test_T():
    a = np.arange(6.0).reshape(2, 3)
    t = Tensor(a)
    assert t.T.shape == (3, 2)
    np.testing.assert_array_equal(t.T.data, a.T)
    x = Tensor(a, requires_grad=True)
    (x.T * Tensor(np.arange(6.0).reshape(3, 2))).sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.arange(6.0).reshape(3, 2).T)


def test_repr_is_readable():
    assert "tensor" in repr(Tensor([1.0, 2.0])).lower()


# --------------------------------------------------------------------------- #
# Conversions
# --------------------------------------------------------------------------- #

def test_detach():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    np.testing.assert_array_equal(d.data, [2.0, 4.0])
    assert d.dtype == y.dtype
    # like PyTorch, detach shares the storage
    assert np.shares_memory(d.data, y.data)


def test_numpy():
    a = np.arange(4.0)
    t = Tensor(a, requires_grad=True)
    n = t.numpy()
    assert isinstance(n, np.ndarray)
    np.testing.assert_array_equal(n, a)


def test_item():
    assert Tensor(2.5).item() == 2.5
    assert type(Tensor(2.5).item()) is float
    assert type(Tensor(3).item()) is int
    assert Tensor(True).item() is True
    assert Tensor([[4.0]]).item() == 4.0
    with pytest.raises((ValueError, RuntimeError)):
        Tensor([1.0, 2.0]).item()


def test_tolist():
    assert Tensor([[1.0, 2.0], [3.0, 4.5]]).tolist() == [[1.0, 2.0], [3.0, 4.5]]
    assert Tensor([1, 2]).tolist() == [1, 2]
    assert Tensor(1.5).tolist() == 1.5


def test_requires_grad_():
    t = Tensor([1.0, 2.0])
    r = t.requires_grad_()
    assert r is t and t.requires_grad
    t.requires_grad_(False)
    assert not t.requires_grad
    t.requires_grad_(True)
    (t * t).sum().backward()
    np.testing.assert_allclose(t.grad.data, [2.0, 4.0])


def test_np_asarray():
    t = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    a = np.asarray(t)
    assert isinstance(a, np.ndarray) and a.dtype == np.float32
    np.testing.assert_array_equal(a, t.data)
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    assert np.asarray(Tensor(3.0)).shape == ()


def test_hashable():
    a = Tensor([1.0, 2.0])
    b = Tensor([1.0, 2.0])
    d = {a: "a", b: "b"}
    assert len(d) == 2
    assert d[a] == "a" and d[b] == "b"
    assert a in {a} and b not in {a}
    x = Tensor([1.0], requires_grad=True)
    assert {x: 1}[x] == 1


# --------------------------------------------------------------------------- #
# Operators
# --------------------------------------------------------------------------- #

def _leaf(values, dtype=np.float64):
    return Tensor(np.array(values, dtype=dtype), requires_grad=True)


def test_arithmetic_operators_values_and_grads():
    av, bv = np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.5, 2.0])
    cases = [
        (operator.add, lambda a, b: a + b, lambda a, b: (np.ones_like(a), np.ones_like(b))),
        (operator.sub, lambda a, b: a - b, lambda a, b: (np.ones_like(a), -np.ones_like(b))),
        (operator.mul, lambda a, b: a * b, lambda a, b: (b, a)),
        (operator.truediv, lambda a, b: a / b, lambda a, b: (1 / b, -a / b**2)),
        (operator.pow, lambda a, b: a ** b, lambda a, b: (b * a ** (b - 1), a**b * np.log(a))),
    ]
    for op, f, df in cases:
        a, b = _leaf(av), _leaf(bv)
        out = op(a, b)
        np.testing.assert_allclose(out.data, f(av, bv))
        out.sum().backward()
        ga, gb = df(av, bv)
        np.testing.assert_allclose(a.grad.data, ga, err_msg=op.__name__)
        np.testing.assert_allclose(b.grad.data, gb, err_msg=op.__name__)


def test_matmul_operator():
    A = np.arange(6.0).reshape(2, 3)
    B = np.arange(12.0).reshape(3, 4) / 7
    a, b = _leaf(A), _leaf(B)
    out = a @ b
    np.testing.assert_allclose(out.data, A @ B)
    out.sum().backward()
    np.testing.assert_allclose(a.grad.data, np.ones((2, 4)) @ B.T)
    np.testing.assert_allclose(b.grad.data, A.T @ np.ones((2, 4)))


def test_unary_neg_and_abs():
    v = np.array([-2.0, 3.0])
    x = _leaf(v)
    (-x).sum().backward()
    np.testing.assert_allclose(x.grad.data, [-1.0, -1.0])
    x = _leaf(v)
    out = abs(x)
    np.testing.assert_allclose(out.data, [2.0, 3.0])
    out.sum().backward()
    np.testing.assert_allclose(x.grad.data, [-1.0, 1.0])
    x = _leaf(v)
    x.abs().sum().backward()
    np.testing.assert_allclose(x.grad.data, [-1.0, 1.0])


def test_scalar_operands_both_sides():
    v = np.array([1.0, 2.0, 4.0])
    cases = [
        (lambda t: t + 2, v + 2, np.ones(3)),
        (lambda t: 2 + t, 2 + v, np.ones(3)),
        (lambda t: t - 2, v - 2, np.ones(3)),
        (lambda t: 2 - t, 2 - v, -np.ones(3)),
        (lambda t: t * 3, v * 3, 3 * np.ones(3)),
        (lambda t: 3 * t, 3 * v, 3 * np.ones(3)),
        (lambda t: t / 2, v / 2, np.full(3, 0.5)),
        (lambda t: 2 / t, 2 / v, -2 / v**2),
        (lambda t: t ** 2, v**2, 2 * v),
        (lambda t: 2 ** t, 2**v, 2**v * np.log(2)),
        (lambda t: t ** 0.5, v**0.5, 0.5 * v**-0.5),
    ]
    for i, (f, val, grad) in enumerate(cases):
        x = _leaf(v)
        out = f(x)
        assert isinstance(out, Tensor), i
        np.testing.assert_allclose(out.data, val, err_msg=str(i))
        out.sum().backward()
        np.testing.assert_allclose(x.grad.data, grad, err_msg=str(i))


def test_numpy_array_on_the_left():
    v = np.array([1.0, 2.0, 4.0])
    x = _leaf(v)
    cases = [
        (lambda a: np.full(3, 2.0) + a, np.ones(3)),
        (lambda a: np.full(3, 2.0) - a, -np.ones(3)),
        (lambda a: np.full(3, 2.0) * a, np.full(3, 2.0)),
        (lambda a: np.full(3, 2.0) / a, -2 / v**2),
    ]
    for i, (f, grad) in enumerate(cases):
        x.grad = None
        out = f(x)
        assert isinstance(out, Tensor) and out.requires_grad, i
        out.sum().backward()
        np.testing.assert_allclose(x.grad.data, grad, err_msg=str(i))
    cmp = np.full(3, 2.0) < x
    assert isinstance(cmp, Tensor) and cmp.dtype == np.bool_
    np.testing.assert_array_equal(cmp.data, [False, False, True])


@pytest.mark.parametrize("op", [operator.lt, operator.le, operator.gt, operator.ge,
                                operator.eq, operator.ne])
def test_comparisons_give_bool_without_grad(op):
    av = np.array([1.0, 2.0, 3.0])
    bv = np.array([2.0, 2.0, 2.0])
    a = _leaf(av)
    for other, ref_other in [(Tensor(bv), bv), (2.0, 2.0)]:
        out = op(a, other)
        assert isinstance(out, Tensor)
        assert out.dtype == np.bool_
        assert not out.requires_grad and out.grad_fn is None
        np.testing.assert_array_equal(out.data, op(av, ref_other))


def test_bool_mask_multiplies_float():
    x = _leaf([1.0, 2.0, 3.0])
    m = Tensor([True, False, True])
    out = x * m
    assert out.dtype == np.float64
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 0.0, 1.0])


def test_int_tensors_arithmetic():
    a, b = Tensor([1, 2, 3]), Tensor([4, 5, 6])
    out = a + b
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.data, [5, 7, 9])


# --------------------------------------------------------------------------- #
# Type promotion (NumPy 2 rules)
# --------------------------------------------------------------------------- #

BINOPS = [operator.add, operator.sub, operator.mul, operator.truediv]


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
@pytest.mark.parametrize("op", BINOPS + [operator.pow])
@pytest.mark.parametrize("scalar", [2.5, 2])
def test_python_scalar_never_upcasts(dtype, op, scalar):
    x = Tensor(np.array([1.0, 2.0], dtype), requires_grad=True)
    for out in (op(x, scalar), op(scalar, x)):
        assert out.dtype == dtype, (op, out.dtype)
    op(x, scalar).sum().backward()
    assert x.grad.dtype == dtype


@pytest.mark.parametrize("da", FLOAT_DTYPES)
@pytest.mark.parametrize("db", FLOAT_DTYPES)
@pytest.mark.parametrize("op", BINOPS)
def test_tensor_tensor_promotion_and_grad_dtypes(da, db, op):
    a = Tensor(np.array([[1.5], [2.0]], da), requires_grad=True)
    b = Tensor(np.array([0.5, 4.0, 1.0], db), requires_grad=True)
    out = op(a, b)
    assert out.dtype == np.result_type(da, db)
    out.sum().backward()
    assert a.grad.dtype == da and a.grad.shape == a.shape
    assert b.grad.dtype == db and b.grad.shape == b.shape


def test_float32_plus_float64_grad_keeps_input_dtype():
    x32 = Tensor(np.ones(3, np.float32), requires_grad=True)
    y64 = Tensor(np.ones(3), requires_grad=True)
    out = x32 + y64
    assert out.dtype == np.float64
    (out * out).sum().backward()
    assert x32.grad.dtype == np.float32 and x32.grad.shape == (3,)
    assert y64.grad.dtype == np.float64
    np.testing.assert_allclose(x32.grad.data, [4.0, 4.0, 4.0])


@given(dtype=st.sampled_from(FLOAT_DTYPES),
       shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=3),
       scalar=st.floats(-4, 4, allow_nan=False) | st.integers(-4, 4))
def test_scalar_promotion_property(dtype, shape, scalar):
    x = Tensor(np.ones(shape, dtype))
    for out in (x * scalar, scalar + x, x - scalar):
        assert out.dtype == dtype
        assert out.shape == shape


# --------------------------------------------------------------------------- #
# Shape errors
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("op,names", [
    (operator.add, ("add", "+")),
    (operator.sub, ("sub", "-")),
    (operator.mul, ("mul", "*")),
    (operator.truediv, ("div", "/")),
])
def test_mismatched_shapes_raise_value_error_naming_op_and_shapes(op, names):
    a = Tensor(np.ones((2, 3)))
    b = Tensor(np.ones((4,)))
    with pytest.raises(ValueError) as info:
        op(a, b)
    msg = str(info.value)
    assert any(n in msg.lower() for n in names), msg
    assert "(2, 3)" in msg and "(4,)" in msg, msg


def test_matmul_mismatch_raises_value_error_naming_shapes():
    with pytest.raises(ValueError) as info:
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5)))
    msg = str(info.value)
    assert "(2, 3)" in msg and "(4, 5)" in msg, msg


# --------------------------------------------------------------------------- #
# Item assignment
# --------------------------------------------------------------------------- #

def test_setitem_on_plain_tensor_writes():
    t = Tensor([1.0, 2.0, 3.0])
    t[0] = 5.0
    t[1] = Tensor(7.0)
    t[t > 6.5] = 0.0
    np.testing.assert_array_equal(t.data, [5.0, 0.0, 3.0])
    m = Tensor(np.zeros((2, 2)))
    m[:, 1] = np.array([1.0, 2.0])
    np.testing.assert_array_equal(m.data, [[0.0, 1.0], [0.0, 2.0]])


def test_setitem_on_tensor_requiring_grad_raises():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises((RuntimeError, TypeError, ValueError)):
        x[0] = 5.0
    np.testing.assert_array_equal(x.data, [1.0, 2.0, 3.0])
    y = x * 2
    with pytest.raises((RuntimeError, TypeError, ValueError)):
        y[0] = 5.0


def test_name_of_an_op_result_is_kept_on_its_node():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    assert y.name is None
    y.name = "double"
    assert y.name == "double" and y.grad_fn.extra.name == "double"
    x.name = "x"
    assert x.name == "x"


def test_setitem_on_an_op_result_under_no_grad_writes_as_the_inplace_methods():
    # as PyTorch (and as y.add_(...) under no_grad): the history stays, the
    # value changes, and a backward that needs the old value refuses.
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    with ag.no_grad():
        y[0] = 5.0
    np.testing.assert_array_equal(y.data, [5.0, 4.0, 6.0])
    (y * 3.0).sum().backward()
    np.testing.assert_allclose(x.grad.data, [6.0, 6.0, 6.0])
    z = x.exp()
    with ag.no_grad():
        z[1] = 0.0
    with pytest.raises(RuntimeError, match="Exp saved its own output"):
        z.sum().backward()
