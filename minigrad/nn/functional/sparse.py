"""Sparse functions in the functional API: `embedding` (rows of a weight matrix picked by
integer indices, with PyTorch's padding_idx, max_norm and scale_grad_by_freq) and `one_hot`."""

from __future__ import annotations

import numpy as np

from minigrad.nn.functional._utils import _shape
from minigrad.ops.sparse import Embedding
from minigrad.tensor import Tensor


def _padding_index(padding_idx: int | None, num: int) -> int | None:
    """padding_idx checked and made non-negative, as PyTorch (which raises AssertionError)."""
    if padding_idx is None:
        return None
    if not -num <= padding_idx < num:
        raise AssertionError(f"embedding: Padding_idx must be within num_embeddings (got "
                             f"padding_idx={padding_idx} for {num} embeddings)")
    return padding_idx + num if padding_idx < 0 else padding_idx


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,  # noqa: A002
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of `weight` (num_embeddings, dim) picked by the integer `input`: (*) -> (*, dim).
    The padding_idx row gets no gradient; repeated indices accumulate theirs; with max_norm
    the rows looked up are first renormalised in place to norm <= max_norm, as PyTorch."""
    if weight.ndim != 2:
        raise RuntimeError(f"embedding: 'weight' must be 2-D, got shape {_shape(weight)}")
    if not isinstance(input, Tensor):
        raise TypeError(f"embedding: expected input to be a Tensor of indices, got "
                        f"{type(input).__name__}")
    indices = input.data
    if indices.dtype not in (np.int64, np.int32):
        raise RuntimeError(
            f"embedding: Expected tensor for argument #1 'indices' to have one of the following "
            f"scalar types: Long, Int; but got {input.dtype} (shape {_shape(input)})"
        )
    num = weight.data.shape[0]
    padding_idx = _padding_index(padding_idx, num)
    bad = (indices < 0) | (indices >= num)
    if bad.any():
        raise IndexError(
            f"embedding: index out of range in self: index {int(indices[bad].flat[0])} is not "
            f"in [0, {num}) for {num} embeddings (weight shape {_shape(weight)}, indices shape "
            f"{_shape(input)})"
        )
    if sparse:
        raise NotImplementedError("embedding: sparse gradients are not supported in minigrad; "
                                  "use sparse=False (dense gradients)")
    if max_norm is not None:
        _renorm_rows(weight, indices, float(max_norm), float(norm_type))
    return Embedding.apply(weight, indices=indices, padding_idx=padding_idx,
                           scale_by_freq=bool(scale_grad_by_freq))


def _renorm_rows(weight: Tensor, indices: np.ndarray, max_norm: float, norm_type: float) -> None:
    """In place, without recording: each looked-up row with norm > max_norm is scaled by
    max_norm / (norm + 1e-7) (PyTorch's embedding_renorm_)."""
    rows = np.unique(indices)
    picked = weight.data[rows]
    norms = np.linalg.norm(picked, ord=norm_type, axis=1).astype(np.float64)
    over = norms > max_norm
    if not over.any():
        return
    scale = (max_norm / (norms[over] + 1e-7)).astype(weight.data.dtype)
    weight.data[rows[over]] = picked[over] * scale[:, None]
    weight._bump_version()


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Integer class indices (...) to a 0/1 int64 tensor of shape (..., num_classes)."""
    labels = tensor.data
    if labels.dtype.kind not in "iu":
        raise RuntimeError(f"one_hot: expected an integer tensor of class indices, got "
                           f"{tensor.dtype}")
    if num_classes == -1:
        if not labels.size:
            raise RuntimeError(f"one_hot: Can not infer total number of classes from empty "
                               f"tensor (shape {tuple(tensor.shape)}); pass num_classes")
        num_classes = int(labels.max()) + 1
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise RuntimeError(f"one_hot: class values must be in [0, {num_classes}), got values "
                           f"from {labels.min()} to {labels.max()}")
    return Tensor._make((labels[..., None] == np.arange(num_classes)).astype(np.int64))
