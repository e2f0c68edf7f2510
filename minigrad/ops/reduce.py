"""Reductions and the softmax family. Backward re-inserts the reduced axes (keepdim shape) and
lets expand/broadcasting spread the gradient back over them."""

from __future__ import annotations

import math

import numpy as np

from minigrad.autograd.grad_mode import is_grad_enabled
from minigrad.autograd.node import Op, constant


def normalize_dims(dim, ndim: int, op: str, empty_is_all: bool = True) -> tuple | None:
    """`dim` (None, int or sequence) as a sorted tuple of non-negative axes, or None for all.
    An empty sequence means all dims for the reductions that PyTorch lets it (sum, mean, amax,
    ...) and no dim at all for the others (flip, squeeze, all, any: `empty_is_all=False`)."""
    if dim is None:
        return None
    if type(dim) is int and 0 <= dim < ndim:
        return (dim,)
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    if len(dims) == 0:
        return None if empty_is_all else ()
    out = []
    for d in dims:
        d = int(d)
        lo, hi = (-ndim, ndim - 1) if ndim else (-1, 0)
        if not lo <= d <= hi:
            raise IndexError(
                f"{op}: dimension out of range (expected to be in range of [{lo}, {hi}], "
                f"but got {d})"
            )
        out.append(d % ndim if ndim else 0)
    if len(set(out)) != len(out):
        raise RuntimeError(f"{op}: dim {dims} appears multiple times in the list of dims")
    return tuple(sorted(out))


def reduce_dims(dim, ndim: int, op: str, empty_is_all: bool = True) -> tuple | None:
    """normalize_dims for reductions: on a 0-d tensor, dim 0 (or -1) is the whole tensor."""
    axes = normalize_dims(dim, ndim, op, empty_is_all)
    return axes if ndim or axes == () else None


def keepdim_shape(shape: tuple, axes: tuple | None) -> tuple:
    """The input shape with every reduced axis set to 1."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _spread(grad, shape, axes, keepdim):
    """Broadcast a reduced gradient back over the input's shape."""
    if not keepdim:
        grad = grad.reshape(keepdim_shape(shape, axes))
    return grad.expand(shape)


class Sum(Op):
    """sum over axes;  d/dx = 1 spread over the reduced axes."""

    def forward(self, x, axes, keepdim):
        self.shape, self.axes, self.keepdim = x.shape, axes, keepdim
        if x.dtype.kind in "bu" or (x.dtype.kind == "i" and x.dtype != np.int64):
            # torch sums bool and small int types to int64
            return np.sum(x, axis=axes, keepdims=keepdim, dtype=np.int64)
        return np.asarray(np.add.reduce(x, axis=axes, keepdims=keepdim))

    def backward(self, grad):
        return (_spread(grad, self.shape, self.axes, self.keepdim),)


class Mean(Op):
    """mean over axes;  d/dx = 1/n spread over the reduced axes."""

    def forward(self, x, axes, keepdim):
        self.shape, self.axes, self.keepdim = x.shape, axes, keepdim
        self.count = x.size if axes is None else math.prod(x.shape[a] for a in axes)
        if x.dtype == np.float16:  # NumPy accumulates half precision in float32
            return np.asarray(np.mean(x, axis=axes, keepdims=keepdim))
        # sum / n, as np.mean computes it, without np.mean's Python-level overhead
        return np.asarray(np.add.reduce(x, axis=axes, keepdims=keepdim) / self.count)

    def backward(self, grad):
        return (_spread(grad / float(self.count), self.shape, self.axes, self.keepdim),)


class Amax(Op):
    """max over axes;  the gradient is shared evenly among the maxima (as torch.amax)."""

    def forward(self, x, axes, keepdim):
        self.keep_inputs(0)
        self.keep_output()
        self.axes, self.keepdim = axes, keepdim
        return np.asarray(np.max(x, axis=axes, keepdims=keepdim))

    def backward(self, grad):
        return (_even_split(self, grad),)


class Amin(Op):
    """min over axes;  the gradient is shared evenly among the minima (as torch.amin)."""

    def forward(self, x, axes, keepdim):
        self.keep_inputs(0)
        self.keep_output()
        self.axes, self.keepdim = axes, keepdim
        return np.asarray(np.min(x, axis=axes, keepdims=keepdim))

    def backward(self, grad):
        return (_even_split(self, grad),)


