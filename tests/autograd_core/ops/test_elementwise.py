"""Property tests of autograd_core/ops/elementwise.py.

exp log sqrt sin cos tanh sigmoid relu leaky_relu abs gelu softplus clip
maximum minimum where: forward against NumPy (no SciPy), gradcheck and
gradgradcheck in float64, the documented subgradients at kinks, and numerical
stability for inputs up to 1e4 in magnitude.
"""
import contextlib
import math
import signal
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from autograd_core.testing import (
    broadcastable_shapes,
    check_forward,
    check_gradients,
    floats,
    tensors,
)

no_deadline = settings(deadline=None)

_erf = np.vectorize(math.erf, otypes=[np.float64])


def _np_sigmoid(a):
    a = np.asarray(a, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(a >= 0, 1.0 / (1.0 + np.exp(-a)), np.exp(a) / (1.0 + np.exp(a)))


def _np_gelu(a):
    a = np.asarray(a, dtype=np.float64)
    return 0.5 * a * (1.0 + _erf(a / math.sqrt(2.0)))


def _np_softplus(a):
    return np.logaddexp(0.0, np.asarray(a, dtype=np.float64))


def _cast_like(ref):
    """Reference computed in float64, cast back to the input's dtype."""
    return lambda a: np.asarray(ref(a)).astype(a.dtype)


# name -> (op, NumPy reference, element strategy, comment on the domain)
UNARY = {
    "exp": (ag.exp, np.exp, floats()),
    # log and sqrt: undefined / not differentiable at 0 -> positive inputs >= 0.1.
    "log": (ag.log, np.log, floats(0.1, 10.0)),
    "sqrt": (ag.sqrt, np.sqrt, floats(0.1, 10.0)),
    "sin": (ag.sin, np.sin, floats()),
    "cos": (ag.cos, np.cos, floats()),
    "tanh": (ag.tanh, np.tanh, floats()),
    "sigmoid": (ag.sigmoid, _cast_like(_np_sigmoid), floats()),
    # relu / abs have a kink at 0: inputs keep 1e-3 away from 0 (the value at 0
    # is covered by the subgradient unit tests below).
    "relu": (ag.relu, lambda a: np.maximum(a, 0), floats(avoid=0)),
    "abs": (abs, np.abs, floats(avoid=0)),
    "gelu": (ag.gelu, _cast_like(_np_gelu), floats()),
    "softplus": (ag.softplus, _cast_like(_np_softplus), floats()),
}

METHODS = ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "gelu"]


@pytest.mark.parametrize("name", sorted(UNARY))
@no_deadline
@given(data=st.data())
def test_unary_forward_matches_numpy(name, data):
    op, ref, elements = UNARY[name]
    x = data.draw(tensors(elements=elements))
    # gelu is the exact erf form; any erf accurate to ~1e-10 passes.
    tol = 1e-10 if name == "gelu" else 1e-12
    check_forward(op, ref, x, rtol=tol, atol=1e-13)


@pytest.mark.parametrize("name", sorted(UNARY))
@no_deadline
@given(data=st.data())
def test_unary_gradients(name, data):
    op, _, elements = UNARY[name]
    x = data.draw(tensors(elements=elements))
    check_gradients(op, x)


@pytest.mark.parametrize("name", sorted(UNARY))
@no_deadline
@given(data=st.data())
def test_unary_float32_stays_float32(name, data):
    op, ref, _ = UNARY[name]
    lo = 0.1 if name in ("log", "sqrt") else -10.0
    x = data.draw(tensors(dtype=np.float32, elements=floats(lo, 10.0, np.float32)))
    out = op(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, ref(x.data.astype(np.float64)), rtol=1e-5,
                               atol=1e-6)
    out.sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.shape == x.shape


@pytest.mark.parametrize("name", METHODS)
def test_method_equals_function(name):
    x = ag.tensor(np.array([[0.5, 1.5], [2.0, 3.0]]))
    np.testing.assert_array_equal(getattr(x, name)().data, getattr(ag, name)(x).data)


