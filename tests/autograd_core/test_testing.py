"""Tests of autograd_core.testing, the Hypothesis helpers offered to users."""
import warnings

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core import testing as agt
from autograd_core.testing import (
    DEFAULT_MARGIN,
    arrays,
    away_from,
    axes,
    axis_keepdims,
    broadcastable_shapes,
    broadcastable_tensors,
    check_forward,
    check_grad,
    check_gradients,
    distinct,
    floats,
    gradcheck_property,
    nonzero,
    shapes,
    tensors,
    tensors_with_axes,
)

no_deadline = settings(deadline=None)


def test_every_public_name_has_a_docstring():
    for name in agt.__all__:
        obj = getattr(agt, name)
        if callable(obj):
            assert obj.__doc__ and obj.__doc__.strip(), name
    assert agt.__doc__


# --------------------------------------------------------------------------- tensors

@given(t=tensors())
def test_tensors_defaults(t):
    assert isinstance(t, ag.Tensor)
    assert t.dtype == np.float64
    assert t.requires_grad and t.is_leaf and t.grad is None
    assert 0 <= t.ndim <= 3 and all(1 <= n <= 4 for n in t.shape)
    assert np.all(np.isfinite(t.data))
    assert np.all(np.abs(t.data) <= 10.0)
    tiny = np.finfo(np.float64).tiny
    assert not np.any((t.data != 0) & (np.abs(t.data) < tiny))  # no subnormals


@given(t=tensors(shape=(3, 4)))
def test_tensors_fixed_shape(t):
    assert t.shape == (3, 4)


@given(t=tensors(shape=5))
def test_tensors_int_shape(t):
    assert t.shape == (5,)


@given(t=tensors(shape=st.sampled_from([(2,), (1, 3)])))
def test_tensors_shape_strategy(t):
    assert t.shape in [(2,), (1, 3)]


@given(t=tensors(min_dims=2, max_dims=4, min_side=2, max_side=3))
def test_tensors_dims_and_sides(t):
    assert 2 <= t.ndim <= 4 and all(2 <= n <= 3 for n in t.shape)


@given(t=tensors(dtype=np.float32))
def test_tensors_float32(t):
    assert t.dtype == np.float32 and t.requires_grad


@given(t=tensors(dtype=np.int64))
def test_tensors_int_never_requires_grad(t):
    assert t.dtype == np.int64 and not t.requires_grad
    assert np.all(np.abs(t.data) <= 10)


@given(t=tensors(dtype=np.bool_))
def test_tensors_bool(t):
    assert t.dtype == np.bool_ and not t.requires_grad


@given(t=tensors(requires_grad=False))
def test_tensors_requires_grad_false(t):
    assert not t.requires_grad


def test_tensors_requires_grad_strategy_draws_both():
    strat = tensors(requires_grad=st.booleans())
    find(strat, lambda t: t.requires_grad)
    find(strat, lambda t: not t.requires_grad)


@given(t=tensors(elements=floats(0.5, 2.0)))
def test_tensors_custom_elements(t):
    assert np.all((t.data >= 0.5) & (t.data <= 2.0))


@given(t=tensors(avoid=0))
def test_tensors_avoid_zero(t):
    assert np.all(np.abs(t.data) >= DEFAULT_MARGIN)


@given(t=tensors(avoid=[-1.0, 0.0, 1.0], margin=0.05))
def test_tensors_avoid_several_points(t):
    for p in (-1.0, 0.0, 1.0):
        assert np.all(np.abs(t.data - p) >= 0.05)


@given(t=tensors(distinct=True, avoid=0, max_side=4))
def test_tensors_distinct(t):
    a = np.sort(t.data.ravel())
    assert np.all(np.diff(a) >= DEFAULT_MARGIN)
    assert np.all(np.abs(t.data) >= DEFAULT_MARGIN)


@given(t=tensors(dtype=np.float32, distinct=0.01))
def test_tensors_distinct_gap_float32(t):
    a = np.sort(t.data.astype(np.float64).ravel())
    assert np.all(np.diff(a) >= 0.01)


def test_avoid_needs_float_dtype():
    with pytest.raises(ValueError):
        tensors(dtype=np.int64, avoid=0)


