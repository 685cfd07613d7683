"""Property tests of autograd_core/ops/reduction.py.

sum mean max min var std logsumexp softmax log_softmax: forward against NumPy
for drawn axes (None, ints incl. negative, tuples incl. ``()``) and keepdims,
on shapes including 0-d tensors and size-1 axes; gradcheck and gradgradcheck in
float64; ties; empty reductions; numerical stability for inputs up to 1e4.
"""
import re
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from autograd_core.testing import (
    check_forward,
    check_gradients,
    floats,
    tensors,
    tensors_with_axes,
)

no_deadline = settings(deadline=None)


def _count(shape, axis):
    """Number of elements each reduction result is taken over."""
    if axis is None:
        return int(np.prod(shape, dtype=np.int64))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return int(np.prod([shape[a] for a in axes], dtype=np.int64))


def _np_logsumexp(a, axis=None, keepdims=False):
    m = np.max(a, axis=axis, keepdims=True)
    out = m + np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True))
    if not keepdims:
        out = np.squeeze(out, axis=axis) if axis is not None else out.reshape(())
    return out


def _np_softmax(a, axis=-1):
    e = np.exp(a - np.max(a, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _np_log_softmax(a, axis=-1):
    s = a - np.max(a, axis=axis, keepdims=True)
    return s - np.log(np.sum(np.exp(s), axis=axis, keepdims=True))


# --------------------------------------------------------------------------- sum / mean

@pytest.mark.parametrize("name", ["sum", "mean"])
@no_deadline
@given(case=tensors_with_axes())
def test_sum_mean_forward(name, case):
    x, axis, keepdims = case
    ref = lambda a: getattr(np, name)(a, axis=axis, keepdims=keepdims)  # noqa: E731
    check_forward(lambda t: getattr(t, name)(axis=axis, keepdims=keepdims), ref, x,
                  rtol=1e-12)
    check_forward(lambda t: getattr(ag, name)(t, axis=axis, keepdims=keepdims), ref, x,
                  rtol=1e-12)


@pytest.mark.parametrize("name", ["sum", "mean"])
@no_deadline
@given(case=tensors_with_axes())
def test_sum_mean_gradients(name, case):
    x, axis, keepdims = case
    check_gradients(lambda t: getattr(t, name)(axis=axis, keepdims=keepdims), x)


@pytest.mark.parametrize("name", ["sum", "mean"])
@no_deadline
@given(case=tensors_with_axes(dtype=np.float32, elements=floats(-10, 10, np.float32)))
def test_sum_mean_float32(name, case):
    x, axis, keepdims = case
    y = getattr(x, name)(axis=axis, keepdims=keepdims)
    assert y.dtype == np.float32
    np.testing.assert_allclose(
        y.data, getattr(np, name)(x.data, axis=axis, keepdims=keepdims), rtol=1e-5,
        atol=1e-5)


def test_mean_gradient_scale():
    x = ag.tensor(np.ones((2, 3, 4)), requires_grad=True)
    x.mean(axis=(0, -1)).sum().backward()
    np.testing.assert_allclose(x.grad.data, np.full((2, 3, 4), 1 / 8))


# --------------------------------------------------------------------------- max / min

# max/min are not differentiable where the maximum is tied: elements are drawn
# pairwise at least 1e-3 apart (distinct=True).  Ties: unit tests below.
@pytest.mark.parametrize("name", ["max", "min"])
@no_deadline
@given(case=tensors_with_axes(distinct=True))
def test_max_min_forward(name, case):
    x, axis, keepdims = case
    ref = lambda a: getattr(np, name)(a, axis=axis, keepdims=keepdims)  # noqa: E731
    check_forward(lambda t: getattr(t, name)(axis=axis, keepdims=keepdims), ref, x)
    check_forward(lambda t: getattr(ag, name)(t, axis=axis, keepdims=keepdims), ref, x)


@pytest.mark.parametrize("name", ["max", "min"])
@no_deadline
@given(case=tensors_with_axes(distinct=True))
def test_max_min_gradients(name, case):
    x, axis, keepdims = case
    check_gradients(lambda t: getattr(t, name)(axis=axis, keepdims=keepdims), x)


def test_max_ties_split_evenly():
    x = ag.tensor(np.array([1.0, 3.0, 3.0]), requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.5, 0.5])


def test_min_ties_split_evenly():
    x = ag.tensor(np.array([2.0, -1.0, 5.0, -1.0]), requires_grad=True)
    x.min().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.5, 0.0, 0.5])


