"""minigrad.nn.functional: the stateless layer API (activations, linear, dropout, losses),
with PyTorch's names, arguments and formulas (so losses agree to float rounding)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from minigrad import random
from minigrad.autograd.node import constant
from minigrad.creation import where

# The layer families' functions live in their own modules and are re-exported here as F.*.
from minigrad.nn.functional_conv import (  # noqa: F401
    conv1d,
    conv2d,
    conv_transpose1d,
    conv_transpose2d,
    fold,
    pad,
    unfold,
)
from minigrad.nn.functional_norm import batch_norm, embedding, group_norm, layer_norm, rms_norm  # noqa: F401
from minigrad.nn.functional_pool import (  # noqa: F401
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)
from minigrad.ops import elementwise as ew
from minigrad.ops import linalg
from minigrad.ops.loss import BinaryCrossEntropy
from minigrad.tensor import Tensor

# -- activations ---------------------------------------------------------------------------------


def relu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002 - PyTorch's names
    return input.relu()


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:  # noqa: A002
    return ew.LeakyRelu.apply(input, slope=negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    return ew.Elu.apply(input, alpha=alpha)


def sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:  # noqa: A002
    return input.tanh()


def gelu(input: Tensor, approximate: str = "none") -> Tensor:  # noqa: A002
    """Gaussian error linear unit: x * Phi(x), exact (erf) or with the tanh approximation."""
    from minigrad.ops.special import Gelu

    return Gelu.apply(input, approximate=approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """x * sigmoid(x) (also called swish)."""
    return input * input.sigmoid()


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:  # noqa: A002
    """log(1 + e^(beta x)) / beta, and x itself where beta x > threshold (as PyTorch)."""
    scaled = input * beta if beta != 1 else input
    soft = ew.LogSigmoid.apply(-scaled).neg()  # log(1 + e^z) = -log sigmoid(-z), stable
    soft = soft / beta if beta != 1 else soft
    return where(scaled > threshold, input, soft)


def log_sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    return ew.LogSigmoid.apply(input)


logsigmoid = log_sigmoid


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:  # noqa: A002
    return input.softmax(_softmax_dim(input, dim, "softmax"), dtype=dtype)


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:  # noqa: A002
    return input.log_softmax(_softmax_dim(input, dim, "log_softmax"), dtype=dtype)


def _softmax_dim(input: Tensor, dim: int | None, op: str) -> int:  # noqa: A002
    if dim is not None:
        return dim
    warnings.warn(f"Implicit dimension choice for {op} has been deprecated. Change the call to "
                  "include dim=X as an argument.", stacklevel=3)
    return 0 if input.ndim in (0, 1, 3) else 1


# -- layers --------------------------------------------------------------------------------------


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


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """Zero each element with probability p and scale the rest by 1/(1-p), in training only.
    The mask comes from minigrad's generator exactly as PyTorch draws it (bernoulli(1-p))."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    keep = random.default_generator.bernoulli(input.data.shape, 1.0 - p, input.data.dtype)
    keep /= input.data.dtype.type(1.0 - p)
    return input * constant(keep)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Integer class indices (...) to a 0/1 int64 tensor of shape (..., num_classes)."""
    labels = tensor.data
    if labels.dtype.kind not in "iu":
        raise RuntimeError(f"one_hot: expected an integer tensor of class indices, got "
                           f"{tensor.dtype}")
    if num_classes == -1:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise RuntimeError(f"one_hot: class values must be in [0, {num_classes}), got values "
                           f"from {labels.min()} to {labels.max()}")
    return Tensor._make((labels[..., None] == np.arange(num_classes)).astype(np.int64))


# -- losses --------------------------------------------------------------------------------------


def _reduce(loss: Tensor, reduction: str, op: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{op}: {reduction} is not a valid value for reduction "
                     "(use 'none', 'mean' or 'sum')")


def _check_same_size(input: Tensor, target: Tensor, op: str) -> None:  # noqa: A002
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
        loss = loss * weight
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
    log_sig = ew.LogSigmoid.apply(input)
    if pos_weight is not None:
        log_sig = log_sig * ((pos_weight - 1.0) * target + 1.0)
    loss = (1.0 - target) * input - log_sig
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction, "binary_cross_entropy_with_logits")


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


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:  # noqa: A002
    """x / max(||x||_p, eps) along dim."""
    return input / input.norm(p, dim=dim, keepdim=True).clamp(min=eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """x1 . x2 / max(|x1| |x2|, eps) along dim."""
    dot = (x1 * x2).sum(dim)
    norms = ((x1 * x1).sum(dim) * (x2 * x2).sum(dim)).clamp(min=eps * eps).sqrt()
    return dot / norms


# Families written on top of the functions above (imported last: they use linear and dropout).
from minigrad.nn.functional_attention import (  # noqa: E402, F401 - re-exported as F.*
    multi_head_attention_forward,
    scaled_dot_product_attention,
)
