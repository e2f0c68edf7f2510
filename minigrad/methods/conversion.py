"""Tensor methods that change dtype or make new tensors like self: `to`, `float`/`long`/...,
`type`, `new_zeros`/`new_full`/..., and the one device, the CPU."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad import dtypes
from minigrad.autograd import node
from minigrad.autograd.node import constant
from minigrad.ops import elementwise as ew
from minigrad.ops.shape import shape_args

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


class device:  # noqa: N801 - PyTorch's name
    """Where a tensor lives. minigrad computes on the CPU only; 'cpu' is the one device."""

    def __init__(self, type: str = "cpu", index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type = type.type  # noqa: A001
        kind = str(type).split(":")[0]
        if kind != "cpu":
            raise RuntimeError(f"minigrad runs on the CPU only: device '{type}' is not available")
        self.type, self.index = "cpu", None

    def __repr__(self) -> str:
        return "device(type='cpu')"

    def __str__(self) -> str:
        return "cpu"

    def __eq__(self, other: object) -> bool:
        return str(other).split(":")[0] == "cpu"

    def __hash__(self) -> int:
        return hash("cpu")


CPU = device("cpu")


class ConversionMethods:
    """Mixin of `Tensor`: dtype and device conversions, and factories like self."""

    __slots__ = ()

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """`to(dtype)`, `to(device)`, `to(other)` or `to(device, dtype)`; a no-op when unchanged."""
        target = kwargs.get("dtype")
        for arg in list(args) + [kwargs.get("device")]:
            if isinstance(arg, node.Tensor):
                target = arg.dtype
            elif isinstance(arg, (str, device)):
                device(arg)  # validates: only the CPU exists
            elif arg is not None:
                target = arg
        if target is None or dtypes.to_numpy_dtype(target) == self.data.dtype:
            return self
        if dtypes.to_numpy_dtype(target).kind != "f":  # int/bool results are not differentiable
            return constant(self.data.astype(dtypes.to_numpy_dtype(target)))
        return ew.Cast.apply(self, dtype=dtypes.to_numpy_dtype(target))

    def type(self, dtype: Any = None) -> Any:
        """The type name ('minigrad.FloatTensor'), or a cast to dtype."""
        if dtype is None:
            names = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
                     "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                     "bool": "Bool"}
            return f"minigrad.{names[self.dtype.name]}Tensor"
        return self.to(dtype)

    def cpu(self) -> Tensor:
        """Self: every tensor is on the CPU."""
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Tensor:
        """Refused: minigrad has no GPU backend."""
        raise RuntimeError("minigrad runs on the CPU only: cuda() is not available")

    def float(self) -> Tensor:
        """Cast to float32."""
        return self.to(dtypes.float32)

    def double(self) -> Tensor:
        """Cast to float64."""
        return self.to(dtypes.float64)

    def half(self) -> Tensor:
        """Cast to float16."""
        return self.to(dtypes.float16)

    def long(self) -> Tensor:
        """Cast to int64."""
        return self.to(dtypes.int64)

    def int(self) -> Tensor:
        """Cast to int32."""
        return self.to(dtypes.int32)

    def bool(self) -> Tensor:
        """Cast to bool."""
        return self.to(dtypes.bool_)

    def new_tensor(self, data: Any, dtype: Any = None, **kw: Any) -> Tensor:
        """A new leaf from data, in self's dtype unless given."""
        return constant(np.array(data, dtype=dtypes.to_numpy_dtype(dtype or self.dtype)))

    def new_zeros(self, *size: Any, dtype: Any = None, **kw: Any) -> Tensor:
        """Zeros of the given size, in self's dtype unless given."""
        return self.new_full(shape_args(size, "new_zeros"), 0, dtype=dtype)

    def new_ones(self, *size: Any, dtype: Any = None, **kw: Any) -> Tensor:
        """Ones of the given size, in self's dtype unless given."""
        return self.new_full(shape_args(size, "new_ones"), 1, dtype=dtype)

    def new_full(
        self, size: Sequence[int], fill_value: Any, dtype: Any = None, **kw: Any
    ) -> Tensor:
        """fill_value everywhere, in self's dtype unless given."""
        np_dtype = dtypes.to_numpy_dtype(dtype or self.dtype)
        return constant(np.full(tuple(size), fill_value, dtype=np_dtype))

    def new_empty(self, *size: Any, dtype: Any = None, **kw: Any) -> Tensor:
        """A tensor of the given size (zero-filled), in self's dtype unless given."""
        return self.new_full(shape_args(size, "new_empty"), 0, dtype=dtype)
