"""Recurrent layers (minigrad/nn/modules/rnn.py): values against NumPy reference recurrences
(loops over time are fine here), cells with float64 gradchecks, shapes for batch_first and
unbatched input, dropout between layers, parameter names and init, signatures, and
PyTorch's error messages."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest

import minigrad
from minigrad import random as mg_random
from minigrad.autograd import gradcheck
from minigrad.nn.functional import rnn as FR
from minigrad.nn.modules.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from tests.helpers import to_numpy as _np
from tests.nn.helpers import LAYERS


# -- the NumPy reference -------------------------------------------------------------------------
def _sig(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def np_cell(mode: str, x, h, c, w_ih, w_hh, b_ih=None, b_hh=None):
    """One step of the textbook equations (PyTorch's docs), returns (h', c')."""
    gi = x @ w_ih.T + (0 if b_ih is None else b_ih)
    gh = h @ w_hh.T + (0 if b_hh is None else b_hh)
    if mode == "RNN_TANH":
        return np.tanh(gi + gh), None
    if mode == "RNN_RELU":
        return np.maximum(gi + gh, 0), None
    if mode == "LSTM":
        i, f, g, o = np.split(gi + gh, 4, axis=-1)
        c = _sig(f) * c + _sig(i) * np.tanh(g)
        return _sig(o) * np.tanh(c), c
    ir, iz, i_n = np.split(gi, 3, axis=-1)
    hr, hz, h_n = np.split(gh, 3, axis=-1)
    r, z = _sig(ir + hr), _sig(iz + hz)
    n = np.tanh(i_n + r * h_n)
    return (1 - z) * n + z * h, None


def np_rnn(mode: str, x, h0, c0, weights, num_layers: int, dirs: int, masks=()):
    """Time-major x (L, N, I); weights[k] for layer k // dirs, direction k % dirs; masks[l] is
    multiplied into layer l's output (dropout). Returns (output, h_n, c_n)."""
    steps = x.shape[0]
    hs, cs = [], []
    for layer in range(num_layers):
        outs = []
        for d in range(dirs):
            k = layer * dirs + d
            h, c = h0[k], (None if c0 is None else c0[k])
            out = [None] * steps
            for t in (reversed(range(steps)) if d else range(steps)):
                h, c = np_cell(mode, x[t], h, c, *weights[k])
                out[t] = h
            outs.append(np.stack(out))
            hs.append(h)
            cs.append(c)
        x = np.concatenate(outs, axis=-1)
        if layer < len(masks):
            x = x * masks[layer]
    return x, np.stack(hs), (None if c0 is None else np.stack(cs))



def _weights(module) -> list:
    return [[_np(p) for p in group] for group in module.all_weights]


# -- parameters and init -----------------------------------------------------------------------
def test_parameter_names_shapes_and_order_follow_pytorch() -> None:
    lstm = LSTM(3, 5, num_layers=2, bidirectional=True)
    names = []
    for layer in range(2):
        for sfx in ("", "_reverse"):
            names += [f"{w}_l{layer}{sfx}" for w in ("weight_ih", "weight_hh", "bias_ih",
                                                     "bias_hh")]
    assert [n for n, _ in lstm.named_parameters()] == names == list(lstm.state_dict())
    shapes = {n: tuple(p.shape) for n, p in lstm.named_parameters()}
    assert shapes["weight_ih_l0"] == (20, 3) and shapes["weight_hh_l0_reverse"] == (20, 5)
    assert shapes["weight_ih_l1"] == (20, 10) and shapes["bias_hh_l1_reverse"] == (20,)
    gru = GRU(3, 5, bias=False)
    assert [(n, tuple(p.shape)) for n, p in gru.named_parameters()] == [
        ("weight_ih_l0", (15, 3)), ("weight_hh_l0", (15, 5))]
    assert tuple(RNN(3, 5).weight_ih_l0.shape) == (5, 3)
    cell = LSTMCell(3, 5)
    assert [(n, tuple(p.shape)) for n, p in cell.named_parameters()] == [
        ("weight_ih", (20, 3)), ("weight_hh", (20, 5)), ("bias_ih", (20,)), ("bias_hh", (20,))]
    assert GRUCell(3, 5, bias=False).bias_ih is None


@pytest.mark.parametrize("make", [lambda: GRU(3, 4, num_layers=2, bidirectional=True),
                                  lambda: RNN(2, 9, bias=False), lambda: LSTMCell(3, 4)])
def test_default_init_draws_uniform_in_parameter_order(make) -> None:
    minigrad.manual_seed(5)
    module = make()
    minigrad.manual_seed(5)
    bound = 1 / np.sqrt(module.hidden_size)
    for name, p in module.named_parameters():
        want = minigrad.empty(tuple(p.shape)).uniform_(-bound, bound)
        np.testing.assert_array_equal(_np(p), _np(want), err_msg=name)
        assert np.abs(_np(p)).max() <= bound


# -- forward values ------------------------------------------------------------------------------
CONFIGS = [
    {}, {"num_layers": 2}, {"bidirectional": True}, {"num_layers": 2, "bidirectional": True},
    {"batch_first": True}, {"bias": False}, {"num_layers": 2, "dropout": 0.3},
]


@pytest.mark.parametrize("given", [False, True], ids=["zero-state", "given-state"])
@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(map(str, c.items())) or "1")
@pytest.mark.parametrize("kind", list(LAYERS))
def test_forward_matches_numpy_reference(kind, config, given, rng) -> None:
    cls, mode, extra = LAYERS[kind]
    module = cls(3, 4, **extra, **config).double().eval()  # eval: dropout is off
    dirs = 2 if module.bidirectional else 1
    x = rng.standard_normal((5, 2, 3))
    h0 = rng.standard_normal((module.num_layers * dirs, 2, 4)) if given else None
    c0 = rng.standard_normal(h0.shape) if given and kind == "lstm" else None
    xin = x.transpose(1, 0, 2) if module.batch_first else x
    state = None
    if given:
        h0t = minigrad.tensor(h0)
        state = (h0t, minigrad.tensor(c0)) if kind == "lstm" else h0t
    out, h_n = module(minigrad.tensor(xin), state)
    zeros = np.zeros((module.num_layers * dirs, 2, 4))
    want, want_h, want_c = np_rnn(mode, x, zeros if h0 is None else h0,
                                  (zeros if c0 is None else c0) if kind == "lstm" else None,
                                  _weights(module), module.num_layers, dirs)
    if module.batch_first:
        want = want.transpose(1, 0, 2)
    if kind == "lstm":
        h_n, c_n = h_n
        np.testing.assert_allclose(_np(c_n), want_c, rtol=1e-12, atol=1e-12)
    assert out.shape == want.shape and h_n.shape == want_h.shape
    np.testing.assert_allclose(_np(out), want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(_np(h_n), want_h, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind", list(LAYERS))
def test_unbatched_input_gives_unbatched_outputs_equal_to_batch_of_one(kind, rng) -> None:
    cls, _, extra = LAYERS[kind]
    for batch_first in (False, True):
        module = cls(3, 4, num_layers=2, bidirectional=True, batch_first=batch_first, **extra)
        x = minigrad.tensor(rng.standard_normal((6, 3)).astype(np.float32))
        h = minigrad.tensor(rng.standard_normal((4, 4)).astype(np.float32))
        state = (h, h * 0.5) if kind == "lstm" else h
        out, h_n = module(x, state)
        batched_x = x.unsqueeze(0 if batch_first else 1)
        batched_state = tuple(s.unsqueeze(1) for s in state) if kind == "lstm" else h.unsqueeze(1)
        out1, h1 = module(batched_x, batched_state)
        assert out.shape == (6, 8) and out.dtype == minigrad.float32
        np.testing.assert_array_equal(_np(out), _np(out1.squeeze(0 if batch_first else 1)))
        pairs = zip(h_n, h1, strict=True) if kind == "lstm" else [(h_n, h1)]
        for a, b in pairs:
            assert a.shape == (4, 4)
            np.testing.assert_array_equal(_np(a), _np(b.squeeze(1)))


@pytest.mark.parametrize("kind", list(LAYERS))
def test_output_and_state_shapes_with_batch_first(kind, rng) -> None:
    cls, _, extra = LAYERS[kind]
    module = cls(3, 4, num_layers=3, bidirectional=True, batch_first=True, **extra)
    out, h_n = module(minigrad.tensor(rng.standard_normal((2, 7, 3)).astype(np.float32)))
    assert out.shape == (2, 7, 8)
    for state in (h_n if kind == "lstm" else (h_n,)):
        assert state.shape == (6, 2, 4) and state.dtype == minigrad.float32


# -- cells -------------------------------------------------------------------------------------
CELLS = {"tanh": (RNNCell, "RNN_TANH", {}), "relu": (RNNCell, "RNN_RELU", {"nonlinearity": "relu"}),
         "lstm": (LSTMCell, "LSTM", {}), "gru": (GRUCell, "GRU", {})}


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("kind", list(CELLS))
def test_cells_match_numpy_and_gradcheck(kind, bias, rng) -> None:
    cls, mode, extra = CELLS[kind]
    cell = cls(3, 4, bias=bias, **extra).double()
    params = [_np(p) for p in (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
              if p is not None]
    x, h, c = (rng.standard_normal(s) for s in ((2, 3), (2, 4), (2, 4)))
    got = cell(minigrad.tensor(x), (minigrad.tensor(h), minigrad.tensor(c)) if kind == "lstm"
               else minigrad.tensor(h))
    want = np_cell(mode, x, h, c, *params)
    for g, w in zip(got if kind == "lstm" else (got,), want, strict=False):
        np.testing.assert_allclose(_np(g), w, rtol=1e-12, atol=1e-12)
    zero = cell(minigrad.tensor(x[0]))  # unbatched, no state: zeros
    want0 = np_cell(mode, x[:1], np.zeros((1, 4)), np.zeros((1, 4)), *params)
    np.testing.assert_allclose(_np(zero[0] if kind == "lstm" else zero), want0[0][0], rtol=1e-12)

    def fn(xt, ht, ct, *ps):
        hx = (ht, ct) if kind == "lstm" else ht
        args = list(ps) + [None] * (4 - len(ps))
        if kind == "lstm":
            return FR.lstm_cell(xt, hx, *args)
        if kind == "gru":
            return FR.gru_cell(xt, hx, *args)
        return FR.rnn_cell(xt, hx, *args, nonlinearity=extra.get("nonlinearity", "tanh"))

    leaves = [minigrad.tensor(a, requires_grad=True) for a in [x, h, c] + params]
    assert gradcheck(fn, leaves)


def test_backward_twice_with_retain_graph_doubles_the_gradients(rng) -> None:
    lstm = LSTM(3, 4, num_layers=2).double()
    x = minigrad.tensor(rng.standard_normal((4, 2, 3)), requires_grad=True)
    out, (h, c) = lstm(x)
    loss = out.sum() + (h * c).sum()
    loss.backward(retain_graph=True)
    first = [_np(x.grad).copy()] + [_np(p.grad).copy() for p in lstm.parameters()]
    loss.backward()
    second = [_np(x.grad)] + [_np(p.grad) for p in lstm.parameters()]
    for a, b in zip(first, second, strict=True):
        np.testing.assert_allclose(b, 2 * a, rtol=1e-12, atol=1e-14)


def test_no_grad_forward_records_nothing(rng) -> None:
    gru = GRU(3, 4, num_layers=2)
    with minigrad.no_grad():
        out, h = gru(minigrad.tensor(rng.standard_normal((5, 2, 3)).astype(np.float32)))
    assert out.grad_fn is None and not out.requires_grad and h.grad_fn is None


# -- dropout between layers ------------------------------------------------------------------------
@pytest.mark.parametrize("kind", list(LAYERS))
def test_dropout_masks_follow_every_layer_but_the_last_in_train_mode_only(kind, rng) -> None:
    cls, mode, extra = LAYERS[kind]
    p = 0.4
    module = cls(3, 4, num_layers=3, dropout=p, bidirectional=True, **extra).double()
    x = rng.standard_normal((5, 2, 3))
    zeros = np.zeros((6, 2, 4))
    c0 = zeros if kind == "lstm" else None
    minigrad.manual_seed(11)
    out, _ = module(minigrad.tensor(x))
    minigrad.manual_seed(11)  # the same stream: one mask (L, N, D*H) per inner layer, in order
    masks = [mg_random.default_generator.bernoulli((5, 2, 8), 1 - p, np.float64) / (1 - p)
             for _ in range(2)]
    want, _, _ = np_rnn(mode, x, zeros, c0, _weights(module), 3, 2, masks)
    np.testing.assert_allclose(_np(out), want, rtol=1e-12, atol=1e-12)
    no_drop, _, _ = np_rnn(mode, x, zeros, c0, _weights(module), 3, 2)
    assert not np.allclose(_np(out), no_drop)
    np.testing.assert_allclose(_np(module.eval()(minigrad.tensor(x))[0]), no_drop, rtol=1e-12)


def test_dropout_zero_in_train_mode_equals_eval_and_one_layer_has_none(rng) -> None:
    x = minigrad.tensor(rng.standard_normal((4, 2, 3)).astype(np.float32))
    gru = GRU(3, 4, num_layers=2, dropout=0.0)
    np.testing.assert_array_equal(_np(gru.train()(x)[0]), _np(gru.eval()(x)[0]))
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        lstm = LSTM(3, 4, dropout=0.5)
    np.testing.assert_array_equal(_np(lstm.train()(x)[0]), _np(lstm.eval()(x)[0]))


# -- errors and repr -------------------------------------------------------------------------------
def _zeros(*shape, dtype=minigrad.float32):
    return minigrad.zeros(*shape, dtype=dtype)


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: RNN(3, 4)(_zeros(2, 3, 3, 3)), ValueError,
     "RNN: Expected input to be 2D or 3D, got 4D tensor instead"),
    (lambda: LSTM(3, 4)(_zeros(3)), ValueError, "LSTM: Expected input to be 2D or 3D, got 1D"),
    (lambda: RNN(3, 4)(_zeros(5, 2, 7)), RuntimeError,
     r"input.size\(-1\) must be equal to input_size. Expected 3, got 7"),
    (lambda: GRU(3, 4)(_zeros(5, 2, 3), _zeros(2, 2, 4)), RuntimeError,
     r"Expected hidden size \(1, 2, 4\), got \[2, 2, 4\]"),
    (lambda: RNN(3, 4, batch_first=True)(_zeros(5, 2, 3), _zeros(1, 2, 4)), RuntimeError,
     r"Expected hidden size \(1, 5, 4\), got \[1, 2, 4\]"),
    (lambda: RNN(3, 4)(_zeros(5, 2, 3), _zeros(2, 4)), RuntimeError,
     "For batched 3-D input, hx should also be 3-D but got 2-D tensor"),
    (lambda: GRU(3, 4)(_zeros(5, 3), _zeros(1, 2, 4)), RuntimeError,
     "For unbatched 2-D input, hx should also be 2-D but got 3-D tensor"),
    (lambda: LSTM(3, 4)(_zeros(5, 2, 3), (_zeros(1, 2, 4), _zeros(1, 3, 4))), RuntimeError,
     r"Expected hidden\[1\] size \(1, 2, 4\), got \[1, 3, 4\]"),
    (lambda: LSTM(3, 4)(_zeros(5, 2, 3), (_zeros(2, 4), _zeros(1, 2, 4))), RuntimeError,
     r"hx and cx should also be 3-D but got \(2-D, 3-D\) tensors"),
    (lambda: LSTM(3, 4)(_zeros(5, 2, 3, dtype=minigrad.float64)), ValueError,
     "RNN input dtype .*float64.* does not match weight dtype .*float32"),
    (lambda: RNN(3, 4)(_zeros(0, 2, 3)), RuntimeError, "Expected sequence length to be larger"),
    (lambda: RNN(3, 4, nonlinearity="sigmoid"), ValueError, "Unknown nonlinearity 'sigmoid'"),
    (lambda: GRU(3, 4, proj_size=2), ValueError, "proj_size argument is only supported for LSTM"),
    (lambda: LSTM(3, 4, proj_size=2), NotImplementedError, "proj_size"),
    (lambda: LSTM(3, 4, proj_size=4), ValueError, "proj_size has to be smaller than hidden_size"),
    (lambda: LSTM(3, 4, dropout=1.5), ValueError, r"dropout should be a number in range \[0, 1\]"),
    (lambda: LSTM(3, 0), ValueError, "hidden_size must be greater than zero"),
    (lambda: LSTM(3.0, 4), TypeError, "input_size should be of type int, got: float"),
    (lambda: GRU(3, 4, num_layers=0), ValueError, "num_layers must be greater than zero"),
    (lambda: RNN(3, 4, bias=1), TypeError, "bias should be of type bool, got: int"),
    (lambda: RNNCell(3, 4)(_zeros(2, 2, 3)), ValueError,
     "RNNCell: Expected input to be 1D or 2D, got 3D instead"),
    (lambda: GRUCell(3, 4)(_zeros(2, 5)), RuntimeError,
     "input has inconsistent input_size: got 5 expected 3"),
    (lambda: RNNCell(3, 4)(_zeros(2, 3), _zeros(3, 4)), RuntimeError,
     "Input batch size 2 doesn't match hidden0 batch size 3"),
    (lambda: LSTMCell(3, 4)(_zeros(2, 3), (_zeros(2, 4), _zeros(2, 5))), RuntimeError,
     "hidden1 has inconsistent hidden_size: got 5, expected 4"),
    (lambda: LSTMCell(3, 4)(_zeros(2, 3), (_zeros(2, 4), _zeros(2, 2, 4))), ValueError,
     r"LSTMCell: Expected hx\[1\] to be 1D or 2D, got 3D instead"),
    (lambda: RNNCell(3, 4, nonlinearity="foo")(_zeros(2, 3)), RuntimeError,
     "Unknown nonlinearity: foo"),
])
def test_bad_arguments_raise_pytorch_errors(call, error, message) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(error, match=message):
            call()


