"""max_pool2d and avg_pool2d against nested-loop references (ties, NaN, padding,
count_include_pad), gradients of first and second order, errors; adaptive_avg_pool2d."""
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
import nn.functional as F

RNG = np.random.default_rng(0)


# ----------------------------------------------------------------- loop references

def _geometry(shape, kernel, stride, padding):
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    oh = (shape[2] + 2 * ph - kh) // sh + 1
    ow = (shape[3] + 2 * pw - kw) // sw + 1
    return oh, ow


def max_pool_ref(x, gy, kernel, stride, padding):
    """Output and input gradient; the gradient goes to the first maximum of each window
    (row-major), a NaN beats any number and loses to an earlier NaN. Padding is never
    chosen (as PyTorch: it acts as -inf, but the maximum is always an input value)."""
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    oh, ow = _geometry(x.shape, kernel, stride, padding)
    y, gx = np.zeros((n, c, oh, ow)), np.zeros_like(x)
    for ni in range(n):
        for ci in range(c):
            for yi in range(oh):
                for xi in range(ow):
                    best, at = None, None
                    for i in range(kh):
                        for j in range(kw):
                            r, s = yi * sh + i - ph, xi * sw + j - pw
                            if not (0 <= r < h and 0 <= s < w):
                                continue
                            v = x[ni, ci, r, s]
                            if best is None or v > best or (np.isnan(v) and not np.isnan(best)):
                                best, at = v, (r, s)
                    y[ni, ci, yi, xi] = best
                    gx[ni, ci, at[0], at[1]] += gy[ni, ci, yi, xi]
    return y, gx


def avg_pool_ref(x, gy, kernel, stride, padding, count_include_pad=True):
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    oh, ow = _geometry(x.shape, kernel, stride, padding)
    y, gx = np.zeros((n, c, oh, ow)), np.zeros_like(x)
    for ni in range(n):
        for ci in range(c):
            for yi in range(oh):
                for xi in range(ow):
                    inside = [(yi * sh + i - ph, xi * sw + j - pw)
                              for i in range(kh) for j in range(kw)]
                    inside = [(r, s) for r, s in inside if 0 <= r < h and 0 <= s < w]
                    count = kh * kw if count_include_pad else len(inside)
                    y[ni, ci, yi, xi] = sum(x[ni, ci, r, s] for r, s in inside) / count
                    for r, s in inside:
                        gx[ni, ci, r, s] += gy[ni, ci, yi, xi] / count
    return y, gx


@st.composite
def pool_cases(draw, elements):
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    h, w = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
    assume(kernel[0] <= h + 2 * padding[0] and kernel[1] <= w + 2 * padding[1])
    x = draw(hnp.arrays(np.float64, (n, c, h, w), elements=elements))
    return x, kernel, stride, padding


def _run(op, x, gy, *args, **kwargs):
    xt = ag.tensor(x, requires_grad=True)
    y = op(xt, *args, **kwargs)
    (y * ag.tensor(gy)).sum().backward()
    return y, xt.grad.data


# small integers: many ties, which must go to the first maximum
@given(case=pool_cases(st.integers(-3, 3).map(float)), seed=st.integers(0, 2**16))
def test_max_pool_matches_loop_reference(case, seed):
    x, kernel, stride, padding = case
    gy = np.random.default_rng(seed).standard_normal((x.shape[:2]) +
                                                     _geometry(x.shape, kernel, stride, padding))
    y_ref, gx_ref = max_pool_ref(x, gy, kernel, stride, padding)
    y, gx = _run(F.max_pool2d, x, gy, kernel, stride, padding)
    np.testing.assert_array_equal(y.data, y_ref)
    np.testing.assert_allclose(gx, gx_ref, rtol=1e-12, atol=1e-12)


@given(case=pool_cases(st.floats(-5, 5, allow_nan=False, allow_subnormal=False)),
       count_include_pad=st.booleans(), seed=st.integers(0, 2**16))
def test_avg_pool_matches_loop_reference(case, count_include_pad, seed):
    x, kernel, stride, padding = case
    gy = np.random.default_rng(seed).standard_normal((x.shape[:2]) +
                                                     _geometry(x.shape, kernel, stride, padding))
    y_ref, gx_ref = avg_pool_ref(x, gy, kernel, stride, padding, count_include_pad)
    y, gx = _run(F.avg_pool2d, x, gy, kernel, stride, padding, count_include_pad)
    np.testing.assert_allclose(y.data, y_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gx, gx_ref, rtol=1e-12, atol=1e-12)


