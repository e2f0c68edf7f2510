"""Tensor methods for elementwise math (`minigrad/ops/elementwise.py`): arithmetic and its
operators, unary functions, comparisons and logic, and their in-place forms."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad import dtypes, random
from minigrad.autograd import node
from minigrad.autograd.grad_mode import _State
from minigrad.autograd.node import constant
from minigrad.ops import activation as act
from minigrad.ops import elementwise as ew
from minigrad.ops import special as sp
from minigrad.ops.shape import CopyFrom

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


_TYPE_NAMES = {"float16": "Half", "float32": "Float", "float64": "Double", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def array_of(x: Any) -> np.ndarray:
    """The array behind a Tensor, or x as an array."""
    return x.data if isinstance(x, node.Tensor) else np.asarray(x)


def _plain_number(x: Any) -> Any:
    return x.item() if isinstance(x, np.generic) else x


class ElementwiseMethods:
    """Mixin of `Tensor`: the elementwise methods and operators."""

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
        return self.to(target), constant(np.asarray(other, dtype=target))

    def _rpair(self, other: Any) -> tuple[Tensor, Tensor]:
        b, a = self._pair(other)
        return a, b

    def _scalar_ok(self, other: Any) -> bool:
        """True when `other` is a number that keeps this tensor's dtype (the scalar-op path)."""
        kind = type(other)
        return (kind is float and self.data.dtype.kind == "f") or (
            kind is int and self.data.dtype.kind in "fiu")

    def _floating(self) -> Tensor:
        """Self, or a float32 copy of an integer/bool tensor (PyTorch promotes for exp, log...)."""
        return self if self.data.dtype.kind == "f" else self.to(dtypes.float32)

    def _float_only(self, op: str, error: type = NotImplementedError) -> Tensor:
        """Self, for ops PyTorch implements for floating dtypes only (softmax, norm, ...)."""
        if self.data.dtype.kind != "f":
            raise error(f"{op}: not implemented for '{_TYPE_NAMES[self.data.dtype.name]}' "
                        f"(a floating point tensor is expected, got {self.dtype})")
        return self

    def _not_bool(self, op: str) -> Tensor:
        """Self, for ops PyTorch has no bool kernel for (abs, floor, ceil, round, trunc)."""
        if self.data.dtype == np.bool_:
            raise NotImplementedError(f"{op}: not implemented for 'Bool' (shape "
                                      f"{tuple(self.data.shape)})")
        return self

    # -- arithmetic operators --------------------------------------------------------------------
    def __add__(self, other: Any) -> Tensor:
        if self._scalar_ok(other):
            return ew.AddScalar.apply(self, c=other)
        return ew.Add.apply(*self._pair(other))

    def __radd__(self, other: Any) -> Tensor:
        if self._scalar_ok(other):
            return ew.AddScalar.apply(self, c=other)
        return ew.Add.apply(*self._rpair(other))

    def __sub__(self, other: Any) -> Tensor:
        if self._scalar_ok(other):
            return ew.AddScalar.apply(self, c=-other)
        return ew.Sub.apply(*self._pair(other))

    def __rsub__(self, other: Any) -> Tensor:
        if self._scalar_ok(other):
            return ew.RSubScalar.apply(self, c=other)
        return ew.Sub.apply(*self._rpair(other))

    def __mul__(self, other: Any) -> Tensor:
        if self._scalar_ok(other):
            return ew.MulScalar.apply(self, c=other)
        return ew.Mul.apply(*self._pair(other))

    def __rmul__(self, other: Any) -> Tensor:
        if self._scalar_ok(other):
            return ew.MulScalar.apply(self, c=other)
        return ew.Mul.apply(*self._rpair(other))

    def __truediv__(self, other: Any) -> Tensor:
        if self._scalar_ok(other) and self.data.dtype.kind == "f":
            return ew.DivScalar.apply(self, c=other)
        return ew.Div.apply(*self._pair(other))

    def __rtruediv__(self, other: Any) -> Tensor:
        if self._scalar_ok(other) and self.data.dtype.kind == "f":
            return ew.RDivScalar.apply(self, c=other)
        return ew.Div.apply(*self._rpair(other))

    def __pow__(self, exponent: Any) -> Tensor:
        if isinstance(exponent, numbers.Number) and not isinstance(exponent, bool):
            if self.data.dtype.kind != "f" and isinstance(exponent, float):
                return ew.PowScalar.apply(self.float(), exponent=exponent)
            return ew.PowScalar.apply(self, exponent=_plain_number(exponent))
        return ew.Pow.apply(*self._pair(exponent))

    def __rpow__(self, base: Any) -> Tensor:
        if isinstance(base, numbers.Number):
            x = self if self.data.dtype.kind == "f" or not isinstance(base, float) else self.float()
            return ew.RPowScalar.apply(x, base=_plain_number(base))
        return ew.Pow.apply(*self._rpair(base))

    def __neg__(self) -> Tensor:
        return self.neg()

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return self.abs()

    # -- arithmetic methods -------------------------------------------------------------------
    def add(self, other: Any, alpha: float = 1) -> Tensor:
        """self + alpha * other."""
        return self + (other * alpha if alpha != 1 else other)

    def sub(self, other: Any, alpha: float = 1) -> Tensor:
        """self - alpha * other."""
        return self - (other * alpha if alpha != 1 else other)

    def mul(self, other: Any) -> Tensor:
        """self * other, broadcasting."""
        return self * other

    def div(self, other: Any) -> Tensor:
        """self / other (true division: integer inputs give float32)."""
        return self / other

    def pow(self, exponent: Any) -> Tensor:
        """self ** exponent, elementwise."""
        return self**exponent

    def neg(self) -> Tensor:
        """-self (refused on bool tensors, as PyTorch: use ~ or logical_not)."""
        if self.data.dtype == np.bool_:
            raise RuntimeError("neg: Negation, the `-` operator, on a bool tensor is not "
                               "supported. If you are trying to invert a mask, use the `~` or "
                               "`logical_not()` operator instead.")
        return ew.Neg.apply(self)

    # -- unary functions ----------------------------------------------------------------------
    def exp(self) -> Tensor:
        """e ** self."""
        return ew.Exp.apply(self._floating())

    def log(self) -> Tensor:
        """Natural logarithm."""
        return ew.Log.apply(self._floating())

    def log1p(self) -> Tensor:
        """log(1 + self), accurate near 0."""
        return ew.Log1p.apply(self._floating())

    def sqrt(self) -> Tensor:
        """Square root."""
        return ew.Sqrt.apply(self._floating())

    def rsqrt(self) -> Tensor:
        """1 / sqrt(self)."""
        return 1.0 / self.sqrt()

    def square(self) -> Tensor:
        """self * self (bool squares to int64, as PyTorch)."""
        x = self.long() if self.data.dtype == np.bool_ else self
        return x * x

    def reciprocal(self) -> Tensor:
        """1 / self."""
        return 1.0 / self._floating()

    def abs(self) -> Tensor:
        """|self| (gradient 0 at 0, as PyTorch)."""
        return ew.Abs.apply(self._not_bool("abs"))

    def sin(self) -> Tensor:
        """Sine."""
        return ew.Sin.apply(self._floating())

    def cos(self) -> Tensor:
        """Cosine."""
        return ew.Cos.apply(self._floating())

    def tanh(self) -> Tensor:
        """Hyperbolic tangent."""
        return act.Tanh.apply(self._floating())

    def sigmoid(self) -> Tensor:
        """The logistic function 1 / (1 + e ** -self)."""
        return act.Sigmoid.apply(self._floating())

    def relu(self) -> Tensor:
        """max(self, 0) (gradient 0 at 0, as PyTorch)."""
        return act.Relu.apply(self)

    def erf(self) -> Tensor:
        """The Gauss error function (PyTorch's algorithm, so float32 agrees to the last bit)."""
        return sp.Erf.apply(self._floating())

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """Limit values to [min, max]; either bound may be None or a tensor."""
        if min is None and max is None:
            raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
        if isinstance(min, node.Tensor) or isinstance(max, node.Tensor):
            out = self if min is None else self.maximum(as_tensor_like(min, self))
            return out if max is None else out.minimum(as_tensor_like(max, self))
        if any(isinstance(v, (float, np.floating)) for v in (min, max)):
            return ew.Clamp.apply(self._floating(), min=min, max=max)  # int + float -> float32
        return ew.Clamp.apply(self, min=min, max=max)

    clip = clamp

    def maximum(self, other: Tensor) -> Tensor:
        """Elementwise larger of self and other (a tie splits the gradient)."""
        return ew.Maximum.apply(*self._pair(other))

    def minimum(self, other: Tensor) -> Tensor:
        """Elementwise smaller of self and other (a tie splits the gradient)."""
        return ew.Minimum.apply(*self._pair(other))

    # -- piecewise constant: zero gradient ----------------------------------------------------
    def sign(self) -> Tensor:
        """-1, 0 or 1 by the sign of each element (a bool stays itself); gradient 0."""
        return ew.PiecewiseConstant.apply(self, fn=np.copy if self.data.dtype == np.bool_
                                          else np.sign)

    def floor(self) -> Tensor:
        """Round down; gradient 0."""
        return ew.PiecewiseConstant.apply(self._not_bool("floor"), fn=np.floor)

    def ceil(self) -> Tensor:
        """Round up; gradient 0."""
        return ew.PiecewiseConstant.apply(self._not_bool("ceil"), fn=np.ceil)

    def round(self, decimals: int = 0) -> Tensor:
        """Round half to even at `decimals` places; gradient 0."""
        return ew.PiecewiseConstant.apply(self._not_bool("round"),
                                          fn=lambda x: np.round(x, decimals))

    def trunc(self) -> Tensor:
        """Round towards zero; gradient 0."""
        return ew.PiecewiseConstant.apply(self._not_bool("trunc"), fn=np.trunc)

    # -- in place -----------------------------------------------------------------------------
    def add_(self, other: Any, alpha: float = 1) -> Tensor:
        """In-place self += alpha * other."""
        return self._inplace(ew.Add, np.add, other * alpha if alpha != 1 else other)

    def sub_(self, other: Any, alpha: float = 1) -> Tensor:
        """In-place self -= alpha * other."""
        return self._inplace(ew.Sub, np.subtract, other * alpha if alpha != 1 else other)

    def mul_(self, other: Any) -> Tensor:
        """In-place self *= other."""
        return self._inplace(ew.Mul, np.multiply, other)

    def div_(self, other: Any) -> Tensor:
        """In-place self /= other."""
        return self._inplace(ew.Div, np.true_divide, other)

    def pow_(self, exponent: float) -> Tensor:
        """In-place self **= exponent."""
        return self._inplace(ew.PowScalar, None, exponent=exponent)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """In-place clamp."""
        return self._inplace(ew.Clamp, None, min=min, max=max)

    def copy_(self, src: Any) -> Tensor:
        """Write src (broadcast, cast to self's dtype) into self; recorded when a graph is built."""
        src = src if isinstance(src, node.Tensor) else as_tensor_like(src, self)
        try:
            np.broadcast_to(src.data, self.data.shape)
        except ValueError:
            raise RuntimeError(
                f"copy_: source of shape {tuple(src.data.shape)} does not broadcast to "
                f"destination of shape {tuple(self.data.shape)}"
            ) from None
        if _State.enabled and (self._requires_grad or src._requires_grad):
            return self._inplace(CopyFrom, None, src.to(self.dtype))
        np.copyto(self.data, src.data, casting="unsafe")
        self._bump_version()
        return self

    def zero_(self) -> Tensor:
        """Fill with zeros in place."""
        return self.fill_(0)

    def fill_(self, value: Any) -> Tensor:
        """Fill with one value in place (a 0-d tensor value passes its gradient on)."""
        if isinstance(value, node.Tensor):
            if value.ndim != 0:
                raise RuntimeError(f"fill_: only supports 0-dimension value tensor but got "
                                   f"tensor with {value.ndim} dimensions")
            return self.copy_(value)
        return self._inplace(ew.Fill, None, value=value)

    def uniform_(self, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
        """Fill in place with draws from U(a, b) (PyTorch's stream for the same seed)."""
        return self._fill_random(lambda g: g.uniform(self.data.shape, a, b, self.data.dtype),
                                 generator)

    def normal_(self, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
        """Fill in place with draws from N(mean, std^2) (PyTorch's stream for the same seed)."""
        return self._fill_random(lambda g: g.normal(self.data.shape, mean, std, self.data.dtype),
                                 generator)

    def _fill_random(self, draw: Callable, generator: Any) -> Tensor:
        return self.copy_(constant(draw(generator or random.default_generator)))

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_
