"""PyTorch-style dtype objects over NumPy dtypes, and the promotion rules minigrad follows."""

from __future__ import annotations

import numbers

import numpy as np


class dtype:  # noqa: N801  (lower case, like torch.dtype)
    """A tensor element type: wraps a NumPy dtype and prints like PyTorch's (`minigrad.float32`)."""

    __slots__ = ("np", "name", "is_floating_point", "itemsize")

    def __init__(self, np_dtype: type, name: str) -> None:
        self.np = np.dtype(np_dtype)
        self.name = name
        self.is_floating_point = self.np.kind == "f"
        self.itemsize = self.np.itemsize

    def __repr__(self) -> str:
        return f"minigrad.{self.name}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, dtype):
            return self.np == other.np
        try:
            return self.np == np.dtype(other)  # lets `t.dtype == np.float32` work too
        except TypeError:
            return NotImplemented

    def __hash__(self) -> int:
        return hash(self.np)


float16 = dtype(np.float16, "float16")
float32 = dtype(np.float32, "float32")
float64 = dtype(np.float64, "float64")
uint8 = dtype(np.uint8, "uint8")
int8 = dtype(np.int8, "int8")
int16 = dtype(np.int16, "int16")
int32 = dtype(np.int32, "int32")
int64 = dtype(np.int64, "int64")
bool_ = dtype(np.bool_, "bool")

_BY_NUMPY = {d.np: d for d in (float16, float32, float64, uint8, int8, int16, int32, int64, bool_)}
DEFAULT_FLOAT = np.dtype(np.float32)


def from_numpy_dtype(np_dtype: np.dtype) -> dtype:
    """The minigrad dtype for a NumPy dtype; errors name the unsupported type."""
    try:
        return _BY_NUMPY[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(f"minigrad has no dtype for numpy {np.dtype(np_dtype)}") from None


def to_numpy_dtype(d: object) -> np.dtype:
    """Accept a minigrad dtype, a NumPy dtype, a Python type (float -> float32, like torch)."""
    if isinstance(d, dtype):
        return d.np
    if d is float:
        return DEFAULT_FLOAT
    if d is int:
        return np.dtype(np.int64)
    if d is bool:
        return np.dtype(np.bool_)
    return from_numpy_dtype(np.dtype(d)).np


# -- promotion: PyTorch's result dtype of an op on two operands, in one place -----------------
BOOL, INTEGRAL, FLOATING = 0, 1, 2  # categories: a higher category always wins


def category(np_dtype: np.dtype) -> int:
    """bool < integer < floating point: the order PyTorch promotes across."""
    return FLOATING if np_dtype.kind == "f" else (BOOL if np_dtype.kind == "b" else INTEGRAL)


def promote_tensors(a: np.dtype, a_0d: bool, b: np.dtype, b_0d: bool) -> np.dtype:
    """Tensor-tensor promotion: category first (bool < int < float); within one category a 0-d
    tensor adopts the other's dtype; otherwise the wider dtype wins. Across categories the higher
    one's dtype wins even when it is 0-d (int64 (3,) + float64 () is float64: only Python
    numbers fall back to the default float32)."""
    ca, cb = category(a), category(b)
    if ca != cb:
        return a if ca > cb else b
    if a_0d and not b_0d:
        return b
    if b_0d and not a_0d:
        return a
    return np.promote_types(a, b)


def number_category(value: object) -> int:
    """The category of a Python (or NumPy scalar) number; other types are refused."""
    if isinstance(value, (bool, np.bool_)):
        return BOOL
    if isinstance(value, numbers.Integral):
        return INTEGRAL
    if isinstance(value, numbers.Real):
        return FLOATING
    if isinstance(value, numbers.Number):
        raise TypeError(f"minigrad does not support {type(value).__name__} numbers")
    raise TypeError(f"unsupported operand type for a Tensor op: {type(value).__name__}")


def promote_with_number(tensor_dtype: np.dtype, value: object) -> np.dtype:
    """Tensor-number promotion: the number adopts the tensor's dtype unless it is of a higher
    category, when the default dtype of its category wins (int tensor * 0.5 is float32)."""
    cat = number_category(value)
    if cat <= category(tensor_dtype):
        return tensor_dtype
    return DEFAULT_FLOAT if cat == FLOATING else np.dtype(np.int64)


def promote_many(np_dtypes: list) -> np.dtype:
    """The result dtype of joining several tensors (cat): the highest category wins (int64 with
    float32 gives float32, where NumPy would widen to float64); within it, the wider dtype."""
    top = max(category(d) for d in np_dtypes)
    return np.result_type(*[d for d in np_dtypes if category(d) == top])


def promote_operands(operands: list) -> np.dtype:
    """The result dtype of an op on several tensors, given as (dtype, is 0-d) pairs (clamp with
    tensor bounds): the dimensioned tensors promote among themselves, and the 0-d ones count
    only when their category is higher (float32 (3,) with a float64 () bound stays float32)."""
    dims = [d for d, zero_d in operands if not zero_d]
    zeros = [d for d, zero_d in operands if zero_d]
    if not dims:
        return promote_many(zeros)
    out = promote_many(dims)
    if zeros:
        z = promote_many(zeros)
        if category(z) > category(out):
            return z
    return out


def can_cast(src: np.dtype, dst: np.dtype) -> bool:
    """PyTorch's rule for writing a result into an existing tensor (in-place ops): never down a
    category (a float result into an integer tensor, an integer one into a bool tensor)."""
    return category(src) <= category(dst)


def check_cast(result: np.dtype, dst: np.dtype, op: str, shape: tuple = ()) -> None:
    """PyTorch's rule for writing a result into an existing tensor (in-place ops): never down a
    category (a float result into an integer tensor, an integer one into a bool tensor);
    narrowing within a category (int64 into uint8) is allowed. Raises naming op and shape."""
    if not can_cast(result, dst):
        raise RuntimeError(f"{op}: result type {from_numpy_dtype(result)} can't be cast to the "
                           f"desired output type {from_numpy_dtype(dst)}: cannot write the "
                           f"result into a tensor of dtype {dst.name} and shape {tuple(shape)}")


def wrap_int(value: int, np_dtype: np.dtype) -> np.ndarray:
    """A Python int as PyTorch hands it to an integer kernel: wrapped to the dtype's width, so
    uint8 + 300 adds 44 and uint8 + -1 adds 255 (NumPy would raise OverflowError)."""
    return np.array(value, dtype=np.int64).astype(np_dtype)


def number_array(value: object, np_dtype: np.dtype) -> np.ndarray:
    """A Python number as a 0-d array of np_dtype (a binary op's other operand), ints wrapped."""
    if np_dtype.kind in "iu" and isinstance(value, numbers.Integral):
        return wrap_int(int(value), np_dtype)
    return np.asarray(value, dtype=np_dtype)


def checked_int(op: str, value: int, np_dtype: np.dtype) -> int:
    """An integer argument converted with PyTorch's overflow check (clamp bounds, alpha): in
    range for the dtype, where an unsigned dtype also takes negatives down to -max (they wrap:
    uint8 clamp(-3) is clamp(253)); out of range is an error."""
    if np_dtype.kind == "b":
        return bool(value)
    info = np.iinfo(np_dtype)
    low = -int(info.max) if info.min == 0 else int(info.min)
    if not low <= value <= info.max:
        raise RuntimeError(f"{op}: value {value!r} cannot be converted to type "
                           f"{from_numpy_dtype(np_dtype)} without overflow")
    return int(wrap_int(int(value), np_dtype))
