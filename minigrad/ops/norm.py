"""Fused normalisation and embedding kernels. One `Normalize` op serves batch, layer, group and
RMS norm: forward is a few NumPy passes instead of ~10 recorded ops, and backward is the
closed-form formula (NumPy when only first derivatives are wanted; the same formula in Tensor
ops, statistics recomputed from x, under `create_graph=True`, so it differentiates again).

Every norm is expressed on a *view* of x in which the statistics reduce over `axes` and the
affine parameters broadcast with shape `pview`:

    batch norm  (N, C, *)  view (N, C, S)            axes (0, 2)  pview (1, C, 1)
    layer norm  (*, D...)  view (M, D)               axes (1,)    pview (1, D)
    group norm  (N, C, *)  view (N, G, C // G, S)    axes (2, 3)  pview (1, G, C // G, 1)
    RMS norm    (*, D...)  view (M, D)               axes (1,)    pview (1, D), no centring

Reductions stay in the input's dtype but are summed with care (BLAS row dot products, sqrt(n)
blocks along the batch axis), so float32 statistics and parameter gradients are as accurate
as PyTorch's (which accumulates in double on the CPU) or more.
"""

from __future__ import annotations

import math

import numpy as np

from minigrad.autograd.node import Op, constant
from minigrad.autograd.grad_mode import is_grad_enabled


def _trailing(axes: tuple, ndim: int) -> bool:
    return axes == tuple(range(ndim - len(axes), ndim))


