"""Pooling ops on (N, C, H, W) arrays, with PyTorch's CPU semantics (1-D pools are 2-D ones
with H = 1). Each loops over the kh*kw kernel offsets only, one strided-slice operation on a
whole (N, C, OH, OW) block per offset (see minigrad.ops.conv): no loop over pixels, channels or
batch items, and no kh*kw-times copy of the input."""

from __future__ import annotations

import numpy as np

from minigrad.autograd.node import Op, constant
from minigrad.ops.conv import Col2Im, canvas, offset_slices


def _lowest(dtype: np.dtype) -> float | int:
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def max_pool2d_indices(x: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple,
                       padding: tuple, out_hw: tuple) -> np.ndarray:
    """For every window, the flat index (h * W + w) into the input plane of its maximum, as
    PyTorch's CPU kernel picks it: the first maximum in row-major window order, a NaN wins over
    everything (the last NaN), padding never wins, and a window of -inf points at its first
    in-bounds element. int64, shape (N, C, OH, OW).

    The loop over kernel offsets keeps a running maximum (np.maximum, which also keeps a NaN)
    and copies the offset's (OH, OW) plane of candidate indices where it set a new one."""
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_hw
    pt, pl = padding[0], padding[2]
    xp = canvas(x, padding, _lowest(x.dtype))
    h0, w0 = np.arange(oh) * sh - pt, np.arange(ow) * sw - pl  # window starts (may be < 0)
    first_h = h0 - np.minimum(h0 // dh, 0) * dh  # first in-bounds row / column of each window
    first_w = w0 - np.minimum(w0 // dw, 0) * dw
    index = np.empty((n, c, oh, ow), dtype=np.int64)
    index[...] = first_h[:, None] * w + first_w[None, :]
    best = np.full((n, c, oh, ow), _lowest(x.dtype), dtype=x.dtype)
    nans = x.dtype.kind == "f" and bool(np.isnan(x).any())
    for i in range(kh):
        for j in range(kw):
            v = xp[offset_slices(i, j, stride, dilation, out_hw)]
            take = v > best
            if nans:
                take |= np.isnan(v)
            np.maximum(best, v, out=best)
            np.copyto(index, (h0[:, None] + i * dh) * w + (w0[None, :] + j * dw), where=take)
    return index


def _global_index(index: np.ndarray, shape: tuple) -> np.ndarray:
    """Plane indices (N, C, OH, OW) into (H*W) as flat indices into the whole (N, C, H, W)
    array: one gather/scatter over the flat array (much faster than take_along_axis)."""
    n, c, h, w = shape
    return index + np.arange(0, n * c * h * w, h * w, dtype=np.int64).reshape(n, c, 1, 1)


class MaxPool2DWithIndices(Op):
    """out = x at each window's argmax (`max_pool2d_indices`);  the gradient is added back at
    those positions (summed where overlapping windows share a maximum)."""

    def forward(self, x, index, overlap):
        self.flat, self.in_shape, self.overlap = _global_index(index, x.shape), x.shape, overlap
        return np.take(x.reshape(-1), self.flat)

    def backward(self, grad):
        return (MaxUnpoolAdd.apply(grad, flat=self.flat, shape=self.in_shape,
                                   accumulate=self.overlap),)


class MaxUnpoolAdd(Op):
    """zeros(shape) with g added at the flat indices (max pooling's adjoint);  d/dg is the
    gradient read back at those indices."""

    def forward(self, g, flat, shape, accumulate):
        self.flat, self.accumulate = flat, accumulate
        out = np.zeros(int(np.prod(shape)), dtype=g.dtype)
        if accumulate:  # windows overlap: one position may be the maximum of several
            np.add.at(out, flat.reshape(-1), g.reshape(-1))
        else:
            out[flat.reshape(-1)] = g.reshape(-1)
        return out.reshape(shape)

    def backward(self, grad):
        return (MaxPoolGather.apply(grad, flat=self.flat, repeats=self.accumulate),)


class MaxPoolGather(Op):
    """x read at flat indices (the gradient of MaxUnpoolAdd);  d/dx adds the gradient back
    (accumulating when an index repeats)."""

    def forward(self, x, flat, repeats):
        self.flat, self.in_shape, self.repeats = flat, x.shape, repeats
        return np.take(x.reshape(-1), flat)

    def backward(self, grad):
        return (MaxUnpoolAdd.apply(grad, flat=self.flat, shape=self.in_shape,
                                   accumulate=self.repeats),)


def avg_pool2d_divisor(hw: tuple, out_hw: tuple, kernel: tuple, stride: tuple, padding: tuple,
                       count_include_pad: bool, divisor_override: int | None,
                       dtype: np.dtype) -> np.ndarray:
    """The (OH, OW) divisors of PyTorch's avg_pool2d: the window clipped to the padded input
    (count_include_pad), or to the input itself, or divisor_override."""
    if divisor_override:
        return np.full(out_hw, divisor_override, dtype=dtype)
    sizes = []
    for size, n_out, k, s, p in zip(hw, out_hw, kernel, stride, padding[::2], strict=True):
        start = np.arange(n_out) * s - p
        end = np.minimum(start + k, size + p)
        if count_include_pad:
            sizes.append(end - start)
        else:
            sizes.append(np.minimum(end, size) - np.maximum(start, 0))
    return np.multiply.outer(sizes[0], sizes[1]).astype(dtype)


class AvgPool2D(Op):
    """out = (sum of each zero-padded window) / divisor, summed in PyTorch's row-major window
    order;  d/dx: each window spreads g / divisor over its elements (col2im)."""

    def forward(self, x, kernel, stride, padding, divisor):
        self.geom = (x.shape, kernel, stride, padding, divisor)
        out_hw = divisor.shape
        xp = canvas(x, padding)
        out = np.zeros(x.shape[:2] + out_hw, dtype=x.dtype)
        for i in range(kernel[0]):
            for j in range(kernel[1]):
                out += xp[offset_slices(i, j, stride, (1, 1), out_hw)]
        out /= divisor
        return out

    def backward(self, grad):
        shape, kernel, stride, padding, divisor = self.geom
        n, c = shape[:2]
        k, length = kernel[0] * kernel[1], divisor.size
        g = (grad / constant(divisor)).reshape(n, c, 1, length)
        cols = g.expand(n, c, k, length).reshape(n, c * k, length)
        return (Col2Im.apply(cols, shape=shape, out_hw=divisor.shape, kernel=kernel,
                             stride=stride, dilation=(1, 1), pad_begin=padding[::2]),)
