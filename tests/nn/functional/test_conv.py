"""conv2d against a nested-loop reference; gradients of first and second order; padding
'same'; argument errors; unbatched input; dtypes; translation equivariance."""
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
import nn.functional as F

RNG = np.random.default_rng(0)


# ----------------------------------------------------------------- the loop reference

def _pads(padding):
    """(top, bottom, left, right) from an int or a pair."""
    if isinstance(padding, int):
        return padding, padding, padding, padding
    if len(padding) == 2:
        return padding[0], padding[0], padding[1], padding[1]
    return tuple(padding)


def conv2d_ref(x, w, b, gy=None, stride=(1, 1), padding=0, dilation=(1, 1), groups=1):
    """Direct loops: the output, and with ``gy`` (the output's gradient) also the
    gradients (gx, gw, gb). Cross-correlation, as PyTorch."""
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    t, bo, le, ri = _pads(padding)
    sh, sw = stride
    dh, dw = dilation
    xp = np.zeros((n, c, h + t + bo, wd + le + ri))
    xp[:, :, t:t + h, le:le + wd] = x
    hp, wp = xp.shape[2:]
    oh = (hp - (dh * (kh - 1) + 1)) // sh + 1
    ow = (wp - (dw * (kw - 1) + 1)) // sw + 1
    og = o // groups
    y = np.zeros((n, o, oh, ow))
    gxp, gw, gb = np.zeros_like(xp), np.zeros_like(w), np.zeros(o)
    for ni in range(n):
        for oi in range(o):
            g = oi // og                               # this filter's group
            for yi in range(oh):
                for xi in range(ow):
                    acc = 0.0 if b is None else b[oi]
                    for ci in range(cg):
                        cin = g * cg + ci
                        for i in range(kh):
                            for j in range(kw):
                                r, s = yi * sh + i * dh, xi * sw + j * dw
                                acc += w[oi, ci, i, j] * xp[ni, cin, r, s]
                                if gy is not None:
                                    gxp[ni, cin, r, s] += w[oi, ci, i, j] * gy[ni, oi, yi, xi]
                                    gw[oi, ci, i, j] += xp[ni, cin, r, s] * gy[ni, oi, yi, xi]
                    y[ni, oi, yi, xi] = acc
                    if gy is not None:
                        gb[oi] += gy[ni, oi, yi, xi]
    if gy is None:
        return y
    return y, gxp[:, :, t:t + h, le:le + wd], gw, gb


