"""``conv2d``: 2-D convolution (cross-correlation, as PyTorch) of NCHW images.

Three primitives close the family under differentiation, so gradients of any
order work:

- ``Conv2d(x, w)``: y[n, o] = sum over c, i, j of w[o, c, i, j] * xp[n, c, tap i, j];
- ``Conv2dInputGrad(g, w)``: the gradient of a loss with respect to x, given
  its gradient g with respect to y (a transposed convolution);
- ``Conv2dWeightGrad(x, g)``: the gradient with respect to w.

All three are linear in each input, and each one's backward is made of the
others: d/dg of InputGrad(g, w) is Conv2d(., w), d/dw of it WeightGrad(., g);
d/dx of WeightGrad(x, g) is InputGrad(g, .), d/dg of it Conv2d(x, .). When a
backward is not recorded (the usual training step) it runs on the arrays
directly, reusing the im2col matrix the forward made.

The forward is one im2col copy and one batched matrix product per call: the
windows of the padded input are a strided view (no copy), laid out as
(N, groups, C/groups * kh * kw, OH * OW) so that ``weight @ cols`` gives the
output directly in NCHW order. The input gradient is the reverse: one product,
then "col2im", adding each kernel offset's slice back into the padded input
(a loop over the kh * kw offsets, each a whole-array strided add).
"""
import numpy as np

import autograd_core as ag

from ._util import as_tensor
from ._window import crop, geometry, integer, pair, pad, tap, windows

__all__ = ["conv2d"]


