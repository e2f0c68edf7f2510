"""The operands of the elementwise methods: numbers and arrays as tensors, PyTorch's result
dtype for a pair (rules in minigrad.dtypes), and the argument checks PyTorch makes before an op
runs (bool subtraction, alpha, in-place casts and shapes, clamp bounds)."""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad import dtypes
from minigrad.autograd import node
from minigrad.autograd.node import constant
from minigrad.ops import elementwise as ew

if TYPE_CHECKING:
    from minigrad.tensor import Tensor

def number_as(value: Any, like: Tensor) -> Tensor:
    """A number (or array-like) as a Tensor in `like`'s dtype when that loses nothing."""
    if isinstance(value, node.Tensor):
        return value
    arr = np.asarray(value)
    if arr.ndim == 0 and (like.data.dtype.kind == "f" or arr.dtype.kind in "biu"):
        return constant(arr.astype(like.data.dtype))
    return constant(arr.astype(np.float32) if arr.dtype == np.float64 else arr)


def as_tensor_like(value: Any, like: Tensor) -> Tensor:
    """value as a Tensor; Python float data takes like's float dtype (float32 by default)."""
    if isinstance(value, node.Tensor):
        return value
    arr = np.asarray(value)
    if arr.dtype == np.float64 and not isinstance(value, np.ndarray):
        arr = arr.astype(like.data.dtype if like.data.dtype.kind == "f" else np.float32)
    return constant(arr)


