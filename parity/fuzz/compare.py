"""Compare what minigrad returned with what PyTorch returned, structure first, then values.

Tolerances. With `b` PyTorch's value and `a` minigrad's, a float array passes when, elementwise,

    |a - b| <= rtol * |b| + atol * scale

where `scale` is max|b| (for accumulating ops, the spec's `accum`, also max|input|: a sum of
large terms that cancels is only as accurate as its terms), with (rtol, atol) by dtype:

    float64: 1e-7, 1e-9    float32: 1e-5, 1e-5    float16: 1e-3, 1e-3

taking the least precise float dtype the call touches (a float64 result computed from float32
inputs, or with `dtype=float32` inside, is held to float32's tolerance).

Gradients use scale >= 1 (see grad_problem). NaN positions must match and infinities must
match with their signs; ints and bools compare exactly. Each mismatch is one short, stable
line ("output 0: dtype int64 != torch float32"): the runner groups failures by it, so it holds
no values, only kinds and dtypes.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

import minigrad

TOL = {"float64": (1e-7, 1e-9), "float32": (1e-5, 1e-5), "float16": (1e-3, 1e-3),
       "bfloat16": (1e-2, 1e-2)}


def dtype_name(t: Any) -> str:
    """`float32`, `int64`, `bool`, ... for a torch or a minigrad tensor."""
    if isinstance(t, torch.Tensor):
        return str(t.dtype).removeprefix("torch.")
    return t.dtype.name


def to_numpy(t: Any) -> np.ndarray:
    """The values of a torch or a minigrad tensor as an ndarray."""
    if isinstance(t, torch.Tensor):
        return t.detach().resolve_conj().numpy()
    return np.asarray(t.data)


def loosest(*dtypes: str) -> str:
    """The least precise of the float dtypes named (float64 when none is a float)."""
    floats = [d for d in dtypes if d in TOL]
    return max(floats, key=lambda d: TOL[d][0], default="float64")


def values_problem(a: np.ndarray, b: np.ndarray, dtype: str, scale: float = 0.0,
                   floor: str = "float64") -> str | None:
    """Why `a` does not match `b` (None when it does); floats within the looser of TOL[dtype]
    and TOL[floor]."""
    if a.shape != b.shape:
        return "shape differs"
    if b.dtype.kind not in "fc":
        return None if np.array_equal(a, b) else "values differ"
    if a.size == 0:
        return None
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    fin = np.isfinite(b64)
    if not np.array_equal(np.isfinite(a64), fin):
        return "nan/inf positions differ"
    if not np.array_equal(a64[~fin], b64[~fin], equal_nan=True):
        return "nan/inf values differ"
    rtol, atol = TOL[loosest(dtype, floor)]
    diff = np.abs(a64[fin] - b64[fin])
    scale = max(scale, float(np.max(np.abs(b64[fin]), initial=0.0)))
    return None if bool(np.all(diff <= rtol * np.abs(b64[fin]) + atol * scale)) else (
        "values differ")


def _python_scalar(label: str, m: Any, t: Any, out: list[str]) -> None:
    kind = type(t)
    if not isinstance(m, kind) or isinstance(m, bool) != isinstance(t, bool):
        out.append(f"{label}: {type(m).__module__}.{type(m).__name__} != torch {kind.__name__}")
        return
    if isinstance(t, float):
        same = (math.isnan(t) and math.isnan(m)) or m == t or (
            math.isfinite(t) and abs(m - t) <= 1e-5 * max(abs(t), 1e-30))
    else:
        same = m == t
    if not same:
        out.append(f"{label}: values differ")


def compare(label: str, m: Any, t: Any, scale: float, out: list[str],
            floor: str = "float64") -> None:
    """Append to `out` every way minigrad's `m` differs from PyTorch's `t` (recursively)."""
    if isinstance(t, torch.Tensor):
        if not isinstance(m, minigrad.Tensor):
            out.append(f"{label}: {type(m).__name__} is not a Tensor")
            return
        if tuple(m.shape) != tuple(t.shape):
            out.append(f"{label}: shape differs")
            return
        if dtype_name(m) != dtype_name(t):
            out.append(f"{label}: dtype {dtype_name(m)} != torch {dtype_name(t)}")
            return
        if m.requires_grad != t.requires_grad:
            out.append(f"{label}: requires_grad {m.requires_grad} != torch {t.requires_grad}")
        why = values_problem(to_numpy(m), to_numpy(t), dtype_name(t), scale, floor)
        if why:
            out.append(f"{label}: {why} ({dtype_name(t)})")
        return
    if isinstance(t, torch.Size):
        if not isinstance(m, tuple) or tuple(m) != tuple(t):
            out.append(f"{label}: size {type(m).__name__} differs")
        return
    if isinstance(t, (tuple, list)):
        if not isinstance(m, (tuple, list)):
            out.append(f"{label}: {type(m).__name__} != torch {type(t).__name__}")
            return
        if len(m) != len(t):
            out.append(f"{label}: {len(m)} items != torch {len(t)}")
            return
        if hasattr(t, "indices") and not hasattr(m, "indices"):
            out.append(f"{label}: no .values/.indices fields")
        for i, (mi, ti) in enumerate(zip(m, t)):
            compare(f"{label}[{i}]" if label != "output" else f"output {i}", mi, ti, scale, out,
                    floor)
        return
    if isinstance(t, (bool, int, float)):
        _python_scalar(label, m, t, out)
        return
    if t is None:
        if m is not None:
            out.append(f"{label}: {type(m).__name__} != torch None")
        return
    if isinstance(t, torch.dtype):
        if getattr(m, "name", None) != dtype_name(torch.empty(0, dtype=t)):
            out.append(f"{label}: dtype object differs")


def flat_tensors(out: Any) -> list:
    """The tensors in a (nested) output, in order."""
    if isinstance(out, (tuple, list)):
        return [t for item in out for t in flat_tensors(item)]
    return [out] if isinstance(out, (torch.Tensor, minigrad.Tensor)) else []


def grad_problem(label: str, m: Any, t: Any, floor: str = "float64") -> str | None:
    """Compare one leaf's .grad; PyTorch's None (input unused) matches minigrad's zeros and the
    other way round."""
    if t is None and m is None:
        return None
    if t is None or m is None:
        other = to_numpy(m if t is None else t)
        if other.dtype.kind in "fc" and not np.any(other):
            return None
        return f"{label}: grad is {'None' if m is None else 'set'} but torch's is " \
               f"{'None' if t is None else 'set'}"
    if tuple(m.shape) != tuple(t.shape):
        return f"{label}: grad shape differs"
    if dtype_name(m) != dtype_name(t):
        return f"{label}: grad dtype {dtype_name(m)} != torch {dtype_name(t)}"
    # Gradients of sum(out * w) with w ~ N(0, 1) are O(1) for a well-conditioned op, so their
    # atol is scaled by at least 1: PyTorch's float32 rounding noise around an exact zero
    # (layer_norm over one element) is not a mismatch.
    why = values_problem(to_numpy(m), to_numpy(t), dtype_name(t), 1.0, floor)
    return f"{label}: grad {why} ({dtype_name(t)})" if why else None
