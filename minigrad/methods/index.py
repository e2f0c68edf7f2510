"""Tensor methods for indexing (`minigrad/ops/index.py`): `x[i]` and `x[i] = v`, gather and
scatter, index_select, masked_fill, where, nonzero."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad.autograd import node
from minigrad.autograd.grad_mode import _State
from minigrad.autograd.node import constant
from minigrad.methods.inplace import scalar_for
from minigrad.methods.operands import array_of, number_as
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
        index, basic = ix.normalize_index(index)
        if isinstance(value, node.Tensor):
            keep_grad = _setitem_value_checks(self, index, basic, value)
            shape = value.data.shape  # PyTorch drops the value's leading 1-sized dims
            lead = next((i for i, n in enumerate(shape) if n != 1), len(shape))
            value = value.reshape(shape[lead:]) if lead else value
            if not basic or value.data.dtype != self.data.dtype:
                value = value if keep_grad and self.data.dtype.kind != "f" else \
                    value.to(self.dtype)
        elif self.data.dtype == np.float16:  # PyTorch writes a number into float16 unchecked
            value = number_as(value, self)
        else:
            value = constant(np.asarray(scalar_for(value, self.data.dtype, "setitem")))
        if _State.enabled and (self._requires_grad or value._requires_grad):
            self._inplace(ix.IndexPut, None, value, index=index)
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
        d, idx = _index_along(self, dim, index, None, "gather")
        return ix.Gather.apply(self, dim=d, index=idx)

    def index_select(self, dim: int, index: Tensor) -> Tensor:
        """The entries at the 1-D (or 0-d) index along dim; a 0-d self takes a 1-element index."""
        d = normalize_dims(dim, self.ndim, "index_select")[0]
        idx = array_of(index)
        if idx.ndim > 1:
            raise IndexError(f"index_select: index is supposed to be a vector, got shape "
                             f"{tuple(idx.shape)}")
        if idx.dtype not in (np.int64, np.int32):
            raise RuntimeError(f"index_select: expected dtype int32 or int64 for index, got "
                               f"{idx.dtype}")
        if self.ndim == 0 and idx.size != 1:
            raise RuntimeError(f"index_select: index to scalar can have only 1 value, got "
                               f"{idx.size} value(s)")
        size = self.data.shape[d] if self.ndim else 1
        bad = idx[(idx < 0) | (idx >= size)]
        if bad.size:
            raise (IndexError if self.ndim == 0 else RuntimeError)(
                f"index_select: index {int(bad.flat[0])} is out of range for dimension {d} "
                f"with size {size} (shape {tuple(self.shape)})")
        if self.ndim == 0:
            return self.reshape(1)[idx.reshape(1)].reshape(())
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
        mask_arr, fill = _masked_fill_args(self, mask, value, "masked_fill")
        if fill._requires_grad and self.data.dtype.kind != "f" and _State.enabled:
            raise RuntimeError(f"masked_fill: autograd does not support dtype {self.dtype} "
                               "(the result would require grad)")
        return ew.Where.apply(fill.to(self.dtype), self, cond=mask_arr)

    def masked_fill_(self, mask: Tensor, value: Any) -> Tensor:
        """In-place masked_fill (recorded like any in-place op when a graph is being built)."""
        mask_arr, fill = _masked_fill_args(self, mask, value, "masked_fill_")
        try:
            full = np.broadcast_to(mask_arr, self.data.shape)
        except ValueError:
            raise RuntimeError(f"masked_fill_: mask of shape {tuple(mask_arr.shape)} would "
                               f"broadcast the tensor of shape {tuple(self.shape)}") from None
        if self.data.dtype.kind == "f" or not fill._requires_grad:
            fill = fill.to(self.dtype)
        return self._inplace(ix.IndexPut, None, fill, index=full)

    def where(self, condition: Tensor, other: Any) -> Tensor:
        """self where condition holds, else other."""
        return where(condition, self, other)

    def scatter(self, dim: int, index: Tensor, src: Any = None, value: Any = None) -> Tensor:
        """Copy of self with src (or value) written at index along dim: out[i][index[i][j]] =
        src[i][j] for dim=1. Where targets repeat, the last write wins (PyTorch's CPU result);
        unlike PyTorch, the overwritten src entries then get a zero gradient."""
        d, idx, src_t = self._scatter_args(dim, index, src, value, "scatter")
        if idx.size == 0:  # nothing is written, but the result still depends on src
            placed = ix.ScatterAdd.apply(src_t, dim=0, index=idx, shape=self.data.shape)
            return ew.Where.apply(placed, self, cond=np.zeros(self.data.shape, dtype=bool))
        out_shape = self.data.shape or (1,)
        grid = ix._along_axis_index(idx.reshape(idx.shape or (1,)), d)
        targets = np.ravel_multi_index(grid, out_shape)
        flat = np.broadcast_to(targets, idx.shape or (1,)).reshape(-1)
        last = np.zeros(flat.size, dtype=bool)
        last[flat.size - 1 - np.unique(flat[::-1], return_index=True)[1]] = True
        if not last.all():  # drop the writes that a later one overwrites
            zero = constant(np.zeros((), dtype=self.data.dtype))
            src_t = ew.Where.apply(src_t, zero, cond=last.reshape(idx.shape))
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
        """(dim, index array, src as a Tensor of index's shape) after PyTorch's checks."""
        if src is None:
            src = value
        d, idx = _index_along(self, dim, index, src, op)
        if idx.size == 0:  # src cut to no elements, index to shape (0,): its gradient is zero
            src = src if isinstance(src, node.Tensor) else constant(np.zeros(0, self.data.dtype))
            return d, np.zeros(0, dtype=np.int64), src.reshape(-1)[:0]
        if not isinstance(src, node.Tensor):
            fill = scalar_for(src, self.data.dtype, op)
            return d, idx, constant(np.full(idx.shape, fill, dtype=self.data.dtype))
        ishape = idx.shape or (1,)  # a 0-d index, self or src counts as one element
        src_t = src.reshape((1,) * len(ishape)) if src.ndim == 0 else src
        if src_t.data.shape != ishape:  # only index's extent of src is read
            src_t = src_t[tuple(slice(0, n) for n in ishape)]
        return d, idx, src_t.reshape(idx.shape) if idx.ndim == 0 else src_t

    def _overwrite(self, array: np.ndarray) -> Tensor:
        np.copyto(self.data, array)
        self._bump_version()
        return self


def _masked_fill_args(x: Tensor, mask: Any, value: Any, op: str) -> tuple:
    """(the bool mask array, the value as a 0-d Tensor) after PyTorch's checks."""
    mask_arr = array_of(mask)
    if mask_arr.dtype != np.bool_:
        raise RuntimeError(f"{op}: expected a bool mask, got {mask_arr.dtype}")
    try:
        np.broadcast_shapes(mask_arr.shape, x.data.shape)
    except ValueError:
        raise RuntimeError(f"{op}: mask of shape {tuple(mask_arr.shape)} does not broadcast to "
                           f"tensor of shape {tuple(x.data.shape)}") from None
    if not isinstance(value, node.Tensor):
        return mask_arr, constant(np.asarray(scalar_for(value, x.data.dtype, op)))
    if value.ndim != 0:
        raise RuntimeError(f"{op}: only supports a 0-dimensional value tensor, but got tensor "
                           f"with {value.ndim} dimension(s) (shape {tuple(value.shape)})")
    scalar_for(value.data.item(), x.data.dtype, op)  # PyTorch reads the value as a number
    return mask_arr, value


def _setitem_value_checks(x: Tensor, index: Any, basic: bool, value: Tensor) -> bool:
    """PyTorch's checks of a tensor value for x[index] = value; whether the result keeps the
    value's requires_grad whatever x's dtype (a fill or an index_put, not a copy_)."""
    try:
        region = np.broadcast_to(np.zeros((), np.int8), x.data.shape)[index].shape
    except IndexError as err:
        raise IndexError(f"setitem: {ix._torch_words(err)} (tensor shape "
                         f"{tuple(x.data.shape)})") from None
    shape = value.data.shape
    core = shape[next((i for i, n in enumerate(shape) if n != 1), len(shape)):]
    try:
        fits = np.broadcast_shapes(core, region) == region
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(f"setitem: shape mismatch: value tensor of shape {list(shape)} cannot "
                           f"be broadcast to indexing result of shape {list(region)}")
    if basic:
        return value.ndim == 0 and region != ()
    items = index if isinstance(index, tuple) else (index,)
    arrays = [i for i in items if isinstance(i, np.ndarray)]
    masked = len(arrays) == 1 and arrays[0].dtype == np.bool_ and value.data.size == 1
    if not masked and value.data.dtype != x.data.dtype:
        raise RuntimeError(f"setitem: index put requires the source and destination dtypes "
                           f"match, got {x.dtype} for the destination and {value.dtype} for "
                           "the source")
    return True


def _index_along(x: Tensor, dim: int, index: Any, src: Any, op: str) -> tuple[int, np.ndarray]:
    """PyTorch's checks of gather/scatter arguments, in its order: (dim, the index array). A 0-d
    tensor counts as 1-d; an empty index skips the shape and bounds checks."""
    d = normalize_dims(dim, x.ndim, op)[0]
    idx = array_of(index)
    if idx.size and idx.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"{op}: expected dtype int32/int64 for index, got {idx.dtype}")
    if isinstance(src, node.Tensor) and src.data.dtype != x.data.dtype:
        raise RuntimeError(f"{op}: expected self.dtype to be equal to src.dtype, got {x.dtype} "
                           f"and {src.dtype}")
    if idx.size == 0:
        return d, idx
    ishape, xshape = idx.shape or (1,), x.data.shape or (1,)
    sshape = (src.data.shape or (1,)) if isinstance(src, node.Tensor) else ishape
    for other, shape in (("self", xshape), ("src", sshape)):
        if len(ishape) != len(shape):
            raise RuntimeError(f"{op}: index {list(idx.shape)} must have the same number of "
                               f"dimensions as {other} {list(shape)}")
    if any(i > s for k, (i, s) in enumerate(zip(ishape, xshape)) if k != d) or any(
            i > s for i, s in zip(ishape, sshape)):
        extra = f" and to be no larger than src {list(sshape)}" if src is not None and \
            isinstance(src, node.Tensor) else ""
        raise RuntimeError(f"{op}: expected index {list(idx.shape)} to be no larger than self "
                           f"{list(x.data.shape)} apart from dimension {d}{extra}")
    bad = idx[(idx < 0) | (idx >= xshape[d])]
    if bad.size:  # PyTorch raises RuntimeError; tests/test_tensor.py pins IndexError
        raise IndexError(f"{op}: index {int(bad.flat[0])} is out of bounds for dimension {d} "
                           f"with size {xshape[d]}")
    return d, idx


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
