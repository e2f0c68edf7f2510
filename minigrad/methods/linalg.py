"""Tensor methods for matrix products (`minigrad/ops/linalg.py`): matmul and its checked
forms mm, bmm and dot."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad.methods.operands import as_tensor_like
from minigrad.ops import linalg

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


class LinalgMethods:
    """Mixin of `Tensor`: the matrix products."""

    __slots__ = ()

    def matmul(self, other: Tensor) -> Tensor:
        """Matrix product with NumPy/PyTorch broadcasting of batch dims (1-D operands allowed)."""
        other = as_tensor_like(other, self)
        if other.data.dtype != self.data.dtype:
            raise RuntimeError(
                f"matmul: expected both operands to have the same dtype, but got {self.dtype} "
                f"{tuple(self.data.shape)} and {other.dtype} {tuple(other.data.shape)}"
            )
        if self.data.dtype == np.bool_:  # PyTorch has no bool kernel for any matrix product
            raise NotImplementedError(f"matmul: not implemented for 'Bool' (shapes "
                                      f"{tuple(self.shape)} and {tuple(other.shape)})")
        return linalg.MatMul.apply(self, other)

    def __matmul__(self, other: Tensor) -> Tensor:
        return self.matmul(other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return as_tensor_like(other, self).matmul(self)

    def mm(self, mat2: Tensor) -> Tensor:
        """Product of two 2-D matrices."""
        if self.ndim != 2 or mat2.ndim != 2:
            raise RuntimeError(f"mm: expected 2-D matrices, got shapes {tuple(self.shape)} and "
                               f"{tuple(mat2.shape)}")
        return self.matmul(mat2)

    def bmm(self, mat2: Tensor) -> Tensor:
        """Batched product of two 3-D tensors with the same batch size."""
        if self.ndim != 3 or mat2.ndim != 3 or self.data.shape[0] != mat2.data.shape[0]:
            raise RuntimeError(f"bmm: expected two 3-D batches of the same size, got shapes "
                               f"{tuple(self.shape)} and {tuple(mat2.shape)}")
        return self.matmul(mat2)

    def dot(self, other: Tensor) -> Tensor:
        """Inner product of two 1-D tensors."""
        if self.ndim != 1 or other.ndim != 1:
            raise RuntimeError(
                f"dot: 1D tensors expected, but got {self.ndim}D and {other.ndim}D tensors"
            )
        return self.matmul(other)
