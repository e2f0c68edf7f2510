"""Indexing: getitem/setitem with every kind of index, gather, index_select, scatter (add, value,
in-place), masked_fill, nonzero (as_tuple too), sort/argsort/topk."""

from __future__ import annotations

import numpy as np

from parity.fuzz.generators import ALL_DTYPES, Call, Draw, Ref
from parity.fuzz.specs._common import OpSpec, either, spec


def _arr(d: Draw, x: Ref) -> np.ndarray:
    return d.inputs[x.i].array


def _getitem(d: Draw) -> Call:
    x = d.tensor()
    return d.getitem(x, d.subscript(_arr(d, x).shape))


def _setitem(d: Draw) -> Call:
    x = d.clone(d.tensor(), 0.85)
    a = _arr(d, x)
    idx = d.subscript(a.shape)
    r = d.rng.random()
    if r < 0.5:
        value = d.number()
    else:
        # a value tensor shaped like the indexed result when we can tell, else a small one
        try:
            shape = a[tuple(_np_index(d, idx))].shape if isinstance(idx, tuple) else \
                a[_np_index(d, idx)].shape
        except (IndexError, ValueError, TypeError):
            shape = (1,)
        value = d.tensor(d.broadcast_shape(shape, 0.9), d.dtype() if d.chance(0.3)
                         else str(a.dtype))
    return d.setitem(x, idx, value)


def _np_index(d: Draw, idx: object) -> object:
    if isinstance(idx, Ref):
        return d.inputs[idx.i].array
    if isinstance(idx, tuple):
        return tuple(_np_index(d, i) for i in idx)
    return idx


def _gather_index(d: Draw, shape: tuple, dim: int, unique: bool = False) -> Ref:
    """An index for gather/scatter along dim: size <= input's in the other dims."""
    n = len(shape)
    ok = -max(n, 1) <= dim < max(n, 1)
    dd = dim % max(n, 1) if ok else 0
    ishape = [d.int(0, s) if i != dd else d.int(0, 4) for i, s in enumerate(shape)]
    if d.chance(0.05):
        ishape = ishape + [2]
    if d.chance(0.05) and ishape:
        ishape[0] += 1
    high = shape[dd] if shape and ok else 1
    if unique and not shape:  # a 0-d input holds one element: one write keeps them unique
        ishape = [min(n, 1) for n in ishape]
    if unique and shape and ok:
        ishape[dd] = min(ishape[dd], high)
        keys = d.rng.random([*ishape[:dd], high, *ishape[dd + 1:]])
        idx = np.argsort(keys, axis=dd).take(range(ishape[dd]), axis=dd)
        return d.tensor(array=idx.astype(np.int64), layout=False)
    return d.index(high, tuple(ishape), oob=0.05)


def _gather(d: Draw) -> Call:
    x = d.tensor(d.shape(lo=0, hi=3))
    a = _arr(d, x)
    dim = d.dim(a.ndim, 0.04)
    return either(d, "gather", x, dim, _gather_index(d, a.shape, dim))


def _index_select(d: Draw) -> Call:
    x = d.tensor(d.shape(hi=3))
    a = _arr(d, x)
    dim = d.dim(a.ndim, 0.04)
    size = a.shape[dim] if a.ndim and -a.ndim <= dim < a.ndim else 1
    idx = d.index(size, d.choice([(d.int(0, 4),), ()], p=[0.9, 0.1]), oob=0.05)
    return either(d, "index_select", x, dim, idx)


def _scatter(name: str) -> OpSpec:
    add = "add" in name

    def draw(d: Draw) -> Call:
        x = d.tensor(d.shape(lo=0, hi=3))
        if name.endswith("_"):
            d.clone(x, 0.8)
        a = _arr(d, x)
        dim = d.dim(a.ndim, 0.04)
        idx = _gather_index(d, a.shape, dim, unique=not add)
        ishape = d.inputs[idx.i].array.shape
        if not add and d.chance(0.4):
            return either(d, name, x, dim, idx, value=d.number(("int", "float")))
        sshape = tuple(s + d.int(0, 1) for s in ishape) if d.chance(0.9) else d.shape()
        src = d.tensor(sshape, str(a.dtype) if d.chance(0.85) else d.dtype())
        return either(d, name, x, dim, idx, src)

    return spec(name, draw, weight=2 if name in ("scatter", "scatter_add") else 1)


def _masked_fill(name: str) -> OpSpec:
    def draw(d: Draw) -> Call:
        x = d.tensor()
        if name.endswith("_"):
            d.clone(x, 0.8)
        shape = _arr(d, x).shape
        mshape = d.broadcast_shape(shape, 0.9)
        mask = d.mask(mshape) if d.chance(0.93) else d.tensor(mshape, "int64", layout=False)
        r = d.rng.random()
        value = d.number() if r < 0.8 else d.tensor((), d.dtype(), grad=r < 0.9)
        return either(d, name, x, mask, value)

    return spec(name, draw, weight=2 if name == "masked_fill" else 1)


def _nonzero(d: Draw) -> Call:
    x = d.tensor(style=d.choice(["ties", "special", "normal"]))
    if d.chance(0.5):
        return either(d, "nonzero", x, as_tuple=d.chance(0.6))
    return either(d, "nonzero", x)


def _sorting(name: str) -> OpSpec:
    def draw(d: Draw) -> Call:
        # Ties only with stable=True: otherwise which of equal elements comes first is
        # unspecified in both libraries.
        stable = name != "topk" and d.chance(0.4)
        dt = d.dtype(ALL_DTYPES)
        if stable:
            x = d.tensor(dtype=dt, style="ties")
        else:
            shape = d.shape()
            n = int(np.prod(shape))
            if dt[0] != "f" and (dt == "bool" or n > np.iinfo(dt).max):
                dt = "float32"
            if dt[0] == "f":
                x = d.tensor(shape, dt, style="distinct")
            else:
                lo = 0 if dt == "uint8" else -(n // 2)
                x = d.tensor(array=(d.rng.permutation(n) + lo).astype(dt).reshape(shape))
        a = _arr(d, x)
        dim = d.dim(a.ndim, 0.04)
        kw: dict = {}
        if name == "topk":
            size = a.shape[dim] if a.ndim and -a.ndim <= dim < a.ndim else 1
            k = d.int(0, size + (1 if d.chance(0.08) else 0))
            if d.chance(0.3):
                kw["largest"] = d.chance(0.5)
            if d.chance(0.2):
                kw["sorted"] = True
            return either(d, "topk", x, k, dim, **kw)
        if d.chance(0.5):
            kw["descending"] = d.chance(0.5)
        if stable:
            kw["stable"] = True
        return either(d, name, x, dim=dim, **kw) if d.chance(0.7) else either(d, name, x, **kw)

    return spec(name, draw, weight=2)


SPECS: list[OpSpec] = [
    spec("getitem", _getitem, ("Tensor.__getitem__",), weight=8),
    spec("setitem", _setitem, ("Tensor.__setitem__",), weight=4),
    spec("gather", _gather, weight=2),
    spec("index_select", _index_select, weight=2),
    _scatter("scatter"), _scatter("scatter_add"), _scatter("scatter_"), _scatter("scatter_add_"),
    _masked_fill("masked_fill"), _masked_fill("masked_fill_"),
    spec("nonzero", _nonzero, weight=2),
    _sorting("sort"), _sorting("argsort"), _sorting("topk"),
]
