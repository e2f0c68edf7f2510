"""Normalisation in the functional API: batch_norm, layer_norm, group_norm, rms_norm and
normalize, with PyTorch's signatures, checks and running-statistics updates. Each norm is one
fused op of minigrad/ops/norm.py (BatchNorm, LayerNorm, GroupNorm, RMSNorm)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from minigrad.nn.functional._utils import _check_kernel_dtype, _shape
from minigrad.ops.norm import BatchNorm, GroupNorm, LayerNorm, RMSNorm, moments
from minigrad.tensor import Tensor


def _same_dtype(op: str, input: Tensor, *others: Tensor | None) -> None:  # noqa: A002
    """PyTorch's mixed-dtype error: statistics and parameters share the input's dtype."""
    for other in others:
        if other is not None and other.data.dtype != input.data.dtype:
            raise RuntimeError(
                f"{op}: mixed dtype (CPU): all inputs must share same datatype "
                f"(input {input.dtype}, got {other.dtype} of shape {_shape(other)})"
            )


def _verify_batch_size(op: str, size: Sequence[int]) -> None:
    """PyTorch's check: training statistics need more than one value per channel."""
    values = size[0] * math.prod(size[2:])
    if values == 1:
        raise ValueError(f"{op}: Expected more than 1 value per channel when training, got "
                         f"input size {list(size)}")


