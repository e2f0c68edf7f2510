"""Fused loss kernels where PyTorch has one and the composite would cost many small ops."""

from __future__ import annotations

import numpy as np

from minigrad.autograd.node import Op

_EPS = float(np.float32(1e-12))  # PyTorch's `constexpr float EPSILON = 1e-12` for BCE


class BinaryCrossEntropy(Op):
    """Elementwise -[y log p + (1 - y) log(1 - p)], each log clamped at -100 (PyTorch's kernel);
    d/dp = (p - y) / max(p (1 - p), 1e-12);  d/dy = -logit(p) (as PyTorch)."""

    def forward(self, p, y):
        self.keep_inputs(0, 1)
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), -100)
            log_q = np.maximum(np.log1p(-p), -100)
        return (y - 1) * log_q - y * log_p

    def backward(self, grad):
        p, y = self.saved_inputs
        # PyTorch's kernel clamps at a float32 1e-12, in every dtype
        dp = grad * (p - y) / ((1.0 - p) * p).clamp(min=_EPS) if self.needs_input_grad[0] \
            else None
        # d/dy = -logit(p), unclamped, as PyTorch's binary_cross_entropy_target_backward
        dy = -grad * (p / (1.0 - p)).log() if self.needs_input_grad[1] else None
        return dp, dy
