"""Argument helpers shared by the functional modules: shapes for messages, n-tuples of ints,
dtype checks, and the (N, C, H, W) lift that lets 1-D convolution and pooling reuse the 2-D
ops."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad.tensor import Tensor

_LAYOUT = {1: "(N, C, L)", 2: "(N, C, H, W)"}


def _shape(t: Tensor) -> tuple:
    """The tensor's shape as a plain tuple (for error messages)."""
    return tuple(t.data.shape)


def _ntuple(value: Any, n: int, name: str, op: str) -> tuple:
    """An int or a sequence of 1 or n ints as an n-tuple (PyTorch's expand_param_if_needed)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),) * n
    items = tuple(int(v) for v in value)
    if len(items) == 1:
        return items * n
    if len(items) != n:
        raise RuntimeError(f"{op}: expected {name} to be a single integer value or a list of {n} "
                           f"values to match the dimensions, but got {name}={list(items)}")
    return items


def _lift(input: Tensor, dims: int, op: str) -> tuple[Tensor, Callable[[Tensor], Tensor]]:  # noqa: A002
    """input as (N, C, H, W), and the function that shapes a result back: an unbatched input
    gains and loses a batch dim, a 1-D input an H = 1 dim."""
    nd = input.ndim
    if nd not in (dims + 1, dims + 2):
        raise RuntimeError(f"{op}: expected a {dims + 1}-D (unbatched) or {dims + 2}-D (batched) "
                           f"input {_LAYOUT[dims]}, got shape {tuple(input.shape)}")
    x = input if nd == dims + 2 else input.unsqueeze(0)
    x = x.unsqueeze(2) if dims == 1 else x

    def restore(t: Tensor) -> Tensor:
        t = t.squeeze(2) if dims == 1 else t
        return t if nd == dims + 2 else t.squeeze(0)

    return x, restore


def _as2d(values: tuple, fill: Any) -> tuple:
    """A 1-D geometry (k,) as the 2-D one (fill, k) of its H = 1 lift."""
    return values if len(values) == 2 else (fill,) + values


def _check_kernel_dtype(op: str, input: Tensor, kinds: str = "f") -> None:  # noqa: A002
    """PyTorch's NotImplementedError where its CPU kernel has no version for the input's dtype:
    `kinds` are the NumPy kinds it has ('f' floats, 'i' signed, 'u' unsigned, 'b' bool; 'l' for
    int64 alone)."""
    dt = input.data.dtype
    if dt.kind in kinds or ("l" in kinds and dt == np.int64):
        return
    raise NotImplementedError(f"{op}: not implemented for {input.dtype} (input of shape "
                              f"{tuple(input.shape)})")


def _check_float(op: str, input: Tensor, *others: Tensor | None, kinds: str = "f") -> None:  # noqa: A002
    """An input of a dtype the kernel has (`_check_kernel_dtype`), and weight/bias (when given)
    of the same dtype."""
    _check_kernel_dtype(op, input, kinds)
    for name, t in zip(("weight", "bias"), others, strict=False):
        if t is not None and t.data.dtype != input.data.dtype:
            raise RuntimeError(f"{op}: input ({input.data.dtype}) and {name} ({t.data.dtype}) "
                               "must have the same dtype")
