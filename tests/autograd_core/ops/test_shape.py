"""Property tests of autograd_core/ops/shape.py.

reshape transpose swapaxes flatten squeeze expand_dims broadcast_to
concatenate stack pad: forward against NumPy on drawn shapes and arguments,
gradcheck and gradgradcheck in float64, and the NumPy-style errors.
"""
import numpy as np
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core.testing import check_forward, check_gradients, shapes, tensors

no_deadline = settings(deadline=None)


def _prime_factors(n):
    out, p = [], 2
    while n > 1:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    return out


@st.composite
def _reshape_case(draw):
    """A tensor and a target shape with the same number of elements (maybe with -1)."""
    x = draw(tensors())
    factors = draw(st.permutations(_prime_factors(x.size)))
    cuts = sorted(draw(st.lists(st.integers(0, len(factors)), max_size=3)))
    bounds = [0] + cuts + [len(factors)]
    dims = [int(np.prod(factors[a:b], dtype=np.int64)) for a, b in zip(bounds, bounds[1:])]
    dims = draw(st.permutations(dims))[: 4]
    if int(np.prod(dims, dtype=np.int64)) != x.size:
        dims = [x.size]
    dims = tuple(dims)
    if dims and draw(st.booleans()):
        i = draw(st.integers(0, len(dims) - 1))
        dims = dims[:i] + (-1,) + dims[i + 1:]
    return x, dims


@no_deadline
@given(case=_reshape_case())
def test_reshape(case):
    x, target = case
    ref = lambda a: np.reshape(a, target)  # noqa: E731
    check_forward(lambda t: t.reshape(target), ref, x)
    if target:
        check_forward(lambda t: t.reshape(*target), ref, x)
    check_forward(lambda t: ag.reshape(t, target), ref, x)
    check_gradients(lambda t: t.reshape(target), x)


def test_reshape_wrong_size_raises():
    with pytest.raises(ValueError):
        ag.tensor(np.zeros((2, 3))).reshape(4, 2)


@st.composite
def _transpose_case(draw):
    x = draw(tensors(max_dims=4, max_side=3))
    perm = draw(st.permutations(range(x.ndim)))
    # NumPy accepts negative axes in the permutation too.
    perm = tuple(p - x.ndim if draw(st.booleans()) else p for p in perm)
    return x, perm


@no_deadline
@given(case=_transpose_case())
def test_transpose(case):
    x, perm = case
    ref = lambda a: np.transpose(a, perm)  # noqa: E731
    with warnings.catch_warnings():
        # transpose(0, 1) on a 2-D tensor warns (a PyTorch user means a swap);
        # that is tested in test_pytorch_spellings.py.
        warnings.simplefilter("ignore", UserWarning)
        check_forward(lambda t: t.transpose(*perm), ref, x)
    check_forward(lambda t: t.transpose(perm), ref, x)
    check_forward(lambda t: ag.transpose(t, perm), ref, x)
    check_forward(lambda t: t.transpose(), np.transpose, x)
    check_forward(lambda t: t.T, lambda a: a.T, x)
    check_gradients(lambda t: t.transpose(tuple(perm)), x)


@st.composite
def _swapaxes_case(draw):
    x = draw(tensors(min_dims=1))
    a = draw(st.integers(-x.ndim, x.ndim - 1))
    b = draw(st.integers(-x.ndim, x.ndim - 1))
    return x, a, b


@no_deadline
@given(case=_swapaxes_case())
def test_swapaxes(case):
    x, a, b = case
    ref = lambda arr: np.swapaxes(arr, a, b)  # noqa: E731
    check_forward(lambda t: t.swapaxes(a, b), ref, x)
    check_forward(lambda t: ag.swapaxes(t, a, b), ref, x)
    check_gradients(lambda t: t.swapaxes(a, b), x)


def _np_flatten(a, start):
    start = start % a.ndim
    return a.reshape(a.shape[:start] + (-1,))


