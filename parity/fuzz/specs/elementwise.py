"""Elementwise ops: unary math, conversions, binary arithmetic, comparisons, logical and bitwise
ops, Python operators (reflected and in-place ones too), clamp, where and the in-place methods."""

from __future__ import annotations

from parity.fuzz.generators import ALL_DTYPES, FLOATS, Call, Draw, DType, Ref
from parity.fuzz.specs._common import OpSpec, covers, either, other, spec

UNARY = ("abs", "neg", "exp", "log", "log1p", "sqrt", "rsqrt", "sin", "cos", "tanh", "sigmoid",
         "relu", "erf", "floor", "ceil", "trunc", "sign", "square", "reciprocal", "isnan",
         "isinf", "isfinite", "logical_not", "clone", "detach", "contiguous")
CONVERSIONS = ("float", "double", "half", "int", "long", "bool", "cpu")
BINARY = ("add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "ne", "lt", "le", "gt",
          "ge", "logical_and", "logical_or")
OPERATORS = ("+", "-", "*", "/", "**", "&", "|", "^", "==", "!=", "<", "<=", ">", ">=")
DUNDER = {"+": "add", "-": "sub", "*": "mul", "/": "truediv", "**": "pow", "&": "and", "|": "or",
          "^": "xor", "==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
REFLECTED = ("+", "-", "*", "/", "**", "&", "|", "^")
INPLACE = ("add_", "sub_", "mul_", "div_")


def _unary(name: str) -> OpSpec:
    def draw(d: Draw) -> Call:
        return either(d, name, d.tensor())

    return spec(name, draw)


def _round(d: Draw) -> Call:
    x = d.tensor()
    return either(d, "round", x, **({"decimals": d.int(-1, 3)} if d.chance(0.3) else {}))


def _conversion(name: str) -> OpSpec:
    return spec(name, lambda d: d.method(name, d.tensor()))


def _to(d: Draw) -> Call:
    x = d.tensor()
    dt = DType(d.dtype())
    if d.chance(0.2):
        return d.method("to", x, "cpu")
    if d.chance(0.3):
        return d.method("type", x, dt)
    return d.method("to", x, dt) if d.chance(0.5) else d.method("to", x, dtype=dt)


def _binary(name: str) -> OpSpec:
    def draw(d: Draw) -> Call:
        x = d.tensor()
        y = other(d, d.inputs[x.i].array.shape, str(d.inputs[x.i].array.dtype))
        kw = {"alpha": d.choice([2, 0.5, -1])} if name in ("add", "sub") and d.chance(0.3) else {}
        return either(d, name, x, y, **kw)

    return spec(name, draw)


BITWISE_POOL = ("bool", "int64", "int32", "uint8", "int16", "int8", "float32")


def _operand(d: Draw, symbol: str) -> Ref:
    """A tensor operand; bitwise operators mostly get integer and bool dtypes."""
    return d.tensor(dtype=d.dtype(BITWISE_POOL)) if symbol in "&|^~" else d.tensor()


def _operator(symbol: str) -> OpSpec:
    name = f"__{DUNDER[symbol]}__"

    def draw(d: Draw) -> Call:
        x = _operand(d, symbol)
        pool = BITWISE_POOL if symbol in "&|^" else ALL_DTYPES
        y = other(d, d.inputs[x.i].array.shape, str(d.inputs[x.i].array.dtype), pool)
        return d.op(symbol, x, y, names=(DUNDER[symbol],))

    return spec(name, draw, (f"Tensor.{name}",))


def _reflected(symbol: str) -> OpSpec:
    name = f"__r{DUNDER[symbol]}__"

    def draw(d: Draw) -> Call:
        return d.op(symbol, d.number(), _operand(d, symbol), names=(DUNDER[symbol],))

    return spec(name, draw, (f"Tensor.{name}",))


def _unary_operator(symbol: str, name: str) -> OpSpec:
    def draw(d: Draw) -> Call:
        small = symbol in ("bool", "float", "int", "index", "len")
        shape = d.choice([(), (1,), (1, 1), (2,), (0,), (3, 2)], p=[4, 2, 1, 1, 1, 1]) if small \
            else None
        pool = BITWISE_POOL if symbol in ("~", "index") else ALL_DTYPES
        return d.op(symbol, d.tensor(shape, d.dtype(pool)), names=(name.strip("_"),))

    return spec(name, draw, (f"Tensor.{name}",))


def _inplace(name: str) -> OpSpec:
    def draw(d: Draw) -> Call:
        x = d.clone(d.tensor(), 0.75)
        y = other(d, d.inputs[x.i].array.shape, str(d.inputs[x.i].array.dtype))
        kw = {"alpha": d.choice([2, 0.5])} if name in ("add_", "sub_") and d.chance(0.2) else {}
        return d.method(name, x, y, **kw)

    return spec(name, draw, (f"Tensor.{name}",))


def _ioperator(symbol: str) -> OpSpec:
    name = f"__i{DUNDER[symbol[0]]}__"

    def draw(d: Draw) -> Call:
        x = d.clone(d.tensor(), 0.75)
        y = other(d, d.inputs[x.i].array.shape, str(d.inputs[x.i].array.dtype))
        return d.op(symbol, x, y, names=(DUNDER[symbol[0]],))

    return spec(name, draw, (f"Tensor.{name}",))


def _pow_(d: Draw) -> Call:
    x = d.clone(d.tensor(), 0.8)
    e = d.choice([2, 0.5, -1, 3.0, 0]) if d.chance(0.7) else other(
        d, d.inputs[x.i].array.shape, str(d.inputs[x.i].array.dtype))
    return d.method("pow_", x, e)


def _bound(d: Draw, shape: tuple) -> object:
    r = d.rng.random()
    if r < 0.35:
        return None
    if r < 0.8:
        return d.number(("int", "float"))
    return d.tensor(d.broadcast_shape(shape), d.dtype(FLOATS + ("int64",)), layout=False)


def _clamp(name: str) -> OpSpec:
    def draw(d: Draw) -> Call:
        x = d.tensor()
        if name == "clamp_":
            d.clone(x, 0.75)
        shape = d.inputs[x.i].array.shape
        lo, hi = _bound(d, shape), _bound(d, shape)
        kw = {}
        if lo is not None or d.chance(0.1):
            kw["min"] = lo
        if hi is not None or d.chance(0.1):
            kw["max"] = hi
        if not kw and d.chance(0.5):
            kw = {"min": None, "max": None}
        if name != "clamp_" and d.chance(0.3) and "min" in kw:
            return d.method(name, x, *kw.values()) if d.chance(0.5) else either(d, name, x, **kw)
        return either(d, name, x, **kw) if name != "clamp_" else d.method(name, x, **kw)

    return spec(name, draw)


def _fill_(d: Draw) -> Call:
    x = d.clone(d.tensor(), 0.8)
    v = d.number() if d.chance(0.8) else d.tensor(d.choice([(), (1,), (2,)]), layout=False)
    return d.method("fill_", x, v)


def _zero_(d: Draw) -> Call:
    return d.method("zero_", d.clone(d.tensor(), 0.8))


def _copy_(d: Draw) -> Call:
    x = d.clone(d.tensor(), 0.8)
    src = d.tensor(d.broadcast_shape(d.inputs[x.i].array.shape), d.dtype())
    return d.method("copy_", x, src)


def _where(d: Draw) -> Call:
    x = d.tensor()
    shape = d.inputs[x.i].array.shape
    cond = d.mask(d.broadcast_shape(shape))
    if d.chance(0.1):
        return d.fn("where", cond)
    y = other(d, shape, str(d.inputs[x.i].array.dtype))
    if d.chance(0.3):
        return d.method("where", x, cond, y)
    if d.chance(0.2):
        return d.fn("where", cond, d.number(("int", "float")), y)
    return d.fn("where", cond, x, y)


def _requires_grad_(d: Draw) -> Call:
    x = d.tensor(dtype=d.dtype(ALL_DTYPES), grad=False)
    return d.method("requires_grad_", x, *([d.chance(0.7)] if d.chance(0.5) else []))


SPECS: list[OpSpec] = [
    *[_unary(n) for n in UNARY],
    spec("round", _round),
    *[_conversion(n) for n in CONVERSIONS],
    spec("to", _to, ("Tensor.to", "Tensor.type")),
    *[OpSpec(s.name, s.draw, s.covers, weight=2) for s in map(_binary, BINARY)],
    *[_operator(s) for s in OPERATORS],
    *[_reflected(s) for s in REFLECTED],
    _unary_operator("neg", "__neg__"), _unary_operator("~", "__invert__"),
    _unary_operator("pos", "__pos__"), _unary_operator("abs", "__abs__"),
    _unary_operator("bool", "__bool__"), _unary_operator("float", "__float__"),
    _unary_operator("int", "__int__"), _unary_operator("index", "__index__"),
    _unary_operator("len", "__len__"),
    *[_inplace(n) for n in INPLACE],
    *[_ioperator(s) for s in ("+=", "-=", "*=", "/=")],
    spec("pow_", _pow_),
    spec("relu_", lambda d: d.method("relu_", d.clone(d.tensor(), 0.8)), ("Tensor.relu_",)),
    _clamp("clamp"), _clamp("clip"), _clamp("clamp_"),
    spec("fill_", _fill_), spec("zero_", _zero_), spec("copy_", _copy_),
    spec("where", _where, covers("where")),
    spec("requires_grad_", _requires_grad_),
]
