"""Tensor methods with bool results and no gradient: isnan/isinf/isfinite, the comparison
operators, bitwise and logical operators. Operands are promoted as for arithmetic."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad.autograd.node import broadcast_error, constant
from minigrad.methods.operands import tensor_arg

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


class CompareMethods:
    """Mixin of `Tensor`: tests, comparisons and logic."""

    __slots__ = ()

    # -- tests, comparisons and logic: bool results, not differentiable ----------------------
    def isnan(self) -> Tensor:
        """True where the element is NaN."""
        return constant(np.isnan(self.data))

    def isinf(self) -> Tensor:
        """True where the element is +inf or -inf."""
        return constant(np.isinf(self.data))

    def isfinite(self) -> Tensor:
        """True where the element is neither inf nor NaN."""
        return constant(np.isfinite(self.data))

    def _compare(self, other: Any, ufunc: Any) -> Tensor:
        a, b = self._pair(other)
        return constant(_broadcasting(ufunc, a.data, b.data, _NAMES[ufunc.__name__]))

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.equal)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.not_equal)

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(other, np.less)

    def __le__(self, other: Any) -> Tensor:
        return self._compare(other, np.less_equal)

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(other, np.greater)

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(other, np.greater_equal)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__
    __hash__ = object.__hash__  # a Tensor hashes by identity, as in PyTorch

    def _bitwise(self, other: Any, ufunc: Any, op: str) -> Tensor:
        a, b = self._pair(other)
        if a.data.dtype.kind not in "biu":
            raise TypeError(f"{op}: only bool and integer tensors are supported, got {a.dtype}")
        return constant(_broadcasting(ufunc, a.data, b.data, op))

    def __and__(self, other: Any) -> Tensor:
        return self._bitwise(other, np.bitwise_and, "&")

    def __or__(self, other: Any) -> Tensor:
        return self._bitwise(other, np.bitwise_or, "|")

    def __xor__(self, other: Any) -> Tensor:
        return self._bitwise(other, np.bitwise_xor, "^")

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def __invert__(self) -> Tensor:
        if self.data.dtype.kind not in "biu":
            raise TypeError(f"~: only bool and integer tensors are supported, got {self.dtype}")
        return constant(~self.data)

    def logical_not(self) -> Tensor:
        """Elementwise NOT of the truth values."""
        return constant(np.logical_not(self.data))

    def logical_and(self, other: Tensor) -> Tensor:
        """Elementwise AND of the truth values (other must be a tensor, as in PyTorch)."""
        other = tensor_arg(other, "logical_and")
        return constant(_broadcasting(np.logical_and, self.data, other.data, "logical_and"))

    def logical_or(self, other: Tensor) -> Tensor:
        """Elementwise OR of the truth values (other must be a tensor, as in PyTorch)."""
        other = tensor_arg(other, "logical_or")
        return constant(_broadcasting(np.logical_or, self.data, other.data, "logical_or"))


_NAMES = {"equal": "eq", "not_equal": "ne", "less": "lt", "less_equal": "le", "greater": "gt",
          "greater_equal": "ge"}


def _broadcasting(ufunc: Any, a: np.ndarray, b: np.ndarray, op: str) -> np.ndarray:
    """ufunc(a, b), with PyTorch's message (naming op) when the shapes do not broadcast."""
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise broadcast_error(op, (a.shape, b.shape)) from None
    return ufunc(a, b)