def _even_split(fn, grad):
    (x,) = fn.saved_inputs
    kshape = keepdim_shape(x.shape, fn.axes)
    best = fn.saved_output.data.reshape(kshape)
    hits = (x.data == best).astype(grad.data.dtype)
    hits /= hits.sum(axis=fn.axes, keepdims=True)
    return _spread(grad, x.shape, fn.axes, fn.keepdim) * constant(hits)


class LogSumExp(Op):
    """log sum exp over axes, shifted by the max for stability;  d/dx = softmax(x)."""

    def forward(self, x, axes, keepdim):
        self.keep_inputs(0)
        self.keep_output()
        self.axes, self.keepdim = axes, keepdim
        m = np.max(x, axis=axes, keepdims=True, initial=-np.inf)  # -inf over a size-0 dim
        m = np.where(np.isfinite(m), m, 0)
        with np.errstate(divide="ignore"):
            out = np.log(np.sum(np.exp(x - m), axis=axes, keepdims=True)) + m
        return out if keepdim else np.squeeze(out, axis=axes)

    def backward(self, grad):
        (x,) = self.saved_inputs
        kshape = keepdim_shape(x.shape, self.axes)
        out = self.saved_output.reshape(kshape)
        return (_spread(grad, x.shape, self.axes, self.keepdim) * (x - out).exp(),)


class Prod(Op):
    """product over axes;  d/dx_i = product of the other elements (exact with zeros too)."""

    def forward(self, x, axes, keepdim):
        self.keep_inputs(0)
        self.keep_output()
        self.axes, self.keepdim = axes, keepdim
        return np.asarray(np.prod(x, axis=axes, keepdims=keepdim))

    def backward(self, grad):
        (x,) = self.saved_inputs
        spread = _spread(grad, x.shape, self.axes, self.keepdim)
        if not np.any(x.data == 0):
            out = self.saved_output.reshape(keepdim_shape(x.shape, self.axes))
            return (spread * out / x,)
        if is_grad_enabled():  # create_graph: the same product, recorded so it differentiates
            return (spread * _product_of_others_recorded(x, self.axes),)
        # With zeros, divide-free: product of the others = exclusive prefix * suffix products.
        return (spread * constant(_product_of_others(x.data, self.axes)),)


def _product_of_others_recorded(x, axes):
    """Product of the other elements with Tensor ops, for gradients of gradients: each reduced
    slice of n elements becomes an (n, n) matrix with ones on the diagonal, reduced by prod."""
    axes = tuple(range(x.ndim)) if axes is None else axes
    rest = [i for i in range(x.ndim) if i not in axes]
    moved = x.permute(*(rest + list(axes)))
    lead = tuple(moved.shape[: len(rest)])
    n = math.prod(moved.shape[len(rest) :])
    rows = moved.reshape(lead + (1, n)).expand(lead + (n, n))
    others = rows.masked_fill(np.eye(n, dtype=bool), 1.0).prod(-1).reshape(moved.shape)
    return others.permute(*np.argsort(rest + list(axes)).tolist())


def _product_of_others(x: np.ndarray, axes) -> np.ndarray:
    axes = tuple(range(x.ndim)) if axes is None else axes
    rest = [i for i in range(x.ndim) if i not in axes]
    moved = np.transpose(x, rest + list(axes))
    flat = moved.reshape(moved.shape[: len(rest)] + (-1,))
    ones = np.ones(flat.shape[:-1] + (1,), dtype=x.dtype)
    before = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    after = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    others = (before * after).reshape(moved.shape)
    return np.transpose(others, np.argsort(rest + list(axes)))


class Softmax(Op):
    """softmax along dim;  d/dx: y * (g - sum(g * y)) with y the kept output."""

    def forward(self, x, dim):
        self.keep_output()
        self.dim = dim
        e = np.exp(x - np.max(x, axis=dim, keepdims=True, initial=-np.inf))
        return e / np.sum(e, axis=dim, keepdims=True)

    def backward(self, grad):
        y = self.saved_output
        return (y * (grad - (grad * y).sum(dim=self.dim, keepdim=True)),)


class LogSoftmax(Op):
    """log softmax along dim;  d/dx: g - softmax(x) * sum(g)."""

    def forward(self, x, dim):
        self.keep_output()
        self.dim = dim
        shifted = x - np.max(x, axis=dim, keepdims=True, initial=-np.inf)
        with np.errstate(divide="ignore"):  # log(0) over a size-0 dim: nothing is returned
            return shifted - np.log(np.sum(np.exp(shifted), axis=dim, keepdims=True))

    def backward(self, grad):
        y = self.saved_output
        return (grad - y.exp() * grad.sum(dim=self.dim, keepdim=True),)