def _out_shape(x, w, stride, padding, dilation):
    """The output shape the reference gives, without running it."""
    t, bo, le, ri = _pads(padding)
    hp, wp = x.shape[2] + t + bo, x.shape[3] + le + ri
    return (x.shape[0], w.shape[0], (hp - dilation[0] * (w.shape[2] - 1) - 1) // stride[0] + 1,
            (wp - dilation[1] * (w.shape[3] - 1) - 1) // stride[1] + 1)


def test_reference_sanity():
    # a 1x1 kernel is a per-pixel matrix product; a box kernel sums the window
    x = RNG.standard_normal((2, 3, 4, 5))
    w = RNG.standard_normal((2, 3, 1, 1))
    np.testing.assert_allclose(conv2d_ref(x, w, None), np.einsum("nchw,oc->nohw", x, w[:, :, 0, 0]))
    y = conv2d_ref(np.arange(16.0).reshape(1, 1, 4, 4), np.ones((1, 1, 2, 2)), None)
    assert y[0, 0, 0, 0] == 0 + 1 + 4 + 5 and y.shape == (1, 1, 3, 3)


# ----------------------------------------------------------------- forward and gradients

_values = st.floats(-2, 2, allow_nan=False, allow_infinity=False, allow_subnormal=False)


@st.composite
def conv_cases(draw):
    n = draw(st.integers(1, 2))
    groups = draw(st.integers(1, 3))
    cg, og = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    h, wd = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    assume(dilation[0] * (kh - 1) + 1 <= h + 2 * padding[0])
    assume(dilation[1] * (kw - 1) + 1 <= wd + 2 * padding[1])
    x = draw(hnp.arrays(np.float64, (n, groups * cg, h, wd), elements=_values))
    w = draw(hnp.arrays(np.float64, (groups * og, cg, kh, kw), elements=_values))
    bias = draw(st.none() | hnp.arrays(np.float64, (groups * og,), elements=_values))
    return x, w, bias, stride, padding, dilation, groups


@given(case=conv_cases(), seed=st.integers(0, 2**16))
def test_conv2d_matches_loop_reference_forward_and_gradients(case, seed):
    x, w, b, stride, padding, dilation, groups = case
    gy = np.random.default_rng(seed).standard_normal(_out_shape(x, w, stride, padding, dilation))
    y_ref, gx_ref, gw_ref, gb_ref = conv2d_ref(x, w, b, gy, stride, padding, dilation, groups)
    xt = ag.tensor(x, requires_grad=True)
    wt = ag.tensor(w, requires_grad=True)
    bt = None if b is None else ag.tensor(b, requires_grad=True)
    y = F.conv2d(xt, wt, bt, stride=stride, padding=padding, dilation=dilation, groups=groups)
    assert y.shape == y_ref.shape and y.dtype == np.float64
    np.testing.assert_allclose(y.data, y_ref, rtol=1e-12, atol=1e-12)
    (y * ag.tensor(gy)).sum().backward()
    np.testing.assert_allclose(xt.grad.data, gx_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(wt.grad.data, gw_ref, rtol=1e-12, atol=1e-12)
    if b is not None:
        np.testing.assert_allclose(bt.grad.data, gb_ref, rtol=1e-12, atol=1e-12)


def test_matches_torch_on_a_general_configuration():
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((2, 6, 7, 6))
    w = RNG.standard_normal((4, 3, 3, 2))
    b = RNG.standard_normal(4)
    kw = dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2)
    xt, wt, bt = (ag.tensor(a, requires_grad=True) for a in (x, w, b))
    y = F.conv2d(xt, wt, bt, **kw)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    ty = torch.nn.functional.conv2d(tx, tw, tb, **kw)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    gy = RNG.standard_normal(y.shape)
    (y * ag.tensor(gy)).sum().backward()
    ty.backward(torch.tensor(gy))
    for ours, theirs in ((xt, tx), (wt, tw), (bt, tb)):
        np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-10, atol=1e-12)


_GRAD_CONFIGS = [
    # x shape, w shape, kwargs
    ((1, 2, 4, 4), (2, 2, 2, 2), dict()),
    ((2, 4, 5, 4), (2, 2, 2, 2), dict(groups=2, padding=1)),
    ((1, 2, 5, 6), (3, 2, 2, 3), dict(stride=(2, 3), padding=(1, 0))),
    ((1, 1, 5, 5), (2, 1, 2, 2), dict(dilation=2, stride=2)),
    ((1, 2, 4, 3), (2, 2, 2, 2), dict(padding="same")),            # asymmetric padding
    ((1, 3, 4, 4), (3, 1, 2, 3), dict(padding="same", dilation=(1, 2), groups=3)),
]


@pytest.mark.parametrize("x_shape,w_shape,kw", _GRAD_CONFIGS)
def test_gradcheck_and_gradgradcheck(x_shape, w_shape, kw):
    rng = np.random.default_rng(1)
    x = ag.tensor(rng.standard_normal(x_shape), requires_grad=True)
    w = ag.tensor(rng.standard_normal(w_shape), requires_grad=True)
    b = ag.tensor(rng.standard_normal(w_shape[0]), requires_grad=True)

    def fn(x, w, b):
        return F.conv2d(x, w, b, **kw)

    assert ag.gradcheck(fn, (x, w, b))
    assert ag.gradgradcheck(fn, (x, w, b))


def test_second_derivative_through_a_nonlinearity():
    # the backward of the backward, recorded, with a non-linear loss
    rng = np.random.default_rng(2)
    x = ag.tensor(rng.standard_normal((1, 2, 4, 4)), requires_grad=True)
    w = ag.tensor(rng.standard_normal((2, 2, 2, 2)) * 0.5, requires_grad=True)
    assert ag.gradgradcheck(lambda x, w: ag.tanh(F.conv2d(x, w, stride=2, padding=1)), (x, w))


# ----------------------------------------------------------------- padding='same'

@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("kernel,dilation", [((3, 3), 1), ((2, 2), 1), ((1, 4), 1),
                                             ((3, 2), 2), ((2, 3), (1, 2)), ((4, 2), (1, 2))])
