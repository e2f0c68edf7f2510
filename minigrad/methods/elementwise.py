"""Tensor methods for elementwise math (`minigrad/ops/elementwise.py`): arithmetic and its
operators, unary functions and their in-place forms (operands and argument checks are in
operands.py, comparisons and logic in compare.py)."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad import dtypes, random
from minigrad.autograd import node
from minigrad.autograd.grad_mode import _State
from minigrad.autograd.node import constant
from minigrad.methods.operands import (
    OperandMethods,
    as_tensor_like,
    no_bool_pow,
    plain_number,
    tensor_arg,
)
from minigrad.ops import activation as act
from minigrad.ops import elementwise as ew
from minigrad.ops import special as sp
from minigrad.ops.shape import CopyFrom

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


class ElementwiseMethods(OperandMethods):
    """Mixin of `Tensor`: the elementwise methods and operators."""

    __slots__ = ()

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
        self._no_bool_sub(other, "sub")
        return ew.Sub.apply(*self._pair(other))

    def __rsub__(self, other: Any) -> Tensor:
        if self._scalar_ok(other):
            return ew.RSubScalar.apply(self, c=other)
        self._no_bool_sub(other, "rsub")
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
        return ew.Div.apply(*self._div_pair(other))

    def __rtruediv__(self, other: Any) -> Tensor:
        if self._scalar_ok(other) and self.data.dtype.kind == "f":
            return ew.RDivScalar.apply(self, c=other)
        return ew.Div.apply(*reversed(self._div_pair(other)))

    def __pow__(self, exponent: Any) -> Tensor:
        if isinstance(exponent, numbers.Number):
            target = dtypes.promote_with_number(self.data.dtype, exponent)
            exponent = plain_number(exponent)
            if target.kind in "biu" and exponent < 0:
                raise RuntimeError(f"pow: Integers to negative integer powers are not allowed "
                                   f"(exponent {exponent}, input dtype {self.dtype})")
            if target.kind != "b" and isinstance(exponent, bool):
                exponent = int(exponent)
            return ew.PowScalar.apply(self.to(target), exponent=exponent)
        return ew.Pow.apply(*no_bool_pow(*self._pair(exponent)))

    def __rpow__(self, base: Any) -> Tensor:
        if isinstance(base, numbers.Number):
            target = dtypes.promote_with_number(self.data.dtype, base)
            no_bool_pow(self.to(target))
            return ew.RPowScalar.apply(self.to(target), base=plain_number(base))
        return ew.Pow.apply(*no_bool_pow(*self._rpair(base)))

    def __neg__(self) -> Tensor:
        return self.neg()

    def __pos__(self) -> Tensor:
        if self.data.dtype == np.bool_:
            raise RuntimeError(f"pos: The `+` operator, on a bool tensor is not supported "
                               f"(shape {tuple(self.data.shape)})")
        return self

    def __abs__(self) -> Tensor:
        return self.abs()

    # -- arithmetic methods -------------------------------------------------------------------
    def add(self, other: Any, alpha: float = 1) -> Tensor:
        """self + alpha * other."""
        if type(alpha) is int and alpha == 1:
            return self + other
        return ew.Add.apply(*self._scaled(other, alpha, "add"))

    def sub(self, other: Any, alpha: float = 1) -> Tensor:
        """self - alpha * other (refused on bool operands, as PyTorch)."""
        if type(alpha) is int and alpha == 1:
            return self - other
        self._no_bool_sub(other, "sub")
        return ew.Sub.apply(*self._scaled(other, alpha, "sub"))

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
        return act.Relu.apply(self._no_bool_relu())

    def relu_(self) -> Tensor:
        """In-place relu."""
        return self._no_bool_relu()._inplace(act.Relu, None)

    def _no_bool_relu(self) -> Tensor:
        if self.data.dtype == np.bool_:
            raise RuntimeError(f"relu: Boolean inputs not supported for relu (shape "
                               f"{tuple(self.data.shape)})")
        return self

    def erf(self) -> Tensor:
        """The Gauss error function (PyTorch's algorithm, so float32 agrees to the last bit)."""
        return sp.Erf.apply(self._floating())

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """Limit values to [min, max]: both bounds numbers or both tensors (either may be None);
        a value at a bound keeps its whole gradient, as in PyTorch."""
        x, tensors, options = self._clamp_args(min, max, "clamp")
        return ew.Clamp.apply(x, *tensors, **options)

    def clip(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """Alias of clamp."""
        x, tensors, options = self._clamp_args(min, max, "clip")
        return ew.Clamp.apply(x, *tensors, **options)

    def maximum(self, other: Tensor) -> Tensor:
        """Elementwise larger of self and other (a tie splits the gradient; NaN passes it)."""
        return ew.Maximum.apply(*self._pair(tensor_arg(other, "maximum")))

    def minimum(self, other: Tensor) -> Tensor:
        """Elementwise smaller of self and other (a tie splits the gradient; NaN passes it)."""
        return ew.Minimum.apply(*self._pair(tensor_arg(other, "minimum")))

    # -- piecewise constant: zero gradient ----------------------------------------------------
    def sign(self) -> Tensor:
        """-1, 0 or 1 by the sign of each element (NaN gives 0, a bool stays itself); gradient
        0."""
        return ew.PiecewiseConstant.apply(self, fn=np.copy if self.data.dtype == np.bool_
                                          else ew.sign_array)

    def floor(self) -> Tensor:
        """Round down; gradient 0."""
        return ew.PiecewiseConstant.apply(self._not_bool("floor"), fn=np.floor)

    def ceil(self) -> Tensor:
        """Round up; gradient 0."""
        return ew.PiecewiseConstant.apply(self._not_bool("ceil"), fn=np.ceil)

    def round(self, decimals: int | None = None) -> Tensor:
        """Round half to even at `decimals` places; gradient 0. Integer tensors round only
        without `decimals` (PyTorch has no integer kernel for that overload)."""
        if decimals is not None:
            self._float_only("round")
        return ew.PiecewiseConstant.apply(self._not_bool("round"), fn=lambda x: _round(x, decimals))

    def trunc(self) -> Tensor:
        """Round towards zero; gradient 0."""
        return ew.PiecewiseConstant.apply(self._not_bool("trunc"), fn=np.trunc)

    # -- in place -----------------------------------------------------------------------------
    def add_(self, other: Any, alpha: float = 1) -> Tensor:
        """In-place self += alpha * other."""
        other = self._inplace_operand(other, "add_")
        if not (type(alpha) is int and alpha == 1):
            other = self._scaled(other, alpha, "add_")[1]
        return self._inplace(ew.Add, np.add, other)

    def sub_(self, other: Any, alpha: float = 1) -> Tensor:
        """In-place self -= alpha * other."""
        self._no_bool_sub(other, "sub_")
        other = self._inplace_operand(other, "sub_")
        if not (type(alpha) is int and alpha == 1):
            other = self._scaled(other, alpha, "sub_")[1]
        return self._inplace(ew.Sub, np.subtract, other)

    def mul_(self, other: Any) -> Tensor:
        """In-place self *= other."""
        return self._inplace(ew.Mul, np.multiply, self._inplace_operand(other, "mul_"))

    def div_(self, other: Any) -> Tensor:
        """In-place self /= other (true division: refused on integer tensors, as PyTorch)."""
        self._check_inplace(np.dtype(np.float32), "div_")
        return self._inplace(ew.Div, np.true_divide, self._inplace_operand(other, "div_"))

    def pow_(self, exponent: Any) -> Tensor:
        """In-place self **= exponent (a number or a tensor)."""
        if isinstance(exponent, numbers.Number):
            target = dtypes.promote_with_number(self.data.dtype, exponent)
            self._check_inplace(target, "pow_")
            exponent = plain_number(exponent)
            if target.kind in "biu" and exponent < 0:
                raise RuntimeError(f"pow_: Integers to negative integer powers are not allowed "
                                   f"(exponent {exponent}, input dtype {self.dtype})")
            if target.kind != "b" and isinstance(exponent, bool):
                exponent = int(exponent)
            return self._inplace(ew.PowScalar, None, exponent=exponent)
        exponent = self._inplace_operand(exponent, "pow_")
        no_bool_pow(self, exponent)
        return self._inplace(ew.Pow, None, exponent)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """In-place clamp."""
        _, tensors, options = self._clamp_args(min, max, "clamp_", inplace=True)
        return self._inplace(ew.Clamp, None, *tensors, **options)

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
            # unlike copy_, an integer tensor filled with a grad value records it (PyTorch)
            src = value.to(self.dtype) if self.data.dtype.kind == "f" else value
            return self._inplace(CopyFrom, None, src)
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


def _round(x: np.ndarray, decimals: int | None) -> np.ndarray:
    """np.round; float16 with decimals is scaled in float32, as PyTorch's kernel."""
    if decimals and x.dtype == np.float16:
        return np.round(x.astype(np.float32), decimals).astype(np.float16)
    return np.round(x, decimals or 0)