def test_repr_matches_pytorch_format() -> None:
    assert repr(RNN(3, 4, 2, "relu", False, True, 0.5, True)) == (
        "RNN(3, 4, num_layers=2, bias=False, batch_first=True, dropout=0.5, bidirectional=True)")
    assert repr(LSTM(3, 4)) == "LSTM(3, 4)"
    assert repr(RNNCell(3, 4, False, "relu")) == "RNNCell(3, 4, bias=False, nonlinearity=relu)"
    assert repr(GRUCell(3, 4)) == "GRUCell(3, 4)"


def test_state_dict_round_trip_and_dtype_conversion(rng) -> None:
    a, b = LSTM(3, 4, num_layers=2), LSTM(3, 4, num_layers=2)
    b.load_state_dict(a.state_dict())
    x = rng.standard_normal((3, 2, 3))
    np.testing.assert_array_equal(_np(a(minigrad.tensor(x.astype(np.float32)))[0]),
                                  _np(b(minigrad.tensor(x.astype(np.float32)))[0]))
    out, (h, c) = a.double()(minigrad.tensor(x))
    assert out.dtype == h.dtype == c.dtype == minigrad.float64
    assert all(p.dtype == minigrad.float64 for p in a.parameters())


# -- constructor signatures ----------------------------------------------------------------------
# PyTorch's documented parameter lists (the first line of torch.nn.RNN/LSTM/GRU.__doc__).
SIGNATURES = {
    RNN: (("input_size", "hidden_size", "num_layers", "nonlinearity", "bias", "batch_first",
           "dropout", "bidirectional", "device", "dtype"),
          (1, "tanh", True, False, 0.0, False, None, None)),
    LSTM: (("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
            "bidirectional", "proj_size", "device", "dtype"),
           (1, True, False, 0.0, False, 0, None, None)),
    GRU: (("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
           "bidirectional", "device", "dtype"),
          (1, True, False, 0.0, False, None, None)),
}


