"""Convolution ops (minigrad/ops/conv.py) on (N, C, H, W) arrays: im2col/col2im against
naive loops and against each other (adjoints), Convolution and ConvTranspose against naive
NumPy references (loops over output pixels, fine at these sizes), ConstantPad, and float64
gradcheck and gradgradcheck of every op."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.ops.conv import (
    Col2Im,
    ConstantPad,
    Convolution,
    ConvTranspose,
    Im2Col,
    col2im,
    im2col,
)
from minigrad.ops.pool import AvgPool2D
from tests.helpers import check_grad, check_gradgrad, grads_of
from tests.ops.helpers import ref_windows


def ref_conv(x, w, b, stride, pad, dilation, groups):
    o, cg, kh, kw = w.shape
    wins, (oh, ow) = ref_windows(x, (kh, kw), stride, dilation, pad)
    out = np.zeros((x.shape[0], o, oh, ow))
    og = o // groups
    for (p, q), patch in wins.items():
        for oc in range(o):
            g = oc // og
            out[:, oc, p, q] = (patch[:, g * cg:(g + 1) * cg] * w[oc]).sum(axis=(1, 2, 3))
    return out if b is None else out + b[:, None, None]


def ref_conv_transpose(x, w, b, stride, pad_begin, out_hw, dilation, groups):
    """Scatter every input pixel times its kernel into the output (the definition)."""
    n, cin, h, wd = x.shape
    _, cog, kh, kw = w.shape
    (sh, sw), (dh, dw) = stride, dilation
    full = np.zeros((n, cog * groups, max((h - 1) * sh + dh * (kh - 1) + 1, pad_begin[0]
                                          + out_hw[0]),
                     max((wd - 1) * sw + dw * (kw - 1) + 1, pad_begin[1] + out_hw[1])))
    cig = cin // groups
    for ci in range(cin):
        g = ci // cig
        for i in range(h):
            for j in range(wd):
                full[:, g * cog:(g + 1) * cog, i * sh:i * sh + dh * (kh - 1) + 1:dh,
                     j * sw:j * sw + dw * (kw - 1) + 1:dw] += x[:, ci, i, j][:, None, None,
                                                                            None] * w[ci]
    pt, pl = pad_begin
    out = full[:, :, pt:pt + out_hw[0], pl:pl + out_hw[1]]
    return out if b is None else out + b[:, None, None]


# (id, input shape, weight shape, stride, padding (t, b, l, r), dilation, groups)
CONVS = [
    ("plain", (2, 3, 5, 6), (4, 3, 3, 3), (1, 1), (0, 0, 0, 0), (1, 1), 1),
    ("stride-pad", (2, 3, 7, 6), (4, 3, 3, 2), (2, 3), (1, 1, 2, 2), (1, 1), 1),
    ("dilation", (1, 2, 8, 7), (3, 2, 2, 3), (1, 2), (1, 1, 0, 0), (3, 2), 1),
    ("groups", (2, 4, 5, 5), (6, 2, 3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 2),
    ("depthwise", (2, 3, 5, 5), (6, 1, 3, 3), (2, 1), (1, 1, 1, 1), (1, 2), 3),
    ("asymmetric", (1, 2, 5, 6), (2, 2, 2, 4), (1, 1), (0, 1, 1, 2), (1, 1), 1),
    ("crop-end", (1, 2, 6, 6), (2, 2, 2, 2), (2, 2), (1, -1, 0, -2), (1, 1), 1),
    ("one-by-one", (3, 4, 3, 2), (5, 4, 1, 1), (1, 1), (0, 0, 0, 0), (1, 1), 1),
]
IDS = [c[0] for c in CONVS]


@pytest.mark.parametrize("name,xs,ws,stride,pad,dil,groups", CONVS, ids=IDS)
@pytest.mark.parametrize("layout", [None, "groups"])
def test_im2col_matches_explicit_windows(name, xs, ws, stride, pad, dil, groups, layout, rng):
    x = rng.standard_normal(xs)
    g = groups if layout else None
    cols, out_hw = im2col(x, ws[2:], stride, dil, pad, g)
    wins, ref_hw = ref_windows(x, ws[2:], stride, dil, pad)
    assert out_hw == ref_hw
    n, c = xs[:2]
    for (p, q), patch in wins.items():
        col = p * out_hw[1] + q
        if g is None:
            np.testing.assert_array_equal(cols[:, :, col], patch.reshape(n, -1))
        else:
            for b in range(n):
                got = cols[:, :, b * out_hw[0] * out_hw[1] + col]
                np.testing.assert_array_equal(got, patch[b].reshape(g, -1))


@pytest.mark.parametrize("name,xs,ws,stride,pad,dil,groups", CONVS, ids=IDS)
@pytest.mark.parametrize("layout", [None, "groups"])
def test_col2im_is_the_adjoint_of_im2col(name, xs, ws, stride, pad, dil, groups, layout, rng):
    """<im2col(x), c> == <x, col2im(c)> for random x and c: the transpose, exactly."""
    x = rng.standard_normal(xs)
    g = groups if layout else None
    cols, out_hw = im2col(x, ws[2:], stride, dil, pad, g)
    c = rng.standard_normal(cols.shape)
    back = col2im(c, xs, out_hw, ws[2:], stride, dil, pad[::2], g)
    assert back.shape == xs
    np.testing.assert_allclose(np.sum(cols * c), np.sum(x * back), rtol=1e-12)


@pytest.mark.parametrize("name,xs,ws,stride,pad,dil,groups", CONVS, ids=IDS)
@pytest.mark.parametrize("bias", [True, False])
def test_convolution_forward_and_grads_match_reference(name, xs, ws, stride, pad, dil, groups,
                                                       bias, rng):
    x, w = rng.standard_normal(xs), rng.standard_normal(ws)
    b = rng.standard_normal(ws[0]) if bias else None
    want = ref_conv(x, w, b, stride, pad, dil, groups)
    g = rng.standard_normal(want.shape)
    args = (x, w) + ((b,) if bias else ())

    def fn(*t):
        return Convolution.apply(*t, stride=stride, padding=pad, dilation=dil, groups=groups)

    out, grads = grads_of(fn, *args, upstream=g)
    np.testing.assert_allclose(out.detach().numpy(), want, rtol=1e-12, atol=1e-12)
    # the input gradient is the transposed convolution of g (ConvTranspose's own reference)
    h, wd = xs[2:]
    gx = ref_conv_transpose(g, w, None, stride, pad[::2], (h, wd), dil, groups)
    np.testing.assert_allclose(grads[0].numpy(), gx, rtol=1e-10, atol=1e-12)
    if bias:
        np.testing.assert_allclose(grads[2].numpy(), g.sum(axis=(0, 2, 3)), rtol=1e-12)


@pytest.mark.parametrize("name,xs,ws,stride,pad,dil,groups", CONVS, ids=IDS)
def test_conv_transpose_forward_matches_scatter_reference(name, xs, ws, stride, pad, dil,
                                                          groups, rng):
    """x (N, C_out_of_conv, ...) -> the conv's input shape: ConvTranspose of the conv's
    output, with the conv's weight."""
    w = rng.standard_normal(ws)
    conv_out = ref_conv(rng.standard_normal(xs), w, None, stride, pad, dil, groups)
    y = rng.standard_normal(conv_out.shape)
    b = rng.standard_normal(xs[1])
    out = ConvTranspose.apply(minigrad.tensor(y), minigrad.tensor(w), minigrad.tensor(b),
                              stride=stride, dilation=dil, pad_begin=pad[::2], out_hw=xs[2:],
                              groups=groups)
    want = ref_conv_transpose(y, w, b, stride, pad[::2], xs[2:], dil, groups)
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-12, atol=1e-12)


