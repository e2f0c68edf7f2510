"""minigrad's RNN, LSTM, GRU and cells against torch.nn: with the same weights (minigrad's state
dict loaded into torch) and the same inputs, per layer and option (layers, bidirectional,
batch_first, no bias, relu, given initial states, unbatched input, dropout in eval and in train
mode), the outputs, final states, and the gradients of the input, of the initial states and of
every parameter agree in float64 and float32; state-dict keys, reprs and the default
initialisation after the same seed are identical.

Dropout between layers in train mode: torch's RNN kernels draw each inner layer's mask with
`bernoulli_(1 - p)` over the time-major layer output (L, N, D*H), which minigrad reproduces
(skipped on Intel+MKL CPUs, where torch's bernoulli_ takes an MKL stream: see test_nn.py).

`python -m parity.test_rnn` prints the worst relative error per case and dtype.
"""

from __future__ import annotations

import ast
import inspect

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minigrad  # noqa: E402
from minigrad.nn.modules import rnn as mg_rnn  # noqa: E402  (minigrad.nn.LSTM once exported)
from parity.test_nn import _build, _close, _is_intel_mkl, _same_after_seed  # noqa: E402

DTYPES = ("float64", "float32")
KINDS = {"rnn_tanh": ("RNN", {}), "rnn_relu": ("RNN", {"nonlinearity": "relu"}),
         "lstm": ("LSTM", {}), "gru": ("GRU", {})}
# (id, constructor options, input shape (L, N, H_in) as time-major, given states, train mode)
OPTIONS = [
    ("1-layer", {}, (5, 3, 4), False, False),
    ("2-layers", {"num_layers": 2}, (5, 3, 4), False, False),
    ("bidirectional", {"bidirectional": True}, (5, 3, 4), False, False),
    ("2-layers-bidirectional", {"num_layers": 2, "bidirectional": True}, (5, 3, 4), False, False),
    ("batch_first", {"batch_first": True, "num_layers": 2}, (5, 3, 4), True, False),
    ("no-bias", {"bias": False, "num_layers": 2}, (5, 3, 4), False, False),
    ("given-states", {"num_layers": 2, "bidirectional": True}, (5, 3, 4), True, False),
    ("unbatched", {"num_layers": 2, "bidirectional": True}, (5, 4), False, False),
    ("unbatched-given-states", {"batch_first": True}, (5, 4), True, False),
    ("dropout-eval", {"num_layers": 3, "dropout": 0.5}, (5, 3, 4), True, False),
    ("dropout-train", {"num_layers": 3, "dropout": 0.5, "bidirectional": True,
                       "batch_first": True}, (5, 3, 4), True, True),
    ("long-sequence", {"num_layers": 2}, (40, 2, 4), True, False),
]
HIDDEN = 6
WORST: dict = {}


def _layer(lib, kind: str, **options):
    name, extra = KINDS[kind]
    return getattr(torch.nn if lib is torch else mg_rnn, name)(4, HIDDEN, **extra, **options)


def _tensor(lib, array: np.ndarray):
    t = torch.from_numpy(array.copy()) if lib is torch else minigrad.tensor(array.copy())
    return t.requires_grad_(True)


def _states(out) -> list:
    """(output, h_n) or (output, (h_n, c_n)) -> [output, h_n(, c_n)]."""
    return [out[0], *out[1]] if isinstance(out[1], tuple) else list(out)


