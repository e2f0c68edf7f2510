"""Tensor methods for ordering (`minigrad/ops/sorting.py`): sort, argsort, topk, cumsum.
Sorted values are gathered from the input, so gradients flow back to where they came from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad.autograd.node import constant
from minigrad.methods.reduce import reduce_dtype
from minigrad.ops import sorting as so
from minigrad.ops.reduce import normalize_dims
from minigrad.return_types import return_types

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


class SortingMethods:
    """Mixin of `Tensor`: sort, argsort, topk, cumsum."""

    __slots__ = ()

    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        """(values, indices) sorted along dim; values are gathered, so gradients flow back."""
        d = normalize_dims(dim, max(self.ndim, 1), "sort")[0]
        if self.ndim == 0:
            return return_types("sort")(self.clone(), constant(np.zeros((), np.int64)))
        idx = constant(so.sort_indices(self.data, d, descending))
        return return_types("sort")(self.gather(d, idx), idx)

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
        """The indices that sort self along dim."""
        return self.sort(dim, descending, stable).indices

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
        """The k largest (or smallest) values along dim and their indices."""
        d = normalize_dims(dim, max(self.ndim, 1), "topk")[0]
        n = self.data.shape[d] if self.ndim else 1
        if not 0 <= k <= n:
            raise RuntimeError(f"topk: k ({k}) is out of range for dimension {d} of size {n} "
                               f"(shape {tuple(self.shape)})")
        order = so.sort_indices(self.data, d, descending=largest) if self.ndim else \
            np.zeros((), np.int64)
        idx = constant(np.take(order, np.arange(k), axis=d) if self.ndim else order)
        values = self.gather(d, idx) if self.ndim else self.clone()
        return return_types("topk")(values, idx)

    def cumsum(self, dim: int, dtype: Any = None) -> Tensor:
        """Running sum along dim."""
        x = reduce_dtype(self, dtype, "cumsum")
        if self.ndim == 0:  # dim 0 or -1 of a 0-d tensor: the value itself, still 0-d
            normalize_dims(dim, 0, "cumsum")
            return so.Cumsum.apply(x.reshape(1), dim=0).reshape(())
        return so.Cumsum.apply(x, dim=normalize_dims(dim, self.ndim, "cumsum")[0])
