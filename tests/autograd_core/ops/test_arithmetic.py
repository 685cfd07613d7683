"""Property tests of autograd_core/ops/arithmetic.py: + - * / unary - and **.

Forward results are compared with NumPy on broadcastable shape pairs drawn by
``hypothesis.extra.numpy.mutually_broadcastable_shapes``; gradients with
``ag.gradcheck`` and ``ag.gradgradcheck`` in float64.
"""
import operator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core.testing import (
    broadcastable_tensors,
    check_forward,
    check_gradients,
    floats,
    tensors,
)

# Gradient checks (second order especially) can take longer than Hypothesis'
# default 200 ms deadline; everything else comes from the active profile.
no_deadline = settings(deadline=None)

BINARY = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "truediv": operator.truediv,
}


def _pair(name):
    # Division is not differentiable (not even defined) at a zero divisor: the
    # divisor is kept at least 0.1 away from 0.  Every other op is smooth.
    if name == "truediv":
        return broadcastable_tensors(elements=[floats(), floats(avoid=0, margin=0.1)])
    return broadcastable_tensors()


@pytest.mark.parametrize("name", sorted(BINARY))
@no_deadline
@given(data=st.data())
def test_binary_forward_matches_numpy(name, data):
    x, y = data.draw(_pair(name))
    op = BINARY[name]
    check_forward(op, op, x, y)


@pytest.mark.parametrize("name", sorted(BINARY))
@no_deadline
@given(data=st.data())
def test_binary_gradients(name, data):
    x, y = data.draw(_pair(name))
    check_gradients(BINARY[name], x, y)


@pytest.mark.parametrize("name", sorted(BINARY))
@no_deadline
@given(data=st.data())
def test_binary_grad_shapes_match_inputs(name, data):
    x, y = data.draw(_pair(name))
    BINARY[name](x, y).sum().backward()
    assert x.grad is not None and y.grad is not None
    assert x.grad.shape == x.shape and y.grad.shape == y.shape
    assert x.grad.dtype == x.dtype and y.grad.dtype == y.dtype


@pytest.mark.parametrize("name", sorted(BINARY))
@no_deadline
@given(x=tensors(avoid=0, margin=0.1), c=floats(avoid=0, margin=0.1))
def test_binary_with_python_scalar(name, x, c):
    # Both operand orders: tensor op scalar and scalar op tensor (reflected ops).
    # Nonzero elements: either side may be a divisor.
    op = BINARY[name]
    c = float(c)
    check_forward(lambda t: op(t, c), lambda a: op(a, c), x)
    check_forward(lambda t: op(c, t), lambda a: op(c, a), x)
    check_gradients(lambda t: op(t, c), x)
    check_gradients(lambda t: op(c, t), x)


@no_deadline
@given(x=tensors())
def test_neg(x):
    check_forward(operator.neg, operator.neg, x)
    check_gradients(operator.neg, x)


@no_deadline
@given(x=tensors(), p=st.integers(-3, 4))
def test_pow_integer_exponent(x, p):
    # Integer powers are smooth for any base, except negative powers at 0:
    # the base is kept 0.1 away from 0 then.
    if p < 0:
        x = ag.tensor(np.where(np.abs(x.data) < 0.1, 0.5, x.data), requires_grad=True)
    check_forward(lambda t: t ** p, lambda a: a ** float(p), x, rtol=1e-12)
    check_gradients(lambda t: t ** p, x)


@no_deadline
@given(x=tensors(elements=floats(0.1, 5.0)), p=floats(-2.5, 2.5))
def test_pow_float_exponent(x, p):
    # Non-integer powers need a positive base (not defined/differentiable at <= 0).
    check_forward(lambda t: t ** p, lambda a: a ** p, x, rtol=1e-12)
    check_gradients(lambda t: t ** p, x)


@no_deadline
@given(xy=broadcastable_tensors(elements=[floats(0.1, 5.0), floats(-2.5, 2.5)]))
def test_pow_tensor_exponent(xy):
    # d/dy x**y = x**y log x needs x > 0.
    x, y = xy
    check_forward(operator.pow, operator.pow, x, y, rtol=1e-12)
    check_gradients(operator.pow, x, y)