def check_recurrent(kind: str, options: dict, shape: tuple, given: bool, train: bool,
                    dtype: str) -> float:
    """Run one layer in both libraries; compare every output and gradient; return the worst
    relative error."""
    ours, theirs = _build(lambda lib: _layer(lib, kind, **options), dtype)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.train(train)
    theirs.train(train)
    rng = np.random.default_rng(len(shape) * 100 + shape[0])
    x = rng.standard_normal(shape).astype(dtype)
    if options.get("batch_first") and len(shape) == 3:
        x = np.ascontiguousarray(x.transpose(1, 0, 2))
    dirs = 2 if options.get("bidirectional") else 1
    batch = () if len(shape) == 2 else (shape[1],)
    state_shape = (options.get("num_layers", 1) * dirs, *batch, HIDDEN)
    states = [rng.standard_normal(state_shape).astype(dtype)
              for _ in range(2 if kind == "lstm" else 1)] if given else []
    failures: list = []
    worst: list = []
    results = []
    for lib, layer in ((minigrad, ours), (torch, theirs)):
        inputs = [_tensor(lib, a) for a in [x, *states]]
        hx = None if not given else (tuple(inputs[1:]) if kind == "lstm" else inputs[1])
        lib.manual_seed(2024)  # the same dropout masks in train mode
        outs = _states(layer(inputs[0], hx))
        results.append((lib, inputs, outs))
    (_, in_m, out_m), (_, in_t, out_t) = results
    labels = ["output", "h_n", "c_n"]
    for label, a, b in zip(labels, out_m, out_t, strict=False):
        _close(label, a, b, dtype, failures, worst)
    assert not failures, failures
    seeds = [rng.standard_normal(tuple(b.shape)).astype(dtype) for b in out_t]
    for outs, make in ((out_m, minigrad.tensor), (out_t, torch.from_numpy)):
        loss = sum((o * make(g.copy())).sum() for o, g in zip(outs, seeds, strict=True))
        loss.backward()
    for label, a, b in zip(["input", "h_0", "c_0"], in_m, in_t, strict=False):
        _close(f"grad of {label}", a.grad, b.grad, dtype, failures, worst)
    grads_t = dict(theirs.named_parameters())
    assert [n for n, _ in ours.named_parameters()] == list(grads_t)
    for name, p in ours.named_parameters():
        _close(f"grad of {name}", p.grad, grads_t[name].grad, dtype, failures, worst)
    assert not failures, failures
    return max(worst, default=0.0)


PARAMS = [pytest.param(kind, *opt[1:], id=f"{kind}-{opt[0]}") for kind in KINDS
          for opt in OPTIONS]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("kind", "options", "shape", "given", "train"), PARAMS)
def test_recurrent_layer_matches_torch(kind, options, shape, given, train, dtype,
                                       request) -> None:
    if train and _is_intel_mkl():
        pytest.skip("torch's CPU bernoulli_ uses an MKL stream on Intel")
    rel = check_recurrent(kind, options, shape, given, train, dtype)
    WORST[(request.node.callspec.id.removesuffix(f"-{dtype}"), dtype)] = rel


# -- cells -----------------------------------------------------------------------------------------
CELLS = {"rnn_cell_tanh": ("RNNCell", {}), "rnn_cell_relu": ("RNNCell", {"nonlinearity": "relu"}),
         "lstm_cell": ("LSTMCell", {}), "gru_cell": ("GRUCell", {})}
CELL_OPTIONS = [("batched-state", True, True, True), ("no-state", True, False, True),
                ("unbatched", False, True, True), ("no-bias", True, True, False)]


CELL_PARAMS = [pytest.param(kind, *opt[1:], id=f"{kind}-{opt[0]}") for kind in CELLS
               for opt in CELL_OPTIONS]


def check_cell(kind: str, batched: bool, given: bool, bias: bool, dtype: str) -> float:
    """One step of a cell in both libraries; compare outputs and every gradient."""
    name, extra = CELLS[kind]

    def make(lib):
        return getattr(torch.nn if lib is torch else mg_rnn, name)(4, HIDDEN, bias=bias, **extra)

    ours, theirs = _build(make, dtype)
    rng = np.random.default_rng(7)
    lead = (3,) if batched else ()
    arrays = [rng.standard_normal(lead + (n,)).astype(dtype) for n in (4, HIDDEN, HIDDEN)]
    arrays = arrays[:1] if not given else arrays[:3 if name == "LSTMCell" else 2]
    failures: list = []
    worst: list = []
    runs = []
    for lib, cell in ((minigrad, ours), (torch, theirs)):
        inputs = [_tensor(lib, a) for a in arrays]
        hx = None if not given else (tuple(inputs[1:]) if name == "LSTMCell" else inputs[1])
        out = cell(inputs[0], hx)
        runs.append((inputs, list(out) if isinstance(out, tuple) else [out]))
    (in_m, out_m), (in_t, out_t) = runs
    for a, b in zip(out_m, out_t, strict=True):
        _close("output", a, b, dtype, failures, worst)
    seeds = [rng.standard_normal(tuple(b.shape)).astype(dtype) for b in out_t]
    for outs, make_t in ((out_m, minigrad.tensor), (out_t, torch.from_numpy)):
        sum((o * make_t(g.copy())).sum() for o, g in zip(outs, seeds, strict=True)).backward()
    for a, b in zip(in_m, in_t, strict=True):
        _close("input/state grad", a.grad, b.grad, dtype, failures, worst)
    for (n, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
        _close(f"grad of {n}", p.grad, q.grad, dtype, failures, worst)
    assert not failures, failures
    return max(worst)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("kind", "batched", "given", "bias"), CELL_PARAMS)