def test_extreme_shapes_are_reachable():
    find(tensors(), lambda t: t.ndim == 0)
    find(tensors(), lambda t: t.ndim == 3 and 1 in t.shape)


@given(a=arrays(shape=(2, 2), dtype=np.float32))
def test_arrays_are_ndarrays(a):
    assert isinstance(a, np.ndarray) and a.dtype == np.float32 and a.shape == (2, 2)


@given(s=shapes())
def test_shapes(s):
    assert isinstance(s, tuple) and len(s) <= 3 and all(1 <= n <= 4 for n in s)


# --------------------------------------------------------------------------- floats

@given(v=floats())
def test_floats_default_range(v):
    assert -10.0 <= v <= 10.0 and np.isfinite(v)


@given(v=floats(0.1, 1.3, dtype=np.float32))
def test_floats_float32_bounds_rounded_inwards(v):
    assert np.float32(v) == v
    assert 0.1 <= v <= 1.3


@given(v=floats(avoid=[2.0, 3.0], margin=0.1))
def test_floats_avoid(v):
    assert abs(v - 2.0) >= 0.1 and abs(v - 3.0) >= 0.1


@given(v=floats(0.0, 1.0, avoid=0.0, margin=0.01))
def test_floats_avoid_stays_in_range(v):
    assert 0.01 <= v <= 1.0


def test_floats_needs_float_dtype():
    with pytest.raises(TypeError):
        floats(dtype=np.int32)


# --------------------------------------------------------------------------- shapes

@given(ss=broadcastable_shapes())
def test_broadcastable_shapes_pair(ss):
    assert len(ss) == 2
    np.broadcast_shapes(*ss)
    assert all(len(s) <= 3 and all(1 <= n <= 4 for n in s) for s in ss)


@given(ss=broadcastable_shapes(num_shapes=3, min_dims=1, max_dims=2, base_shape=(2, 1)))
def test_broadcastable_shapes_three_with_base(ss):
    assert len(ss) == 3
    np.broadcast_shapes((2, 1), *ss)
    assert all(1 <= len(s) <= 2 for s in ss)


def test_broadcastable_shapes_really_broadcast():
    find(broadcastable_shapes(), lambda ss: len(ss[0]) != len(ss[1]))
    find(broadcastable_shapes(), lambda ss: len(ss[0]) == len(ss[1]) and ss[0] != ss[1])


@given(ts=broadcastable_tensors(3, dtype=np.float32, requires_grad=False))
def test_broadcastable_tensors(ts):
    assert len(ts) == 3
    assert all(isinstance(t, ag.Tensor) and t.dtype == np.float32 for t in ts)
    assert not any(t.requires_grad for t in ts)
    np.broadcast_shapes(*(t.shape for t in ts))


@given(ts=broadcastable_tensors(elements=[floats(), floats(1.0, 2.0)]))
def test_broadcastable_tensors_per_tensor_elements(ts):
    assert np.all((ts[1].data >= 1.0) & (ts[1].data <= 2.0))


def test_broadcastable_tensors_elements_length_checked():
    with pytest.raises(ValueError):
        broadcastable_tensors(2, elements=[floats()])


# --------------------------------------------------------------------------- axes

@given(data=st.data())
def test_axes_valid_for_numpy(data):
    shape = data.draw(shapes())
    axis = data.draw(axes(len(shape)))
    keep = np.sum(np.ones(shape), axis=axis, keepdims=True)
    assert keep.ndim == len(shape)


@given(data=st.data())
def test_axes_accepts_a_shape(data):
    shape = data.draw(shapes(min_dims=1))
    axis = data.draw(axes(shape, allow_none=False, allow_tuple=False))
    assert isinstance(axis, int) and -len(shape) <= axis < len(shape)


def test_axes_cover_all_kinds():
    find(axes(3), lambda a: a is None)
    find(axes(3), lambda a: isinstance(a, int) and a < 0)
    find(axes(3), lambda a: isinstance(a, tuple) and len(a) >= 2 and min(a) < 0)
    find(axes(3), lambda a: a == ())


def test_axes_of_0d():
    find(axes(0), lambda a: a is None)
    find(axes(0), lambda a: a == ())
    with pytest.raises(ValueError):
        axes(0, allow_none=False, allow_tuple=False)