def test_max_ties_split_per_axis():
    x = ag.tensor(np.array([[1.0, 1.0, 1.0], [2.0, 0.0, 2.0]]), requires_grad=True)
    y = x.max(axis=1, keepdims=True)
    np.testing.assert_array_equal(y.data, [[1.0], [2.0]])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [[1 / 3, 1 / 3, 1 / 3], [0.5, 0.0, 0.5]])


def test_max_ties_with_negative_tuple_axis():
    x = ag.tensor(np.zeros((2, 2, 2)), requires_grad=True)
    ag.max(x, axis=(-1, 0)).sum().backward()
    np.testing.assert_allclose(x.grad.data, np.full((2, 2, 2), 0.25))


# --------------------------------------------------------------------------- var / std

@st.composite
def _var_case(draw, distinct):
    x, axis, keepdims = draw(tensors_with_axes(distinct=distinct))
    ddof = draw(st.integers(0, 1))
    # NumPy gives nan/inf (with a warning) when count - ddof <= 0: not tested.
    assume(_count(x.shape, axis) - ddof > 0)
    return x, axis, keepdims, ddof


@no_deadline
@given(case=_var_case(distinct=False))
def test_var(case):
    x, axis, keepdims, ddof = case
    ref = lambda a: np.var(a, axis=axis, ddof=ddof, keepdims=keepdims)  # noqa: E731
    check_forward(lambda t: t.var(axis=axis, ddof=ddof, keepdims=keepdims), ref, x,
                  rtol=1e-9, atol=1e-12)
    check_forward(lambda t: ag.var(t, axis, ddof, keepdims), ref, x, rtol=1e-9,
                  atol=1e-12)
    check_gradients(lambda t: t.var(axis=axis, ddof=ddof, keepdims=keepdims), x)


# std = sqrt(var) is not differentiable where var == 0: the elements are
# distinct (1e-3 apart) and every reduction covers at least 2 of them.
@no_deadline
@given(case=_var_case(distinct=True))
def test_std(case):
    x, axis, keepdims, ddof = case
    assume(_count(x.shape, axis) >= 2)
    ref = lambda a: np.std(a, axis=axis, ddof=ddof, keepdims=keepdims)  # noqa: E731
    check_forward(lambda t: t.std(axis=axis, ddof=ddof, keepdims=keepdims), ref, x,
                  rtol=1e-9, atol=1e-12)
    check_forward(lambda t: ag.std(t, axis, ddof, keepdims), ref, x, rtol=1e-9,
                  atol=1e-12)
    check_gradients(lambda t: t.std(axis=axis, ddof=ddof, keepdims=keepdims), x)


def test_var_defaults_match_numpy():
    a = np.arange(12.0).reshape(3, 4) ** 1.5
    x = ag.tensor(a)
    np.testing.assert_allclose(x.var().data, np.var(a))
    np.testing.assert_allclose(x.std(axis=0).data, np.std(a, axis=0))
    np.testing.assert_allclose(x.var(axis=-1, ddof=1).data, np.var(a, axis=-1, ddof=1))


# --------------------------------------------------------------------------- logsumexp

@no_deadline
@given(case=tensors_with_axes())
def test_logsumexp(case):
    x, axis, keepdims = case
    ref = lambda a: _np_logsumexp(a, axis=axis, keepdims=keepdims)  # noqa: E731
    check_forward(lambda t: t.logsumexp(axis=axis, keepdims=keepdims), ref, x,
                  rtol=1e-12, atol=1e-12)
    check_forward(lambda t: ag.logsumexp(t, axis=axis, keepdims=keepdims), ref, x,
                  rtol=1e-12, atol=1e-12)
    check_gradients(lambda t: ag.logsumexp(t, axis=axis, keepdims=keepdims), x)


def test_logsumexp_default_reduces_everything():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    y = ag.tensor(a).logsumexp()
    assert y.shape == ()
    np.testing.assert_allclose(y.data, np.log(np.exp(a).sum()))