@st.composite
def _flatten_case(draw):
    x = draw(tensors(min_dims=1, max_dims=4, max_side=3))
    start = draw(st.integers(-x.ndim, x.ndim - 1))
    return x, start


@no_deadline
@given(case=_flatten_case())
def test_flatten(case):
    # flatten(start_axis) flattens from start_axis to the end, like torch.flatten.
    x, start = case
    check_forward(lambda t: t.flatten(start), lambda a: _np_flatten(a, start), x)
    check_forward(lambda t: ag.flatten(t, start_axis=start),
                  lambda a: _np_flatten(a, start), x)
    check_forward(lambda t: t.flatten(), lambda a: a.reshape(-1), x)
    check_gradients(lambda t: t.flatten(start), x)


def test_flatten_0d_gives_1d_like_torch():
    assert ag.tensor(np.array(3.0)).flatten().shape == (1,)


@st.composite
def _squeeze_case(draw):
    # Sides 1..2 so that size-1 axes are common.
    x = draw(tensors(max_dims=4, max_side=2))
    ones = [i for i, n in enumerate(x.shape) if n == 1]
    choices = [None] + ones + [i - x.ndim for i in ones]
    if len(ones) >= 2:
        choices.append(tuple(ones[:2]))
    axis = draw(st.sampled_from(choices))
    return x, axis


@no_deadline
@given(case=_squeeze_case())
def test_squeeze(case):
    x, axis = case
    ref = lambda a: np.squeeze(a, axis=axis)  # noqa: E731
    if axis is None:
        check_forward(lambda t: t.squeeze(), ref, x)
    check_forward(lambda t: t.squeeze(axis), ref, x)
    check_forward(lambda t: ag.squeeze(t, axis=axis), ref, x)
    check_gradients(lambda t: t.squeeze(axis), x)


def test_squeeze_non_unit_axis_raises_like_numpy():
    x = ag.tensor(np.zeros((1, 3)))
    with pytest.raises(ValueError):
        x.squeeze(1)
    with pytest.raises(ValueError):
        ag.squeeze(x, axis=-1)


@st.composite
def _expand_dims_case(draw):
    x = draw(tensors())
    axis = draw(st.integers(-(x.ndim + 1), x.ndim))
    return x, axis


@no_deadline
@given(case=_expand_dims_case())
def test_expand_dims(case):
    x, axis = case
    ref = lambda a: np.expand_dims(a, axis)  # noqa: E731
    check_forward(lambda t: t.expand_dims(axis), ref, x)
    check_forward(lambda t: ag.expand_dims(t, axis), ref, x)
    check_gradients(lambda t: t.expand_dims(axis), x)


@st.composite
def _broadcast_to_case(draw):
    # Sides 1..2 so that size-1 axes (which broadcast) are common.
    x = draw(tensors(max_side=2))
    extra = draw(st.lists(st.integers(1, 3), max_size=2))
    dims = [draw(st.integers(1, 3)) if n == 1 else n for n in x.shape]
    return x, tuple(extra) + tuple(dims)


@no_deadline
@given(case=_broadcast_to_case())
def test_broadcast_to(case):
    x, target = case
    ref = lambda a: np.broadcast_to(a, target)  # noqa: E731
    check_forward(lambda t: t.broadcast_to(target), ref, x)
    check_forward(lambda t: ag.broadcast_to(t, target), ref, x)
    check_gradients(lambda t: t.broadcast_to(target), x)


def test_broadcast_to_incompatible_raises():
    with pytest.raises(ValueError):
        ag.tensor(np.zeros((2, 3))).broadcast_to((4, 3, 2))


# --------------------------------------------------------------------------- concatenate / stack

@st.composite
def _concatenate_case(draw):
    base = draw(shapes(min_dims=1, max_side=3))
    axis = draw(st.integers(-len(base), len(base) - 1))
    n = draw(st.integers(1, 3))
    ts = []
    for _ in range(n):
        shape = list(base)
        shape[axis] = draw(st.integers(1, 3))
        ts.append(draw(tensors(tuple(shape))))
    return ts, axis


