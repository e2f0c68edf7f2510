"""Tensor factories (`tensor`, `zeros`, `randn`, ...) and functions taking several tensors
(`cat`, `stack`, `where`), with PyTorch's signatures."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad import dtypes, random
from minigrad.methods.conversion import device
from minigrad.methods.index import where as _where
from minigrad.ops import shape as sh
from minigrad.ops.linalg import Einsum, prepare_einsum
from minigrad.ops.reduce import normalize_dims
from minigrad.ops.shape import shape_args
from minigrad.tensor import Tensor


def _finish(data: np.ndarray, requires_grad: bool = False, **_: Any) -> Tensor:
    if _.get("device") is not None:
        device(_["device"])  # validates: only the CPU exists
    t = Tensor._make(data)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _dtype(dtype: Any, default: Any = dtypes.DEFAULT_FLOAT) -> np.dtype:
    return dtypes.to_numpy_dtype(dtype) if dtype is not None else np.dtype(default)


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor copied from data; Python floats become float32 and ints int64, as PyTorch."""
    if isinstance(data, Tensor):
        data = data.data
    elif isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in data):
        data = [x.data if isinstance(x, Tensor) else x for x in data]
    arr = np.array(data, dtype=dtypes.to_numpy_dtype(dtype) if dtype is not None else None)
    if dtype is None and not _holds_numpy(data):
        if arr.dtype == np.float64:
            arr = arr.astype(np.float32)
        elif arr.dtype.kind in "iu":
            arr = arr.astype(np.int64)
    dtypes.from_numpy_dtype(arr.dtype)  # rejects object/str arrays with a clear error
    return _finish(arr, requires_grad, device=device)


def _holds_numpy(data: Any) -> bool:
    """True if data is, or (nested in lists) contains, NumPy values: their dtype is kept."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, (np.ndarray, np.generic)):
            return True
        if isinstance(item, (list, tuple)):
            stack.extend(item)
    return False


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like `tensor`, but shares memory with a NumPy array (or returns a Tensor) when it can."""
    if isinstance(data, Tensor) and (dtype is None or data.dtype == dtype):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == _dtype(dtype)):
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with the array (changes show on both sides)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray (got {type(array).__name__})")
    dtypes.from_numpy_dtype(array.dtype)
    return Tensor._make(array)


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False, **kw: Any) -> Tensor:
    return _finish(np.zeros(shape_args(size, "zeros"), dtype=_dtype(dtype)), requires_grad, **kw)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False, **kw: Any) -> Tensor:
    return _finish(np.ones(shape_args(size, "ones"), dtype=_dtype(dtype)), requires_grad, **kw)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False, **kw: Any) -> Tensor:
    return _finish(np.empty(shape_args(size, "empty"), dtype=_dtype(dtype)), requires_grad, **kw)


def full(size: Sequence[int], fill_value: Any, dtype: Any = None, requires_grad: bool = False,
         **kw: Any) -> Tensor:
    if dtype is None:
        default = (np.bool_ if isinstance(fill_value, bool) else
                   np.int64 if isinstance(fill_value, int) else dtypes.DEFAULT_FLOAT)
        dtype = default
    return _finish(np.full(shape_args([size]), fill_value, dtype=_dtype(dtype)), requires_grad,
                   **kw)


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None,
           requires_grad: bool = False, **kw: Any) -> Tensor:
    """Values from start to end (exclusive); int64 if all arguments are ints, else float32."""
    if end is None:
        start, end = 0, start
    start, end, step = (v.item() if isinstance(v, (Tensor, np.generic)) else v
                        for v in (start, end, step))
    ints = all(isinstance(v, int) for v in (start, end, step))
    target = _dtype(dtype, np.int64 if ints else dtypes.DEFAULT_FLOAT)
    if target.kind in "iub":  # PyTorch casts the bounds to an integer dtype first
        start, end, step = int(start), int(end), int(step)
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if not all(np.isfinite([start, end])):
        raise RuntimeError(f"arange: unsupported range: {start} -> {end}")
    if (end - start) * step < 0:
        raise RuntimeError(f"arange: upper bound and lower bound inconsistent with step sign "
                           f"(start {start}, end {end}, step {step})")
    if isinstance(start, int) and isinstance(end, int) and isinstance(step, int):
        data = np.arange(start, end, step, dtype=np.int64)
    else:
        n = int(np.ceil((end - start) / step))
        data = start + step * np.arange(max(n, 0), dtype=np.float64)
    return _finish(data.astype(target), requires_grad, **kw)


