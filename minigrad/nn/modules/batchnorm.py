"""Batch normalisation layers: BatchNorm1d, BatchNorm2d, BatchNorm3d, with PyTorch's
parameters, buffers (running_mean, running_var, num_batches_tracked), state-dict keys, momentum
rules and repr."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad.autograd.grad_mode import no_grad
from minigrad.nn.functional.norm import batch_norm
from minigrad.nn.modules.module import Module
from minigrad.nn.modules.normalization import register_affine, reset_affine
from minigrad.tensor import Tensor


def _filled(shape: tuple, value: float, dtype: Any) -> Tensor:
    np_dtype = dtypes.to_numpy_dtype(dtype) if dtype else np.float32
    return Tensor._make(np.full(shape, value, dtype=np_dtype))


class _BatchNorm(Module):
    """Shared by the BatchNorm layers, which differ only in the input ranks they accept.

    In training, each channel is normalised with its batch mean and biased variance, and
    running_mean/running_var are updated with `momentum` (the unbiased variance is stored;
    momentum=None means a cumulative average over num_batches_tracked batches). In eval the
    running statistics normalise, unless track_running_stats=False (then batch statistics)."""

    _ranks: tuple = ()
    _expected = ""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device: Any = None,
                 dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        register_affine(self, (num_features,), affine, bias, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", _filled((num_features,), 0.0, dtype))
            self.register_buffer("running_var", _filled((num_features,), 1.0, dtype))
            self.register_buffer("num_batches_tracked", Tensor._make(np.array(0, np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        reset_affine(self)

    def _check_input_dim(self, input: Tensor) -> None:  # noqa: A002
        if input.ndim not in self._ranks:
            raise ValueError(f"{type(self).__name__}: expected {self._expected} input (got "
                             f"{input.ndim}D input of shape {tuple(input.shape)})")

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            with no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked.item())
        use_batch_stats = self.training or (self.running_mean is None
                                            and self.running_var is None)
        # buffers are passed only when they are to be updated (train) or used (eval)
        track = not self.training or self.track_running_stats
        return batch_norm(input, self.running_mean if track else None,
                          self.running_var if track else None, self.weight, self.bias,
                          use_batch_stats, factor, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) or (N, C, L) inputs, per channel C."""

    _ranks = (2, 3)
    _expected = "2D or 3D"


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W) inputs, per channel C."""

    _ranks = (4,)
    _expected = "4D"


class BatchNorm3d(_BatchNorm):
    """Batch norm over (N, C, D, H, W) inputs, per channel C."""

    _ranks = (5,)
    _expected = "5D"
