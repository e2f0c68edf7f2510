"""nn.functional activations, the softmax family, dropout with p in {0, 1} or eval mode, and
the losses with their reduction / weight / ignore_index / label_smoothing / pos_weight options."""

from __future__ import annotations

from parity.fuzz.generators import ALL_DTYPES, FLOATS, Call, Draw, DType
from parity.fuzz.specs._common import OpSpec

REDUCTIONS = ("mean", "sum", "none")


def _fdtype(d: Draw) -> str:
    return d.dtype(FLOATS) if d.chance(0.9) else d.dtype(ALL_DTYPES)


def _act(name: str, options: dict, inplace: bool = False) -> OpSpec:
    def draw(d: Draw) -> Call:
        x = d.tensor(dtype=_fdtype(d))
        kw = {k: d.choice(v) for k, v in options.items() if d.chance(0.5)}
        if inplace and d.chance(0.2):
            d.clone(x, 0.8)
            kw["inplace"] = True
        return d.F(name, x, **kw)

    return OpSpec(f"F.{name}", draw, (f"F.{name}",))


def _softmax(name: str) -> OpSpec:
    def draw(d: Draw) -> Call:
        x = d.tensor(dtype=_fdtype(d))
        n = d.inputs[x.i].array.ndim
        kw: dict = {"dim": d.dim(n)} if d.chance(0.9) else {}
        if d.chance(0.15):
            kw["dtype"] = DType(d.dtype(FLOATS))
        return d.F(name, x, **kw)

    return OpSpec(f"F.{name}", draw, (f"F.{name}",), accum=True)


def _dropout(d: Draw) -> Call:
    x = d.tensor(dtype=_fdtype(d))
    training = d.chance(0.6)
    p = d.choice([0.0, 1.0]) if training else d.choice([0.0, 0.3, 1.0])
    if d.chance(0.05):
        p = d.choice([-0.1, 1.5])
    return d.F("dropout", x, p=p, training=training)


def _reduction(d: Draw, extra: tuple = ()) -> dict:
    if d.chance(0.6):
        return {"reduction": d.choice(REDUCTIONS + extra) if d.chance(0.97) else "avg"}
    return {}


def _pointwise(name: str, options: dict, unit: bool = False) -> OpSpec:
    def draw(d: Draw) -> Call:
        dt = _fdtype(d)
        shape = d.shape()
        style = "unit" if unit and d.chance(0.9) else None
        x = d.tensor(shape, dt, style=style)
        tshape = shape if d.chance(0.85) else d.broadcast_shape(shape)
        y = d.tensor(tshape, dt if d.chance(0.9) else _fdtype(d), style=style,
                     grad=None if d.chance(0.3) else False)
        kw = {k: d.choice(v) for k, v in options.items() if d.chance(0.4)}
        if name in ("binary_cross_entropy", "binary_cross_entropy_with_logits") and \
                d.chance(0.3):
            kw["weight"] = d.tensor(d.broadcast_shape(shape, 0.95), dt, style="positive",
                                    grad=d.chance(0.1))
        if name == "binary_cross_entropy_with_logits" and d.chance(0.3):
            kw["pos_weight"] = d.tensor(d.broadcast_shape(shape, 0.95), dt, style="positive",
                                        grad=d.chance(0.1))
        kw.update(_reduction(d))
        return d.F(name, x, y, **kw)

    return OpSpec(f"F.{name}", draw, (f"F.{name}",), accum=True, weight=2)


def _class_loss(name: str) -> OpSpec:
    """cross_entropy / nll_loss: input (C,), (N, C) or (N, C, d1[, d2]); class-index targets
    (some ignored) or, for cross_entropy, class probabilities."""

    def draw(d: Draw) -> Call:
        dt = _fdtype(d)
        c = d.int(1, 4)
        lead = d.choice([(), (d.int(0, 4),), (d.int(1, 3), None), (d.int(1, 2), None, None)],
                        p=[1, 4, 1.5, 0.5])
        spatial = tuple(d.int(1, 3) for _ in lead[1:])
        shape = lead[:1] + (c,) + spatial
        x = d.tensor(shape, dt)
        tshape = (lead[:1] + spatial) if d.chance(0.95) else d.shape(hi=2)
        kw: dict = {}
        if name == "cross_entropy" and d.chance(0.25):
            target = d.tensor(shape, dt, style="unit", grad=False)
        else:
            target = d.index(c, tshape, oob=0.04, neg=0.02)
            if d.chance(0.25):
                ig = d.choice([-100, 0, c - 1, -1])
                kw["ignore_index"] = ig
                arr = d.inputs[target.i].array
                if arr.size:
                    arr.reshape(-1)[: max(1, arr.size // 3)] = ig
        if d.chance(0.3):
            kw["weight"] = d.tensor((c,) if d.chance(0.95) else (c + 1,), dt, style="positive",
                                    grad=d.chance(0.1))  # PyTorch: class weights take no grad
        if name == "cross_entropy" and d.chance(0.25):
            kw["label_smoothing"] = d.choice([0.1, 0.5, 1.0, -0.1])
        kw.update(_reduction(d))
        return d.F(name, x, target, **kw)

    return OpSpec(f"F.{name}", draw, (f"F.{name}",), accum=True, weight=4)


def _kl_div(d: Draw) -> Call:
    dt = _fdtype(d)
    shape = d.shape(lo=1)
    log_target = d.chance(0.4)
    x = d.tensor(shape, dt)
    y = d.tensor(shape, dt, style=None if log_target else "unit")
    kw = {"log_target": log_target} if log_target or d.chance(0.3) else {}
    kw.update(_reduction(d, ("batchmean",)))
    return d.F("kl_div", x, y, **kw)


ACTIVATIONS = [
    _act("relu", {}, inplace=True), _act("sigmoid", {}), _act("tanh", {}),
    _act("silu", {}, inplace=True), _act("gelu", {"approximate": ("none", "tanh")}),
    _act("elu", {"alpha": (1.0, 0.5, 2.0)}, inplace=True),
    _act("leaky_relu", {"negative_slope": (0.01, 0.2, -0.5, 0.0)}, inplace=True),
    _act("softplus", {"beta": (1.0, 2.0, 0.5), "threshold": (20.0, 1.0, 0.5)}),
    _act("logsigmoid", {}),
]

SPECS: list[OpSpec] = [
    *ACTIVATIONS,
    _softmax("softmax"), _softmax("log_softmax"),
    OpSpec("F.dropout", _dropout, ("F.dropout",)),
    _pointwise("mse_loss", {}), _pointwise("l1_loss", {}),
    _pointwise("smooth_l1_loss", {"beta": (1.0, 0.5, 0.0, 2.0)}),
    _pointwise("huber_loss", {"delta": (1.0, 0.5, 2.0)}),
    _pointwise("binary_cross_entropy", {}, unit=True),
    _pointwise("binary_cross_entropy_with_logits", {}),
    _class_loss("cross_entropy"), _class_loss("nll_loss"),
    OpSpec("F.kl_div", _kl_div, ("F.kl_div",), accum=True, weight=2),
]
