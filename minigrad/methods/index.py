"""Tensor methods for indexing (`minigrad/ops/index.py`): `x[i]` and `x[i] = v`, gather and
scatter, index_select, masked_fill, where, nonzero."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad.autograd import node
from minigrad.autograd.grad_mode import _State
from minigrad.autograd.node import constant
from minigrad.methods.elementwise import array_of, number_as
from minigrad.ops import elementwise as ew
from minigrad.ops import index as ix
from minigrad.ops.reduce import normalize_dims

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


class IndexMethods:
    """Mixin of `Tensor`: indexing, gather/scatter, masked_fill, where."""

    __slots__ = ()

    def __getitem__(self, index: Any) -> Tensor:
        index, basic = ix.normalize_index(index)
        if not basic:
            split = ix.ints_first(index)
            if split is not None:
                return self[split[0]][split[1]]
        op = ix.BasicGetItem if basic else ix.GetItem
        return op.apply(self, index=index)

    def __setitem__(self, index: Any, value: Any) -> None:
        index, _ = ix.normalize_index(index)
        value = value if isinstance(value, node.Tensor) else number_as(value, self)
        if _State.enabled and (self._requires_grad or value._requires_grad):
            self._inplace(ix.IndexPut, None, value.to(self.dtype), index=index)
            return
        try:
            self.data[index] = value.data
        except (IndexError, ValueError) as err:
            raise type(err)(
                f"setitem: {err} (tensor shape {tuple(self.data.shape)}, value shape "
                f"{tuple(value.data.shape)})"
            ) from None
        self._bump_version()

    def gather(self, dim: int, index: Tensor) -> Tensor:
        """out[i][j] = self[i][index[i][j]] for dim=1 (and likewise for other dims)."""
        d = normalize_dims(dim, self.ndim, "gather")[0]
        idx = array_of(index)
        if idx.dtype.kind not in "iu":
            raise RuntimeError(f"gather: expected an integer index tensor, got {idx.dtype}")
        return ix.Gather.apply(self, dim=d, index=idx)

    def index_select(self, dim: int, index: Tensor) -> Tensor:
        """The entries at the 1-D index along dim."""
        d = normalize_dims(dim, self.ndim, "index_select")[0]
        idx = array_of(index)
        if idx.ndim > 1:
            raise IndexError(f"index_select: index is supposed to be a vector, got shape "
                             f"{tuple(idx.shape)}")
        if idx.dtype.kind not in "iu":
            raise RuntimeError(f"index_select: expected an int64 or int32 index, got {idx.dtype}")
        size = self.data.shape[d] if self.ndim else 1
        bad = idx[(idx < 0) | (idx >= size)]
        if bad.size:
            raise RuntimeError(f"index_select: index {int(bad.flat[0])} is out of range for "
                               f"dimension {d} with size {size} (shape {tuple(self.shape)})")
        if self.ndim == 0:
            return self.reshape(1)[idx.reshape(-1)].reshape(idx.shape)
        return self[(slice(None),) * d + (idx.reshape(-1),)]

    def nonzero(self, as_tuple: bool = False) -> Any:
        """Indices of the non-zero elements: (n, ndim) int64, or one index tensor per dim."""
        found = np.nonzero(self.data) if self.ndim else \
            (np.zeros(int(bool(self.data)), np.int64),)
        if as_tuple:
            return tuple(constant(i.astype(np.int64)) for i in found)
        if self.ndim == 0:
            return constant(np.zeros((int(bool(self.data)), 0), np.int64))
        return constant(np.stack(found, axis=1).astype(np.int64))

    def masked_fill(self, mask: Tensor, value: Any) -> Tensor:
        """A copy of self with value where the bool mask (broadcast) is True."""
        mask_arr = array_of(mask)
        if mask_arr.dtype != np.bool_:
            raise RuntimeError(f"masked_fill: expected a bool mask, got {mask_arr.dtype}")
        try:
            np.broadcast_shapes(mask_arr.shape, self.data.shape)
        except ValueError:
            raise RuntimeError(
                f"masked_fill: mask of shape {tuple(mask_arr.shape)} does not broadcast to "
                f"tensor of shape {tuple(self.data.shape)}"
            ) from None
        if isinstance(value, node.Tensor) and value.ndim != 0:
            raise RuntimeError(f"masked_fill: only supports a 0-dimensional value tensor, but "
                               f"got tensor with {value.ndim} dimension(s) (shape "
                               f"{tuple(value.shape)})")
        fill = value if isinstance(value, node.Tensor) else number_as(value, self)
        return ew.Where.apply(fill.to(self.dtype), self, cond=mask_arr)

    def masked_fill_(self, mask: Tensor, value: Any) -> Tensor:
        """In-place masked_fill (recorded like any in-place op when a graph is being built)."""
        result = self.masked_fill(mask, value)
        if result.data.shape != self.data.shape:
            raise RuntimeError(f"masked_fill_: mask of shape {tuple(np.shape(array_of(mask)))} "
                               f"would broadcast the tensor of shape {tuple(self.shape)}")
        return self.copy_(result) if result.requires_grad else self._overwrite(result.data)

    def where(self, condition: Tensor, other: Any) -> Tensor:
        """self where condition holds, else other."""
        return where(condition, self, other)

    def scatter(self, dim: int, index: Tensor, src: Any = None, value: Any = None) -> Tensor:
        """Copy of self with src (or value) written at index along dim: out[i][index[i][j]] =
        src[i][j] for dim=1. Where targets repeat, the last write wins (PyTorch's CPU result);
        unlike PyTorch, the overwritten src entries then get a zero gradient."""
        d, idx, src_t = self._scatter_args(dim, index, src, value, "scatter")
        targets = np.ravel_multi_index(ix._along_axis_index(idx, d), self.data.shape)
        flat = np.broadcast_to(targets, idx.shape).reshape(-1)
        last = np.zeros(flat.size, dtype=bool)
        last[flat.size - 1 - np.unique(flat[::-1], return_index=True)[1]] = True
        if not last.all():  # drop the writes that a later one overwrites
            src_t = src_t[tuple(slice(0, n) for n in idx.shape)] * constant(
                last.reshape(idx.shape).astype(self.data.dtype))
        written = np.zeros(self.data.size, dtype=bool)
        written[flat] = True
        written = written.reshape(self.data.shape)
        placed = ix.ScatterAdd.apply(src_t, dim=d, index=idx, shape=self.data.shape)
        return ew.Where.apply(placed, self, cond=written)

    def scatter_add(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        """self + src added at index along dim (repeated targets accumulate)."""
        d, idx, src_t = self._scatter_args(dim, index, src, None, "scatter_add")
        return self + ix.ScatterAdd.apply(src_t, dim=d, index=idx, shape=self.data.shape)

    def scatter_(self, dim: int, index: Tensor, src: Any = None, value: Any = None) -> Tensor:
        """In-place scatter."""
        result = self.scatter(dim, index, src, value)
        return self.copy_(result) if result.requires_grad else self._overwrite(result.data)

    def scatter_add_(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        """In-place scatter_add."""
        result = self.scatter_add(dim, index, src)
        return self.copy_(result) if result.requires_grad else self._overwrite(result.data)

    def _scatter_args(self, dim: int, index: Any, src: Any, value: Any, op: str) -> tuple:
        d = normalize_dims(dim, self.ndim, op)[0]
        idx = array_of(index)
        if idx.dtype.kind not in "iu" or idx.ndim != self.ndim:
            raise RuntimeError(f"{op}: index must be an int64 tensor with {self.ndim} dims, got "
                               f"{idx.dtype} of shape {tuple(idx.shape)}")
        if np.any((idx < 0) | (idx >= self.data.shape[d])):
            raise IndexError(f"{op}: index out of bounds for dimension {d} with size "
                             f"{self.data.shape[d]}")
        if src is None:
            src = value
        if isinstance(src, node.Tensor):
            too_big = any(i > s for i, s in zip(idx.shape, src.data.shape)) or any(
                i > s for k, (i, s) in enumerate(zip(idx.shape, self.data.shape)) if k != d)
            if src.ndim != idx.ndim or too_big:
                raise RuntimeError(f"{op}: expected index {list(idx.shape)} to be no larger than "
                                   f"self {list(self.data.shape)} apart from dimension {d} and "
                                   f"to be no larger size than src {list(src.data.shape)}")
            src_t = src.to(self.dtype)
        else:
            src_t = constant(np.full(idx.shape, src, dtype=self.data.dtype))
        return d, idx, src_t

    def _overwrite(self, array: np.ndarray) -> Tensor:
        np.copyto(self.data, array)
        self._bump_version()
        return self


def where(condition: Any, input: Any, other: Any) -> Tensor:  # noqa: A002
    """input where condition holds, else other; one of input and other is a Tensor."""
    cond = array_of(condition)
    if cond.dtype != np.bool_:
        raise RuntimeError(f"where: expected condition to be a bool tensor, got {cond.dtype}")
    if isinstance(input, node.Tensor):
        a, b = input._pair(other)
    else:
        b, a = other._pair(input)
    try:
        np.broadcast_shapes(cond.shape, a.data.shape, b.data.shape)
    except ValueError:
        raise RuntimeError(
            f"where: condition {tuple(cond.shape)}, input {tuple(a.data.shape)} and other "
            f"{tuple(b.data.shape)} do not broadcast together"
        ) from None
    return ew.Where.apply(a, b, cond=cond)
