"""Fused loss kernels where PyTorch has one and the composite would cost many small ops."""

from __future__ import annotations

import numpy as np

from minigrad.autograd.node import Op
from minigrad.ops.activation import LogSigmoid

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


class Huber(Op):
    """Elementwise on d = x - y: scale * (0.5 d^2 if |d| < delta else delta (|d| - delta / 2));
    d/dd = scale * clamp(d, -delta, delta) (PyTorch's branch formula: finite at d = +-inf,
    NaN at NaN). smooth_l1_loss is scale = 1 / beta with delta = beta."""

    def forward(self, x, y, delta=1.0, scale=1.0):
        self.delta, self.scale = delta, scale
        self.keep_inputs(0, 1)
        with np.errstate(invalid="ignore", over="ignore"):
            d = x - y
            ad = np.abs(d)
            out = np.where(ad < delta, 0.5 * d * d, delta * (ad - 0.5 * delta))
        return (out * scale if scale != 1.0 else out).astype(x.dtype, copy=False)

    def backward(self, grad):
        x, y = self.saved_inputs
        dd = grad * (x - y).clamp(-self.delta, self.delta)
        if self.scale != 1.0:
            dd = dd * self.scale
        return (dd if self.needs_input_grad[0] else None,
                -dd if self.needs_input_grad[1] else None)


class BCEWithLogits(Op):
    """Elementwise (1 - y) x - lw log sigmoid(x) with lw = 1 + (pw - 1) y (pw = 1 without
    pos_weight); d/dx = (pw y + 1 - y) sigmoid(x) - pw y;  d/dy = log sigmoid(-x) - pw log
    sigmoid(x) (PyTorch's simplified formulas, which it also uses at infinite inputs)."""

    def forward(self, x, y, *pw):
        self.keep_inputs(0, 1, *((2,) if pw else ()))
        with np.errstate(invalid="ignore", over="ignore"):
            log_sig = np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))
            lw = 1 + (pw[0] - 1) * y if pw else 1
            return ((1 - y) * x - lw * log_sig).astype(y.dtype, copy=False)

    def backward(self, grad):
        x, y, *pw = self.saved_inputs
        sig = x.sigmoid()
        if pw:
            t = pw[0] * y
            dx = (t + 1 - y) * sig - t
            dy = LogSigmoid.apply(-x) - LogSigmoid.apply(x) * pw[0]
        else:
            dx, dy = sig - y, -x
        return (grad * dx if self.needs_input_grad[0] else None,
                grad * dy if self.needs_input_grad[1] else None) + ((None,) if pw else ())
