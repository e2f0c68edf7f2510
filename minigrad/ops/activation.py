"""Activation functions: tanh, sigmoid, ReLU and its leaky/exponential variants, log-sigmoid.
Each backward reuses what forward kept (the output for tanh and sigmoid, the input otherwise)."""

from __future__ import annotations

import numpy as np

from minigrad.autograd.node import Op, constant
from minigrad.ops.elementwise import Where


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
    """max(x, 0);  d/dx = 0 where the output is <= 0, else 1 (0 at exactly 0, 1 at NaN, as
    PyTorch)."""

    def forward(self, x):
        self.keep_output()
        return np.maximum(x, x.dtype.type(0))

    def backward(self, grad):
        return (grad * constant((~(self.saved_output.data <= 0)).astype(grad.data.dtype)),)


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
    """x if x > 0 else alpha (e^x - 1);  d/dx = 1 (also at inf) or alpha e^x, which an in-place
    call (from_output) reads as out + alpha, as PyTorch. At NaN the gradient is 1 (PyTorch's
    scalar loop; its vectorised one gives NaN for the elements of whole 32-element blocks)."""

    def forward(self, x, alpha, from_output=False):
        self.keep_inputs(0)
        if from_output:
            self.keep_output()
        self.alpha, self.from_output = alpha, from_output
        with np.errstate(over="ignore", invalid="ignore"):
            return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))

    def backward(self, grad):
        x = self.saved_inputs[0]
        negative = x.data <= 0
        if self.from_output:
            slope = self.saved_output + self.alpha
        else:
            # e^x in float64, rounded once: within PyTorch's (vectorised) exp more often
            z = x.masked_fill(constant(~negative), 0.0)
            z = z.exp() if z.data.dtype == np.float64 else z.double().exp().to(z.dtype)
            slope = z * self.alpha
        one = constant(np.ones((), dtype=grad.data.dtype))
        return (grad * Where.apply(slope, one, cond=negative),)


class Silu(Op):
    """silu(x) = x s(x) = x / (1 + e^-x);  d/dx = s(x) (1 + x (1 - s(x)))."""

    def forward(self, x):
        self.keep_inputs(0)
        with np.errstate(over="ignore", invalid="ignore"):
            return x / (1.0 + np.exp(-x))

    def backward(self, grad):
        x = self.saved_inputs[0]
        s = x.sigmoid()
        return (grad * s * (1.0 + x * (1.0 - s)),)


class LogSigmoid(Op):
    """log s(x) = min(x, 0) - log(1 + e^-|x|), stable;  d/dx = s(-x)."""

    def forward(self, x):
        self.keep_inputs(0)
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    def backward(self, grad):
        return (grad * (-self.saved_inputs[0]).sigmoid(),)
