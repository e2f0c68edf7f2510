"""Indexing ops and their adjoints: reading at an index (getitem, gather) is undone by adding
the gradient back at that index (repeated indices accumulate), and the other way round."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.autograd import node
from minigrad.autograd.node import Op, constant


def normalize_index(index: Any) -> tuple[Any, bool]:
    """Turn tensors and lists inside an index into arrays; report whether it is basic (ints,
    slices, None and Ellipsis only: the result is a view)."""
    items = index if isinstance(index, tuple) else (index,)
    out, basic = [], True
    for item in items:
        if isinstance(item, node.Tensor):
            item = item.data
            if item.ndim == 0 and item.dtype.kind in "iu":
                item = int(item)
        elif isinstance(item, (list, np.ndarray)):
            item = np.asarray(item)
            if item.dtype == np.float64 and item.size == 0:
                item = item.astype(np.int64)
        elif isinstance(item, np.integer):
            item = int(item)
        if isinstance(item, np.ndarray):
            basic = False
            if item.dtype.kind not in "biu":
                raise IndexError(
                    f"getitem: tensors used as indices must be long, int or bool, got {item.dtype}"
                )
        elif isinstance(item, slice):
            if item.step is not None and item.step <= 0:
                raise ValueError(f"getitem: step must be greater than zero (got {item})")
        elif not (item is None or item is Ellipsis or isinstance(item, int)):
            raise IndexError(f"getitem: unsupported index {item!r}")
        out.append(item)
    return (tuple(out) if isinstance(index, tuple) or len(out) != 1 else out[0]), basic


def ints_first(index: Any) -> tuple[tuple, tuple] | None:
    """PyTorch applies integer indices as plain selections before advanced indexing, where
    NumPy groups them with the arrays (x[0, :, [1, 2]] is (4, 2) in PyTorch, (2, 4) in NumPy).
    Split such an index into (the ints, with slices kept), (the arrays, with slices)."""
    items = index if isinstance(index, tuple) else (index,)
    if not any(isinstance(i, int) and not isinstance(i, bool) for i in items):
        return None
    first, rest = [], []
    for item in items:
        if isinstance(item, np.ndarray):  # the dims it indexes stay whole in the first step
            first.extend([slice(None)] * (item.ndim if item.dtype == np.bool_ else 1))
            rest.append(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            first.append(item)
        else:  # slice, Ellipsis, None or a Python bool: its dim exists after the first step
            first.append(item)
            rest.append(Ellipsis if item is Ellipsis else slice(None))
    return tuple(first), tuple(rest)


class GetItem(Op):
    """x[index] with advanced (integer-array or boolean) indices;  the gradient is added back."""

    accumulate = True

    def forward(self, x, index):
        self.index, self.in_shape = index, x.shape
        try:
            return x[index]
        except IndexError as err:
            raise IndexError(f"getitem: {_torch_words(err)} (tensor shape {tuple(x.shape)})") \
                from None

    def backward(self, grad):
        return (IndexAdd.apply(grad, index=self.index, shape=self.in_shape,
                               accumulate=self.accumulate),)


class BasicGetItem(GetItem):
    """x[index] with ints, slices, None and Ellipsis only: a view, no repeated positions."""

    is_view = True
    accumulate = False

    def forward(self, x, index):
        out = super().forward(x, index)
        if not isinstance(out, np.ndarray):  # NumPy gives a scalar for x[0] on 1-D: view it
            items = index if isinstance(index, tuple) else (index,)
            out = x[items + (Ellipsis,)]
        return out


class IndexAdd(Op):
    """zeros(shape) with g added at index;  the adjoint of getitem, so d/dg = grad[index]."""

    def forward(self, g, index, shape, accumulate):
        self.index = index
        out = np.zeros(shape, dtype=g.dtype)
        if accumulate:
            np.add.at(out, index, g)
        else:
            out[index] = g
        return out

    def backward(self, grad):
        return (GetItem.apply(grad, index=self.index),)


class IndexPut(Op):
    """x with x[index] = v (out of place);  d/dx = grad with index zeroed, d/dv = grad[index]."""

    def forward(self, x, v, index):
        self.index = index
        out = x.copy()
        try:
            out[index] = v
        except (IndexError, ValueError) as err:
            raise type(err)(f"setitem: {_torch_words(err)} (tensor shape {tuple(x.shape)}, "
                            f"value shape {tuple(np.shape(v))})") from None
        return out

    def backward(self, grad):
        dx, dv = self.needs_input_grad
        zero = constant(np.zeros((), dtype=grad.data.dtype))
        return (
            IndexPut.apply(grad, zero, index=self.index) if dx else None,
            GetItem.apply(grad, index=self.index) if dv else None,
        )


def _along_axis_index(index: np.ndarray, dim: int) -> tuple:
    """Full index tuple addressing x[..., index, ...] along dim, with aranges elsewhere."""
    grids = []
    for d, n in enumerate(index.shape):
        if d == dim:
            grids.append(index)
        else:
            shape = [1] * index.ndim
            shape[d] = n
            grids.append(np.arange(n).reshape(shape))
    return tuple(grids)


def _nonempty(a: np.ndarray) -> np.ndarray:
    """A 0-d array as 1-d: PyTorch's gather/scatter treat a scalar as one element along dim 0."""
    return a.reshape(1) if a.ndim == 0 else a


