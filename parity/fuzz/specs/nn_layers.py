"""nn.functional layers: linear, normalisations (layer/batch/group/rms), cosine_similarity,
normalize, pad, conv1d/2d and their transposes, max/avg/adaptive pools, embedding, one_hot,
unfold/fold and scaled_dot_product_attention."""

from __future__ import annotations

from parity.fuzz.generators import ALL_DTYPES, FLOATS, Call, Draw
from parity.fuzz.specs._common import OpSpec


def _fdt(d: Draw) -> str:
    return d.dtype(FLOATS) if d.chance(0.92) else d.dtype(ALL_DTYPES)


def _layer(name: str, draw, weight: int = 2) -> OpSpec:
    return OpSpec(f"F.{name}", draw, (f"F.{name}",), accum=True, weight=weight)


def _linear(d: Draw) -> Call:
    dt = _fdt(d)
    fin, fout = d.int(0, 4) if d.chance(0.05) else d.int(1, 4), d.int(1, 4)
    x = d.tensor(d.shape(hi=2, side=3) + (fin,), dt)
    w = d.tensor((fout, fin if d.chance(0.93) else fin + 1), dt if d.chance(0.9) else _fdt(d))
    b = d.tensor((fout,) if d.chance(0.95) else (fout + 1,), dt) if d.chance(0.6) else None
    return d.F("linear", x, w, b) if d.chance(0.5) else d.F("linear", x, w, bias=b)


def _cosine(name: str) -> OpSpec:
    def draw(d: Draw) -> Call:
        dt = _fdt(d)
        shape = d.shape(lo=1)
        x = d.tensor(shape, dt, style=d.choice(["normal", "ties", "special"], p=[6, 2, 1]))
        kw: dict = {}
        if d.chance(0.7):
            kw["dim"] = d.dim(len(shape))
        if name == "cosine_similarity":
            y = d.tensor(d.broadcast_shape(shape, 0.9), dt)
            if d.chance(0.2):
                kw["eps"] = d.choice([1e-8, 1e-3, 0.0])
            return d.F(name, x, y, **kw)
        if d.chance(0.4):
            kw["p"] = d.choice([2.0, 1.0, 3.0, float("inf"), 0.5])
        if d.chance(0.2):
            kw["eps"] = d.choice([1e-12, 1e-3])
        return d.F(name, x, **kw)

    return _layer(name, draw)


def _affine(d: Draw, shape: tuple, dt: str) -> tuple:
    w = d.tensor(shape, dt) if d.chance(0.6) else None
    b = d.tensor(shape, dt) if d.chance(0.5) else None
    return w, b


def _layer_norm(d: Draw) -> Call:
    dt = _fdt(d)
    shape = d.shape(lo=1)
    k = d.int(1, len(shape))
    ns = list(shape[len(shape) - k:])
    if d.chance(0.05):
        ns[0] += 1
    w, b = _affine(d, tuple(ns), dt)
    kw = {"eps": d.choice([1e-5, 1e-3, 0.0])} if d.chance(0.2) else {}
    return d.F("layer_norm", d.tensor(shape, dt), tuple(ns) if d.chance(0.8) else ns, w, b, **kw)


def _rms_norm(d: Draw) -> Call:
    dt = _fdt(d)
    shape = d.shape(lo=1)
    ns = list(shape[len(shape) - d.int(1, len(shape)):])
    w = d.tensor(tuple(ns), dt) if d.chance(0.6) else None
    kw = {"eps": d.choice([1e-6, 1e-3])} if d.chance(0.3) else {}
    return d.F("rms_norm", d.tensor(shape, dt), ns, w, **kw)


def _batch_norm(d: Draw) -> Call:
    dt = _fdt(d)
    c = d.int(1, 4)
    shape = (d.int(1, 4), c) + d.shape(d.int(0, 2), side=3)
    if d.chance(0.04):
        shape = (1, c)
    training = d.chance(0.5)
    x = d.tensor(shape, dt)
    stats = d.chance(0.8) or not training
    rm = d.tensor((c,), dt, grad=False) if stats else None
    rv = d.tensor((c,), dt, style="positive", grad=False) if stats else None
    w, b = _affine(d, (c,), dt)
    kw: dict = {"training": training}
    if d.chance(0.3):
        kw["momentum"] = d.choice([0.1, 0.5, 0.0, 1.0])
    if d.chance(0.2):
        kw["eps"] = d.choice([1e-5, 1e-3])
    return d.F("batch_norm", x, rm, rv, w, b, **kw)


