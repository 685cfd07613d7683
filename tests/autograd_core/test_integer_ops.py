"""The operators ``// % & | ^ ~`` and their reflected forms.

Results follow NumPy 2's dtype rules (a Python number is weak), and agree with
torch on values; ``//`` and ``& | ^ ~`` never carry a gradient; ``%`` on
floats is differentiable as PyTorch's (d/da = 1, d/db = -floor(a / b));
integer ``// 0`` and ``% 0`` raise ``ZeroDivisionError`` as PyTorch's;
``& | ^ ~`` refuse floats with a ``TypeError`` naming the op and operands.
"""
import operator

import numpy as np
import pytest

import autograd_core as ag

INT_A = np.array([7, -7, 5, -5, 0, 9], dtype=np.int64)
INT_B = np.array([2, 2, -3, -3, 4, 9], dtype=np.int64)
FLOAT_A = np.array([7.5, -7.5, 5.25, -5.25, 0.0, 3.0])
FLOAT_B = np.array([2.0, 2.0, -3.0, -3.0, 4.0, 0.75])


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


@pytest.mark.parametrize("op", [operator.floordiv, operator.mod])
@pytest.mark.parametrize("a,b", [(INT_A, INT_B), (FLOAT_A, FLOAT_B),
                                 (INT_A.astype(np.int8), INT_B.astype(np.int8)),
                                 (FLOAT_A.astype(np.float32), FLOAT_B.astype(np.float32))])
def test_floordiv_mod_as_numpy_and_torch(op, a, b, torch):
    got = op(ag.tensor(a), ag.tensor(b))
    want = op(a, b)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got.numpy(), want)
    np.testing.assert_array_equal(got.numpy(), op(torch.tensor(a), torch.tensor(b)).numpy())
    # Python semantics: the sign follows the divisor, the quotient is floored.
    if a.dtype.kind == "i":
        assert [op(int(x), int(y)) for x, y in zip(a, b)] == got.tolist()