def test_cell_matches_torch(kind, batched, given, bias, dtype, request) -> None:
    rel = check_cell(kind, batched, given, bias, dtype)
    WORST[(request.node.callspec.id.removesuffix(f"-{dtype}"), dtype)] = rel


# -- keys, reprs, initialisation -------------------------------------------------------------------
MODULES = [
    ("rnn", lambda nn: nn.RNN(3, 5)),
    ("rnn-relu-2-bidir-nobias", lambda nn: nn.RNN(3, 5, 2, "relu", False, True, 0.2, True)),
    ("lstm-3-layers-bidir", lambda nn: nn.LSTM(4, 3, num_layers=3, bidirectional=True)),
    ("lstm-nobias", lambda nn: nn.LSTM(4, 3, bias=False, batch_first=True)),
    ("gru-2-layers", lambda nn: nn.GRU(2, 7, num_layers=2, dropout=0.1)),
    ("gru-float64", lambda nn: nn.GRU(2, 7, dtype=(torch if nn is torch.nn else minigrad).float64)),
    ("rnn-cell", lambda nn: nn.RNNCell(3, 5, nonlinearity="relu")),
    ("lstm-cell", lambda nn: nn.LSTMCell(3, 5)),
    ("gru-cell-nobias", lambda nn: nn.GRUCell(3, 5, bias=False)),
    ("rnn-positional", lambda nn: nn.RNN(4, 3, 2, "relu", False, True, 0.0, True)),
    ("lstm-positional", lambda nn: nn.LSTM(4, 3, 2, True, False, 0.0, True, 0)),
    ("gru-positional", lambda nn: nn.GRU(4, 3, 2, False, True, 0.0, True)),
]


@pytest.mark.parametrize("make", [pytest.param(m, id=i) for i, m in MODULES])
def test_keys_names_and_repr_match_torch(make) -> None:
    ours, theirs = make(mg_rnn), make(torch.nn)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    assert repr(ours) == repr(theirs)
    if hasattr(theirs, "all_weights"):
        assert [[tuple(p.shape) for p in g] for g in ours.all_weights] == \
            [[tuple(p.shape) for p in g] for g in theirs.all_weights]


@pytest.mark.parametrize("make", [pytest.param(m, id=i) for i, m in MODULES])
def test_default_initialisation_matches_torch_after_seed(make) -> None:
    _same_after_seed(lambda: make(mg_rnn), lambda: make(torch.nn))


def _torch_parameters(cls) -> list[tuple[str, object]]:
    """(name, default) per constructor parameter; from the docstring's first line,
    `__init__(input_size,hidden_size,num_layers=1,...)`, where torch's own takes *args."""
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    if all(p.kind is p.POSITIONAL_OR_KEYWORD for p in params):
        return [(p.name, p.default) for p in params]
    call = ast.parse(cls.__doc__.strip().splitlines()[0].replace("__init__", "f", 1)).body[0].value
    return ([(a.id, inspect.Parameter.empty) for a in call.args]
            + [(k.arg, ast.literal_eval(k.value)) for k in call.keywords])


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"])
def test_constructor_signature_matches_torch_documented_one(name) -> None:
    ours = [(p.name, p.default) for p in inspect.signature(getattr(mg_rnn, name)).parameters
            .values() if p.kind is p.POSITIONAL_OR_KEYWORD]
    assert ours == _torch_parameters(getattr(torch.nn, name))


def report() -> None:
    """Print the worst relative error per case and dtype."""
    for key in sorted(WORST):
        print(f"{key[0]:<40}{key[1]:<9}{WORST[key]:.2e}")


if __name__ == "__main__":
    for p in PARAMS:
        kind, options, shape, given, train = p.values
        if train and _is_intel_mkl():
            continue
        for dt in DTYPES:
            WORST[(p.id, dt)] = check_recurrent(kind, options, shape, given, train, dt)
    for p in CELL_PARAMS:
        for dt in DTYPES:
            WORST[(p.id, dt)] = check_cell(*p.values, dt)
    report()
