"""NumPy's dispatch protocols on Tensors (autograd_core/numpy_dispatch.py).

Each supported NumPy ufunc and function, called on Tensors: a Tensor with
NumPy's values on the data, in the graph, with the gradients of the matching
``ag.*`` function. Unsupported functions, arguments and ``out=`` targets raise
a ``TypeError`` that names them. ``np.asarray`` and mixed ndarray/Tensor
arithmetic keep working.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.testing import (
    broadcastable_tensors,
    check_forward,
    floats,
    tensors,
    tensors_with_axes,
)

no_deadline = settings(deadline=None)
HOW_TO_ARRAY = r"t\.numpy\(\).*t\.detach\(\)\.numpy\(\)"


def _leaves(inputs):
    """Fresh copies of the Tensor inputs (same requires_grad); other inputs as they are."""
    return [ag.tensor(x.data.copy(), requires_grad=x.requires_grad)
            if isinstance(x, Tensor) else x for x in inputs]


def _run(fn, inputs):
    """``fn`` on fresh leaves, then backward of a weighted sum: (output, leaf gradients)."""
    leaves = _leaves(inputs)
    out = fn(*leaves)
    assert isinstance(out, Tensor), f"expected a Tensor, got {type(out).__name__}"
    if out.requires_grad:
        w = np.random.default_rng(0).standard_normal(out.shape).astype(out.dtype)
        (out * w).sum().backward()
    return out, [x.grad for x in leaves if isinstance(x, Tensor) and x.requires_grad]


def check_dispatch(np_fn, ag_fn, *inputs, rtol=1e-12, atol=1e-12):
    """``np_fn`` on Tensors gives NumPy's values and ``ag_fn``'s graph and gradients."""
    check_forward(np_fn, np_fn, *inputs, rtol=rtol, atol=atol)
    got, got_grads = _run(np_fn, inputs)
    ref, ref_grads = _run(ag_fn, inputs)
    np.testing.assert_allclose(got.data, ref.data, rtol=rtol, atol=atol, equal_nan=True)
    assert got.requires_grad == ref.requires_grad
    if any(isinstance(x, Tensor) and x.requires_grad for x in inputs):
        assert got.requires_grad                # in the graph (np.positive gives t itself)
    assert len(got_grads) == len(ref_grads)
    for g, r in zip(got_grads, ref_grads):
        assert g is not None and r is not None
        np.testing.assert_allclose(g.data, r.data, rtol=1e-10, atol=1e-12, equal_nan=True)
    return got


# --------------------------------------------------------------------------- ufuncs

POSITIVE = floats(0.1, 10.0)

UNARY = {
    "exp": (np.exp, ag.exp, None),
    "log": (np.log, ag.log, POSITIVE),
    "sqrt": (np.sqrt, ag.sqrt, POSITIVE),
    "sin": (np.sin, ag.sin, None),
    "cos": (np.cos, ag.cos, None),
    "tanh": (np.tanh, ag.tanh, None),
    "abs": (np.abs, ag.abs, floats(avoid=0)),
    "absolute": (np.absolute, ag.abs, floats(avoid=0)),
    "negative": (np.negative, ag.neg, None),
    "positive": (np.positive, lambda t: t, None),
    "square": (np.square, lambda t: t * t, None),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@no_deadline
@given(data=st.data())
def test_unary_ufuncs(name, data):
    np_fn, ag_fn, elements = UNARY[name]
    x = data.draw(tensors(elements=elements))
    check_dispatch(np_fn, ag_fn, x)


BINARY = {
    "add": (np.add, ag.add, None),
    "subtract": (np.subtract, ag.sub, None),
    "multiply": (np.multiply, ag.mul, None),
    "divide": (np.divide, ag.div, [None, floats(avoid=0, margin=0.1)]),
    "true_divide": (np.true_divide, ag.div, [None, floats(avoid=0, margin=0.1)]),
    "power": (np.power, ag.pow, [floats(0.5, 3.0), floats(-2.0, 2.0)]),
    "maximum": (np.maximum, ag.maximum, None),
    "minimum": (np.minimum, ag.minimum, None),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@no_deadline
@given(data=st.data())
def test_binary_ufuncs(name, data):
    np_fn, ag_fn, elements = BINARY[name]
    a, b = data.draw(broadcastable_tensors(elements=elements, distinct=name in
                                           ("maximum", "minimum")))
    check_dispatch(np_fn, ag_fn, a, b)
    # One side a plain array: the Tensor side still gets its gradient.
    check_dispatch(np_fn, ag_fn, a.data, b)
    check_dispatch(np_fn, ag_fn, a, b.data)


@pytest.mark.parametrize("shapes", [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)),
                                    ((2, 3), (3, 4)), ((5, 2, 3), (3, 4))])
def test_matmul_ufunc_and_operator(shapes):
    rng = np.random.default_rng(1)
    a, b = (ag.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes)
    check_dispatch(np.matmul, ag.matmul, a, b)
    check_dispatch(lambda x, y: x @ y, ag.matmul, a.data, b)      # ndarray @ Tensor


OPERATORS = {
    "+": (lambda a, b: a + b, ag.add),
    "-": (lambda a, b: a - b, ag.sub),
    "*": (lambda a, b: a * b, ag.mul),
    "/": (lambda a, b: a / b, ag.div),
    "**": (lambda a, b: a ** b, ag.pow),
}


@pytest.mark.parametrize("op", sorted(OPERATORS))
def test_ndarray_operator_tensor_records(op):
    """``array <op> tensor`` now runs through __array_ufunc__: still a Tensor in the graph."""
    fn, ag_fn = OPERATORS[op]
    arr = np.array([[0.5, 1.5, 2.0], [1.0, 3.0, 0.25]])
    t = ag.tensor([0.75, 1.25, 2.5], requires_grad=True)
    out = check_dispatch(fn, ag_fn, arr, t)
    assert out.grad_fn is not None and out.shape == (2, 3)


def test_ndarray_times_tensor_gradient():
    arr = np.array([1.0, 2.0, 3.0])
    t = ag.tensor([4.0, 5.0, 6.0], requires_grad=True)
    y = arr * t
    assert isinstance(y, Tensor) and y.grad_fn is not None
    y.sum().backward()
    np.testing.assert_array_equal(t.grad.data, arr)


def test_numpy_scalar_times_tensor_keeps_numpy_promotion():
    t = ag.tensor([1.0, 2.0], requires_grad=True)          # float32
    assert (np.float32(2) * t).dtype == np.float32
    assert (np.float64(2) * t).dtype == (t * np.float64(2)).dtype
    assert (np.float32(2) * t).grad_fn is not None


COMPARISONS = [np.less, np.less_equal, np.greater, np.greater_equal, np.equal,
               np.not_equal]


@pytest.mark.parametrize("ufunc", COMPARISONS, ids=lambda u: u.__name__)
def test_comparison_ufuncs(ufunc):
    t = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    arr = np.array([2.0, 2.0, 2.0])
    for a, b in [(t, arr), (arr, t), (t, t), (t, 2.0)]:
        out = ufunc(a, b)
        assert isinstance(out, Tensor) and out.dtype == bool
        assert not out.requires_grad and out.grad_fn is None
        np.testing.assert_array_equal(out.data, ufunc(np.asarray(a), np.asarray(b)))


def test_comparison_operators_with_the_array_first():
    t = ag.tensor([1.0, 2.0, 3.0])
    arr = np.array([2.0, 2.0, 2.0])
    for got, expected in [(arr < t, [False, False, True]), (arr == t, [False, True, False]),
                          (arr >= t, [True, True, False])]:
        assert isinstance(got, Tensor)
        np.testing.assert_array_equal(got.data, expected)


@pytest.mark.parametrize("ufunc", [np.isfinite, np.isnan, np.isinf], ids=lambda u: u.__name__)
def test_predicate_ufuncs(ufunc):
    t = ag.tensor([1.0, np.inf, np.nan, -np.inf], requires_grad=True)
    out = ufunc(t)
    assert isinstance(out, Tensor) and out.dtype == bool and not out.requires_grad
    np.testing.assert_array_equal(out.data, ufunc(t.data))


def test_explicit_default_ufunc_arguments_are_accepted():
    t = ag.tensor([1.0, 2.0], requires_grad=True)
    out = np.exp(t, casting="same_kind", where=True, dtype=None)
    assert out.grad_fn is not None
    np.testing.assert_allclose(out.data, np.exp(t.data))


# --------------------------------------------------------------------------- reductions

@pytest.mark.parametrize("np_fn,ag_fn", [(np.sum, ag.sum), (np.mean, ag.mean),
                                         (np.max, ag.max), (np.amax, ag.max),
                                         (np.min, ag.min), (np.amin, ag.min)],
                         ids=["sum", "mean", "max", "amax", "min", "amin"])
@no_deadline
@given(case=tensors_with_axes())
def test_reductions(np_fn, ag_fn, case):
    x, axis, keepdims = case
    check_dispatch(lambda t: np_fn(t, axis=axis, keepdims=keepdims),
                   lambda t: ag_fn(t, axis=axis, keepdims=keepdims), x, rtol=1e-10)
    check_dispatch(lambda t: np_fn(t, axis), lambda t: ag_fn(t, axis), x, rtol=1e-10)


@pytest.mark.parametrize("np_fn,ag_fn", [(np.var, ag.var), (np.std, ag.std)],
                         ids=["var", "std"])
@no_deadline
@given(case=tensors_with_axes(min_dims=1, min_side=2, distinct=True, allow_tuple=False),
       ddof=st.integers(0, 1))
def test_var_std_with_ddof(np_fn, ag_fn, case, ddof):
    x, axis, keepdims = case
    check_dispatch(lambda t: np_fn(t, axis=axis, ddof=ddof, keepdims=keepdims),
                   lambda t: ag_fn(t, axis=axis, ddof=ddof, keepdims=keepdims), x,
                   rtol=1e-9)


@pytest.mark.skipif(np.lib.NumpyVersion(np.__version__) < "2.0.0",
                    reason="correction= is new in NumPy 2.0")
def test_var_correction_is_ddof():
    x = ag.tensor([1.0, 2.0, 4.0, 7.0], requires_grad=True)
    np.testing.assert_allclose(np.var(x, correction=1).data, ag.var(x, ddof=1).data)
    with pytest.raises(ValueError, match="ddof and correction"):
        np.var(x, ddof=1, correction=1)


def test_the_calls_that_used_to_fail():
    """np.sum/np.max went to the Tensor methods with out=, which they do not take."""
    t = ag.tensor([[1.0, 5.0], [3.0, 2.0]], requires_grad=True)
    s, m, mk = np.sum(t, axis=0), np.max(t), np.mean(t, keepdims=True)
    for out in (s, m, mk):
        assert isinstance(out, Tensor) and out.grad_fn is not None
    np.testing.assert_array_equal(s.data, [4.0, 7.0])
    assert m.item() == 5.0 and mk.shape == (1, 1) and mk.item() == 2.75
    (s.sum() + m + mk.sum()).backward()
    np.testing.assert_allclose(t.grad.data, [[1.25, 2.25], [1.25, 1.25]])


# --------------------------------------------------------------------------- elementwise

@no_deadline
@given(x=tensors(shape=(2, 3)), lo=floats(-5, 0), hi=floats(0.5, 5))
def test_clip(x, lo, hi):
    check_dispatch(lambda t: np.clip(t, lo, hi), lambda t: ag.clip(t, lo, hi), x)
    check_dispatch(lambda t: np.clip(t, a_min=lo, a_max=hi), lambda t: ag.clip(t, lo, hi), x)
    check_dispatch(lambda t: np.clip(t, None, hi), lambda t: ag.clip(t, None, hi), x)


@pytest.mark.skipif(np.lib.NumpyVersion(np.__version__) < "2.1.0",
                    reason="min=/max= are new in NumPy 2.1")
def test_clip_min_max_keywords():
    x = ag.tensor([-2.0, 0.5, 3.0], requires_grad=True)
    check_dispatch(lambda t: np.clip(t, min=0.0, max=1.0), lambda t: ag.clip(t, 0.0, 1.0), x)


def test_clip_bounds_that_require_grad():
    x = ag.tensor([-2.0, 0.5, 3.0], requires_grad=True)
    lo = ag.tensor([0.0, 0.0, 0.0], requires_grad=True)
    hi = ag.tensor([1.0, 1.0, 1.0], requires_grad=True)
    check_dispatch(np.clip, ag.clip, x, lo, hi)


@no_deadline
@given(ab=broadcastable_tensors(), mask=st.integers(0, 2 ** 16))
def test_where(ab, mask):
    a, b = ab
    shape = np.broadcast_shapes(a.shape, b.shape)
    cond = (np.arange(int(np.prod(shape))).reshape(shape) * 7 + mask) % 3 == 0
    check_dispatch(np.where, ag.where, cond, a, b)
    check_dispatch(np.where, ag.where, ag.tensor(cond), a, 0.0)


# --------------------------------------------------------------------------- joins and shapes

@st.composite
def _join_case(draw):
    """2 or 3 tensors that agree except along ``axis``."""
    ndim = draw(st.integers(1, 3))
    base = draw(st.lists(st.integers(1, 3), min_size=ndim, max_size=ndim))
    axis = draw(st.integers(-ndim, ndim - 1))
    ts = []
    for _ in range(draw(st.integers(2, 3))):
        shape = list(base)
        shape[axis] = draw(st.integers(1, 3))
        ts.append(draw(tensors(shape=tuple(shape))))
    return ts, axis


@no_deadline
@given(case=_join_case())
def test_concatenate(case):
    ts, axis = case
    check_dispatch(lambda *t: np.concatenate(t, axis=axis),
                   lambda *t: ag.concatenate(t, axis=axis), *ts)
    check_dispatch(lambda *t: np.concatenate(list(t), axis=None),
                   lambda *t: ag.concatenate(t, axis=None), *ts)
    # Tensors and arrays mixed: the Tensors still get their gradients.
    check_dispatch(lambda a, b: np.concatenate([a, b], axis),
                   lambda a, b: ag.concatenate([a, b], axis), ts[0], ts[1].data)


@no_deadline
@given(ts=st.integers(1, 3).flatmap(lambda n: st.lists(
    tensors(shape=(2, 3)), min_size=n, max_size=n)), axis=st.integers(-3, 2))
def test_stack(ts, axis):
    check_dispatch(lambda *t: np.stack(t, axis=axis), lambda *t: ag.stack(t, axis), *ts)


@pytest.mark.parametrize("shapes", [((), ()), ((), (3,)), ((3,), (3,)), ((2, 3), (3,)),
                                    ((3,), (3, 2)), ((2, 3), (3, 4))])
def test_dot(shapes):
    rng = np.random.default_rng(2)
    a, b = (ag.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes)
    check_dispatch(np.dot, ag.dot, a, b)


SHAPE_CASES = {
    "reshape": (lambda t: np.reshape(t, (3, 2)), lambda t: t.reshape(3, 2)),
    "reshape -1": (lambda t: np.reshape(t, -1), lambda t: t.reshape(-1)),
    "ravel": (np.ravel, lambda t: t.reshape(-1)),
    "transpose": (np.transpose, lambda t: t.transpose()),
    "transpose axes": (lambda t: np.transpose(t, (1, 0)), lambda t: t.transpose(1, 0)),
    "swapaxes": (lambda t: np.swapaxes(t, 0, 1), lambda t: t.swapaxes(0, 1)),
    "expand_dims": (lambda t: np.expand_dims(t, 1), lambda t: t.expand_dims(1)),
    "expand_dims tuple": (lambda t: np.expand_dims(t, (0, 3)),
                          lambda t: t.expand_dims((0, 3))),
    "squeeze": (lambda t: np.squeeze(np.expand_dims(t, 0)), lambda t: t),
    "squeeze axis": (lambda t: np.squeeze(np.expand_dims(t, 2), axis=2), lambda t: t),
    "broadcast_to": (lambda t: np.broadcast_to(t, (4, 2, 3)),
                     lambda t: t.broadcast_to((4, 2, 3))),
    "pad": (lambda t: np.pad(t, 1), lambda t: ag.pad(t, 1)),
    "pad widths": (lambda t: np.pad(t, ((0, 1), (2, 0)), constant_values=1.5),
                   lambda t: ag.pad(t, ((0, 1), (2, 0)), constant_values=1.5)),
    "pad mode": (lambda t: np.pad(t, (1, 2), mode="constant"), lambda t: ag.pad(t, (1, 2))),
}


@pytest.mark.parametrize("name", sorted(SHAPE_CASES))
@no_deadline
@given(x=tensors(shape=(2, 3)))
def test_shape_functions(name, x):
    np_fn, ag_fn = SHAPE_CASES[name]
    check_dispatch(np_fn, ag_fn, x)


# --------------------------------------------------------------------------- no gradient

def test_functions_without_gradient_answer_from_the_data():
    t = ag.tensor([[1.0, -2.0, 3.0]], requires_grad=True)
    assert np.shape(t) == (1, 3) and np.ndim(t) == 2 and np.size(t) == 3
    assert np.size(t, 1) == 3
    assert np.result_type(t, np.float64) == np.float64
    assert np.allclose(t, t.data) is True and np.array_equal(t, t.data) is True
    for out, expected in [(np.all(t > -5), True), (np.any(t > 5), False),
                          (np.all(t > 0, axis=0), [True, False, True])]:
        assert isinstance(out, Tensor) and out.dtype == bool and not out.requires_grad
        np.testing.assert_array_equal(out.data, expected)
    close = np.isclose(t, t.data + 1e-12)
    assert isinstance(close, Tensor) and close.data.all()


def test_asarray_and_array_still_give_arrays():
    t = ag.tensor([1.0, 2.0], requires_grad=True)
    a = np.asarray(t)
    assert type(a) is np.ndarray and a is t.data
    b = np.array(t)
    assert type(b) is np.ndarray and b is not t.data
    np.testing.assert_array_equal(b, t.data)
    np.testing.assert_allclose(t, [1.0, 2.0])            # converts with asanyarray


# --------------------------------------------------------------------------- unsupported

UNSUPPORTED = {
    "np.fft.fft": lambda t: np.fft.fft(t),
    "np.linalg.norm": lambda t: np.linalg.norm(t),
    "np.cumsum": lambda t: np.cumsum(t),
    "np.sort": lambda t: np.sort(t),
    "np.copy": lambda t: np.copy(t),
    "np.round": lambda t: np.round(t),
    "np.log1p": lambda t: np.log1p(t),
    "np.floor": lambda t: np.floor(t),
    "np.floor_divide": lambda t: np.array([1.0, 2.0]) // t,
    "np.add.accumulate": lambda t: np.add.accumulate(t),
    "np.multiply.outer": lambda t: np.multiply.outer(t, t),
    "np.add.reduce": lambda t: np.add.reduce(t),
}


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_unsupported_functions_raise_naming_them(name):
    t = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match=rf"^{name} is not supported on Tensors") as info:
        UNSUPPORTED[name](t)
    assert "Tensor (2,) float32" in str(info.value)
    assert "t.numpy()" in str(info.value) and "t.detach().numpy()" in str(info.value)


def test_reduce_suggests_the_reduction():
    with pytest.raises(TypeError, match=r"np\.sum\(t, axis=\.\.\.\)"):
        np.add.reduce(ag.tensor([1.0, 2.0]))


def test_where_with_one_argument_raises():
    with pytest.raises(TypeError, match=r"np\.where\(condition\) with one argument.*nonzero"):
        np.where(ag.tensor([True, False]))


REFUSED = {
    "sum dtype": (lambda t: np.sum(t, dtype=np.float64), "np.sum", "dtype=float64"),
    "sum initial": (lambda t: np.sum(t, initial=1.0), "np.sum", "initial=1.0"),
    "sum where": (lambda t: np.sum(t, where=np.array([True, False])), "np.sum", "where="),
    "mean dtype": (lambda t: np.mean(t, dtype=np.float64), "np.mean", "dtype="),
    "max initial": (lambda t: np.max(t, initial=0.0), "np.max", "initial=0.0"),
    "amin where": (lambda t: np.amin(t, where=np.array([True, False]), initial=9.0),
                   "np.amin", "initial="),
    "std dtype": (lambda t: np.std(t, dtype=np.float64), "np.std", "dtype="),
    "concatenate dtype": (lambda t: np.concatenate([t, t], dtype=np.float64),
                          "np.concatenate", "dtype="),
    "stack casting": (lambda t: np.stack([t, t], casting="unsafe"), "np.stack", "casting="),
    "reshape order": (lambda t: np.reshape(t, (2, 1), order="F"), "np.reshape", "order='F'"),
    "ravel order": (lambda t: np.ravel(t, order="K"), "np.ravel", "order='K'"),
    "pad mode": (lambda t: np.pad(t, 1, mode="edge"), "np.pad", "mode='edge'"),
    "pad stat_length": (lambda t: np.pad(t, 1, stat_length=2), "np.pad", "stat_length=2"),
    "exp dtype": (lambda t: np.exp(t, dtype=np.float64), "np.exp", "dtype=float64"),
    "add where": (lambda t: np.add(t, 1.0, where=np.array([True, False])), "np.add",
                  "where="),
    "matmul axes": (lambda t: np.matmul(t, t, axes=[(0,), (0,), ()]), "np.matmul", "axes="),
    "clip dtype": (lambda t: np.clip(t, 0, 1, dtype=np.float64), "np.clip", "dtype="),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_arguments_the_engine_cannot_honour_raise(name):
    call, fn_name, arg = REFUSED[name]
    t = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError) as info:
        call(t)
    msg = str(info.value)
    assert msg.startswith(fn_name + ":") and f"the argument {arg}" in msg, msg


def test_pad_refuses_a_constant_that_requires_grad():
    t = ag.tensor([1.0, 2.0])
    value = ag.tensor(3.0, requires_grad=True)
    with pytest.raises(TypeError, match="np.pad: constant_values .* requires grad"):
        np.pad(t, 1, constant_values=value)
    out = np.pad(t, 1, constant_values=value.detach())
    np.testing.assert_array_equal(out.data, [3.0, 1.0, 2.0, 3.0])


class _Other:
    """Another library's array type: it handles Tensors itself."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return "other ufunc"

    def __array_function__(self, func, types, args, kwargs):
        return "other function"


