"""Convolution ops on (N, C, H, W) arrays (1-D convolutions are 2-D ones with H = 1).

The work is im2col on a strided view plus one matmul per group:

- `im2col` reads every window of the (padded) input as a read-only `as_strided` view
  (N, C, kh, kw, OH, OW) and copies it once into a column matrix, so a convolution is
  `W (G, O/G, C/G*kh*kw) @ cols (G, C/G*kh*kw, N*OH*OW)`: one BLAS matmul per group, the groups
  riding as a batch axis of np.matmul (depthwise convolution is the case C/G = 1);
- `col2im` is its adjoint: it adds every column back to the pixel it was read from. It loops
  over the kh*kw kernel offsets, each iteration one strided-slice add of a whole
  (N, C, OH, OW) block: windows overlap, so a vectorised scatter would need `np.add.at`
  (unbuffered, several times slower) or a bincount over every pixel; kh*kw is small (9 for
  3x3) and each slice add is a plain NumPy loop over contiguous memory, so this is the fastest.

Geometry options, per spatial dim (height first): `kernel`, `stride`, `dilation`; `padding` is
(top, bottom, left, right) and may be asymmetric (padding='same' with an even kernel) or
negative at the end (a crop, needed by the adjoints); `pad_begin` is (top, left).

Backward is written with these ops, so gradients of gradients work: the input gradient of a
convolution is a transposed convolution (and the other way round), and the weight gradient is
the output gradient times the columns (`Im2Col`, whose backward is `Col2Im` and vice versa).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from minigrad.autograd.node import Op


def out_size(size: int, k: int, s: int, d: int, p0: int, p1: int) -> int:
    """How many windows of span d*(k-1)+1, stride s fit in size + p0 + p1 (floor)."""
    return (size + p0 + p1 - d * (k - 1) - 1) // s + 1


def span(windows: int, k: int, s: int, d: int) -> int:
    """The extent covered by `windows` windows: the canvas an adjoint must add into."""
    return (windows - 1) * s + d * (k - 1) + 1


def canvas(x: np.ndarray, padding: tuple, fill: float = 0) -> np.ndarray:
    """x (N, C, H, W) placed at (top, left) on a canvas grown by padding (top, bottom, left,
    right) and filled with `fill` elsewhere; negative bottom/right padding crops."""
    if not any(padding):
        return x
    pt, pb, pl, pr = padding
    n, c, h, w = x.shape
    hc, wc = pt + h + pb, pl + w + pr
    out = np.full((n, c, hc, wc), fill, dtype=x.dtype)
    rows, cols = max(0, min(h, hc - pt)), max(0, min(w, wc - pl))
    out[:, :, pt:pt + rows, pl:pl + cols] = x[:, :, :rows, :cols]
    return out


def windows(xp: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple,
            out_hw: tuple) -> np.ndarray:
    """Read-only view (N, C, kh, kw, OH, OW): [..., i, j, p, q] = xp[..., p*sh + i*dh,
    q*sw + j*dw]. No copy."""
    n, c = xp.shape[:2]
    s_n, s_c, s_h, s_w = xp.strides
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    return as_strided(xp, (n, c, kh, kw) + tuple(out_hw),
                      (s_n, s_c, s_h * dh, s_w * dw, s_h * sh, s_w * sw), writeable=False)


def offset_slices(i: int, j: int, stride: tuple, dilation: tuple, out_hw: tuple) -> tuple:
    """The (OH, OW) strided slice of a canvas that kernel offset (i, j) reads in every window."""
    (sh, sw), (dh, dw), (oh, ow) = stride, dilation, out_hw
    return (slice(None), slice(None), slice(i * dh, i * dh + sh * (oh - 1) + 1, sh),
            slice(j * dw, j * dw + sw * (ow - 1) + 1, sw))


def im2col(x: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple, padding: tuple,
           groups: int | None) -> tuple[np.ndarray, tuple]:
    """Columns of every window of x, and the window counts (OH, OW). Layout: groups=None is
    PyTorch's unfold (N, C*kh*kw, OH*OW); groups=G is (G, C/G*kh*kw, N*OH*OW), the matmul
    operand of a grouped convolution."""
    n, c, h, w = x.shape
    pt, pb, pl, pr = padding
    out_hw = (out_size(h, kernel[0], stride[0], dilation[0], pt, pb),
              out_size(w, kernel[1], stride[1], dilation[1], pl, pr))
    win = windows(canvas(x, padding), kernel, stride, dilation, out_hw)
    k, length = kernel[0] * kernel[1], out_hw[0] * out_hw[1]
    if groups is None:
        return win.reshape(n, c * k, length), out_hw
    g = groups
    win = win.reshape((n, g, c // g) + win.shape[2:]).transpose(1, 2, 3, 4, 0, 5, 6)
    return win.reshape(g, c // g * k, n * length), out_hw


def col2im(cols: np.ndarray, shape: tuple, out_hw: tuple, kernel: tuple, stride: tuple,
           dilation: tuple, pad_begin: tuple, groups: int | None) -> np.ndarray:
    """The adjoint of im2col: an array of `shape` (N, C, H, W) with every column entry added
    to the pixel it was read from (overlapping windows sum). A loop over the kh*kw kernel
    offsets, each a strided-slice add of a whole (N, C, OH, OW) block (see the module doc)."""
    n, c, h, w = shape
    (kh, kw), (oh, ow), (pt, pl) = kernel, out_hw, pad_begin
    if groups is None:
        blocks = cols.reshape(n, c, kh, kw, oh, ow)
    else:
        g = groups
        blocks = cols.reshape(g, c // g, kh, kw, n, oh, ow).transpose(4, 0, 1, 2, 3, 5, 6)
        blocks = blocks.reshape(n, c, kh, kw, oh, ow)
    hc = max(span(oh, kh, stride[0], dilation[0]), pt + h)
    wc = max(span(ow, kw, stride[1], dilation[1]), pl + w)
    out = np.zeros((n, c, hc, wc), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            out[offset_slices(i, j, stride, dilation, out_hw)] += blocks[:, :, i, j]
    if (hc, wc) == (h, w):
        return out
    return np.ascontiguousarray(out[:, :, pt:pt + h, pl:pl + w])


def adjoint_padding(shape_hw: tuple, out_hw: tuple, kernel: tuple, stride: tuple,
                    dilation: tuple, pad_begin: tuple) -> tuple:
    """Padding (top, bottom, left, right) under which im2col of an (H, W) image gives exactly
    out_hw windows: the bottom/right end is cut (or grown) to the windows' span."""
    (h, w), (pt, pl) = shape_hw, pad_begin
    pb = span(out_hw[0], kernel[0], stride[0], dilation[0]) - pt - h
    pr = span(out_hw[1], kernel[1], stride[1], dilation[1]) - pl - w
    return (pt, pb, pl, pr)


