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

    def __deepcopy__(self, memo: dict) -> Parameter:
        """A new Parameter with copied data and the same requires_grad (no grad), as PyTorch;
        `copy.deepcopy(model)` relies on it (pickling, below, is refused)."""
        if id(self) not in memo:
            memo[id(self)] = type(self)(Tensor._make(self.data.copy()), self.requires_grad)
        return memo[id(self)]
