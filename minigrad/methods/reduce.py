"""Tensor methods for reductions (`minigrad/ops/reduce.py`): sum, mean, var/std, max/min and
their arg forms, logsumexp, prod, norm, softmax, all/any; `dim=` and `keepdim=` as PyTorch."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad.autograd import node
from minigrad.autograd.node import constant
from minigrad.ops import reduce as rd
from minigrad.ops.reduce import normalize_dims, reduce_dims
from minigrad.return_types import return_types

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


class ReduceMethods:
    """Mixin of `Tensor`: the reductions."""

    __slots__ = ()

    def sum(self, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        """Sum over dim (all elements by default)."""
        x = self.to(dtype) if dtype is not None else self
        return rd.Sum.apply(x, axes=reduce_dims(dim, self.ndim, "sum"), keepdim=keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        """Mean over dim (all elements by default); floating point only."""
        x = self.to(dtype) if dtype is not None else self
        if x.data.dtype.kind != "f":
            raise RuntimeError(
                f"mean: could not infer output dtype. Input dtype must be floating point, "
                f"got {x.dtype}"
            )
        return rd.Mean.apply(x, axes=reduce_dims(dim, self.ndim, "mean"), keepdim=keepdim)

    def var(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
            correction: Any = None) -> Tensor:
        """Variance with Bessel's correction by default (`correction=1`), as PyTorch."""
        if isinstance(dim, bool):  # var(unbiased) positional form
            dim, unbiased = None, dim
        if correction is None:
            correction = 1 if unbiased is None or unbiased else 0
        axes = reduce_dims(dim, self.ndim, "var")
        n = self.data.size if axes is None else int(np.prod([self.data.shape[a] for a in axes]))
        centered = self - self.mean(dim=axes, keepdim=True)
        return (centered * centered).sum(dim=axes, keepdim=keepdim) / max(0, n - correction)

    def std(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
            correction: Any = None) -> Tensor:
        """Standard deviation: sqrt of `var` with the same arguments (gradient 0 where it is 0)."""
        var = self.var(dim, unbiased, keepdim, correction=correction)
        zero = var.data == 0
        if not zero.any():
            return var.sqrt()
        # sqrt's slope is infinite at 0 (0 * inf = nan); PyTorch's std gradient there is 0.
        return var.masked_fill(zero, 1.0).sqrt().masked_fill(zero, 0.0)

    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        """Largest value over dim (all by default); ties share the gradient evenly."""
        return rd.Amax.apply(self, axes=_nonempty_dims(self, dim, "amax"), keepdim=keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        """Smallest value over dim (all by default); ties share the gradient evenly."""
        return rd.Amin.apply(self, axes=_nonempty_dims(self, dim, "amin"), keepdim=keepdim)

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        """max() of all elements, max(dim) -> (values, indices), or max(other) elementwise."""
        if isinstance(dim, node.Tensor):
            return self.maximum(dim)
        if dim is None:
            return rd.Amax.apply(self, axes=_nonempty_dims(self, None, "max"), keepdim=False)
        return _values_indices(self, dim, keepdim, np.argmax, "max")

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        """min() of all elements, min(dim) -> (values, indices), or min(other) elementwise."""
        if isinstance(dim, node.Tensor):
            return self.minimum(dim)
        if dim is None:
            return rd.Amin.apply(self, axes=_nonempty_dims(self, None, "min"), keepdim=False)
        return _values_indices(self, dim, keepdim, np.argmin, "min")

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Index of the largest value (of the flattened tensor when dim is None)."""
        return _arg_reduce(self, dim, keepdim, np.argmax, "argmax")

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Index of the smallest value (of the flattened tensor when dim is None)."""
        return _arg_reduce(self, dim, keepdim, np.argmin, "argmin")

    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor:
        """log(sum(exp(self))) over dim, computed without overflow."""
        # dim=() is every dim, as for sum (PyTorch 2.13's kernel crashes on it without keepdim:
        # docs/differences.md)
        axes = reduce_dims(dim, self.ndim, "logsumexp")
        return rd.LogSumExp.apply(self._floating(), axes=axes, keepdim=keepdim)

    def prod(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Product over dim (all elements by default); exact gradients with zeros present."""
        return rd.Prod.apply(self, axes=reduce_dims(dim, self.ndim, "prod"), keepdim=keepdim)

    def norm(self, p: Any = 2, dim: Any = None, keepdim: bool = False) -> Tensor:
        """Vector p-norm over dim (all elements by default): p = 0 (count), 1, 2, inf, any."""
        self._float_only("norm", RuntimeError)
        if p == 0:
            return (self != 0).to(self.dtype).sum(dim, keepdim=keepdim)
        if p == float("inf"):
            return self.abs().amax(dim if dim is not None else (), keepdim=keepdim)
        if p == 1:
            return self.abs().sum(dim, keepdim=keepdim)
        two = p in ("fro", 2)
        total = (self * self if two else self.abs() ** p).sum(dim, keepdim=keepdim)
        zero = total.data == 0
        if not zero.any():
            return total.sqrt() if two else total ** (1.0 / p)
        # The root's slope is infinite at 0 (0 * inf = nan); PyTorch's gradient there is 0.
        safe = total.masked_fill(zero, 1.0)
        return (safe.sqrt() if two else safe ** (1.0 / p)).masked_fill(zero, 0.0)

    def softmax(self, dim: int, dtype: Any = None) -> Tensor:
        """exp(self) / sum(exp(self)) along dim, computed stably."""
        x = self.to(dtype) if dtype is not None else self._float_only("softmax")
        return rd.Softmax.apply(x, dim=normalize_dims(dim, self.ndim, "softmax")[0])

    def log_softmax(self, dim: int, dtype: Any = None) -> Tensor:
        """log(softmax(self, dim)), computed stably."""
        x = self.to(dtype) if dtype is not None else self._float_only("log_softmax")
        return rd.LogSoftmax.apply(x, dim=normalize_dims(dim, self.ndim, "log_softmax")[0])

    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """True where every element over dim is non-zero (uint8 in, uint8 out, as PyTorch)."""
        return _logical_reduce(self, np.all, dim, keepdim, "all")

    def any(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """True where some element over dim is non-zero (uint8 in, uint8 out, as PyTorch)."""
        return _logical_reduce(self, np.any, dim, keepdim, "any")


def _logical_reduce(t: Tensor, fn: Callable, dim: Any, keepdim: bool, op: str) -> Tensor:
    axes = reduce_dims(dim, t.ndim, op, empty_is_all=False)
    out = np.asarray(fn(t.data, axis=axes, keepdims=keepdim))
    return constant(out.astype(np.uint8) if t.data.dtype == np.uint8 else out)


def _nonempty_dims(t: Tensor, dim: Any, op: str) -> tuple | None:
    axes = reduce_dims(dim, t.ndim, op)
    reduced = t.data.shape if axes is None else [t.data.shape[a] for a in axes]
    if 0 in reduced:
        raise IndexError(f"{op}: cannot reduce over a zero-size dimension (shape {tuple(t.shape)})")
    return axes


def _arg_reduce(t: Tensor, dim: Any, keepdim: bool, fn: Callable, op: str) -> Tensor:
    if dim is None and t.data.size == 0:
        raise RuntimeError(f"{op}: Expected reduction dim to be specified for input.numel() "
                           f"== 0 (shape {tuple(t.shape)})")
    if dim is not None and t.ndim and t.data.shape[normalize_dims(dim, t.ndim, op)[0]] == 0:
        raise IndexError(f"{op}: Expected reduction dim {dim} to have non-zero size (shape "
                         f"{tuple(t.shape)})")
    if dim is None:
        out = np.asarray(fn(t.data), dtype=np.int64)
        return constant(out.reshape((1,) * t.ndim) if keepdim else out)
    d = normalize_dims(dim, t.ndim, op)[0]
    return constant(np.asarray(fn(t.data, axis=d, keepdims=keepdim), dtype=np.int64))


def _values_indices(t: Tensor, dim: Any, keepdim: bool, fn: Callable, op: str) -> Any:
    d = normalize_dims(dim, t.ndim, op)[0]
    if t.data.shape and t.data.shape[d] == 0:
        raise IndexError(f"{op}: cannot reduce over a zero-size dimension (shape {tuple(t.shape)})")
    idx = np.asarray(fn(t.data, axis=d, keepdims=True), dtype=np.int64)
    values = t.gather(d, constant(idx)) if t.ndim else t.clone()
    if not keepdim and t.ndim:
        values, idx = values.squeeze(d), np.squeeze(idx, axis=d)
    return return_types(op)(values, constant(idx))
