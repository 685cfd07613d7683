"""Property tests of autograd_core/ops/indexing.py: ``t[index]`` and ``t[index] = v``.

Basic indices (ints, slices with any step, None, Ellipsis), integer-array and
boolean-mask indices, indices given as Tensors; forward against NumPy,
gradcheck and gradgradcheck in float64.  Repeated integer indices accumulate
their gradients (``np.add.at`` semantics).
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from autograd_core.testing import check_forward, check_gradients, shapes, tensors

no_deadline = settings(deadline=None)


@st.composite
def _basic_case(draw):
    shape = draw(shapes(min_dims=1, max_side=4))
    x = draw(tensors(shape))
    if len(shape) == 1 and draw(st.booleans()):
        index = draw(st.slices(shape[0]))  # includes negative steps
    else:
        index = draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True))
    return x, index


@no_deadline
@given(case=_basic_case())
def test_basic_indexing(case):
    x, index = case
    check_forward(lambda t: t[index], lambda a: np.asarray(a[index]), x)
    check_gradients(lambda t: t[index], x)


@pytest.mark.parametrize("index", [
    np.s_[::-1],
    np.s_[::-2],
    np.s_[3:0:-1],
    np.s_[-1],
    np.s_[1:-1, ::-1],
    np.s_[..., 0],
    np.s_[None, ..., None],
    np.s_[:, None, 1],
    np.s_[-2:, -3:-1],
])
def test_basic_indexing_examples(index):
    a = np.arange(20.0).reshape(4, 5)
    x = ag.tensor(a, requires_grad=True)
    np.testing.assert_array_equal(x[index].data, a[index])
    check_gradients(lambda t: t[index], x)


@st.composite
def _integer_array_case(draw):
    shape = draw(shapes(min_dims=1, max_side=4))
    x = draw(tensors(shape))
    # Arrays of (possibly negative, possibly repeated) indices into the first axes.
    index = draw(hnp.integer_array_indices(
        shape, result_shape=hnp.array_shapes(min_dims=1, max_dims=2, max_side=4)))
    return x, index


@no_deadline
@given(case=_integer_array_case())
def test_integer_array_indexing(case):
    # gradcheck covers accumulation: repeated indices are frequent here.
    x, index = case
    check_forward(lambda t: t[index], lambda a: a[index], x)
    check_gradients(lambda t: t[index], x)


@no_deadline
@given(case=_integer_array_case())
def test_integer_tensor_indices(case):
    x, index = case
    tindex = tuple(ag.tensor(i) for i in index)
    check_forward(lambda t: t[tindex], lambda a: a[index], x)
    if len(index) == 1:
        check_forward(lambda t: t[ag.tensor(index[0])], lambda a: a[index[0]], x)
    check_gradients(lambda t: t[tindex], x)


def test_repeated_indices_accumulate_like_add_at():
    x = ag.tensor(np.arange(4.0), requires_grad=True)
    idx = np.array([0, 2, 0, -1, 0, 3])
    w = np.arange(1.0, 7.0)
    (x[idx] * ag.tensor(w)).sum().backward()
    expected = np.zeros(4)
    np.add.at(expected, idx, w)
    np.testing.assert_array_equal(x.grad.data, expected)


def test_repeated_rows_accumulate_2d():
    x = ag.tensor(np.ones((3, 2)), requires_grad=True)
    x[[1, 1, 2, 1]].sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0, 0], [3, 3], [1, 1]])


def test_int_tensor_index_accumulates():
    x = ag.tensor(np.zeros(3), requires_grad=True)
    x[ag.tensor([2, 2, 0])].sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 0.0, 2.0])


@st.composite
def _mask_case(draw):
    shape = draw(shapes(min_dims=1, max_side=4))
    x = draw(tensors(shape))
    # A full mask or one over the leading axes.
    k = draw(st.integers(1, len(shape)))
    mask = draw(hnp.arrays(np.bool_, shape[:k]))
    return x, mask


@no_deadline
@given(case=_mask_case())
def test_boolean_mask_indexing(case):
    x, mask = case
    check_forward(lambda t: t[mask], lambda a: a[mask], x)
    check_forward(lambda t: t[ag.tensor(mask)], lambda a: a[mask], x)
    check_gradients(lambda t: t[mask], x)


@no_deadline
@given(x=tensors(min_dims=1))
def test_comparison_result_as_mask(x):
    check_forward(lambda t: t[t > 0], lambda a: a[a > 0], x)
    # The mask is fixed from the unperturbed input, so finite differences never
    # change which elements are selected.
    mask = x > 0
    check_gradients(lambda t: t[mask], x)


@pytest.mark.parametrize("index", [
    np.s_[1:, [0, 2]],
    np.s_[[0, 2], 1:],
    np.s_[..., [1, -1]],
    np.s_[None, [0, 1], ::-1],
    np.s_[[[0], [2]], [1, 3]],
    np.s_[np.array([True, False, True]), 1],
])
def test_mixed_indexing_examples(index):
    a = np.arange(12.0).reshape(3, 4)
    x = ag.tensor(a, requires_grad=True)
    np.testing.assert_array_equal(x[index].data, a[index])
    check_gradients(lambda t: t[index], x)


def test_out_of_bounds_raises_index_error():
    x = ag.tensor(np.zeros(3))
    with pytest.raises(IndexError):
        x[3]
    with pytest.raises(IndexError):
        x[np.array([0, 5])]


def test_index_keeps_dtype():
    x = ag.tensor(np.arange(6.0, dtype=np.float32).reshape(2, 3), requires_grad=True)
    y = x[:, ::-1]
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.shape == (2, 3)


# --------------------------------------------------------------------------- setitem

_SETITEM_ERRORS = (RuntimeError, TypeError, ValueError)
_SETITEM_MESSAGE = r"(?i)requires.?grad|grad_fn|in.?place|graph"


def test_setitem_on_plain_tensor_writes():
    t = ag.tensor(np.zeros((2, 3)))
    t[0, 1] = 5.0
    t[1] = ag.tensor(np.array([1.0, 2.0, 3.0]))
    t[:, -1] = np.array([7.0, 8.0])
    np.testing.assert_array_equal(t.data, [[0, 5, 7], [1, 2, 8]])


def test_setitem_with_mask_and_int_array():
    t = ag.tensor(np.arange(5.0))
    t[t.data > 2] = 0.0
    t[[0, 1]] = -1.0
    np.testing.assert_array_equal(t.data, [-1.0, -1.0, 2.0, 0.0, 0.0])


def test_setitem_on_tensor_requiring_grad_raises():
    t = ag.tensor(np.zeros(3), requires_grad=True)
    with pytest.raises(_SETITEM_ERRORS, match=_SETITEM_MESSAGE):
        t[0] = 1.0
    np.testing.assert_array_equal(t.data, np.zeros(3))


def test_setitem_on_graph_result_raises():
    x = ag.tensor(np.zeros(3), requires_grad=True)
    y = x * 2
    assert y.grad_fn is not None
    with pytest.raises(_SETITEM_ERRORS, match=_SETITEM_MESSAGE):
        y[1] = 1.0
    np.testing.assert_array_equal(y.data, np.zeros(3))


def test_setitem_with_tensor_index_on_plain_tensor():
    t = ag.tensor(np.zeros(4))
    t[ag.tensor(np.array([0, 2]))] = 1.0
    t[ag.tensor(np.array([False, True, False, False]))] = 2.0
    np.testing.assert_array_equal(t.data, [1.0, 2.0, 1.0, 0.0])