# --------------------------------------------------------------------------- softmax

@st.composite
def _softmax_case(draw):
    x = draw(tensors(min_dims=1))
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    return x, axis


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@no_deadline
@given(case=_softmax_case())
def test_softmax_family(name, case):
    x, axis = case
    ref = {"softmax": _np_softmax, "log_softmax": _np_log_softmax}[name]
    check_forward(lambda t: getattr(t, name)(axis=axis), lambda a: ref(a, axis), x,
                  rtol=1e-10, atol=1e-12)
    check_forward(lambda t: getattr(ag, name)(t, axis), lambda a: ref(a, axis), x,
                  rtol=1e-10, atol=1e-12)
    check_gradients(lambda t: getattr(ag, name)(t, axis=axis), x)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_default_axis_is_last(name):
    a = np.arange(6.0).reshape(2, 3)
    ref = {"softmax": _np_softmax, "log_softmax": _np_log_softmax}[name]
    np.testing.assert_allclose(getattr(ag, name)(ag.tensor(a)).data, ref(a, -1))
    np.testing.assert_allclose(getattr(ag.tensor(a), name)().data, ref(a, -1))


@no_deadline
@given(case=_softmax_case())
def test_softmax_sums_to_one(case):
    x, axis = case
    np.testing.assert_allclose(ag.softmax(x, axis=axis).data.sum(axis=axis), 1.0,
                               rtol=1e-12)


# --------------------------------------------------------------------------- stability

BIG = 1e4


def _big_matrix(dtype):
    # Rows of values up to 1e4 in magnitude; the last row holds the extremes.
    return hnp.arrays(dtype, st.tuples(st.integers(1, 3), st.integers(2, 5)),
                      elements=floats(-BIG, BIG, dtype)).map(
        lambda a: np.concatenate(
            [a, np.resize(np.array([BIG, -BIG, BIG, 0.0], dtype=dtype), (1, a.shape[1]))]))


STABLE = {
    "softmax": (lambda t: ag.softmax(t, axis=-1), lambda a: _np_softmax(a, -1)),
    "log_softmax": (lambda t: ag.log_softmax(t, axis=-1), lambda a: _np_log_softmax(a, -1)),
    "logsumexp": (lambda t: ag.logsumexp(t, axis=-1), lambda a: _np_logsumexp(a, -1)),
    "logsumexp_all": (lambda t: ag.logsumexp(t), lambda a: _np_logsumexp(a)),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(STABLE))
@no_deadline
@given(data=st.data())
def test_stable_for_large_inputs(name, dtype, data):
    op, ref = STABLE[name]
    a = data.draw(_big_matrix(dtype))
    x = ag.tensor(a, requires_grad=True)
    with np.errstate(all="ignore"):
        y = op(x)
    assert y.dtype == dtype
    assert np.all(np.isfinite(y.data)), y.data
    tol = 2e-5 if dtype == np.float32 else 1e-12
    # Inputs of magnitude m only carry ~spacing(m) absolute precision (1e-3 for
    # float32 at 1e4), and x - logsumexp(x) inherits that absolute error.
    atol = max(tol, 8 * float(np.spacing(np.abs(a).max())))
    np.testing.assert_allclose(y.data, ref(a.astype(np.float64)), rtol=tol, atol=atol)
    # A weighted sum gives every output a different cotangent.
    w = ag.tensor(np.linspace(-1.0, 1.0, y.size).reshape(y.shape).astype(dtype))
    with np.errstate(all="ignore"):
        (y * w).sum().backward()
    assert x.grad.dtype == dtype
    assert np.all(np.isfinite(x.grad.data)), x.grad.data


# --------------------------------------------------------------------------- empty

def test_sum_over_empty_axis_is_zero():
    x = ag.tensor(np.zeros((0, 3)), requires_grad=True)
    y = x.sum(axis=0)
    np.testing.assert_array_equal(y.data, np.sum(np.zeros((0, 3)), axis=0))
    assert y.shape == (3,)
    assert x.sum().item() == 0.0
    y.sum().backward()
    assert x.grad.shape == (0, 3)


