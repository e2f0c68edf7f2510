"""Loss functions (minigrad/nn/functional/loss.py): every loss with every option against a
NumPy formula written from PyTorch's documentation, float64 gradchecks (for the target
too where the loss is differentiable in it), and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn import functional as F
from tests.helpers import check_grad
from tests.helpers import to_numpy as _np

REDUCTIONS = ("none", "mean", "sum")



def _t(a, dtype=np.float64, requires_grad=False) -> minigrad.Tensor:
    return minigrad.tensor(np.asarray(a, dtype=dtype), requires_grad=requires_grad)


def _reduce(loss: np.ndarray, reduction: str) -> np.ndarray:
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


def _log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    z = x - x.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def _close(a, b, rtol=1e-12, atol=1e-12) -> None:
    np.testing.assert_allclose(_np(a), b, rtol=rtol, atol=atol)


# -- regression losses -----------------------------------------------------------------------------
def _smooth_l1(d, beta):
    a = np.abs(d)
    return a if beta == 0 else np.where(a < beta, 0.5 * a * a / beta, a - 0.5 * beta)


def _huber(d, delta):
    a = np.abs(d)
    return np.where(a < delta, 0.5 * a * a, delta * (a - 0.5 * delta))


REGRESSION = [
    ("mse", lambda x, y, r: F.mse_loss(x, y, reduction=r), lambda d: d * d),
    ("l1", lambda x, y, r: F.l1_loss(x, y, reduction=r), np.abs),
    ("smooth_l1", lambda x, y, r: F.smooth_l1_loss(x, y, reduction=r), lambda d: _smooth_l1(d, 1)),
    ("smooth_l1_beta0.4", lambda x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=0.4),
     lambda d: _smooth_l1(d, 0.4)),
    ("smooth_l1_beta0", lambda x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=0.0),
     lambda d: _smooth_l1(d, 0.0)),
    ("huber", lambda x, y, r: F.huber_loss(x, y, reduction=r), lambda d: _huber(d, 1.0)),
    ("huber_delta0.3", lambda x, y, r: F.huber_loss(x, y, reduction=r, delta=0.3),
     lambda d: _huber(d, 0.3)),
    ("huber_delta2.5", lambda x, y, r: F.huber_loss(x, y, reduction=r, delta=2.5),
     lambda d: _huber(d, 2.5)),
]


def _regression_inputs(rng, shape=(4, 5)):
    """x - y kept away from 0 and from the beta/delta kinks (0.3, 0.4, 1, 2.5)."""
    y = rng.standard_normal(shape)
    d = rng.choice([-1.0, 1.0], size=shape) * rng.choice([0.1, 0.35, 0.7, 1.5, 2.0, 3.0],
                                                          size=shape)
    return y + d + rng.uniform(-0.02, 0.02, shape), y


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("name", "fn", "ref"), REGRESSION, ids=[r[0] for r in REGRESSION])
def test_regression_loss_matches_numpy(name, fn, ref, reduction, rng) -> None:
    x, y = _regression_inputs(rng)
    out = fn(_t(x), _t(y), reduction)
    assert out.shape == (x.shape if reduction == "none" else ())
    _close(out, _reduce(ref(x - y), reduction))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("name", "fn", "ref"), REGRESSION, ids=[r[0] for r in REGRESSION])
def test_regression_loss_gradcheck_input_and_target(name, fn, ref, reduction, rng) -> None:
    x, y = _regression_inputs(rng, (3, 4))
    check_grad(lambda a, b: fn(a, b, reduction), x, y)


def test_regression_loss_in_float32_keeps_dtype(rng) -> None:
    x, y = _regression_inputs(rng)
    for _, fn, ref in REGRESSION:
        out = fn(_t(x, np.float32), _t(y, np.float32), "mean")
        assert out.dtype == minigrad.float32
        np.testing.assert_allclose(_np(out), ref(x - y).mean(), rtol=1e-5)


# -- binary cross-entropy --------------------------------------------------------------------------
def _bce(p, y, w=None):
    loss = -(y * np.maximum(np.log(p), -100) + (1 - y) * np.maximum(np.log1p(-p), -100))
    return loss if w is None else loss * w


def _bce_logits(x, y, w=None, pw=None):
    softplus_neg = np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)  # -log sigmoid(x)
    log_weight = 1.0 if pw is None else 1 + (pw - 1) * y
    loss = (1 - y) * x + log_weight * softplus_neg
    return loss if w is None else loss * w


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_shape", [None, (4, 5), (5,)])
def test_bce_matches_numpy_and_gradchecks(reduction, weight_shape, rng) -> None:
    p, y = rng.uniform(0.05, 0.95, (4, 5)), rng.uniform(0, 1, (4, 5))
    w = None if weight_shape is None else rng.uniform(0.5, 2, weight_shape)
    wt = None if w is None else _t(w)
    _close(F.binary_cross_entropy(_t(p), _t(y), weight=wt, reduction=reduction),
           _reduce(_bce(p, y, w), reduction))
    check_grad(lambda a, b: F.binary_cross_entropy(a, b, weight=wt, reduction=reduction),
               p, y)


def test_bce_gradients_against_the_formulas(rng) -> None:
    p, y = rng.uniform(0.05, 0.95, 6), rng.uniform(0, 1, 6)
    pt, yt = _t(p, requires_grad=True), _t(y, requires_grad=True)
    F.binary_cross_entropy(pt, yt, reduction="sum").backward()
    _close(pt.grad, (p - y) / (p * (1 - p)), rtol=1e-10)
    _close(yt.grad, np.log1p(-p) - np.log(p), rtol=1e-10)  # -logit(p)


def test_bce_clamps_its_logs_at_minus_100() -> None:
    p, y = np.array([0.0, 1.0, 0.0, 1.0]), np.array([0.0, 1.0, 1.0, 0.0])
    out = F.binary_cross_entropy(_t(p), _t(y), reduction="none")
    np.testing.assert_array_equal(_np(out), [0.0, 0.0, 100.0, 100.0])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", ["plain", "weight", "pos_weight", "both"])
def test_bce_with_logits_matches_numpy_and_gradchecks(reduction, options, rng) -> None:
    x, y = rng.standard_normal((4, 5)) * 3, rng.uniform(0, 1, (4, 5))
    w = rng.uniform(0.5, 2, (4, 1)) if options in ("weight", "both") else None
    pw = rng.uniform(0.2, 5, (5,)) if options in ("pos_weight", "both") else None
    wt, pwt = (None if w is None else _t(w)), (None if pw is None else _t(pw))

    def fn(a, b):
        return F.binary_cross_entropy_with_logits(a, b, weight=wt, reduction=reduction,
                                                  pos_weight=pwt)

    _close(fn(_t(x), _t(y)), _reduce(_bce_logits(x, y, w, pw), reduction), rtol=1e-11)
    check_grad(fn, x, y)


def test_bce_with_logits_extreme_logits_stay_finite() -> None:
    x = np.array([100.0, -100.0, 100.0, -100.0, 1000.0, -1000.0])
    y = np.array([0.0, 1.0, 1.0, 0.0, 0.0, 1.0])
    for dtype in (np.float64, np.float32):
        xt = _t(x, dtype, requires_grad=True)
        out = F.binary_cross_entropy_with_logits(xt, _t(y, dtype), reduction="none",
                                                 pos_weight=_t([3.0], dtype))
        expected = [100.0, 300.0, 0.0, 0.0, 1000.0, 3000.0]
        np.testing.assert_allclose(_np(out), expected, rtol=1e-6, atol=1e-30)
        out.sum().backward()
        grad = _np(xt.grad)
        assert np.isfinite(grad).all()
        np.testing.assert_allclose(grad, [1.0, -3.0, 0.0, 0.0, 1.0, -3.0], atol=1e-6)


# -- nll_loss and cross_entropy (class indices) ----------------------------------------------------
def _nll(logp, target, weight=None, ignore_index=-100, reduction="mean"):
    """logp (N, C, ...) or (C,); target (N, ...) or ()."""
    if logp.ndim == 1:
        logp, target = logp[None], np.asarray(target)[None]
        out = _nll(logp, target, weight, ignore_index, reduction)
        return out[0] if reduction == "none" else out
    c = logp.shape[1]
    w = np.ones(c) if weight is None else weight
    keep = target != ignore_index
    safe = np.where(keep, target, 0)
    picked = np.take_along_axis(logp, safe[:, None], axis=1)[:, 0]
    wt = np.where(keep, w[safe], 0.0)
    loss = -picked * wt
    if reduction == "mean":
        return loss.sum() / wt.sum()
    return _reduce(loss, reduction)


def _cross_entropy(x, target, weight=None, ignore_index=-100, reduction="mean", ls=0.0):
    if x.ndim == 1:
        out = _cross_entropy(x[None], np.asarray(target)[None], weight, ignore_index,
                             reduction, ls)
        return out[0] if reduction == "none" else out
    logp = _log_softmax(x, 1)
    c = x.shape[1]
    nll = _nll(logp, target, weight, ignore_index, reduction)
    if ls == 0:
        return nll
    w = np.ones(c) if weight is None else weight
    wshape = [1] * x.ndim
    wshape[1] = c
    keep = target != ignore_index
    smooth = np.where(keep, -(logp * w.reshape(wshape)).sum(axis=1), 0.0)
    if reduction == "mean":
        smooth = smooth.sum() / w[target[keep]].sum()
    else:
        smooth = _reduce(smooth, reduction)
    return (1 - ls) * nll + ls / c * smooth


def _labels(rng, c, shape, ignore=None):
    t = rng.integers(0, c, shape)
    if ignore is not None:
        drop = rng.random(shape) < 0.3
        drop.reshape(-1)[0] = False
        t = np.where(drop, ignore, t)
    return t


NLL_OPTIONS = [
    ("plain", {}, None),
    ("weight", {"weight": True}, None),
    ("ignore", {}, -100),
    ("ignore_index1", {"ignore_index": 1}, 1),
    ("weight_ignore", {"weight": True}, -100),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("name", "opts", "ignore"), NLL_OPTIONS, ids=[o[0] for o in NLL_OPTIONS])
@pytest.mark.parametrize("shape", [(6, 4), (2, 3, 4, 2)], ids=["2d", "4d"])
def test_nll_loss_matches_numpy_and_gradchecks(shape, name, opts, ignore, reduction, rng) -> None:
    x = rng.standard_normal(shape)
    c = shape[1]
    target = _labels(rng, c, (shape[0], *shape[2:]), ignore)
    w = rng.uniform(0.5, 2, c) if opts.get("weight") else None
    kw = {"ignore_index": opts.get("ignore_index", -100), "reduction": reduction,
          "weight": None if w is None else _t(w)}
    ref = _nll(np.moveaxis(x, 1, -1).reshape(-1, c), target.reshape(-1), w,
               kw["ignore_index"], reduction)
    ref = ref.reshape(target.shape) if reduction == "none" else ref
    out = F.nll_loss(_t(x), _t(target, np.int64), **kw)
    _close(out, ref)
    check_grad(lambda a: F.nll_loss(a, _t(target, np.int64), **kw), x)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_unbatched(reduction, rng) -> None:
    x = rng.standard_normal(5)
    out = F.nll_loss(_t(x), _t(3, np.int64), reduction=reduction)
    assert out.shape == ()
    _close(out, -x[3])
    check_grad(lambda a: F.nll_loss(a, _t(3, np.int64), reduction=reduction), x)


def test_nll_loss_mean_divides_by_the_summed_weights(rng) -> None:
    x = rng.standard_normal((3, 2))
    out = F.nll_loss(_t(x), _t([0, 1, 1], np.int64), weight=_t([1.0, 3.0]))
    _close(out, -(x[0, 0] + 3 * x[1, 1] + 3 * x[2, 1]) / 7)


CE_OPTIONS = [
    ("plain", {}, None),
    ("weight", {"weight": True}, None),
    ("ignore", {}, -100),
    ("ignore_index2", {"ignore_index": 2}, 2),
    ("smoothing", {"ls": 0.2}, None),
    ("smoothing1", {"ls": 1.0}, None),
    ("weight_ignore_smoothing", {"weight": True, "ls": 0.3}, -100),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("name", "opts", "ignore"), CE_OPTIONS, ids=[o[0] for o in CE_OPTIONS])
@pytest.mark.parametrize("shape", [(6, 4), (2, 3, 4, 2), (4,)], ids=["2d", "4d", "unbatched"])
def test_cross_entropy_with_class_indices(shape, name, opts, ignore, reduction, rng) -> None:
    x = rng.standard_normal(shape)
    c = shape[0] if len(shape) == 1 else shape[1]
    tshape = () if len(shape) == 1 else (shape[0], *shape[2:])
    target = _labels(rng, c, tshape, None if tshape == () else ignore)
    w = rng.uniform(0.5, 2, c) if opts.get("weight") else None
    ii, ls = opts.get("ignore_index", -100), opts.get("ls", 0.0)
    if tshape == () and target == ii:
        target = np.asarray((ii + 1) % c)
    kw = {"weight": None if w is None else _t(w), "ignore_index": ii, "reduction": reduction,
          "label_smoothing": ls}
    tt = _t(target, np.int64)
    out = F.cross_entropy(_t(x), tt, **kw)
    if len(shape) > 2:  # the reference works on (N*d1*d2, C)
        flat_x = np.moveaxis(x, 1, -1).reshape(-1, c)
        ref = _cross_entropy(flat_x, target.reshape(-1), w, ii, reduction, ls)
        ref = ref.reshape(tshape) if reduction == "none" else ref
    else:
        ref = _cross_entropy(x, target, w, ii, reduction, ls)
    assert out.shape == np.shape(ref)
    _close(out, ref)
    check_grad(lambda a: F.cross_entropy(a, tt, **kw), x)


def test_cross_entropy_equals_log_softmax_then_nll(rng) -> None:
    x = _t(rng.standard_normal((5, 3)))
    t = _t(rng.integers(0, 3, 5), np.int64)
    _close(F.cross_entropy(x, t), _np(F.nll_loss(F.log_softmax(x, 1), t)))


def test_cross_entropy_is_stable_for_large_logits() -> None:
    x = _t([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 0.0]], requires_grad=True)
    out = F.cross_entropy(x, _t([0, 0], np.int64), reduction="none")
    np.testing.assert_allclose(_np(out), [0.0, 1000.0])
    out.sum().backward()
    assert np.isfinite(_np(x.grad)).all()


# -- cross_entropy with class probabilities --------------------------------------------------------
def _ce_probs(x, y, w=None, reduction="mean", ls=0.0):
    class_dim = 0 if x.ndim == 1 else 1
    c = x.shape[class_dim]
    y = y * (1 - ls) + ls / c
    wshape = [1] * x.ndim
    wshape[class_dim] = c
    terms = _log_softmax(x, class_dim) * y * (1.0 if w is None else w.reshape(wshape))
    per_sample = -terms.sum(axis=class_dim)
    if reduction == "mean":
        return per_sample.sum() / (x.size // c)
    return _reduce(per_sample, reduction)


def _probs(rng, shape, axis):
    p = rng.uniform(0.05, 1.0, shape)
    return p / p.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("weight", "ls"), [(False, 0.0), (True, 0.0), (False, 0.3),
                                            (True, 0.25)])
@pytest.mark.parametrize("shape", [(5, 3), (2, 3, 2, 2), (4,)], ids=["2d", "4d", "unbatched"])
def test_cross_entropy_with_probabilities(shape, weight, ls, reduction, rng) -> None:
    axis = 0 if len(shape) == 1 else 1
    x, y = rng.standard_normal(shape), _probs(rng, shape, axis)
    w = rng.uniform(0.5, 2, shape[axis]) if weight else None
    kw = {"weight": None if w is None else _t(w), "reduction": reduction, "label_smoothing": ls}
    _close(F.cross_entropy(_t(x), _t(y), **kw), _ce_probs(x, y, w, reduction, ls))
    check_grad(lambda a, b: F.cross_entropy(a, b, **kw), x, y)  # the target is differentiable


def test_cross_entropy_with_one_hot_probabilities_equals_class_indices(rng) -> None:
    x = rng.standard_normal((6, 4))
    t = rng.integers(0, 4, 6)
    a = F.cross_entropy(_t(x), _t(np.eye(4)[t]), label_smoothing=0.1)
    b = F.cross_entropy(_t(x), _t(t, np.int64), label_smoothing=0.1)
    _close(a, _np(b))


# -- kl_div ----------------------------------------------------------------------------------------
def _kl(x, y, log_target, reduction):
    if log_target:
        loss = np.exp(y) * (y - x)
    else:
        loss = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0)), 0.0) - y * x
    if reduction == "batchmean":
        return loss.sum() / x.shape[0]
    return _reduce(loss, reduction)


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
@pytest.mark.parametrize("reduction", (*REDUCTIONS, "batchmean"))
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_numpy_and_gradchecks(log_target, reduction, rng) -> None:
    x = _log_softmax(rng.standard_normal((4, 5)), 1)
    y = _log_softmax(rng.standard_normal((4, 5)), 1)
    y = y if log_target else np.exp(y)
    kw = {"reduction": reduction, "log_target": log_target}
    _close(F.kl_div(_t(x), _t(y), **kw), _kl(x, y, log_target, reduction))
    check_grad(lambda a, b: F.kl_div(a, b, **kw), x[:2], y[:2])


def test_kl_div_zero_targets_contribute_nothing(rng) -> None:
    x = rng.standard_normal((2, 3))
    y = np.array([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]])
    xt = _t(x, requires_grad=True)
    out = F.kl_div(xt, _t(y), reduction="sum")
    _close(out, _kl(x, y, False, "sum"))
    out.backward()
    _close(xt.grad, -y)


def test_kl_div_batchmean_is_the_kl_divergence_per_sample(rng) -> None:
    p = _probs(rng, (3, 4), 1)
    q = _probs(rng, (3, 4), 1)
    out = F.kl_div(_t(np.log(q)), _t(p), reduction="batchmean")
    _close(out, (p * np.log(p / q)).sum() / 3)


def test_kl_div_mean_warns_like_pytorch() -> None:
    with pytest.warns(UserWarning, match="batchmean"):
        F.kl_div(_t(np.zeros((2, 2))), _t(np.full((2, 2), 0.5)), reduction="mean")


# -- bad input -------------------------------------------------------------------------------------
def test_invalid_reduction_is_named(rng) -> None:
    x, y = _t(rng.standard_normal(3)), _t(rng.uniform(0.1, 0.9, 3))
    calls = [
        lambda: F.mse_loss(x, y, reduction="avg"), lambda: F.l1_loss(x, y, reduction="avg"),
        lambda: F.smooth_l1_loss(x, y, reduction="avg"),
        lambda: F.huber_loss(x, y, reduction="avg"),
        lambda: F.binary_cross_entropy(y, y, reduction="avg"),
        lambda: F.binary_cross_entropy_with_logits(x, y, reduction="avg"),
        lambda: F.nll_loss(x[None], _t([1], np.int64), reduction="avg"),
        lambda: F.cross_entropy(x[None], _t([1], np.int64), reduction="avg"),
        lambda: F.cross_entropy(x[None], y[None], reduction="avg"),
        lambda: F.kl_div(x, y, reduction="avg"),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="avg is not a valid value for reduction"):
            call()
    with pytest.raises(ValueError, match="avg is not a valid value for reduction"):
        nn.MSELoss(reduction="avg")


def test_mismatched_shapes(rng) -> None:
    p, y = _t(rng.uniform(0.1, 0.9, (3, 4))), _t(rng.uniform(0.1, 0.9, (3, 1)))
    with pytest.raises(ValueError, match=r"target size \(\(3, 1\)\).*input size \(\(3, 4\)\)"):
        F.binary_cross_entropy(p, y)
    with pytest.raises(ValueError, match=r"Target size \(\(3, 1\)\) must be the same as input"):
        F.binary_cross_entropy_with_logits(p, y)
    with pytest.warns(UserWarning, match=r"target size \(\(3, 1\)\) that is different"):
        F.mse_loss(p, y)  # broadcasts, with PyTorch's warning
    with pytest.raises(RuntimeError, match=r"\(3, 4\).*\(5,\)"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            F.l1_loss(p, _t(np.zeros(5)))  # does not broadcast
    with pytest.raises(ValueError, match=r"expected target of shape \(3,\).*got \(2,\)"):
        F.nll_loss(p, _t([0, 1], np.int64))
    with pytest.raises(ValueError, match=r"expected target of shape"):
        F.cross_entropy(_t(np.zeros((2, 3, 4))), _t(np.zeros((2, 3)), np.int64))
    with pytest.raises(RuntimeError, match=r"probability target of shape \(3, 5\).*\(3, 4\)"):
        F.cross_entropy(p, _t(np.full((3, 5), 0.2)))


def test_out_of_range_class_index_is_named(rng) -> None:
    x = _t(rng.standard_normal((3, 4)))
    for bad in (4, -1, 7):
        t = _t([0, bad, 1], np.int64)
        with pytest.raises(IndexError, match=f"target {bad} is out of bounds for 4 classes"):
            F.cross_entropy(x, t)
        with pytest.raises(IndexError, match=f"target {bad} is out of bounds"):
            F.nll_loss(x, t)
    # the ignored index itself is not out of range
    F.cross_entropy(x, _t([0, -100, 1], np.int64))


def test_bce_rejects_input_outside_zero_one() -> None:
    for bad in ([0.5, 1.2], [-0.1, 0.5]):
        with pytest.raises(RuntimeError, match="input should be between 0 and 1"):
            F.binary_cross_entropy(_t(bad), _t([1.0, 0.0]))


def test_other_bad_options() -> None:
    x = _t(np.zeros((2, 3)))
    with pytest.raises(RuntimeError, match="label_smoothing must be between 0.0 and 1.0"):
        F.cross_entropy(x, _t([0, 1], np.int64), label_smoothing=1.5)
    with pytest.raises(RuntimeError, match="expected target of class indices"):
        F.nll_loss(x, _t([0.0, 1.0]))
    with pytest.raises(RuntimeError, match="beta must be non-negative"):
        F.smooth_l1_loss(x, x, beta=-1.0)
    with pytest.raises(RuntimeError, match="delta must be positive"):
        F.huber_loss(x, x, delta=0.0)

