"""The one parity harness: run a case in PyTorch and in minigrad on identical inputs, compare.

A `Case` is a function `fn(lib, *inputs, *extras)` where `lib` is the `torch` or the `minigrad`
module; where the two APIs agree, one lambda serves both (`lambda lib, a, b: lib.maximum(a, b)`).
For each dtype (float64, then float32) the harness

1. draws the float inputs once with NumPy (a generator per case name, so a case is reproducible
   on its own), casts them to the dtype under test, and hands the same values to both libraries
   (`torch.from_numpy` / `minigrad.tensor` of a copy), with `requires_grad` on the inputs listed
   in `grad`; `extras` (index arrays, boolean masks) are passed unchanged after them;
2. runs `fn` in both and compares every output: count, shape, dtype, `requires_grad`, values
   (integer and bool outputs exactly);
3. backpropagates one random upstream gradient, the same for both: `out.backward(g)` for a
   single output, `sum((o_i * g_i).sum())` over the float outputs otherwise;
4. compares every input's `.grad` (None in both, or equal shape, dtype and values).

Tolerances. With `b` the PyTorch value and `a` minigrad's, an array passes when, elementwise,

    |a - b| <= rtol * |b| + atol * max|b|

that is, `atol` is scaled by the array's magnitude (so tiny entries next to large ones do not
need full relative accuracy, and a uniformly scaled problem passes or fails alike):

    float64: rtol = 1e-10, atol = 1e-12
    float32: rtol = 1e-5,  atol = 1e-6

A case may set `tol` for one dtype only with a comment saying why (never to hide a mismatch).
Reported errors: absolute `max|a - b|` and relative `max|a - b| / max(max|b|, tiny)`.
"""

from __future__ import annotations

import dataclasses
import math
import zlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

import minigrad

DTYPES = ("float64", "float32")
TOLERANCES = {"float64": (1e-10, 1e-12), "float32": (1e-5, 1e-6)}  # (rtol, atol)
TINY = np.finfo(np.float64).tiny

Generator = Callable[[np.random.Generator], np.ndarray]


# -- input generators: float64 arrays, cast to the dtype under test by the harness ---------------
def normal(*shape: int, scale: float = 1.0) -> Generator:
    """Standard normal values."""
    return lambda rng: rng.standard_normal(shape) * scale


def uniform(lo: float, hi: float, *shape: int) -> Generator:
    """Uniform values in [lo, hi)."""
    return lambda rng: rng.uniform(lo, hi, shape)


def positive(*shape: int, lo: float = 0.5, hi: float = 2.0) -> Generator:
    """Values in [lo, hi): for log, sqrt, fractional powers, division."""
    return uniform(lo, hi, *shape)


def off(*shape: int, points: Sequence[float] = (0.0,), gap: float = 0.05) -> Generator:
    """Normal values kept at least `gap` away from each of `points` (kinks of relu, abs, clamp),
    where the two libraries may legitimately pick different subgradients."""

    def draw(rng: np.random.Generator) -> np.ndarray:
        x = rng.standard_normal(shape)
        for p in points:
            near = np.abs(x - p) < gap
            x = np.where(near, p + np.where(x >= p, gap, -gap) * 2, x)
        return x

    return draw


def distinct(*shape: int, spread: float = 2.0) -> Generator:
    """A shuffled grid of values at least spread/size apart: no ties, so max/min/argmax and
    their gradients have one answer (tie-breaking is where PyTorch and NumPy may differ)."""

    def draw(rng: np.random.Generator) -> np.ndarray:
        n = math.prod(shape)
        grid = np.linspace(-spread, spread, n) + rng.uniform(-0.2, 0.2, n) * (spread / max(n, 1))
        return rng.permutation(grid).reshape(shape)

    return draw


def const(values: Any) -> Generator:
    """Fixed values (cast to the dtype under test)."""
    return lambda rng: np.array(values, dtype=np.float64)


