"""Convolution functions (minigrad/nn/functional/conv.py): conv1d/conv2d/conv_transpose1d/
conv_transpose2d, pad, unfold and fold against naive NumPy references (loops over output
pixels), adjoint identities, float64 gradcheck and gradgradcheck, empty batches, and bad
inputs (errors name the op and the shapes)."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.autograd import gradcheck, gradgradcheck
from minigrad.nn.functional.conv import (
    conv1d,
    conv2d,
    conv_transpose1d,
    conv_transpose2d,
    fold,
    pad,
    unfold,
)
from tests.helpers import to_numpy as _np
from tests.nn.helpers import ref_conv2d


def _t(a, requires_grad=False):
    return minigrad.tensor(np.array(a), requires_grad=requires_grad)



# -- naive references ------------------------------------------------------------------------------
# ref_conv2d, shared with tests/nn/modules/test_conv.py, is in tests/nn/helpers.py
def ref_conv_transpose2d(x, w, b=None, stride=(1, 1), padding=(0, 0), output_padding=(0, 0),
                         dilation=(1, 1), groups=1):
    """Every input pixel scatters itself times its kernel into the output."""
    n, cin, h, wd = x.shape
    _, cog, kh, kw = w.shape
    (sh, sw), (dh, dw), (ph, pw) = stride, dilation, padding
    oh = (h - 1) * sh - 2 * ph + dh * (kh - 1) + output_padding[0] + 1
    ow = (wd - 1) * sw - 2 * pw + dw * (kw - 1) + output_padding[1] + 1
    full = np.zeros((n, cog * groups, oh + 2 * ph, ow + 2 * pw))
    cig = cin // groups
    for ci in range(cin):
        g = ci // cig
        for i in range(h):
            for j in range(wd):
                for a in range(kh):
                    for c in range(kw):
                        full[:, g * cog:(g + 1) * cog, i * sh + a * dh, j * sw + c * dw] += \
                            x[:, ci, i, j][:, None] * w[ci, :, a, c]
    out = full[:, :, ph:ph + oh, pw:pw + ow]
    return out if b is None else out + b[:, None, None]


# -- conv2d ----------------------------------------------------------------------------------------
# (id, input shape, weight shape, kwargs, the (top, bottom), (left, right) padding it means)
CONV2D = [
    ("default", (2, 3, 6, 5), (4, 3, 3, 3), {}, ((0, 0), (0, 0))),
    ("stride-padding-int", (2, 3, 7, 6), (4, 3, 3, 3), dict(stride=2, padding=1),
     ((1, 1), (1, 1))),
    ("stride-padding-tuple", (1, 2, 7, 8), (3, 2, 2, 3), dict(stride=(2, 3), padding=(2, 1)),
     ((2, 2), (1, 1))),
    ("dilation", (1, 2, 9, 8), (3, 2, 3, 2), dict(dilation=(2, 3), padding=1),
     ((1, 1), (1, 1))),
    ("groups", (2, 4, 5, 5), (6, 2, 3, 3), dict(groups=2, padding=1), ((1, 1), (1, 1))),
    ("depthwise", (2, 3, 6, 6), (6, 1, 3, 3), dict(groups=3, stride=2), ((0, 0), (0, 0))),
    ("same-odd", (1, 2, 5, 6), (3, 2, 3, 5), dict(padding="same"), ((1, 1), (2, 2))),
    ("same-even", (1, 2, 5, 6), (3, 2, 2, 4), dict(padding="same"), ((0, 1), (1, 2))),
    ("same-even-dilated", (1, 2, 7, 7), (2, 2, 2, 4), dict(padding="same", dilation=(3, 2)),
     ((1, 2), (3, 3))),
    ("valid", (1, 2, 5, 6), (3, 2, 2, 2), dict(padding="valid"), ((0, 0), (0, 0))),
    ("stride-list-of-one", (1, 1, 5, 5), (1, 1, 2, 2), dict(stride=[2]), ((0, 0), (0, 0))),
]


def _ref_kwargs(kwargs):
    s = kwargs.get("stride", 1)
    d = kwargs.get("dilation", 1)
    stride = (s, s) if isinstance(s, int) else tuple(s) * (2 // len(s))
    dilation = (d, d) if isinstance(d, int) else tuple(d)
    return stride, dilation, kwargs.get("groups", 1)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("name,xs,ws,kwargs,pads", CONV2D, ids=[c[0] for c in CONV2D])
def test_conv2d_matches_naive_reference(name, xs, ws, kwargs, pads, bias, rng):
    x, w = rng.standard_normal(xs), rng.standard_normal(ws)
    b = rng.standard_normal(ws[0]) if bias else None
    stride, dilation, groups = _ref_kwargs(kwargs)
    want = ref_conv2d(x, w, b, stride, pads, dilation, groups)
    got = conv2d(_t(x), _t(w), None if b is None else _t(b), **kwargs)
    np.testing.assert_allclose(_np(got), want, rtol=1e-12, atol=1e-12)
    if "same" in str(kwargs.get("padding")):
        assert got.shape[2:] == xs[2:]


def test_conv2d_unbatched_and_float32(rng):
    x = rng.standard_normal((3, 6, 5)).astype(np.float32)
    w = rng.standard_normal((2, 3, 3, 3)).astype(np.float32)
    got = conv2d(_t(x), _t(w), padding=1)
    assert got.shape == (2, 6, 5) and got.dtype == minigrad.float32
    want = ref_conv2d(x[None].astype(float), w.astype(float), pads=((1, 1), (1, 1)))[0]
    np.testing.assert_allclose(_np(got), want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name,xs,ws,kwargs,pads", [c for c in CONV2D if c[0] in (
    "stride-padding-tuple", "dilation", "groups", "same-even-dilated")],
    ids=["stride-padding-tuple", "dilation", "groups", "same-even-dilated"])
def test_conv2d_gradcheck_and_gradgradcheck(name, xs, ws, kwargs, pads, rng):
    x = minigrad.tensor(rng.standard_normal((1,) + xs[1:]), requires_grad=True)
    w = minigrad.tensor(rng.standard_normal(ws), requires_grad=True)
    b = minigrad.tensor(rng.standard_normal(ws[0]), requires_grad=True)
    assert gradcheck(lambda x, w, b: conv2d(x, w, b, **kwargs), (x, w, b))
    assert gradgradcheck(lambda x, w, b: conv2d(x, w, b, **kwargs), (x, w, b))


def test_conv2d_gradients_match_reference_definitions(rng):
    """d/dx is conv_transpose2d of the upstream gradient; d/dW correlates x with it."""
    x, w = rng.standard_normal((2, 4, 7, 6)), rng.standard_normal((6, 2, 3, 2))
    xt, wt = _t(x, True), _t(w, True)
    out = conv2d(xt, wt, stride=2, padding=1, dilation=(1, 2), groups=2)
    g = rng.standard_normal(tuple(out.shape))
    out.backward(_t(g))
    gx = ref_conv_transpose2d(g, w, None, (2, 2), (1, 1), (0, 1), (1, 2), 2)
    np.testing.assert_allclose(_np(xt.grad), gx, rtol=1e-10, atol=1e-12)
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    gw = np.zeros_like(w)
    for o in range(6):
        grp = o // 3
        for c in range(2):
            for i in range(3):
                for j in range(2):
                    patch = xp[:, grp * 2 + c, i:i + 2 * out.shape[2] - 1:2,
                               2 * j:2 * j + 2 * out.shape[3] - 1:2]
                    gw[o, c, i, j] = np.sum(patch * g[:, o])
    np.testing.assert_allclose(_np(wt.grad), gw, rtol=1e-10, atol=1e-12)


# -- conv1d ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,pads", [
    ({}, (0, 0)), (dict(stride=2, padding=2), (2, 2)), (dict(dilation=2, padding=1), (1, 1)),
    (dict(padding="same"), (1, 2)), (dict(padding="same", dilation=3), (4, 5)),
    (dict(groups=2, padding=(1,)), (1, 1)),
], ids=["default", "stride-pad", "dilation", "same-even", "same-even-dilated", "groups"])
def test_conv1d_matches_conv2d_reference_with_height_one(kwargs, pads, rng):
    x, w, b = rng.standard_normal((2, 4, 11)), rng.standard_normal((6, 2, 4)), \
        rng.standard_normal(6)
    groups = kwargs.get("groups", 1)
    w_used = w if groups == 2 else rng.standard_normal((6, 4, 4))
    s, d = kwargs.get("stride", 1), kwargs.get("dilation", 1)
    want = ref_conv2d(x[:, :, None], w_used[:, :, None], b, (1, s), ((0, 0), pads), (1, d),
                      groups)[:, :, 0]
    got = conv1d(_t(x), _t(w_used), _t(b), **kwargs)
    np.testing.assert_allclose(_np(got), want, rtol=1e-12, atol=1e-12)
    x1 = minigrad.tensor(x[:1, :, :6], requires_grad=True)
    w1 = minigrad.tensor(w_used, requires_grad=True)
    assert gradgradcheck(lambda x, w: conv1d(x, w, **kwargs), (x1, w1))


def test_conv1d_unbatched(rng):
    x, w = rng.standard_normal((3, 7)), rng.standard_normal((2, 3, 3))
    got = conv1d(_t(x), _t(w))
    np.testing.assert_allclose(_np(got), _np(conv1d(_t(x[None]), _t(w)))[0], rtol=1e-14)
    assert got.shape == (2, 5)


# -- transposed convolution ------------------------------------------------------------------------
CONVT = [
    ("default", (2, 3, 4, 5), (3, 2, 3, 3), {}),
    ("stride-padding", (1, 2, 4, 3), (2, 3, 3, 2), dict(stride=2, padding=1)),
    ("output-padding", (1, 2, 3, 4), (2, 2, 3, 3), dict(stride=(2, 3), padding=(1, 0),
                                                        output_padding=(1, 2))),
    ("dilation", (1, 2, 3, 3), (2, 1, 2, 3), dict(dilation=(2, 3), output_padding=1,
                                                  stride=2)),
    ("groups", (2, 4, 3, 3), (4, 3, 2, 2), dict(groups=2, stride=2, padding=1)),
]


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("name,xs,ws,kwargs", CONVT, ids=[c[0] for c in CONVT])
def test_conv_transpose2d_matches_scatter_reference(name, xs, ws, kwargs, bias, rng):
    x, w = rng.standard_normal(xs), rng.standard_normal(ws)
    groups = kwargs.get("groups", 1)
    b = rng.standard_normal(ws[1] * groups) if bias else None

    def pair(key, default):
        v = kwargs.get(key, default)
        return (v, v) if isinstance(v, int) else v

    want = ref_conv_transpose2d(x, w, b, pair("stride", 1), pair("padding", 0),
                                pair("output_padding", 0), pair("dilation", 1), groups)
    got = conv_transpose2d(_t(x), _t(w), None if b is None else _t(b), **kwargs)
    np.testing.assert_allclose(_np(got), want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name,xs,ws,kwargs", CONVT[1:], ids=[c[0] for c in CONVT[1:]])
def test_conv_transpose2d_gradcheck_and_gradgradcheck(name, xs, ws, kwargs, rng):
    x = minigrad.tensor(rng.standard_normal((1,) + xs[1:]), requires_grad=True)
    w = minigrad.tensor(rng.standard_normal(ws), requires_grad=True)
    b = minigrad.tensor(rng.standard_normal(ws[1] * kwargs.get("groups", 1)), requires_grad=True)
    assert gradcheck(lambda x, w, b: conv_transpose2d(x, w, b, **kwargs), (x, w, b))
    assert gradgradcheck(lambda x, w: conv_transpose2d(x, w, **kwargs), (x, w))


def test_conv_transpose2d_is_the_adjoint_of_conv2d(rng):
    """<conv2d(x, W), y> == <x, conv_transpose2d(y, W)> with the same geometry."""
    x, w = rng.standard_normal((2, 4, 9, 8)), rng.standard_normal((6, 2, 3, 2))
    geom = dict(stride=(2, 3), padding=(1, 2), dilation=(2, 1), groups=2)
    y = rng.standard_normal(tuple(conv2d(_t(x), _t(w), **geom).shape))
    extra = (0, 1)  # (H + 2p - d(k-1) - 1) % s: (9 + 2 - 4 - 1) % 2, (8 + 4 - 1 - 1) % 3
    back = conv_transpose2d(_t(y), _t(w), output_padding=extra, **geom)
    assert back.shape == x.shape
    lhs = np.sum(_np(conv2d(_t(x), _t(w), **geom)) * y)
    np.testing.assert_allclose(lhs, np.sum(x * _np(back)), rtol=1e-12)


def test_conv_transpose1d_matches_2d_with_height_one(rng):
    x, w, b = rng.standard_normal((2, 4, 5)), rng.standard_normal((4, 3, 3)), \
        rng.standard_normal(6)
    got = conv_transpose1d(_t(x), _t(w), _t(b), stride=2, padding=1, output_padding=1,
                           groups=2)
    want = conv_transpose2d(_t(x[:, :, None]), _t(w[:, :, None]), _t(b), stride=(1, 2),
                            padding=(0, 1), output_padding=(0, 1), groups=2)
    np.testing.assert_allclose(_np(got), _np(want)[:, :, 0], rtol=1e-14)
    assert got.shape == (2, 6, 10)


# -- pad -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode,np_mode", [("reflect", "reflect"), ("replicate", "edge"),
                                          ("circular", "wrap")])
@pytest.mark.parametrize("shape,widths", [((2, 5), (2, 3)), ((2, 3, 5, 4), (1, 3, 2, 0)),
                                          ((1, 2, 3, 4, 5), (1, 2, 0, 1, 2, 1))], ids=str)
def test_pad_modes_match_numpy_pad(mode, np_mode, shape, widths, rng):
    x = rng.standard_normal(shape)
    k = len(widths) // 2
    np_widths = [(0, 0)] * (len(shape) - k) + [
        (widths[2 * i], widths[2 * i + 1]) for i in reversed(range(k))]
    got = pad(_t(x), widths, mode=mode)
    np.testing.assert_array_equal(_np(got), np.pad(x, np_widths, mode=np_mode))
    assert gradcheck(lambda t: pad(t, widths, mode=mode), (_t(x, True),))


def test_pad_constant_with_value_negative_pads_and_gradients(rng):
    x = rng.standard_normal((2, 3, 4))
    got = pad(_t(x), (1, -2, 0, 2, 1, 0), value=-1.5)
    want = np.pad(x[:, :, :2], ((1, 0), (0, 2), (1, 0)), constant_values=-1.5)
    np.testing.assert_array_equal(_np(got), want)
    assert gradgradcheck(lambda t: pad(t, (1, -2, 0, 2), value=3.0), (_t(x, True),))
    assert pad(_t(x.astype(np.float32)), (1, 1)).dtype == minigrad.float32


# -- unfold / fold ---------------------------------------------------------------------------------
def test_unfold_matches_explicit_blocks_and_fold_is_its_adjoint(rng):
    x = rng.standard_normal((2, 3, 6, 7))
    kw = dict(kernel_size=(2, 3), dilation=(2, 1), padding=1, stride=(1, 2))
    cols = unfold(_t(x), **kw)
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    oh, ow = (8 - 2 - 1) // 1 + 1, (9 - 3) // 2 + 1
    assert cols.shape == (2, 3 * 6, oh * ow)
    for p in range(oh):
        for q in range(ow):
            block = xp[:, :, p:p + 3:2, 2 * q:2 * q + 3]
            np.testing.assert_array_equal(_np(cols)[:, :, p * ow + q], block.reshape(2, -1))
    c = rng.standard_normal(tuple(cols.shape))
    back = fold(_t(c), (6, 7), **kw)
    np.testing.assert_allclose(np.sum(_np(cols) * c), np.sum(x * _np(back)), rtol=1e-12)
    counts = fold(unfold(_t(np.ones((1, 1, 4, 4))), 2), (4, 4), 2)  # overlapping blocks sum
    np.testing.assert_array_equal(_np(counts)[0, 0], [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2],
                                                      [1, 2, 2, 1]])
    assert gradgradcheck(lambda t: unfold(t, 2, stride=2, padding=1), (_t(x[:1, :1], True),))
    assert gradgradcheck(lambda t: fold(t, (3, 4), 2), (_t(rng.standard_normal((1, 8, 6)),
                                                           True),))


def test_unfold_and_fold_unbatched(rng):
    x = rng.standard_normal((3, 4, 4))
    np.testing.assert_array_equal(_np(unfold(_t(x), 2)), _np(unfold(_t(x[None]), 2))[0])
    c = rng.standard_normal((12, 9))
    np.testing.assert_array_equal(_np(fold(_t(c), 4, 2)), _np(fold(_t(c[None]), 4, 2))[0])


# -- errors ----------------------------------------------------------------------------------------
X4, W4 = np.zeros((1, 3, 5, 5)), np.zeros((2, 3, 3, 3))
ERRORS = [
    (lambda: conv2d(_t(np.zeros((5, 5))), _t(W4)), r"conv2d: .*3-D .*4-D.*\(5, 5\)"),
    (lambda: conv2d(_t(X4), _t(np.zeros((2, 3, 3)))), r"conv2d: expected weight with 4 dims.*"
                                                      r"\(2, 3, 3\)"),
    (lambda: conv2d(_t(X4), _t(np.zeros((2, 4, 3, 3)))),
     r"conv2d: .*weight of size \[2, 4, 3, 3\].*input \[1, 3, 5, 5\] to have 4 channels"),
    (lambda: conv2d(_t(X4), _t(W4), _t(np.zeros(3))), r"conv2d: .*bias .*2 elements.*\[3\]"),
    (lambda: conv2d(_t(X4), _t(np.zeros((2, 3, 6, 6)))), r"conv2d: .*Kernel size can't be "
                                                         r"greater.*\(1, 3, 5, 5\)"),
    (lambda: conv2d(_t(X4), _t(np.zeros((3, 1, 3, 3))), groups=2),
     r"conv2d: given groups=2, expected weight to be divisible by 2.*\[3, 1, 3, 3\]"),
    (lambda: conv2d(_t(X4), _t(W4), stride=0), "conv2d: non-positive stride"),
    (lambda: conv2d(_t(X4), _t(W4), padding=-1), "conv2d: negative padding"),
    (lambda: conv2d(_t(X4), _t(W4), dilation=0), "conv2d: dilation should be greater"),
    (lambda: conv2d(_t(X4), _t(W4), stride=(1, 2, 3)), r"conv2d: expected stride .* 2 values"),
    (lambda: conv2d(_t(X4), _t(W4), stride=2, padding="same"), "not supported for strided"),
    (lambda: conv2d(_t(X4), _t(W4), padding="full"), "conv2d: invalid padding string"),
    (lambda: conv2d(_t(X4), _t(W4.astype(np.float32))), r"conv2d: input \(float64\) and weight "
                                                        r"\(float32\)"),
    (lambda: conv2d(_t(X4), _t(W4), groups=0), "conv2d: non-positive groups"),
    (lambda: conv2d(_t(X4.astype(np.int64)), _t(W4)),
     r"conv2d: input \(int64\) and weight \(float64\) must have the same dtype"),
    (lambda: conv1d(_t(np.zeros(5)), _t(np.zeros((2, 1, 3)))), r"conv1d: .*\(N, C, L\).*\(5,\)"),
    (lambda: conv_transpose2d(_t(X4), _t(np.zeros((4, 2, 3, 3)))),
     r"conv_transpose2d: .*\[4, 2, 3, 3\].*input \[1, 3, 5, 5\] to have 4 channels"),
    (lambda: conv_transpose2d(_t(X4), _t(np.zeros((3, 2, 3, 3))), output_padding=1),
     "conv_transpose2d: output padding must be smaller than either stride or dilation"),
    (lambda: conv_transpose2d(_t(X4), _t(np.zeros((3, 2, 3, 3))), padding=5),
     r"conv_transpose2d: .*\(5, 5\).*\(-3, -3\). Output size is too small"),
    (lambda: pad(_t(X4), (1, 2, 3)), "pad: padding length must be divisible by 2"),
    (lambda: pad(_t(X4), (1,) * 10), "padding length 10 and input of dimension 4"),
    (lambda: pad(_t(np.zeros((2, 5))), (5, 2), mode="reflect"),
     r"pad: .*padding \(5, 2\) at dimension 1 of input \[2, 5\]"),
    (lambda: pad(_t(np.zeros((2, 5))), (6, 0), mode="circular"), "wrapping around"),
    (lambda: pad(_t(X4), (1, 1), mode="reflect"), "padding size 2 is not supported for 4D"),
    (lambda: pad(_t(X4), (1, 1), mode="replicate", value=2.0), "doesn't take in value"),
    (lambda: pad(_t(X4), (1, 1), mode="mirror"), "unrecognised padding mode mirror"),
    (lambda: pad(_t(X4), (-3, -3)), r"pad: .*dimension 3 of input \[1, 3, 5, 5\] negative"),
    (lambda: unfold(_t(np.zeros((5, 5))), 2), r"unfold: .*3D or 4D.*\(5, 5\)"),
    (lambda: unfold(_t(X4), 6), r"unfold: .*\(5, 5\).*\(0, 0\)"),
    (lambda: unfold(_t(X4), 2, stride=0), "unfold: kernel_size, dilation and stride"),
    (lambda: fold(_t(np.zeros((1, 10, 9))), 4, 2), r"fold: .*input.size\(1\)=10"),
    (lambda: fold(_t(np.zeros((1, 12, 10))), 4, 2), r"fold: .*3 \* 3 = 9.*input.size\(2\)=10"),
    (lambda: fold(_t(np.zeros((4, 12, 9, 1))), 4, 2), r"fold: .*\(4, 12, 9, 1\)"),
]


@pytest.mark.parametrize("call,message", ERRORS, ids=range(len(ERRORS)))
def test_bad_inputs_raise_errors_naming_the_op_and_shapes(call, message):
    with pytest.raises((RuntimeError, NotImplementedError, TypeError), match=message):
        call()


def test_empty_batch_runs_forward_and_backward():
    x = minigrad.zeros(0, 3, 5, 5, requires_grad=True)
    w = minigrad.ones(2, 3, 3, 3, requires_grad=True)
    out = conv2d(x, w, padding=1)
    assert out.shape == (0, 2, 5, 5)
    conv_transpose2d(out, w, padding=1).sum().backward()
    assert x.grad.shape == (0, 3, 5, 5) and float(w.grad.abs().sum()) == 0.0


def test_integer_convolution_and_dtype_checks():
    x = minigrad.tensor(np.arange(8, dtype=np.int64).reshape(1, 1, 8))
    w = minigrad.tensor(np.array([[[1, -1, 2]]], dtype=np.int64))
    out = conv1d(x, w, padding=1)
    expected = np.correlate(np.pad(np.arange(8), 1), [1, -1, 2], mode="valid")
    assert out.dtype == minigrad.int64
    np.testing.assert_array_equal(out.data[0, 0], expected)
    with pytest.raises(NotImplementedError, match="conv1d"):  # no dilated integer kernel
        conv1d(x, w, dilation=2)
    with pytest.raises(NotImplementedError, match="unfold"):
        unfold(minigrad.tensor(np.ones((1, 1, 3, 3), dtype=np.int64)), 2)
    with pytest.raises(NotImplementedError, match="fold"):
        fold(minigrad.tensor(np.ones((1, 4, 4), dtype=np.int64)), (3, 3), 2)