@no_deadline
@given(case=_concatenate_case())
def test_concatenate(case):
    ts, axis = case
    check_forward(lambda *t: ag.concatenate(list(t), axis=axis),
                  lambda *a: np.concatenate(a, axis=axis), *ts)
    check_forward(lambda *t: ag.concatenate(t, axis), lambda *a: np.concatenate(a, axis),
                  *ts)
    check_gradients(lambda *t: ag.concatenate(list(t), axis=axis), *ts)


def test_concatenate_default_axis_and_mixed_requires_grad():
    a = ag.tensor(np.ones((1, 2)), requires_grad=True)
    b = ag.tensor(np.zeros((2, 2)))
    y = ag.concatenate([a, b])
    assert y.shape == (3, 2)
    (y * ag.tensor(np.arange(6.0).reshape(3, 2))).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [[0.0, 1.0]])
    assert b.grad is None


@st.composite
def _stack_case(draw):
    shape = draw(shapes(max_side=3))
    axis = draw(st.integers(-(len(shape) + 1), len(shape)))
    n = draw(st.integers(1, 3))
    ts = [draw(tensors(shape)) for _ in range(n)]
    return ts, axis


@no_deadline
@given(case=_stack_case())
def test_stack(case):
    ts, axis = case
    check_forward(lambda *t: ag.stack(list(t), axis=axis),
                  lambda *a: np.stack(a, axis=axis), *ts)
    check_forward(lambda *t: ag.stack(t, axis), lambda *a: np.stack(a, axis), *ts)
    check_gradients(lambda *t: ag.stack(list(t), axis=axis), *ts)


def test_concatenate_mismatched_shapes_raises_naming_op():
    a = ag.tensor(np.zeros((2, 3)))
    b = ag.tensor(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="concatenate"):
        ag.concatenate([a, b], axis=0)
    with pytest.raises(ValueError, match="concatenate"):
        ag.concatenate([a, ag.tensor(np.zeros(3))], axis=0)


def test_stack_mismatched_shapes_raises_naming_op():
    a = ag.tensor(np.zeros((2, 3)))
    b = ag.tensor(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="stack"):
        ag.stack([a, b])


# --------------------------------------------------------------------------- pad

@st.composite
def _pad_case(draw):
    x = draw(tensors(min_dims=1, max_side=3))
    kind = draw(st.sampled_from(["int", "pair", "per_axis", "per_axis_single"]))
    width = st.integers(0, 2)
    if kind == "int":
        pw = draw(width)
    elif kind == "pair":
        pw = (draw(width), draw(width))
    elif kind == "per_axis":
        pw = tuple((draw(width), draw(width)) for _ in range(x.ndim))
    else:  # ((before, after),) applies to every axis, as NumPy
        pw = ((draw(width), draw(width)),)
    value = draw(st.sampled_from([0, 0.0, 1.5, -2.0]))
    return x, pw, value


@no_deadline
@given(case=_pad_case())
def test_pad(case):
    x, pw, value = case
    check_forward(lambda t: ag.pad(t, pw, constant_values=value),
                  lambda a: np.pad(a, pw, constant_values=value), x)
    if value == 0:
        check_forward(lambda t: ag.pad(t, pw), lambda a: np.pad(a, pw), x)
    check_gradients(lambda t: ag.pad(t, pw, constant_values=value), x)


def test_pad_gradient_is_the_interior():
    x = ag.tensor(np.ones((2, 2)), requires_grad=True)
    y = ag.pad(x, ((1, 0), (0, 2)), constant_values=7.0)
    assert y.shape == (3, 4)
    np.testing.assert_array_equal(y.data[0], [7.0] * 4)
    (y * ag.tensor(np.arange(12.0).reshape(3, 4))).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[4.0, 5.0], [8.0, 9.0]])


def test_concatenate_0d_raises_naming_op():
    with pytest.raises(ValueError, match="concatenate"):
        ag.concatenate([ag.tensor(np.array(1.0)), ag.tensor(np.array(2.0))])


