"""Losses in the functional API, with PyTorch's names, arguments, reductions, warnings and
formulas (so losses agree to float rounding)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from minigrad.autograd.node import constant
from minigrad.creation import where
from minigrad.ops import activation as act
from minigrad.ops.loss import BinaryCrossEntropy
from minigrad.tensor import Tensor


def _reduce(loss: Tensor, reduction: str, op: str) -> Tensor:
    """The per-element loss averaged, summed or kept, as `reduction` says."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{op}: {reduction} is not a valid value for reduction "
                     "(use 'none', 'mean' or 'sum')")


def _check_same_size(input: Tensor, target: Tensor, op: str) -> None:  # noqa: A002
    """PyTorch's warning when the target would broadcast against the input."""
    if target.data.shape != input.data.shape:
        warnings.warn(
            f"{op}: Using a target size ({tuple(target.shape)}) that is different to the input "
            f"size ({tuple(input.shape)}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.", stacklevel=3)


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean squared error: (x - y)^2, reduced."""
    _check_same_size(input, target, "mse_loss")
    diff = input - target
    return _reduce(diff * diff, reduction, "mse_loss")


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean absolute error: |x - y|, reduced."""
    _check_same_size(input, target, "l1_loss")
    return _reduce((input - target).abs(), reduction, "l1_loss")


