"""Gradient clipping: the course's Part 8 remedy for exploding gradients."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from minigrad.tensor import Tensor


def _grads(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [p.grad for p in params if p.grad is not None]


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: bool | None = None) -> Tensor:
    """Scale all gradients together so that their joint norm is at most max_norm; returns the
    norm before clipping. As PyTorch: scale = max_norm / (norm + 1e-6), clamped to 1."""
    grads = _grads(parameters)
    if not grads:
        return Tensor._make(np.asarray(0.0, dtype=np.float32))
    dtype = grads[0].data.dtype
    norm_type = float(norm_type)
    if norm_type == np.inf:
        norms = [np.abs(g.data).max() for g in grads]
        total = np.max(norms).astype(dtype)
    else:
        norms = [np.linalg.norm(g.data.reshape(-1), norm_type).astype(dtype) for g in grads]
        total = np.linalg.norm(np.asarray(norms, dtype=dtype), norm_type).astype(dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} for gradients from "
            "`parameters` is non-finite, so it cannot be clipped. To disable this error and "
            "scale the gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    coef = dtype.type(max_norm) / (total + dtype.type(1e-6))
    coef = min(coef, dtype.type(1.0))
    for g in grads:
        with np.errstate(invalid="ignore"):  # inf * 0 = nan, silently, as PyTorch
            np.multiply(g.data, coef, out=g.data)
        g._bump_version()
    return Tensor._make(np.asarray(total))


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every gradient element into [-clip_value, clip_value]."""
    for g in _grads(parameters):
        np.clip(g.data, -clip_value, clip_value, out=g.data)
        g._bump_version()