@no_deadline
@given(x=tensors(), base=floats(0.1, 5.0))
def test_rpow_scalar_base(x, base):
    check_forward(lambda t: base ** t, lambda a: base ** a, x, rtol=1e-12)
    check_gradients(lambda t: base ** t, x)


def test_pow_square_at_zero_has_zero_gradient():
    x = ag.tensor(np.array([0.0, 2.0, -3.0]), requires_grad=True)
    (x ** 2).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 4.0, -6.0])


def test_pow_zero_exponent_gradient_is_zero():
    x = ag.tensor(np.array([0.0, 2.0]), requires_grad=True)
    (x ** 0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])


def test_same_tensor_twice_accumulates():
    x = ag.tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    (x * x + x).sum().backward()
    np.testing.assert_allclose(x.grad.data, 2 * x.data + 1)


def test_broadcast_gradient_is_summed_back():
    x = ag.tensor(np.ones((3, 1)), requires_grad=True)
    y = ag.tensor(np.arange(4.0).reshape(1, 4), requires_grad=True)
    (x * y).sum().backward()
    np.testing.assert_allclose(x.grad.data, np.full((3, 1), 6.0))
    np.testing.assert_allclose(y.grad.data, np.full((1, 4), 3.0))


# Promotion follows NumPy 2: the same operands as NumPy arrays/Python scalars
# give the same result dtype (a Python float never upcasts a float32 tensor).
PROMOTION_CASES = [
    (np.float32, np.float32),
    (np.float32, np.float64),
    (np.float64, np.float32),
    (np.int64, np.float32),
    (np.int64, np.float64),
    (np.float32, np.int64),
    (np.int64, np.int64),
    (np.float32, "py_float"),
    (np.float32, "py_int"),
    (np.int64, "py_float"),
    (np.float64, "py_float"),
]


@pytest.mark.parametrize("name", ["add", "sub", "mul", "truediv"])
@pytest.mark.parametrize("ltype,rtype", PROMOTION_CASES)
def test_dtype_promotion_follows_numpy2(name, ltype, rtype):
    op = BINARY[name]
    a = np.array([1, 2, 3], dtype=ltype)
    if rtype == "py_float":
        b = 2.5
    elif rtype == "py_int":
        b = 2
    else:
        b = np.array([4, 5, 6], dtype=rtype)
    tb = b if not isinstance(b, np.ndarray) else ag.tensor(b)
    got = op(ag.tensor(a), tb)
    assert got.dtype == op(a, b).dtype
    np.testing.assert_allclose(got.data, op(a, b), rtol=1e-6)


def test_float32_stays_float32_with_gradient():
    x = ag.tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    y = (x * 2.5 + 1) / 3.0 - x ** 2
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_int_tensor_cannot_require_grad():
    with pytest.raises(TypeError):
        ag.tensor(np.array([1, 2]), requires_grad=True)


@no_deadline
@given(xy=broadcastable_tensors())
def test_constant_operand_gets_no_gradient(xy):
    x, y = xy
    c = ag.tensor(y.data)  # requires_grad=False
    out = x * c + c
    assert out.requires_grad
    out.sum().backward()
    assert c.grad is None
    assert x.grad.shape == x.shape
    check_gradients(lambda t: t * c + c, x)


def test_ndarray_on_the_left_gives_tensor():
    x = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    a = np.array([3.0, 4.0])
    for out in (a * x, a + x, a - x, a / x):
        assert isinstance(out, ag.Tensor) and out.requires_grad
    (a * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, a)


def test_no_gradient_recorded_under_no_grad():
    x = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    with ag.no_grad():
        y = x * 2 + 1
    assert not y.requires_grad and y.grad_fn is None


@pytest.mark.parametrize("x0", [0.0, 1e-212, -2.0])
def test_pow_zero_exponent_has_zero_derivatives_of_every_order(x0):
    # x**0 is constant. The second derivative used to be nan at 0 (the masked
    # inf stayed in the recorded graph) and at tiny x (x**-2 overflows).
    x = ag.tensor(np.array(x0), requires_grad=True)
    g1 = ag.grad(lambda t: t ** 0)
    g2 = ag.grad(g1)
    g3 = ag.grad(g2)
    assert [g(x).item() for g in (g1, g2, g3)] == [0.0, 0.0, 0.0]
    assert ag.gradgradcheck(lambda t: t ** 0, x)
    # An exponent that requires grad keeps its mixed derivative 1/x at b == 0.
    b = ag.tensor(np.array(0.0), requires_grad=True)
    y = ag.tensor(np.array(2.0), requires_grad=True)
    assert ag.gradgradcheck(lambda s, e: s ** e, (y, b))


