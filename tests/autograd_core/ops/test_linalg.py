"""Property tests of autograd_core/ops/linalg.py: matmul (``@``) and dot.

Shapes for matmul come from ``mutually_broadcastable_shapes`` with NumPy's
gufunc signature ``(m?,n),(n,p?)->(m?,p?)``: 1-D operands and broadcast batch
dimensions included.  Forward against NumPy; gradcheck and gradgradcheck in
float64; mismatched shapes raise a ValueError naming both shapes.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from autograd_core.testing import check_forward, check_gradients, tensors

no_deadline = settings(deadline=None)


@st.composite
def _matmul_case(draw):
    shapes = draw(hnp.mutually_broadcastable_shapes(
        signature=np.matmul.signature, max_dims=2, max_side=3))
    a, b = shapes.input_shapes
    return draw(tensors(a)), draw(tensors(b))


@no_deadline
@given(case=_matmul_case())
def test_matmul_forward(case):
    x, y = case
    check_forward(lambda a, b: a @ b, np.matmul, x, y, rtol=1e-12, atol=1e-12)
    check_forward(ag.matmul, np.matmul, x, y, rtol=1e-12, atol=1e-12)
    check_forward(lambda a, b: a.matmul(b), np.matmul, x, y, rtol=1e-12, atol=1e-12)


@no_deadline
@given(case=_matmul_case())
def test_matmul_gradients(case):
    x, y = case
    check_gradients(lambda a, b: a @ b, x, y)


@pytest.mark.parametrize("sa,sb", [
    ((3,), (3,)),
    ((3,), (3, 2)),
    ((2, 3), (3,)),
    ((2, 3), (3, 4)),
    ((4,), (2, 4, 3)),
    ((2, 2, 4), (4,)),
    ((2, 1, 3, 4), (5, 4, 2)),
    ((1, 3, 4), (2, 4, 1)),
])
def test_matmul_shapes(sa, sb):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    x = ag.tensor(a, requires_grad=True)
    y = ag.tensor(b, requires_grad=True)
    out = x @ y
    assert out.shape == np.matmul(a, b).shape
    np.testing.assert_allclose(out.data, np.matmul(a, b), rtol=1e-12, atol=1e-12)
    out.sum().backward()
    assert x.grad.shape == sa and y.grad.shape == sb
    check_gradients(lambda p, q: p @ q, x, y)


def test_matmul_vector_vector_is_0d():
    x = ag.tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    y = ag.tensor(np.array([4.0, 5.0, 6.0]), requires_grad=True)
    out = x @ y
    assert out.shape == () and out.item() == 32.0
    out.backward()
    np.testing.assert_array_equal(x.grad.data, y.data)
    np.testing.assert_array_equal(y.grad.data, x.data)


@pytest.mark.parametrize("sa,sb", [
    ((2, 3), (4, 5)),
    ((3,), (4,)),
    ((2, 3), (2,)),
    ((5,), (4, 2)),
    ((2, 3, 4), (3, 5, 2)),
])
def test_matmul_mismatch_raises_value_error_naming_shapes(sa, sb):
    x, y = ag.tensor(np.zeros(sa)), ag.tensor(np.zeros(sb))
    with pytest.raises(ValueError) as info:
        x @ y
    msg = str(info.value)
    assert str(sa) in msg and str(sb) in msg, msg


def test_matmul_0d_raises_value_error():
    with pytest.raises(ValueError):
        ag.tensor(np.array(2.0)) @ ag.tensor(np.ones(3))


def test_matmul_keeps_float32():
    x = ag.tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    y = ag.tensor(np.ones((3, 2), dtype=np.float32))
    out = x @ y
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32


@st.composite
def _dot_case(draw):
    # np.dot for 1-D and 2-D operands: inner dimension shared.
    n, m, k = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    a_shape = draw(st.sampled_from([(k,), (n, k)]))
    b_shape = draw(st.sampled_from([(k,), (k, m)]))
    return draw(tensors(a_shape)), draw(tensors(b_shape))


@no_deadline
@given(case=_dot_case())
def test_dot(case):
    x, y = case
    check_forward(ag.dot, np.dot, x, y, rtol=1e-12, atol=1e-12)
    check_gradients(ag.dot, x, y)


def test_dot_mismatch_raises_value_error():
    with pytest.raises(ValueError):
        ag.dot(ag.tensor(np.zeros((2, 3))), ag.tensor(np.zeros((2, 3))))
