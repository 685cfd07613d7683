"""gradcheck / gradgradcheck."""
import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from autograd_core import Tensor


def leaf(values, dtype=np.float64):
    return Tensor(np.array(values, dtype=dtype), requires_grad=True)


def floats_in(msg):
    return [float(s) for s in re.findall(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?", msg)]


def mentions_value(msg, value, rtol=1e-4):
    return any(abs(f - value) <= rtol * abs(value) for f in floats_in(msg))


class DoubleGrad(ag.Function):
    """x**2 whose backward gives twice the right gradient."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 4 * x


class WrongAtOneElement(ag.Function):
    """a * b elementwise; the gradient for b is 3x too big at element (1, 2) only."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        mask = np.ones(a.shape)
        mask[1, 2] = 3.0
        return g * b, g * a * Tensor(mask)


class SquareDetached(ag.Function):
    """x**2; first order right, but the backward detaches x (second order wrong)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 2 * x.detach()


class SquareNumpyBackward(ag.Function):
    """x**2; first order right, backward through NumPy (no graph at all)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return Tensor(2 * x.data * g.data)


class SlightlyOff(ag.Function):
    """x**2 with a relative error of 1e-4 in the gradient."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 2 * x * (1 + 1e-4)


# --------------------------------------------------------------------------- #
# gradcheck
# --------------------------------------------------------------------------- #

def test_gradcheck_passes_on_correct_ops():
    rng = np.random.default_rng(0)
    x = leaf(rng.normal(size=(3, 4)))
    w = leaf(rng.normal(size=(4, 2)))
    b = leaf(rng.normal(size=(2,)))
    assert ag.gradcheck(lambda x: (x * x).sin(), (x,)) is True
    assert ag.gradcheck(lambda x, w, b: (x @ w + b).tanh(), (x, w, b)) is True
    assert ag.gradcheck(lambda x: x.exp().sum() * x.mean(), (x,)) is True


def test_gradcheck_ignores_inputs_not_requiring_grad():
    # WrongAtOneElement is wrong only for its second input; that input needs no grad here.
    a = leaf(np.arange(6.0).reshape(2, 3) + 1)
    b = Tensor(np.ones((2, 3)))
    assert ag.gradcheck(WrongAtOneElement.apply, (a, b))


def test_gradcheck_does_not_change_inputs():
    v = np.array([0.5, 1.5, -2.0])
    x = leaf(v)
    ag.gradcheck(lambda t: t.exp(), (x,))
    np.testing.assert_array_equal(x.data, v)
    assert x.requires_grad


@pytest.mark.parametrize("layout", ["fortran", "transposed", "strided"])
def test_gradcheck_non_contiguous_inputs(layout):
    base = np.arange(1.0, 13.0).reshape(3, 4) / 4
    data = {"fortran": np.asfortranarray(base), "transposed": base.T,
            "strided": base[:, ::2]}[layout]
    x = Tensor(data, requires_grad=True)
    assert ag.gradcheck(lambda t: t * t, (x,))
    assert ag.gradgradcheck(lambda t: t * t.sin(), (x,))


def test_gradcheck_wrong_gradient_raises():
    x = leaf([1.0, 2.0, 3.0])
    with pytest.raises(ag.GradcheckError):
        ag.gradcheck(DoubleGrad.apply, (x,))


def test_gradcheck_error_names_input_element_and_values():
    a_vals = np.array([[1.1, 1.2, 1.3], [1.4, 1.6, 1.75]])
    a = leaf(a_vals)
    b = leaf(np.full((2, 3), 0.25))
    with pytest.raises(ag.GradcheckError) as info:
        ag.gradcheck(WrongAtOneElement.apply, (a, b))
    msg = str(info.value)
    # input index 1
    assert re.search(r"input[^0-9]{0,12}1\b", msg, re.IGNORECASE), msg
    # element (1, 2), multi-index or flat index 5
    assert re.search(r"\(1, ?2\)|\[1, ?2\]|(?<![\d.])5(?![\d.])", msg), msg
    # numerical 1.75 and analytical 3 * 1.75 = 5.25
    assert mentions_value(msg, 1.75), msg
    assert mentions_value(msg, 5.25), msg


def test_gradcheck_raise_exception_false_returns_false():
    x = leaf([1.0, 2.0, 3.0])
    assert ag.gradcheck(DoubleGrad.apply, (x,), raise_exception=False) is False


def test_gradcheck_tolerances_are_used():
    x = leaf([1.0, 2.0, 3.0])
    assert ag.gradcheck(SlightlyOff.apply, (x,))                     # within rtol=1e-3
    assert ag.gradcheck(SlightlyOff.apply, (x,), atol=1e-9, rtol=1e-7,
                        raise_exception=False) is False


def test_gradcheck_eps_is_used():
    x = leaf([1.0, 2.0])
    # central differences of x**3 are off by eps**2: fine for 1e-6, not for 0.1
    assert ag.gradcheck(lambda t: t ** 3, (x,))
    assert ag.gradcheck(lambda t: t ** 3, (x,), eps=0.1, raise_exception=False) is False


def test_gradcheck_float32_warns():
    x = leaf([1.0, 2.0], dtype=np.float32)
    with pytest.warns(Warning) as rec:
        try:
            ag.gradcheck(lambda t: t * 2, (x,), raise_exception=False)
        except ag.GradcheckError:
            pass
    assert any("float" in str(w.message).lower() for w in rec)


def test_gradcheck_float64_does_not_warn():
    x = leaf([1.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ag.gradcheck(lambda t: t.sin(), (x,))


@settings(deadline=None)
@given(x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=2, max_side=3),
                    elements=st.floats(-2, 2)))
def test_gradcheck_property_smooth_composite(x):
    t = Tensor(x, requires_grad=True)
    assert ag.gradcheck(lambda a: (a.sin() * a + a.exp() / 3).tanh(), (t,))


# --------------------------------------------------------------------------- #
# gradgradcheck
# --------------------------------------------------------------------------- #

def test_gradgradcheck_passes_on_correct_ops():
    rng = np.random.default_rng(1)
    x = leaf(rng.normal(size=(2, 3)))
    w = leaf(rng.normal(size=(3, 2)))
    assert ag.gradgradcheck(lambda x: x.sin() * x, (x,)) is True
    assert ag.gradgradcheck(lambda x, w: (x @ w).tanh(), (x, w)) is True


@pytest.mark.parametrize("fn", [SquareDetached, SquareNumpyBackward])
def test_gradgradcheck_detects_wrong_double_backward(fn):
    x = leaf([1.0, -2.0, 0.5])
    assert ag.gradcheck(fn.apply, (x,))            # first order is right
    with pytest.raises(ag.GradcheckError):
        ag.gradgradcheck(fn.apply, (x,))
    assert ag.gradgradcheck(fn.apply, (x,), raise_exception=False) is False


class _NanGrad(ag.Function):
    @staticmethod
    def forward(ctx, x):
        return x.data * 2

    @staticmethod
    def backward(ctx, g):
        return g * np.nan


def test_gradcheck_fails_on_a_nan_gradient():
    # nan compares false with everything: "|a - n| > tol" used to let it pass.
    x = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    assert ag.gradcheck(_NanGrad.apply, x, raise_exception=False) is False
    with pytest.raises(ag.GradcheckError, match="analytic nan"):
        ag.gradcheck(_NanGrad.apply, x)
    # Second order too: d/dx (x**0) used to be nan at x = 0 and pass.
    assert ag.gradgradcheck(lambda t: _NanGrad.apply(t) * t, x, raise_exception=False) is False


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_gradcheck_failure_on_a_coarse_input_says_to_use_float64(dtype):
    # x**3 at 1 has gradient 3, but float32 differences give 2.95: the error used
    # to blame the gradient without saying why.
    x = leaf([1.0], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ag.GradcheckError) as info:
            ag.gradcheck(lambda t: t ** 3, (x,))
        with pytest.raises(ag.GradcheckError) as info2:
            ag.gradgradcheck(lambda t, u: t ** 3 * u, (x, leaf([2.0])))
    for msg in (str(info.value), str(info2.value)):
        assert f"input 0 is {np.dtype(dtype).name}" in msg
        assert "too coarse for finite differences" in msg and "astype(np.float64)" in msg
    # A float64 input's mismatch is a real one: no such note.
    with pytest.raises(ag.GradcheckError) as info3:
        ag.gradcheck(DoubleGrad.apply, (leaf([1.0, 2.0]),))
    assert "coarse" not in str(info3.value)
