"""Convolution, padding and fold/unfold in the functional API (pooling is in pool.py), with
PyTorch's names, arguments, output sizes and checks. The ops (minigrad.ops.conv) work on
(N, C, H, W); here arguments are validated and normalised, unbatched inputs gain a batch dim
and 1-D inputs an H = 1 dim, and the results are shaped back."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.nn.functional._utils import _as2d, _check_float, _check_kernel_dtype, _lift, _ntuple
from minigrad.ops.conv import Col2Im, ConstantPad, Convolution, ConvTranspose, Im2Col, out_size
from minigrad.ops.index import GetItem
from minigrad.tensor import Tensor


# -- argument helpers ----------------------------------------------------------------------------
def _conv_padding(padding: Any, kernel: tuple, stride: tuple, dilation: tuple,
                  op: str) -> list[tuple[int, int]]:
    """(begin, end) per dim; 'same' splits d*(k-1) as PyTorch does (the extra one at the end)."""
    if isinstance(padding, str):
        if padding == "valid":
            return [(0, 0)] * len(kernel)
        if padding != "same":
            raise RuntimeError(f"{op}: invalid padding string {padding!r}, "
                               "should be one of {'valid', 'same'}")
        if any(s != 1 for s in stride):
            raise RuntimeError(f"{op}: padding='same' is not supported for strided convolutions")
        total = [d * (k - 1) for k, d in zip(kernel, dilation, strict=True)]
        return [(t // 2, t - t // 2) for t in total]
    return [(p, p) for p in _ntuple(padding, len(kernel), "padding", op)]


def _check_geometry(op: str, stride: tuple, dilation: tuple, pads: list) -> None:
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"{op}: non-positive stride is not supported (stride={stride})")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"{op}: dilation should be greater than zero, but got {dilation}")
    if any(p < 0 for pair in pads for p in pair):
        raise RuntimeError(f"{op}: negative padding is not supported")


def _check_weight(op: str, x: Tensor, weight: Tensor, bias: Tensor | None, dims: int,
                  groups: int, transposed: bool) -> None:
    w = tuple(weight.shape)
    layout = "in_channels, out_channels/groups" if transposed else \
        "out_channels, in_channels/groups"
    if weight.ndim != dims + 2:
        raise RuntimeError(f"{op}: expected weight with {dims + 2} dims ({layout}, *kernel), "
                           f"got shape {w}")
    if groups <= 0:
        raise RuntimeError(f"{op}: non-positive groups is not supported (groups={groups})")
    if w[0] % groups:
        raise RuntimeError(f"{op}: given groups={groups}, expected weight to be divisible by "
                           f"{groups} at dimension 0, but got weight of size {list(w)}")
    channels = w[0] if transposed else w[1] * groups
    if x.shape[1] != channels:
        raise RuntimeError(
            f"{op}: given groups={groups}, weight of size {list(w)}, expected input "
            f"{list(x.shape)} to have {channels} channels, but got {x.shape[1]} channels instead")
    outs = w[1] * groups if transposed else w[0]
    if bias is not None and tuple(bias.shape) != (outs,):
        raise RuntimeError(f"{op}: given weight of size {list(w)}, expected bias to be "
                           f"1-dimensional with {outs} elements, but got bias of size "
                           f"{list(bias.shape)} instead")


# -- convolution ---------------------------------------------------------------------------------
def _conv(input: Tensor, weight: Tensor, bias: Tensor | None, stride: Any, padding: Any,  # noqa: A002
          dilation: Any, groups: int, dims: int, op: str) -> Tensor:
    x, restore = _lift(input, dims, op)
    _check_weight(op, x, weight, bias, dims, groups, transposed=False)
    kernel = tuple(weight.shape[2:])
    stride, dilation = _ntuple(stride, dims, "stride", op), _ntuple(dilation, dims, "dilation", op)
    # PyTorch's CPU kernel takes integers, but its dilated one only floats
    _check_float(op, input, weight, bias, kinds="f" if max(dilation) > 1 else "fiu")
    pads = _conv_padding(padding, kernel, stride, dilation, op)
    _check_geometry(op, stride, dilation, pads)
    spatial = tuple(input.shape[-dims:])
    padded = [n + lo + hi for n, (lo, hi) in zip(spatial, pads, strict=True)]
    if any(p < d * (k - 1) + 1 for p, k, d in zip(padded, kernel, dilation, strict=True)):
        raise RuntimeError(f"{op}: calculated padded input size per channel: {tuple(padded)}. "
                           f"Kernel size: {kernel}. Kernel size can't be greater than actual "
                           f"input size (input {tuple(input.shape)}, weight "
                           f"{tuple(weight.shape)})")
    w = weight if dims == 2 else weight.unsqueeze(2)
    pads = _as2d(tuple(pads), (0, 0))
    out = Convolution.apply(x, w, *(() if bias is None else (bias,)),
                            stride=_as2d(stride, 1), padding=pads[0] + pads[1],
                            dilation=_as2d(dilation, 1), groups=groups)
    return restore(out)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,  # noqa: A002
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D cross-correlation: (N, C_in, L) with weight (C_out, C_in/groups, k) -> (N, C_out, L')."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,  # noqa: A002
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D cross-correlation: (N, C_in, H, W) with weight (C_out, C_in/groups, kH, kW) ->
    (N, C_out, H', W'). padding: int, tuple, 'valid' or 'same' (stride 1)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def _conv_transpose(input: Tensor, weight: Tensor, bias: Tensor | None, stride: Any,  # noqa: A002
                    padding: Any, output_padding: Any, groups: int, dilation: Any, dims: int,
                    op: str) -> Tensor:
    if isinstance(padding, str):
        raise TypeError(f"{op}: argument 'padding' must be a tuple of ints, not str")
    _check_float(op, input, weight, bias, kinds="fl")  # floats and int64, as PyTorch's kernel
    x, restore = _lift(input, dims, op)
    _check_weight(op, x, weight, bias, dims, groups, transposed=True)
    kernel = tuple(weight.shape[2:])
    stride, dilation = _ntuple(stride, dims, "stride", op), _ntuple(dilation, dims, "dilation", op)
    padding = _ntuple(padding, dims, "padding", op)
    extra = _ntuple(output_padding, dims, "output_padding", op)
    _check_geometry(op, stride, dilation, [padding, extra])
    if any(e >= s and e >= d for e, s, d in zip(extra, stride, dilation, strict=True)):
        raise RuntimeError(f"{op}: output padding must be smaller than either stride or "
                           f"dilation, but got output_padding={extra}, stride={stride}, "
                           f"dilation={dilation}")
    spatial = tuple(input.shape[-dims:])
    geometry = zip(spatial, stride, padding, dilation, kernel, extra, strict=True)
    out_hw = tuple((n - 1) * s - 2 * p + d * (k - 1) + e + 1 for n, s, p, d, k, e in geometry)
    if any(n < 1 for n in out_hw):
        raise RuntimeError(f"{op}: given input size per channel: {spatial}. Calculated output "
                           f"size per channel: {out_hw}. Output size is too small")
    w = weight if dims == 2 else weight.unsqueeze(2)
    out = ConvTranspose.apply(x, w, *(() if bias is None else (bias,)),
                              stride=_as2d(stride, 1), dilation=_as2d(dilation, 1),
                              pad_begin=_as2d(padding, 0), out_hw=_as2d(out_hw, 1),
                              groups=groups)
    return restore(out)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    """1-D transposed convolution, weight (C_in, C_out/groups, k)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 1, "conv_transpose1d")


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    """2-D transposed convolution (the input gradient of conv2d), weight
    (C_in, C_out/groups, kH, kW); H' = (H-1)*stride - 2*padding + dilation*(kH-1)
    + output_padding + 1."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 2, "conv_transpose2d")


# -- padding, unfold and fold --------------------------------------------------------------------
def _source_index(n: int, lo: int, hi: int, mode: str, dim: int, shape: tuple) -> np.ndarray:
    """For each position of a dim of size n padded by (lo, hi), the input position it copies."""
    pos = np.arange(-lo, n + hi)
    if mode == "reflect":
        if lo >= n or hi >= n:
            raise RuntimeError(f"pad: padding size should be less than the corresponding input "
                               f"dimension, but got padding ({lo}, {hi}) at dimension {dim} of "
                               f"input {list(shape)}")
        return np.abs(n - 1 - np.abs(pos - (n - 1))) if n > 1 else np.zeros_like(pos)
    if mode == "replicate":
        return np.clip(pos, 0, n - 1)
    if lo > n or hi > n:
        raise RuntimeError(f"pad: padding value causes wrapping around more than once (padding "
                           f"({lo}, {hi}) at dimension {dim} of input {list(shape)})")
    return pos % n


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:  # noqa: A002
    """Pad the last len(pad)//2 dims, pad = (last_begin, last_end, prev_begin, ...). Modes:
    'constant' (with value; negative pads crop), 'reflect', 'replicate', 'circular'."""
    pad = tuple(int(p) for p in pad)
    shape = tuple(input.shape)
    if len(pad) % 2:
        raise RuntimeError("pad: padding length must be divisible by 2")
    if len(pad) // 2 > len(shape):
        raise RuntimeError(f"pad: padding length should be less than or equal to two times the "
                           f"input dimension but got padding length {len(pad)} and input of "
                           f"dimension {len(shape)}")
    k = len(pad) // 2
    if mode == "constant":
        for i in range(k):
            d = len(shape) - 1 - i
            if shape[d] + pad[2 * i] + pad[2 * i + 1] < 0:
                raise RuntimeError(f"pad: padding {pad} makes dimension {d} of input "
                                   f"{list(shape)} negative")
        return ConstantPad.apply(input, pad=pad, value=0.0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"pad: unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'pad: padding mode "{mode}" doesn\'t take in value argument')
    if not k + 1 <= len(shape) <= k + 2 or k > 3:
        raise NotImplementedError(
            f"pad: padding size {len(pad)} is not supported for {len(shape)}D input tensor; "
            "non-constant padding pads the last 1, 2 or 3 dims of a 2D/3D, 3D/4D or 4D/5D input")
    out = input
    for i in range(k):
        d = len(shape) - 1 - i
        index = _source_index(shape[d], pad[2 * i], pad[2 * i + 1], mode, d, shape)
        out = GetItem.apply(out, index=(Ellipsis, index) + (slice(None),) * i)
    return out


def _fold_geometry(kernel_size: Any, dilation: Any, padding: Any, stride: Any,
                   op: str) -> tuple:
    kernel = _ntuple(kernel_size, 2, "kernel_size", op)
    dilation, stride = _ntuple(dilation, 2, "dilation", op), _ntuple(stride, 2, "stride", op)
    padding = _ntuple(padding, 2, "padding", op)
    if any(v <= 0 for v in kernel + dilation + stride):
        raise RuntimeError(f"{op}: kernel_size, dilation and stride should be greater than zero,"
                           f" but got kernel_size={kernel}, dilation={dilation}, "
                           f"stride={stride}")
    if any(p < 0 for p in padding):
        raise RuntimeError(f"{op}: padding should be non-negative, but got {padding}")
    return kernel, dilation, padding, stride


def _blocks(hw: tuple, kernel: tuple, dilation: tuple, padding: tuple, stride: tuple) -> tuple:
    return tuple(out_size(n, k, s, d, p, p)
                 for n, k, s, d, p in zip(hw, kernel, stride, dilation, padding, strict=True))


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0,  # noqa: A002
           stride: Any = 1) -> Tensor:
    """im2col: every sliding block of (N, C, H, W) as a column of (N, C*kH*kW, L)."""
    if input.ndim not in (3, 4):
        raise RuntimeError(f"unfold: only 3D or 4D input tensors are supported (N, C, H, W), "
                           f"got shape {tuple(input.shape)}")
    _check_kernel_dtype("unfold", input, "fb")  # PyTorch's im2col: floats and bool only
    kernel, dilation, padding, stride = _fold_geometry(kernel_size, dilation, padding, stride,
                                                       "unfold")
    x = input if input.ndim == 4 else input.unsqueeze(0)
    blocks = _blocks(tuple(x.shape[2:]), kernel, dilation, padding, stride)
    if any(b < 1 for b in blocks):
        raise RuntimeError(f"unfold: given input with spatial size {tuple(x.shape[2:])}, "
                           f"kernel_size={kernel}, dilation={dilation}, padding={padding}, the "
                           f"array of sliding blocks would be {blocks}, but its components must "
                           "be at least one")
    out = Im2Col.apply(x, kernel=kernel, stride=stride, dilation=dilation,
                       padding=(padding[0], padding[0], padding[1], padding[1]))
    return out if input.ndim == 4 else out.squeeze(0)


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1,  # noqa: A002
         padding: Any = 0, stride: Any = 1) -> Tensor:
    """col2im, the adjoint of unfold: (N, C*kH*kW, L) columns summed into (N, C, *output_size),
    overlapping blocks adding up."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"fold: expected a 2D or 3D (batch mode) input (N, C*kH*kW, L), got "
                           f"shape {tuple(input.shape)}")
    _check_kernel_dtype("fold", input, "fb")  # PyTorch's col2im: floats and bool only
    kernel, dilation, padding, stride = _fold_geometry(kernel_size, dilation, padding, stride,
                                                       "fold")
    hw = _ntuple(output_size, 2, "output_size", "fold")
    cols = input if input.ndim == 3 else input.unsqueeze(0)
    n, ck, length = cols.shape
    if ck % (kernel[0] * kernel[1]):
        raise RuntimeError(f"fold: expected size of input's dimension 1 to be divisible by the "
                           f"product of kernel_size, but got input.size(1)={ck} and "
                           f"kernel_size={kernel}")
    blocks = _blocks(hw, kernel, dilation, padding, stride)
    if blocks[0] * blocks[1] != length or min(blocks) < 1:
        raise RuntimeError(f"fold: given output_size={hw}, kernel_size={kernel}, "
                           f"dilation={dilation}, padding={padding}, stride={stride}, expected "
                           f"size of input's dimension 2 to match the calculated number of "
                           f"sliding blocks {blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, "
                           f"but got input.size(2)={length} (input {tuple(input.shape)})")
    out = Col2Im.apply(cols, shape=(n, ck // (kernel[0] * kernel[1])) + hw, out_hw=blocks,
                       kernel=kernel, stride=stride, dilation=dilation, pad_begin=padding)
    return out if input.ndim == 3 else out.squeeze(0)
