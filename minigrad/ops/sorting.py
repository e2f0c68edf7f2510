"""Order-based ops: sort, topk and cumulative sums. Sorted values are gathered from the input,
so their gradient flows back to the positions they came from."""

from __future__ import annotations

import numpy as np

from minigrad.autograd.node import Op


class Cumsum(Op):
    """y_i = x_0 + ... + x_i along dim;  d/dx_j = sum of g_i for i >= j (a reversed cumsum)."""

    def forward(self, x, dim):
        self.dim = dim
        if x.dtype.kind in "bui" and x.dtype != np.int64:
            return np.cumsum(x, axis=dim, dtype=np.int64)  # torch accumulates ints in int64
        return np.cumsum(x, axis=dim)

    def backward(self, grad):
        return (Cumsum.apply(grad.flip(self.dim), dim=self.dim).flip(self.dim),)


def sort_indices(x: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    """Indices that sort x along dim, ties in their original order; NaN counts as the largest
    value (last ascending, first descending), as PyTorch."""
    if not descending:
        return np.argsort(x, axis=dim, kind="stable")
    if x.dtype.kind == "b":
        key = ~x
    elif x.dtype.kind == "f":
        key = np.where(np.isnan(x), -np.inf, -x)
    else:
        key = -x.astype(np.int64)
    return np.argsort(key, axis=dim, kind="stable")