def _im2col(x, geo, groups):
    """The (N, groups, C/groups * kh * kw, OH * OW) matrix of every window of ``x``."""
    n, c = x.shape[:2]
    (kh, kw), (oh, ow) = geo.kernel, geo.out
    cols = np.ascontiguousarray(windows(pad(x, geo), geo))     # the one copy
    return cols.reshape(n, groups, (c // groups) * kh * kw, oh * ow)


def _conv(cols, w, groups):
    """Output (N, O, OH * OW) from the im2col matrix and the weight."""
    g_w = w.reshape(groups, w.shape[0] // groups, -1)             # (G, O/G, K)
    out = np.matmul(g_w, cols)                                    # (N, G, O/G, P)
    return out.reshape(cols.shape[0], w.shape[0], cols.shape[3])


def _input_grad(g, w, geo, groups, x_shape):
    """d(loss)/dx (N, C, H, W) from the output gradient ``g`` (N, O, OH, OW)."""
    n = g.shape[0]
    o, cg, kh, kw = w.shape
    oh, ow = geo.out
    w_t = w.reshape(groups, o // groups, cg * kh * kw).transpose(0, 2, 1)   # (G, K, O/G)
    gcols = np.matmul(w_t, g.reshape(n, groups, o // groups, oh * ow))      # (N, G, K, P)
    gcols = gcols.reshape(n, groups * cg, kh, kw, oh, ow)
    gxp = np.zeros((n, groups * cg) + geo.padded, dtype=gcols.dtype)
    overlapping = geo.overlapping
    for i in range(kh):
        for j in range(kw):
            view = tap(gxp, geo, i, j)
            if overlapping:
                view += gcols[:, :, i, j]
            else:                      # each position is written at most once
                view[...] = gcols[:, :, i, j]
    gx = crop(gxp, geo)
    return gx if gx is gxp else np.ascontiguousarray(gx)


def _weight_grad(cols, g, groups, w_shape):
    """d(loss)/dw (O, C/G, kh, kw) from the im2col matrix of x and the output gradient."""
    n, o = g.shape[:2]
    g3 = g.reshape(n, groups, o // groups, -1)                    # (N, G, O/G, P)
    # One product per image, then their sum (small: N x O x K).
    gw = np.matmul(g3, cols.transpose(0, 1, 3, 2)).sum(axis=0)   # (G, O/G, K)
    return gw.reshape(w_shape)


def _arrays(*tensors):
    """The tensors' arrays in their common (promoted) float dtype."""
    arrays = [t.data for t in tensors]
    dtype = np.result_type(*arrays)
    if dtype.kind != "f":
        dtype = np.result_type(dtype, np.float32)
    return [a if a.dtype == dtype else a.astype(dtype) for a in arrays]


class Conv2d(ag.Function):
    """``Conv2d(x, w, b, geometry, groups)``: the convolution primitive (see the module)."""

    @staticmethod
    def forward(ctx, x, w, b, geo, groups):
        xa, wa = _arrays(x, w)
        cols = _im2col(xa, geo, groups)
        out = _conv(cols, wa, groups).reshape((xa.shape[0], wa.shape[0]) + geo.out)
        if b is not None:
            out += b.data.reshape(-1, 1, 1).astype(out.dtype, copy=False)
        # The im2col matrix is kept for the weight's gradient only.
        need_w = len(ctx.needs_input_grad) > 1 and ctx.needs_input_grad[1]
        ctx.save_for_backward(x, w, cols if need_w else None, geo, groups)
        return out

    @staticmethod
    def backward(ctx, g):
        x, w, cols, geo, groups = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        if ag.is_grad_enabled():                  # recorded: made of the primitives
            gx = Conv2dInputGrad.apply(g, w, geo, groups, x.shape) if need_x else None
            gw = Conv2dWeightGrad.apply(x, g, geo, groups, w.shape) if need_w else None
            gb = g.sum(axis=(0, 2, 3)) if need_b else None
            return gx, gw, gb, None, None
        ga, wa = g.data, w.data
        gx = _input_grad(ga, wa.astype(ga.dtype, copy=False), geo, groups, x.shape) \
            if need_x else None
        gw = _weight_grad(cols, ga, groups, w.shape) if need_w else None
        gb = ga.sum(axis=(0, 2, 3)) if need_b else None
        return gx, gw, gb, None, None


class Conv2dInputGrad(ag.Function):
    """``Conv2dInputGrad(g, w, geometry, groups, x_shape)``: the gradient of a
    convolution with respect to its input (a transposed convolution of ``g``)."""

    @staticmethod
    def forward(ctx, g, w, geo, groups, x_shape):
        ga, wa = _arrays(g, w)
        ctx.save_for_backward(g, w, geo, groups)
        return _input_grad(ga, wa, geo, groups, x_shape)

    @staticmethod
    def backward(ctx, gg):
        g, w, geo, groups = ctx.saved_tensors
        need_g, need_w = ctx.needs_input_grad[:2]
        if ag.is_grad_enabled():
            dg = Conv2d.apply(gg, w, None, geo, groups) if need_g else None
            dw = Conv2dWeightGrad.apply(gg, g, geo, groups, w.shape) if need_w else None
            return dg, dw, None, None, None
        gga, wa, ga = _arrays(gg, w, g)
        cols = _im2col(gga, geo, groups)
        dg = _conv(cols, wa, groups).reshape(g.shape) if need_g else None
        dw = _weight_grad(cols, ga, groups, w.shape) if need_w else None
        return dg, dw, None, None, None


class Conv2dWeightGrad(ag.Function):
    """``Conv2dWeightGrad(x, g, geometry, groups, w_shape)``: the gradient of a
    convolution with respect to its weight."""

    @staticmethod
    def forward(ctx, x, g, geo, groups, w_shape):
        xa, ga = _arrays(x, g)
        ctx.save_for_backward(x, g, geo, groups)
        return _weight_grad(_im2col(xa, geo, groups), ga, groups, w_shape)

    @staticmethod
    def backward(ctx, ggw):
        x, g, geo, groups = ctx.saved_tensors
        need_x, need_g = ctx.needs_input_grad[:2]
        if ag.is_grad_enabled():
            dx = Conv2dInputGrad.apply(g, ggw, geo, groups, x.shape) if need_x else None
            dg = Conv2d.apply(x, ggw, None, geo, groups) if need_g else None
            return dx, dg, None, None, None
        xa, ga, gwa = _arrays(x, g, ggw)
        dx = _input_grad(ga, gwa, geo, groups, x.shape) if need_x else None
        dg = _conv(_im2col(xa, geo, groups), gwa, groups).reshape(g.shape) if need_g else None
        return dx, dg, None, None, None


def _same_padding(op, kernel, dilation, stride):
    if stride != (1, 1):
        raise ValueError(f"{op}: padding='same' needs stride 1, got stride {stride}; "
                         f"give the padding as numbers instead")
    pads = []
    for k, d in zip(kernel, dilation):
        total = d * (k - 1)
        pads += [total // 2, total - total // 2]     # the odd one out at the end, as PyTorch
    return tuple(pads)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution of ``input`` (N, C_in, H, W) with ``weight`` (C_out, C_in / groups,
    kh, kw), plus ``bias`` (C_out,): the output is (N, C_out, OH, OW), as PyTorch's.

    ``stride``, ``dilation`` (>= 1) and ``padding`` (>= 0, zeros) are ints or
    pairs (rows, columns); ``padding`` may also be ``"valid"`` (0) or ``"same"``
    (output as large as the input; stride 1 only). With ``groups`` > 1 the
    channels are split into that many groups, each convolved with its own
    filters. OH = (H + 2 * padding - dilation * (kh - 1) - 1) // stride + 1, and
    OW likewise. An unbatched (C_in, H, W) input gives a (C_out, OH, OW) output.
    Non-Tensor input becomes a constant of the weight's dtype.
    """
    op = "conv2d"
    if not isinstance(weight, ag.Tensor):
        weight = ag.tensor(weight)
    x = as_tensor(input, dtype=weight.dtype)
    if weight.ndim != 4:
        raise ValueError(f"{op}: weight must be 4-D (out_channels, in_channels / groups, kh, "
                         f"kw), got shape {weight.shape}")
    if x.ndim not in (3, 4):
        raise ValueError(f"{op}: input must be 4-D (N, C, H, W) or 3-D (C, H, W), got shape "
                         f"{x.shape}")
    unbatched = x.ndim == 3
    if unbatched:
        x = x.reshape((1,) + x.shape)
    groups = integer(op, "groups", groups, 1)
    o, cg = weight.shape[:2]
    if o % groups:
        raise ValueError(f"{op}: out_channels={o} (weight shape {weight.shape}) is not "
                         f"divisible by groups={groups}")
    if x.shape[1] != cg * groups:
        raise ValueError(f"{op}: input has {x.shape[1]} channels (shape {x.shape}) but the "
                         f"weight {weight.shape} with groups={groups} expects "
                         f"{cg * groups} = {cg} x {groups}")
    if bias is not None:
        bias = as_tensor(bias, dtype=weight.dtype)
    if bias is not None and tuple(bias.shape) != (o,):
        raise ValueError(f"{op}: bias must have shape ({o},), got {tuple(bias.shape)}")
    stride = pair(op, "stride", stride)
    dilation = pair(op, "dilation", dilation)
    kernel = weight.shape[2:]
    if isinstance(padding, str):
        if padding not in ("valid", "same"):
            raise ValueError(f"{op}: padding must be an int, a pair, 'valid' or 'same', "
                             f"got {padding!r}")
        padding = 0 if padding == "valid" else _same_padding(op, kernel, dilation, stride)
    geo = geometry(op, x.shape, kernel, stride, padding, dilation)
    out = Conv2d.apply(x, weight, bias, geo, groups)
    return out.reshape(out.shape[1:]) if unbatched else out
