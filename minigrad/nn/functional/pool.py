"""Pooling in the functional API: max_pool1d/2d, avg_pool1d/2d, adaptive_avg_pool1d/2d, with
PyTorch's names, arguments, output sizes (ceil_mode included) and checks. The ops
(minigrad.ops.pool) work on (N, C, H, W); 1-D pools are 2-D ones with H = 1."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.autograd.node import constant
from minigrad.creation import stack
from minigrad.nn.functional._utils import _as2d, _check_float, _check_kernel_dtype, _lift, _ntuple
from minigrad.ops.conv import out_size, span
from minigrad.ops.pool import (
    AvgPool2D,
    MaxPool2DWithIndices,
    avg_pool2d_divisor,
    max_pool2d_indices,
)
from minigrad.tensor import Tensor


def _pool_geometry(x: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
                   ceil_mode: bool, dims: int, op: str) -> tuple:
    """Normalised (kernel, stride, dilation) in 2-D, the canvas padding (top, bottom, left,
    right) whose windows are exactly the output, and the output size (PyTorch's
    pooling_output_shape, including ceil_mode's rule that no window starts in the end
    padding)."""
    kernel = _ntuple(kernel_size, dims, "kernel_size", op)
    stride = kernel if stride is None or stride == [] else _ntuple(stride, dims, "stride", op)
    padding = _ntuple(padding, dims, "padding", op)
    dilation = _ntuple(dilation, dims, "dilation", op)
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"{op}: kernel_size must be greater than zero, but got {kernel}")
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"{op}: stride should be greater than zero, but got {stride}")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"{op}: dilation should be greater than zero, but got {dilation}")
    if any(p < 0 for p in padding):
        raise RuntimeError(f"{op}: padding should be non-negative, but got {padding}")
    for k, p, d in zip(kernel, padding, dilation, strict=True):
        if 2 * p > d * (k - 1) + 1 or p > k // 2:
            raise RuntimeError(f"{op}: pad should be at most half of effective kernel size, but "
                               f"got pad={p}, kernel_size={k} and dilation={d}")
    spatial = tuple(x.shape[2:]) if dims == 2 else tuple(x.shape[3:])
    outs, pads = [], []
    for n, k, s, p, d in zip(spatial, kernel, stride, padding, dilation, strict=True):
        o = out_size(n, k, s, d, p, p + (s - 1 if ceil_mode else 0))
        if ceil_mode and (o - 1) * s >= n + p:
            o -= 1
        outs.append(o)
        pads.append((p, span(o, k, s, d) - p - n))
    if any(o < 1 for o in outs):
        raise RuntimeError(f"{op}: given input size: {tuple(x.shape[1:])}. Calculated output "
                           f"size: {tuple(x.shape[1:2]) + tuple(outs)}. Output size is too small")
    pads = _as2d(tuple(pads), (0, 0))
    return (_as2d(kernel, 1), _as2d(stride, 1), _as2d(dilation, 1), pads[0] + pads[1],
            _as2d(tuple(outs), 1))


def _max_pool(input: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any,  # noqa: A002
              ceil_mode: bool, return_indices: bool, dims: int, op: str) -> Any:
    # PyTorch's max_pool1d kernel is float-only; with indices it runs max_pool2d's (ints too)
    _check_kernel_dtype(op, input, "fiu" if dims == 2 or return_indices else "f")
    x, restore = _lift(input, dims, op)
    kernel, stride, dilation, pads, out_hw = _pool_geometry(x, kernel_size, stride, padding,
                                                            dilation, ceil_mode, dims, op)
    index = max_pool2d_indices(x.data, kernel, stride, dilation, pads, out_hw)
    overlap = any(s < d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation, strict=True))
    out = restore(MaxPool2DWithIndices.apply(x, index=index, overlap=overlap))
    return (out, restore(Tensor._make(index))) if return_indices else out


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """Max over sliding windows of (N, C, L); indices (with return_indices) index L."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                     1, "max_pool1d")


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """Max over sliding windows of (N, C, H, W) (padding counts as -inf); indices (with
    return_indices) are flat h * W + w into each input plane; ties go to the first maximum."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                     2, "max_pool2d")


def _avg_pool(input: Tensor, kernel_size: Any, stride: Any, padding: Any, ceil_mode: bool,  # noqa: A002
              count_include_pad: bool, divisor_override: int | None, dims: int,
              op: str) -> Tensor:
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError(f"{op}: divisor must be not zero")
    _check_float(op, input)
    x, restore = _lift(input, dims, op)
    kernel, stride, _, pads, out_hw = _pool_geometry(x, kernel_size, stride, padding, 1,
                                                     ceil_mode, dims, op)
    divisor = avg_pool2d_divisor(tuple(x.shape[2:]), out_hw, kernel, stride, pads,
                                 count_include_pad, divisor_override, x.data.dtype)
    return restore(AvgPool2D.apply(x, kernel=kernel, stride=stride, padding=pads,
                                   divisor=divisor))


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """Mean over sliding windows of (N, C, L) (zero padding)."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None,
                     1, "avg_pool1d")


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """Mean over sliding windows of (N, C, H, W); the divisor counts the zero padding
    (count_include_pad), or only the input, or is divisor_override."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, 2, "avg_pool2d")


def _adaptive_matrix(size: int, out: int, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """0/1 matrix (out, size) selecting PyTorch's adaptive windows [floor(i*size/out),
    ceil((i+1)*size/out)), and the window lengths."""
    i = np.arange(out)
    start, end = i * size // out, -(-(i + 1) * size // out)
    pos = np.arange(size)
    member = (pos[None, :] >= start[:, None]) & (pos[None, :] < end[:, None])
    return member.astype(dtype), end - start


def _adaptive_avg(input: Tensor, output_size: Any, dims: int, op: str) -> Tensor:  # noqa: A002
    _check_kernel_dtype(op, input)
    x, restore = _lift(input, dims, op)
    spatial = tuple(input.shape[-dims:])
    if isinstance(output_size, (int, np.integer)) or output_size is None:
        output_size = (output_size,) * dims
    sizes = tuple(output_size)
    if len(sizes) != dims:
        raise RuntimeError(f"{op}: output_size must be {dims}, got {sizes}")
    sizes = tuple(n if o is None else int(o) for n, o in zip(spatial, sizes, strict=True))
    if any(o < 0 for o in sizes):
        raise RuntimeError(f"{op}: elements of output_size must be greater than or equal to 0 "
                           f"but received {sizes}")
    sizes, spatial = _as2d(sizes, 1), tuple(x.shape[2:])
    dtype = x.data.dtype
    (rows, len_h), (cols, len_w) = (_adaptive_matrix(n, o, dtype)
                                    for n, o in zip(spatial, sizes, strict=True))
    if min(sizes) > 0 and not np.isfinite(x.data).all():
        return restore(_window_means(x, sizes))
    sums = constant(rows) @ x @ constant(np.ascontiguousarray(cols.T))  # (N, C, OH, OW)
    return restore(sums / constant(np.multiply.outer(len_h, len_w).astype(dtype)))


def _window_means(x: Tensor, sizes: tuple) -> Tensor:
    """The adaptive means one window at a time (for an input with inf or NaN, whose 0 * inf
    would leak into every window in the matmul form): each window sees only its own values."""
    (h, w), (oh, ow) = x.data.shape[2:], sizes
    rows = []
    for i in range(oh):
        r = slice(i * h // oh, -(-(i + 1) * h // oh))
        rows.append(stack([x[:, :, r, j * w // ow: -(-(j + 1) * w // ow)].mean((2, 3))
                           for j in range(ow)], dim=-1))
    return stack(rows, dim=-2)


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    """Mean over output_size windows of (N, C, L) that tile L as evenly as possible."""
    return _adaptive_avg(input, output_size, 1, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    """Mean over (OH, OW) windows, window i spanning [floor(i*H/OH), ceil((i+1)*H/OH)) as
    PyTorch; a None entry keeps that input size. Written as rows @ x @ cols^T / counts with
    0/1 matrices, so its gradient (and the gradient's gradient) is the same matmuls."""
    return _adaptive_avg(input, output_size, 2, "adaptive_avg_pool2d")