@pytest.mark.parametrize("cls", list(SIGNATURES), ids=lambda c: c.__name__)
def test_recurrent_signature_lists_pytorch_parameters_and_defaults(cls) -> None:
    names, defaults = SIGNATURES[cls]
    params = list(inspect.signature(cls).parameters.values())
    named = [p for p in params if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    assert tuple(p.name for p in named) == names
    assert tuple(p.default for p in named[2:]) == defaults
    assert named[0].default is named[1].default is inspect.Parameter.empty
    # RNN and GRU keep **kwargs only to refuse proj_size with PyTorch's ValueError
    assert [p.kind for p in params[len(named):]] == (
        [] if cls is LSTM else [inspect.Parameter.VAR_KEYWORD])


def _options(m) -> tuple:
    return (m.mode, m.input_size, m.hidden_size, m.num_layers, m.bias, m.batch_first, m.dropout,
            m.bidirectional, m.proj_size, [n for n, _ in m.named_parameters()])


def test_recurrent_positional_and_keyword_construction_agree() -> None:
    assert _options(LSTM(10, 20, 2)) == _options(LSTM(10, 20, num_layers=2))
    assert _options(LSTM(3, 4, 2, False, True, 0.0, True)) == _options(
        LSTM(input_size=3, hidden_size=4, num_layers=2, bias=False, batch_first=True,
             bidirectional=True))
    assert _options(GRU(3, 4, 2, False, True, 0.0, True)) == _options(
        GRU(3, 4, bidirectional=True, batch_first=True, bias=False, num_layers=2))
    rnn = RNN(3, 4, 2, "relu", False, True, 0.0, True, None, minigrad.float64)
    assert _options(rnn) == _options(RNN(3, 4, num_layers=2, nonlinearity="relu", bias=False,
                                         batch_first=True, bidirectional=True,
                                         dtype=minigrad.float64))
    assert rnn.nonlinearity == "relu" and rnn.mode == "RNN_RELU"
    assert rnn.weight_ih_l0.dtype == minigrad.float64
    assert LSTM(3, 4, dtype=minigrad.float64).weight_hh_l0.dtype == minigrad.float64
    assert LSTM(3, 4, proj_size=0).proj_size == 0


def test_recurrent_same_draws_positional_or_keyword() -> None:
    minigrad.manual_seed(3)
    a = GRU(3, 4, 2)
    minigrad.manual_seed(3)
    b = GRU(input_size=3, hidden_size=4, num_layers=2)
    for (name, p), (_, q) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(_np(p), _np(q), err_msg=name)


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: RNN(3, 4, proj_size=0), ValueError, "proj_size argument is only supported for LSTM"),
    (lambda: GRU(3, 4, proj_size=0), ValueError, "proj_size argument is only supported for LSTM"),
    (lambda: RNN(3, 4, nonlinear="relu"), TypeError, "unexpected keyword argument 'nonlinear'"),
    (lambda: GRU(3, 4, layers=2), TypeError, "unexpected keyword argument 'layers'"),
    (lambda: LSTM(3, 4, layers=2), TypeError, "unexpected keyword argument 'layers'"),
    (lambda: LSTM(3), TypeError, "hidden_size"),
])
def test_recurrent_constructor_refuses_unknown_arguments(call, error, message) -> None:
    with pytest.raises(error, match=message):
        call()