def test_other_libraries_get_their_turn():
    t = ag.tensor([1.0, 2.0])
    assert np.add(t, _Other()) == "other ufunc"
    assert np.concatenate([t, _Other()]) == "other function"


class _Sub(Tensor):
    __slots__ = ()


def test_tensor_subclasses_dispatch_too():
    s = _Sub([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0]) * s + np.sum(s)
    assert isinstance(y, Tensor) and y.grad_fn is not None
    y.sum().backward()
    np.testing.assert_array_equal(s.grad.data, [5.0, 6.0])


# --------------------------------------------------------------------------- out=

def test_augmented_assignment_into_an_array_refuses_to_drop_the_graph():
    arr = np.zeros(2)
    t = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match=r"np\.add\(\.\.\., out=ndarray\).*drop the graph"):
        arr += t
    np.testing.assert_array_equal(arr, [0.0, 0.0])
    with pytest.raises(TypeError, match="drop the graph"):
        np.exp(t, out=np.empty(2))
    with pytest.raises(TypeError, match=r"np\.sum\(\.\.\., out=ndarray\)"):
        np.sum(t, out=np.empty(()))


def test_out_array_without_gradient_is_written():
    arr = np.zeros(2)
    before = arr
    arr += ag.tensor([1.0, 2.0])
    assert arr is before
    np.testing.assert_array_equal(arr, [1.0, 2.0])
    t = ag.tensor([1.0, 2.0], requires_grad=True)
    with ag.no_grad():                       # nothing is recorded, so nothing is lost
        assert np.multiply(arr, t, out=arr) is arr
        out = np.empty(())
        assert np.sum(t, out=out) is out and out == 3.0
    np.testing.assert_array_equal(arr, [1.0, 4.0])
    mask = np.empty(2, dtype=bool)                  # no gradient in a comparison
    assert np.less(t, 1.5, out=mask) is mask
    np.testing.assert_array_equal(mask, [True, False])
    out = np.empty(4)
    np.concatenate([t.detach(), arr], out=out)
    np.testing.assert_array_equal(out, [1.0, 2.0, 1.0, 4.0])


