"""Pooling functions (minigrad/nn/functional/pool.py): max_pool1d/2d (values, indices,
ceil_mode, padding, dilation), avg_pool1d/2d (padding counted or not, ceil_mode,
divisor_override), adaptive_avg_pool1d/2d (any output size) against naive NumPy loops;
gradients to the argmax, float64 gradcheck and gradgradcheck; bad inputs."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.autograd import gradcheck, gradgradcheck
from minigrad.nn.functional.pool import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)
from tests.helpers import sample
from tests.helpers import to_numpy as _np
from tests.nn.helpers import ref_adaptive, ref_pool


def _t(a, requires_grad=False):
    return minigrad.tensor(np.array(a), requires_grad=requires_grad)



# -- max pooling (ref_pool and ref_adaptive are in tests/nn/helpers.py) ----------------------------
MAX = [
    ("k2", (2, 3, 6, 7), dict(kernel_size=2)),
    ("k3-s2-pad1", (2, 2, 7, 6), dict(kernel_size=3, stride=2, padding=1)),
    ("rect-dilation", (1, 2, 9, 8), dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 0),
                                         dilation=(2, 3))),
    ("ceil", (1, 2, 7, 8), dict(kernel_size=3, stride=2, ceil_mode=True)),
    ("ceil-pad", (1, 2, 6, 5), dict(kernel_size=(2, 3), stride=(2, 2), padding=1,
                                    ceil_mode=True)),
    ("overlap", (2, 2, 5, 5), dict(kernel_size=3, stride=1)),
]


@pytest.mark.parametrize("name,shape,kwargs", MAX, ids=[m[0] for m in MAX])
def test_max_pool2d_values_and_indices_match_reference(name, shape, kwargs, rng):
    x = sample(rng, "distinct", shape)
    want, want_idx = ref_pool(x, **kwargs)
    out, idx = max_pool2d(_t(x), return_indices=True, **kwargs)
    np.testing.assert_array_equal(_np(out), want)
    np.testing.assert_array_equal(idx.numpy(), want_idx)
    assert idx.dtype == minigrad.int64 and not idx.requires_grad


@pytest.mark.parametrize("name,shape,kwargs", MAX, ids=[m[0] for m in MAX])
def test_max_pool2d_gradient_goes_to_the_argmax(name, shape, kwargs, rng):
    x = sample(rng, "distinct", shape)
    xt = _t(x, True)
    out, idx = max_pool2d(xt, return_indices=True, **kwargs)
    g = rng.standard_normal(tuple(out.shape))
    out.backward(_t(g))
    want = np.zeros((shape[0], shape[1], shape[2] * shape[3]))
    for b in range(shape[0]):
        for c in range(shape[1]):
            np.add.at(want[b, c], idx.numpy()[b, c].ravel(), g[b, c].ravel())
    np.testing.assert_allclose(_np(xt.grad), want.reshape(shape), rtol=1e-12)


@pytest.mark.parametrize("name,shape,kwargs", [MAX[1], MAX[2], MAX[4], MAX[5]],
                         ids=["k3-s2-pad1", "rect-dilation", "ceil-pad", "overlap"])
def test_max_pool2d_gradcheck_and_gradgradcheck(name, shape, kwargs, rng):
    x = _t(sample(rng, "distinct", (1, 1) + shape[2:]), True)
    assert gradcheck(lambda t: max_pool2d(t, **kwargs), (x,))
    assert gradgradcheck(lambda t: max_pool2d(t, **kwargs), (x,))


def test_max_pool2d_ties_pick_the_first_and_nan_wins():
    x = np.array([[[[1.0, 3.0, 3.0, 2.0], [0.0, np.nan, 5.0, np.nan]]]])
    out, idx = max_pool2d(_t(x), (1, 4), return_indices=True)
    np.testing.assert_array_equal(idx.numpy().ravel(), [1, 7])
    assert _np(out)[0, 0, 0, 0] == 3.0 and np.isnan(_np(out)[0, 0, 1, 0])
    xt = _t(x[:, :, :1], True)
    max_pool2d(xt, (1, 4)).sum().backward()
    np.testing.assert_array_equal(_np(xt.grad).ravel(), [0, 1, 0, 0])


def test_max_pool2d_on_integers_and_float32_and_unbatched(rng):
    x = rng.integers(-50, 50, size=(2, 4, 6))
    out = max_pool2d(_t(x), 2)
    assert out.dtype == minigrad.int64
    np.testing.assert_array_equal(_np(out), ref_pool(x[None].astype(float), 2)[0][0])
    x32 = rng.standard_normal((1, 2, 4, 4)).astype(np.float32)
    assert max_pool2d(_t(x32), 2).dtype == minigrad.float32


@pytest.mark.parametrize("kwargs", [dict(kernel_size=2), dict(kernel_size=3, stride=2,
                                                              padding=1, ceil_mode=True),
                                    dict(kernel_size=2, stride=1, dilation=3)], ids=str)
def test_max_pool1d_matches_2d_with_height_one(kwargs, rng):
    x = sample(rng, "distinct", (2, 3, 11))
    out, idx = max_pool1d(_t(x), return_indices=True, **kwargs)
    two_d = {k: ((1, v) if k != "ceil_mode" else v) for k, v in kwargs.items()}
    two_d["padding"] = (0, kwargs.get("padding", 0))
    want, want_idx = ref_pool(x[:, :, None], **two_d)
    np.testing.assert_array_equal(_np(out), want[:, :, 0])
    np.testing.assert_array_equal(idx.numpy(), want_idx[:, :, 0])
    unbatched = max_pool1d(_t(x[0]), **kwargs)
    np.testing.assert_array_equal(_np(unbatched), want[0, :, 0])


# -- average pooling -------------------------------------------------------------------------------
AVG = [
    ("k2", (2, 3, 6, 7), dict(kernel_size=2)),
    ("pad-include", (1, 2, 7, 6), dict(kernel_size=3, stride=2, padding=1)),
    ("pad-exclude", (1, 2, 7, 6), dict(kernel_size=3, stride=2, padding=1,
                                       count_include_pad=False)),
    ("ceil-include", (1, 2, 6, 5), dict(kernel_size=(3, 2), stride=2, padding=1,
                                        ceil_mode=True)),
    ("ceil-exclude", (1, 2, 6, 5), dict(kernel_size=(3, 2), stride=2, padding=1,
                                        ceil_mode=True, count_include_pad=False)),
    ("divisor-override", (2, 2, 5, 5), dict(kernel_size=(2, 3), stride=1, padding=(1, 1),
                                            divisor_override=4)),
]


@pytest.mark.parametrize("name,shape,kwargs", AVG, ids=[a[0] for a in AVG])
def test_avg_pool2d_matches_reference(name, shape, kwargs, rng):
    x = rng.standard_normal(shape)
    want, _ = ref_pool(x, kind="avg", **kwargs)
    np.testing.assert_allclose(_np(avg_pool2d(_t(x), **kwargs)), want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name,shape,kwargs", AVG[1:], ids=[a[0] for a in AVG[1:]])
def test_avg_pool2d_gradcheck_and_gradgradcheck(name, shape, kwargs, rng):
    x = _t(rng.standard_normal((1, 1) + shape[2:]), True)
    assert gradcheck(lambda t: avg_pool2d(t, **kwargs), (x,))
    assert gradgradcheck(lambda t: avg_pool2d(t, **kwargs), (x,))


def test_avg_pool1d_matches_reference_and_keeps_float32(rng):
    x = rng.standard_normal((2, 3, 9)).astype(np.float32)
    out = avg_pool1d(_t(x), 3, 2, 1, ceil_mode=True, count_include_pad=False)
    want, _ = ref_pool(x[:, :, None].astype(float), (1, 3), (1, 2), (0, 1), ceil_mode=True,
                       kind="avg", count_include_pad=False)
    assert out.dtype == minigrad.float32
    np.testing.assert_allclose(_np(out), want[:, :, 0], rtol=1e-6)


# -- adaptive average pooling ----------------------------------------------------------------------
@pytest.mark.parametrize("size,out_hw", [(1, (1, 1)), (3, (3, 3)), ((4, 2), (4, 2)),
                                         ((5, 3), (5, 3)), ((None, 4), (7, 4)),
                                         ((9, 8), (9, 8)), ((7, 6), (7, 6))], ids=str)
def test_adaptive_avg_pool2d_matches_reference(size, out_hw, rng):
    x = rng.standard_normal((2, 3, 7, 6))
    got = adaptive_avg_pool2d(_t(x), size)
    np.testing.assert_allclose(_np(got), ref_adaptive(x, out_hw), rtol=1e-12, atol=1e-14)
    assert gradgradcheck(lambda t: adaptive_avg_pool2d(t, size), (_t(x[:1, :1], True),))


def test_adaptive_avg_pool1d_and_unbatched(rng):
    x = rng.standard_normal((3, 10))
    got = adaptive_avg_pool1d(_t(x), 4)
    np.testing.assert_allclose(_np(got), ref_adaptive(x[:, None], (1, 4))[:, 0], rtol=1e-12)
    assert adaptive_avg_pool2d(_t(rng.standard_normal((3, 5, 5))), 2).shape == (3, 2, 2)
    assert adaptive_avg_pool2d(_t(np.zeros((1, 2, 3, 3))), 0).shape == (1, 2, 0, 0)


# -- errors ----------------------------------------------------------------------------------------
X = np.zeros((1, 3, 5, 5))


@pytest.mark.parametrize("call,message", [
    (lambda: max_pool2d(_t(X), 2, padding=2), r"max_pool2d: pad should be at most half of "
                                              r"effective kernel size, but got pad=2"),
    (lambda: max_pool2d(_t(X), 3, padding=2, dilation=2), "max_pool2d: pad should be"),
    (lambda: max_pool2d(_t(X), 6), r"max_pool2d: given input size: \(3, 5, 5\). Calculated "
                                   r"output size: \(3, 0, 0\). Output size is too small"),
    (lambda: max_pool2d(_t(np.zeros((5, 5))), 2), r"max_pool2d: .*3-D .*4-D.*\(5, 5\)"),
    (lambda: max_pool2d(_t(X), 2, stride=0), "max_pool2d: stride should be greater than zero"),
    (lambda: max_pool2d(_t(X), 0), "max_pool2d: kernel_size must be greater than zero"),
    (lambda: max_pool2d(_t(X), 2, dilation=0), "max_pool2d: dilation should be greater"),
    (lambda: max_pool2d(_t(X), (2, 2, 2)), r"max_pool2d: expected kernel_size .* 2 values"),
    (lambda: max_pool1d(_t(np.zeros(5)), 2), r"max_pool1d: .*\(N, C, L\).*\(5,\)"),
    (lambda: avg_pool2d(_t(X), 2, padding=2), "avg_pool2d: pad should be at most half"),
    (lambda: avg_pool2d(_t(X), 2, divisor_override=0), "avg_pool2d: divisor must be not zero"),
    (lambda: avg_pool2d(_t(X.astype(np.int64)), 2),
     "avg_pool2d: not implemented for minigrad.int64"),
    (lambda: adaptive_avg_pool2d(_t(np.zeros((5, 5))), 2), r"adaptive_avg_pool2d: .*\(5, 5\)"),
    (lambda: adaptive_avg_pool2d(_t(X), (2, 3, 4)), "adaptive_avg_pool2d: output_size must "
                                                    "be 2"),
    (lambda: adaptive_avg_pool2d(_t(X), -1), "adaptive_avg_pool2d: elements of output_size"),
], ids=range(15))
def test_bad_pooling_inputs_raise_errors_naming_the_op_and_shapes(call, message):
    with pytest.raises(RuntimeError, match=message):
        call()


def test_empty_batch_pools_forward_and_backward():
    for pool in (lambda t: max_pool2d(t, 2, 1), lambda t: avg_pool2d(t, 2, 1, 1),
                 lambda t: adaptive_avg_pool2d(t, 3)):
        x = minigrad.zeros(0, 3, 4, 4, requires_grad=True)
        pool(x).sum().backward()
        assert x.grad.shape == (0, 3, 4, 4)


def test_adaptive_avg_pool_keeps_inf_and_nan_in_their_own_windows():
    x = minigrad.tensor(np.array([[-0.25, -np.inf, -0.125, 0.5, np.nan, 1.0]]),
                        requires_grad=True)
    y = adaptive_avg_pool1d(x, 4)  # windows [0, 2), [1, 3), [3, 5), [4, 6)
    np.testing.assert_array_equal(y.data, [[-np.inf, -np.inf, np.nan, np.nan]])
    y = adaptive_avg_pool1d(x, 3)  # windows [0, 2), [2, 4), [4, 6)
    np.testing.assert_array_equal(y.data, [[-np.inf, 0.1875, np.nan]])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0.5] * 6])


def test_pools_reject_dtypes_pytorch_has_no_kernel_for():
    ints = minigrad.tensor(np.ones((1, 1, 4), dtype=np.int64))
    with pytest.raises(NotImplementedError, match="max_pool1d"):
        max_pool1d(ints, 2)
    assert max_pool1d(ints, 2, return_indices=True)[0].dtype == minigrad.int64
    with pytest.raises(NotImplementedError, match="adaptive_avg_pool1d"):
        adaptive_avg_pool1d(ints, 2)