def test_pooling_matches_torch():
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((2, 3, 7, 6))
    for kw in (dict(kernel_size=3, stride=2, padding=1), dict(kernel_size=(2, 3), stride=(1, 2)),
               dict(kernel_size=2)):
        np.testing.assert_array_equal(F.max_pool2d(x, **kw).data,
                                      torch.nn.functional.max_pool2d(torch.tensor(x), **kw))
        for cip in (True, False):
            np.testing.assert_allclose(
                F.avg_pool2d(x, count_include_pad=cip, **kw).data,
                torch.nn.functional.avg_pool2d(torch.tensor(x), count_include_pad=cip, **kw),
                rtol=1e-12)


# ----------------------------------------------------------------- ties and NaN

def test_ties_go_to_the_first_maximum():
    x = np.ones((1, 1, 4, 4))                         # a constant image: every window ties
    y, gx = _run(F.max_pool2d, x, np.ones((1, 1, 2, 2)), 2)
    np.testing.assert_array_equal(y.data, np.ones((1, 1, 2, 2)))
    expected = np.zeros((4, 4))
    expected[::2, ::2] = 1                            # the top-left of each window
    np.testing.assert_array_equal(gx[0, 0], expected)
    # a tie between the second and the fourth position: the second wins
    x = np.array([[[[0.0, 5.0], [1.0, 5.0]]]])
    _, gx = _run(F.max_pool2d, x, np.ones((1, 1, 1, 1)), 2)
    np.testing.assert_array_equal(gx[0, 0], [[0, 1], [0, 0]])
    # with padding, a tie with the (-inf) padding cannot happen; constant negative image
    x = -np.ones((1, 1, 3, 3))
    y, gx = _run(F.max_pool2d, x, np.ones((1, 1, 2, 2)), 3, 2, 1)
    np.testing.assert_array_equal(y.data, -np.ones((1, 1, 2, 2)))
    # windows start at rows/columns -1 and 1: their first real positions
    np.testing.assert_array_equal(gx[0, 0], [[1, 1, 0], [1, 1, 0], [0, 0, 0]])


def test_minus_inf_maximum_with_padding_keeps_its_gradient():
    # LIBRARY BUG (reported): a window whose input values are all -inf ties with the -inf
    # padding; the first maximum in row-major order is then a padding position, and its
    # gradient is cropped away. PyTorch never picks padding: the gradient goes to the first
    # input position of the window, so every output's gradient reaches the input.
    x = np.full((1, 1, 3, 3), -np.inf)
    y, gx = _run(F.max_pool2d, x, np.ones((1, 1, 2, 2)), 3, 2, 1)
    np.testing.assert_array_equal(y.data, np.full((1, 1, 2, 2), -np.inf))
    np.testing.assert_array_equal(gx[0, 0], [[1, 1, 0], [1, 1, 0], [0, 0, 0]])


def test_max_pool_kernel_with_more_than_32767_taps():
    # LIBRARY BUG (reported): the argmax offsets are stored as int16 for kernels of more
    # than 127 taps, so a kernel of 182 x 182 = 33124 taps (global max pooling of a
    # 182 x 182 map) overflows: an OverflowError, or a wrapped offset and a lost gradient.
    x = np.random.default_rng(0).random((1, 1, 182, 182))
    x[0, 0, 181, 180] = 2.0                  # the maximum, at offset 181 * 182 + 180 = 33122
    y, gx = _run(F.max_pool2d, x, np.ones((1, 1, 1, 1)), 182)
    assert y.data.ravel().tolist() == [2.0]
    assert gx[0, 0, 181, 180] == 1 and gx.sum() == 1