def test_out_tensor_calls_the_inplace_method(monkeypatch):
    calls = []

    def recorder(name):
        def method(self, other):
            calls.append((name, self, other))
            return self
        return method

    for name in ("add_", "sub_", "mul_", "div_"):
        monkeypatch.setattr(Tensor, name, recorder(name), raising=False)
    t = ag.tensor([1.0, 2.0])
    arr = np.array([3.0, 4.0])
    assert np.add(t, 2.0, out=t) is t
    assert np.multiply(arr, t, out=t) is t              # commutative: t.mul_(arr)
    assert np.subtract(t, arr, out=(t,)) is t
    assert np.divide(t, 4.0, out=t) is t
    assert [(n, o) for n, s, o in calls if s is t] == [("add_", 2.0), ("mul_", arr),
                                                        ("sub_", arr), ("div_", 4.0)]
    with pytest.raises(TypeError, match=r"np\.subtract\(a, b, out=t\).*t\.sub_\(b\)"):
        np.subtract(arr, t, out=t)                      # not t.sub_(arr)
    with pytest.raises(TypeError, match=r"np\.exp\(\.\.\., out=Tensor\)"):
        np.exp(t, out=t)
    with pytest.raises(TypeError, match=r"np\.sum\(\.\.\., out=Tensor\)"):
        np.sum(t, out=t)


