"""Time-axis helpers for the recurrent layers: split a sequence into its steps and stack the
steps back, each in O(sequence) work for forward and backward.

Slicing `x[t]` once per step would cost O(L^2) in backward: every slice's gradient is a
zero-filled array of x's full shape, added into x's pending gradient. `unbind_steps` instead
records one `Unbind` node whose output is a 0-d token, and one `SequenceStep` node per piece
reading from it; each step's backward hands its gradient to the `Unbind` node (and a zero to
the token), and `Unbind.backward` stacks them once, with a differentiable op (double backward
works).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from minigrad.autograd.grad_mode import _State
from minigrad.autograd.node import Op, constant

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


class Unbind(Op):
    """token = 0 with x kept for its `SequenceStep` readers;  d/dx = stack of the steps'
    gradients."""

    def forward(self, x):
        self.x = x
        self.grads: list = [None] * x.shape[0]
        return np.zeros((), dtype=x.dtype)

    def backward(self, grad):
        zero = None
        pieces = []
        for g in self.grads:
            if g is None:
                if zero is None:
                    zero = constant(np.zeros(self.x.shape[1:], dtype=self.x.dtype))
                g = zero
            pieces.append(g)
        self.grads = [None] * len(pieces)  # ready for a second backward (retain_graph)
        return (Stack.apply(*pieces),)

    def release(self) -> None:
        super().release()
        self.x = None
        self.grads = []


class SequenceStep(Op):
    """Step `index` of the sequence, x[index], read through the `Unbind` token;  its gradient
    goes to the Unbind node (which stacks all steps' gradients once), a zero to the token."""

    def forward(self, token, source, index):
        self.source, self.index = source, index
        return source.x[index]

    def backward(self, grad):
        grads = self.source.grads
        prev = grads[self.index]
        grads[self.index] = grad if prev is None else prev + grad
        return (constant(np.zeros((), dtype=grad.data.dtype)),)


class Stack(Op):
    """y = stack(x_0, ..., x_{L-1}) along a new dim 0;  d/dx_t = g[t]."""

    def forward(self, *arrays):
        return np.stack(arrays)

    def backward(self, grad):
        return tuple(grad[t] if need else None for t, need in enumerate(self.needs_input_grad))


def unbind_steps(x: Tensor) -> list[Tensor]:
    """x (L, ...) -> [x[0], ..., x[L-1]] with one O(L) backward (see the module docstring)."""
    if not (_State.enabled and x.requires_grad):
        return [constant(x.data[t]) for t in range(x.data.shape[0])]
    token = Unbind.apply(x)
    return [SequenceStep.apply(token, source=token.grad_fn, index=t)
            for t in range(x.data.shape[0])]


def stack_steps(steps: list[Tensor]) -> Tensor:
    """[x_0, ..., x_{L-1}] (equal shapes) -> (L, ...) in one op."""
    return Stack.apply(*steps)