def test_abs_operator():
    x = ag.tensor(np.array([-1.5, 2.0]))
    np.testing.assert_array_equal(abs(x).data, [1.5, 2.0])


# leaky_relu has a kink at 0: inputs keep 1e-3 away from 0.
@no_deadline
@given(x=tensors(avoid=0), slope=floats(0.0, 0.5))
def test_leaky_relu(x, slope):
    ref = lambda a: np.where(a > 0, a, slope * a)  # noqa: E731
    check_forward(lambda t: ag.leaky_relu(t, negative_slope=slope), ref, x, rtol=1e-12)
    check_forward(lambda t: t.leaky_relu(slope), ref, x, rtol=1e-12)
    check_gradients(lambda t: ag.leaky_relu(t, slope), x)


def test_leaky_relu_default_slope():
    x = ag.tensor(np.array([-2.0, 3.0]), requires_grad=True)
    y = ag.leaky_relu(x)
    np.testing.assert_allclose(y.data, [-0.02, 3.0])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [0.01, 1.0])


@st.composite
def _clip_case(draw):
    lo = draw(floats(-5.0, 4.0))
    hi = draw(floats(lo + 0.5, 5.0))
    # clip has kinks at lo and hi: inputs keep 1e-3 away from both bounds.
    x = draw(tensors(elements=floats(-8.0, 8.0, avoid=[lo, hi])))
    return x, lo, hi


@no_deadline
@given(case=_clip_case())
def test_clip(case):
    x, lo, hi = case
    check_forward(lambda t: ag.clip(t, lo, hi), lambda a: np.clip(a, lo, hi), x)
    check_forward(lambda t: t.clip(lo, hi), lambda a: np.clip(a, lo, hi), x)
    check_gradients(lambda t: t.clip(lo, hi), x)


def test_clip_one_sided_like_numpy():
    x = ag.tensor(np.array([-2.0, 0.5, 3.0]), requires_grad=True)
    np.testing.assert_array_equal(ag.clip(x, None, 1.0).data, np.clip(x.data, None, 1.0))
    np.testing.assert_array_equal(ag.clip(x, 0.0, None).data, np.clip(x.data, 0.0, None))


# maximum/minimum have a kink where x == y.  x is drawn from multiples of 1/4
# and y from odd multiples of 1/8, so they never tie (gap >= 1/8).
_even_grid = st.integers(-40, 40).map(lambda k: k / 4.0)
_odd_grid = st.integers(-40, 39).map(lambda k: (2 * k + 1) / 8.0)


@st.composite
def _untied_pair(draw):
    sx, sy = draw(broadcastable_shapes())
    x = draw(tensors(sx, elements=_even_grid))
    y = draw(tensors(sy, elements=_odd_grid))
    return (x, y) if draw(st.booleans()) else (y, x)


@pytest.mark.parametrize("name", ["maximum", "minimum"])
@no_deadline
@given(xy=_untied_pair())
def test_maximum_minimum(name, xy):
    x, y = xy
    op, ref = getattr(ag, name), getattr(np, name)
    check_forward(op, ref, x, y)
    check_gradients(op, x, y)


@no_deadline
@given(data=st.data())
def test_where(data):
    sc, sa, sb = data.draw(broadcastable_shapes(3))
    cond = data.draw(hnp.arrays(np.bool_, sc))
    a = data.draw(tensors(sa))
    b = data.draw(tensors(sb))
    check_forward(lambda c, x, y: ag.where(c, x, y), np.where, cond, a, b)
    check_forward(lambda c, x, y: ag.where(ag.tensor(c), x, y), np.where, cond, a, b)
    # The condition is a constant; gradients flow to a where cond, else to b.
    check_gradients(lambda x, y: ag.where(cond, x, y), a, b)


def test_where_with_comparison_condition():
    x = ag.tensor(np.array([-1.0, 2.0, -3.0]), requires_grad=True)
    y = ag.where(x > 0, x, 0.1 * x)
    np.testing.assert_allclose(y.data, [-0.1, 2.0, -0.3])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [0.1, 1.0, 0.1])