TYPE_NAMES = {"float16": "Half", "float32": "Float", "float64": "Double", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def array_of(x: Any) -> np.ndarray:
    """The array behind a Tensor, or x as an array."""
    return x.data if isinstance(x, node.Tensor) else np.asarray(x)


def plain_number(x: Any) -> Any:
    return x.item() if isinstance(x, np.generic) else x


class OperandMethods:
    """Mixin of `Tensor` (through ElementwiseMethods): operands and argument checks."""

    __slots__ = ()

    # -- operands: PyTorch's result dtype (the rules are in minigrad.dtypes) -------------------
    def _pair(self, other: Any) -> tuple[Tensor, Tensor]:
        """Self and other as Tensors of PyTorch's result dtype for a binary op."""
        if isinstance(other, node.Tensor):
            if other.data.dtype == self.data.dtype:
                return self, other
            target = dtypes.promote_tensors(self.data.dtype, self.ndim == 0,
                                            other.data.dtype, other.ndim == 0)
            return self.to(target), other.to(target)
        if isinstance(other, (np.ndarray, list, tuple)):
            return self._pair(as_tensor_like(other, self))
        target = dtypes.promote_with_number(self.data.dtype, other)
        return self.to(target), constant(dtypes.number_array(other, target))

    def _rpair(self, other: Any) -> tuple[Tensor, Tensor]:
        b, a = self._pair(other)
        return a, b

    def _scalar_ok(self, other: Any) -> bool:
        """True when `other` is a number that keeps this tensor's dtype (the scalar-op path); an
        int meets a narrow integer tensor through `_pair`, which wraps it as PyTorch does."""
        kind = type(other)
        dt = self.data.dtype
        return (kind is float or kind is int) and dt.kind == "f" or (
            kind is int and dt.kind == "i" and dt.itemsize == 8)

    def _floating(self) -> Tensor:
        """Self, or a float32 copy of an integer/bool tensor (PyTorch promotes for exp, log...)."""
        return self if self.data.dtype.kind == "f" else self.to(dtypes.float32)

    def _float_only(self, op: str, error: type = NotImplementedError) -> Tensor:
        """Self, for ops PyTorch implements for floating dtypes only (softmax, norm, ...)."""
        if self.data.dtype.kind != "f":
            raise error(f"{op}: not implemented for '{TYPE_NAMES[self.data.dtype.name]}' "
                        f"(a floating point tensor is expected, got {self.dtype})")
        return self

    def _not_bool(self, op: str) -> Tensor:
        """Self, for ops PyTorch has no bool kernel for (abs, floor, ceil, round, trunc)."""
        if self.data.dtype == np.bool_:
            raise NotImplementedError(f"{op}: not implemented for 'Bool' (shape "
                                      f"{tuple(self.data.shape)})")
        return self

    def _no_bool_sub(self, other: Any, op: str) -> None:
        """Refuse subtraction with a bool operand (tensor or Python bool), as PyTorch does."""
        if self.data.dtype.kind != "b":  # the common case, decided without the checks below
            if isinstance(other, node.Tensor):
                if other.data.dtype.kind != "b":
                    return
            elif not isinstance(other, (bool, np.bool_, np.ndarray)):
                return
        other_bool = isinstance(other, (bool, np.bool_)) or (
            isinstance(other, (node.Tensor, np.ndarray)) and _dtype_of(other) == np.bool_)
        if self.data.dtype != np.bool_ and not other_bool:
            return
        shapes = f"(shapes {tuple(self.data.shape)} and {tuple(np.shape(array_of(other)))})"
        if self.data.dtype == np.bool_ and other_bool:
            raise RuntimeError(f"{op}: Subtraction, the `-` operator, with two bool tensors is "
                               f"not supported {shapes}. Use the `^` or `logical_xor()` operator "
                               "instead.")
        raise RuntimeError(f"{op}: Subtraction, the `-` operator, with a bool tensor is not "
                           f"supported {shapes}. If you are trying to invert a mask, use the `~` "
                           "or `logical_not()` operator instead.")

    def _scaled(self, other: Any, alpha: Any, op: str) -> tuple[Tensor, Tensor]:
        """(self, alpha * other) in the result dtype of self and other (alpha takes no part in
        promotion, as in PyTorch: a float alpha on an integer result is an error)."""
        a, b = self._pair(other)
        kind = b.data.dtype.kind
        if isinstance(alpha, (bool, np.bool_)):
            if kind != "b":
                raise RuntimeError(f"{op}: Boolean alpha only supported for Boolean results "
                                   f"(result dtype {b.dtype})")
        elif kind in "biu" and not isinstance(alpha, numbers.Integral):
            raise RuntimeError(f"{op}: For integral input tensors, argument alpha must not be a "
                               f"floating point number (alpha={alpha}, result dtype {b.dtype})")
        alpha = plain_number(alpha)
        if kind in "biu":
            alpha = dtypes.checked_int(op, alpha, b.data.dtype)
        return a, ew.MulScalar.apply(b, c=alpha)

    def _check_inplace(self, result_dtype: np.dtype, op: str) -> None:
        """PyTorch refuses an in-place result that would move down a category (int += float)."""
        dtypes.check_cast(result_dtype, self.data.dtype, op, self.data.shape)

    def _inplace_operand(self, other: Any, op: str) -> Any:
        """other for an in-place binary op, after PyTorch's cast check; Python ints wrapped."""
        if isinstance(other, node.Tensor):
            if other.data.shape != self.data.shape:
                try:
                    shape = np.broadcast_shapes(self.data.shape, other.data.shape)
                except ValueError:
                    raise node.broadcast_error(op, (self.data.shape, other.data.shape)) from None
                if shape != self.data.shape:
                    raise RuntimeError(f"{op}: output with shape {tuple(self.data.shape)} "
                                       f"doesn't match the broadcast shape {shape}")
            if other.data.dtype == self.data.dtype:
                return other
            target = dtypes.promote_tensors(self.data.dtype, self.ndim == 0, other.data.dtype,
                                            other.ndim == 0)
            self._check_inplace(target, op)
            return other.to(target)  # a 0-d int64 operand wraps into uint8 self, as PyTorch
        if isinstance(other, (np.ndarray, list, tuple)):
            return self._inplace_operand(as_tensor_like(other, self), op)
        target = dtypes.promote_with_number(self.data.dtype, other)
        self._check_inplace(target, op)
        return constant(dtypes.number_array(other, target))
    def _div_pair(self, other: Any) -> tuple[Tensor, Tensor]:
        """The operands of a true division: an integer result dtype divides in float32, each
        operand cast from its own dtype (uint8 / -3 is not uint8 / 253, as in PyTorch)."""
        if isinstance(other, numbers.Number):
            return (self if self.data.dtype.kind == "f" else self.to(dtypes.float32))._pair(other)
        if not isinstance(other, node.Tensor):
            other = as_tensor_like(other, self)
        a, b = self._pair(other)
        if a.data.dtype.kind == "f":
            return a, b
        return self.to(dtypes.float32), other.to(dtypes.float32)

    def _clamp_args(self, lo: Any, hi: Any, op: str, inplace: bool = False) -> tuple:
        """(x in the result dtype, tensor bounds, Clamp's options), with PyTorch's checks: one
        bound at least, a number mixed only with a 0-d tensor without grad (read as a number),
        integer bounds in the dtype's range."""
        if lo is None and hi is None:
            raise RuntimeError(f"{op}: At least one of 'min' or 'max' must not be None")
        is_t = [isinstance(v, node.Tensor) for v in (lo, hi)]
        if any(is_t) and not all(t or v is None for t, v in zip(is_t, (lo, hi))):
            # a number with a tensor: PyTorch reads a 0-d tensor without grad as a number
            if any(t and (v.ndim != 0 or v.requires_grad) for t, v in zip(is_t, (lo, hi))):
                kinds = ", ".join(f"{k}={type(v).__name__}" for k, v in (("min", lo), ("max", hi)))
                raise TypeError(f"{op}: received an invalid combination of arguments ({kinds}): "
                                "a number bound takes a number or a 0-d tensor without grad")
            lo, hi = (v.item() if t else v for t, v in zip(is_t, (lo, hi)))
        elif any(is_t):
            tensors = [v for v in (lo, hi) if v is not None]
            target = dtypes.promote_operands(
                [(t.data.dtype, t.ndim == 0) for t in (self, *tensors)])
            if inplace:
                self._check_inplace(target, op)
                # a float self: bounds rounded to its dtype select the same values; an integer
                # one computes in the result dtype and wraps back, as PyTorch's cast does
                target = target if target.kind != "f" else self.data.dtype
            which = ("min" if lo is not None else "") + ("max" if hi is not None else "")
            x = self if inplace else self.to(target)
            return x, [t.to(target) for t in tensors], {"which": which}
        target = self.data.dtype
        for v in (lo, hi):
            if v is not None:
                target = dtypes.promote_with_number(target, v)
        if inplace:
            self._check_inplace(target, op)
        if target.kind in "biu":
            lo, hi = (None if v is None else dtypes.checked_int(op, v, target) for v in (lo, hi))
        return (self if inplace else self.to(target)), [], {"min": lo, "max": hi}


def _dtype_of(x: Any) -> np.dtype:
    return x.data.dtype if isinstance(x, node.Tensor) else x.dtype


def tensor_arg(other: Any, op: str) -> Tensor:
    """other, which PyTorch's signature types as a Tensor: numbers and arrays are refused."""
    if not isinstance(other, node.Tensor):
        raise TypeError(f"{op}: argument 'other' must be Tensor, not {type(other).__name__}")
    return other


def no_bool_pow(*operands: Tensor) -> tuple:
    """The operands of pow, refused when the result would be bool (PyTorch has no kernel)."""
    if operands[0].data.dtype == np.bool_ and operands[-1].data.dtype == np.bool_:
        raise NotImplementedError(f"pow: not implemented for 'Bool' (shapes "
                                  f"{', '.join(str(tuple(t.data.shape)) for t in operands)})")
    return operands