@pytest.mark.parametrize("op", [operator.floordiv, operator.mod])
def test_floordiv_mod_with_numbers_and_reflected(op):
    t8 = ag.tensor(INT_B.astype(np.int8))
    assert op(t8, 2).dtype == np.int8                # a Python int is weak (NumPy 2)
    np.testing.assert_array_equal(op(t8, 2).numpy(), op(INT_B.astype(np.int8), 2))
    np.testing.assert_array_equal(op(31, ag.tensor(INT_B)).numpy(), op(31, INT_B))
    np.testing.assert_array_equal(op(7.5, ag.tensor(FLOAT_B)).numpy(), op(7.5, FLOAT_B))
    f32 = ag.tensor(FLOAT_A.astype(np.float32))
    assert op(f32, 2.0).dtype == np.float32 and op(3.0, f32 + 1).dtype == np.float32
    assert op(ag.tensor(INT_A), 2.5).dtype == np.float64    # as NumPy 2
    assert ag.floor_divide(INT_A, ag.tensor(INT_B)).tolist() == (INT_A // INT_B).tolist()
    assert ag.remainder(ag.tensor(INT_A), INT_B).tolist() == (INT_A % INT_B).tolist()


def test_floordiv_has_no_gradient():
    x = ag.tensor(FLOAT_A, requires_grad=True)
    for out in (x // 2.0, 10.0 // (x + 20), x // (x + 100)):
        assert not out.requires_grad and out.grad_fn is None
    np.testing.assert_array_equal((x // 2.0).numpy(), FLOAT_A // 2.0)


def test_mod_gradient_as_torch(torch):
    a = ag.tensor(FLOAT_A, requires_grad=True)
    b = ag.tensor(FLOAT_B, requires_grad=True)
    out = a % b
    assert out.requires_grad and out.grad_fn.name == "Remainder"
    out.backward(ag.tensor(np.arange(1.0, 7.0)))
    ta = torch.tensor(FLOAT_A, requires_grad=True)
    tb = torch.tensor(FLOAT_B, requires_grad=True)
    (ta % tb).backward(torch.arange(1.0, 7.0, dtype=torch.float64))
    np.testing.assert_array_equal(a.grad.numpy(), ta.grad.numpy())
    np.testing.assert_array_equal(b.grad.numpy(), tb.grad.numpy())
    np.testing.assert_array_equal(b.grad.numpy(), -np.arange(1.0, 7.0) * (FLOAT_A // FLOAT_B))


def test_mod_gradcheck_and_higher_order():
    # Away from the jumps of a % b (where a / b is an integer).
    a = ag.tensor([7.3, -7.3, 5.1, -0.4], dtype=np.float64, requires_grad=True)
    b = ag.tensor([2.1, 2.1, -3.3, 0.7], dtype=np.float64, requires_grad=True)
    assert ag.gradcheck(lambda x, y: x % y, (a, b))
    assert ag.gradgradcheck(lambda x, y: (x % y) * x, (a, b))
    assert ag.gradcheck(lambda x: 10.0 % x, (b,))
    assert ag.gradcheck(lambda x: x % 1.0, (a,))
    # x - x % 1 is floor(x): gradient 0, as PyTorch (not silently 1).
    x = ag.tensor([1.25, -2.5], dtype=np.float64, requires_grad=True)
    (x - x % 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])


def test_mod_of_integers_has_no_gradient():
    out = ag.tensor(INT_A) % 3
    assert out.dtype == np.int64 and not out.requires_grad


@pytest.mark.parametrize("call", [lambda t: t // 0, lambda t: t % 0,
                                  lambda t: 5 // (t * 0), lambda t: t % ag.tensor([1, 0, 1]),
                                  lambda t: ag.floor_divide(t, np.array([1, 0, 1]))])
def test_integer_division_by_zero_raises(call):
    with pytest.raises(ZeroDivisionError, match=r"(floor_divide \(//\)|remainder \(%\)): "
                                                r"integer division by zero"):
        call(ag.tensor([1, 2, 3]))


def test_float_division_by_zero_as_numpy(torch):
    a = np.array([5.0, -5.0, 0.0])
    with np.errstate(divide="ignore", invalid="ignore"):
        for op in (operator.floordiv, operator.mod):
            got = op(ag.tensor(a), 0.0).numpy()
            np.testing.assert_array_equal(got, op(a, 0.0))
            np.testing.assert_array_equal(got, op(torch.tensor(a), 0.0).numpy())


# --------------------------------------------------------------------------- bitwise

BITWISE = [operator.and_, operator.or_, operator.xor]


@pytest.mark.parametrize("op", BITWISE)
@pytest.mark.parametrize("dtype", [np.bool_, np.int64, np.int8, np.uint8])
def test_bitwise_as_numpy_and_torch(op, dtype, torch):
    rng = np.random.default_rng(0)
    a = rng.integers(0, 100, 8).astype(dtype)
    b = rng.integers(0, 100, 8).astype(dtype)
    got = op(ag.tensor(a), ag.tensor(b))
    assert got.dtype == op(a, b).dtype and not got.requires_grad
    np.testing.assert_array_equal(got.numpy(), op(a, b))
    np.testing.assert_array_equal(got.numpy(), op(torch.tensor(a), torch.tensor(b)).numpy())
    np.testing.assert_array_equal(op(ag.tensor(a), 5).numpy(), op(a, 5))
    np.testing.assert_array_equal(op(5, ag.tensor(a)).numpy(), op(5, a))      # reflected
    np.testing.assert_array_equal(op(True, ag.tensor(a)).numpy(), op(True, a))


@pytest.mark.parametrize("dtype", [np.bool_, np.int64, np.uint8])
def test_invert(dtype, torch):
    a = np.array([0, 1, 1, 0, 7]).astype(dtype)
    got = ~ag.tensor(a)
    assert got.dtype == a.dtype and not got.requires_grad
    np.testing.assert_array_equal(got.numpy(), ~a)
    np.testing.assert_array_equal(got.numpy(), (~torch.tensor(a)).numpy())
    np.testing.assert_array_equal(ag.bitwise_not(a).numpy(), ~a)


def test_masks_combine():
    x = ag.tensor(np.linspace(-2, 2, 9), requires_grad=True)
    mask = (x > -1) & (x < 1) | ~(x != 2.0)
    assert mask.dtype == np.bool_ and not mask.requires_grad
    np.testing.assert_array_equal(mask.numpy(), ((x.numpy() > -1) & (x.numpy() < 1))
                                  | (x.numpy() == 2.0))
    assert ((x > 0) ^ (x > 1)).tolist() == list((x.numpy() > 0) ^ (x.numpy() > 1))


@pytest.mark.parametrize("call,name", [
    (lambda f, i: f & i, "bitwise_and \\(&\\)"),
    (lambda f, i: i | f, "bitwise_or \\(\\|\\)"),
    (lambda f, i: f ^ 1, "bitwise_xor \\(\\^\\)"),
    (lambda f, i: i & 1.5, "bitwise_and \\(&\\)"),
    (lambda f, i: ~f, "bitwise_not \\(~\\)"),
    (lambda f, i: 1.0 | i, "bitwise_or \\(\\|\\)"),
])
def test_bitwise_refuses_floats(call, name):
    f = ag.tensor([1.0, 2.0], requires_grad=True)
    i = ag.tensor([1, 2])
    with pytest.raises(TypeError, match=rf"^{name}: needs bool or integer operands, got .*"
                                        r"(float|\(2,\) float32)"):
        call(f, i)