def test_out_tensor_without_the_inplace_method_raises(monkeypatch):
    monkeypatch.delattr(Tensor, "add_", raising=False)
    t = ag.tensor([1.0, 2.0])
    with pytest.raises(TypeError, match=r"np\.add\(.*out=Tensor\) needs .*Tensor\.add_"):
        np.add(t, 1.0, out=t)


@pytest.mark.skipif(not hasattr(Tensor, "add_"), reason="the in-place methods are not there")
def test_out_tensor_really_updates_in_place():
    t = ag.tensor([1.0, 2.0])
    data = t.data
    assert np.add(t, 1.0, out=t) is t and t.data is data
    np.testing.assert_array_equal(t.data, [2.0, 3.0])


def test_writing_a_tensors_memory_through_out_counts_as_a_write():
    w = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = (w * w).sum()
    y.backward(retain_graph=True)
    with ag.no_grad():
        arr = w.numpy()
        arr -= 0.1 * w.grad         # np.subtract(arr, Tensor, out=arr)
    assert w._version == 1
    with pytest.raises(RuntimeError, match="in-place operation: Mul saved"):
        y.backward()
    mask = ag.tensor([False, False])
    np.greater(w, 1.5, out=mask.numpy())
    assert mask._version == 1
    np.testing.assert_array_equal(mask.data, [False, True])


def test_copyto_names_the_tensor_method_that_does_it():
    t = ag.tensor([1.0, 2.0])
    with pytest.raises(TypeError, match=r"np.copyto .*t.copy_\(src\)"):
        np.copyto(t, [3.0, 4.0])
    np.testing.assert_array_equal(t.data, [1.0, 2.0])
