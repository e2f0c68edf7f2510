"""Dropout in the functional API, drawing its mask from minigrad's one generator exactly as
PyTorch draws it, so that seeded runs agree."""

from __future__ import annotations

import numpy as np

from minigrad import random
from minigrad.autograd.node import constant
from minigrad.tensor import Tensor


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """Zero each element with probability p and scale the rest by 1/(1-p), in training only.
    The mask comes from minigrad's generator exactly as PyTorch draws it (bernoulli(1-p))."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:  # zeros in the input's dtype (a 0-d factor of that dtype keeps it)
        return input * constant(np.zeros((), input.data.dtype))
    keep = random.default_generator.bernoulli(input.data.shape, 1.0 - p, input.data.dtype)
    keep /= input.data.dtype.type(1.0 - p)
    return input * constant(keep)
