"""The spec row and the helpers the spec tables share."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import torch

import minigrad
from parity.fuzz.generators import ALL_DTYPES, Call, Draw, DType, Ref


@dataclasses.dataclass(frozen=True)
class OpSpec:
    """One row of the fuzz table.

    name:           the op as reports group it (`sum`, `add_`, `F.cross_entropy`, `getitem`).
    draw:           draw(d) -> Call: adds the inputs and picks the arguments and the spelling.
    covers:         the API names the draw can call (`Tensor.sum`, `minigrad.sum`, `F.relu`).
    weight:         cases per schedule round (ops with wide argument spaces get more).
    differentiable: float inputs require grad (most of the time).
    accum:          an accumulating op (sum, matmul, norms): values are held to a tolerance
                    scaled by the inputs' magnitude too.
    """

    name: str
    draw: Callable[[Draw], Call]
    covers: tuple = ()
    weight: int = 1
    differentiable: bool = True
    accum: bool = False
    no_grad_check: bool = False


def has_fn(name: str) -> bool:
    """Both libraries have a top-level `name` (torch.sum and minigrad.sum)."""
    return hasattr(minigrad, name) and hasattr(torch, name)


def covers(name: str) -> tuple:
    """The API names `Tensor.name` and, where both have it, `minigrad.name`."""
    return (f"Tensor.{name}",) + ((f"minigrad.{name}",) if has_fn(name) else ())


def either(d: Draw, name: str, x: Ref, *args: Any, p_fn: float = 0.35, **kwargs: Any) -> Call:
    """`x.name(...)` or, sometimes and where both libraries have it, `lib.name(x, ...)`."""
    if has_fn(name) and d.chance(p_fn):
        return d.fn(name, x, *args, **kwargs)
    return d.method(name, x, *args, **kwargs)


def maybe_dtype(d: Draw, p: float = 0.15, pool: tuple = ALL_DTYPES) -> dict:
    """`{"dtype": lib.<dtype>}` with probability p, else `{}`."""
    return {"dtype": DType(d.dtype(pool))} if d.chance(p) else {}


def keepdim(d: Draw, p: float = 0.6) -> dict:
    """`{"keepdim": bool}` with probability p."""
    return {"keepdim": d.chance(0.5)} if d.chance(p) else {}


def other(d: Draw, shape: tuple, dtype: str, pool: tuple = ALL_DTYPES) -> Any:
    """The second operand of a binary op: a broadcastable tensor (often of another dtype), a 0-d
    tensor, or a Python number."""
    r = d.rng.random()
    if r < 0.2:
        return d.number()
    dt = dtype if d.chance(0.5) else d.dtype(pool)
    if r < 0.3:
        return d.tensor((), dt)
    return d.tensor(d.broadcast_shape(shape), dt)


def spec(name: str, draw: Callable[[Draw], Call], cov: tuple | None = None, **kw: Any) -> OpSpec:
    """An OpSpec whose coverage defaults to `covers(name)`."""
    return OpSpec(name, draw, covers(name) if cov is None else cov, **kw)