def test_sum_keeping_empty_axis():
    x = ag.tensor(np.zeros((0, 3)))
    assert x.sum(axis=1).shape == (0,)
    assert x.sum(axis=0, keepdims=True).shape == (1, 3)


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_of_empty_raises_naming_op_and_shape(name):
    x = ag.tensor(np.zeros((0, 3)))
    with pytest.raises(ValueError) as info:
        getattr(x, name)()
    msg = str(info.value)
    assert name in msg and "(0, 3)" in msg, msg
    with pytest.raises(ValueError) as info:
        getattr(ag, name)(x, axis=0)
    msg = str(info.value)
    assert name in msg and "(0, 3)" in msg, msg


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_over_nonempty_axis_of_empty_array(name):
    # NumPy: reducing the size-3 axis of a (0, 3) array is fine and gives (0,).
    x = ag.tensor(np.zeros((0, 3)))
    assert getattr(x, name)(axis=1).shape == (0,)


# --------------------------------------------------------------------------- dtypes / errors

REDUCTIONS_F32 = {
    "sum": lambda t: t.sum(axis=0),
    "mean": lambda t: t.mean(axis=-1, keepdims=True),
    "max": lambda t: t.max(axis=1),
    "min": lambda t: t.min(),
    "var": lambda t: t.var(axis=0, ddof=1),
    "std": lambda t: t.std(axis=(0, 1)),
    "logsumexp": lambda t: t.logsumexp(axis=-1),
    "softmax": lambda t: t.softmax(axis=0),
    "log_softmax": lambda t: t.log_softmax(),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS_F32))
def test_float32_in_float32_out(name):
    a = np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]], dtype=np.float32)
    x = ag.tensor(a, requires_grad=True)
    y = REDUCTIONS_F32[name](x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.shape == x.shape


@pytest.mark.parametrize("dtype", [np.int64, np.bool_])
def test_sum_of_int_and_bool_like_numpy(dtype):
    a = np.array([[1, 0, 1], [1, 1, 0]], dtype=dtype)
    for axis in (None, 0, 1):
        got = ag.tensor(a).sum(axis=axis)
        np.testing.assert_array_equal(got.data, np.sum(a, axis=axis))
        assert got.dtype == np.sum(a, axis=axis).dtype


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "var", "logsumexp"])
def test_bad_axis_raises_like_numpy(name):
    x = ag.tensor(np.ones((2, 3)))
    with pytest.raises((ValueError, IndexError)):
        getattr(x, name)(axis=2)
    with pytest.raises((ValueError, IndexError)):
        getattr(x, name)(axis=-3)
    with pytest.raises(ValueError):
        getattr(x, name)(axis=(0, 0))
    with pytest.raises((ValueError, IndexError)):
        getattr(ag.tensor(np.array(1.0)), name)(axis=0)


def test_softmax_with_minus_inf_mask_is_finite():
    # A masked (-inf) logit gets probability 0 and a finite (zero) gradient.
    x = ag.tensor(np.array([[0.0, -np.inf, 1.0], [2.0, 2.0, -np.inf]]), requires_grad=True)
    with np.errstate(invalid="ignore"):
        p = ag.softmax(x, axis=-1)
        np.testing.assert_allclose(p.data, _np_softmax(x.data, -1))
        (p * ag.tensor(np.arange(6.0).reshape(2, 3))).sum().backward()
    assert np.all(np.isfinite(x.grad.data)), x.grad.data
    assert x.grad.data[0, 1] == 0.0 and x.grad.data[1, 2] == 0.0


def test_var_with_ddof_at_least_the_count_is_inf_like_numpy():
    # It used to divide by count - ddof < 0: a negative "variance".
    a = np.array([1.0, 2.0])
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for ddof in (2, 3):
            got = ag.var(ag.tensor(a), ddof=ddof).item()
            assert got == np.var(a, ddof=ddof) == np.inf
        assert np.isnan(ag.std(ag.tensor(np.array([1.0])), ddof=3).item())


