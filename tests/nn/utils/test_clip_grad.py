"""clip_grad_norm_ and clip_grad_value_ (minigrad/nn/utils/clip_grad.py)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn.utils import clip_grad_norm_, clip_grad_value_
from tests.helpers import to_numpy as _np


def _params(rng, scale: float = 1.0, dtype=np.float64) -> tuple[list, list]:
    """Parameters with known gradients (and one without a gradient, which is skipped)."""
    grads = [rng.standard_normal(s).astype(dtype) * scale for s in [(3, 4), (4,), (2, 2, 2)]]
    params = []
    for g in grads:
        p = nn.Parameter(minigrad.zeros(g.shape, dtype=minigrad.tensor(g).dtype))
        p.grad = minigrad.tensor(g.copy())
        params.append(p)
    params.append(nn.Parameter(minigrad.zeros(2)))
    return params, grads


def _norm(grads, p) -> float:
    flat = np.concatenate([g.reshape(-1) for g in grads]).astype(np.float64)
    return float(np.abs(flat).max() if p == math.inf else (np.abs(flat) ** p).sum() ** (1 / p))


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
def test_clip_grad_norm_returns_the_total_norm_and_scales_exactly(norm_type, rng) -> None:
    params, grads = _params(rng, scale=5.0)
    total = clip_grad_norm_(params, max_norm=1.0, norm_type=norm_type)
    expected = _norm(grads, norm_type)
    assert isinstance(total, minigrad.Tensor) and total.shape == ()
    assert float(total) == pytest.approx(expected, rel=1e-12)
    coef = 1.0 / (float(total) + 1e-6)
    for p, g in zip(params, grads, strict=False):
        np.testing.assert_array_equal(_np(p.grad), g * coef)
    assert params[-1].grad is None
    assert _norm([_np(p.grad) for p in params[:-1]], norm_type) == pytest.approx(1.0, rel=1e-5)


def test_clip_grad_norm_leaves_small_gradients_unchanged(rng) -> None:
    params, grads = _params(rng, scale=0.01)
    total = clip_grad_norm_(params, max_norm=10.0)
    assert float(total) == pytest.approx(_norm(grads, 2), rel=1e-12)
    for p, g in zip(params, grads, strict=False):
        np.testing.assert_array_equal(_np(p.grad), g)


def test_clip_grad_norm_in_float32(rng) -> None:
    params, grads = _params(rng, scale=3.0, dtype=np.float32)
    total = clip_grad_norm_(params, max_norm=0.5)
    assert total.dtype == minigrad.float32
    assert float(total) == pytest.approx(_norm(grads, 2), rel=1e-6)
    coef = np.float32(0.5) / (np.float32(float(total)) + np.float32(1e-6))
    for p, g in zip(params, grads, strict=False):
        assert p.grad.dtype == minigrad.float32
        np.testing.assert_allclose(_np(p.grad), g * coef, rtol=1e-6)


def test_clip_grad_norm_accepts_a_tensor_a_generator_and_nothing(rng) -> None:
    p = nn.Parameter(minigrad.zeros(4, dtype=minigrad.float64))
    p.grad = minigrad.tensor(np.array([3.0, 4.0, 0.0, 0.0]))
    assert float(clip_grad_norm_(p, 1.0)) == pytest.approx(5.0)
    np.testing.assert_allclose(_np(p.grad), [0.6, 0.8, 0, 0], rtol=1e-6)
    model = nn.Linear(3, 2)
    model(minigrad.randn(4, 3)).sum().backward()
    assert float(clip_grad_norm_(model.parameters(), 1e-3)) > 0
    assert float(clip_grad_norm_([nn.Parameter(minigrad.zeros(2))], 1.0)) == 0.0


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_clip_grad_norm_error_if_nonfinite(bad, rng) -> None:
    params, _ = _params(rng)
    params[1].grad.numpy()[0] = bad
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy RuntimeWarning either
        total = clip_grad_norm_(params, 1.0)
    assert not math.isfinite(float(total))
    assert np.isnan(_np(params[0].grad)).all() or (_np(params[0].grad) == 0).all()


def test_clip_grad_value_clamps_every_element(rng) -> None:
    params, grads = _params(rng, scale=2.0)
    assert clip_grad_value_(params, 0.5) is None
    for p, g in zip(params, grads, strict=False):
        np.testing.assert_array_equal(_np(p.grad), np.clip(g, -0.5, 0.5))
    assert params[-1].grad is None


def test_clipping_keeps_the_grad_objects(rng) -> None:
    params, _ = _params(rng, scale=5.0)
    before = [p.grad for p in params[:-1]]
    clip_grad_norm_(params, 1.0)
    clip_grad_value_(params, 0.1)
    assert [p.grad for p in params[:-1]] == before
