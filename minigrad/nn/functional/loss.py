"""Losses in the functional API, with PyTorch's names, arguments, reductions, warnings and
formulas (so losses agree to float rounding)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from minigrad.autograd.grad_mode import is_grad_enabled
from minigrad.autograd.node import constant
from minigrad.creation import where
from minigrad.dtypes import promote_tensors
from minigrad.ops.loss import BCEWithLogits, BinaryCrossEntropy, Huber
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


def _same_size(input: Tensor, target: Tensor, op: str) -> tuple:  # noqa: A002
    """input and target broadcast together, with PyTorch's warning when they differ in shape
    (expanded first, as PyTorch: then neither is 0-d, so both take part in type promotion)."""
    if target.data.shape == input.data.shape:
        return input, target
    warnings.warn(
        f"{op}: Using a target size ({tuple(target.shape)}) that is different to the input "
        f"size ({tuple(input.shape)}). This will likely lead to incorrect results due to "
        "broadcasting. Please ensure they have the same size.", stacklevel=3)
    try:
        shape = np.broadcast_shapes(input.data.shape, target.data.shape)
    except ValueError:
        raise RuntimeError(f"{op}: The size of tensor a {tuple(input.shape)} must match the size "
                           f"of tensor b {tuple(target.shape)}") from None
    return input.expand(shape), target.expand(shape)


def _result_dtype(input: Tensor, target: Tensor) -> np.dtype:  # noqa: A002
    """The dtype input and target promote to (PyTorch's rules, 0-d tensors weaker)."""
    return promote_tensors(input.data.dtype, input.ndim == 0, target.data.dtype, target.ndim == 0)


def _need_float(op: str, kernel: str, dtype: np.dtype, shown: Tensor) -> None:
    """PyTorch's NotImplementedError where its loss kernel has no integer or bool version."""
    if np.dtype(dtype).kind != "f":
        raise NotImplementedError(f'{op}: "{kernel}" not implemented for {shown.dtype} (input '
                                  f"of shape {tuple(shown.shape)})")


def _no_grad_arg(op: str, name: str, t: Tensor | None) -> None:
    """PyTorch's fused losses take no gradient for weight-like arguments: they refuse one that
    requires grad (while grad mode is on)."""
    if t is not None and t.requires_grad and is_grad_enabled():
        raise RuntimeError(f"{op}: the function is not differentiable with respect to argument "
                           f"'{name}' (shape {tuple(t.shape)}); it cannot have requires_grad=True")


def _class_weight(op: str, weight: Tensor | None, n_classes: int, input: Tensor,  # noqa: A002
                  fused: bool = True) -> None:
    """A class-weight vector: n_classes entries; for the fused nll kernel also no grad and the
    input's dtype."""
    if weight is None:
        return
    if weight.data.size != n_classes:
        raise RuntimeError(f"{op}: weight tensor should be defined either for all {n_classes} "
                           f"classes or no classes but got weight tensor of shape: "
                           f"{list(weight.data.shape)}")
    if fused:
        _no_grad_arg(op, "weight", weight)
        if weight.data.dtype != input.data.dtype:
            raise RuntimeError(f"{op}: expected scalar type {input.dtype} but found "
                               f"{weight.dtype} (weight of shape {tuple(weight.shape)})")


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean squared error: (x - y)^2, reduced."""
    input, target = _same_size(input, target, "mse_loss")  # noqa: A001
    _need_float("mse_loss", "mse_cpu", _result_dtype(input, target), input)
    diff = input - target
    return _reduce(diff * diff, reduction, "mse_loss")


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean absolute error: |x - y|, reduced."""
    input, target = _same_size(input, target, "l1_loss")  # noqa: A001
    return _reduce((input - target).abs(), reduction, "l1_loss")


def smooth_l1_loss(input: Tensor, target: Tensor, reduction: str = "mean",  # noqa: A002
                   beta: float = 1.0) -> Tensor:
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (Huber divided by beta)."""
    input, target = _same_size(input, target, "smooth_l1_loss")  # noqa: A001
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    if beta == 0:  # PyTorch's l1_loss, gradient sign(d)
        return l1_loss(input, target, reduction)
    dtype = _result_dtype(input, target)
    _need_float("smooth_l1_loss", "smooth_l1_cpu", dtype, input)
    x, y = _cast(input, target, dtype)
    loss = Huber.apply(x, y, delta=beta, scale=1.0 / beta)
    return _reduce(loss, reduction, "smooth_l1_loss")


def _cast(input: Tensor, target: Tensor, dtype: np.dtype) -> tuple:  # noqa: A002
    """input and target (of one shape) cast to dtype, for the fused pointwise ops."""
    return input.to(dtype), target.to(dtype)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean",  # noqa: A002
               delta: float = 1.0) -> Tensor:
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta)."""
    input, target = _same_size(input, target, "huber_loss")  # noqa: A001
    if delta <= 0:
        raise RuntimeError(f"huber_loss: delta must be positive, got {delta}")
    dtype = _result_dtype(input, target)
    _need_float("huber_loss", "huber_cpu", dtype, input)
    if input.data.dtype.kind != "f":  # the result takes the input's dtype, as PyTorch's kernel
        raise RuntimeError(f"huber_loss: result type {dtype} can't be cast to the desired "
                           f"output type {input.dtype} (input of shape {tuple(input.shape)})")
    x, y = _cast(input, target, input.data.dtype)
    return _reduce(Huber.apply(x, y, delta=delta), reduction, "huber_loss")


def _in_unit_interval(a: np.ndarray) -> bool:
    """All of a in [0, 1] (a NaN fails, as in PyTorch's check); two reductions, no temporaries."""
    return a.size == 0 or bool(np.minimum.reduce(a, axis=None) >= 0
                               and np.maximum.reduce(a, axis=None) <= 1)


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                         reduction: str = "mean") -> Tensor:
    """-w [y log p + (1 - y) log(1 - p)] on probabilities p, each log clamped at -100."""
    if target.data.shape != input.data.shape:
        raise ValueError(
            f"binary_cross_entropy: Using a target size ({tuple(target.shape)}) that is different "
            f"to the input size ({tuple(input.shape)}) is deprecated. Please ensure they have "
            "the same size."
        )
    _need_float("binary_cross_entropy", "binary_cross_entropy", input.data.dtype, input)
    if target.data.dtype != input.data.dtype:
        raise RuntimeError(f"binary_cross_entropy: Found dtype {target.dtype} but expected "
                           f"{input.dtype} (target of shape {tuple(target.shape)})")
    _no_grad_arg("binary_cross_entropy", "weight", weight)
    for name, t in (("input", input), ("target", target)):
        if not _in_unit_interval(t.data):
            raise RuntimeError(f"binary_cross_entropy: all elements of {name} should be between "
                               f"0 and 1 ({name} of shape {tuple(t.shape)})")
    loss = BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = _weighted(loss, weight.to(loss.dtype), "binary_cross_entropy")
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
    op = "binary_cross_entropy_with_logits"
    _need_float(op, "log_sigmoid_cpu", input.data.dtype, input)
    if target.data.dtype == np.bool_:
        raise RuntimeError(f"{op}: Subtraction, the `-` operator, with two bool tensors is not "
                           f"supported (target of shape {tuple(target.shape)})")
    if target.data.dtype.kind != "f":  # the loss is computed in (and takes) the target's dtype
        raise RuntimeError(f"{op}: result type {input.dtype} can't be cast to the desired "
                           f"output type {target.dtype} (target of shape {tuple(target.shape)})")
    _no_grad_arg(op, "weight", weight)
    _no_grad_arg(op, "pos_weight", pos_weight)
    dt = target.data.dtype
    pw = ()
    if pos_weight is not None:
        _fits(target, pos_weight, op)
        pw = (pos_weight.to(dt),)
    loss = BCEWithLogits.apply(input.to(dt), target, *pw)
    if weight is not None:
        loss = _weighted(loss, weight.to(dt), op)
    return _reduce(loss, reduction, "binary_cross_entropy_with_logits")