def _affine(weight: Tensor | None, bias: Tensor | None) -> tuple:
    """The parameters that are given, and which ones they are: (has weight, has bias)."""
    params = tuple(p for p in (weight, bias) if p is not None)
    return params, (weight is not None, bias is not None)


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,  # noqa: A002
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dim 1) over the batch and spatial dims. In training the batch
    statistics normalise (biased variance) and, when given, running_mean/running_var are
    updated in place with `momentum` (the unbiased variance, as PyTorch); otherwise the running
    statistics normalise."""
    shape = _shape(input)
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected input with at least 2 dims (N, C, *), got "
                         f"shape {shape}")
    _check_kernel_dtype("batch_norm", input)
    channels = shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and t.data.size != channels:
            raise RuntimeError(f"batch_norm: {name} should contain {channels} elements not "
                               f"{t.data.size} (input shape {shape}, {name} shape {_shape(t)})")
    _same_dtype("batch_norm", input, running_mean, running_var, weight, bias)
    if training:
        _verify_batch_size("batch_norm", shape)
        if eps <= 0.0:
            raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    elif eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    view = (shape[0], channels, math.prod(shape[2:]))
    pview = (1, channels, 1)
    params, affine = _affine(weight, bias)
    if training:
        mean, var = moments(input.data.reshape(view), (0, 2))
        # an empty batch has no statistics: PyTorch leaves the running ones as they are
        if (running_mean is not None or running_var is not None) and input.data.size:
            _update_running(running_mean, running_var, mean, var, view[0] * view[2], momentum)
        return BatchNorm.apply(input, *params, mean=mean, var=var, eps=eps, affine=affine,
                               training=True)
    if running_mean is None or running_var is None:
        raise RuntimeError("batch_norm: running_mean and running_var must be defined in "
                           "evaluation mode (training=False)")
    # a copy: the op keeps the mean for backward, and the buffer may change meanwhile
    mean, var = running_mean.data.reshape(pview).copy(), running_var.data.reshape(pview)
    return BatchNorm.apply(input, *params, mean=mean, var=var, eps=eps, affine=affine,
                           training=False)


def _update_running(running_mean: Tensor | None, running_var: Tensor | None, mean: np.ndarray,
                    var: np.ndarray, count: int, momentum: float) -> None:
    """running = (1 - momentum) * running + momentum * batch statistic, in place; the variance
    folded in is the unbiased one (Bessel's correction)."""
    if running_mean is not None:
        new = momentum * mean.reshape(running_mean.data.shape) \
            + (1 - momentum) * running_mean.data
        np.copyto(running_mean.data, new)
        running_mean._bump_version()
    if running_var is not None:
        unbiased = var * (count / (count - 1))
        new = momentum * unbiased.reshape(running_var.data.shape) \
            + (1 - momentum) * running_var.data
        np.copyto(running_var.data, new)
        running_var._bump_version()


def _normalized_shape(op: str, input: Tensor, normalized_shape: int | Sequence[int],  # noqa: A002
                      weight: Tensor | None, bias: Tensor | None) -> tuple:
    """normalized_shape as a tuple, checked against the input's trailing dims and the
    parameters' shapes (PyTorch's messages, with the op's name)."""
    if isinstance(normalized_shape, (int, np.integer)):
        normalized_shape = (int(normalized_shape),)
    ns = tuple(int(n) for n in normalized_shape)
    shape = _shape(input)
    if len(ns) == 0 or shape[len(shape) - len(ns):] != ns or len(ns) > len(shape):
        star = "*, " if op == "layer_norm" else "*"
        raise RuntimeError(
            f"{op}: Given normalized_shape={list(ns)}, expected input with shape "
            f"[{star}{', '.join(map(str, ns))}], but got input of size {list(shape)}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and _shape(t) != ns:
            raise RuntimeError(
                f"{op}: Expected {name} to be of same shape as normalized_shape, but got "
                f"{name} of shape {list(_shape(t))} and normalized_shape = {list(ns)}"
            )
    return ns


def layer_norm(input: Tensor, normalized_shape: int | Sequence[int],  # noqa: A002
               weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalise over the trailing `normalized_shape` dims (biased variance), then scale and
    shift elementwise by weight and bias of that shape."""
    _check_kernel_dtype("layer_norm", input)
    ns = _normalized_shape("layer_norm", input, normalized_shape, weight, bias)
    _same_dtype("layer_norm", input, weight, bias)
    params, affine = _affine(weight, bias)
    return LayerNorm.apply(input, *params, dims=len(ns), eps=eps, affine=affine)


def rms_norm(input: Tensor, normalized_shape: int | Sequence[int],  # noqa: A002
             weight: Tensor | None = None, eps: float | None = None) -> Tensor:
    """x / sqrt(mean(x^2) + eps) over the trailing dims, times weight; eps defaults to the
    machine epsilon of the input's dtype, as PyTorch."""
    _check_kernel_dtype("rms_norm", input)
    ns = _normalized_shape("rms_norm", input, normalized_shape, weight, None)
    if weight is not None and weight.data.dtype != input.data.dtype:
        common = np.result_type(input.data.dtype, weight.data.dtype)  # PyTorch promotes here
        input, weight = input.to(common), weight.to(common)  # noqa: A001
    if eps is None:
        eps = float(np.finfo(input.data.dtype).eps)
    return RMSNorm.apply(input, *(() if weight is None else (weight,)), dims=len(ns), eps=eps)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,  # noqa: A002
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Split the channels (dim 1) into num_groups groups and normalise each group of each
    sample over its channels and spatial dims; then a per-channel scale and shift."""
    shape = _shape(input)
    if input.ndim < 2:
        raise RuntimeError(f"group_norm: Expected at least 2 dimensions for input tensor but "
                           f"received {input.ndim} (shape {shape})")
    _check_kernel_dtype("group_norm", input)
    channels = shape[1]
    if num_groups <= 0 or channels % num_groups:
        raise RuntimeError(
            f"group_norm: Expected number of channels in input to be divisible by num_groups, "
            f"but got input of shape {list(shape)} and num_groups={num_groups}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.ndim != 1 or t.data.size != channels):
            raise RuntimeError(
                f"group_norm: Expected {name} to be a vector of size equal to the number of "
                f"channels in input, but got {name} of shape {list(_shape(t))} and input of "
                f"shape {list(shape)}"
            )
    _same_dtype("group_norm", input, weight, bias)
    _verify_batch_size("group_norm", [shape[0] * channels // num_groups, num_groups,
                                      *shape[2:]])
    params, affine = _affine(weight, bias)
    return GroupNorm.apply(input, *params, groups=num_groups, eps=eps, affine=affine)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:  # noqa: A002
    """x / max(||x||_p, eps) along dim."""
    return input / input.norm(p, dim=dim, keepdim=True).clamp(min=eps)
