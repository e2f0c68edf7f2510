"""Shape ops: reshape/view (with -1 and wrong sizes), permute, transpose, flatten, unflatten,
squeeze, unsqueeze, expand, repeat, flip, t/T/mT, triu/tril, split/chunk/unbind, cat/stack, and
the size queries (size, dim, numel, tolist, item, is_contiguous, ...)."""

from __future__ import annotations

import math

from parity.fuzz.generators import ALL_DTYPES, Call, Draw, Ref
from parity.fuzz.specs._common import OpSpec, covers, either, has_fn, spec


def _arr(d: Draw, x: Ref):
    return d.inputs[x.i].array


def _factor(d: Draw, n: int) -> list[int]:
    """Sizes whose product is n (n = 0: one of them is 0)."""
    if n == 0:
        out = [d.int(1, 3) for _ in range(d.int(0, 2))]
        out.insert(d.int(0, len(out)), 0)
        return out
    out, rest = [], n
    for _ in range(d.int(0, 3)):
        divs = [k for k in range(1, rest + 1) if rest % k == 0]
        k = d.choice(divs)
        out.append(k)
        rest //= k
    out.append(rest)
    return [int(v) for v in d.rng.permutation(out)] if out else out


def _target_shape(d: Draw, n: int) -> list[int]:
    shape = _factor(d, n) if not (n == 1 and d.chance(0.2)) else []
    if shape and d.chance(0.3):
        shape[d.int(0, len(shape) - 1)] = -1
    if shape and d.chance(0.08):
        shape[d.int(0, len(shape) - 1)] += 1  # a wrong number of elements
    if d.chance(0.03):
        shape = [-1, -1]
    return shape


def _sizes(d: Draw, name: str, x: Ref, sizes: list) -> Call:
    """Sizes as varargs, a tuple or a list."""
    r = d.rng.random()
    if r < 0.4:
        return d.method(name, x, *sizes)
    return d.method(name, x, tuple(sizes) if r < 0.8 else list(sizes))


def _reshape(name: str) -> OpSpec:
    def draw(d: Draw) -> Call:
        x = d.tensor()
        shape = _target_shape(d, _arr(d, x).size)
        if name == "reshape" and has_fn("reshape") and d.chance(0.3):
            return d.fn("reshape", x, tuple(shape))
        return _sizes(d, name, x, shape)

    return spec(name, draw)


def _like(name: str) -> OpSpec:
    def draw(d: Draw) -> Call:
        x = d.tensor()
        n = _arr(d, x).size
        target = [max(s, 0) for s in _target_shape(d, n)] if d.chance(0.8) else list(d.shape())
        target = [n if s < 0 else s for s in target]
        return d.method(name, x, d.tensor(tuple(target), layout=False, grad=False))

    return spec(name, draw)


def _perm(d: Draw, n: int) -> list[int]:
    p = [int(v) for v in d.rng.permutation(n)]
    p = [v - n if d.chance(0.2) else v for v in p]
    if d.chance(0.08):
        p = p[:-1] if p and d.chance(0.5) else p + [0]
    return p


def _permute(d: Draw) -> Call:
    x = d.tensor()
    p = _perm(d, _arr(d, x).ndim)
    if d.chance(0.25):
        return d.fn("permute", x, tuple(p))
    return _sizes(d, "permute", x, p)


def _transpose(name: str) -> OpSpec:
    def draw(d: Draw) -> Call:
        x = d.tensor()
        n = _arr(d, x).ndim
        return either(d, name, x, d.dim(n), d.dim(n))

    return spec(name, draw)


def _flatten(d: Draw) -> Call:
    x = d.tensor()
    n = _arr(d, x).ndim
    kw = {}
    if d.chance(0.7):
        kw["start_dim"] = d.dim(n)
    if d.chance(0.6):
        kw["end_dim"] = d.dim(n)
    return either(d, "flatten", x, **kw)


def _unflatten(d: Draw) -> Call:
    x = d.tensor(d.shape(lo=1))
    a = _arr(d, x)
    dim = d.dim(a.ndim)
    size = a.shape[dim] if -a.ndim <= dim < a.ndim else 4
    sizes = _target_shape(d, size) or [1]
    return either(d, "unflatten", x, dim, tuple(sizes) if d.chance(0.7) else sizes)


def _squeeze(d: Draw) -> Call:
    x = d.tensor()
    n = _arr(d, x).ndim
    r = d.rng.random()
    if r < 0.3:
        return either(d, "squeeze", x)
    if r < 0.5:
        return either(d, "squeeze", x, d.dims(n))
    return either(d, "squeeze", x, d.dim(n))


def _unsqueeze(d: Draw) -> Call:
    x = d.tensor()
    return either(d, "unsqueeze", x, d.dim(_arr(d, x).ndim + 1))


def _expand(d: Draw) -> Call:
    x = d.tensor()
    shape = list(_arr(d, x).shape)
    target = [(d.int(2, 3) if s == 1 and d.chance(0.5) else (-1 if d.chance(0.3) else s))
              for s in shape]
    target = [d.int(1, 3) for _ in range(d.int(0, 2))] + target
    if d.chance(0.1) and target:
        target[d.int(0, len(target) - 1)] = d.choice([0, 7, -1])
    if d.chance(0.1):
        x2 = d.tensor(tuple(abs(t) for t in target), grad=False, layout=False)
        return d.method("expand_as", x, x2)
    return _sizes(d, "expand", x, target)