def test_shape_ops_keep_float32():
    x = ag.tensor(np.ones((2, 1, 3), dtype=np.float32), requires_grad=True)
    outs = [x.reshape(3, 2), x.transpose(2, 0, 1), x.swapaxes(0, 2), x.flatten(1),
            x.squeeze(), x.expand_dims(0), x.broadcast_to((4, 2, 2, 3)),
            ag.concatenate([x, x], axis=1), ag.stack([x, x]), ag.pad(x, 1)]
    for out in outs:
        assert out.dtype == np.float32
    sum(o.sum() for o in outs).backward()
    assert x.grad.dtype == np.float32 and x.grad.shape == x.shape


def test_astype_gradient_flows_back_in_the_input_dtype():
    # float32 -> float64 -> loss: the gradient comes back as float32, same values.
    x = ag.tensor(np.array([1.0, -2.0, 3.0], dtype=np.float32), requires_grad=True)
    y = x.astype(np.float64)
    assert y.dtype == np.float64 and y.grad_fn is not None
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.data, 2 * x.data)


def test_astype_to_int_is_not_differentiable():
    x = ag.tensor(np.array([1.7, -2.2]), requires_grad=True)
    y = x.astype(np.int64)
    assert y.dtype == np.int64 and not y.requires_grad and y.grad_fn is None
    np.testing.assert_array_equal(y.data, [1, -2])


def test_astype_gradgradcheck_float64():
    x = ag.tensor(np.array([[0.5, -1.5], [2.0, 0.25]]), requires_grad=True)
    assert ag.gradgradcheck(lambda t: t.astype(np.float64) ** 3, (x,))


def test_transpose_rejects_out_of_range_axes():
    # (0, 1, 5) used to wrap round to (0, 1, 2) and pass silently.
    x = ag.zeros(2, 3, 4)
    with pytest.raises(ValueError, match="transpose"):
        x.transpose(0, 1, 5)
    with pytest.raises(ValueError, match="transpose"):
        x.transpose(-4, 1, 2)
    assert x.transpose(-3, 2, 1).shape == (2, 4, 3)


def test_concatenate_axis_none_flattens_like_numpy():
    a = ag.tensor(np.arange(4.0).reshape(2, 2), requires_grad=True)
    b = ag.tensor(np.arange(3.0), requires_grad=True)
    y = ag.concatenate([a, b], axis=None)
    np.testing.assert_array_equal(y.data, np.concatenate([a.data, b.data], axis=None))
    (y * ag.tensor(np.arange(7.0))).sum().backward()
    assert a.grad.tolist() == [[0, 1], [2, 3]] and b.grad.tolist() == [4, 5, 6]


# Ops that change nothing (the same shape, the identity permutation, the same
# dtype) used to hand back their input object, so a hook or retain_grad on the
# "new" tensor acted on the old one, and leaf.squeeze() was still the leaf.
NO_OPS = {
    "reshape": lambda t: t.reshape(2, 3),
    "reshape-tuple": lambda t: ag.reshape(t, (2, 3)),
    "squeeze": lambda t: t.squeeze(),
    "broadcast_to": lambda t: t.broadcast_to((2, 3)),
    "expand_dims-none": lambda t: ag.expand_dims(t, ()),
    "transpose-identity": lambda t: t.transpose((0, 1)),
    "swapaxes-same": lambda t: t.swapaxes(1, 1),
    "flatten-last": lambda t: t.flatten(1),
    "astype-same": lambda t: t.astype(t.dtype),
    "concatenate-one": lambda t: ag.concatenate([t]),
    "pad-zero": lambda t: ag.pad(t, 0),
    "getitem-all": lambda t: t[...],
    "clip-none": lambda t: ag.clip(t),
    "sum-no-axes": lambda t: t.sum(axis=()),
}
NO_OPS_1D = {
    "flatten": lambda t: t.flatten(),
    "T": lambda t: t.T,
    "transpose": lambda t: t.transpose(),
    "reshape--1": lambda t: t.reshape(-1),
}


