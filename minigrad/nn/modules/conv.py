"""Convolution layers: Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d, with PyTorch's
arguments, attributes, state-dict keys (weight, bias), repr and default initialisation (the
same draws in the same order, so after manual_seed the weights equal PyTorch's)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad.nn import functional as F
from minigrad.nn import init
from minigrad.nn.modules.module import Module
from minigrad.nn.parameter import Parameter
from minigrad.tensor import Tensor

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _tuple(value: Any, n: int) -> tuple:
    """PyTorch's _single/_pair: an int repeated n times; a sequence kept as a tuple."""
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * n


def _empty(shape: tuple, dtype: Any) -> Tensor:
    return Tensor._make(np.empty(shape, dtype=dtypes.to_numpy_dtype(dtype) if dtype
                                 else np.float32))


class _ConvNd(Module):
    """Shared by the convolutions: checks, parameters, reset_parameters and extra_repr."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: tuple, stride: tuple,
                 padding: str | tuple, dilation: tuple, transposed: bool,
                 output_padding: tuple, groups: int, bias: bool, padding_mode: str,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 "{'valid', 'same'}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {set(_PADDING_MODES)}, but got "
                             f"padding_mode='{padding_mode}'")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.dilation, self.transposed, self.output_padding = dilation, transposed, output_padding
        self.groups, self.padding_mode = groups, padding_mode
        # F.pad's argument for the non-zero padding modes (last dim first, begin and end)
        if isinstance(padding, str):
            self._reversed_padding_repeated_twice = [0, 0] * len(kernel_size)
            if padding == "same":
                last_first = range(len(kernel_size) - 1, -1, -1)
                for d, k, i in zip(dilation, kernel_size, last_first, strict=True):
                    total = d * (k - 1)
                    self._reversed_padding_repeated_twice[2 * i] = total // 2
                    self._reversed_padding_repeated_twice[2 * i + 1] = total - total // 2
        else:
            self._reversed_padding_repeated_twice = [p for p in reversed(padding) for _ in (0, 1)]
        if transposed:
            shape = (in_channels, out_channels // groups) + tuple(kernel_size)
        else:
            shape = (out_channels, in_channels // groups) + tuple(kernel_size)
        self.weight = Parameter(_empty(shape, dtype))
        if bias:
            self.bias = Parameter(_empty((out_channels,), dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Weight U(-b, b) with b = 1/sqrt(fan_in) (kaiming_uniform_ with a=sqrt(5)); bias
        U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = weight.shape[1] * prod(kernel_size)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        s = "{in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}"
        if self.padding != (0,) * len(self.padding):
            s += ", padding={padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += ", dilation={dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += ", output_padding={output_padding}"
        if self.groups != 1:
            s += ", groups={groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += ", padding_mode={padding_mode}"
        return s.format(**self.__dict__)


class _Conv(_ConvNd):
    _dims = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        n = self._dims
        super().__init__(in_channels, out_channels, _tuple(kernel_size, n), _tuple(stride, n),
                         padding if isinstance(padding, str) else _tuple(padding, n),
                         _tuple(dilation, n), False, _tuple(0, n), groups, bias, padding_mode,
                         device, dtype)

    def _conv_forward(self, input: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:  # noqa: A002
        conv = F.conv1d if self._dims == 1 else F.conv2d
        if self.padding_mode != "zeros":
            padded = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return conv(padded, weight, bias, self.stride, 0, self.dilation, self.groups)
        return conv(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_Conv):
    """1-D convolution over (N, C_in, L) (or unbatched (C_in, L)) -> (N, C_out, L_out)."""

    _dims = 1


class Conv2d(_Conv):
    """2-D convolution over (N, C_in, H, W) (or unbatched (C_in, H, W)) -> (N, C_out, H', W')."""

    _dims = 2


class _ConvTranspose(_ConvNd):
    _dims = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for '
                             f"{type(self).__name__}")
        n = self._dims
        super().__init__(in_channels, out_channels, _tuple(kernel_size, n), _tuple(stride, n),
                         _tuple(padding, n), _tuple(dilation, n), True, _tuple(output_padding, n),
                         groups, bias, padding_mode, device, dtype)

    def _output_padding(self, input: Tensor, output_size: Any) -> tuple:  # noqa: A002
        """output_padding, or the one that makes the output output_size (PyTorch's rule)."""
        if output_size is None:
            return self.output_padding
        n = self._dims
        output_size = list(output_size)
        batched = input.ndim == n + 2
        if len(output_size) == n + (2 if batched else 1):
            output_size = output_size[-n:]
        if len(output_size) != n:
            raise ValueError(f"ConvTranspose{n}D: for {input.ndim}D input, output_size must have "
                             f"{n} or {n + (2 if batched else 1)} elements (got "
                             f"{len(output_size)})")
        lows = [(input.shape[-n + d] - 1) * self.stride[d] - 2 * self.padding[d]
                + self.dilation[d] * (self.kernel_size[d] - 1) + 1 for d in range(n)]
        highs = [lo + s - 1 for lo, s in zip(lows, self.stride, strict=True)]
        for size, lo, hi in zip(output_size, lows, highs, strict=True):
            if not lo <= size <= hi:
                raise ValueError(f"requested an output size of {output_size}, but valid sizes "
                                 f"range from {lows} to {highs} (for an input of "
                                 f"{list(input.shape[-n:])})")
        return tuple(size - lo for size, lo in zip(output_size, lows, strict=True))

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:  # noqa: A002
        conv = F.conv_transpose1d if self._dims == 1 else F.conv_transpose2d
        return conv(input, self.weight, self.bias, self.stride, self.padding,
                    self._output_padding(input, output_size), self.groups, self.dilation)


class ConvTranspose1d(_ConvTranspose):
    """1-D transposed convolution: (N, C_in, L) -> (N, C_out, L_out), weight
    (C_in, C_out/groups, k)."""

    _dims = 1


class ConvTranspose2d(_ConvTranspose):
    """2-D transposed convolution: (N, C_in, H, W) -> (N, C_out, H', W'), weight
    (C_in, C_out/groups, kH, kW); output_size= in forward picks the output_padding."""

    _dims = 2