def linspace(start: float, end: float, steps: int, dtype: Any = None,
             requires_grad: bool = False, **kw: Any) -> Tensor:
    """`steps` evenly spaced values from start to end inclusive (PyTorch's symmetric formula)."""
    np_dtype = _dtype(dtype)
    if steps < 0:
        raise RuntimeError(f"linspace: number of steps must be non-negative, got {steps}")
    if steps == 1:
        return _finish(np.full(1, start, dtype=np_dtype), requires_grad, **kw)
    step = (end - start) / (steps - 1)
    i = np.arange(steps, dtype=np.float64 if np_dtype == np.float64 else np.float32)
    halfway = steps // 2
    data = np.where(i < halfway, start + step * i, end - step * (steps - i - 1))
    return _finish(data.astype(np_dtype), requires_grad, **kw)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False,
        **kw: Any) -> Tensor:
    return _finish(np.eye(n, m, dtype=_dtype(dtype)), requires_grad, **kw)


def rand(*size: Any, dtype: Any = None, generator: Any = None, requires_grad: bool = False,
         **kw: Any) -> Tensor:
    """Uniform samples in [0, 1), drawn from PyTorch's generator stream."""
    gen = generator or random.default_generator
    shape = shape_args(size, "rand")
    return _finish(gen.uniform(shape, 0.0, 1.0, _dtype(dtype)), requires_grad, **kw)


def randn(*size: Any, dtype: Any = None, generator: Any = None, requires_grad: bool = False,
          **kw: Any) -> Tensor:
    """Standard normal samples, drawn from PyTorch's generator stream."""
    gen = generator or random.default_generator
    shape = shape_args(size, "randn")
    return _finish(gen.normal(shape, 0.0, 1.0, _dtype(dtype)), requires_grad, **kw)


def randint(low: int, high: Any = None, size: Any = None, dtype: Any = None,
            generator: Any = None, **kw: Any) -> Tensor:
    """Integers in [low, high); `randint(high, size)` starts at 0, as PyTorch."""
    if size is None:
        low, high, size = 0, low, high
    gen = generator or random.default_generator
    return _finish(gen.randint(low, high, shape_args([size]), _dtype(dtype, np.int64)), **kw)


def randperm(n: int, dtype: Any = None, generator: Any = None, **kw: Any) -> Tensor:
    gen = generator or random.default_generator
    return _finish(gen.randperm(n, _dtype(dtype, np.int64)), **kw)


def _like(factory: Any) -> Any:
    @functools.wraps(factory)
    def make(input: Tensor, dtype: Any = None, **kw: Any) -> Tensor:  # noqa: A002
        return factory(input.data.shape, dtype=dtype or input.dtype, **kw)

    return make


zeros_like, ones_like, empty_like = _like(zeros), _like(ones), _like(empty)
rand_like, randn_like = _like(rand), _like(randn)


def full_like(input: Tensor, fill_value: Any, dtype: Any = None, **kw: Any) -> Tensor:  # noqa: A002
    return full(input.data.shape, fill_value, dtype=dtype or input.dtype, **kw)


def randint_like(input: Tensor, low: int, high: Any = None, dtype: Any = None,  # noqa: A002
                 **kw: Any) -> Tensor:
    if high is None:
        low, high = 0, low
    return randint(low, high, input.data.shape, dtype=dtype or input.dtype, **kw)


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dim; all other dims must match."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("cat: expected a non-empty list of Tensors")
    ref = tensors[0]
    d = normalize_dims(dim, ref.ndim, "cat")[0]
    target = dtypes.promote_many([t.data.dtype for t in tensors])
    for i, t in enumerate(tensors):
        if t.ndim != ref.ndim or any(a != b for j, (a, b) in
                                     enumerate(zip(t.data.shape, ref.data.shape)) if j != d):
            raise RuntimeError(
                f"cat: sizes of tensors must match except in dimension {d}: tensor 0 has shape "
                f"{tuple(ref.data.shape)} and tensor {i} has shape {tuple(t.data.shape)}"
            )
    return sh.Cat.apply(*[t.to(target) for t in tensors], dim=d)