def _repeat(d: Draw) -> Call:
    x = d.tensor(d.shape(side=3))
    n = _arr(d, x).ndim
    reps = [d.int(0, 3) if d.chance(0.1) else d.int(1, 3) for _ in range(n + d.int(0, 1))]
    if d.chance(0.08) and reps:
        reps = reps[1:]
    return _sizes(d, "repeat", x, reps)


def _flip(d: Draw) -> Call:
    x = d.tensor()
    dims = d.dims(_arr(d, x).ndim)
    if d.chance(0.3):
        return d.fn("flip", x, list(dims))
    return _sizes(d, "flip", x, list(dims)) if d.chance(0.6) else d.method("flip", x, dims)


def _t_like(name: str) -> OpSpec:
    def draw(d: Draw) -> Call:
        x = d.tensor(d.shape(hi=3))
        if name == "t":
            return either(d, "t", x)
        return d.attr(x, name)

    return spec(name, draw, (f"Tensor.{name}",) if name != "t" else covers("t"))


def _triangle(name: str) -> OpSpec:
    def draw(d: Draw) -> Call:
        x = d.tensor(d.shape(lo=2) if d.chance(0.9) else d.shape())
        args = [d.int(-3, 3)] if d.chance(0.6) else []
        return either(d, name, x, *args)

    return spec(name, draw)


def _split(d: Draw) -> Call:
    x = d.tensor(d.shape(lo=1))
    a = _arr(d, x)
    dim = d.dim(a.ndim, 0.04)
    size = a.shape[dim] if -a.ndim <= dim < a.ndim else 3
    if d.chance(0.4):
        sizes = _factor(d, max(size, 1)) if size else [0]
        if d.chance(0.1):
            sizes.append(1)
        arg = sizes
    else:
        arg = d.int(0, size + 1) if d.chance(0.1) else d.int(1, max(size, 1) + 1)
    return either(d, "split", x, arg, dim) if d.chance(0.7) else either(d, "split", x, arg)


def _chunk(d: Draw) -> Call:
    x = d.tensor(d.shape(lo=1))
    n = _arr(d, x).ndim
    chunks = d.int(0, 6) if d.chance(0.1) else d.int(1, 6)
    return either(d, "chunk", x, chunks, *([d.dim(n)] if d.chance(0.7) else []))


def _unbind(d: Draw) -> Call:
    x = d.tensor(d.shape(lo=1))
    return either(d, "unbind", x, *([d.dim(_arr(d, x).ndim)] if d.chance(0.7) else []))


def _join(name: str) -> OpSpec:
    def draw(d: Draw) -> Call:
        shape = d.shape(lo=0 if name == "stack" else 1, hi=3)
        n = len(shape)
        dim = d.dim(n + 1 if name == "stack" else n, 0.05)
        k = d.int(1, 3) if d.chance(0.95) else 0
        dt = d.dtype()
        parts = []
        for _ in range(k):
            s = list(shape)
            if name != "stack" and s and -n <= dim < n and d.chance(0.6):
                s[dim] = d.int(0, 3)
            if d.chance(0.05):
                s = list(d.shape())
            parts.append(d.tensor(tuple(s), dt if d.chance(0.8) else d.dtype()))
        seq = parts if d.chance(0.7) else tuple(parts)
        return d.fn(name, seq, dim) if d.chance(0.6) else d.fn(name, seq, dim=dim)

    return spec(name, draw, (f"minigrad.{name}",), weight=2)


def _query(name: str, grad: bool = True) -> OpSpec:
    def draw(d: Draw) -> Call:
        small = name in ("item",)
        x = d.tensor(d.choice([(), (1,), (1, 1), (2,)]) if small else None, d.dtype(ALL_DTYPES))
        if name == "size" and d.chance(0.6):
            return d.method("size", x, d.dim(d.inputs[x.i].array.ndim))
        return d.method(name, x)

    return spec(name, draw, (f"Tensor.{name}",) + (("minigrad.numel",) if name == "numel" else ()))


def _numel_fn(d: Draw) -> Call:
    return d.fn("numel", d.tensor())


def _contiguous_view(d: Draw) -> Call:
    """view() after a transpose: PyTorch refuses when the strides do not allow it."""
    x = d.tensor(d.shape(lo=2, hi=3, side=4))
    d.inputs[x.i].transpose = True
    n = math.prod(d.inputs[x.i].array.shape)
    return _sizes(d, "view", x, [n] if d.chance(0.6) else _target_shape(d, n))


SPECS: list[OpSpec] = [
    OpSpec("reshape", _reshape("reshape").draw, covers("reshape"), weight=2),
    OpSpec("view", _reshape("view").draw, covers("view"), weight=2),
    spec("view(transposed)", _contiguous_view, ("Tensor.view",)),
    _like("reshape_as"), _like("view_as"),
    spec("permute", _permute, weight=2),
    _transpose("transpose"), _transpose("swapaxes"),
    spec("flatten", _flatten, weight=2), spec("unflatten", _unflatten),
    spec("squeeze", _squeeze, weight=2), spec("unsqueeze", _unsqueeze),
    spec("expand", _expand, ("Tensor.expand", "Tensor.expand_as"), weight=2),
    spec("repeat", _repeat), spec("flip", _flip),
    _t_like("t"), _t_like("T"), _t_like("mT"),
    _triangle("triu"), _triangle("tril"),
    spec("split", _split, weight=2), spec("chunk", _chunk), spec("unbind", _unbind),
    _join("cat"), _join("concat"), _join("concatenate"), _join("stack"),
    *[_query(n) for n in ("size", "dim", "numel", "nelement", "element_size", "is_contiguous",
                          "is_floating_point", "tolist", "item")],
    spec("numel(fn)", _numel_fn, ("minigrad.numel",)),
]