GRAD_CONVS = [c for c in CONVS if c[0] in ("stride-pad", "dilation", "depthwise", "asymmetric",
                                           "crop-end")]
GRAD_IDS = [c[0] for c in GRAD_CONVS]


@pytest.mark.parametrize("name,xs,ws,stride,pad,dil,groups", GRAD_CONVS, ids=GRAD_IDS)
def test_convolution_gradcheck_and_gradgradcheck(name, xs, ws, stride, pad, dil, groups, rng):
    x, w, b = rng.standard_normal(xs[:1] + xs[1:]), rng.standard_normal(ws), \
        rng.standard_normal(ws[0])

    def fn(*t):
        return Convolution.apply(*t, stride=stride, padding=pad, dilation=dil, groups=groups)

    check_grad(fn, x[:1], w, b)
    check_gradgrad(fn, x[:1], w)


@pytest.mark.parametrize("name,xs,ws,stride,pad,dil,groups", GRAD_CONVS, ids=GRAD_IDS)
def test_conv_transpose_gradcheck_and_gradgradcheck(name, xs, ws, stride, pad, dil, groups, rng):
    w = rng.standard_normal(ws)
    y = rng.standard_normal(ref_conv(np.zeros((1,) + xs[1:]), w, None, stride, pad, dil,
                                     groups).shape)
    b = rng.standard_normal(xs[1])

    def fn(*t):
        return ConvTranspose.apply(*t, stride=stride, dilation=dil, pad_begin=pad[::2],
                                   out_hw=xs[2:], groups=groups)

    check_grad(fn, y, w, b)
    check_gradgrad(fn, y, w)