# --------------------------------------------------------------------------- subgradients

def _grad_at(fn, values):
    x = ag.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)
    fn(x).sum().backward()
    return x.grad.data


def test_relu_subgradient_at_zero_is_zero():
    np.testing.assert_array_equal(_grad_at(ag.relu, [0.0, -1.0, 2.0]), [0.0, 0.0, 1.0])


def test_abs_subgradient_at_zero_is_zero():
    np.testing.assert_array_equal(_grad_at(abs, [0.0, -1.0, 2.0]), [0.0, -1.0, 1.0])


def test_leaky_relu_subgradient_at_zero_is_negative_slope():
    g = _grad_at(lambda t: ag.leaky_relu(t, negative_slope=0.2), [0.0, -1.0, 2.0])
    np.testing.assert_allclose(g, [0.2, 0.2, 1.0])


def test_clip_passes_gradient_at_boundaries():
    # clip passes the gradient where min <= x <= max (inclusive).
    g = _grad_at(lambda t: ag.clip(t, -1.0, 1.0), [-1.0, 1.0, 0.0, -1.5, 1.5])
    np.testing.assert_array_equal(g, [1.0, 1.0, 1.0, 0.0, 0.0])


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum_ties_split_evenly(name):
    x = ag.tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    y = ag.tensor(np.array([1.0, 0.0, 5.0]), requires_grad=True)
    getattr(ag, name)(x, y).sum().backward()
    if name == "maximum":
        np.testing.assert_array_equal(x.grad.data, [0.5, 1.0, 0.0])
        np.testing.assert_array_equal(y.grad.data, [0.5, 0.0, 1.0])
    else:
        np.testing.assert_array_equal(x.grad.data, [0.5, 0.0, 1.0])
        np.testing.assert_array_equal(y.grad.data, [0.5, 1.0, 0.0])


def test_maximum_with_scalar_tie():
    x = ag.tensor(np.array([0.0, 1.0, -1.0]), requires_grad=True)
    ag.maximum(x, 0.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.5, 1.0, 0.0])


def test_sqrt_and_log_at_zero_follow_ieee():
    with np.errstate(all="ignore"):
        assert ag.log(ag.tensor(np.array(0.0))).item() == -np.inf
        assert ag.sqrt(ag.tensor(np.array(0.0))).item() == 0.0


# --------------------------------------------------------------------------- stability

BIG = 1e4


def _big_values(dtype):
    # Up to 1e4 in magnitude, always including the extremes and 0.
    return hnp.arrays(dtype, st.integers(1, 8), elements=floats(-BIG, BIG, dtype)).map(
        lambda a: np.concatenate([a, np.array([-BIG, BIG, 0.0], dtype=dtype)]))


STABLE = {
    "sigmoid": (ag.sigmoid, _np_sigmoid),
    "softplus": (ag.softplus, _np_softplus),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(STABLE))