# -- cases ---------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Case:
    """One row of the parity table.

    name:     unique id (also seeds the case's inputs).
    fn:       fn(lib, *inputs, *extras) -> a tensor or a (nested) tuple/list of tensors.
    inputs:   one per float input: a shape tuple (standard normal) or a generator above.
    grad:     indices of the inputs that require grad (None: all of them; (): none).
    extras:   non-float arguments passed after the inputs, unchanged (index arrays, masks).
    torch_fn: the PyTorch spelling, only where the APIs differ (fn is then minigrad's).
    tol:      per-dtype (rtol, atol) overrides, each with a comment in the table.
    """

    name: str
    fn: Callable[..., Any]
    inputs: tuple = ()
    grad: tuple | None = None
    extras: tuple = ()
    torch_fn: Callable[..., Any] | None = None
    tol: dict = dataclasses.field(default_factory=dict)
    dtypes: tuple = DTYPES


@dataclasses.dataclass
class Result:
    """What one case did in one dtype: errors, and every mismatch found."""

    case: str
    dtype: str
    rtol: float = 0.0
    atol: float = 0.0
    fwd_abs: float = 0.0
    fwd_rel: float = 0.0
    grad_rel: float = 0.0
    failures: list = dataclasses.field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def _seed(name: str, dtype: str) -> int:
    return zlib.crc32(f"{name}/{dtype}".encode())


def _flatten(out: Any) -> list:
    if isinstance(out, (tuple, list)):
        return [t for item in out for t in _flatten(item)]
    return [out]


def _dtype_name(t: Any) -> str:
    if isinstance(t, torch.Tensor):
        return str(t.dtype).removeprefix("torch.")
    return t.dtype.name


def _array(t: Any) -> np.ndarray:
    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    return np.asarray(t.detach().data)


