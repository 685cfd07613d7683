"""Sliding windows over images (NCHW): the geometry shared by convolution and pooling.

A window op slides a ``kh x kw`` kernel, its taps ``dilation`` apart, over the
input padded by ``padding`` (top, bottom, left, right), ``stride`` apart. For
kernel offset ``(i, j)``, the input values that tap sees at every output
position form one strided view of the padded input, ``tap(xp, i, j)``:
convolution and pooling are sums (or maxima) of these ``kh * kw`` views, and
their backward passes add the output gradient back into the same views. So
every loop here runs over kernel offsets, never over pixels or images.
"""
import numbers
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

__all__ = ["Geometry", "integer", "pair", "image_rank", "batched", "pool_sizes",
           "output_size", "conv_padding", "geometry", "pad", "tap", "windows", "crop"]


class Geometry(NamedTuple):
    """Everything a window op needs to know about its shapes."""
    kernel: tuple          # (kh, kw)
    stride: tuple          # (sh, sw)
    padding: tuple         # (top, bottom, left, right)
    dilation: tuple        # (dh, dw)
    size: tuple            # (H, W) of the input, before padding
    out: tuple             # (OH, OW)

    @property
    def padded(self):
        """(Hp, Wp): the padded input's size."""
        t, b, l, r = self.padding
        return self.size[0] + t + b, self.size[1] + l + r

    @property
    def overlapping(self):
        """Whether an input position can fall in more than one window."""
        (kh, kw), (sh, sw), (dh, dw) = self.kernel, self.stride, self.dilation
        return (kh > 1 and sh < (kh - 1) * dh + 1) or (kw > 1 and sw < (kw - 1) * dw + 1)


def integer(op, name, v, minimum, what="an int"):
    """``v`` as an int >= ``minimum``; a clear error otherwise."""
    if isinstance(v, bool) or not isinstance(v, (numbers.Integral, np.integer)):
        raise TypeError(f"{op}: {name} must be {what}, got {type(v).__name__} {v!r}")
    if v < minimum:
        raise ValueError(f"{op}: {name} must be >= {minimum}, got {v}")
    return int(v)


def pair(op, name, value, minimum=1):
    """``value`` (an int or a pair of ints, each >= ``minimum``) as a pair of ints."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{op}: {name} must be an int or a pair of ints, got "
                             f"{len(value)} values {tuple(value)}")
        return tuple(integer(op, name, v, minimum, "an int or a pair of ints") for v in value)
    v = integer(op, name, value, minimum, "an int or a pair of ints")
    return v, v


def image_rank(op, x):
    """Raise ``ValueError`` unless ``x`` is an image batch (N, C, H, W) or one image
    (C, H, W)."""
    if x.ndim not in (3, 4):
        raise ValueError(f"{op}: input must be 4-D (N, C, H, W) or 3-D (C, H, W), got shape "
                         f"{x.shape}")


def batched(op, x):
    """``(x, unbatched)``: an image batch (N, C, H, W) as it is, or one image
    (C, H, W) with a batch axis added; any other rank is a ``ValueError``."""
    image_rank(op, x)
    if x.ndim == 3:
        return x.reshape((1,) + tuple(x.shape)), True
    return x, False


def pool_sizes(op, kernel_size, stride, padding):
    """``(kernel, stride, padding)`` of a pooling op as pairs of ints: ``stride``
    defaults to the kernel; each padding is at most half its kernel (as PyTorch),
    since a larger one could make a window of padding only."""
    kernel = pair(op, "kernel_size", kernel_size)
    stride = kernel if stride is None or (isinstance(stride, (tuple, list)) and
                                           len(stride) == 0) else pair(op, "stride", stride)
    pads = pair(op, "padding", padding, minimum=0)
    for k, p, axis in zip(kernel, pads, ("rows", "columns")):
        if p > k // 2:
            raise ValueError(f"{op}: padding {pads} must be at most half the kernel size "
                             f"{kernel} (as PyTorch), else a window could hold padding "
                             f"only; here padding {p} ({axis}) must be at most half the "
                             f"kernel size {k}")
    return kernel, stride, pads


def output_size(op, size):
    """Adaptive pooling's ``output_size`` checked: an int >= 1, or a pair of them in
    which None keeps that axis's size (returned as a tuple)."""
    if not isinstance(size, (tuple, list)):
        return integer(op, "output_size", size, 1)
    if len(size) != 2:
        raise ValueError(f"{op}: output_size must be an int or a pair, got {tuple(size)}")
    return tuple(None if s is None else integer(op, "output_size", s, 1) for s in size)


