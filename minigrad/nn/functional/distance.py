"""Distance functions in the functional API: `cosine_similarity`."""

from __future__ import annotations

import numpy as np

from minigrad.autograd.node import constant
from minigrad.tensor import Tensor


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """sum((x1 / max(|x1|, eps)) * (x2 / max(|x2|, eps))) along dim, after broadcasting x1
    and x2 together: PyTorch's formula, whose clamp leaves the norm's gradient unchanged."""
    shape = np.broadcast_shapes(x1.data.shape, x2.data.shape)
    x1, x2 = x1.expand(shape), x2.expand(shape)
    return (x1 / _clamped_norm(x1, dim, eps) * (x2 / _clamped_norm(x2, dim, eps))).sum(dim)


def _clamped_norm(x: Tensor, dim: int, eps: float) -> Tensor:
    """|x| along dim (kept), its value clamped at eps as PyTorch does without recording it."""
    norm = x.norm(2, dim, keepdim=True)
    return norm + constant(np.maximum(norm.data, eps) - norm.data)