class Im2Col(Op):
    """cols = every window of x laid out as columns (see `im2col`);  the gradient is col2im."""

    def forward(self, x, kernel, stride, dilation, padding, groups=None):
        self.geom = (kernel, stride, dilation, padding, groups)
        self.in_shape = x.shape
        cols, self.out_hw = im2col(x, kernel, stride, dilation, padding, groups)
        return cols

    def backward(self, grad):
        kernel, stride, dilation, padding, groups = self.geom
        return (Col2Im.apply(grad, shape=self.in_shape, out_hw=self.out_hw, kernel=kernel,
                             stride=stride, dilation=dilation, pad_begin=padding[::2],
                             groups=groups),)


class Col2Im(Op):
    """x = the columns added back to their pixels (see `col2im`);  the gradient is im2col."""

    def forward(self, cols, shape, out_hw, kernel, stride, dilation, pad_begin, groups=None):
        self.geom = (shape, out_hw, kernel, stride, dilation, pad_begin, groups)
        return col2im(cols, shape, out_hw, kernel, stride, dilation, pad_begin, groups)

    def backward(self, grad):
        shape, out_hw, kernel, stride, dilation, pad_begin, groups = self.geom
        padding = adjoint_padding(shape[2:], out_hw, kernel, stride, dilation, pad_begin)
        return (Im2Col.apply(grad, kernel=kernel, stride=stride, dilation=dilation,
                             padding=padding, groups=groups),)