def test_padding_same_keeps_the_size_and_matches_torch(kernel, dilation):
    x = RNG.standard_normal((2, 2, 5, 6))
    w = RNG.standard_normal((3, 2) + kernel)
    y = F.conv2d(x, ag.tensor(w), padding="same", dilation=dilation)
    assert y.shape == (2, 3, 5, 6)
    valid = F.conv2d(x, ag.tensor(w), padding="valid", dilation=dilation)
    np.testing.assert_allclose(valid.data, F.conv2d(x, ag.tensor(w), dilation=dilation).data)
    torch = pytest.importorskip("torch")
    ty = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), padding="same",
                                    dilation=dilation)
    np.testing.assert_allclose(y.data, ty.numpy(), rtol=1e-10, atol=1e-12)


def test_padding_same_puts_the_extra_row_at_the_end():
    # even kernel 2x2: total padding 1 per axis, 0 before and 1 after (as PyTorch)
    x = RNG.standard_normal((1, 1, 3, 4))
    w = RNG.standard_normal((1, 1, 2, 2))
    np.testing.assert_allclose(F.conv2d(x, ag.tensor(w), padding="same").data,
                               conv2d_ref(x, w, None, padding=(0, 1, 0, 1)), rtol=1e-12)


def test_padding_same_with_stride_is_an_error():
    w = ag.tensor(np.ones((1, 1, 3, 3)))
    with pytest.raises(ValueError, match=r"'same' needs stride 1.*\(2, 1\)"):
        F.conv2d(np.ones((1, 1, 5, 5)), w, stride=(2, 1), padding="same")
    with pytest.raises(ValueError, match="'full'"):
        F.conv2d(np.ones((1, 1, 5, 5)), w, padding="full")


# ----------------------------------------------------------------- errors

def test_kernel_larger_than_padded_input():
    w = ag.tensor(np.ones((1, 1, 5, 3)))
    with pytest.raises(ValueError, match=r"kernel 5x3 is larger than the padded input 4x6"):
        F.conv2d(np.ones((1, 1, 4, 6)), w)
    with pytest.raises(ValueError, match=r"input 2x2, padding 1\+1 rows"):
        F.conv2d(np.ones((1, 1, 2, 2)), w, padding=1)
    # dilation makes the extent 5x5 for a 3x3 kernel
    w3 = ag.tensor(np.ones((1, 1, 3, 3)))
    with pytest.raises(ValueError, match=r"dilation 2x2 \(extent 5x5\).*4x4"):
        F.conv2d(np.ones((1, 1, 4, 4)), w3, dilation=2)
    # but it fits exactly once padded
    assert F.conv2d(np.ones((1, 1, 3, 3)), w3, dilation=2, padding=(1, 1)).shape == (1, 1, 1, 1)


def test_groups_errors_name_the_numbers():
    with pytest.raises(ValueError, match=r"out_channels=3.*not divisible by groups=2"):
        F.conv2d(np.ones((1, 4, 3, 3)), ag.tensor(np.ones((3, 2, 1, 1))), groups=2)
    # in_channels 5 with groups 2: no weight can fit, the error names 5 and the expectation
    with pytest.raises(ValueError, match=r"input has 5 channels.*expects 4 = 2 x 2"):
        F.conv2d(np.ones((1, 5, 3, 3)), ag.tensor(np.ones((2, 2, 1, 1))), groups=2)
    with pytest.raises(ValueError, match=r"groups must be >= 1, got 0"):
        F.conv2d(np.ones((1, 2, 3, 3)), ag.tensor(np.ones((2, 2, 1, 1))), groups=0)


@pytest.mark.parametrize("shape", [(3, 3), (1, 1, 1, 3, 3)])
def test_wrong_input_rank(shape):
    with pytest.raises(ValueError, match="input must be 4-D.*got shape " + str(shape).replace(
            "(", r"\(").replace(")", r"\)")):
        F.conv2d(np.ones(shape), ag.tensor(np.ones((1, 1, 1, 1))))


def test_wrong_weight_rank_channel_count_and_bias_shape():
    with pytest.raises(ValueError, match=r"weight must be 4-D.*\(2, 3, 3\)"):
        F.conv2d(np.ones((1, 3, 4, 4)), ag.tensor(np.ones((2, 3, 3))))
    with pytest.raises(ValueError, match=r"input has 2 channels.*expects 3"):
        F.conv2d(np.ones((1, 2, 4, 4)), ag.tensor(np.ones((4, 3, 3, 3))))
    with pytest.raises(ValueError, match=r"bias must have shape \(4,\), got \(3,\)"):
        F.conv2d(np.ones((1, 3, 4, 4)), ag.tensor(np.ones((4, 3, 3, 3))), np.ones(3))
    with pytest.raises(ValueError, match=r"bias must have shape \(4,\), got \(1, 4\)"):
        F.conv2d(np.ones((1, 3, 4, 4)), ag.tensor(np.ones((4, 3, 3, 3))), np.ones((1, 4)))


