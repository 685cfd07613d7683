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

The forward is one im2col copy (the windows of the padded input are a
strided view; the copy lays them out as a matrix) and one matrix product. The
input gradient is the reverse: one product, then "col2im", adding each kernel
offset's slice back into the padded input (a loop over the kh * kw offsets,
each a whole-array strided add). The layouts that make these fast are in
``_conv_arrays``.
"""
import numpy as np

import autograd_core as ag

from ._util import as_tensor
from . import _conv_arrays as k
from ._window import batched, conv_padding, geometry, integer, pair

__all__ = ["conv2d"]


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
        need = ctx.needs_input_grad
        need_x, need_w = (need[0], need[1]) if need else (False, False)
        # The input gradient's col2im is fast only in the batch-last layout.
        layout = k.BATCH_LAST if need_x else k.BATCH_FIRST
        cols = k.im2col(xa, geo, groups, layout)
        out = k.conv(cols, layout, wa, groups, xa.shape[0], geo.out)
        if b is not None:
            out += b.data.reshape(-1, 1, 1).astype(out.dtype, copy=False)
        # The im2col matrix is kept for the weight's gradient only.
        ctx.save_for_backward(x, w, (cols, layout) if need_w else None, geo, groups)
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
        g_last = k.batch_last(ga, groups) if need_x else None
        gx = k.input_grad(ga, wa.astype(ga.dtype, copy=False), geo, groups, x.shape,
                          g_last) if need_x else None
        gw = k.weight_grad(cols[0], cols[1], ga, groups, w.shape, g_last) if need_w else None
        gb = ga.sum(axis=(0, 2, 3)) if need_b else None
        return gx, gw, gb, None, None


class Conv2dInputGrad(ag.Function):
    """``Conv2dInputGrad(g, w, geometry, groups, x_shape)``: the gradient of a
    convolution with respect to its input (a transposed convolution of ``g``)."""

    @staticmethod
    def forward(ctx, g, w, geo, groups, x_shape):
        ga, wa = _arrays(g, w)
        ctx.save_for_backward(g, w, geo, groups)
        return k.input_grad(ga, wa, geo, groups, x_shape)

    @staticmethod
    def backward(ctx, gg):
        g, w, geo, groups = ctx.saved_tensors
        need_g, need_w = ctx.needs_input_grad[:2]
        if ag.is_grad_enabled():
            dg = Conv2d.apply(gg, w, None, geo, groups) if need_g else None
            dw = Conv2dWeightGrad.apply(gg, g, geo, groups, w.shape) if need_w else None
            return dg, dw, None, None, None
        gga, wa, ga = _arrays(gg, w, g)
        cols = k.im2col(gga, geo, groups, k.BATCH_LAST)
        dg = k.conv(cols, k.BATCH_LAST, wa, groups, gga.shape[0], geo.out) if need_g else None
        dw = k.weight_grad(cols, k.BATCH_LAST, ga, groups, w.shape) if need_w else None
        return dg, dw, None, None, None


class Conv2dWeightGrad(ag.Function):
    """``Conv2dWeightGrad(x, g, geometry, groups, w_shape)``: the gradient of a
    convolution with respect to its weight."""

    @staticmethod
    def forward(ctx, x, g, geo, groups, w_shape):
        xa, ga = _arrays(x, g)
        ctx.save_for_backward(x, g, geo, groups)
        cols = k.im2col(xa, geo, groups, k.BATCH_LAST)
        return k.weight_grad(cols, k.BATCH_LAST, ga, groups, w_shape)

    @staticmethod
    def backward(ctx, ggw):
        x, g, geo, groups = ctx.saved_tensors
        need_x, need_g = ctx.needs_input_grad[:2]
        if ag.is_grad_enabled():
            dx = Conv2dInputGrad.apply(g, ggw, geo, groups, x.shape) if need_x else None
            dg = Conv2d.apply(x, ggw, None, geo, groups) if need_g else None
            return dx, dg, None, None, None
        xa, ga, gwa = _arrays(x, g, ggw)
        dx = k.input_grad(ga, gwa, geo, groups, x.shape) if need_x else None
        dg = k.conv(k.im2col(xa, geo, groups, k.BATCH_FIRST), k.BATCH_FIRST, gwa, groups,
                    xa.shape[0], geo.out) if need_g else None
        return dx, dg, None, None, None


def _same_padding(kernel, dilation):
    pads = []
    for size, d in zip(kernel, dilation):
        total = d * (size - 1)
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
    x, unbatched = batched(op, x)
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
    padding = conv_padding(op, padding, stride)
    if isinstance(padding, str):
        padding = 0 if padding == "valid" else _same_padding(kernel, dilation)
    geo = geometry(op, x.shape, kernel, stride, padding, dilation)
    out = Conv2d.apply(x, weight, bias, geo, groups)
    return out.reshape(out.shape[1:]) if unbatched else out
