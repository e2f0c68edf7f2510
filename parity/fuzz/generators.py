"""Seeded draws for the differential fuzzer: shapes, dtypes, values, dims, index expressions.

A case is a pure function of (seed, index): every draw goes through one `numpy.random.Generator`
made from both, so `python -m parity.fuzz --replay SEED:INDEX` rebuilds it exactly. A spec's
`draw(d)` adds tensor inputs with `d.tensor(...)` (which returns a `Ref`, the placeholder `a0`,
`a1`, ... in the call) and ends with one of `d.method / d.fn / d.F / d.op / d.getitem / ...`,
which returns the `Call`: a description of the call that the runner executes in both libraries
and prints as a Python expression.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

FLOATS = ("float32", "float64")
INTS = ("int64", "int32", "uint8", "int16", "int8")
ALL_DTYPES = ("float32", "float64", "float16", *INTS, "bool")
_WEIGHTS = {"float32": 6.0, "float64": 6.0, "float16": 1.0, "int64": 3.0, "int32": 1.5,
            "uint8": 1.0, "int16": 0.4, "int8": 0.4, "bool": 2.0}
STYLES = ("normal", "ties", "special", "positive", "unit", "wide")
_STYLE_P = (0.45, 0.2, 0.15, 0.1, 0.05, 0.05)


@dataclasses.dataclass(frozen=True)
class Ref:
    """The i-th tensor input of a call (printed as `a{i}`)."""

    i: int

    def __repr__(self) -> str:
        return f"a{self.i}"


@dataclasses.dataclass(frozen=True)
class DType:
    """A dtype argument, resolved to `lib.<name>` in each library."""

    name: str

    def __repr__(self) -> str:
        return f"lib.{self.name}"


@dataclasses.dataclass
class Input:
    """One tensor input: the array both libraries get, and how it is presented to the op.

    transpose: the leaf holds the array with its last two dims swapped, and the op sees
               `leaf.transpose(-1, -2)` (same values, non-contiguous).
    clone:     the op sees `leaf.clone()` (a non-leaf: in-place ops are legal on it).
    """

    array: np.ndarray
    grad: bool = False
    transpose: bool = False
    clone: bool = False


@dataclasses.dataclass
class Call:
    """One call: `kind` is method | fn (lib.name) | F (nn.functional) | op (operator symbol) |
    getitem | setitem | attr; args may hold Refs, DTypes, lists, slices and Ellipsis."""

    op: str
    kind: str
    name: str
    args: tuple
    kwargs: dict
    inputs: list
    names: tuple = ()  # extra spellings of the op that count as "naming it" in a message

    def expr(self) -> str:
        """The call as a Python expression over `lib`, `F`, `a0`, `a1`, ..."""
        args = [fmt(a) for a in self.args] + [f"{k}={fmt(v)}" for k, v in self.kwargs.items()]
        if self.kind == "method":
            return f"{fmt(self.args[0])}.{self.name}({', '.join(args[1:])})"
        if self.kind == "attr":
            return f"{fmt(self.args[0])}.{self.name}"
        if self.kind == "fn":
            return f"lib.{self.name}({', '.join(args)})"
        if self.kind == "F":
            return f"F.{self.name}({', '.join(args)})"
        if self.kind == "getitem":
            return f"{fmt(self.args[0])}[{fmt_index(self.args[1])}]"
        if self.kind == "setitem":
            return f"{fmt(self.args[0])}[{fmt_index(self.args[1])}] = {args[2]}"
        if len(self.args) == 1:
            prefix = {"neg": "-", "pos": "+", "~": "~"}.get(self.name)
            return f"{prefix}{args[0]}" if prefix else f"{self.name}({args[0]})"
        return f"{args[0]} {self.name} {args[1]}"


def fmt(v: Any) -> str:
    """Python source for one argument value."""
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else ("nan" if math.isnan(v) else
                                                  ("inf" if v > 0 else "-inf"))
    if isinstance(v, list):
        return "[" + ", ".join(fmt(x) for x in v) + "]"
    if isinstance(v, tuple):
        return "(" + ", ".join(fmt(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    if isinstance(v, slice):
        return f"slice({fmt(v.start)}, {fmt(v.stop)}, {fmt(v.step)})"
    if v is Ellipsis:
        return "..."
    if isinstance(v, np.ndarray):
        return array_literal(v)
    return repr(v)


def array_literal(a: np.ndarray) -> str:
    """`np.array([...], dtype='float32')`, reshaped when a size-0 list would lose the shape."""
    text = f"np.array({fmt(a.tolist()) if a.ndim else fmt(a.item())}, dtype='{a.dtype}')"
    return f"{text}.reshape({a.shape})" if a.size == 0 and a.ndim != 1 else text


def fmt_index(idx: Any) -> str:
    """Python source for a subscript: `1, ::-1, None, ...`."""
    items = idx if isinstance(idx, tuple) else (idx,)
    out = []
    for it in items:
        if isinstance(it, slice):
            parts = ["" if p is None else fmt(p) for p in (it.start, it.stop)]
            out.append(":".join(parts) + ("" if it.step is None else f":{fmt(it.step)}"))
        else:
            out.append(fmt(it))
    if isinstance(idx, tuple) and len(idx) <= 1:
        return (out[0] + ",") if out else "()"
    return ", ".join(out)


class Draw:
    """The random source and the input list of one case."""

    def __init__(self, rng: np.random.Generator, op: str, differentiable: bool = True) -> None:
        self.rng = rng
        self.op_name = op
        self.differentiable = differentiable
        self.inputs: list[Input] = []

    # -- scalars ----------------------------------------------------------------------------
    def chance(self, p: float) -> bool:
        """True with probability p."""
        return bool(self.rng.random() < p)

    def choice(self, options: Sequence[Any], p: Sequence[float] | None = None) -> Any:
        """One of `options` (weights `p`, normalised)."""
        if p is not None:
            w = np.asarray(p, dtype=float)
            return options[int(self.rng.choice(len(options), p=w / w.sum()))]
        return options[int(self.rng.integers(len(options)))]

    def int(self, lo: int, hi: int) -> int:
        """An int in [lo, hi] inclusive."""
        return int(self.rng.integers(lo, hi + 1))

    def number(self, kinds: Sequence[str] = ("int", "float", "bool")) -> Any:
        """A Python number: small int, float (sometimes inf/nan/-0.0) or bool."""
        kind = self.choice(kinds)
        if kind == "int":
            return self.int(-3, 5)
        if kind == "bool":
            return self.chance(0.5)
        if self.chance(0.1):
            return self.choice([math.inf, -math.inf, math.nan, -0.0])
        return float(np.round(self.rng.standard_normal() * 2, 2))

    # -- shapes and dtypes ---------------------------------------------------------------------
    def shape(self, ndim: int | None = None, lo: int = 0, hi: int = 4, side: int = 5) -> tuple:
        """A shape with 0-d, size-0 and size-1 dims represented."""
        if ndim is None:
            ndim = self.choice(range(lo, hi + 1), p=[1.5 if k <= 3 else 1 for k in range(lo,
                                                                                       hi + 1)])
        dims = []
        for _ in range(ndim):
            r = self.rng.random()
            dims.append(0 if r < 0.05 else 1 if r < 0.22 else self.int(2, side))
        return tuple(dims)

    def dtype(self, pool: Sequence[str] = ALL_DTYPES) -> str:
        """A dtype name from `pool`, float32 and float64 most often."""
        return self.choice(pool, p=[_WEIGHTS[d] for d in pool])

    def broadcast_shape(self, shape: tuple, p_ok: float = 0.85) -> tuple:
        """A shape that broadcasts with `shape` (probability p_ok), else a random one."""
        if not self.chance(p_ok):
            return self.shape()
        keep = self.int(0, len(shape))
        out = [1 if self.chance(0.3) else s for s in shape[len(shape) - keep:]]
        if self.chance(0.15):
            out = [self.choice([1, 2])] + out
        return tuple(out)

    # -- values --------------------------------------------------------------------------------
    def values(self, shape: tuple, dtype: str, style: str | None = None) -> np.ndarray:
        """An array of `dtype`: floats in a drawn style (normal, ties, special, ...), ints small
        (uint8 sometimes near its wrap-around), bools fair."""
        n = math.prod(shape)
        if dtype == "bool":
            return self.rng.random(shape) < self.choice([0.5, 0.1, 0.9])
        if dtype in INTS:
            lo, hi = (0, 10) if dtype == "uint8" else (-5, 6)
            if dtype == "uint8" and self.chance(0.1):
                lo, hi = 250, 256
            return self.rng.integers(lo, hi, shape).astype(dtype)
        style = style or self.choice(STYLES, p=_STYLE_P)
        if style == "ties":
            x = self.rng.integers(-3, 4, shape) * self.choice([1.0, 0.5])
        elif style == "positive":
            x = self.rng.uniform(0.1, 3.0, shape)
        elif style == "unit":
            x = self.rng.uniform(0.02, 0.98, shape)
        elif style == "wide":
            x = self.rng.standard_normal(shape) * 10.0 ** self.rng.integers(-6, 7, shape)
        elif style == "distinct":
            x = self.rng.permutation(np.linspace(-3, 3, n) + self.rng.uniform(-.1, .1, n) / max(
                n, 1)).reshape(shape)
        else:
            x = self.rng.standard_normal(shape)
        if style == "special" and n:
            flat = x.reshape(-1)
            k = self.int(1, max(1, n // 3))
            at = self.rng.choice(n, k, replace=False)
            flat[at] = self.rng.choice([math.inf, -math.inf, math.nan, 0.0, -0.0, 1e30, -1e-30],
                                       k)
            x = flat.reshape(shape)
        with np.errstate(over="ignore", invalid="ignore"):
            return np.asarray(x, dtype=dtype)

    def tensor(self, shape: tuple | None = None, dtype: str | None = None, style: str | None = None,
               grad: bool | None = None, array: np.ndarray | None = None,
               layout: bool = True) -> Ref:
        """Add a tensor input and return its Ref. `grad=None`: float inputs of differentiable
        ops require grad (9 times in 10); `layout`: sometimes a transposed (non-contiguous) view."""
        if array is None:
            shape = self.shape() if shape is None else shape
            array = self.values(shape, dtype or self.dtype(), style)
        floating = array.dtype.kind == "f"
        if grad is None:
            grad = self.differentiable and floating and self.chance(0.9)
        grad = bool(grad and floating)
        transpose = layout and array.ndim >= 2 and self.chance(0.15)
        self.inputs.append(Input(np.array(array), grad, transpose))
        return Ref(len(self.inputs) - 1)

    def index(self, high: int, shape: tuple, oob: float = 0.05, neg: float = 0.15) -> Ref:
        """An int64 index tensor in [0, high) (with probability `neg` in [-high, high)), rarely
        out of range."""
        lo = -high if self.chance(neg) else 0
        arr = self.rng.integers(lo, max(high, 1), shape) if high > 0 else np.zeros(shape, int)
        if arr.size and self.chance(oob):
            arr.reshape(-1)[0] = self.choice([high, -high - 1, high + 3])
        return self.tensor(array=arr.astype(np.int64), layout=False)

    def mask(self, shape: tuple) -> Ref:
        """A bool tensor."""
        return self.tensor(shape, "bool", layout=False)

    def clone(self, ref: Ref, p: float = 1.0) -> Ref:
        """Present input `ref` to the op as `leaf.clone()` (with probability p)."""
        self.inputs[ref.i].clone = self.chance(p)
        return ref

    # -- dims ----------------------------------------------------------------------------------
    def dim(self, ndim: int, oob: float = 0.07) -> int:
        """A dim for an `ndim`-d tensor (0-d tensors take -1 and 0), sometimes out of range."""
        n = max(ndim, 1)
        if self.chance(oob):
            return self.choice([n, -n - 1, n + 2])
        return self.int(-n, n - 1)

    def dims(self, ndim: int, oob: float = 0.05) -> tuple:
        """A tuple of dims: usually distinct, sometimes empty or with a repeat."""
        k = self.int(0, ndim)
        picked = [int(d) for d in self.rng.permutation(max(ndim, 1))[:k]]
        out = [d - ndim if ndim and self.chance(0.3) else d for d in picked]
        if out and self.chance(0.05):
            out.append(out[0])
        if self.chance(oob):
            out.append(ndim + 1)
        return tuple(out)

    def dim_arg(self, ndim: int, none: bool = True, tuples: bool = True) -> dict:
        """`{"dim": ...}` (int, tuple, list or None) or `{}`."""
        r = self.rng.random()
        if none and r < 0.15:
            return {}
        if none and r < 0.2:
            return {"dim": None}
        if tuples and r < 0.5:
            dims = self.dims(ndim)
            return {"dim": list(dims) if self.chance(0.15) else dims}
        return {"dim": self.dim(ndim)}

    def subscript(self, shape: tuple) -> Any:
        """A getitem/setitem index: ints, slices (negative steps too), None, Ellipsis, int
        tensors, bool masks and lists, roughly fitted to `shape`, sometimes out of range."""
        items: list[Any] = []
        dim = 0
        for _ in range(self.int(1, min(len(shape) + 1, 4))):
            size = shape[dim] if dim < len(shape) else 1
            kind = self.choice(["int", "slice", "None", "...", "itensor", "mask", "list"],
                               p=[3, 4, 1, 0.7, 1.2, 0.8, 0.5])
            if dim >= len(shape) and kind not in ("None", "...") and not self.chance(0.1):
                kind = "None" if self.chance(0.3) else "stop"
            if kind == "stop":
                break
            if kind == "...":
                if Ellipsis in items and not self.chance(0.2):
                    continue
                items.append(Ellipsis)
                dim = max(dim, len(shape) - (self.int(0, 2)))
                continue
            if kind == "None":
                items.append(None)
                continue
            if kind == "int":
                items.append(self.int(-size, size - 1) if size and not self.chance(0.06)
                             else self.choice([size, -size - 1]))
            elif kind == "slice":
                ends = [None if self.chance(0.4) else self.int(-size - 2, size + 2)
                        for _ in range(2)]
                step = self.choice([None, 1, 2, 3, -1, -2, 0], p=[5, 1, 2, 0.5, 1, 0.4, 0.2])
                items.append(slice(ends[0], ends[1], step))
            elif kind == "itensor":
                items.append(self.index(size, self.shape(hi=2, side=3)))
            elif kind == "list":
                items.append([self.int(-size, max(size - 1, 0)) for _ in range(self.int(0, 3))])
            else:
                k = min(self.int(1, 2), max(len(shape) - dim, 1))
                mshape = tuple(shape[dim:dim + k]) or (1,)
                if self.chance(0.1):
                    mshape = (mshape[0] + 1,) + mshape[1:]
                items.append(self.mask(mshape))
                dim += k
                continue
            dim += 1
        if len(items) == 1 and self.chance(0.7):
            return items[0]
        return tuple(items)

    # -- the call ------------------------------------------------------------------------------
    def _call(self, kind: str, name: str, args: tuple, kwargs: dict, names: tuple) -> Call:
        return Call(self.op_name, kind, name, args, kwargs, self.inputs, names)

    def method(self, name: str, *args: Any, names: tuple = (), **kwargs: Any) -> Call:
        """`args[0].name(*args[1:], **kwargs)`."""
        return self._call("method", name, args, kwargs, names)

    def fn(self, name: str, *args: Any, names: tuple = (), **kwargs: Any) -> Call:
        """`lib.name(*args, **kwargs)`."""
        return self._call("fn", name, args, kwargs, names)

    def F(self, name: str, *args: Any, names: tuple = (), **kwargs: Any) -> Call:  # noqa: N802
        """`lib.nn.functional.name(*args, **kwargs)`."""
        return self._call("F", name, args, kwargs, names)

    def op(self, symbol: str, *args: Any, names: tuple = ()) -> Call:
        """`a <symbol> b` or `<symbol>a` (Python operators, reflected ones included)."""
        return self._call("op", symbol, args, {}, names)

    def attr(self, ref: Ref, name: str) -> Call:
        """`ref.name` (a property such as T or mT)."""
        return self._call("attr", name, (ref,), {}, ())

    def getitem(self, ref: Ref, index: Any) -> Call:
        """`ref[index]`."""
        return self._call("getitem", "__getitem__", (ref, index), {}, ("index", "getitem"))

    def setitem(self, ref: Ref, index: Any, value: Any) -> Call:
        """`ref[index] = value`; the call's output is `ref` afterwards."""
        return self._call("setitem", "__setitem__", (ref, index, value), {},
                          ("index", "setitem"))
