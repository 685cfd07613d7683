"""Pooling of NCHW images: ``max_pool2d``, ``avg_pool2d`` and ``adaptive_avg_pool2d``.

Max pooling is a gather: each output takes the input value at its window's
argmax, and its gradient goes back to that one position only. Ties go to the
first maximum in the window in row-major order (top row first, then left to
right), as PyTorch; a window holding NaN gives NaN and its gradient goes to
the (first) NaN. Average pooling adds the window's taps and divides.

Each op is a pair of primitives adjoint to each other, so gradients of any
order work: ``TapGather`` (the values at given kernel offsets) with
``TapScatter`` (gradients placed back at those offsets), and ``AvgPool2d``
with ``AvgPool2dTranspose``. Every loop runs over the kh * kw kernel offsets,
each step a whole-array operation.
"""
import numpy as np

import autograd_core as ag

from ._util import as_tensor
from ._window import batched, crop, geometry, image_rank, pad, pool_sizes, tap
from ._window import output_size as output_size_

__all__ = ["max_pool2d", "avg_pool2d", "adaptive_avg_pool2d"]


def _offsets(geo):
    kh, kw = geo.kernel
    return [(k, k // kw, k % kw) for k in range(kh * kw)]


def _arg_dtype(n_taps):
    return np.int8 if n_taps <= 127 else np.int16 if n_taps <= 32767 else np.int32


def _max_taps(xp, geo):
    """The maximum of each window and the offset (row-major index in the window) where
    it is first found; padding is never chosen (as PyTorch), even where the input
    equals the padding's -inf."""
    taps = [tap(xp, geo, i, j) for _, i, j in _offsets(geo)]
    best = taps[0].copy()
    for v in taps[1:]:
        np.maximum(best, v, out=best)          # NaN wins, as it propagates
    padded = None
    if any(geo.padding):
        # Where each tap reads padding, for every image alike: (1, 1, OH, OW).
        inside = pad(np.ones((1, 1) + tuple(geo.size), dtype=bool), geo, False)
        padded = [~tap(inside, geo, i, j) for _, i, j in _offsets(geo)]
    # The first maximum's offset = how many offsets before it fall short of the
    # maximum (counted with whole-array boolean ops; a masked write per offset
    # would cost several times more).
    dtype = _arg_dtype(len(taps))
    arg = np.zeros(best.shape, dtype=dtype)
    if len(taps) > 1:
        short = np.less(taps[0], best)
        if padded is not None:
            short |= padded[0]
        below = np.empty(best.shape, dtype=bool)
        for k in range(1, len(taps) - 1):
            arg += short.view(np.int8) if dtype == np.int8 else short
            np.less(taps[k], best, out=below)
            if padded is not None:
                below |= padded[k]
            short &= below
        arg += short.view(np.int8) if dtype == np.int8 else short
    if xp.dtype.kind == "f":
        nan = best != best
        if nan.any():                          # NaN windows: the gradient goes to the first NaN
            first = np.zeros_like(arg)
            for k in range(len(taps) - 1, -1, -1):
                np.copyto(first, k, where=taps[k] != taps[k])
            np.copyto(arg, first, where=nan)
    return best, arg


def _gather(xp, arg, geo):
    """The value of each window at its offset ``arg``."""
    out = np.zeros(arg.shape, dtype=xp.dtype)
    for k, i, j in _offsets(geo):
        np.copyto(out, tap(xp, geo, i, j), where=arg == k)
    return out


def _scatter(g, arg, geo, x_shape):
    """Each output gradient placed at its window's offset ``arg``, in an input-shaped array."""
    gxp = np.zeros(tuple(x_shape[:2]) + geo.padded, dtype=g.dtype)
    hit = np.empty(arg.shape, dtype=bool)
    part = None if not geo.overlapping else np.empty(g.shape, dtype=g.dtype)
    for k, i, j in _offsets(geo):
        np.equal(arg, k, out=hit)
        if part is None:                      # disjoint windows: each position once
            np.multiply(g, hit, out=tap(gxp, geo, i, j))
        else:
            np.multiply(g, hit, out=part)
            tap(gxp, geo, i, j)[...] += part
    return crop(gxp, geo)


class MaxPool2d(ag.Function):
    """``MaxPool2d(x, geometry)``: the maximum of each window."""

    @staticmethod
    def forward(ctx, x, geo):
        xa = x.data
        fill = -np.inf if xa.dtype.kind == "f" else np.iinfo(xa.dtype).min
        out, arg = _max_taps(pad(xa, geo, fill), geo)
        ctx.save_for_backward(arg, geo, x.shape)
        return out

    @staticmethod
    def backward(ctx, g):
        arg, geo, shape = ctx.saved_tensors
        if ag.is_grad_enabled():
            return TapScatter.apply(g, arg, geo, shape), None
        return _scatter(g.data, arg, geo, shape), None


class TapGather(ag.Function):
    """``TapGather(x, arg, geometry)``: the value of each window of ``x`` at the kernel
    offset ``arg`` (fixed): max pooling with the argmax already known."""

    @staticmethod
    def forward(ctx, x, arg, geo):
        ctx.save_for_backward(arg, geo, x.shape)
        return _gather(pad(x.data, geo), arg, geo)

    @staticmethod
    def backward(ctx, g):
        arg, geo, shape = ctx.saved_tensors
        if ag.is_grad_enabled():
            return TapScatter.apply(g, arg, geo, shape), None, None
        return _scatter(g.data, arg, geo, shape), None, None


class TapScatter(ag.Function):
    """``TapScatter(g, arg, geometry, x_shape)``: each value of ``g`` placed at its
    window's kernel offset ``arg`` (summed where windows overlap): the adjoint of
    ``TapGather``, and the gradient of max pooling."""

    @staticmethod
    def forward(ctx, g, arg, geo, shape):
        ctx.save_for_backward(arg, geo)
        return _scatter(g.data, arg, geo, shape)

    @staticmethod
    def backward(ctx, gg):
        arg, geo = ctx.saved_tensors
        if ag.is_grad_enabled():
            return TapGather.apply(gg, arg, geo), None, None, None
        return _gather(pad(gg.data, geo), arg, geo), None, None, None


def _avg(xa, geo, divisor):
    """The sum of each window's taps over ``divisor``, in ``xa``'s dtype."""
    taps = [tap(xa, geo, i, j) for _, i, j in _offsets(geo)]
    acc = taps[0].copy()
    for v in taps[1:]:
        acc += v
    out = acc / divisor if isinstance(divisor, np.ndarray) else acc * (1.0 / divisor)
    return out.astype(xa.dtype, copy=False)


def _avg_transpose(g, geo, divisor, shape):
    part = g / divisor if isinstance(divisor, np.ndarray) else g * (1.0 / divisor)
    part = part.astype(g.dtype, copy=False)
    gxp = np.zeros(tuple(shape[:2]) + geo.padded, dtype=g.dtype)
    for _, i, j in _offsets(geo):
        view = tap(gxp, geo, i, j)
        if geo.overlapping:
            view += part
        else:
            view[...] = part
    return crop(gxp, geo)


class AvgPool2d(ag.Function):
    """``AvgPool2d(x, geometry, divisor)``: the sum of each window over ``divisor`` (a
    number, or an (OH, OW) array of counts)."""

    @staticmethod
    def forward(ctx, x, geo, divisor):
        ctx.save_for_backward(geo, divisor, x.shape)
        return _avg(pad(x.data, geo), geo, divisor)

    @staticmethod
    def backward(ctx, g):
        geo, divisor, shape = ctx.saved_tensors
        if ag.is_grad_enabled():
            return AvgPool2dTranspose.apply(g, geo, divisor, shape), None, None
        return _avg_transpose(g.data, geo, divisor, shape), None, None


class AvgPool2dTranspose(ag.Function):
    """``AvgPool2dTranspose(g, geometry, divisor, x_shape)``: the adjoint of average
    pooling (each value spread over its window): its gradient."""

    @staticmethod
    def forward(ctx, g, geo, divisor, shape):
        ctx.save_for_backward(geo, divisor)
        return _avg_transpose(g.data, geo, divisor, shape)

    @staticmethod
    def backward(ctx, gg):
        geo, divisor = ctx.saved_tensors
        if ag.is_grad_enabled():
            return AvgPool2d.apply(gg, geo, divisor), None, None, None
        return _avg(pad(gg.data, geo), geo, divisor), None, None, None


def _pool_geometry(op, x, kernel_size, stride, padding):
    x, unbatched = batched(op, as_tensor(x))
    kernel, stride, padding = pool_sizes(op, kernel_size, stride, padding)
    return x, unbatched, geometry(op, x.shape, kernel, stride, padding, (1, 1))


def max_pool2d(input, kernel_size, stride=None, padding=0):
    """The maximum of each ``kernel_size`` window of ``input`` (N, C, H, W), windows
    ``stride`` apart (default: ``kernel_size``), the input padded with -inf.

    Sizes are ints or pairs; ``padding`` is at most half the kernel. The
    gradient goes to the first maximum of each window (row-major order), as
    PyTorch. An unbatched (C, H, W) input gives a (C, OH, OW) output.
    """
    x, unbatched, geo = _pool_geometry("max_pool2d", input, kernel_size, stride, padding)
    out = MaxPool2d.apply(x, geo)
    return out.reshape(out.shape[1:]) if unbatched else out


def avg_pool2d(input, kernel_size, stride=None, padding=0, count_include_pad=True):
    """The mean of each ``kernel_size`` window of ``input`` (N, C, H, W), windows
    ``stride`` apart (default: ``kernel_size``), the input padded with zeros.

    With ``count_include_pad=True`` (PyTorch's default) every window is divided
    by the kernel's size, padding included; with ``False`` by the number of
    input values in it.
    """
    op = "avg_pool2d"
    x, unbatched, geo = _pool_geometry(op, input, kernel_size, stride, padding)
    kh, kw = geo.kernel
    divisor = kh * kw
    if not count_include_pad and any(geo.padding):
        # Input values per window: rows in range times columns in range.
        rows = _in_range(geo.out[0], geo.stride[0], kh, geo.padding[0], geo.size[0])
        cols = _in_range(geo.out[1], geo.stride[1], kw, geo.padding[2], geo.size[1])
        divisor = np.outer(rows, cols).astype(x.dtype if x.dtype.kind == "f" else np.float32)
    if x.dtype.kind != "f":
        x = x.astype(np.float32)
    out = AvgPool2d.apply(x, geo, divisor)
    return out.reshape(out.shape[1:]) if unbatched else out


def _in_range(n_out, stride, k, pad_before, size):
    start = np.arange(n_out) * stride - pad_before
    return np.minimum(start + k, size) - np.maximum(start, 0)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed ``output_size`` (an int or a pair; None keeps that
    axis): output cell (i, j) is the mean over rows floor(i * H / OH) ..
    ceil((i + 1) * H / OH) - 1 and the columns likewise, as PyTorch's.
    ``output_size=1`` is global average pooling.

    Composed of Tensor ops: the mean over a rectangle is a mean over its rows
    of a mean over its columns, so the output is ``A @ x @ B.T`` with constant
    averaging matrices A (OH x H) and B (OW x W).
    """
    op = "adaptive_avg_pool2d"
    x = as_tensor(input)
    image_rank(op, x)
    if x.dtype.kind != "f":
        x = x.astype(np.float32)
    h, w = x.shape[-2:]
    sizes = output_size_(op, output_size)
    if not isinstance(sizes, tuple):
        sizes = (sizes, sizes)
    oh, ow = (n if s is None else s for s, n in zip(sizes, (h, w)))
    if (oh, ow) == (1, 1):
        return x.mean(axis=(-2, -1), keepdims=True)
    out = x
    if oh != h:
        out = ag.tensor(_averaging(oh, h, x.dtype)) @ out
    if ow != w:
        out = out @ ag.tensor(_averaging(ow, w, x.dtype).T)
    return out


def _averaging(n_out, n_in, dtype):
    """The (n_out, n_in) matrix averaging adaptive pooling's bins."""
    m = np.zeros((n_out, n_in), dtype=dtype)
    for i in range(n_out):
        start, end = (i * n_in) // n_out, -((-(i + 1) * n_in) // n_out)
        m[i, start:end] = 1.0 / (end - start)
    return m
