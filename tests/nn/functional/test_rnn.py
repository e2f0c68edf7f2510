"""The recurrence functions (minigrad/nn/functional/rnn.py): float64 gradchecks through
inputs, initial states and every parameter (2 layers, bidirectional, no bias), and
double backward."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.autograd import gradcheck, gradgradcheck
from minigrad.nn.functional import rnn as FR
from tests.nn.helpers import LAYERS


def _functional(module, mode: str):
    """fn(x, h0, c0, *params) running the module's recurrence on the given leaves."""
    per = 4 if module.bias else 2
    dirs = 2 if module.bidirectional else 1

    def fn(x, h0, c0, *params):
        weights = [params[i:i + per] for i in range(0, len(params), per)]
        out, h_n, c_n = FR.rnn(mode, x, h0, c0 if mode == "LSTM" else None, weights,
                               module.num_layers, 0.0, False, module.bidirectional)
        return (out, h_n) if c_n is None else (out, h_n, c_n)

    return fn, module.num_layers * dirs


@pytest.mark.parametrize("config", [{"num_layers": 2, "bidirectional": True}, {"bias": False}],
                         ids=["2-layers-bidirectional", "no-bias"])
@pytest.mark.parametrize("kind", list(LAYERS))
def test_gradcheck_through_input_states_and_every_parameter(kind, config, rng) -> None:
    cls, mode, extra = LAYERS[kind]
    module = cls(2, 2, **extra, **config).double()
    fn, layers = _functional(module, mode)
    x, h0, c0 = (rng.standard_normal(s) for s in ((3, 2, 2), (layers, 2, 2), (layers, 2, 2)))
    if mode == "RNN_RELU":  # keep the pre-activations off relu's kink
        x, h0 = x + 0.5, np.abs(h0)
    leaves = [minigrad.tensor(a, requires_grad=True) for a in (x, h0, c0)]
    leaves += [p.detach().requires_grad_(True) for p in module.parameters()]
    assert gradcheck(fn, leaves)


@pytest.mark.parametrize("kind", ["lstm", "gru", "tanh"])
def test_gradgradcheck_double_backward(kind, rng) -> None:
    cls, mode, extra = LAYERS[kind]
    module = cls(2, 2, bidirectional=True, **extra).double()
    fn, layers = _functional(module, mode)
    arrays = [rng.standard_normal(s) for s in ((3, 1, 2), (layers, 1, 2), (layers, 1, 2))]
    leaves = [minigrad.tensor(a, requires_grad=True) for a in arrays]
    params = [p.detach().requires_grad_(i % 4 == 1) for i, p in enumerate(module.parameters())]
    assert gradgradcheck(fn, leaves + params)  # through x, h0, c0 and both weight_hh
