"""Execute a fuzz `Call` in one library: build its inputs (leaf, transposed view, clone),
resolve Refs and DTypes, dispatch on the call's kind, with warnings silenced and a time limit."""

from __future__ import annotations

import operator
import signal
import threading
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

import minigrad
from parity.fuzz.generators import Call, DType, Ref

# A call that takes this long is a hang (every input is tiny); a PyTorch hang is not judged.
TIMEOUT_S = 30.0
OPERATORS: dict[str, Callable[..., Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "**": operator.pow, "@": operator.matmul, "&": operator.and_, "|": operator.or_,
    "^": operator.xor, "==": operator.eq, "!=": operator.ne, "<": operator.lt,
    "<=": operator.le, ">": operator.gt, ">=": operator.ge, "+=": operator.iadd,
    "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv, "~": operator.invert,
    "neg": operator.neg, "pos": operator.pos, "abs": abs, "len": len, "bool": bool,
    "float": float, "int": int, "index": operator.index,
}


def _resolve(v: Any, lib: Any, ts: list) -> Any:
    if isinstance(v, Ref):
        return ts[v.i]
    if isinstance(v, DType):
        return getattr(lib, v.name)
    if isinstance(v, list):
        return [_resolve(x, lib, ts) for x in v]
    if isinstance(v, tuple):
        return tuple(_resolve(x, lib, ts) for x in v)
    if isinstance(v, dict):
        return {k: _resolve(x, lib, ts) for k, x in v.items()}
    if isinstance(v, np.ndarray):
        return v.copy()
    return v


def build_inputs(lib: Any, call: Call) -> tuple[list, list]:
    """(leaves, what the op sees) for every input of `call`, in `lib`."""
    leaves, views = [], []
    for inp in call.inputs:
        base = np.swapaxes(inp.array, -1, -2).copy() if inp.transpose else \
            inp.array.copy()
        leaf = torch.from_numpy(base) if lib is torch else minigrad.tensor(base)
        if inp.grad:
            leaf.requires_grad_(True)
        view = leaf.transpose(-1, -2) if inp.transpose else leaf
        leaves.append(leaf)
        views.append(view.clone() if inp.clone else view)
    return leaves, views


def execute(lib: Any, call: Call, ts: list) -> Any:
    """Run `call` in `lib` on the op-side tensors `ts`."""
    args = _resolve(call.args, lib, ts)
    kwargs = _resolve(call.kwargs, lib, ts)
    if call.kind == "method":
        return getattr(args[0], call.name)(*args[1:], **kwargs)
    if call.kind == "fn":
        return getattr(lib, call.name)(*args, **kwargs)
    if call.kind == "F":
        return getattr(lib.nn.functional, call.name)(*args, **kwargs)
    if call.kind == "attr":
        return getattr(args[0], call.name)
    if call.kind == "getitem":
        return args[0][args[1]]
    if call.kind == "setitem":
        args[0][args[1]] = args[2]
        return args[0]
    return OPERATORS[call.name](*args)


class FuzzTimeoutError(Exception):
    """A call ran past TIMEOUT_S."""


def _alarm(signum: int, frame: Any) -> None:
    raise FuzzTimeoutError(f"no answer within {TIMEOUT_S:g} s")


def attempt(fn: Callable[[], Any]) -> tuple[Any, BaseException | None]:
    """(fn(), None) or (None, the exception it raised), warnings silenced, time-limited."""
    main = threading.current_thread() is threading.main_thread()
    if main:
        old = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, TIMEOUT_S)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return fn(), None
    except Exception as err:  # noqa: BLE001 - every exception is data here
        return None, err
    finally:
        if main:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)


def run_side(lib: Any, call: Call) -> tuple[list, Any, BaseException | None]:
    """(leaves, output, error) of `call` in `lib`."""
    leaves: list = []

    def go() -> Any:
        built, views = build_inputs(lib, call)
        leaves[:] = built
        return execute(lib, call, views)

    out, err = attempt(go)
    return leaves, out, err