def compare(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> tuple[float, float, bool]:
    """(max abs error, relative error, passed) of minigrad's `a` against PyTorch's `b`."""
    if a.size == 0:
        return 0.0, 0.0, True
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    finite = np.isfinite(b64)
    if not np.array_equal(np.isfinite(a64), finite) or not np.array_equal(
        a64[~finite], b64[~finite], equal_nan=True
    ):
        return math.inf, math.inf, False
    diff = np.abs(a64 - b64)[finite]
    scale = float(np.max(np.abs(b64[finite]), initial=0.0))
    abs_err = float(np.max(diff, initial=0.0))
    ok = bool(np.all(diff <= rtol * np.abs(b64[finite]) + atol * scale))
    return abs_err, abs_err / max(scale, TINY), ok


def _check(label: str, a: Any, b: Any, rtol: float, atol: float, res: Result) -> float | None:
    """Compare one minigrad tensor with one torch tensor; record failures; return the relative
    error (None for exact dtypes)."""
    if tuple(a.shape) != tuple(b.shape):
        res.failures.append(f"{label}: shape {tuple(a.shape)} != torch {tuple(b.shape)}")
        return None
    if _dtype_name(a) != _dtype_name(b):
        res.failures.append(f"{label}: dtype {_dtype_name(a)} != torch {_dtype_name(b)}")
        return None
    xa, xb = _array(a), _array(b)
    if xb.dtype.kind != "f":
        if not np.array_equal(xa, xb):
            res.failures.append(f"{label}: values differ (exact dtype {xb.dtype})")
        return None
    abs_err, rel_err, ok = compare(xa, xb, rtol, atol)
    if not ok:
        res.failures.append(f"{label}: abs err {abs_err:.3g}, rel err {rel_err:.3g}")
    return rel_err if math.isfinite(rel_err) else math.inf


def _run(lib: Any, fn: Callable, arrays: list, grad: set, extras: list) -> tuple[list, list]:
    """Build the inputs in `lib`, run fn; return (inputs, flattened outputs)."""
    make = torch.from_numpy if lib is torch else minigrad.tensor
    inputs = []
    for i, arr in enumerate(arrays):
        t = make(arr.copy())
        if i in grad:
            t.requires_grad_(True)
        inputs.append(t)
    extra = [make(np.array(e)) if isinstance(e, np.ndarray) else e for e in extras]
    return inputs, _flatten(fn(lib, *inputs, *extra))


def _backward(outs: list, seeds: list) -> None:
    pairs = [(o, g) for o, g in zip(outs, seeds, strict=True) if g is not None]
    if len(pairs) == 1:
        pairs[0][0].backward(pairs[0][1])
    elif pairs:
        loss = (pairs[0][0] * pairs[0][1]).sum()
        for o, g in pairs[1:]:
            loss = loss + (o * g).sum()
        loss.backward()


def run_case(case: Case, dtype: str, raise_errors: bool = False) -> Result:
    """Run `case` in `dtype` in both libraries and compare; exceptions become failures unless
    `raise_errors` (pytest shows the traceback then)."""
    rtol, atol = case.tol.get(dtype, TOLERANCES[dtype])
    res = Result(case.name, dtype, rtol, atol)
    rng = np.random.default_rng(_seed(case.name, dtype))
    arrays = [
        np.asarray((normal(*spec) if isinstance(spec, tuple) else spec)(rng), dtype=dtype)
        for spec in case.inputs
    ]
    extras = [e(rng) if callable(e) else e for e in case.extras]
    grad = set(range(len(arrays)) if case.grad is None else case.grad)
    stage = "torch"
    try:
        t_in, t_out = _run(torch, case.torch_fn or case.fn, arrays, grad, extras)
        stage = "minigrad"
        m_in, m_out = _run(minigrad, case.fn, arrays, grad, extras)
        stage = "compare"
        if len(m_out) != len(t_out):
            res.failures.append(f"forward: {len(m_out)} outputs != torch {len(t_out)}")
            return res
        for i, (a, b) in enumerate(zip(m_out, t_out, strict=True)):
            if not isinstance(a, minigrad.Tensor):
                res.failures.append(f"output {i}: {type(a).__name__} is not a minigrad.Tensor")
                continue
            if a.requires_grad != b.requires_grad:
                res.failures.append(
                    f"output {i}: requires_grad {a.requires_grad} != torch {b.requires_grad}"
                )
            rel = _check(f"output {i}", a, b, rtol, atol, res)
            if rel is not None:
                res.fwd_rel = max(res.fwd_rel, rel)
                res.fwd_abs = max(res.fwd_abs, float(np.max(
                    np.abs(_array(a).astype(float) - _array(b).astype(float)), initial=0.0)))
        if res.failures:
            return res
        seeds = [
            rng.standard_normal(tuple(b.shape)) if b.requires_grad else None for b in t_out
        ]
        stage = "torch backward"
        _backward(t_out, [None if g is None else torch.from_numpy(g.astype(_dtype_name(b)))
                          for g, b in zip(seeds, t_out, strict=True)])
        stage = "minigrad backward"
        _backward(m_out, [None if g is None else minigrad.tensor(g.astype(_dtype_name(b)))
                          for g, b in zip(seeds, t_out, strict=True)])
        stage = "compare grads"
        for i, (a, b) in enumerate(zip(m_in, t_in, strict=True)):
            if (a.grad is None) != (b.grad is None):
                res.failures.append(
                    f"input {i}: grad is {'None' if a.grad is None else 'set'} but torch's is "
                    f"{'None' if b.grad is None else 'set'}"
                )
            elif b.grad is not None:
                rel = _check(f"grad of input {i}", a.grad, b.grad, rtol, atol, res)
                if rel is not None:
                    res.grad_rel = max(res.grad_rel, rel)
    except Exception as err:  # noqa: BLE001 - a failing case is reported, not fatal
        if raise_errors:
            raise
        res.failures.append(f"{stage} raised {type(err).__name__}: {err}")
    return res