def test_bad_stride_padding_dilation():
    x, w = np.ones((1, 1, 4, 4)), ag.tensor(np.ones((1, 1, 2, 2)))
    with pytest.raises(ValueError, match="stride must be >= 1, got 0"):
        F.conv2d(x, w, stride=0)
    with pytest.raises(ValueError, match="stride must be >= 1, got -1"):
        F.conv2d(x, w, stride=(1, -1))
    with pytest.raises(ValueError, match="padding must be >= 0, got -1"):
        F.conv2d(x, w, padding=-1)
    with pytest.raises(ValueError, match="dilation must be >= 1, got 0"):
        F.conv2d(x, w, dilation=0)
    with pytest.raises(TypeError, match="stride must be an int or a pair of ints, got float 1.5"):
        F.conv2d(x, w, stride=1.5)
    with pytest.raises(TypeError, match="stride"):
        F.conv2d(x, w, stride=True)
    with pytest.raises(ValueError, match=r"3 values \(1, 1, 1\)"):
        F.conv2d(x, w, stride=(1, 1, 1))


# ----------------------------------------------------------------- shapes and dtypes

def test_unbatched_input():
    x = RNG.standard_normal((2, 5, 4))
    w = ag.tensor(RNG.standard_normal((3, 2, 3, 2)))
    b = ag.tensor(RNG.standard_normal(3))
    y = F.conv2d(x, w, b, padding=1)
    assert y.shape == (3, 5, 5)
    np.testing.assert_allclose(y.data, F.conv2d(x[None], w, b, padding=1).data[0], rtol=1e-12)


def test_float32_stays_float32():
    x = ag.tensor(RNG.standard_normal((2, 2, 5, 5)).astype(np.float32), requires_grad=True)
    w = ag.tensor(RNG.standard_normal((3, 2, 3, 3)).astype(np.float32), requires_grad=True)
    b = ag.tensor(np.zeros(3, np.float32), requires_grad=True)
    y = F.conv2d(x, w, b, stride=2, padding=1)
    assert y.dtype == np.float32
    (y * y).sum().backward()
    assert x.grad.dtype == w.grad.dtype == b.grad.dtype == np.float32
    ref = conv2d_ref(x.data.astype(np.float64), w.data.astype(np.float64), None, stride=(2, 2),
                     padding=1)
    np.testing.assert_allclose(y.data, ref, rtol=1e-5, atol=1e-5)


def test_numpy_input_takes_the_weights_dtype():
    x64 = RNG.standard_normal((1, 1, 4, 4))
    w32 = ag.tensor(np.ones((1, 1, 2, 2), np.float32))
    assert F.conv2d(x64, w32).dtype == np.float32
    assert F.conv2d(x64.astype(np.float32), ag.tensor(np.ones((1, 1, 2, 2)))).dtype == np.float64
    assert F.conv2d(np.ones((1, 1, 3, 3), np.int64), w32).dtype == np.float32


# ----------------------------------------------------------------- weight sharing

@pytest.mark.parametrize("dy,dx", [(1, 0), (0, 2), (2, 1), (-1, -2)])
def test_translation_equivariance(dy, dx):
    # the same filters everywhere: a shifted image gives a shifted feature map
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 2, 10, 11))
    w = ag.tensor(rng.standard_normal((3, 2, 3, 3)))
    b = ag.tensor(rng.standard_normal(3))
    shifted = np.roll(x, (dy, dx), axis=(2, 3))
    y = F.conv2d(x, w, b).data
    ys = F.conv2d(shifted, w, b).data
    m = 2 + max(abs(dy), abs(dx))                        # away from the wrapped border
    oh, ow = y.shape[2:]
    inner = np.s_[:, :, m:oh - m, m:ow - m]
    np.testing.assert_allclose(np.roll(y, (dy, dx), axis=(2, 3))[inner], ys[inner], rtol=1e-12)