def sum_over(a: np.ndarray, axes: tuple) -> np.ndarray:
    """np.sum over axes, the leading (batch) axis summed in sqrt(n) blocks: NumPy adds rows one
    by one along a non-contiguous axis, so a float32 parameter gradient summed over 4096 rows
    lost ~1e-6 (7x more than this, at the same cost)."""
    n = a.shape[0] if a.ndim else 0
    if 0 not in axes or n < 64:
        return np.sum(a, axis=axes)
    block = math.isqrt(n)
    whole = n - n % block
    total = a[:whole].reshape((whole // block, block) + a.shape[1:]).sum(axis=1).sum(axis=0)
    if whole < n:
        total += a[whole:].sum(axis=0)
    rest = tuple(i - 1 for i in axes if i != 0)
    return np.sum(total, axis=rest) if rest else total


def mean_over(a: np.ndarray, axes: tuple) -> np.ndarray:
    """mean over axes kept as size-1 dims, summed as `sum_over` does."""
    count = math.prod(a.shape[i] for i in axes)
    shape = tuple(1 if i in axes else n for i, n in enumerate(a.shape))
    return (sum_over(a, axes) / count).reshape(shape) if count else np.full(shape, np.nan,
                                                                           a.dtype)


def mean_of_products(a: np.ndarray, b: np.ndarray, axes: tuple) -> np.ndarray:
    """mean(a * b) over axes, kept as size-1 dims. Over trailing axes: one batched dot product
    per row (BLAS; no temporary, 3x faster than mean(a * b) and as accurate in float32, where
    einsum's running sums lose digits on long rows)."""
    lead = a.shape[: a.ndim - len(axes)]
    n = a.size // max(1, math.prod(lead))
    if not _trailing(axes, a.ndim) or n == 0:
        return mean_over(a * b, axes)
    rows_a, rows_b = a.reshape(lead + (1, n)), b.reshape(lead + (n, 1))
    return np.matmul(rows_a, rows_b).reshape(lead + (1,) * len(axes)) / n


def moments(x: np.ndarray, axes: tuple, center: bool = True) -> tuple:
    """(mean, biased variance) over axes, kept as size-1 dims; (None, mean of squares) when
    not centring (RMS norm). Two passes in x's dtype (mean, then the centred squares)."""
    if not center:
        return None, mean_of_products(x, x, axes)
    mean = mean_over(x, axes)
    centred = x - mean
    return mean, mean_of_products(centred, centred, axes)


class Normalize(Op):
    """y = (x - mean) * rstd * w + b, rstd = 1/sqrt(var + eps), stats over `axes` of the view;
    d/dx = rstd * (g w - mean(g w) - xhat * mean(g w xhat)),  d/dw = sum(g xhat),  d/db = sum(g)
    (d/dx = g w rstd when the statistics are fixed: batch norm in eval mode)."""

    def forward(self, x, *params, view, axes, pview, eps, center=True, affine=(False, False),
                stats=None, fixed=False):
        self.keep_inputs(*range(1 + affine[0]))  # x, and the weight when there is one
        self.view, self.axes, self.pview, self.eps = view, axes, pview, eps
        self.center, self.affine, self.fixed = center, affine, fixed
        xs = x.reshape(view)
        if stats is None:
            mean = mean_over(xs, axes) if center else None
        else:
            mean, var = stats
        y = xs - mean if center else xs.copy()  # the output buffer; the rest is in place
        if stats is None:
            var = mean_of_products(y, y, axes)
        rstd = 1 / np.sqrt(var + eps)
        self.mean, self.rstd = mean, rstd
        w = params[0].reshape(pview) if affine[0] else None
        if w is not None and 4 * math.prod(np.broadcast_shapes(rstd.shape, w.shape)) <= y.size:
            y *= rstd * w  # batch and group norm: one small per-channel scale, one full pass
        else:
            y *= rstd
            if w is not None:
                y *= w
        if affine[1]:
            y += params[-1].reshape(pview)
        return y.reshape(x.shape)

    def _param_axes(self) -> tuple:
        return tuple(i for i, n in enumerate(self.pview) if n == 1)

    def backward(self, grad):
        saved = self.saved_inputs
        x, w = saved[0], (saved[1] if self.affine[0] else None)
        if is_grad_enabled():
            return self._backward_recorded(grad, x, w)
        needs = self.needs_input_grad
        g, xs = grad.data.reshape(self.view), x.data.reshape(self.view)
        paxes = self._param_axes()
        dw = db = xhat = None  # parameter gradients first: the input gradient reuses xhat
        if (self.affine[0] and needs[1]) or (needs[0] and not self.fixed):
            xhat = xs - self.mean if self.center else xs.copy()
            xhat *= self.rstd
        if self.affine[0] and needs[1]:
            dw = constant(sum_over(g * xhat, paxes).reshape(w.shape))
        if self.affine[1] and needs[-1]:
            db = constant(sum_over(g, paxes).reshape(self.input_shapes[-1]))
        dx = None
        if needs[0]:
            gw = g * w.data.reshape(self.pview) if w is not None else g
            dx = constant(self._input_grad(gw, xhat).reshape(x.shape))
        return (dx,) + ((dw,) if self.affine[0] else ()) + ((db,) if self.affine[1] else ())

    def _input_grad(self, gw: np.ndarray, xhat: np.ndarray) -> np.ndarray:
        """rstd * (gw - mean(gw) - xhat * mean(gw xhat)), overwriting xhat."""
        if self.fixed:
            return gw * self.rstd
        xhat *= mean_of_products(gw, xhat, self.axes)
        dx = gw - xhat
        if self.center:
            dx -= mean_over(gw, self.axes)
        dx *= self.rstd
        return dx

    def _backward_recorded(self, grad, x, w):
        """The same formulas in Tensor ops, the statistics recomputed from x so that they are
        differentiated too (gradients of gradients)."""
        axes, needs = self.axes, self.needs_input_grad
        g = grad.reshape(self.view)
        xs = x.reshape(self.view)
        if self.fixed:
            rstd = constant(self.rstd)
            xhat = (xs - constant(self.mean)) * rstd
        elif self.center:
            xc = xs - xs.mean(dim=axes, keepdim=True)
            rstd = ((xc * xc).mean(dim=axes, keepdim=True) + self.eps).rsqrt()
            xhat = xc * rstd
        else:
            rstd = ((xs * xs).mean(dim=axes, keepdim=True) + self.eps).rsqrt()
            xhat = xs * rstd
        paxes = self._param_axes()
        out = [None]
        if needs[0]:
            gw = g * w.reshape(self.pview) if w is not None else g
            if self.fixed:
                dx = gw * rstd
            else:
                inner = gw - xhat * (gw * xhat).mean(dim=axes, keepdim=True)
                if self.center:
                    inner = inner - gw.mean(dim=axes, keepdim=True)
                dx = inner * rstd
            out[0] = dx.reshape(x.shape)
        if self.affine[0]:
            out.append((g * xhat).sum(dim=paxes).reshape(w.shape) if needs[1] else None)
        if self.affine[1]:
            out.append(g.sum(dim=paxes).reshape(self.input_shapes[-1]) if needs[-1] else None)
        return tuple(out)


# -- embeddings --------------------------------------------------------------------------------
def _row_counts(flat: np.ndarray) -> np.ndarray:
    """How often each entry's index occurs in the batch (for scale_grad_by_freq)."""
    _, inverse, counts = np.unique(flat, return_inverse=True, return_counts=True)
    return counts[inverse.reshape(-1)]


class Embedding(Op):
    """out = weight[indices] (whole rows);  d/dweight = the gradient rows added back at their
    indices (EmbeddingBackward). With `adjoint` (the double-backward form) the rows at
    padding_idx are zeroed and each row is divided by its index's count under scale_by_freq."""

    def forward(self, weight, indices, padding_idx=None, scale_by_freq=False, adjoint=False):
        self.indices, self.num = indices, weight.shape[0]
        self.padding_idx, self.scale_by_freq = padding_idx, scale_by_freq
        out = np.take(weight, indices, axis=0)
        if adjoint:
            flat = indices.reshape(-1)
            rows = out.reshape(-1, weight.shape[1])
            if scale_by_freq:
                rows /= _row_counts(flat).astype(out.dtype)[:, None]
            if padding_idx is not None:
                rows[flat == padding_idx] = 0
        return out

    def backward(self, grad):
        return (EmbeddingBackward.apply(grad, indices=self.indices, num=self.num,
                                        padding_idx=self.padding_idx,
                                        scale_by_freq=self.scale_by_freq),)


class EmbeddingBackward(Op):
    """zeros(num, D) with row i of g added at indices[i] (none at padding_idx; divided by the
    index's count under scale_by_freq);  d/dg = Embedding in its adjoint form.

    A stable sort groups equal indices and `np.add.reduceat` sums each run (2-4x faster than
    np.add.at on large vocabularies), accumulating repeats in their original order."""

    def forward(self, g, indices, num, padding_idx=None, scale_by_freq=False):
        self.indices, self.padding_idx, self.scale_by_freq = indices, padding_idx, scale_by_freq
        dim = g.shape[-1]
        out = np.zeros((num, dim), dtype=g.dtype)
        flat = indices.reshape(-1)
        if flat.size == 0:
            return out
        rows = g.reshape(-1, dim)
        order = np.argsort(flat, kind="stable")
        ordered = flat[order]
        starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
        sums = np.add.reduceat(rows[order], starts, axis=0)
        targets = ordered[starts]
        if scale_by_freq:
            counts = np.diff(np.append(starts, flat.size))
            sums /= counts.astype(g.dtype)[:, None]
        if padding_idx is not None:
            keep = targets != padding_idx
            targets, sums = targets[keep], sums[keep]
        out[targets] = sums
        return out

    def backward(self, grad):
        return (Embedding.apply(grad, indices=self.indices, padding_idx=self.padding_idx,
                                scale_by_freq=self.scale_by_freq, adjoint=True),)
