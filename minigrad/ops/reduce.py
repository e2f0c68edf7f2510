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


class _NoDim:
    """The default of `dim` where PyTorch's signature has no dim at all (sum(), max(), ...)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<no dim>"


NO_DIM = _NoDim()


def omitted_dim(dim, op: str, keepdim=None, **given) -> object:
    """dim, or None where it was omitted; PyTorch's overloads without dim take no keepdim (nor,
    for var/std, unbiased with keepdim), so those raise TypeError as its argument parser does."""
    if dim is not NO_DIM:
        return dim
    extra = [k for k, v in given.items() if v is not None]
    if keepdim is not None and (extra or op not in ("var", "std")):
        names = ", ".join(["keepdim", *extra])
        raise TypeError(f"{op}(): received an invalid combination of arguments: {names} "
                        f"without dim (pass dim=None to reduce over every dim)")
    return None


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

    def forward(self, x, axes, keepdim, exact=False):
        self.shape, self.axes, self.keepdim = x.shape, axes, keepdim
        if not exact and (x.dtype.kind in "bu" or (x.dtype.kind == "i" and x.dtype != np.int64)):
            # torch sums bool and small int types to int64 (unless dtype= names the result)
            return np.sum(x, axis=axes, keepdims=keepdim, dtype=np.int64)
        return np.add.reduce(x, axis=axes, keepdims=keepdim, dtype=x.dtype)  # no np.sum overhead

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
    """max over axes;  the gradient is shared evenly among the maxima (as torch.amax; max()
    with `nan_ties` counts NaN inputs as ties of a NaN result, as torch.max())."""

    def forward(self, x, axes, keepdim, nan_ties=False):
        self.keep_inputs(0)
        self.keep_output()
        self.axes, self.keepdim, self.nan_ties = axes, keepdim, nan_ties
        return np.asarray(np.max(x, axis=axes, keepdims=keepdim))

    def backward(self, grad):
        return (_even_split(self, grad),)


class Amin(Op):
    """min over axes;  the gradient is shared evenly among the minima (as torch.amin; min()
    with `nan_ties` as torch.min())."""

    def forward(self, x, axes, keepdim, nan_ties=False):
        self.keep_inputs(0)
        self.keep_output()
        self.axes, self.keepdim, self.nan_ties = axes, keepdim, nan_ties
        return np.asarray(np.min(x, axis=axes, keepdims=keepdim))

    def backward(self, grad):
        return (_even_split(self, grad),)


def _even_split(fn, grad):
    (x,) = fn.saved_inputs
    kshape = keepdim_shape(x.shape, fn.axes)
    best = fn.saved_output.data.reshape(kshape)
    hits = x.data == best
    if fn.nan_ties:
        hits |= np.isnan(x.data) & np.isnan(best)
    hits = hits.astype(grad.data.dtype)
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

    def forward(self, x, axes, keepdim, exact=False):
        self.keep_inputs(0)
        self.keep_output()
        self.axes, self.keepdim = axes, keepdim
        # torch multiplies bool and integer types in int64 (unless dtype= names the result)
        acc = np.int64 if x.dtype.kind in "biu" and not exact else x.dtype
        return np.asarray(np.prod(x, axis=axes, keepdims=keepdim, dtype=acc))

    def backward(self, grad):
        (x,) = self.saved_inputs
        if x.ndim == 0:  # the product of no other elements is 1 (also at inf and nan)
            return (grad.reshape(()),)
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
    moved = x.permute(tuple(rest + list(axes)))
    lead = tuple(moved.shape[: len(rest)])
    n = math.prod(moved.shape[len(rest) :])
    rows = moved.reshape(lead + (1, n)).expand(lead + (n, n))
    others = rows.masked_fill(np.eye(n, dtype=bool), 1.0).prod(-1).reshape(moved.shape)
    return others.permute(tuple(np.argsort(rest + list(axes)).tolist()))


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


def _count(shape: tuple, axes) -> int:
    return math.prod(shape) if axes is None else math.prod(shape[a] for a in axes)


class Var(Op):
    """v = sum((x - mean)^2) / max(0, n - correction) over axes;  d/dx = 2 (x - mean) / that
    divisor (one closed form, so a zero divisor gives +-inf, not inf - inf). With `root`, the
    std sqrt(v) (taken before rounding to x's dtype);  d/dx = (x - mean) / (divisor * std),
    0 where std is 0."""

    def forward(self, x, axes, keepdim, correction, root=False):
        self.keep_inputs(0)
        self.axes, self.keepdim, self.root = axes, keepdim, root
        self.divisor = max(0, _count(x.shape, axes) - correction)
        acc = x.astype(np.float64)  # float32 squares overflow where torch's accumulator does not
        with np.errstate(divide="ignore", invalid="ignore"):
            centered = acc - np.mean(acc, axis=axes, keepdims=True)
            out = np.sum(centered * centered, axis=axes, keepdims=keepdim) / self.divisor
        if root:
            out = np.sqrt(out)
            self.keep_output()
        return np.asarray(out, dtype=x.dtype)

    def backward(self, grad):
        (x,) = self.saved_inputs
        with np.errstate(divide="ignore"):
            scale = np.divide(1.0 if self.root else 2.0, self.divisor, dtype=np.float64)
        centered = x - x.mean(dim=self.axes, keepdim=True)
        g = _spread(grad, x.shape, self.axes, self.keepdim)
        if not self.root:
            return (g * centered * float(scale),)
        std = self.saved_output.reshape(keepdim_shape(x.shape, self.axes)).expand(x.shape)
        zero = std.data == 0  # PyTorch's std gradient is 0 where std is 0
        return ((g * centered * float(scale) / std.masked_fill(zero, 1.0)).masked_fill(zero, 0.0),)


class VectorNorm(Op):
    """(sum |x|^p)^(1/p) over axes (p = 0 counts non-zeros, +-inf is max/min |x|);
    d/dx = sgn(x) |x|^(p-1) / norm^(p-1), 0 where the norm is 0 (p >= 1) or x is 0 (p < 1);
    for +-inf the gradient is shared by the elements at the extreme (and NaNs)."""

    def forward(self, x, p, axes, keepdim):
        self.keep_inputs(0)
        self.keep_output()
        self.p, self.axes, self.keepdim = p, axes, keepdim
        a = np.abs(x)
        with np.errstate(divide="ignore", over="ignore"):
            if p == 0:
                return np.asarray(np.sum(x != 0, axis=axes, keepdims=keepdim, dtype=x.dtype))
            if math.isinf(p):
                pick = np.max if p > 0 else np.min
                return np.asarray(pick(a, axis=axes, keepdims=keepdim))
            if p == 1 or _count(x.shape, axes) == 1:  # one element: |x|, never squared
                return np.asarray(np.sum(a, axis=axes, keepdims=keepdim))
            if p == 2:
                return np.asarray(np.sqrt(np.sum(a * a, axis=axes, keepdims=keepdim)))
            total = np.sum(a ** x.dtype.type(p), axis=axes, keepdims=keepdim)
            return np.asarray(total ** x.dtype.type(1.0 / p))

    def backward(self, grad):
        (x,) = self.saved_inputs
        p = self.p
        g = _spread(grad, x.shape, self.axes, self.keepdim)
        if p == 0:
            return (g * 0.0,)
        sgn = constant(np.nan_to_num(np.sign(x.data), nan=0.0))  # PyTorch's sgn(nan) is 0
        if p == 1:
            return (g * sgn,)
        norm = self.saved_output.reshape(keepdim_shape(x.shape, self.axes)).expand(x.shape)
        a = x.abs()
        if math.isinf(p):
            hits = (a.data == norm.data) | np.isnan(a.data)
            count = hits.sum(axis=self.axes, keepdims=True)
            with np.errstate(divide="ignore", invalid="ignore"):
                share = np.where(hits, 1.0 / count, 0.0).astype(x.data.dtype)
            return (g * sgn * constant(share),)
        zero_norm = norm.data == 0
        if p == 2:
            return (g * (x / norm).masked_fill(zero_norm, 0.0),)
        if p < 1:
            scaled = (sgn * a ** (p - 1)).masked_fill(x.data == 0, 0.0)
            return (scaled * g * norm ** (1 - p),)
        scaled = sgn * a ** (p - 1) if p < 2 else x * a ** (p - 2)
        return (scaled * (g / norm ** (p - 1)).masked_fill(zero_norm, 0.0),)
