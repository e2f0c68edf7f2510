"""Flatten parameters into one vector and back (in the order given)."""

from __future__ import annotations

from collections.abc import Iterable

from minigrad.creation import cat
from minigrad.tensor import Tensor


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """One 1-D tensor holding every parameter, flattened and concatenated (differentiable)."""
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of vec into the parameters (in place)."""
    if vec.ndim != 1:
        raise TypeError(
            f"vector_to_parameters: expected a 1-D vector, got shape {tuple(vec.shape)}"
        )
    params = list(parameters)
    total = sum(p.numel() for p in params)
    if vec.numel() != total:
        raise RuntimeError(f"vector_to_parameters: vector has {vec.numel()} elements, the "
                           f"parameters need {total}")
    start = 0
    for p in params:
        n = p.numel()
        p.data = vec.data[start:start + n].reshape(p.data.shape).astype(p.data.dtype)
        p._bump_version()
        start += n
