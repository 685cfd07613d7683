"""The array kernels of ``conv2d``: im2col in two layouts, the products, and col2im.

Two layouts of the im2col matrix, chosen per call by what the backward needs:

- batch first, (N, G, K, P) with K = C/G * kh * kw and P = OH * OW: the product
  ``weight @ cols`` comes out directly in NCHW order (no transpose of the
  output), as one small product per image;
- batch last, (G, K, P * N): the input is first transposed to (C, H, W, N), so
  that the copy into the matrix moves long runs, the products are single large
  ones, and, above all, the input gradient's col2im adds whole (C, OH, OW * N)
  blocks; in NCHW each of those adds would run over rows of only OW values,
  and NumPy's per-row overhead makes that several times slower than the
  products themselves.

``Conv2d`` uses batch first when no input gradient is needed (the first layer
of a network: its input is data) and batch last otherwise.
"""
import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._window import pad, windows

__all__ = ["BATCH_FIRST", "BATCH_LAST", "im2col", "conv", "batch_last", "weight_grad",
           "input_grad"]

BATCH_FIRST, BATCH_LAST = "batch first", "batch last"


def _sizes(geo, groups, c):
    (kh, kw), (oh, ow) = geo.kernel, geo.out
    return groups, c // groups, kh, kw, oh, ow


def im2col(x, geo, groups, layout):
    """The matrix of every window of ``x`` (N, C, H, W), in ``layout``."""
    n, c = x.shape[:2]
    g, cg, kh, kw, oh, ow = _sizes(geo, groups, c)
    if layout == BATCH_FIRST:
        cols = np.ascontiguousarray(windows(pad(x, geo), geo))        # the one copy
        return cols.reshape(n, g, cg * kh * kw, oh * ow)
    t, _, l, _ = geo.padding
    h, w = geo.size
    xt = np.zeros((g, cg) + geo.padded + (n,), dtype=x.dtype)
    xt[:, :, t:t + h, l:l + w, :] = x.reshape(n, g, cg, h, w).transpose(1, 2, 3, 4, 0)
    s = xt.strides
    (sh, sw), (dh, dw) = geo.stride, geo.dilation
    win = as_strided(xt, shape=(g, cg, kh, kw, oh, ow, n),
                     strides=(s[0], s[1], s[2] * dh, s[3] * dw, s[2] * sh, s[3] * sw, s[4]),
                     writeable=False)
    return np.ascontiguousarray(win).reshape(g, cg * kh * kw, oh * ow * n)


def conv(cols, layout, w, groups, n, out_hw):
    """The convolution's output (N, O, OH, OW) from the im2col matrix and the weight."""
    o = w.shape[0]
    gw = w.reshape(groups, o // groups, -1)                           # (G, O/G, K)
    out = np.matmul(gw, cols)
    if layout == BATCH_FIRST:                                         # (N, G, O/G, P)
        return out.reshape((n, o) + tuple(out_hw))
    out = out.reshape((o,) + tuple(out_hw) + (n,))                    # (G, O/G, P * N)
    return np.ascontiguousarray(out.transpose(3, 0, 1, 2))


def batch_last(g, groups):
    """The output gradient (N, O, OH, OW) as (G, O/G, OH * OW * N)."""
    n, o = g.shape[:2]
    return np.ascontiguousarray(np.moveaxis(g, 0, -1)).reshape(groups, o // groups, -1)


def weight_grad(cols, layout, g, groups, w_shape, g_last=None):
    """d(loss)/dw (O, C/G, kh, kw) from the im2col matrix and the output gradient ``g``
    (``g_last``: ``batch_last(g)``, when already made)."""
    if layout == BATCH_FIRST:
        n, o = g.shape[:2]
        g3 = g.reshape(n, groups, o // groups, -1)                    # (N, G, O/G, P)
        # One product per image, then their sum (small: N x O x K).
        gw = np.matmul(g3, cols.transpose(0, 1, 3, 2)).sum(axis=0)
    else:
        if g_last is None:
            g_last = batch_last(g, groups)
        gw = np.matmul(g_last, cols.transpose(0, 2, 1))               # (G, O/G, K)
    return gw.reshape(w_shape)


def input_grad(g, w, geo, groups, x_shape, g_last=None):
    """d(loss)/dx (N, C, H, W) from the output gradient ``g`` (N, O, OH, OW), by one
    product and col2im in the batch-last layout."""
    n, c = x_shape[:2]
    o = w.shape[0]
    gs, cg, kh, kw, oh, ow = _sizes(geo, groups, c)
    if g_last is None:
        g_last = batch_last(g, groups)
    # Weight as (G, kh * kw * C/G, O/G): each kernel offset's rows come together.
    w_t = w.reshape(gs, o // gs, cg, kh, kw).transpose(0, 3, 4, 2, 1).reshape(gs, -1, o // gs)
    r = np.matmul(w_t, g_last).reshape(gs, kh, kw, cg, oh, ow, n)
    gxp = np.zeros((gs, cg) + geo.padded + (n,), dtype=r.dtype)
    (sh, sw), (dh, dw) = geo.stride, geo.dilation
    overlapping = geo.overlapping
    for i in range(kh):
        for j in range(kw):
            view = gxp[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh,
                       j * dw:j * dw + sw * (ow - 1) + 1:sw]
            if overlapping:
                view += r[:, i, j]
            else:                        # each position is written at most once
                view[...] = r[:, i, j]
    t, _, l, _ = geo.padding
    h, w_ = geo.size
    gx = gxp[:, :, t:t + h, l:l + w_, :]
    return np.ascontiguousarray(np.moveaxis(gx, -1, 0)).reshape(n, c, h, w_)
