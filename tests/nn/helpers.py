"""NumPy references shared by tests/nn/functional and tests/nn/modules: normalisation,
convolution and pooling written out naively, and the recurrent layers under test."""

from __future__ import annotations

import math

import numpy as np

from minigrad.nn.modules.rnn import GRU, LSTM, RNN


# -- normalisation ---------------------------------------------------------------------------------
def ref_batch_norm(x, mean, var, w=None, b=None, eps=1e-5):
    shape = (1, -1) + (1,) * (x.ndim - 2)
    y = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    y = y * w.reshape(shape) if w is not None else y
    return y + b.reshape(shape) if b is not None else y


def batch_stats(x):
    axes = (0,) + tuple(range(2, x.ndim))
    n = x.size // x.shape[1]
    return x.mean(axis=axes), x.var(axis=axes), x.var(axis=axes) * n / (n - 1)


def ref_layer_norm(x, k, w=None, b=None, eps=1e-5):
    axes = tuple(range(x.ndim - k, x.ndim))
    y = (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True) + eps)
    y = y * w if w is not None else y
    return y + b if b is not None else y


def ref_group_norm(x, groups, w=None, b=None, eps=1e-5):
    g = x.reshape(x.shape[0], groups, -1)
    y = ((g - g.mean(-1, keepdims=True)) / np.sqrt(g.var(-1, keepdims=True) + eps))
    y = y.reshape(x.shape)
    shape = (1, -1) + (1,) * (x.ndim - 2)
    y = y * w.reshape(shape) if w is not None else y
    return y + b.reshape(shape) if b is not None else y


def ref_rms_norm(x, k, w=None, eps=None):
    eps = np.finfo(x.dtype).eps if eps is None else eps
    axes = tuple(range(x.ndim - k, x.ndim))
    y = x / np.sqrt(np.mean(x * x, axis=axes, keepdims=True) + eps)
    return y * w if w is not None else y


# -- convolution -----------------------------------------------------------------------------------
def ref_conv2d(x, w, b=None, stride=(1, 1), pads=((0, 0), (0, 0)), dilation=(1, 1), groups=1):
    """out[n, o, p, q] = sum over c, i, j of xpad[n, c, p*s + i*d, q*s + j*d] * w[o, c, i, j]."""
    (pt, pb), (pl, pr) = pads
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    o, cg, kh, kw = w.shape
    (sh, sw), (dh, dw) = stride, dilation
    oh = (xp.shape[2] - dh * (kh - 1) - 1) // sh + 1
    ow = (xp.shape[3] - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((x.shape[0], o, oh, ow))
    for oc in range(o):
        g = oc // (o // groups)
        for p in range(oh):
            for q in range(ow):
                for i in range(kh):
                    for j in range(kw):
                        px = xp[:, g * cg:(g + 1) * cg, p * sh + i * dh, q * sw + j * dw]
                        out[:, oc, p, q] += px @ w[oc, :, i, j]
    return out if b is None else out + b[:, None, None]


# -- pooling ---------------------------------------------------------------------------------------
def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _out_len(n, k, s, p, d, ceil):
    """The documented output size: floor (or ceil) of (n + 2p - d(k-1) - 1) / s + 1, where with
    ceil_mode the last window must start inside the input or the left padding."""
    span = n + 2 * p - d * (k - 1) - 1
    out = (math.ceil(span / s) if ceil else span // s) + 1
    if ceil and (out - 1) * s >= n + p:
        out -= 1
    return out


def ref_pool(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, kind="max",
             count_include_pad=True, divisor_override=None):
    """Naive pooling over (N, C, H, W): every window by explicit indexing. Returns the values
    and, for max, the first-maximum flat indices."""
    (kh, kw), (ph, pw) = _pair(kernel_size), _pair(padding)
    (dh, dw), (sh, sw) = _pair(dilation), _pair(stride if stride is not None else kernel_size)
    n, c, h, w = x.shape
    oh, ow = _out_len(h, kh, sh, ph, dh, ceil_mode), _out_len(w, kw, sw, pw, dw, ceil_mode)
    out, index = np.zeros((n, c, oh, ow)), np.zeros((n, c, oh, ow), dtype=np.int64)
    for p in range(oh):
        for q in range(ow):
            rows = [p * sh - ph + i * dh for i in range(kh)]
            cols = [q * sw - pw + j * dw for j in range(kw)]
            inside = [(r, s) for r in rows for s in cols if 0 <= r < h and 0 <= s < w]
            vals = np.stack([x[:, :, r, s] for r, s in inside], axis=-1)
            if kind == "max":
                k = np.argmax(vals, axis=-1)
                out[:, :, p, q] = np.take_along_axis(vals, k[..., None], -1)[..., 0]
                flat = np.array([r * w + s for r, s in inside])
                index[:, :, p, q] = flat[k]
            else:
                # the padded window, clipped to the padded input [-p, n + p)
                hs, ws = p * sh - ph, q * sw - pw
                padded = (min(hs + kh, h + ph) - hs) * (min(ws + kw, w + pw) - ws)
                div = divisor_override or (padded if count_include_pad else len(inside))
                out[:, :, p, q] = vals.sum(axis=-1) / div
    return out, index


def ref_adaptive(x, out_hw):
    h, w = x.shape[-2:]
    oh, ow = out_hw
    out = np.zeros(x.shape[:-2] + (oh, ow))
    for i in range(oh):
        for j in range(ow):
            r0, r1 = (i * h) // oh, math.ceil((i + 1) * h / oh)
            c0, c1 = (j * w) // ow, math.ceil((j + 1) * w / ow)
            out[..., i, j] = x[..., r0:r1, c0:c1].mean(axis=(-2, -1))
    return out


# -- recurrent layers: (class, mode, extra constructor arguments) ----------------------------------
LAYERS = {"tanh": (RNN, "RNN_TANH", {}), "relu": (RNN, "RNN_RELU", {"nonlinearity": "relu"}),
          "lstm": (LSTM, "LSTM", {}), "gru": (GRU, "GRU", {})}


def softmax_last(s: np.ndarray) -> np.ndarray:
    """NumPy softmax over the last axis: the reference for attention weights."""
    e = np.exp(s - s.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)