def _weight_matrix(w: np.ndarray, groups: int) -> np.ndarray:
    """(O, C/G, kh, kw) -> (G, O/G, C/G*kh*kw): one matrix per group."""
    return w.reshape(groups, w.shape[0] // groups, -1)


def _bias_grad(grad):
    return grad.sum(dim=(0, 2, 3))


class Convolution(Op):
    """out = W (cross-correlation) x + b, as W @ im2col(x) per group;  d/dx =
    conv_transpose(g, W),  d/dW = g @ im2col(x)^T,  d/db = g summed over N, H, W.

    The columns are not kept for backward (they are kh*kw times the input): the weight gradient
    recomputes them, trading one more im2col copy for that memory."""

    def forward(self, x, w, b=None, *, stride, padding, dilation, groups):
        self.keep_inputs(0, 1)
        self.geom = (stride, padding, dilation, groups)
        n, o, g = x.shape[0], w.shape[0], groups
        cols, out_hw = im2col(x, w.shape[2:], stride, dilation, padding, g)
        self.shapes = (x.shape, out_hw)
        out = np.matmul(_weight_matrix(w, g), cols)  # (G, O/G, N*OH*OW)
        out = np.ascontiguousarray(out.reshape((o, n) + out_hw).transpose(1, 0, 2, 3))
        if b is not None:
            out += b.reshape(o, 1, 1)
        return out

    def backward(self, grad):
        x, w = self.saved_inputs
        stride, padding, dilation, groups = self.geom
        (n, c, h, wd), out_hw = self.shapes
        needs = self.needs_input_grad
        gx = gw = None
        if needs[0]:
            gx = ConvTranspose.apply(grad, w, stride=stride, dilation=dilation,
                                     pad_begin=padding[::2], out_hw=(h, wd), groups=groups)
        if needs[1]:
            o, g = w.data.shape[0], groups
            length = out_hw[0] * out_hw[1]  # sizes spelled out: -1 is ambiguous when n == 0
            gm_t = grad.reshape(n, g, o // g, length).permute(1, 0, 3, 2)
            gm_t = gm_t.reshape(g, n * length, o // g)  # (G, N*OH*OW, O/G), contiguous
            cols = Im2Col.apply(x, kernel=w.data.shape[2:], stride=stride, dilation=dilation,
                                padding=padding, groups=g)
            # dW^T = cols @ g^T: both operands contiguous (np.matmul on a stack with a
            # transposed operand leaves BLAS and runs several times slower)
            gw = (cols @ gm_t).mT.reshape(w.data.shape)
        if len(needs) == 2:
            return gx, gw
        return gx, gw, (_bias_grad(grad) if needs[2] else None)


class ConvTranspose(Op):
    """out = col2im(W^T @ x) + b: the adjoint of a convolution (a "deconvolution");  d/dx =
    conv(g, W),  d/dW = x @ im2col(g)^T,  d/db = g summed over N, H, W.

    x is (N, C_in, H, W), W is (C_in, C_out/G, kh, kw); the output is (N, C_out, *out_hw), its
    top-left corner at pad_begin on the canvas the windows cover."""

    def forward(self, x, w, b=None, *, stride, dilation, pad_begin, out_hw, groups):
        self.keep_inputs(0, 1)
        self.geom = (stride, dilation, pad_begin, out_hw, groups)
        n, cin, h, wd = x.shape
        g = groups
        cout, kernel = w.shape[1] * g, w.shape[2:]
        xm = x.reshape(n, g, cin // g, h * wd).transpose(1, 2, 0, 3)
        xm = xm.reshape(g, cin // g, n * h * wd)
        wt = np.ascontiguousarray(_weight_matrix(w, g).transpose(0, 2, 1))  # small: see below
        # (G, Cout/G*k, N*H*W); with one input channel per group (depthwise) an outer product,
        # which np.matmul does several times slower than a broadcast multiply
        cols = wt * xm if cin // g == 1 else np.matmul(wt, xm)
        out = col2im(cols, (n, cout) + tuple(out_hw), (h, wd), kernel, stride, dilation,
                     pad_begin, g)
        if b is not None:
            out += b.reshape(cout, 1, 1)
        return out

    def backward(self, grad):
        x, w = self.saved_inputs
        stride, dilation, pad_begin, out_hw, groups = self.geom
        n, cin, h, wd = x.data.shape
        kernel = w.data.shape[2:]
        padding = adjoint_padding(out_hw, (h, wd), kernel, stride, dilation, pad_begin)
        needs = self.needs_input_grad
        gx = gw = None
        if needs[0]:
            gx = Convolution.apply(grad, w, stride=stride, padding=padding, dilation=dilation,
                                   groups=groups)
        if needs[1]:
            g = groups
            xm_t = x.reshape(n, g, cin // g, h * wd).permute(1, 0, 3, 2)
            xm_t = xm_t.reshape(g, n * h * wd, cin // g)  # (G, N*H*W, C_in/G), contiguous
            cols = Im2Col.apply(grad, kernel=kernel, stride=stride, dilation=dilation,
                                padding=padding, groups=g)
            gw = (cols @ xm_t).mT.reshape(w.data.shape)  # dW^T = cols @ x^T, as in Convolution
        if len(needs) == 2:
            return gx, gw
        return gx, gw, (_bias_grad(grad) if needs[2] else None)


class ConstantPad(Op):
    """x padded with `value` by pad (PyTorch order: last dim first, (begin, end) pairs;
    negative entries crop);  the gradient is cropped back (padding it with the negated pad)."""

    def forward(self, x, pad, value):
        self.pad = pad
        crop = [slice(None)] * x.ndim
        widths = [(0, 0)] * x.ndim
        for k in range(len(pad) // 2):
            d = x.ndim - 1 - k
            lo, hi = pad[2 * k], pad[2 * k + 1]
            crop[d] = slice(max(0, -lo), x.shape[d] - max(0, -hi))
            widths[d] = (max(0, lo), max(0, hi))
        return np.pad(x[tuple(crop)], widths, constant_values=value)

    def backward(self, grad):
        return (ConstantPad.apply(grad, pad=tuple(-p for p in self.pad), value=0),)
