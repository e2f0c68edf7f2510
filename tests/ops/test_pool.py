"""Pooling ops (minigrad/ops/pool.py) on (N, C, H, W) arrays: the max-pool argmax rules
(first maximum, NaN, -inf, padding) against a naive loop, avg-pool divisors, and float64
gradcheck and gradgradcheck of both ops."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.ops.pool import (
    AvgPool2D,
    MaxPool2DWithIndices,
    avg_pool2d_divisor,
    max_pool2d_indices,
)
from tests.helpers import check_grad, check_gradgrad, grads_of, sample
from tests.ops.helpers import ref_windows


# -- max pooling ---------------------------------------------------------------------------------
def ref_max_indices(x, kernel, stride, dilation, pad):
    """First maximum of each window in row-major order, padding excluded, as flat h * W + w."""
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    pt, pb, pl, pr = pad
    oh = (h + pt + pb - dh * (kh - 1) - 1) // sh + 1
    ow = (w + pl + pr - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, c, oh, ow), dtype=np.int64)
    for b in range(n):
        for ch in range(c):
            for p in range(oh):
                for q in range(ow):
                    best, where = -np.inf, None
                    for i in range(kh):
                        for j in range(kw):
                            r, s = p * sh - pt + i * dh, q * sw - pl + j * dw
                            if 0 <= r < h and 0 <= s < w:
                                if where is None or x[b, ch, r, s] > best:
                                    best, where = x[b, ch, r, s], r * w + s
                    out[b, ch, p, q] = where
    return out


POOLS = [
    ("k2", (2, 3, 4, 6), (2, 2), (2, 2), (1, 1), (0, 0, 0, 0)),
    ("k3-s1-pad", (1, 2, 5, 5), (3, 3), (1, 1), (1, 1), (1, 1, 1, 1)),
    ("k3-s2-dil", (2, 2, 7, 8), (3, 2), (2, 1), (2, 3), (1, 1, 0, 0)),
    ("ceil-like-end", (1, 2, 5, 7), (2, 3), (2, 2), (1, 1), (1, 1, 0, 2)),
]


@pytest.mark.parametrize("name,xs,kernel,stride,dil,pad", POOLS, ids=[p[0] for p in POOLS])
def test_max_pool_indices_match_reference_with_ties(name, xs, kernel, stride, dil, pad, rng):
    x = rng.integers(-2, 3, size=xs).astype(np.float64)  # many ties
    oh_ow = ref_max_indices(x, kernel, stride, dil, pad).shape[2:]
    got = max_pool2d_indices(x, kernel, stride, dil, pad, oh_ow)
    np.testing.assert_array_equal(got, ref_max_indices(x, kernel, stride, dil, pad))
    assert got.dtype == np.int64


def test_max_pool_indices_nan_wins_last_and_minus_inf_points_at_first_in_bounds():
    x = np.array([[[[1.0, np.nan, 2.0, np.nan, 0.0]]]])
    assert max_pool2d_indices(x, (1, 5), (1, 1), (1, 1), (0, 0, 0, 0), (1, 1)).item() == 3
    x = np.full((1, 1, 1, 4), -np.inf)
    got = max_pool2d_indices(x, (1, 3), (1, 2), (1, 1), (0, 0, 1, 1), (1, 2))
    np.testing.assert_array_equal(got.ravel(), [0, 1])


def test_max_pool_indices_on_integers():
    x = np.array([[[[3, 7, 7, -9]]]], dtype=np.int64)
    got = max_pool2d_indices(x, (1, 2), (1, 1), (1, 1), (0, 0, 0, 0), (1, 3))
    np.testing.assert_array_equal(got.ravel(), [1, 1, 2])


@pytest.mark.parametrize("overlap", [False, True])
def test_max_pool_op_values_gradients_and_double_backward(overlap, rng):
    x = sample(rng, "distinct", (2, 2, 5, 5))
    kernel, stride = ((3, 3), (1, 1)) if overlap else ((2, 2), (2, 2))
    pad = (1, 1, 1, 1) if overlap else (0, -1, 0, -1)
    index = ref_max_indices(x, kernel, stride, (1, 1), pad)

    def fn(t):
        return MaxPool2DWithIndices.apply(t, index=index, overlap=overlap)

    g = rng.standard_normal(index.shape)
    out, (gx,) = grads_of(fn, x, upstream=g)
    flat = x.reshape(2, 2, -1)
    np.testing.assert_array_equal(out.detach().numpy(), np.take_along_axis(
        flat, index.reshape(2, 2, -1), 2).reshape(index.shape))
    want = np.zeros_like(flat)
    for b in range(2):
        for c in range(2):
            np.add.at(want[b, c], index[b, c].ravel(), g[b, c].ravel())
    np.testing.assert_allclose(gx.numpy(), want.reshape(x.shape), rtol=1e-12)
    check_grad(fn, x)
    check_gradgrad(fn, x)


# -- average pooling -----------------------------------------------------------------------------
@pytest.mark.parametrize("include", [True, False])
def test_avg_pool_divisor_counts_the_clipped_window(include):
    # H = 5, kernel 3, stride 2, pad 1, ceil_mode output 3: windows [-1, 2), [1, 4), [3, 6)
    got = avg_pool2d_divisor((5, 1), (3, 1), (3, 1), (2, 1), (1, 2, 0, 0), include, None,
                             np.float64)
    # with padding counted, the last window is clipped to H + pad = 6
    want = [3, 3, 3] if include else [2, 3, 2]
    np.testing.assert_array_equal(got[:, 0], want)
    assert avg_pool2d_divisor((5, 5), (2, 2), (3, 3), (2, 2), (1, 1, 1, 1), include, 7,
                              np.float32).tolist() == [[7.0, 7.0], [7.0, 7.0]]


def test_avg_pool_op_values_gradients_and_double_backward(rng):
    x = rng.standard_normal((2, 2, 5, 4))
    kernel, stride, pad = (3, 2), (2, 1), (1, 1, 0, 1)
    divisor = rng.uniform(1.0, 4.0, size=(3, 4))

    def fn(t):
        return AvgPool2D.apply(t, kernel=kernel, stride=stride, padding=pad, divisor=divisor)

    wins, oh_ow = ref_windows(x, kernel, stride, (1, 1), pad)
    assert oh_ow == divisor.shape
    want = np.zeros((2, 2) + oh_ow)
    for (p, q), patch in wins.items():
        want[:, :, p, q] = patch.sum(axis=(2, 3)) / divisor[p, q]
    np.testing.assert_allclose(fn(minigrad.tensor(x)).numpy(), want, rtol=1e-12)
    check_grad(fn, x)
    check_gradgrad(fn, x)
