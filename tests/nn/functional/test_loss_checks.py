"""Edge cases of the functional losses (split from test_loss.py by size): ignored targets,
infinite inputs, dtype rules and the argument checks PyTorch makes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import minigrad
from minigrad.nn import functional as F
from tests.helpers import to_numpy as _np


def _t(a, dtype=np.float64, requires_grad=False) -> minigrad.Tensor:
    return minigrad.tensor(np.asarray(a, dtype=dtype), requires_grad=requires_grad)


def _close(a, b, rtol=1e-12, atol=1e-12) -> None:
    np.testing.assert_allclose(_np(a), b, rtol=rtol, atol=atol)


def test_nll_loss_every_target_ignored_gives_nan_mean_and_zero_gradient() -> None:
    x = _t([[-3.0, np.inf]], requires_grad=True)
    loss = F.nll_loss(x, _t([-100], np.int64))
    assert np.isnan(_np(loss))
    loss.backward()
    np.testing.assert_array_equal(_np(x.grad), [[0.0, 0.0]])


def test_ignored_sample_with_infinite_score_adds_zero() -> None:
    x = _t([[[np.inf]], [[1.0]]], requires_grad=True)  # (N=2, C=1, d=1)
    loss = F.nll_loss(x, _t([[-1], [0]], np.int64), ignore_index=-1, reduction="none")
    np.testing.assert_array_equal(_np(loss), [[0.0], [-1.0]])
    loss.sum().backward()
    np.testing.assert_array_equal(_np(x.grad), [[[0.0]], [[-1.0]]])


def test_cross_entropy_label_smoothing_with_every_target_ignored_has_zero_gradient() -> None:
    x = _t([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    loss = F.cross_entropy(x, _t([0, 0], np.int64), ignore_index=0, label_smoothing=0.5)
    assert np.isnan(_np(loss))
    loss.backward()
    np.testing.assert_array_equal(_np(x.grad), np.zeros((2, 2)))


def test_negative_label_smoothing_is_plain_cross_entropy(rng) -> None:
    x, t = _t(rng.standard_normal((3, 4))), _t([0, 3, 1], np.int64)
    _close(F.cross_entropy(x, t, label_smoothing=-0.1), _np(F.cross_entropy(x, t)))


def test_class_losses_reject_int_input_grad_weight_and_bad_weight() -> None:
    t = _t([0, 1], np.int64)
    with pytest.raises(NotImplementedError, match="nll_loss"):
        F.nll_loss(_t([[1, 2], [3, 4]], np.int64), t)
    w = _t([1.0, 1.0], requires_grad=True)
    for fn in (F.nll_loss, F.cross_entropy):
        with pytest.raises(RuntimeError, match="not differentiable with respect to argument"):
            fn(_t(np.zeros((2, 2))), t, weight=w)
        with pytest.raises(RuntimeError, match="for all 2 classes"):
            fn(_t(np.zeros((2, 2))), t, weight=_t([1.0, 1.0, 1.0]))
        with pytest.raises(RuntimeError, match="expected scalar type"):
            fn(_t(np.zeros((2, 2)), np.float32), t, weight=_t([1.0, 1.0]))
    # probability targets are a composite: a weight that requires grad gets its gradient
    loss = F.cross_entropy(_t(np.zeros((2, 2))), _t([[0.5, 0.5], [1.0, 0.0]]), weight=w)
    loss.backward()
    _close(w.grad, -np.log(0.5) * np.array([0.75, 0.25]))


def test_nll_loss_unbatched_input_takes_a_one_element_target() -> None:
    loss = F.nll_loss(_t([1.0, 2.0]), _t([1], np.int64), reduction="none")
    assert loss.shape == () and float(_np(loss)) == -2.0


@pytest.mark.parametrize("fn, kw", [(F.huber_loss, {"delta": 0.5}),
                                    (F.smooth_l1_loss, {"beta": 0.5})])
def test_huber_and_smooth_l1_gradients_are_finite_at_infinity(fn, kw) -> None:
    x = _t([np.inf, -np.inf, np.nan, 0.2, 3.0], requires_grad=True)
    y = _t(np.zeros(5), requires_grad=True)
    fn(x, y, reduction="sum", **kw).backward()
    scale = 1.0 if fn is F.huber_loss else 2.0  # smooth_l1 = huber / beta
    expected = np.array([0.5, -0.5, np.nan, 0.2, 0.5]) * scale
    np.testing.assert_allclose(_np(x.grad), expected)
    np.testing.assert_allclose(_np(y.grad), -expected)


def test_huber_loss_keeps_the_input_dtype_and_rejects_ints() -> None:
    x = _t([0.5, 2.0], np.float32)
    assert F.huber_loss(x, _t([0.0, 0.0])).dtype == minigrad.float32
    with pytest.raises(RuntimeError, match="can't be cast"):
        F.huber_loss(_t([1, 2], np.int64), _t([0.0, 0.0], np.float32))
    for fn in (F.huber_loss, F.smooth_l1_loss, F.mse_loss):
        with pytest.raises(NotImplementedError, match=fn.__name__):
            fn(_t([1, 2], np.int64), _t([0, 0], np.int64))


def test_pointwise_losses_promote_after_broadcasting() -> None:
    x = _t([0.5, 2.0], np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert F.mse_loss(x, _t(1.0)).dtype == minigrad.float64


def test_bce_checks_dtypes_target_range_and_weight_grad() -> None:
    p, y = _t([0.5, 0.2], np.float32), _t([1.0, 0.0], np.float32)
    with pytest.raises(RuntimeError, match="Found dtype"):
        F.binary_cross_entropy(p, _t([1.0, 0.0]))
    with pytest.raises(RuntimeError, match="target should be between 0 and 1"):
        F.binary_cross_entropy(p, _t([1.5, np.nan], np.float32))
    with pytest.raises(RuntimeError, match="input should be between 0 and 1"):
        F.binary_cross_entropy(_t([np.nan, 0.5], np.float32), y)
    with pytest.raises(RuntimeError, match="argument 'weight'"):
        F.binary_cross_entropy(p, y, weight=_t([1.0, 1.0], np.float32, requires_grad=True))
    with pytest.raises(NotImplementedError, match="binary_cross_entropy"):
        F.binary_cross_entropy(_t([0, 1], np.int64), _t([0, 1], np.int64))


def test_bce_with_logits_takes_the_target_dtype_and_pytorch_gradients() -> None:
    x = _t([2.0, -1.0], requires_grad=True)
    y = _t([0.25, 1.0], np.float32, requires_grad=True)
    pw = _t([2.0, 3.0])
    loss = F.binary_cross_entropy_with_logits(x, y, pos_weight=pw, reduction="sum")
    assert loss.dtype == minigrad.float32
    loss.backward()
    xs, ys, pws = np.array([2.0, -1.0]), np.array([0.25, 1.0]), np.array([2.0, 3.0])
    sig = 1 / (1 + np.exp(-xs))
    _close(x.grad, (pws * ys + 1 - ys) * sig - pws * ys, rtol=1e-6, atol=1e-6)
    _close(y.grad, np.log(1 - sig) - pws * np.log(sig), rtol=1e-6, atol=1e-6)
    with pytest.raises(RuntimeError, match="argument 'pos_weight'"):
        F.binary_cross_entropy_with_logits(x, y, pos_weight=_t([1.0, 1.0], requires_grad=True))
    with pytest.raises(NotImplementedError, match="log_sigmoid"):
        F.binary_cross_entropy_with_logits(_t([1, 2], np.int64), y)
    with pytest.raises(RuntimeError, match="can't be cast"):
        F.binary_cross_entropy_with_logits(x, _t([0, 1], np.int64))


def test_kl_div_rejects_integer_inputs() -> None:
    with pytest.raises(RuntimeError, match="kl_div: Integral inputs not supported"):
        F.kl_div(_t([1, 2], np.int64), _t([0.5, 0.5]), reduction="sum")
