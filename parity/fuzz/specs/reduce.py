"""Reductions and scans: dims as ints, tuples, lists, (), None, negative and out of range, with
keepdim and dtype options; softmax and log_softmax; max/min in all three forms."""

from __future__ import annotations

import math

from parity.fuzz.generators import ALL_DTYPES, FLOATS, Call, Draw
from parity.fuzz.specs._common import OpSpec, either, keepdim, maybe_dtype, spec


def _ndim(d: Draw, x: object) -> int:
    return d.inputs[x.i].array.ndim


def _sum_like(name: str) -> OpSpec:
    def draw(d: Draw) -> Call:
        x = d.tensor(dtype=d.dtype(FLOATS) if name == "mean" and d.chance(0.8) else None)
        kw = d.dim_arg(_ndim(d, x))
        if kw or d.chance(0.3):
            kw.update(keepdim(d))
        kw.update(maybe_dtype(d, 0.15, FLOATS + ("int64", "int32") if name == "sum" else FLOATS))
        return either(d, name, x, **kw)

    return spec(name, draw, accum=True, weight=2)


def _var_like(name: str) -> OpSpec:
    def draw(d: Draw) -> Call:
        x = d.tensor(dtype=d.dtype(ALL_DTYPES) if d.chance(0.15) else d.dtype(FLOATS))
        kw = d.dim_arg(_ndim(d, x))
        r = d.rng.random()
        if r < 0.3:
            kw["unbiased"] = d.chance(0.5)
        elif r < 0.6:
            kw["correction"] = d.choice([0, 1, 2, 0.5])
        kw.update(keepdim(d, 0.4))
        return either(d, name, x, **kw)

    return spec(name, draw, accum=True, weight=2)


def _prod(d: Draw) -> Call:
    x = d.tensor(style=d.choice(["normal", "ties", "special", "positive"]))
    n = _ndim(d, x)
    kw = {"dim": d.dim(n)} if d.chance(0.7) else {}
    if kw:
        kw.update(keepdim(d))
    kw.update(maybe_dtype(d, 0.1, FLOATS + ("int64",)))
    return either(d, "prod", x, **kw)


def _amax_like(name: str) -> OpSpec:
    def draw(d: Draw) -> Call:
        x = d.tensor()
        n = _ndim(d, x)
        kw = {"dim": d.dims(n) if d.chance(0.5) else d.dim(n)} if d.chance(0.8) else {}
        kw.update(keepdim(d))
        return either(d, name, x, **kw)

    return spec(name, draw, weight=2)


def _max_like(name: str) -> OpSpec:
    def draw(d: Draw) -> Call:
        x = d.tensor()
        arr = d.inputs[x.i].array
        r = d.rng.random()
        if r < 0.3:
            return either(d, name, x)
        if r < 0.45:
            y = d.tensor(d.broadcast_shape(arr.shape), str(arr.dtype) if d.chance(0.7)
                         else d.dtype())
            return either(d, name, x, y)
        dim = d.dim(arr.ndim)
        if d.chance(0.5):
            return either(d, name, x, dim, *([d.chance(0.5)] if d.chance(0.5) else []))
        return either(d, name, x, dim=dim, **keepdim(d))

    return spec(name, draw, weight=3)


def _argmax_like(name: str) -> OpSpec:
    def draw(d: Draw) -> Call:
        x = d.tensor()
        kw = {"dim": d.dim(_ndim(d, x))} if d.chance(0.7) else {}
        if d.chance(0.1):
            kw["dim"] = None
        kw.update(keepdim(d, 0.5))
        return either(d, name, x, **kw)

    return spec(name, draw, weight=2)


def _logsumexp(d: Draw) -> Call:
    x = d.tensor(dtype=d.dtype(FLOATS) if d.chance(0.85) else d.dtype())
    n = _ndim(d, x)
    dim = d.dims(n) if d.chance(0.35) else d.dim(n)
    return either(d, "logsumexp", x, dim, **keepdim(d))


def _norm(d: Draw) -> Call:
    x = d.tensor(dtype=d.dtype(FLOATS) if d.chance(0.9) else d.dtype())
    n = _ndim(d, x)
    kw: dict = {}
    if d.chance(0.8):
        kw["p"] = d.choice([2, 1, math.inf, -math.inf, 0, 3, "fro", 0.5, 2.0, -1])
    if d.chance(0.6):
        kw["dim"] = d.dims(n) if d.chance(0.4) else d.dim(n)
    kw.update(keepdim(d, 0.4))
    return either(d, "norm", x, **kw)


def _all_any(name: str) -> OpSpec:
    def draw(d: Draw) -> Call:
        x = d.tensor()
        n = _ndim(d, x)
        kw = d.dim_arg(n)
        kw.update(keepdim(d, 0.4))
        return either(d, name, x, **kw)

    return spec(name, draw, weight=2)


def _softmax_like(name: str) -> OpSpec:
    def draw(d: Draw) -> Call:
        x = d.tensor(dtype=d.dtype(FLOATS) if d.chance(0.85) else d.dtype())
        dim = d.dim(_ndim(d, x))
        kw = maybe_dtype(d, 0.15, FLOATS)
        if d.chance(0.5):
            return either(d, name, x, dim, **kw)
        return either(d, name, x, dim=dim, **kw)

    return spec(name, draw, accum=True, weight=2)


def _cumsum(d: Draw) -> Call:
    x = d.tensor()
    dim = d.dim(_ndim(d, x))
    return either(d, "cumsum", x, dim, **maybe_dtype(d, 0.15, FLOATS + ("int64",)))


SPECS: list[OpSpec] = [
    _sum_like("sum"), _sum_like("mean"),
    _var_like("var"), _var_like("std"),
    spec("prod", _prod, accum=True, weight=2),
    _amax_like("amax"), _amax_like("amin"),
    _max_like("max"), _max_like("min"),
    _argmax_like("argmax"), _argmax_like("argmin"),
    spec("logsumexp", _logsumexp, accum=True, weight=2),
    spec("norm", _norm, accum=True, weight=3),
    _all_any("all"), _all_any("any"),
    _softmax_like("softmax"), _softmax_like("log_softmax"),
    spec("cumsum", _cumsum, accum=True, weight=2),
]
