"""Shared test helpers, imported by the tests that use them (`from tests.helpers import ...`).

NumPy is the reference here; tests/ never imports torch (parity/ compares with PyTorch). The
seeded NumPy generator `rng` is a fixture in conftest.py; everything else lives here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

import minigrad
from minigrad.autograd import gradcheck, gradgradcheck


def leaf(array: Any, dtype: Any = np.float64, requires_grad: bool = True) -> minigrad.Tensor:
    """A fresh leaf tensor holding a copy of array in dtype."""
    return minigrad.tensor(np.array(array, dtype=dtype), requires_grad=requires_grad)


def check_grad(fn: Callable, *arrays: Any, atol: float = 1e-5, rtol: float = 1e-3) -> None:
    """Assert a float64 `gradcheck` of fn on fresh leaves made from the arrays."""
    inputs = tuple(leaf(a) for a in arrays)
    assert gradcheck(fn, inputs, atol=atol, rtol=rtol)


def check_gradgrad(fn: Callable, *arrays: Any, atol: float = 1e-5, rtol: float = 1e-3) -> None:
    """Assert a float64 `gradgradcheck` of fn on fresh leaves made from the arrays."""
    inputs = tuple(leaf(a) for a in arrays)
    assert gradgradcheck(fn, inputs, atol=atol, rtol=rtol)


def grads_of(fn: Callable, *arrays: Any, upstream: Any = None, dtype: Any = np.float64) -> tuple:
    """Run fn on fresh leaves (in dtype) made from the arrays, backpropagate `upstream` (ones
    by default), and return (output, [each leaf's .grad])."""
    leaves = [leaf(a, dtype) for a in arrays]
    out = fn(*leaves)
    seed = np.ones(out.shape) if upstream is None else np.asarray(upstream)
    out.backward(minigrad.tensor(seed.astype(out.data.dtype)))
    return out, [t.grad for t in leaves]


def sum_to(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """NumPy's undo-broadcasting: grad summed down to shape, the reference for broadcast
    gradients."""
    grad = np.asarray(grad)
    lead = grad.ndim - len(shape)
    grad = grad.sum(axis=tuple(range(lead))) if lead else grad
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=stretched, keepdims=True) if stretched else grad


def selection_grad(ref: Callable, shape: tuple, upstream: np.ndarray) -> np.ndarray:
    """d(sum(upstream * ref(x)))/dx for a ref that only moves, copies or zeroes x's elements
    (reshape, getitem, gather, triu, ...): run ref on the positions 1..n; a 0 in its output is a
    zeroed element."""
    n = math.prod(shape)
    where = np.asarray(ref(np.arange(1, n + 1, dtype=np.float64).reshape(shape)))
    assert where.shape == np.shape(upstream)
    picked = where.reshape(-1).astype(np.int64) - 1
    keep = picked >= 0
    flat = np.bincount(picked[keep], weights=np.asarray(upstream, np.float64).reshape(-1)[keep],
                       minlength=n)
    return flat.reshape(shape)


def _distinct(rng: np.random.Generator, shape: tuple, scale: float = 2.0) -> np.ndarray:
    """Values in about [-scale, scale], pairwise at least 2 scale/(n+1) apart, none near 0."""
    n = max(1, math.prod(shape))
    ranks = rng.permutation(n) - (n - 1) / 2 + 0.25  # distinct, |rank| >= 0.25
    return (ranks * (2 * scale / (n + 1))).reshape(shape)


def sample(rng: np.random.Generator, kind: str, shape: tuple) -> np.ndarray:
    """Inputs kept off kinks and ties (every gap and every |x| well above gradcheck's step).

    kind is "normal", "distinct" (no ties, none near 0), "off_zero", "positive", "near_one"
    (|x| in [0.5, 1.5], for products) or "off_half" (|x| in [0.1, 0.4] or [0.6, 2], off the
    kinks at 0 and +-0.5 used as clamp bounds).
    """
    shape = tuple(shape)
    if kind == "normal":
        return rng.standard_normal(shape)
    if kind == "distinct":
        return _distinct(rng, shape)
    if kind == "off_zero":
        return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.3, 2.0, size=shape)
    if kind == "positive":
        return rng.uniform(0.5, 2.0, size=shape)
    if kind == "near_one":
        return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 1.5, size=shape)
    if kind == "off_half":
        inner = rng.uniform(0.1, 0.4, size=shape)
        outer = rng.uniform(0.6, 2.0, size=shape)
        magnitude = np.where(rng.random(size=shape) < 0.5, inner, outer)
        return rng.choice([-1.0, 1.0], size=shape) * magnitude
    raise ValueError(f"sample: unknown kind {kind!r}")


def to_numpy(t: minigrad.Tensor) -> np.ndarray:
    """A tensor's values as an ndarray (detached first, so tensors that require grad work)."""
    return t.detach().numpy()