@given(data=st.data())
def test_axis_keepdims(data):
    shape = data.draw(shapes())
    axis, keepdims = data.draw(axis_keepdims(len(shape)))
    assert isinstance(keepdims, bool)
    out = np.sum(np.ones(shape), axis=axis, keepdims=keepdims)
    assert (out.ndim == len(shape)) if keepdims else (out.ndim <= len(shape))


@given(case=tensors_with_axes(dtype=np.float32))
def test_tensors_with_axes(case):
    t, axis, keepdims = case
    assert isinstance(t, ag.Tensor) and t.dtype == np.float32
    np.sum(t.data, axis=axis, keepdims=keepdims)


# --------------------------------------------------------------------------- predicates

def test_away_from_predicate():
    pred = away_from([0.0, 1.0], margin=0.1)
    assert pred(0.5) and pred(-0.2) and pred(1.1)
    assert not pred(0.05) and not pred(0.95)
    assert pred(np.array([[0.5, 2.0]])) and not pred(np.array([0.5, 1.0]))
    assert pred(ag.tensor(np.array([0.5]))) and not pred(ag.tensor(np.array([0.0])))
    assert pred((np.array([0.5]), 3.0)) and not pred((np.array([0.5]), 1.0))
    assert pred([[0.5, -3.0]])
    assert pred(np.array([True, False]))  # masks are not numbers to avoid
    assert "away_from" in repr(pred.__name__)


def test_nonzero_predicate():
    assert nonzero()(np.array([1.0, -1.0]))
    assert not nonzero()(np.array([1.0, 0.0]))
    assert not nonzero(0.5)(ag.tensor(np.array([0.4])))


def test_distinct_predicate():
    assert distinct(0.1)(np.array([0.0, 0.2, -0.3]))
    assert not distinct(0.1)(np.array([0.0, 0.05]))
    assert distinct()(np.array(3.0))
    assert not distinct()((np.array([1.0]), np.array([2.0, 2.0])))


@given(t=tensors().filter(nonzero(0.01)))
def test_predicates_work_as_filters(t):
    assert np.all(np.abs(t.data) >= 0.01)


# --------------------------------------------------------------------------- checks

class _WrongSquare(ag.Function):
    """x**2 with a wrong backward (3x instead of 2x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ag.tensor(x.data ** 2)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 3 * x


class _FirstOrderOnlyCube(ag.Function):
    """x**3 whose backward is right but leaves the graph (NumPy), so second order is wrong."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ag.tensor(x.data ** 3)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return np.asarray(grad_output.data) * 3 * np.asarray(x.data) ** 2


def test_check_gradients_passes_for_correct_op():
    x = ag.tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    y = ag.tensor(np.array([0.5, 0.5, 2.0]), requires_grad=True)
    assert check_gradients(lambda a, b: a * b + a.exp(), x, y) is True


def test_check_gradients_detects_wrong_backward():
    x = ag.tensor(np.array([1.0, -2.0]), requires_grad=True)
    with pytest.raises(ag.GradcheckError):
        check_gradients(_WrongSquare.apply, x, gradgrad=False)


def test_check_gradients_detects_wrong_second_order():
    x = ag.tensor(np.array([1.0, -2.0]), requires_grad=True)
    assert check_gradients(_FirstOrderOnlyCube.apply, x, gradgrad=False)
    with pytest.raises(ag.GradcheckError):
        check_gradients(_FirstOrderOnlyCube.apply, x, gradgrad=True)


def test_check_gradients_casts_float32_to_float64_silently():
    x = ag.tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    seen = []

    def fn(t):
        seen.append(t.dtype)
        return t * t

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_gradients(fn, x)
    assert seen and all(d == np.float64 for d in seen)
    assert x.dtype == np.float32


def test_check_gradients_leaves_callers_tensors_alone():
    x = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    check_gradients(lambda t: (t * t).sum(), x)
    assert x.grad is None
    np.testing.assert_array_equal(x.data, [1.0, 2.0])


def test_check_gradients_accepts_arrays_and_constants():
    a = np.array([1.0, 2.0])
    idx = ag.tensor(np.array([1, 0, 1]))
    const = ag.tensor(np.array([3.0, 4.0]))  # requires_grad=False: not checked
    check_gradients(lambda t, i, c: t[i] * 2.0 + c[i], a, idx, const)


