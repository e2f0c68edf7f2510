"""Numerical gradient checks: compare autograd's gradients with float64 central differences."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from minigrad.autograd import node
from minigrad.autograd.engine import grad
from minigrad.autograd.grad_mode import enable_grad, no_grad
from minigrad.autograd.node import constant


def _as_tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def numerical_grads(func: Callable, inputs: Sequence[Any], eps: float) -> list:
    """d(sum of outputs weighted by a fixed projection)/d(input), one input element at a time."""
    diff = [t for t in inputs if isinstance(t, node.Tensor) and t.requires_grad]
    with no_grad():
        outs = _as_tuple(func(*inputs))
        rng = np.random.default_rng(0)
        weights = [rng.standard_normal(o.data.shape) for o in outs if isinstance(o, node.Tensor)]

        def projected() -> float:
            res = [o for o in _as_tuple(func(*inputs)) if isinstance(o, node.Tensor)]
            return float(sum(np.sum(o.data.astype(np.float64) * w) for o, w in zip(res, weights)))

        grads = []
        for t in diff:
            g = np.zeros(t.data.shape, dtype=np.float64)
            flat, gflat = t.data.reshape(-1), g.reshape(-1)
            for i in range(flat.size):
                orig = flat[i]
                flat[i] = orig + eps
                plus = projected()
                flat[i] = orig - eps
                minus = projected()
                flat[i] = orig
                gflat[i] = (plus - minus) / (2 * eps)
            grads.append(g)
    return grads, weights


def gradcheck(
    func: Callable,
    inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    **_: Any,
) -> bool:
    """True when autograd's gradients of `func` match central differences on the inputs that
    require grad (use float64 inputs, off kinks and ties). Raises with the worst entry if not."""
    inputs = _as_tuple(inputs)
    diff = [t for t in inputs if isinstance(t, node.Tensor) and t.requires_grad]
    for t in diff:
        if t.data.dtype != np.float64:
            raise ValueError(
                f"gradcheck: input of shape {tuple(t.shape)} is {t.dtype}; use float64"
            )
    expected, weights = numerical_grads(func, inputs, eps)
    outs = [o for o in _as_tuple(func(*inputs)) if isinstance(o, node.Tensor)]
    used = [(o, w) for o, w in zip(outs, weights) if o.requires_grad]
    if used:
        total = sum((o * constant(w)).sum() for o, w in used)
        got = grad(total, diff, allow_unused=True)
    else:
        got = [None] * len(diff)
    for i, (g, e) in enumerate(zip(got, expected)):
        actual = np.zeros_like(e) if g is None else g.data
        if actual.shape != e.shape or not np.allclose(actual, e, atol=atol, rtol=rtol):
            if not raise_exception:
                return False
            err = np.abs(actual - e) if actual.shape == e.shape else np.inf
            worst = int(np.argmax(err)) if actual.shape == e.shape else 0
            raise RuntimeError(
                f"gradcheck: jacobian mismatch for input {i} (shape {e.shape}): max abs error "
                f"{np.max(err):.3g} at flat index {worst}; analytical {actual.reshape(-1)[:6]}, "
                f"numerical {e.reshape(-1)[:6]}"
            )
    return True


def gradgradcheck(func: Callable, inputs: Any, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, **_: Any) -> bool:
    """gradcheck of the first derivative itself (built with create_graph=True)."""
    inputs = _as_tuple(inputs)
    diff = [t for t in inputs if isinstance(t, node.Tensor) and t.requires_grad]
    rng = np.random.default_rng(1)

    @enable_grad()  # numerical_grads calls this under no_grad; the first derivative needs a graph
    def first_derivative(*args: Any) -> tuple:
        outs = [o for o in _as_tuple(func(*args)) if isinstance(o, node.Tensor)]
        total = sum((o * constant(rng_w[k])).sum() for k, o in enumerate(outs))
        return tuple(g for g in grad(total, diff, create_graph=True, allow_unused=True)
                     if g is not None)

    with no_grad():
        rng_w = [rng.standard_normal(o.data.shape)
                 for o in _as_tuple(func(*inputs)) if isinstance(o, node.Tensor)]
    return gradcheck(first_derivative, inputs, eps=eps, atol=atol, rtol=rtol)