@no_deadline
@given(data=st.data())
def test_stable_for_large_inputs(name, dtype, data):
    op, ref = STABLE[name]
    a = data.draw(_big_values(dtype))
    x = ag.tensor(a, requires_grad=True)
    with np.errstate(all="ignore"):
        y = op(x)
    assert y.dtype == dtype
    assert np.all(np.isfinite(y.data)), y.data
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(y.data, ref(a.astype(np.float64)), rtol=tol, atol=tol)
    with np.errstate(all="ignore"):
        y.sum().backward()
    assert np.all(np.isfinite(x.grad.data)), x.grad.data
    # d sigmoid = s (1 - s); d softplus = sigmoid.
    s = _np_sigmoid(a.astype(np.float64))
    expected = s * (1 - s) if name == "sigmoid" else s
    np.testing.assert_allclose(x.grad.data, expected, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@no_deadline
@given(data=st.data())
def test_bce_with_logits_expression_is_stable(dtype, data):
    # Binary cross-entropy with logits, written with API ops:
    #   loss = softplus(x) - x * y  ==  -[y log sigmoid(x) + (1-y) log(1 - sigmoid(x))]
    a = data.draw(_big_values(dtype))
    labels = data.draw(hnp.arrays(dtype, a.shape, elements=st.sampled_from([0.0, 1.0])))
    x = ag.tensor(a, requires_grad=True)
    y = ag.tensor(labels)
    with np.errstate(all="ignore"):
        loss = ag.softplus(x) - x * y
        total = loss.mean()
    assert loss.dtype == dtype
    assert np.all(np.isfinite(loss.data)) and np.isfinite(total.item())
    expected = _np_softplus(a) - a.astype(np.float64) * labels
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(loss.data, expected, rtol=tol, atol=tol)
    with np.errstate(all="ignore"):
        total.backward()
    assert np.all(np.isfinite(x.grad.data))
    np.testing.assert_allclose(x.grad.data, (_np_sigmoid(a) - labels) / a.size,
                               rtol=tol, atol=tol)


@no_deadline
@given(x=tensors())
def test_where_with_scalar_branches(x):
    mask = x.data > 0
    check_forward(lambda t: ag.where(mask, t, 0.0), lambda a: np.where(mask, a, 0.0), x)
    check_forward(lambda t: ag.where(mask, 1.0, t), lambda a: np.where(mask, 1.0, a), x)
    check_gradients(lambda t: ag.where(mask, t, 0.0), x)


def test_comparisons_give_bool_without_gradient():
    x = ag.tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    for out in (x > 0, x >= 1, x < 0, x <= 1, x == 3.0, x != 1.0):
        assert out.dtype == np.bool_ and not out.requires_grad
    np.testing.assert_array_equal((x > 0).data, [True, False, True])


@pytest.mark.parametrize("fn", [ag.erf, ag.gelu])
def test_erf_and_gelu_keep_float16(fn):
    # erf used to turn float16 into float32.
    x = ag.tensor(np.array([-1.0, 0.5], np.float16), requires_grad=True)
    y = fn(x)
    assert y.dtype == np.float16
    y.sum().backward()
    assert x.grad.dtype == np.float16


def test_clip_with_tensor_bounds_broadcasts_and_differentiates_them():
    # Tensor bounds used to raise, broadcast array bounds too; a bound that
    # requires grad gets the gradient where it is the result (as torch.clamp).
    rng = np.random.default_rng(1)
    x = ag.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    lo = ag.tensor(rng.standard_normal(3) * 0.3 - 0.5, requires_grad=True)
    hi = ag.tensor(rng.standard_normal((2, 1)) * 0.3 + 0.5, requires_grad=True)
    np.testing.assert_array_equal(ag.clip(x, lo, hi).data, np.clip(x.data, lo.data, hi.data))
    assert ag.gradcheck(ag.clip, (x, lo, hi))
    assert ag.gradgradcheck(ag.clip, (x, lo, hi))
    assert ag.gradcheck(lambda a, b: ag.clip(a, b, None), (x, lo))
    assert ag.gradcheck(lambda a, c: ag.clip(a, None, c), (x, hi))
    # min > max: max wins (NumPy), so only max gets the gradient there.
    z = ag.tensor(np.array([-1.0, 0.5, 2.0]), requires_grad=True)
    b1 = ag.tensor(np.array(1.0), requires_grad=True)
    b0 = ag.tensor(np.array(0.0), requires_grad=True)
    ag.clip(z, b1, b0).sum().backward()
    assert z.grad.tolist() == [0, 0, 0] and b1.grad.item() == 0 and b0.grad.item() == 3
    # An array bound that broadcasts the result to a bigger shape.
    w = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = ag.clip(w, np.array([[0.0], [1.5]]), None)
    assert y.shape == (2, 2)
    y.sum().backward()
    assert w.grad.tolist() == [1.0, 2.0]


# -- NaN and inf through erf and gelu ------------------------------------------
# The erf series used to loop for ever on NaN. Each call below runs under a time
# limit, so such a regression fails quickly instead of hanging the run.

@contextlib.contextmanager
def _time_limit(seconds=10):
    """Raise TimeoutError in the block once ``seconds`` have passed (POSIX main thread)."""
    main = threading.current_thread() is threading.main_thread()
    if not (hasattr(signal, "setitimer") and main):
        yield                           # no SIGALRM here: run unguarded
        return

    def on_alarm(signum, frame):
        raise TimeoutError(f"still running after {seconds} s (an endless loop?)")
    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_SPECIAL = [0.5, np.nan, np.inf, -np.inf]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_erf_of_nan_is_nan_and_of_inf_is_one(dtype):
    x = ag.tensor(np.array(_SPECIAL, dtype=dtype), requires_grad=True)
    with _time_limit():
        y = ag.erf(x)
        y.sum().backward()
    np.testing.assert_allclose(y.data, [math.erf(0.5), np.nan, 1.0, -1.0], rtol=1e-6)
    np.testing.assert_allclose(x.grad.data, [2 / math.sqrt(math.pi) * math.exp(-0.25), np.nan,
                                             0.0, 0.0], rtol=1e-6)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gelu_of_nan_is_nan_and_of_inf_is_its_limit(approximate, dtype):
    x = ag.tensor(np.array(_SPECIAL, dtype=dtype), requires_grad=True)
    with _time_limit():
        y = ag.gelu(x, approximate=approximate)
        y.sum().backward()
    # gelu(inf) = inf with slope 1, gelu(-inf) = 0 with slope 0; NaN stays NaN.
    assert np.isnan(y.data[1]) and y.data[2] == np.inf and y.data[3] == 0
    assert np.isnan(x.grad.data[1]) and x.grad.data[2] == 1 and x.grad.data[3] == 0
    np.testing.assert_allclose(y.data[0], _np_gelu(0.5), rtol=1e-3)
    # The finite entry's gradient is untouched by the special ones.
    g = ag.grad(lambda t: ag.gelu(t, approximate=approximate).sum())(
        np.array([0.5], dtype=dtype))
    assert g.data[0] == x.grad.data[0]
    # Away from the infinities, gelu still has every derivative.
    z = ag.tensor(np.array([-1.5, 0.3, 2.0]), requires_grad=True)
    assert ag.gradgradcheck(lambda t: ag.gelu(t, approximate=approximate), (z,))


def test_erf_series_needs_no_more_terms_than_allowed():
    # |x| is capped at 6, where the series is longest: still exact to double precision.
    x = np.array([5.5, 5.999, 6.0, -6.0, 7.0, 1e300])
    np.testing.assert_allclose(ag.erf(ag.tensor(x)).data, [math.erf(v) for v in x],
                               rtol=1e-15)


def test_nn_gelu_and_mlp_with_nan_input_finish():
    import nn                           # the layers built on ag.gelu

    x = ag.tensor(np.array([[0.5, np.nan], [1.0, -2.0]]), dtype=np.float32)
    with _time_limit():
        y = nn.GELU()(x)
        model = nn.MLP([2, 3, 1], activation="gelu", seed=0)
        out = model(x)
        out.sum().backward()
    assert np.isnan(y.data[0, 1]) and np.isfinite(y.data[1]).all()
    assert np.isnan(out.data[0, 0]) and np.isfinite(out.data[1, 0])
    assert np.isnan(model.layers[0].weight.grad.data).any()


@pytest.mark.parametrize("op", [
    lambda x: ag.where(x.data > 1, x, 1j),
    lambda x: ag.where(x.data > 1, np.array([1j, 2.0]), x),
    lambda x: ag.maximum(x, 1j),
    lambda x: ag.minimum(np.complex64(1), x),
    lambda x: ag.clip(x, 1j, None),
    lambda x: ag.clip(x, None, np.array([2j])),
    lambda x: ag.exp(np.array([1j])),
    lambda x: ag.leaky_relu(x, 0.1j),
], ids=["where", "where-array", "maximum", "minimum", "clip-min", "clip-max", "exp", "slope"])
def test_complex_operand_raises_type_error(op):
    # A complex operand used to make a complex tensor cut from the graph.
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match="complex"):
        op(x)