COMPLEX_OPERANDS = {
    "mul-number": lambda x: x * (1 + 0.2j),
    "rmul-number": lambda x: (1 + 0.2j) * x,
    "add-array": lambda x: x + np.array([1j]),
    "radd-array": lambda x: np.array([1j]) + x,
    "sub-numpy-scalar": lambda x: x - np.complex64(1j),
    "rtruediv": lambda x: 1j / x,
    "pow": lambda x: x ** 1j,
    "rpow": lambda x: 1j ** x,
    "mul-list": lambda x: x * [1j, 1.0],
    "matmul": lambda x: x @ np.array([1j, 1.0]),
    "rmatmul": lambda x: np.array([1j, 1.0]) @ x,
    "dot": lambda x: ag.dot(x, np.array([1j, 1.0])),
}


@pytest.mark.parametrize("case", list(COMPLEX_OPERANDS))
@pytest.mark.parametrize("requires_grad", [True, False])
def test_complex_operand_raises_the_type_error_of_a_complex_tensor(case, requires_grad):
    # It used to make a complex tensor, silently cut from the graph.
    with pytest.raises(TypeError, match="complex") as made:
        ag.tensor(1 + 0.2j)
    x = ag.tensor([1.0, 2.0], requires_grad=requires_grad)
    with pytest.raises(TypeError, match="unsupported dtype complex") as info:
        COMPLEX_OPERANDS[case](x)
    assert "unsupported dtype complex" in str(made.value)
    op = case.split("-")[0].lstrip("r").replace("truediv", "div")
    if op != "dot":                     # dot converts its operands before any op runs
        assert str(info.value).startswith(op + ":")


def test_real_operands_of_every_kind_still_work():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2 + 1.5 - np.float32(1) + np.array([1, 2]) + [0.5, 0.5] + True
    assert y.dtype == np.float64 and y.requires_grad    # the int64 array promotes, as NumPy
    assert (x * np.float32(2)).dtype == np.float32


def test_pow_gradient_wrt_exponent_at_zero_base_follows_pytorch():
    # d/db 0**b: 0 for b > 0 and b == 0 (0**b is constant there), but
    # a**b log(a) = inf * -inf = -inf for b < 0, where it used to be nan.
    b = ag.tensor(np.array([-2.0, -0.5, 0.0, 0.5, 2.0]), requires_grad=True)
    with np.errstate(divide="ignore", invalid="ignore"):    # 0 ** -2 = inf is meant
        (0.0 ** b).sum().backward()
        np.testing.assert_array_equal(b.grad.data, [-np.inf, -np.inf, 0, 0, 0])
        # The same with a zero base held in a tensor, and with a tensor base that
        # requires grad (both gradients at once).
        for base in (ag.tensor(np.zeros(5)), ag.tensor(np.zeros(5), requires_grad=True)):
            b.grad = None
            (base ** b).sum().backward()
            np.testing.assert_array_equal(b.grad.data, [-np.inf, -np.inf, 0, 0, 0])


@pytest.mark.parametrize("base", [3.0, 3, np.float32(3.0), np.array(3.0, np.float32)])
def test_pow_number_base_log_is_computed_in_the_result_dtype(base):
    # log(3) used to be taken in float32 for a float64 exponent (off by 3e-9).
    x = ag.tensor(np.array([0.3, 1.7]), requires_grad=True)
    (base ** x).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_allclose(x.grad.data, 3.0 ** x.data * np.log(3.0), rtol=1e-15)
    assert ag.gradcheck(lambda t: base ** t, (x,), atol=1e-9, rtol=1e-8)
    assert ag.gradgradcheck(lambda t: base ** t, (x,))
    # A float32 base tensor that does not require grad, with a float64 exponent.
    x.grad = None
    (ag.tensor(np.float32(3.0)) ** x).sum().backward()
    np.testing.assert_allclose(x.grad.data, 3.0 ** x.data * np.log(3.0), rtol=1e-15)