@pytest.mark.parametrize("layout", [None, 2])
def test_im2col_and_col2im_gradcheck_and_gradgradcheck(layout, rng):
    geom = dict(kernel=(2, 3), stride=(2, 1), dilation=(1, 2))
    x = rng.standard_normal((2, 4, 5, 6))

    def unfold(t):
        return Im2Col.apply(t, padding=(1, 0, 1, 2), groups=layout, **geom)

    cols = unfold(minigrad.tensor(x))
    out_hw = (3, 5)  # (1 + 5 + 0 - 2) // 2 + 1, (1 + 6 + 2 - 5) // 1 + 1
    assert cols.shape[-1] == out_hw[0] * out_hw[1] * (1 if layout is None else 2)

    def fold(t):
        return Col2Im.apply(t, shape=x.shape, out_hw=out_hw, pad_begin=(1, 1), groups=layout,
                            **geom)

    check_grad(unfold, x)
    check_gradgrad(unfold, x)
    c = rng.standard_normal(tuple(cols.shape))
    check_grad(fold, c)
    check_gradgrad(fold, c)


def test_constant_pad_crops_and_pads_and_its_gradient_crops_back(rng):
    x = rng.standard_normal((2, 3, 4))
    out = ConstantPad.apply(minigrad.tensor(x), pad=(1, -2, -1, 2), value=5.0)
    want = np.full((2, 4, 3), 5.0)  # dim 1: crop 1 at the start, 2 more at the end
    want[:, :2, 1:] = x[:, 1:, :2]  # dim 2: one more at the start, crop 2 at the end
    np.testing.assert_array_equal(out.numpy(), want)
    check_grad(lambda t: ConstantPad.apply(t, pad=(1, -2, -1, 2), value=5.0), x)
    check_gradgrad(lambda t: ConstantPad.apply(t, pad=(2, 1), value=0.0), x)


def test_ops_keep_float32(rng):
    x = minigrad.tensor(rng.standard_normal((1, 2, 4, 4)).astype(np.float32), requires_grad=True)
    w = minigrad.tensor(rng.standard_normal((2, 2, 2, 2)).astype(np.float32), requires_grad=True)
    out = Convolution.apply(x, w, stride=(1, 1), padding=(1, 0, 0, 1), dilation=(1, 1),
                            groups=1)
    pooled = AvgPool2D.apply(out, kernel=(2, 2), stride=(2, 2), padding=(0, -1, 0, -1),
                             divisor=np.full((2, 2), 4.0, dtype=np.float32))
    pooled.sum().backward()
    for t in (out, pooled, x.grad, w.grad):
        assert t.dtype == minigrad.float32