def _group_norm(d: Draw) -> Call:
    dt = _fdt(d)
    g = d.int(1, 3)
    c = g * d.int(1, 3) if d.chance(0.92) else g * 2 + 1
    shape = (d.int(1, 3), c) + d.shape(d.int(0, 2), side=3)
    w, b = _affine(d, (c,), dt)
    return d.F("group_norm", d.tensor(shape, dt), g, w, b)


def _pad(d: Draw) -> Call:
    dt = d.dtype(ALL_DTYPES)
    shape = d.shape(lo=1, hi=4)
    mode = d.choice(["constant", "reflect", "replicate", "circular"], p=[6, 1, 1, 1])
    k = d.int(1, len(shape)) if mode == "constant" else min(d.int(1, 2), len(shape) - 1) or 1
    pad = tuple(d.int(-1, 3) if d.chance(0.15) else d.int(0, 3) for _ in range(2 * k))
    kw: dict = {}
    if mode != "constant" or d.chance(0.2):
        kw["mode"] = mode
    if mode == "constant" and d.chance(0.4):
        kw["value"] = d.number(("int", "float"))
    return d.F("pad", d.tensor(shape, dt), pad if d.chance(0.8) else list(pad), **kw)


def _conv_geometry(d: Draw, nd: int, transposed: bool) -> tuple:
    g = d.choice([1, 1, 1, 2])
    cin, cout = g * d.int(1, 2), g * d.int(1, 2)
    k = tuple(d.int(1, 3) for _ in range(nd))
    x = (d.int(1, 2), cin) + tuple(d.int(k[i], k[i] + 4) for i in range(nd))
    if d.chance(0.05):
        x = x[1:]  # unbatched input
    w = (cin, cout // g) + k if transposed else (cout, cin // g) + k
    if d.chance(0.04):
        w = (w[0] + 1,) + w[1:]
    return g, cout, x, w


def _tup(d: Draw, nd: int, lo: int, hi: int) -> object:
    return d.int(lo, hi) if nd == 1 or d.chance(0.6) else tuple(d.int(lo, hi) for _ in range(nd))


def _conv(name: str, nd: int, transposed: bool = False) -> OpSpec:
    def draw(d: Draw) -> Call:
        dt = d.dtype(FLOATS) if d.chance(0.95) else d.dtype(ALL_DTYPES)
        g, cout, xs, ws = _conv_geometry(d, nd, transposed)
        x, w = d.tensor(xs, dt), d.tensor(ws, dt)
        b = d.tensor((cout,), dt) if d.chance(0.5) else None
        kw: dict = {}
        if d.chance(0.4):
            kw["stride"] = _tup(d, nd, 1, 3) if d.chance(0.97) else 0
        if d.chance(0.4):
            kw["padding"] = _tup(d, nd, 0, 2) if transposed or d.chance(0.8) else d.choice(
                ["same", "valid"])
        if d.chance(0.3):
            kw["dilation"] = _tup(d, nd, 1, 2)
        if transposed and d.chance(0.2):
            kw["output_padding"] = _tup(d, nd, 0, 1)
        if g > 1 or d.chance(0.05):
            kw["groups"] = g
        return d.F(name, x, w, b, **kw)

    return _layer(name, draw, weight=3)


def _pool(name: str, nd: int) -> OpSpec:
    avg = name.startswith("avg")

    def draw(d: Draw) -> Call:
        dt = d.dtype(FLOATS) if d.chance(0.92) else d.dtype(ALL_DTYPES)
        k = _tup(d, nd, 1, 3)
        ks = (k,) * nd if isinstance(k, int) else k
        shape = (d.int(1, 2), d.int(1, 3))[: d.int(1, 2)] + tuple(d.int(kk, kk + 4) for kk in ks)
        x = d.tensor(shape, dt, style=d.choice(["normal", "ties"], p=[4, 1]) if not avg else None)
        kw: dict = {}
        if d.chance(0.5):
            kw["stride"] = _tup(d, nd, 1, 3)
        if d.chance(0.35):
            kw["padding"] = d.int(0, max(min(ks) // 2, 0) + (1 if d.chance(0.1) else 0))
        if not avg and d.chance(0.3):
            kw["dilation"] = d.int(1, 2)
        if d.chance(0.25):
            kw["ceil_mode"] = True
        if avg and d.chance(0.25):
            kw["count_include_pad"] = d.chance(0.5)
        if name == "avg_pool2d" and d.chance(0.15):
            kw["divisor_override"] = d.int(1, 3)
        if not avg and d.chance(0.3):
            kw["return_indices"] = True
        return d.F(name, x, k, **kw)

    return _layer(name, draw)


def _adaptive(name: str, nd: int) -> OpSpec:
    def draw(d: Draw) -> Call:
        shape = (d.int(1, 2), d.int(1, 3))[: d.int(1, 2)] + tuple(d.int(1, 6) for _ in range(nd))
        out = d.int(1, 4) if nd == 1 or d.chance(0.4) else tuple(
            None if d.chance(0.15) else d.int(1, 4) for _ in range(nd))
        return d.F(name, d.tensor(shape, _fdt(d)), out)

    return _layer(name, draw)


def _embedding(d: Draw) -> Call:
    v, dim = d.int(1, 5), d.int(1, 4)
    idx = d.index(v, d.shape(hi=2, side=4), oob=0.04, neg=0.03)
    w = d.tensor((v, dim), _fdt(d))
    kw = {"padding_idx": d.choice([0, v - 1, -1])} if d.chance(0.3) else {}
    return d.F("embedding", idx, w, **kw)


def _one_hot(d: Draw) -> Call:
    n = d.int(1, 5)
    idx = d.index(n, d.shape(hi=2, side=4), oob=0.04, neg=0.03)
    if d.chance(0.6):
        return d.F("one_hot", idx, d.choice([-1, n, n + 2, max(n - 1, 0)]))
    return d.F("one_hot", idx)


def _unfold(d: Draw) -> Call:
    k = _tup(d, 2, 1, 3)
    ks = (k, k) if isinstance(k, int) else k
    shape = (d.int(1, 2), d.int(1, 2), d.int(ks[0], ks[0] + 3), d.int(ks[1], ks[1] + 3))
    kw = {"stride": d.int(1, 2)} if d.chance(0.4) else {}
    if d.chance(0.3):
        kw["padding"] = d.int(0, 1)
    if d.chance(0.3):
        kw["dilation"] = d.int(1, 2)
    return d.F("unfold", d.tensor(shape, _fdt(d)), k, **kw)


def _fold(d: Draw) -> Call:
    k, c = d.int(1, 2), d.int(1, 2)
    out = (d.int(k, k + 3), d.int(k, k + 3))
    blocks = (out[0] - k + 1) * (out[1] - k + 1)
    shape = (d.int(1, 2), c * k * k, blocks if d.chance(0.93) else blocks + 1)
    return d.F("fold", d.tensor(shape, _fdt(d)), out, k)


def _sdpa(d: Draw) -> Call:
    dt = _fdt(d)
    lead = d.shape(d.int(0, 2), side=3)
    lq, lk, e, ev = d.int(1, 4), d.int(1, 4), d.int(1, 4), d.int(1, 4)
    q, k = d.tensor(lead + (lq, e), dt), d.tensor(lead + (lk, e), dt)
    v = d.tensor(lead + (lk, ev), dt)
    kw: dict = {}
    r = d.rng.random()
    if r < 0.25:
        kw["attn_mask"] = d.mask(d.broadcast_shape((lq, lk), 0.95))
    elif r < 0.4:
        kw["attn_mask"] = d.tensor(d.broadcast_shape((lq, lk), 0.95), dt)
    elif r < 0.55:
        kw["is_causal"] = True
    if d.chance(0.2):
        kw["scale"] = d.choice([0.5, 1.0, 2.0])
    return d.F("scaled_dot_product_attention", q, k, v, **kw)


SPECS: list[OpSpec] = [
    _layer("linear", _linear, 3),
    _cosine("cosine_similarity"), _cosine("normalize"),
    _layer("layer_norm", _layer_norm, 3), _layer("rms_norm", _rms_norm),
    _layer("batch_norm", _batch_norm, 3), _layer("group_norm", _group_norm),
    _layer("pad", _pad, 3),
    _conv("conv1d", 1), _conv("conv2d", 2),
    _conv("conv_transpose1d", 1, True), _conv("conv_transpose2d", 2, True),
    _pool("max_pool1d", 1), _pool("max_pool2d", 2), _pool("avg_pool1d", 1),
    _pool("avg_pool2d", 2),
    _adaptive("adaptive_avg_pool1d", 1), _adaptive("adaptive_avg_pool2d", 2),
    _layer("embedding", _embedding), _layer("one_hot", _one_hot),
    _layer("unfold", _unfold), _layer("fold", _fold),
    _layer("scaled_dot_product_attention", _sdpa, 3),
]