@pytest.mark.parametrize("name", list(NO_OPS) + list(NO_OPS_1D))
def test_an_op_that_changes_nothing_still_makes_a_new_tensor(name):
    op = NO_OPS.get(name) or NO_OPS_1D[name]
    a = np.arange(6.0).reshape(2, 3) if name in NO_OPS else np.array([1.0, 2.0])
    leaf = ag.tensor(a, requires_grad=True)
    out = op(leaf)
    assert out is not leaf and out.shape == leaf.shape
    assert not out.is_leaf and out.grad_fn is not None
    const = ag.tensor(a)
    assert op(const) is not const
    # A hook on the result sees (and changes) only the gradient flowing through it.
    x = ag.tensor(a, requires_grad=True)
    mid = x * 2
    b = op(mid)
    b.register_hook(lambda g: g * 0)
    b.retain_grad()
    (mid.sum() + b.sum()).backward()
    np.testing.assert_array_equal(x.grad.data, np.full(a.shape, 2.0))
    np.testing.assert_array_equal(b.grad.data, np.zeros(a.shape))


def test_noop_reshape_hook_example():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    b = a.reshape(2)
    b.register_hook(lambda g: g * 0)
    (a.sum() + b.sum()).backward()
    assert x.grad.tolist() == [2.0, 2.0]
    assert not ag.tensor([[1.0]], requires_grad=True).squeeze(0).is_leaf


BAD_AXES = {
    "squeeze-float": lambda t: t.squeeze(axis=0.0),
    "squeeze-str": lambda t: t.squeeze(axis="a"),
    "squeeze-bool": lambda t: t.squeeze(axis=True),
    "expand_dims-float": lambda t: ag.expand_dims(t, 1.0),
    "expand_dims-str": lambda t: ag.expand_dims(t, "a"),
    "expand_dims-bool": lambda t: ag.expand_dims(t, (0, True)),
    "concatenate-float": lambda t: ag.concatenate([t, t], axis=1.0),
    "concatenate-str": lambda t: ag.concatenate([t, t], axis="a"),
    "concatenate-bool": lambda t: ag.concatenate([t, t], axis=False),
    "stack-float": lambda t: ag.stack([t, t], axis=1.0),
    "stack-str": lambda t: ag.stack([t, t], axis="a"),
    "swapaxes-float": lambda t: t.swapaxes(0.0, 1),
    "swapaxes-str": lambda t: t.swapaxes(0, "a"),
    "flatten-float": lambda t: t.flatten(1.0),
    "flatten-str": lambda t: ag.flatten(t, 0, "a"),
    "transpose-float": lambda t: t.transpose(1.0, 0.0),
    "transpose-bool": lambda t: t.transpose(True, False),
    "reshape-float": lambda t: t.reshape(3.0, 1),
    "reshape-str": lambda t: t.reshape("a"),
    "broadcast_to-float": lambda t: t.broadcast_to((2, 3.0, 1)),
}


@pytest.mark.parametrize("case", list(BAD_AXES))
def test_non_integer_axis_or_size_raises_type_error_naming_the_op(case):
    # Floats used to be truncated (transpose(1.0, 0.0)) or to fail deep inside NumPy.
    t = ag.tensor(np.ones((3, 1)))
    with pytest.raises(TypeError) as info:
        BAD_AXES[case](t)
    assert str(info.value).startswith(case.split("-")[0] + ":")
    assert any(w in str(info.value) for w in ("axis", "axes", "shape", "start_axis",
                                              "end_axis", "axis1", "axis2"))


def test_complex_operand_in_concatenate_or_stack_raises_type_error():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    for call in (lambda: ag.concatenate([x, np.array([1j])]),
                 lambda: ag.stack([x, np.array([1j, 2.0])]),
                 lambda: ag.pad(x, 1, constant_values=1j)):
        with pytest.raises(TypeError, match="complex"):
            call()