def test_check_gradients_tolerances_are_passed_on():
    x = ag.tensor(np.array([1.0, -2.0]), requires_grad=True)
    # 3x vs 2x is a 50% error: caught at rtol=0.1, tolerated at rtol=1 and large atol.
    with pytest.raises(ag.GradcheckError):
        check_gradients(_WrongSquare.apply, x, gradgrad=False, rtol=0.1)
    check_gradients(_WrongSquare.apply, x, gradgrad=False, rtol=1.0, atol=10.0)


@no_deadline
@given(data=st.data())
def test_check_grad_draws_and_checks(data):
    drawn = check_grad(lambda a, b: a * b, tensors(shape=(2,)), tensors(shape=(2,)),
                       data=data)
    assert len(drawn) == 2 and all(t.shape == (2,) for t in drawn)


@given(data=st.data())
def test_check_grad_reports_failures(data):
    with pytest.raises(ag.GradcheckError):
        check_grad(_WrongSquare.apply, tensors(shape=(2,), avoid=0, margin=0.5),
                   data=data, gradgrad=False)


test_gradcheck_property_function_form = gradcheck_property(
    lambda x: x.tanh() * x, tensors(max_side=3))


@gradcheck_property(tensors(shape=(2, 3)), tensors(shape=(3,), avoid=0, margin=0.1))
def test_gradcheck_property_decorator_form(x, y):
    return x / y + x


def test_gradcheck_property_names_and_fails():
    prop = gradcheck_property(ag.exp, tensors())
    assert prop.__name__.startswith("test_")
    bad = gradcheck_property(_WrongSquare.apply, tensors(shape=(2,), avoid=0, margin=0.5),
                             gradgrad=False,
                             hypothesis_settings=settings(max_examples=5, deadline=None,
                                                          database=None))
    with pytest.raises(ag.GradcheckError):
        bad()


def test_gradcheck_property_needs_strategies():
    with pytest.raises(TypeError):
        gradcheck_property(ag.exp)


def test_check_forward():
    x = ag.tensor(np.array([1.0, 2.0]))
    out = check_forward(lambda t: t * 2, lambda a: a * 2, x)
    assert isinstance(out, ag.Tensor)
    with pytest.raises(AssertionError):
        check_forward(lambda t: t * 2, lambda a: a * 3, x)
    with pytest.raises(AssertionError):
        check_forward(lambda t: t.reshape(2, 1), lambda a: a, x)
    with pytest.raises(AssertionError):  # dtype checked
        check_forward(lambda t: t * 2, lambda a: (a * 2).astype(np.float32), x)
    check_forward(lambda t: t * 2, lambda a: (a * 2).astype(np.float32), x,
                  check_dtype=False)


def test_five_line_usage_from_the_docstring():
    @no_deadline
    @given(x=tensors(shape=(3, 4)))
    def test_my_op(x):
        check_gradients(lambda t: (t * t).sum(axis=0), x)

    test_my_op()


@pytest.mark.parametrize("strategy, lo, hi", [
    (agt.tensors(shape=(3,), elements=agt.floats(0, 1), distinct=True), 0, 1),
    (agt.tensors(shape=(4, 4, 4), distinct=True), -10, 10),
    (agt.tensors(shape=(3,), avoid=10), -10, 10),
    (agt.tensors(shape=(3,), elements=agt.floats(0, 1), avoid=1), 0, 1),
    (agt.tensors(shape=(4,), dtype=np.float32, elements=agt.floats(0, 1, np.float32),
                 distinct=True), 0, 1),
    (agt.floats(-1, 0.002, avoid=0), -1, 0.002),
])
def test_moved_elements_stay_inside_the_elements_bounds(strategy, lo, hi):
    # avoid= / distinct= move elements; they used to leave [lo, hi]
    # (distinct spread 1 to 1.001, avoid pushed 10 to 10.0025).
    def outside(v):
        a = np.asarray(v.data if isinstance(v, ag.Tensor) else v)
        return bool((a < lo).any() or (a > hi).any())

    with pytest.raises(Exception) as info:
        find(strategy, outside, settings=settings(max_examples=150, database=None))
    assert type(info.value).__name__ == "NoSuchExample"