concat = concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join same-shaped tensors along a new dim."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack: expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t.data.shape != tensors[0].data.shape:
            raise RuntimeError(
                f"stack: expects each tensor to be equal size, but got {tuple(tensors[0].shape)} "
                f"at entry 0 and {tuple(t.shape)} at entry {i}"
            )
    d = normalize_dims(dim, tensors[0].ndim + 1, "stack")[0]
    return cat([t.unsqueeze(d) for t in tensors], dim=d)


def where(condition: Tensor, input: Any = None, other: Any = None) -> Any:  # noqa: A002
    """Elementwise choice: input where condition holds, else other (numbers allowed)."""
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if input is None and other is None:
        return Tensor._make(cond).nonzero(as_tuple=True)
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = tensor(input)
    return _where(cond, input, other)


def einsum(equation: str, *operands: Tensor) -> Tensor:
    """Einstein summation over tensors, e.g. einsum("bij,bjk->bik", a, b); differentiable."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    equation, operands = prepare_einsum(equation, list(operands))
    return Einsum.apply(*operands, equation=equation)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False,  # noqa: A002
                generator: Any = None) -> Tensor:
    """Draw category indices from each row of non-negative weights (probabilities need not be
    normalised), with PyTorch's CPU sampling scheme: one uniform per draw against the row's
    cumulative weights with replacement, else the largest w / Exp(1) keys."""
    gen = generator or random.default_generator
    w = input.data.astype(np.float64)
    rows = w.reshape(-1, w.shape[-1]) if w.ndim else w.reshape(1, 1)
    n = rows.shape[-1]
    if np.any(~np.isfinite(rows)) or np.any(rows < 0) or np.any(rows.sum(-1) <= 0):
        raise RuntimeError("multinomial: weights must be finite, non-negative and have a "
                           f"positive sum in every row (input shape {tuple(input.shape)})")
    if not replacement and num_samples > n:
        raise RuntimeError(f"multinomial: cannot sample {num_samples} > {n} categories "
                           "without replacement")
    if replacement and num_samples > 1:
        cum = np.cumsum(rows, axis=-1)
        cum /= cum[:, -1:]
        cum[:, -1] = 1.0
        u = gen.uniform((rows.shape[0], num_samples), 0.0, 1.0, np.float64)
        offsets = np.arange(rows.shape[0])[:, None]
        flat = np.searchsorted((cum + offsets).reshape(-1), (u + offsets).reshape(-1))
        picks = flat.reshape(u.shape) - offsets * n
    else:
        keys = rows / -np.log1p(-gen.uniform(rows.shape, 0.0, 1.0, np.float64))
        picks = np.argsort(-keys, axis=-1, kind="stable")[:, :num_samples]
    shape = input.data.shape[:-1] + (num_samples,)
    return Tensor._make(picks.reshape(shape).astype(np.int64))


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:  # noqa: A002
    return input.numel()


def allclose(a: Tensor, b: Tensor, rtol: float = 1e-5, atol: float = 1e-8,
             equal_nan: bool = False) -> bool:
    """True if every pair is close (see isclose); the dtypes must match, as in PyTorch."""
    return bool(isclose(a, b, rtol, atol, equal_nan).data.all())


def isclose(a: Tensor, b: Tensor, rtol: float = 1e-5, atol: float = 1e-8,
            equal_nan: bool = False) -> Tensor:
    """|a - b| <= atol + rtol * |b| elementwise (broadcast); the dtypes must match."""
    if a.data.dtype != b.data.dtype:
        raise RuntimeError(f"isclose: {a.dtype} did not match {b.dtype} (shapes "
                           f"{tuple(a.shape)} and {tuple(b.shape)})")
    try:
        out = np.isclose(a.data, b.data, rtol=rtol, atol=atol, equal_nan=equal_nan)
    except ValueError:
        raise RuntimeError(f"isclose: shapes {tuple(a.shape)} and {tuple(b.shape)} do not "
                           f"broadcast") from None
    return Tensor._make(np.asarray(out))


def equal(a: Tensor, b: Tensor) -> bool:
    return a.data.shape == b.data.shape and bool(np.array_equal(a.data, b.data))
