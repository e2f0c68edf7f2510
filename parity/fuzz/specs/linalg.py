"""Products: matmul / @ / mm / bmm / dot over 1-d to 4-d operands (broadcast batches, wrong
inner sizes, mixed dtypes) and einsum over a set of equations with fitting or clashing sizes."""

from __future__ import annotations

from parity.fuzz.generators import FLOATS, Call, Draw
from parity.fuzz.specs._common import OpSpec, spec

EQUATIONS = ("ij,jk->ik", "ij->ji", "ii->i", "ii", "bij,bjk->bik", "i,i->", "i,j->ij", "ij->",
             "...ij,...jk->...ik", "ij,ij->ij", "ijk->kji", "bhqd,bhkd->bhqk", "i->", "ij,j->i",
             "ij,kj", "i,i", "ij->j", "ijk,ikl->ijl", "a...b->b...a", "ij,jk,kl->il")


def _dtypes(d: Draw) -> tuple[str, str]:
    a = d.dtype(FLOATS) if d.chance(0.85) else d.dtype()
    return a, a if d.chance(0.85) else d.dtype()


def _operands(d: Draw, nda: int, ndb: int) -> tuple:
    m, k, n = d.int(0, 4) if d.chance(0.1) else d.int(1, 4), d.int(1, 4), d.int(1, 4)
    batch = d.shape(max(nda, ndb, 2) - 2, side=3)
    sa = (batch[len(batch) - (nda - 2):] if nda > 2 else ()) + ((m, k) if nda >= 2 else (k,))
    bb = [1 if d.chance(0.3) else s for s in batch]
    sb = (tuple(bb[len(bb) - (ndb - 2):]) if ndb > 2 else ()) + ((k, n) if ndb >= 2 else (k,))
    if d.chance(0.1):
        sb = sb[:-2] + (sb[-2] + 1, sb[-1]) if len(sb) >= 2 else (sb[0] + 1,)
    return sa, sb


def _matmul(name: str) -> OpSpec:
    def draw(d: Draw) -> Call:
        if name == "mm":
            nda, ndb = (2, 2) if d.chance(0.9) else (d.int(1, 3), d.int(1, 3))
        elif name == "bmm":
            nda, ndb = (3, 3) if d.chance(0.9) else (d.int(2, 4), d.int(2, 4))
        elif name == "dot":
            nda, ndb = (1, 1) if d.chance(0.9) else (d.int(0, 2), d.int(1, 2))
        else:
            nda, ndb = d.int(1, 4), d.int(1, 4)
        sa, sb = _operands(d, nda, ndb)
        if nda == 0:
            sa = ()
        if name == "bmm" and len(sa) == 3 and len(sb) == 3 and d.chance(0.8):
            sb = (sa[0],) + sb[1:]
        ta, tb = _dtypes(d)
        a = d.tensor(sa, ta)
        b = d.tensor(sb, tb)
        if name == "@":
            return d.op("@", a, b, names=("matmul",))
        if name in ("matmul", "mm", "bmm", "dot") and d.chance(0.4):
            return d.fn(name, a, b)
        return d.method(name, a, b)

    cov = ("Tensor.__matmul__",) if name == "@" else (f"Tensor.{name}", f"minigrad.{name}")
    return spec("__matmul__" if name == "@" else name, draw, cov, accum=True, weight=2)


def _einsum(d: Draw) -> Call:
    eq = d.choice(EQUATIONS)
    lhs = eq.split("->")[0]
    sizes = {c: d.int(1, 4) if d.chance(0.95) else 0 for c in "abcdefghijklmnopqrstuvwxyz"}
    ell = d.shape(d.int(0, 2), side=3)
    ta, tb = _dtypes(d)
    ops = []
    for j, term in enumerate(lhs.split(",")):
        shape = []
        for c in term.replace("...", "."):
            shape.extend(ell if c == "." else [sizes[c]])
        if d.chance(0.05) and shape:
            shape[-1] += 1
        ops.append(d.tensor(tuple(shape), ta if j == 0 else tb))
    if d.chance(0.15):
        return d.fn("einsum", eq, ops)
    return d.fn("einsum", eq, *ops)


SPECS: list[OpSpec] = [
    _matmul("matmul"), _matmul("@"), _matmul("mm"), _matmul("bmm"), _matmul("dot"),
    spec("einsum", _einsum, ("minigrad.einsum",), accum=True, weight=3),
]