class Gather(Op):
    """out[i][j] = x[i][index[i][j]] (for dim=1);  the gradient is scatter-added back. The
    method checks the index (ScatterChecks in methods/index.py); an empty index reads nothing."""

    def forward(self, x, dim, index):
        self.dim, self.index, self.in_shape = dim, index, x.shape
        if index.size == 0:
            return np.zeros(index.shape, dtype=x.dtype)
        picked = _nonempty(x)[_along_axis_index(_nonempty(index), dim)]
        return picked.reshape(index.shape)

    def backward(self, grad):
        return (ScatterAdd.apply(grad, dim=self.dim, index=self.index, shape=self.in_shape),)


class ScatterAdd(Op):
    """zeros(shape) with src[i][j] added at [i][index[i][j]] (dim=1);  d/dsrc = gather.
    src has index's shape (the methods cut a larger src to it first)."""

    def forward(self, src, dim, index, shape):
        self.dim, self.index = dim, index
        out = np.zeros(shape, dtype=src.dtype)
        if index.size == 0:
            return out
        idx = _nonempty(index)
        np.add.at(_nonempty(out), _along_axis_index(idx, dim), src.reshape(idx.shape))
        return out

    def backward(self, grad):
        return (Gather.apply(grad, dim=self.dim, index=self.index),)


def _torch_words(err: Exception) -> str:
    return str(err).replace("axis", "dimension")


class CopySlices(Op):
    """An in-place write through a view of `base` (PyTorch's CopySlices): the result is the base
    with the viewed region holding src, written in place already (forward returns base's own
    memory);  d/dbase = grad outside the region, d/dsrc = grad's view by the same chain."""

    def forward(self, base, src, chain):
        self.chain, self.shape = chain, base.shape
        return base

    def backward(self, grad):
        grad_base = grad_src = None
        if self.needs_input_grad[0]:
            outside = np.ones(self.shape, dtype=grad.data.dtype)
            region = outside
            for op, options in self.chain:
                region = op().forward(region, **options)
            region[...] = 0
            grad_base = grad * constant(outside)
        if self.needs_input_grad[1]:
            grad_src = node.view_of(grad, self.chain)
        return grad_base, grad_src


class IntegerWrite(Op):
    """An in-place op on an integer or bool tensor with an input that requires grad: PyTorch
    marks the result as requiring grad though no gradient can pass;  backward raises."""

    def forward(self, x, *others, data, name):
        self.op_name, self.dtype = name, data.dtype
        return data

    def backward(self, grad):
        raise RuntimeError(f"{self.op_name}: autograd does not support the result's dtype "
                           f"{self.dtype} (an in-place op on an integer tensor)")
