"""How an in-place op is recorded (PyTorch's model): the result is written into the tensor's
own memory, so its views and its base see it; when a graph is being built, the op is applied to
the tensor's old history and the tensor takes over the result's. Through a view, the base's
history is rebased on `CopySlices` (ops/index.py) and the view is regenerated from the base;
other views of that base regenerate on their next use (`autograd.node.refresh_view`)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad import dtypes
from minigrad.autograd import node
from minigrad.autograd.grad_mode import _State
from minigrad.autograd.node import refresh_view
from minigrad.methods.operands import number_as
from minigrad.ops.elementwise import Fill
from minigrad.ops.index import CopySlices, IndexPut, IntegerWrite
from minigrad.ops.shape import CopyFrom

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


class InplaceMethods:
    """Mixin of `Tensor`: the plumbing every in-place method (add_, copy_, x[i] = v) runs."""

    __slots__ = ()

    def _inplace(self, op: type, ufunc: Any, *operands: Any, **options: Any) -> Tensor:
        """Run op in place, writing into self's memory (so views and bases see it). When a
        graph is recorded, the op is applied to self's old history and self takes over its
        result's; through a view, the base's history is rebased as PyTorch's CopySlices. An
        integer or bool self still requires grad afterwards when an operand does (PyTorch's
        rule: the in-place result takes the inputs' requires_grad; it is not differentiable)."""
        others = [o if isinstance(o, node.Tensor) else number_as(o, self) for o in operands]
        name = f"{op.__name__.lower()}_"
        if op is Fill and not isinstance(options["value"], node.Tensor):
            options["value"] = scalar_for(options["value"], self.data.dtype, "fill_")
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
        if self.data.dtype.kind != "f":  # computed unrecorded, marked as requiring grad
            options = {"data": self._result_of(op, ufunc, others, options, name), "name": name}
            op = IntegerWrite
        old = node.Tensor._make(self.data, self._requires_grad)
        old.grad_fn = self.grad_fn
        result = op.apply(old, *others, **options)
        if result.data.shape != self.data.shape:
            raise RuntimeError(f"{name}: output with shape {tuple(self.data.shape)} doesn't "
                               f"match the broadcast shape {tuple(result.data.shape)}")
        if op not in _WRITES:
            dtypes.check_cast(result.data.dtype, self.data.dtype, name, self.data.shape)
        fn = result.grad_fn
        if any(t is old for t, _ in fn._saved):
            old.data = old.data.copy()  # backward reads the values from before the write
        _write(self.data, result.data, name)
        self._bump_version()
        node.rebased[0] += 1  # views of self (or of its base) may now be stale
        if base is None:
            self.grad_fn, self._requires_grad = fn, True
            if getattr(fn, "_out", None) is not None:
                fn._out = (self.data, self._vc, self._vc[0])
            return self
        chain = self._view[1]
        base_old = node.Tensor._make(base.data, base._requires_grad)
        base_old.grad_fn = base.grad_fn
        new_base = CopySlices.apply(base_old, result, chain=chain)
        base.grad_fn, base._requires_grad = new_base.grad_fn, True
        refresh_view(self)
        return self

    def _result_of(self, op: type, ufunc: Any, others: list, options: dict,
                   name: str) -> np.ndarray:
        """op's result on self's values, not written yet (its dtype checked castable)."""
        arrays = [o.data for o in others]
        out = np.asarray(ufunc(self.data, *arrays) if ufunc is not None else
                         op().forward(self.data, *arrays, **options))
        if op not in _WRITES:
            dtypes.check_cast(out.dtype, self.data.dtype, name, self.data.shape)
        return out

    def _write_inplace(self, op: type, ufunc: Any, others: list, options: dict,
                       name: str) -> Tensor:
        """The unrecorded in-place path: NumPy computes straight into self's memory."""
        try:
            if ufunc is not None:
                arrays = [o.data for o in others]
                dtypes.check_cast(np.result_type(self.data, *arrays), self.data.dtype, name,
                            self.data.shape)
                ufunc(self.data, *arrays, out=self.data, casting="unsafe")
            else:
                _write(self.data, self._result_of(op, ufunc, others, options, name), name)
        except (TypeError, ValueError) as err:
            _raise_write_error(self, name, err)
        self._bump_version()
        return self


# Ops that write given values (copy_, x[i] = v, fill_): any dtype casts into self, as PyTorch's
# copy; the arithmetic ones must give a result type that self can hold.
_WRITES = (CopyFrom, IndexPut, Fill, IntegerWrite)  # IntegerWrite: checked by _result_of


def scalar_for(value: Any, dtype: np.dtype, op: str) -> Any:
    """A Python number as a scalar of dtype, converted as PyTorch converts a Scalar argument:
    NaN, inf or an out-of-range float into an integer dtype raises, as does a finite float
    beyond a float dtype's range; integers wrap into unsigned types from as low as -max (-1
    into uint8 is 255), floats truncate toward zero; anything goes into bool."""
    v = value.item() if isinstance(value, np.generic) else value
    if dtype.kind == "b":
        return np.bool_(v)
    if dtype.kind in "iu":
        if not isinstance(v, float):  # ints: PyTorch's checked conversion, wrapping unsigned
            return dtype.type(dtypes.checked_int(op, int(v), dtype))
        info = np.iinfo(dtype)
        if math.isfinite(v) and info.min <= v <= info.max:
            return dtype.type(int(v))  # floats truncate toward zero
    else:
        f = float(v)
        if not math.isfinite(f) or abs(f) <= float(np.finfo(dtype).max):
            return dtype.type(f)
    raise RuntimeError(f"{op}: value {value!r} cannot be converted to type "
                       f"{dtypes.from_numpy_dtype(dtype)} without overflow")


def _write(dst: np.ndarray, src: np.ndarray, name: str) -> None:
    """Copy an op's result into a tensor's memory (the cast was checked before)."""
    try:
        np.copyto(dst, src, casting="unsafe")
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
