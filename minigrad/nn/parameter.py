"""`Parameter`: a Tensor that a Module registers as learnable when assigned as an attribute."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor with `requires_grad=True` by default; Modules collect these."""

    __slots__ = ()

    def __new__(cls, data: Any = None, requires_grad: bool = True) -> Parameter:
        if data is None:
            array = np.empty(0, dtype=np.float32)
        elif isinstance(data, Tensor):
            array = data.data
        else:
            array = np.asarray(data, dtype=np.float32)
        param = cls._make(array)
        param.requires_grad = requires_grad
        return param

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        pass  # everything happens in __new__ (Tensor.__init__ would replace the data)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise TypeError("minigrad does not pickle tensors; use minigrad.save (safetensors)")
