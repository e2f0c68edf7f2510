"""Ops that move elements without changing them: reshape, permute, expand, cat, triangles.
Their backward moves the gradient back the same way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad.autograd.engine import sum_to_shape
from minigrad.autograd.node import Op, constant


def shape_args(args: Sequence[Any], op: str = "", what: str = "size") -> tuple:
    """Accept f(2, 3), f((2, 3)), f([2, 3]) and f(Size) alike; f() raises TypeError when op is
    named (f(()) is the 0-d shape), as PyTorch's argument parser does."""
    if op and len(args) == 0:
        raise TypeError(f"{op}() missing 1 required positional argument: '{what}'")
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    return tuple(int(a) for a in args)


class Reshape(Op):
    """x viewed with a new shape;  the gradient is reshaped back."""

    is_view = True

    def forward(self, x, shape, view=False):
        self.in_shape = x.shape
        name = "view" if view else "reshape"
        try:
            out = x.reshape(shape)
        except ValueError:
            raise RuntimeError(
                f"{name}: shape {list(shape)} is invalid for input of size {x.size} "
                f"(shape {tuple(x.shape)})"
            ) from None
        if view and out.size and not np.may_share_memory(out, x):
            raise RuntimeError(
                f"view: view size is not compatible with input tensor's size and stride (at "
                f"least one dimension spans across two contiguous subspaces): shape "
                f"{tuple(x.shape)} with strides {tuple(s // x.itemsize for s in x.strides)} "
                f"to {list(shape)}. Use .reshape(...) instead."
            )
        return out

    def backward(self, grad):
        return (grad.reshape(self.in_shape),)


class Permute(Op):
    """x with its axes reordered;  the gradient is permuted back by the inverse order."""

    is_view = True

    def forward(self, x, dims):
        self.dims = dims
        return np.transpose(x, dims)

    def backward(self, grad):
        return (grad.permute(tuple(np.argsort(self.dims).tolist())),)


class Expand(Op):
    """x broadcast to a larger shape (a read-only view);  the gradient is summed back."""

    is_view = True

    def forward(self, x, shape):
        self.in_shape = x.shape
        try:
            return np.broadcast_to(x, shape)
        except ValueError:
            raise RuntimeError(
                f"expand: the expanded size {list(shape)} must match the existing size "
                f"{list(x.shape)} at non-singleton dimensions"
            ) from None

    def backward(self, grad):
        return (sum_to_shape(grad, self.in_shape),)


class Cat(Op):
    """concatenation along dim;  each input gets its slice of the gradient."""

    def forward(self, *arrays, dim):
        self.dim = dim
        self.bounds = np.cumsum([0] + [a.shape[dim] for a in arrays]).tolist()
        return np.concatenate(arrays, axis=dim)

    def backward(self, grad):
        lead = (slice(None),) * self.dim
        return tuple(
            grad[lead + (slice(lo, hi),)] if need else None
            for lo, hi, need in zip(self.bounds, self.bounds[1:], self.needs_input_grad)
        )


class Triangle(Op):
    """upper (triu) or lower (tril) triangle of the last two axes;  the gradient is masked alike."""

    def forward(self, x, diagonal, upper):
        if x.ndim < 2:  # np.triu would silently broadcast a 1-D input to a matrix
            name = "triu" if upper else "tril"
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions, "
                               f"got shape {tuple(x.shape)}")
        self.diagonal, self.upper = diagonal, upper
        return np.triu(x, diagonal) if upper else np.tril(x, diagonal)

    def backward(self, grad):
        return (Triangle.apply(grad, diagonal=self.diagonal, upper=self.upper),)


class Flip(Op):
    """x reversed along dims (a copy, as PyTorch's flip);  the gradient is reversed back."""

    def forward(self, x, dims):
        self.dims = dims
        return np.flip(x, dims).copy() if x.ndim else x.copy()  # 0-d: nothing to reverse

    def backward(self, grad):
        return (Flip.apply(grad, dims=self.dims),)


class CopyFrom(Op):
    """copy_ recorded: the result is src broadcast to dst's shape;  d/dsrc = grad (summed to
    src's shape by the engine), d/ddst = 0 (its old values are overwritten, as PyTorch)."""

    def forward(self, dst, src):
        return np.broadcast_to(src, dst.shape).copy()

    def backward(self, grad):
        return constant(np.zeros(grad.data.shape, dtype=grad.data.dtype)), grad
