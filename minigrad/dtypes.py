"""PyTorch-style dtype objects over NumPy dtypes, and the promotion rules minigrad follows."""

from __future__ import annotations

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
