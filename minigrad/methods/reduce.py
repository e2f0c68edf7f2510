"""Tensor methods for reductions (`minigrad/ops/reduce.py`): sum, mean, var/std, max/min and
their arg forms, logsumexp, prod, norm, softmax, all/any; `dim=` and `keepdim=` as PyTorch."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad.autograd import node
from minigrad.autograd.grad_mode import is_grad_enabled
from minigrad.autograd.node import constant
from minigrad.ops import reduce as rd
from minigrad.ops.reduce import NO_DIM, normalize_dims, omitted_dim, reduce_dims
from minigrad.return_types import return_types

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


class ReduceMethods:
    """Mixin of `Tensor`: the reductions."""

    __slots__ = ()

    def sum(self, dim: Any = NO_DIM, keepdim: Any = None, dtype: Any = None) -> Tensor:
        """Sum over dim (all elements by default)."""
        dim = omitted_dim(dim, "sum", keepdim)
        x = reduce_dtype(self, dtype, "sum")
        return rd.Sum.apply(x, axes=reduce_dims(dim, self.ndim, "sum"), keepdim=bool(keepdim),
                            exact=dtype is not None)

    def mean(self, dim: Any = NO_DIM, keepdim: Any = None, dtype: Any = None) -> Tensor:
        """Mean over dim (all elements by default); floating point only."""
        dim = omitted_dim(dim, "mean", keepdim)
        x = self.to(dtype) if dtype is not None else self
        if x.data.dtype.kind != "f":
            raise RuntimeError(
                f"mean: could not infer output dtype. Input dtype must be floating point, "
                f"got {x.dtype}"
            )
        return rd.Mean.apply(x, axes=reduce_dims(dim, self.ndim, "mean"), keepdim=bool(keepdim))

    def var(self, dim: Any = NO_DIM, unbiased: Any = None, keepdim: Any = None, *,
            correction: Any = None) -> Tensor:
        """Variance with Bessel's correction by default (`correction=1`), as PyTorch."""
        return _var(self, dim, unbiased, keepdim, correction, "var")

    def std(self, dim: Any = NO_DIM, unbiased: Any = None, keepdim: Any = None, *,
            correction: Any = None) -> Tensor:
        """Standard deviation: sqrt of `var` with the same arguments (gradient 0 where it is 0)."""
        return _var(self, dim, unbiased, keepdim, correction, "std")

    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        """Largest value over dim (all by default); ties share the gradient evenly."""
        return rd.Amax.apply(self, axes=_nonempty_dims(self, dim, "amax"), keepdim=keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        """Smallest value over dim (all by default); ties share the gradient evenly."""
        return rd.Amin.apply(self, axes=_nonempty_dims(self, dim, "amin"), keepdim=keepdim)

    def max(self, dim: Any = NO_DIM, keepdim: Any = None) -> Any:
        """max() of all elements, max(dim) -> (values, indices), or max(other) elementwise."""
        if isinstance(dim, node.Tensor):
            return self.maximum(dim)
        if omitted_dim(dim, "max", keepdim) is None:
            return rd.Amax.apply(self, axes=_nonempty_dims(self, None, "max"), keepdim=False,
                                 nan_ties=True)
        return _values_indices(self, dim, bool(keepdim), np.argmax, "max")

    def min(self, dim: Any = NO_DIM, keepdim: Any = None) -> Any:
        """min() of all elements, min(dim) -> (values, indices), or min(other) elementwise."""
        if isinstance(dim, node.Tensor):
            return self.minimum(dim)
        if omitted_dim(dim, "min", keepdim) is None:
            return rd.Amin.apply(self, axes=_nonempty_dims(self, None, "min"), keepdim=False,
                                 nan_ties=True)
        return _values_indices(self, dim, bool(keepdim), np.argmin, "min")

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
        if dim is None:
            raise TypeError("logsumexp(): argument 'dim' must be tuple of ints, not NoneType")
        axes = reduce_dims(dim, self.ndim, "logsumexp")
        return rd.LogSumExp.apply(self._floating(), axes=axes, keepdim=keepdim)

    def prod(self, dim: Any = NO_DIM, keepdim: Any = None, dtype: Any = None) -> Tensor:
        """Product over dim (all elements by default); exact gradients with zeros present."""
        dim = omitted_dim(dim, "prod", keepdim)
        if dim is not None and not isinstance(dim, (int, np.integer)):
            raise TypeError(f"prod(): argument 'dim' must be int, not {type(dim).__name__}")
        x = reduce_dtype(self, dtype, "prod")
        return rd.Prod.apply(x, axes=reduce_dims(dim, self.ndim, "prod"), keepdim=bool(keepdim),
                             exact=dtype is not None)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False,
             dtype: Any = None) -> Tensor:
        """Vector p-norm over dim (all elements by default): p = 0 (count), 1, 2, +-inf, any."""
        x = self.to(dtype) if dtype is not None else self
        x._float_only("norm", RuntimeError)
        if isinstance(p, str):
            dims = () if dim is None else (dim,) if isinstance(dim, int) else tuple(dim)
            if p != "fro" or len(dims) > 2:
                raise RuntimeError(f"norm: the matrix norm p={p!r} needs a 2-tuple dim (got dim "
                                   f"{dim} for shape {tuple(self.shape)}); only 'fro' is "
                                   f"supported")
            p = 2
        p = float(p)
        axes = reduce_dims(dim, self.ndim, "norm")
        if p < 0 or p == float("inf"):
            reduced = self.data.shape if axes is None else [self.data.shape[a] for a in axes]
            if 0 in reduced:
                raise RuntimeError(f"norm: cannot compute the {p:g} norm over an empty dim "
                                   f"(dim {dim}, shape {tuple(self.shape)}): it has no identity")
        return rd.VectorNorm.apply(x, p=p, axes=axes, keepdim=keepdim)

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


def _var(t: Tensor, dim: Any, unbiased: Any, keepdim: Any, correction: Any, op: str) -> Tensor:
    if isinstance(dim, bool):  # var(unbiased) positional form
        dim, unbiased = NO_DIM, dim
    dim = omitted_dim(dim, op, keepdim, unbiased=unbiased)
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    t._float_only(op, RuntimeError)
    return rd.Var.apply(t, axes=reduce_dims(dim, t.ndim, op), keepdim=bool(keepdim),
                        correction=correction, root=op == "std")


def reduce_dtype(t: Tensor, dtype: Any, op: str) -> Tensor:
    """t cast to a reduction's dtype= (no cast without one); an integer result of a tensor that
    requires grad raises, as in PyTorch."""
    if dtype is None:
        return t
    x = t.to(dtype)
    if x.data.dtype.kind != "f" and t.requires_grad and is_grad_enabled():
        raise RuntimeError(f"{op}: autograd does not support the dtype {x.dtype} for an input "
                           f"that requires grad (shape {tuple(t.shape)})")
    return x


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
    if t.data.dtype == np.bool_:
        raise RuntimeError(f"{op}(): does not support bool input (shape {tuple(t.shape)})")
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
