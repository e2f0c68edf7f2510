"""How an in-place op is recorded (PyTorch's model): the result is written into the tensor's
own memory, so its views and its base see it; when a graph is being built, the op is applied to
the tensor's old history and the tensor takes over the result's. Through a view, the base's
history is rebased on `CopySlices` (ops/index.py) and the view is regenerated from the base;
other views of that base regenerate on their next use (`autograd.node.refresh_view`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad import dtypes
from minigrad.autograd import node
from minigrad.autograd.grad_mode import _State
from minigrad.autograd.node import refresh_view
from minigrad.methods.elementwise import number_as
from minigrad.ops.index import CopySlices

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


class InplaceMethods:
    """Mixin of `Tensor`: the plumbing every in-place method (add_, copy_, x[i] = v) runs."""

    __slots__ = ()

    def _inplace(self, op: type, ufunc: Any, *operands: Any, **options: Any) -> Tensor:
        """Run op in place, writing into self's memory (so views and bases see it). When a
        graph is recorded, the op is applied to self's old history and self takes over its
        result's; through a view, the base's history is rebased as PyTorch's CopySlices."""
        others = [o if isinstance(o, node.Tensor) else number_as(o, self) for o in operands]
        name = f"{op.__name__.lower()}_"
        if not _State.enabled:
            return self._write_inplace(op, ufunc, others, options, name)
        if self._view is not None and self._view[0].grad_fn is not self._view[2]:
            refresh_view(self)
        if not (self._requires_grad or any(o._requires_grad for o in others)):
            return self._write_inplace(op, ufunc, others, options, name)
        if self.grad_fn is None and self._requires_grad:
            raise RuntimeError(f"{name}: a leaf Variable that requires grad is being used in "
                               "an in-place operation.")
        base = self._view[0] if self._view is not None else None
        if base is not None and base.grad_fn is None and base._requires_grad:
            raise RuntimeError(f"{name}: a view of a leaf Variable that requires grad is being "
                               "used in an in-place operation.")
        old = node.Tensor._make(self.data, self._requires_grad)
        old.grad_fn = self.grad_fn
        result = op.apply(old, *others, **options)
        if result.data.shape != self.data.shape:
            raise RuntimeError(f"{name}: output with shape {tuple(self.data.shape)} doesn't "
                               f"match the broadcast shape {tuple(result.data.shape)}")
        fn = result.grad_fn
        if any(t is old for t, _ in fn._saved):
            old.data = old.data.copy()  # backward reads the values from before the write
        _write(self.data, result.data, name)
        self._bump_version()
        if base is None:
            self.grad_fn, self._requires_grad = fn, True
            if getattr(fn, "_out", None) is not None:
                fn._out = (self.data, self._vc, self._vc[0])
            return self
        chain = self._view[1]
        base_old = node.Tensor._make(base.data, base._requires_grad)
        base_old.grad_fn = base.grad_fn
        rebased = CopySlices.apply(base_old, result, chain=chain)
        base.grad_fn, base._requires_grad = rebased.grad_fn, True
        refresh_view(self)
        return self

    def _write_inplace(self, op: type, ufunc: Any, others: list, options: dict,
                       name: str) -> Tensor:
        """The unrecorded in-place path: NumPy computes straight into self's memory."""
        try:
            if ufunc is not None:
                ufunc(self.data, *(o.data for o in others), out=self.data, casting="same_kind")
            else:
                _write(self.data, op().forward(self.data, *(o.data for o in others), **options),
                       name)
        except (TypeError, ValueError) as err:
            _raise_write_error(self, name, err)
        self._bump_version()
        return self


def _write(dst: np.ndarray, src: np.ndarray, name: str) -> None:
    """Copy an op's result into a tensor's memory (same-kind casts only, as PyTorch)."""
    try:
        np.copyto(dst, src, casting="same_kind")
    except (TypeError, ValueError) as err:
        _raise_write_error(None, name, err, dst)


def _raise_write_error(t: Tensor | None, name: str, err: Exception,
                       dst: np.ndarray | None = None) -> None:
    dst = t.data if dst is None else dst
    if not dst.flags.writeable:
        raise RuntimeError(
            f"{name}: unsupported operation: more than one element of the written-to tensor "
            f"(shape {tuple(dst.shape)}) refers to a single memory location (an expanded "
            "view). Please clone() the tensor before performing the operation.") from None
    raise RuntimeError(f"{name}: cannot write the result into a tensor of dtype "
                       f"{dtypes.from_numpy_dtype(dst.dtype)} and shape {tuple(dst.shape)}: "
                       f"{err}") from None