def _fits(loss: Tensor, weight: Tensor, op: str) -> None:
    """weight may broadcast to the loss's shape but never enlarge it."""
    shape = np.broadcast_shapes(loss.data.shape, np.shape(weight.data))
    if shape != loss.data.shape:
        raise RuntimeError(f"{op}: output with shape {list(loss.data.shape)} doesn't match the "
                           f"broadcast shape {list(shape)} (weight of shape "
                           f"{tuple(np.shape(weight.data))})")


def _weighted(loss: Tensor, weight: Tensor, op: str) -> Tensor:
    """loss * weight, where weight may broadcast to the loss's shape but never enlarge it."""
    _fits(loss, weight, op)
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
    weights of the non-ignored targets, as PyTorch. Ignored samples add 0 and get gradient 0
    (also when every target is ignored and the mean is 0 / 0)."""
    if target.data.dtype.kind not in "iu":
        raise RuntimeError(f"nll_loss: expected target of class indices (int64), got "
                           f"{target.dtype}")
    kernel = "nll_loss2d_forward_out_frame" if input.ndim > 2 else "nll_loss_out_frame"
    _need_float("nll_loss", kernel, input.data.dtype, input)
    batch_shape = target.data.shape
    expected = (input.data.shape[:1] + input.data.shape[2:]) if input.ndim > 1 else ()
    if batch_shape != expected and not (input.ndim == 1 and batch_shape == (1,)):
        raise ValueError(
            f"nll_loss: expected target of shape {expected} for input of shape "
            f"{tuple(input.shape)}, got {tuple(batch_shape)}"
        )
    n_classes = input.data.shape[1 if input.ndim > 1 else 0]
    _class_weight("nll_loss", weight, n_classes, input)
    scores = _class_last(input).reshape(-1, n_classes)
    labels = target.data.reshape(-1)
    kept = labels != ignore_index
    if np.any((labels[kept] < 0) | (labels[kept] >= n_classes)):
        bad = labels[kept][(labels[kept] < 0) | (labels[kept] >= n_classes)][0]
        raise IndexError(f"nll_loss: target {bad} is out of bounds for {n_classes} classes")
    safe = np.where(kept, labels, 0)
    picked = scores.gather(1, Tensor._make(safe[:, None])).reshape(-1)
    # where, not a zero weight: an ignored sample's score may be inf, and 0 * inf is NaN
    picked = where(Tensor._make(kept), picked, 0.0)
    w = (np.ones(n_classes, dtype=input.data.dtype) if weight is None else weight.data)[safe]
    w = np.where(kept, w, 0).astype(input.data.dtype)
    losses = -picked * constant(w)
    if reduction == "none":
        return losses.reshape(expected)
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
    if label_smoothing > 1.0:  # PyTorch accepts a negative one (and then ignores it)
        raise RuntimeError(f"cross_entropy: label_smoothing must be between 0.0 and 1.0, got "
                           f"{label_smoothing}")
    if input.ndim == 1 and target.data.dtype.kind != "f":  # unbatched: (C,) and a 0-d target
        loss = cross_entropy(input.unsqueeze(0), target.reshape(1), weight, ignore_index,
                             reduction, label_smoothing)
        return loss.reshape(()) if reduction == "none" else loss
    class_dim = 0 if input.ndim == 1 else 1
    n_classes = input.data.shape[class_dim]
    probs = target.data.dtype.kind == "f"
    _class_weight("cross_entropy", weight, n_classes, input, fused=not probs)
    logp = input.log_softmax(class_dim)
    w_shape = [1] * input.ndim
    w_shape[class_dim] = n_classes
    if probs:  # class probabilities
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
    if label_smoothing <= 0:
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
    if input.data.dtype.kind not in "fc" or target.data.dtype.kind not in "fc":
        raise RuntimeError(f"kl_div: Integral inputs not supported (input {input.dtype}, "
                           f"target {target.dtype})")
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