def conv_padding(op, padding, stride):
    """A convolution's ``padding`` checked: ``"valid"``, ``"same"`` (stride 1 only) or
    an int or pair of ints >= 0 (returned as a pair)."""
    if not isinstance(padding, str):
        return pair(op, "padding", padding, minimum=0)
    if padding not in ("valid", "same"):
        raise ValueError(f"{op}: padding must be an int, a pair, 'valid' or 'same', "
                         f"got {padding!r}")
    if padding == "same" and tuple(stride) != (1, 1):
        raise ValueError(f"{op}: padding='same' needs stride 1, got stride {tuple(stride)}; "
                         f"give the padding as numbers instead")
    return padding


def geometry(op, shape, kernel, stride, padding, dilation):
    """The ``Geometry`` of a window op on an input of ``shape`` (N, C, H, W).

    ``padding`` is an int, a pair (both sides alike), or a 4-tuple (top, bottom,
    left, right). Raises ``ValueError`` naming the numbers when the (dilated)
    kernel does not fit in the padded input.
    """
    kh, kw = kernel
    if isinstance(padding, tuple) and len(padding) == 4:
        pads = padding
    else:
        ph, pw = pair(op, "padding", padding, minimum=0)
        pads = (ph, ph, pw, pw)
    h, w = shape[2], shape[3]
    (dh, dw), (sh, sw) = dilation, stride
    eh, ew = (kh - 1) * dh + 1, (kw - 1) * dw + 1          # the dilated kernel's extent
    hp, wp = h + pads[0] + pads[1], w + pads[2] + pads[3]
    if eh > hp or ew > wp:
        what = f"kernel {kh}x{kw}" + (f" with dilation {dh}x{dw} (extent {eh}x{ew})"
                                      if (dh, dw) != (1, 1) else "")
        raise ValueError(f"{op}: {what} is larger than the padded input {hp}x{wp} "
                         f"(input {h}x{w}, padding {pads[0]}+{pads[1]} rows, "
                         f"{pads[2]}+{pads[3]} columns)")
    out = ((hp - eh) // sh + 1, (wp - ew) // sw + 1)
    return Geometry((kh, kw), (sh, sw), pads, (dh, dw), (h, w), out)


def pad(x, geo, value=0):
    """``x`` (N, C, H, W) padded with ``value`` as ``geo`` says (``x`` itself if no padding)."""
    t, b, l, r = geo.padding
    if not (t or b or l or r):
        return x
    hp, wp = geo.padded
    out = np.full(x.shape[:2] + (hp, wp), value, dtype=x.dtype)
    out[:, :, t:t + x.shape[2], l:l + x.shape[3]] = x
    return out


def crop(xp, geo):
    """The inverse of ``pad``: the unpadded part of a padded array, contiguous (``xp``
    itself when there is no padding, else a copy)."""
    t, b, l, r = geo.padding
    if not (t or b or l or r):
        return xp
    return np.ascontiguousarray(xp[:, :, t:t + geo.size[0], l:l + geo.size[1]])


def tap(xp, geo, i, j):
    """The (N, C, OH, OW) view of the padded input ``xp`` seen by kernel offset (i, j)."""
    (sh, sw), (dh, dw), (oh, ow) = geo.stride, geo.dilation, geo.out
    r, c = i * dh, j * dw
    return xp[:, :, r:r + sh * (oh - 1) + 1:sh, c:c + sw * (ow - 1) + 1:sw]


def windows(xp, geo):
    """All taps at once: the read-only (N, C, kh, kw, OH, OW) strided view of ``xp``."""
    n, c = xp.shape[:2]
    s0, s1, s2, s3 = xp.strides
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = geo.kernel, geo.stride, geo.dilation, geo.out
    return as_strided(xp, shape=(n, c, kh, kw, oh, ow),
                      strides=(s0, s1, s2 * dh, s3 * dw, s2 * sh, s3 * sw), writeable=False)
