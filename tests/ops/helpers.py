"""Naive NumPy references shared by tests/ops/test_conv.py and test_pool.py: padding and the
windows of a convolution or pooling, by explicit slicing."""

from __future__ import annotations

import numpy as np


def ref_pad(x, pad, fill=0.0):
    """Pad (top, bottom, left, right); a negative bottom/right crops."""
    pt, pb, pl, pr = pad
    n, c, h, w = x.shape
    out = np.full((n, c, h + pt + max(pb, 0), w + pl + max(pr, 0)), fill)
    out[:, :, pt:pt + h, pl:pl + w] = x
    return out[:, :, :h + pt + pb, :w + pl + pr]


def ref_windows(x, kernel, stride, dilation, pad, fill=0.0):
    """Every window as a list of ((p, q), patch (N, C, kh, kw)) by explicit slicing."""
    xp = ref_pad(x, pad, fill)
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    oh = (xp.shape[2] - dh * (kh - 1) - 1) // sh + 1
    ow = (xp.shape[3] - dw * (kw - 1) - 1) // sw + 1
    out = {}
    for p in range(oh):
        for q in range(ow):
            out[p, q] = xp[:, :, p * sh:p * sh + dh * (kh - 1) + 1:dh,
                           q * sw:q * sw + dw * (kw - 1) + 1:dw]
    return out, (oh, ow)
