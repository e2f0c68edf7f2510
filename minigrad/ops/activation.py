"""Activation functions: tanh, sigmoid, ReLU and its leaky/exponential variants, log-sigmoid.
Each backward reuses what forward kept (the output for tanh and sigmoid, the input otherwise)."""

from __future__ import annotations

import numpy as np

from minigrad.autograd.node import Op, constant


class Tanh(Op):
    """tanh x;  d/dx = 1 - tanh^2 x (from the kept output)."""

    def forward(self, x):
        self.keep_output()
        return np.tanh(x)

    def backward(self, grad):
        y = self.saved_output
        return (grad * (1.0 - y * y),)


class Sigmoid(Op):
    """s(x) = 1 / (1 + e^-x);  d/dx = s(x) (1 - s(x)) (from the kept output)."""

    def forward(self, x):
        self.keep_output()
        with np.errstate(over="ignore"):  # e^-x overflows to inf for x << 0; 1/inf is the 0 we want
            return 1.0 / (1.0 + np.exp(-x))

    def backward(self, grad):
        y = self.saved_output
        return (grad * y * (1.0 - y),)


class Relu(Op):
    """max(x, 0);  d/dx = 1 where x > 0, else 0 (0 at exactly 0, as PyTorch)."""

    def forward(self, x):
        self.keep_output()
        return np.maximum(x, 0)

    def backward(self, grad):
        return (grad * constant((self.saved_output.data > 0).astype(grad.data.dtype)),)


class LeakyRelu(Op):
    """x if x > 0 else slope * x;  d/dx = 1 or slope."""

    def forward(self, x, slope):
        self.keep_inputs(0)
        self.slope = slope
        return np.where(x > 0, x, x * slope)

    def backward(self, grad):
        x = self.saved_inputs[0].data
        scale = np.where(x > 0, 1.0, self.slope).astype(grad.data.dtype)
        return (grad * constant(scale),)


class Elu(Op):
    """x if x > 0 else alpha (e^x - 1);  d/dx = 1 or alpha e^x (= out + alpha)."""

    def forward(self, x, alpha):
        self.keep_inputs(0)
        self.keep_output()
        self.alpha = alpha
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))

    def backward(self, grad):
        x = self.saved_inputs[0]
        negative = constant((x.data <= 0).astype(grad.data.dtype))
        slope = (self.saved_output + self.alpha) * negative + (1.0 - negative)
        return (grad * slope,)


class LogSigmoid(Op):
    """log s(x) = min(x, 0) - log(1 + e^-|x|), stable;  d/dx = s(-x)."""

    def forward(self, x):
        self.keep_inputs(0)
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    def backward(self, grad):
        return (grad * (-self.saved_inputs[0]).sigmoid(),)
