"""Compare one case's two runs: outputs, inputs after the call, and the gradients of
`sum(out * w)`.

A second opinion for low precision: when the only mismatches are float32/float16 values (no
shape, dtype, NaN or inf differences), the case is rerun in PyTorch with every float input and
float dtype argument in float64, and the mismatch is dropped if minigrad is, elementwise, no
further from that float64 answer than PyTorch's own low-precision answer (plus the usual
slack). So minigrad computing more accurately than PyTorch's float32 kernels (a layer_norm of
one element, a group_norm of a near-constant group) is not a failure; being less accurate is.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import torch

import minigrad
from parity.fuzz.compare import (
    TOL,
    compare,
    dtype_name,
    flat_tensors,
    grad_problem,
    loosest,
    to_numpy,
    values_problem,
)
from parity.fuzz.execute import attempt, run_side
from parity.fuzz.generators import Call, DType
from parity.fuzz.messages import normalise, short
from parity.fuzz.specs import OpSpec

LOW = ("float32", "float16", "bfloat16")


def backward(outs: list, ws: list) -> None:
    """Backpropagate sum(out_i * w_i) over the outputs."""
    loss = None
    for o, w in zip(outs, ws):
        term = (o * w).sum()
        loss = term if loss is None else loss + term
    loss.backward()


def _grad_outputs(t_out: Any, other: Any) -> tuple[list, list]:
    pairs = [(t, m) for t, m in zip(flat_tensors(t_out), flat_tensors(other))
             if t.requires_grad and t.dtype.is_floating_point]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _input_scale(call: Call) -> float:
    scale = 0.0
    for inp in call.inputs:
        a = inp.array
        if a.dtype.kind == "f" and a.size:
            scale = max(scale, float(np.abs(a[np.isfinite(a)]).max(initial=0.0)))
    return scale


def _walk(v: Any, fn: Any) -> Any:
    if isinstance(v, DType):
        return fn(v)
    if isinstance(v, list):
        return [_walk(x, fn) for x in v]
    if isinstance(v, tuple):
        return tuple(_walk(x, fn) for x in v)
    if isinstance(v, dict):
        return {k: _walk(x, fn) for k, x in v.items()}
    return v


def _dtypes_touched(call: Call) -> list[str]:
    names = [str(inp.array.dtype) for inp in call.inputs]
    _walk((call.args, call.kwargs), lambda d: names.append(d.name) or d)
    return names


def as_float64(call: Call) -> Call:
    """The call with float inputs and float dtype arguments in float64."""
    def up(d: DType) -> DType:
        return DType("float64") if d.name in LOW else d

    inputs = [dataclasses.replace(i, array=i.array.astype(np.float64))
              if i.array.dtype.kind == "f" else i for i in call.inputs]
    return dataclasses.replace(call, args=_walk(call.args, up), kwargs=_walk(call.kwargs, up),
                               inputs=inputs)


def _no_further(m: Any, t: Any, r: Any, dtype: str, scale: float) -> bool:
    """minigrad's `m` is no further from the float64 reference `r` than PyTorch's `t`."""
    m64, t64, r64 = (to_numpy(x).astype(np.float64) for x in (m, t, r))
    if not m64.shape == t64.shape == r64.shape:
        return False
    fin = np.isfinite(m64) & np.isfinite(t64) & np.isfinite(r64)
    rtol, atol = TOL[dtype]
    scale = max(scale, float(np.max(np.abs(r64[fin]), initial=0.0)))
    err_m, err_t = np.abs(m64 - r64)[fin], np.abs(t64 - r64)[fin]
    return bool(np.all(err_m <= err_t + rtol * np.abs(r64[fin]) + atol * scale))


def _refereed(call: Call, ws: list | None, m_side: tuple, t_side: tuple, scale: float,
              dtype: str) -> bool:
    """Whether PyTorch in float64 sides with minigrad on every float output, input after the
    call, and gradient."""
    (m_in, m_out), (t_in, t_out) = m_side, t_side
    r_in, r_out, err = run_side(torch, as_float64(call))
    flat = [flat_tensors(x) for x in (m_out, t_out, r_out)]
    if err is not None or len({len(f) for f in flat}) != 1:
        return False
    for m, t, r in zip(*flat):
        if t.dtype.is_floating_point and not _no_further(m, t, r, dtype, scale):
            return False
    for m, t, r in zip(m_in, t_in, r_in):
        if t.dtype.is_floating_point and not _no_further(m, t, r, dtype, scale):
            return False
    if ws is None:
        return True
    routs = [r for t, r in zip(flat[1], flat[2]) if t.requires_grad and t.dtype.is_floating_point]
    _, err = attempt(lambda: backward(routs, [torch.from_numpy(w) for w in ws]))
    if err is not None:
        return False
    for i, inp in enumerate(call.inputs):
        grads = (m_in[i].grad, t_in[i].grad, r_in[i].grad)
        if inp.grad and all(g is not None for g in grads) and not _no_further(*grads, dtype, 1.0):
            return False
    return True


def _refereeable(problem: str) -> bool:
    return ("nan/inf" not in problem and problem.endswith(
        tuple(f"values differ ({d})" for d in LOW))) or "changed differently" in problem


def compare_case(call: Call, rng: np.random.Generator, spec: OpSpec, t_in: list, t_out: Any,
                 m_in: list, m_out: Any) -> list[str]:
    """Every mismatch between the two runs: outputs, inputs after the call, gradients."""
    problems: list[str] = []
    scale = _input_scale(call) if spec.accum else 0.0
    floor = loosest(*_dtypes_touched(call), *(dtype_name(t) for t in flat_tensors(t_out)))
    compare("output", m_out, t_out, scale, problems, floor)
    if not all(map(_refereeable, problems)):
        return problems
    for i, (ml, tl) in enumerate(zip(m_in, t_in)):
        if dtype_name(ml) == dtype_name(tl) and tuple(ml.shape) == tuple(tl.shape):
            if values_problem(to_numpy(ml), to_numpy(tl), dtype_name(tl), scale, floor):
                problems.append(f"input {i}: changed differently by the call")
    touts, mouts = _grad_outputs(t_out, m_out)
    ws = None
    if touts and not spec.no_grad_check:
        ws = [rng.standard_normal(tuple(t.shape)) for t in touts]
        _, terr = attempt(lambda: backward(touts, [torch.from_numpy(w.astype(dtype_name(t)))
                                                   for w, t in zip(ws, touts)]))
        if terr is not None:
            ws = None  # PyTorch cannot differentiate this; no gradients to compare
        else:
            _, merr = attempt(lambda: backward(mouts, [minigrad.tensor(w.astype(dtype_name(t)))
                                                       for w, t in zip(ws, touts)]))
            if merr is not None:
                return problems + [f"backward raised {normalise(short(merr))}"]
            for i, (ml, tl) in enumerate(zip(m_in, t_in)):
                if call.inputs[i].grad:
                    why = grad_problem(f"input {i}", ml.grad, tl.grad, floor)
                    if why:
                        problems.append(why)
    if problems and floor in LOW and all(map(_refereeable, problems)) and _refereed(
            call, ws, (m_in, m_out), (t_in, t_out), scale, floor):
        return []
    return problems
