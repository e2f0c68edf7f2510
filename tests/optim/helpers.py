"""Shared by test_adam.py and test_adamw.py: one parameter stepped through fixed gradients,
Adam's algorithm written out in float64 (with AdamW's decoupled decay), and the option errors
both classes raise."""

from __future__ import annotations

from typing import Any

import numpy as np

import minigrad
from minigrad import optim

P0 = np.array([1.0, -2.0, 0.5])
GRADS = [np.array([0.5, 0.25, -1.0]), np.array([-0.1, 0.05, 0.2]), np.array([0.3, -0.6, 0.01])]

# (options, message): the same checks and messages for Adam and AdamW
INVALID_OPTIONS = [
    (dict(lr=-0.1), "Invalid learning rate: -0.1"),
    (dict(eps=-1.0), "Invalid epsilon value: -1.0"),
    (dict(betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    (dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    (dict(weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
]


def run(grads: list[np.ndarray], cls: type[optim.Optimizer] = optim.Adam,
        dtype: Any = np.float64, **options: Any) -> tuple[minigrad.Tensor, optim.Optimizer]:
    """One parameter starting at P0, stepped by `cls` once per gradient; returns (p, opt)."""
    p = minigrad.tensor(P0.astype(dtype), requires_grad=True)
    opt = cls([p], **options)
    for g in grads:
        p.grad = minigrad.tensor(g.astype(dtype))
        opt.step()
    return p, opt


def reference(grads: list[np.ndarray], lr: float = 1e-3,
              betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
              weight_decay: float = 0.0, amsgrad: bool = False, maximize: bool = False,
              decoupled: bool = False) -> tuple[np.ndarray, ...]:
    """The textbook algorithm in float64, written independently of the implementation."""
    b1, b2 = betas
    p, m, v, v_max = P0.copy(), np.zeros(3), np.zeros(3), np.zeros(3)
    for t, g in enumerate(grads, start=1):
        g = -g if maximize else g
        if decoupled:
            p = p * (1 - lr * weight_decay)
        elif weight_decay:
            g = g + weight_decay * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        v_max = np.maximum(v_max, v)
        second = v_max if amsgrad else v
        denom = np.sqrt(second) / np.sqrt(1 - b2**t) + eps
        p = p - lr / (1 - b1**t) * m / denom
    return p, m, v, v_max