def test_nan_propagates_and_takes_the_gradient():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    x[0, 0, 0, 1] = np.nan
    x[0, 0, 3, 2] = np.nan
    x[0, 0, 3, 3] = np.nan                            # a second NaN in the same window
    y, gx = _run(F.max_pool2d, x, np.full((1, 1, 2, 2), 7.0), 2)
    assert np.isnan(y.data[0, 0, 0, 0]) and np.isnan(y.data[0, 0, 1, 1])
    assert y.data[0, 0, 0, 1] == 7 and y.data[0, 0, 1, 0] == 13
    expected = np.zeros((4, 4))
    expected[0, 1] = expected[3, 2] = expected[1, 3] = expected[3, 1] = 7
    np.testing.assert_array_equal(gx[0, 0], expected)
    # a NaN after the maximum still wins
    x = np.array([[[[9.0, 1.0], [2.0, np.nan]]]])
    _, gx = _run(F.max_pool2d, x, np.ones((1, 1, 1, 1)), 2)
    np.testing.assert_array_equal(gx[0, 0], [[0, 0], [0, 1]])
    assert np.isnan(F.avg_pool2d(x, 2).data).all()


# ----------------------------------------------------------------- gradient checks

def _distinct(shape, seed=0):
    """Distinct values (a permutation): no ties, so max pooling is differentiable."""
    rng = np.random.default_rng(seed)
    return rng.permutation(np.prod(shape)).reshape(shape) * 0.1 + rng.uniform(0, 0.01)


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=1, padding=1),
                                dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 0))])
def test_max_pool_gradcheck_and_gradgradcheck(kw):
    x = ag.tensor(_distinct((1, 2, 4, 5)), requires_grad=True)
    assert ag.gradcheck(lambda x: F.max_pool2d(x, **kw), (x,))
    assert ag.gradgradcheck(lambda x: F.max_pool2d(x, **kw), (x,))
    # a non-linearity before the pooling, so the second derivative is not zero
    assert ag.gradgradcheck(lambda x: F.max_pool2d(x * x, **kw), (x,))


@pytest.mark.parametrize("cip", [True, False])
@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1)])
def test_avg_pool_gradcheck_and_gradgradcheck(kw, cip):
    x = ag.tensor(RNG.standard_normal((1, 2, 5, 4)), requires_grad=True)
    assert ag.gradcheck(lambda x: F.avg_pool2d(x, count_include_pad=cip, **kw), (x,))
    assert ag.gradgradcheck(lambda x: F.avg_pool2d(x * x, count_include_pad=cip, **kw), (x,))


