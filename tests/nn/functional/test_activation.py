"""Activations (minigrad/nn/functional/activation.py, with their nn.modules forms): values
against NumPy and float64 gradchecks with inputs kept off the kinks, finite results for
extreme inputs, softmax's implicit dim, and bad options."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn import functional as F
from tests.helpers import check_grad
from tests.helpers import to_numpy as _np

_erf = np.vectorize(math.erf)



def _softplus(x, beta=1.0, threshold=20.0):
    return np.where(beta * x > threshold, x, np.log1p(np.exp(beta * x)) / beta)


def _softmax(x, dim):
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def _gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))


# (id, module, functional, NumPy reference); inputs are kept off 0 (the kinks)
ACTIVATIONS = [
    ("relu", nn.ReLU(), F.relu, lambda x: np.maximum(x, 0)),
    ("leaky_relu", nn.LeakyReLU(0.2), lambda x: F.leaky_relu(x, 0.2),
     lambda x: np.where(x > 0, x, 0.2 * x)),
    ("leaky_relu_default", nn.LeakyReLU(), F.leaky_relu, lambda x: np.where(x > 0, x, 0.01 * x)),
    ("sigmoid", nn.Sigmoid(), F.sigmoid, lambda x: 1 / (1 + np.exp(-x))),
    ("tanh", nn.Tanh(), F.tanh, np.tanh),
    ("gelu", nn.GELU(), F.gelu, lambda x: x * 0.5 * (1 + _erf(x / math.sqrt(2)))),
    ("gelu_tanh", nn.GELU("tanh"), lambda x: F.gelu(x, approximate="tanh"), _gelu_tanh),
    ("silu", nn.SiLU(), F.silu, lambda x: x / (1 + np.exp(-x))),
    ("softplus", nn.Softplus(), F.softplus, _softplus),
    ("softplus_beta", nn.Softplus(beta=2.0, threshold=3.0),
     lambda x: F.softplus(x, 2.0, 3.0), lambda x: _softplus(x, 2.0, 3.0)),
    ("elu", nn.ELU(), F.elu, lambda x: np.where(x > 0, x, np.expm1(x))),
    ("elu_alpha", nn.ELU(0.4), lambda x: F.elu(x, 0.4),
     lambda x: np.where(x > 0, x, 0.4 * np.expm1(x))),
    ("softmax", nn.Softmax(dim=1), lambda x: F.softmax(x, dim=1), lambda x: _softmax(x, 1)),
    ("softmax_dim0", nn.Softmax(dim=0), lambda x: F.softmax(x, 0), lambda x: _softmax(x, 0)),
    ("log_softmax", nn.LogSoftmax(dim=-1), lambda x: F.log_softmax(x, -1),
     lambda x: np.log(_softmax(x, -1))),
    ("log_sigmoid", nn.LogSigmoid(), F.logsigmoid, lambda x: -np.log1p(np.exp(-x))),
]
IDS = [a[0] for a in ACTIVATIONS]


def _off_kinks(rng, shape=(4, 6)) -> np.ndarray:
    """|x| in [0.1, 3], and beta x away from the softplus thresholds (3 and 20)."""
    x = rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.1, 3.0, size=shape)
    return np.where(np.abs(2 * x - 3.0) < 0.1, x + 0.2, x)


@pytest.mark.parametrize(("name", "module", "fn", "ref"), ACTIVATIONS, ids=IDS)
def test_activation_forward_matches_numpy(name, module, fn, ref, rng) -> None:
    x = _off_kinks(rng)
    for dtype, rtol in ((np.float64, 1e-12), (np.float32, 1e-5)):
        xt = minigrad.tensor(x.astype(dtype))
        for out in (module(xt), fn(xt)):
            assert out.dtype == xt.dtype and out.shape == x.shape
            np.testing.assert_allclose(_np(out), ref(x), rtol=rtol, atol=rtol)


@pytest.mark.parametrize(("name", "module", "fn", "ref"), ACTIVATIONS, ids=IDS)
def test_activation_gradcheck(name, module, fn, ref, rng) -> None:
    x = _off_kinks(rng, (3, 5))
    check_grad(module, x)
    check_grad(fn, x)


def test_activations_stay_finite_for_extreme_inputs() -> None:
    x = minigrad.tensor([-1000.0, -50.0, 50.0, 1000.0], dtype=minigrad.float64,
                        requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow either
        outs = {
            "sigmoid": F.sigmoid(x), "log_sigmoid": F.logsigmoid(x), "softplus": F.softplus(x),
            "silu": F.silu(x), "elu": F.elu(x), "gelu": F.gelu(x),
            "log_softmax": F.log_softmax(x, 0), "softmax": F.softmax(x, 0),
        }
    for name, out in outs.items():
        assert np.isfinite(_np(out)).all(), name
    np.testing.assert_allclose(_np(outs["log_sigmoid"]), [-1000.0, -50.0, -1.9287e-22, 0.0],
                               rtol=1e-4, atol=1e-300)
    np.testing.assert_allclose(_np(outs["softplus"]), [0.0, 1.9287e-22, 50.0, 1000.0],
                               rtol=1e-4, atol=1e-300)
    np.testing.assert_allclose(_np(outs["log_softmax"])[-1], 0.0, atol=1e-12)
    total = sum(o.sum() for o in outs.values())
    total.backward()
    assert np.isfinite(_np(x.grad)).all()


def test_softmax_without_dim_warns_and_picks_pytorchs_dim() -> None:
    x2 = minigrad.randn(3, 4)
    with pytest.warns(UserWarning, match="Implicit dimension"):
        out = F.softmax(x2)
    np.testing.assert_allclose(_np(out).sum(axis=1), np.ones(3), rtol=1e-6)
    x3 = minigrad.randn(2, 3, 4)
    with pytest.warns(UserWarning, match="Implicit dimension"):
        out3 = nn.LogSoftmax()(x3)
    np.testing.assert_allclose(np.exp(_np(out3)).sum(axis=0), np.ones((3, 4)), rtol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.softmax(x2, dim=1)  # no warning with a dim


def test_gelu_rejects_an_unknown_approximation() -> None:
    with pytest.raises(RuntimeError, match="approximate"):  # as PyTorch
        F.gelu(minigrad.randn(2), approximate="erf")


def test_inplace_activations_write_into_the_input_and_record() -> None:
    for fn in (F.relu, F.elu, F.leaky_relu, F.silu):
        x = minigrad.tensor([-1.0, 2.0])
        out = fn(x, inplace=True)
        assert out is x and x.tolist()[1] == pytest.approx(fn(minigrad.tensor([2.0])).item())
        leaf = minigrad.tensor([-1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf Variable"):
            fn(leaf, inplace=True)
        y = leaf.clone()
        fn(y, inplace=True).sum().backward()
        expected = leaf.grad.numpy().copy()
        leaf.grad = None
        fn(leaf).sum().backward()
        np.testing.assert_allclose(expected, leaf.grad.numpy(), rtol=1e-6)


def test_float_only_activations_refuse_integers() -> None:
    i = minigrad.tensor([1, -2])
    for fn in (F.elu, F.leaky_relu, F.silu, F.softplus, F.logsigmoid, F.gelu):
        with pytest.raises(NotImplementedError):
            fn(i)
    assert F.relu(i).tolist() == [1, 0]
    with pytest.raises(RuntimeError, match="Boolean"):
        F.relu(minigrad.tensor([True]))
