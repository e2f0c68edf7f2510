"""Creation: arange, linspace, zeros/ones/full/eye (sizes as varargs, tuples, lists; dtypes and
their inference from Python numbers), the *_like and new_* families, tensor/as_tensor/from_numpy
on nested lists and arrays, and the comparisons isclose/allclose/equal."""

from __future__ import annotations

from parity.fuzz.generators import ALL_DTYPES, Call, Draw, DType, Ref
from parity.fuzz.specs._common import OpSpec, spec


def _dt(d: Draw, p: float = 0.4) -> dict:
    return {"dtype": DType(d.dtype(ALL_DTYPES))} if d.chance(p) else {}


def _rg(d: Draw, kw: dict) -> dict:
    if d.chance(0.15):
        kw["requires_grad"] = True
    return kw


def _arange(d: Draw) -> Call:
    ints = d.chance(0.6)

    def num() -> float | int:
        return d.int(-4, 8) if ints else float(round(d.rng.uniform(-4, 8), 2))

    args = [num()]
    if d.chance(0.7):
        args.append(num())
        if d.chance(0.5):
            step = d.choice([1, 2, -1, -2, 0.5, -0.5, 0.3, 3]) if d.chance(0.97) else 0
            args.append(step)
    return d.fn("arange", *args, **_rg(d, _dt(d, 0.3)))


def _linspace(d: Draw) -> Call:
    start = d.number(("int", "float"))
    end = d.number(("int", "float"))
    steps = d.int(0, 7) if d.chance(0.95) else -1
    return d.fn("linspace", start, end, steps, **_rg(d, _dt(d, 0.3)))


def _size_args(d: Draw) -> tuple[list, tuple]:
    shape = d.shape(hi=3)
    if d.chance(0.05):
        shape = shape + (-1,)
    r = d.rng.random()
    if r < 0.4:
        return list(shape), shape
    return [tuple(shape) if r < 0.8 else list(shape)], shape


def _filled(name: str) -> OpSpec:
    def draw(d: Draw) -> Call:
        args, shape = _size_args(d)
        return d.fn(name, *args, **_rg(d, _dt(d)))

    return spec(name, draw, (f"minigrad.{name}",), differentiable=False)


def _full(d: Draw) -> Call:
    shape = d.shape(hi=3)
    size = tuple(shape) if d.chance(0.8) else list(shape)
    return d.fn("full", size, d.number(), **_rg(d, _dt(d, 0.4)))


def _eye(d: Draw) -> Call:
    args = [d.int(0, 4)] + ([d.int(0, 4)] if d.chance(0.5) else [])
    if d.chance(0.03):
        args[0] = -1
    return d.fn("eye", *args, **_rg(d, _dt(d)))


def _like(name: str) -> OpSpec:
    def draw(d: Draw) -> Call:
        x = d.tensor()
        if name == "full_like":
            return d.fn(name, x, d.number(), **_dt(d))
        return d.fn(name, x, **_rg(d, _dt(d)))

    return spec(name, draw, (f"minigrad.{name}",), differentiable=False)


def _new(name: str) -> OpSpec:
    def draw(d: Draw) -> Call:
        x = d.tensor()
        if name == "new_tensor":
            return d.method(name, x, _nested(d), **_dt(d, 0.3))
        args, shape = _size_args(d)
        if name == "new_full":
            return d.method(name, x, tuple(shape), d.number(), **_dt(d, 0.3))
        return d.method(name, x, *args, **_dt(d, 0.3))

    return spec(name, draw, (f"Tensor.{name}",), differentiable=False)


def _nested(d: Draw) -> object:
    """A Python scalar, or a nested list of ints/floats/bools (sometimes mixed or ragged)."""
    if d.chance(0.2):
        return d.number()
    shape = d.shape(hi=3, side=3)
    kinds = d.choice([("int",), ("float",), ("bool",), ("int", "float"), ("int", "bool")])

    def build(level: int) -> object:
        if level == len(shape):
            return d.number(kinds)
        return [build(level + 1) for _ in range(shape[level])]

    out = build(0)
    if isinstance(out, list) and len(out) > 1 and isinstance(out[0], list) and d.chance(0.05):
        out[0] = out[0][:-1] if out[0] else [1]
    return out


def _tensor(name: str) -> OpSpec:
    def draw(d: Draw) -> Call:
        kw = _dt(d, 0.3)
        if name == "tensor" and d.chance(0.2):
            kw["requires_grad"] = True
        if d.chance(0.9 if name == "from_numpy" else 0.3):
            arr = d.values(d.shape(hi=3), d.dtype())
            return d.fn(name, arr, **kw) if name != "from_numpy" else d.fn(name, arr)
        return d.fn(name, _nested(d), **kw)

    return spec(name, draw, (f"minigrad.{name}",), differentiable=False)


def _close(name: str) -> OpSpec:
    def draw(d: Draw) -> Call:
        x = d.tensor(style=d.choice(["ties", "special", "normal"]))
        a = d.inputs[x.i].array
        if d.chance(0.6):
            y: Ref = d.tensor(array=(a + d.rng.standard_normal(a.shape) * 1e-6).astype(a.dtype)
                              if a.dtype.kind == "f" else a.copy())
        else:
            y = d.tensor(d.broadcast_shape(a.shape), d.dtype())
        kw: dict = {}
        if name != "equal":
            if d.chance(0.3):
                kw["rtol"] = d.choice([0.0, 1e-3, 1e-9])
            if d.chance(0.3):
                kw["atol"] = d.choice([0.0, 1e-3])
            if d.chance(0.3):
                kw["equal_nan"] = d.chance(0.5)
        return d.fn(name, x, y, **kw)

    return spec(name, draw, (f"minigrad.{name}",), differentiable=False)


def _is_tensor(d: Draw) -> Call:
    return d.fn("is_tensor", d.tensor() if d.chance(0.7) else d.number())


SPECS: list[OpSpec] = [
    spec("arange", _arange, ("minigrad.arange",), differentiable=False, weight=2),
    spec("linspace", _linspace, ("minigrad.linspace",), differentiable=False),
    _filled("zeros"), _filled("ones"),
    spec("full", _full, ("minigrad.full",), differentiable=False),
    spec("eye", _eye, ("minigrad.eye",), differentiable=False),
    _like("zeros_like"), _like("ones_like"), _like("full_like"),
    _new("new_zeros"), _new("new_ones"), _new("new_full"), _new("new_tensor"),
    _tensor("tensor"), _tensor("as_tensor"), _tensor("from_numpy"),
    _close("isclose"), _close("allclose"), _close("equal"),
    spec("is_tensor", _is_tensor, ("minigrad.is_tensor",), differentiable=False),
]