def test_mean_and_var_of_float16_do_not_overflow_like_numpy():
    a = np.full(100_000, 1000, dtype=np.float16)
    x = ag.tensor(a, requires_grad=True)
    m = x.mean()
    assert m.dtype == np.float16 and m.item() == np.mean(a) == 1000
    v = ag.var(x)               # (NumPy's own var overflows here: inf)
    assert v.dtype == np.float16 and v.item() == 0
    b = np.linspace(-3, 3, 7).astype(np.float16)
    np.testing.assert_allclose(ag.var(ag.tensor(b)).data, np.var(b), rtol=1e-3)
    m.backward()
    assert x.grad.dtype == np.float16
    np.testing.assert_allclose(x.grad.data.astype(np.float64), 1 / a.size, rtol=2e-3)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_axis_none_normalises_over_all_elements(name):
    # axis=None used to mean axis 0 only (the first of "all axes").
    a = np.arange(6.0).reshape(2, 3)
    x = ag.tensor(a, requires_grad=True)
    y = getattr(ag, name)(x, axis=None)
    e = np.exp(a - a.max())
    ref = e / e.sum()
    np.testing.assert_allclose(y.data, ref if name == "softmax" else np.log(ref))
    assert ag.gradcheck(lambda t: getattr(ag, name)(t, axis=None) * ag.tensor(a), x)


@pytest.mark.parametrize("name", ["sum", "max", "min", "logsumexp", "softmax"])
def test_axis_of_a_0d_tensor_raises_axis_error_naming_the_op(name):
    # max used to fail with a bare "tuple index out of range".
    with pytest.raises(np.exceptions.AxisError, match=name):
        getattr(ag, name)(ag.tensor(1.0), axis=0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_std_gradient_is_zero_where_the_spread_is_zero(dtype):
    # sqrt'(0) = inf times the variance's zero gradient used to give nan; PyTorch gives 0.
    x = ag.tensor(np.array([2.0, 2.0, 2.0], dtype=dtype), requires_grad=True)
    x.std().backward()
    assert x.grad.dtype == dtype
    np.testing.assert_array_equal(x.grad.data, [0, 0, 0])
    # An axis of length 1 (ddof=0) has zero spread everywhere; the other rows
    # of a mixed case keep their usual gradient.
    y = ag.tensor(np.array([[1.0], [4.0]], dtype=dtype), requires_grad=True)
    y.std(axis=1).sum().backward()
    np.testing.assert_array_equal(y.grad.data, [[0], [0]])
    a = np.array([[1.0, 1.0], [1.0, 3.0]])
    z = ag.tensor(a, requires_grad=True)
    z.std(axis=1, ddof=1).sum().backward()
    np.testing.assert_allclose(z.grad.data, [[0, 0], [-1 / np.sqrt(2), 1 / np.sqrt(2)]])
    # Recorded (create_graph) the first derivative is the same, and finite.
    w = ag.tensor(np.array([2.0, 2.0, 2.0]), requires_grad=True)
    g = ag.grad(lambda t: t.std())(w)
    gg = ag.grad(lambda t: ag.grad(lambda s: s.std())(t).sum())(w)
    np.testing.assert_array_equal(g.data, [0, 0, 0])
    assert np.isfinite(gg.data).all()


def test_std_higher_order_gradients_away_from_zero_spread():
    x = ag.tensor(np.array([[0.3, -1.2, 2.0], [0.5, 0.1, -0.7]]), requires_grad=True)
    for axis, ddof in [(None, 0), (1, 1), (0, 0)]:
        fn = lambda t: t.std(axis=axis, ddof=ddof)  # noqa: E731, B023  (used in this iteration)
        assert ag.gradcheck(fn, (x,)) and ag.gradgradcheck(fn, (x,))


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "var", "std", "logsumexp",
                                  "softmax", "log_softmax"])
@pytest.mark.parametrize("axis", [1.0, "a", True, np.bool_(False), (0, 1.0), None])
def test_non_integer_axis_raises_type_error_naming_op_and_argument(name, axis):
    # 1.0 used to be truncated to 1 (in a tuple), "a" gave a bare int() error and
    # True was read as axis 1.
    x = ag.tensor(np.ones((2, 3)))
    if axis is None:
        getattr(ag, name)(x, axis=np.int64(-1))     # NumPy integers are fine
        return
    with pytest.raises(TypeError, match=rf"{name}: axis must be an int.*{re.escape(repr(axis))}"):
        getattr(ag, name)(x, axis=axis)