def test_overlapping_windows_accumulate_gradients():
    x = _distinct((1, 1, 3, 3))
    x[0, 0, 1, 1] = 100.0                             # the maximum of all four 2x2 windows
    y, gx = _run(F.max_pool2d, x, np.ones((1, 1, 2, 2)), 2, 1)
    assert (y.data == 100).all()
    assert gx[0, 0, 1, 1] == 4 and gx.sum() == 4
    _, gx = _run(F.avg_pool2d, np.zeros((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), 2, 1)
    np.testing.assert_allclose(gx[0, 0], np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 4)


# ----------------------------------------------------------------- errors and shapes

def test_errors():
    x = np.ones((1, 1, 4, 4))
    with pytest.raises(ValueError, match=r"padding 2 \(rows\) must be at most half the kernel "
                                         r"size 3"):
        F.max_pool2d(x, 3, padding=2)
    with pytest.raises(ValueError, match=r"padding 2 \(columns\).*kernel size 2"):
        F.avg_pool2d(x, (3, 2), padding=(1, 2))
    with pytest.raises(ValueError, match=r"input must be 4-D.*\(4, 4\)"):
        F.max_pool2d(np.ones((4, 4)), 2)
    with pytest.raises(ValueError, match=r"input must be 4-D.*\(1, 1, 1, 4, 4\)"):
        F.avg_pool2d(np.ones((1, 1, 1, 4, 4)), 2)
    with pytest.raises(ValueError, match=r"kernel 5x2 is larger than the padded input 4x4"):
        F.max_pool2d(x, (5, 2))
    with pytest.raises(ValueError, match=r"kernel 5x5 is larger than the padded input 4x4 "
                                         r"\(input 2x2, padding 1\+1 rows"):
        F.avg_pool2d(np.ones((1, 1, 2, 2)), 5, padding=1)
    with pytest.raises(ValueError, match="kernel_size must be >= 1, got 0"):
        F.max_pool2d(x, 0)
    with pytest.raises(TypeError, match="stride"):
        F.max_pool2d(x, 2, stride=1.0)


def test_unbatched_and_default_stride():
    x = RNG.standard_normal((3, 6, 4))
    assert F.max_pool2d(x, 2).shape == (3, 3, 2)
    np.testing.assert_array_equal(F.max_pool2d(x, 2).data, F.max_pool2d(x[None], 2, 2).data[0])
    np.testing.assert_allclose(F.avg_pool2d(x, 2).data, x.reshape(3, 3, 2, 2, 2).mean((2, 4)))
    assert F.max_pool2d(ag.tensor(x.astype(np.float32)), 2).dtype == np.float32
    assert F.avg_pool2d(ag.tensor(x.astype(np.float32)), 2).dtype == np.float32


def test_max_pool_is_tolerant_to_a_small_shift_inside_a_window():
    a = np.zeros((1, 1, 4, 4))
    a[0, 0, 0, 0], a[0, 0, 2, 3] = 5.0, 3.0
    b = np.zeros((1, 1, 4, 4))
    b[0, 0, 1, 1], b[0, 0, 3, 2] = 5.0, 3.0          # each maximum moved within its window
    np.testing.assert_array_equal(F.max_pool2d(a, 2).data, F.max_pool2d(b, 2).data)
    # moved into the neighbouring window, it is not
    c = np.zeros((1, 1, 4, 4))
    c[0, 0, 0, 2], c[0, 0, 2, 3] = 5.0, 3.0
    assert not np.array_equal(F.max_pool2d(a, 2).data, F.max_pool2d(c, 2).data)


# ----------------------------------------------------------------- adaptive average pooling

@pytest.mark.parametrize("output_size", [1, 2, 3, (2, 3), (3, 2), (4, None), (None, 1), 7,
                                         (5, 6)])
def test_adaptive_avg_pool_matches_torch(output_size):
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((2, 3, 7, 5))
    xt = ag.tensor(x, requires_grad=True)
    y = F.adaptive_avg_pool2d(xt, output_size)
    tx = torch.tensor(x, requires_grad=True)
    ty = torch.nn.functional.adaptive_avg_pool2d(tx, output_size)
    assert y.shape == tuple(ty.shape)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12, atol=1e-14)
    gy = RNG.standard_normal(y.shape)
    (y * ag.tensor(gy)).sum().backward()
    ty.backward(torch.tensor(gy))
    np.testing.assert_allclose(xt.grad.data, tx.grad.numpy(), rtol=1e-12, atol=1e-14)
    # unbatched
    np.testing.assert_allclose(F.adaptive_avg_pool2d(x[0], output_size).data, y.data[0],
                               rtol=1e-12)


def test_adaptive_avg_pool_global_mean_and_bins():
    x = RNG.standard_normal((2, 3, 5, 4))
    y = F.adaptive_avg_pool2d(x, 1)
    assert y.shape == (2, 3, 1, 1)
    np.testing.assert_allclose(y.data[..., 0, 0], x.mean(axis=(2, 3)), rtol=1e-12)
    # 5 rows into 2 bins: rows 0..2 and 2..4 (overlapping at row 2), as PyTorch
    y = F.adaptive_avg_pool2d(x, (2, 4)).data
    np.testing.assert_allclose(y[:, :, 0], x[:, :, 0:3].mean(2), rtol=1e-12)
    np.testing.assert_allclose(y[:, :, 1], x[:, :, 2:5].mean(2), rtol=1e-12)
    assert F.adaptive_avg_pool2d(ag.tensor(x.astype(np.float32)), 2).dtype == np.float32
    with pytest.raises(ValueError, match=r"input must be 4-D.*\(5, 4\)"):
        F.adaptive_avg_pool2d(x[0, 0], 2)
    with pytest.raises(ValueError, match="output_size must be >= 1, got 0"):
        F.adaptive_avg_pool2d(x, 0)
    with pytest.raises(ValueError, match=r"output_size must be an int or a pair.*\(1, 2, 3\)"):
        F.adaptive_avg_pool2d(x, (1, 2, 3))


@pytest.mark.parametrize("output_size", [1, (2, 3), (3, None)])
def test_adaptive_avg_pool_gradcheck(output_size):
    x = ag.tensor(RNG.standard_normal((1, 2, 5, 4)), requires_grad=True)
    assert ag.gradcheck(lambda x: F.adaptive_avg_pool2d(x, output_size), (x,))
    assert ag.gradgradcheck(lambda x: F.adaptive_avg_pool2d(x * x, output_size), (x,))
