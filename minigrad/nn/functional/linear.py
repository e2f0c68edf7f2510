"""The affine layer in the functional API: `linear`, y = x W^T + b (one fused op)."""

from __future__ import annotations

from minigrad.ops import linalg
from minigrad.tensor import Tensor


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:  # noqa: A002
    """y = x W^T + b, for x of shape (..., in_features) and W of (out_features, in_features)."""
    if weight.data.dtype != input.data.dtype:
        raise RuntimeError(
            f"linear: expected input and weight to have the same dtype, but got {input.dtype} "
            f"and {weight.dtype}"
        )
    if bias is None:
        return linalg.Linear.apply(input, weight)
    return linalg.Linear.apply(input, weight, bias)