def smooth_l1_loss(input: Tensor, target: Tensor, reduction: str = "mean",  # noqa: A002
                   beta: float = 1.0) -> Tensor:
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (Huber divided by beta)."""
    _check_same_size(input, target, "smooth_l1_loss")
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    d = (input - target).abs()
    if beta == 0:
        return _reduce(d, reduction, "smooth_l1_loss")
    loss = where(d < beta, d * d * (0.5 / beta), d - 0.5 * beta)
    return _reduce(loss, reduction, "smooth_l1_loss")


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean",  # noqa: A002
               delta: float = 1.0) -> Tensor:
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta)."""
    _check_same_size(input, target, "huber_loss")
    if delta <= 0:
        raise RuntimeError(f"huber_loss: delta must be positive, got {delta}")
    d = (input - target).abs()
    loss = where(d < delta, d * d * 0.5, (d - 0.5 * delta) * delta)
    return _reduce(loss, reduction, "huber_loss")


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                         reduction: str = "mean") -> Tensor:
    """-w [y log p + (1 - y) log(1 - p)] on probabilities p, each log clamped at -100."""
    if target.data.shape != input.data.shape:
        raise ValueError(
            f"binary_cross_entropy: Using a target size ({tuple(target.shape)}) that is different "
            f"to the input size ({tuple(input.shape)}) is deprecated. Please ensure they have "
            "the same size."
        )
    if input.data.size and (input.data.min() < 0 or input.data.max() > 1):
        raise RuntimeError("binary_cross_entropy: all elements of input should be between 0 and 1")
    loss = BinaryCrossEntropy.apply(input, target.to(input.dtype))
    if weight is not None:
        loss = _weighted(loss, weight, "binary_cross_entropy")
    return _reduce(loss, reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,  # noqa: A002
                                     weight: Tensor | None = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """BCE on logits x, stable for any x: (1 - y) x - [1 + (pw - 1) y] log sigmoid(x)."""
    if target.data.shape != input.data.shape:
        raise ValueError(
            f"binary_cross_entropy_with_logits: Target size ({tuple(target.shape)}) must be the "
            f"same as input size ({tuple(input.shape)})"
        )
    log_sig = act.LogSigmoid.apply(input)
    if pos_weight is not None:
        log_sig = _weighted(log_sig, (pos_weight - 1.0) * target + 1.0,
                            "binary_cross_entropy_with_logits")
    loss = (1.0 - target) * input - log_sig
    if weight is not None:
        loss = _weighted(loss, weight, "binary_cross_entropy_with_logits")
    return _reduce(loss, reduction, "binary_cross_entropy_with_logits")


def _weighted(loss: Tensor, weight: Tensor, op: str) -> Tensor:
    """loss * weight, where weight may broadcast to the loss's shape but never enlarge it."""
    shape = np.broadcast_shapes(loss.data.shape, np.shape(weight.data))
    if shape != loss.data.shape:
        raise RuntimeError(f"{op}: output with shape {list(loss.data.shape)} doesn't match the "
                           f"broadcast shape {list(shape)} (weight of shape "
                           f"{tuple(np.shape(weight.data))})")
    return loss * weight


def _class_last(t: Tensor) -> Tensor:
    """(N, C, d1, ...) -> (N * d1 * ..., C), so that class scores sit on the last axis."""
    if t.ndim <= 2:
        return t
    order = (0,) + tuple(range(2, t.ndim)) + (1,)
    return t.permute(*order).reshape(-1, t.data.shape[1])


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
             ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    """-w[y] * input[y] per sample (input holds log-probabilities); mean divides by the summed
    weights of the non-ignored targets, as PyTorch."""
    if target.data.dtype.kind not in "iu":
        raise RuntimeError(f"nll_loss: expected target of class indices (int64), got "
                           f"{target.dtype}")
    batch_shape = target.data.shape
    expected = (input.data.shape[:1] + input.data.shape[2:]) if input.ndim > 1 else ()
    if batch_shape != expected:
        raise ValueError(
            f"nll_loss: expected target of shape {expected} for input of shape "
            f"{tuple(input.shape)}, got {tuple(batch_shape)}"
        )
    scores = _class_last(input).reshape(-1, input.data.shape[1 if input.ndim > 1 else 0])
    labels = target.data.reshape(-1)
    n_classes = scores.data.shape[1]
    kept = labels != ignore_index
    if np.any((labels[kept] < 0) | (labels[kept] >= n_classes)):
        bad = labels[kept][(labels[kept] < 0) | (labels[kept] >= n_classes)][0]
        raise IndexError(f"nll_loss: target {bad} is out of bounds for {n_classes} classes")
    safe = np.where(kept, labels, 0)
    picked = scores.gather(1, Tensor._make(safe[:, None])).reshape(-1)
    w = (np.ones(n_classes, dtype=input.data.dtype) if weight is None else weight.data)[safe]
    w = np.where(kept, w, 0).astype(input.data.dtype)
    losses = -picked * constant(w)
    if reduction == "none":
        return losses.reshape(batch_shape)
    if reduction == "sum":
        return losses.sum()
    if reduction == "mean":
        return losses.sum() / constant(np.asarray(w.sum(dtype=input.data.dtype)))
    return _reduce(losses, reduction, "nll_loss")


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                  ignore_index: int = -100, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """log_softmax over the class dim (1, or 0 for unbatched input) followed by nll_loss, for
    class-index targets; for probability targets -sum(y log_softmax(x)) per sample."""
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"cross_entropy: label_smoothing must be between 0.0 and 1.0, got "
                           f"{label_smoothing}")
    if input.ndim == 1 and target.data.dtype.kind != "f":  # unbatched: (C,) and a 0-d target
        loss = cross_entropy(input.unsqueeze(0), target.reshape(1), weight, ignore_index,
                             reduction, label_smoothing)
        return loss.reshape(()) if reduction == "none" else loss
    class_dim = 0 if input.ndim == 1 else 1
    n_classes = input.data.shape[class_dim]
    logp = input.log_softmax(class_dim)
    w_shape = [1] * input.ndim
    w_shape[class_dim] = n_classes
    if target.data.dtype.kind == "f":  # class probabilities
        if target.data.shape != input.data.shape:
            raise RuntimeError(
                f"cross_entropy: probability target of shape {tuple(target.shape)} must match "
                f"input of shape {tuple(input.shape)}"
            )
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / n_classes
        terms = logp * target
        if weight is not None:
            terms = terms * weight.reshape(w_shape)
        if reduction == "mean":
            return -terms.sum() / (input.data.size // n_classes)
        if reduction == "sum":
            return -terms.sum()
        if reduction == "none":
            return -terms.sum(class_dim)
        return _reduce(terms, reduction, "cross_entropy")
    nll = nll_loss(logp, target, weight, ignore_index, reduction)
    if label_smoothing == 0:
        return nll
    ignored = target.data == ignore_index
    per_class = logp * weight.reshape(w_shape) if weight is not None else logp
    smooth = (-per_class.sum(class_dim)).masked_fill(Tensor._make(ignored), 0.0)
    if reduction == "mean":
        if weight is not None:
            denom = weight.data[target.data[~ignored]].sum(dtype=input.data.dtype)
        else:
            denom = (~ignored).sum()
        smooth = smooth.sum() / constant(np.asarray(denom, dtype=input.data.dtype))
    elif reduction == "sum":
        smooth = smooth.sum()
    return nll * (1 - label_smoothing) + smooth * (label_smoothing / n_classes)


def kl_div(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """KL(target || exp(input)) pointwise: target (log target - input), 0 where target is 0.
    Use reduction='batchmean' for the true KL divergence per sample."""
    if log_target:
        loss = target.exp() * (target - input)
    else:
        positive = target.data > 0
        safe = where(Tensor._make(positive), target, 1.0)
        loss = target * safe.log() - target * input
    if reduction == "batchmean":
        return loss.sum() / (input.data.shape[0] if input.ndim else 1)
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size. 'batchmean' divides only by the batch size, and aligns "
                      "with the KL div math definition.", stacklevel=2)
    return _reduce(loss, reduction, "kl_div")
