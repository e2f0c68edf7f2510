"""Layers (minigrad/nn/modules/linear.py, dropout.py, activation.py and their functional forms):
shapes and values against NumPy, float64 gradchecks, Dropout's statistics, and activations
kept off their kinks (and checked at them against PyTorch's documented subgradients)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.autograd import gradcheck
from minigrad.nn import functional as F

_erf = np.vectorize(math.erf)


def _np(t) -> np.ndarray:
    return t.detach().numpy()


# -- Linear ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(5,), (4, 5), (2, 3, 5), (2, 1, 3, 5)], ids=str)
def test_linear_output_shape_and_values(shape, rng) -> None:
    lin = nn.Linear(5, 3)
    assert lin.weight.shape == (3, 5) and lin.bias.shape == (3,)
    x = rng.standard_normal(shape).astype(np.float32)
    out = lin(minigrad.tensor(x))
    assert out.shape == shape[:-1] + (3,) and out.dtype == minigrad.float32
    np.testing.assert_allclose(_np(out), x @ _np(lin.weight).T + _np(lin.bias), rtol=1e-5,
                               atol=1e-6)


@pytest.mark.parametrize("shape", [(5,), (4, 5), (2, 3, 5)], ids=str)
@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradcheck_for_input_weight_and_bias(shape, bias, rng) -> None:
    lin = nn.Linear(5, 3, bias=bias).double()
    x = minigrad.tensor(rng.standard_normal(shape), requires_grad=True)
    params = (lin.weight, lin.bias) if bias else (lin.weight,)
    # the parameters are gradcheck inputs too: it perturbs them in place
    assert gradcheck(lambda x, *p: lin(x), (x, *params))


def test_linear_gradients_against_numpy(rng) -> None:
    lin = nn.Linear(4, 3).double()
    x = rng.standard_normal((2, 5, 4))
    g = rng.standard_normal((2, 5, 3))
    xt = minigrad.tensor(x, requires_grad=True)
    lin(xt).backward(minigrad.tensor(g))
    w = _np(lin.weight)
    np.testing.assert_allclose(_np(xt.grad), g @ w, rtol=1e-12)
    np.testing.assert_allclose(_np(lin.weight.grad), np.einsum("bno,bni->oi", g, x), rtol=1e-12)
    np.testing.assert_allclose(_np(lin.bias.grad), g.sum(axis=(0, 1)), rtol=1e-12)


def test_linear_default_init_bounds_and_no_bias() -> None:
    lin = nn.Linear(100, 50)
    bound = 1 / math.sqrt(100)
    assert np.abs(_np(lin.weight)).max() <= bound and np.abs(_np(lin.bias)).max() <= bound
    assert np.abs(_np(lin.weight)).max() > 0.9 * bound  # spread over the whole range
    nobias = nn.Linear(3, 2, bias=False)
    assert nobias.bias is None and list(nobias.state_dict()) == ["weight"]
    assert nn.Linear(3, 2, dtype=minigrad.float64).weight.dtype == minigrad.float64


def test_linear_bad_input_raises_with_shapes() -> None:
    lin = nn.Linear(3, 4)
    with pytest.raises(RuntimeError, match=r"2x5 and 3x4"):
        lin(minigrad.randn(2, 5))
    with pytest.raises(RuntimeError, match="same dtype"):
        lin(minigrad.randn(2, 3, dtype=minigrad.float64))


def test_identity_returns_its_input() -> None:
    x = minigrad.randn(2, 3)
    assert nn.Identity(54, unused="x")(x) is x


# -- Flatten / Unflatten ---------------------------------------------------------------------------
@pytest.mark.parametrize(("start", "end", "expected"), [
    (1, -1, (2, 60)), (0, -1, (120,)), (1, 2, (2, 12, 5)), (-2, -1, (2, 3, 20)),
    (0, 0, (2, 3, 4, 5))])
def test_flatten_shapes_and_gradient(start, end, expected, rng) -> None:
    x = rng.standard_normal((2, 3, 4, 5))
    xt = minigrad.tensor(x, requires_grad=True)
    out = nn.Flatten(start, end)(xt)
    assert out.shape == expected
    np.testing.assert_array_equal(_np(out), x.reshape(expected))
    g = rng.standard_normal(expected)
    out.backward(minigrad.tensor(g))
    np.testing.assert_array_equal(_np(xt.grad), g.reshape(x.shape))


@pytest.mark.parametrize(("dim", "sizes", "expected"), [
    (1, (3, 4), (2, 3, 4, 5)), (-1, (5, 1), (2, 12, 5, 1)), (1, (2, -1), (2, 2, 6, 5)),
    (0, (1, 2), (1, 2, 12, 5))])
def test_unflatten_shapes_and_gradient(dim, sizes, expected, rng) -> None:
    x = rng.standard_normal((2, 12, 5))
    xt = minigrad.tensor(x, requires_grad=True)
    out = nn.Unflatten(dim, sizes)(xt)
    assert out.shape == expected
    np.testing.assert_array_equal(_np(out), x.reshape(expected))
    out.sum().backward()
    np.testing.assert_array_equal(_np(xt.grad), np.ones_like(x))


def test_unflatten_rejects_sizes_that_do_not_multiply_out() -> None:
    with pytest.raises(RuntimeError):
        nn.Unflatten(1, (5, 3))(minigrad.randn(2, 12))


def test_flatten_then_unflatten_round_trips() -> None:
    x = minigrad.randn(3, 4, 5)
    y = nn.Unflatten(1, (4, 5))(nn.Flatten()(x))
    np.testing.assert_array_equal(_np(y), _np(x))


# -- Dropout ---------------------------------------------------------------------------------------
def test_dropout_in_eval_mode_is_the_identity() -> None:
    layer = nn.Dropout(0.7).eval()
    x = minigrad.randn(50, 20)
    np.testing.assert_array_equal(_np(layer(x)), _np(x))
    np.testing.assert_array_equal(_np(F.dropout(x, 0.7, training=False)), _np(x))


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_zeroes_about_p_and_scales_the_rest(p) -> None:
    minigrad.manual_seed(0)
    x = minigrad.rand(200_000) + 1.0  # no zeros in the input
    out = _np(nn.Dropout(p)(x))
    kept = out != 0
    n = out.size
    assert abs((1 - kept.mean()) - p) < 5 * math.sqrt(p * (1 - p) / n)
    np.testing.assert_allclose(out[kept], _np(x)[kept] / (1 - p), rtol=1e-6)
    assert abs(out.mean() / _np(x).mean() - 1) < 0.01  # the expectation is preserved


def test_dropout_gradient_is_the_same_mask_and_scale(rng) -> None:
    minigrad.manual_seed(1)
    x = minigrad.tensor(rng.uniform(1, 2, (40, 30)), requires_grad=True)
    out = F.dropout(x, 0.4, training=True)
    out.sum().backward()
    np.testing.assert_allclose(_np(x.grad), _np(out) / _np(x), rtol=1e-12)
    assert set(np.unique(_np(x.grad)).round(12)) <= {0.0, round(1 / 0.6, 12)}


def test_dropout_p0_and_p1_in_training() -> None:
    x = minigrad.randn(10, 10, requires_grad=True)
    np.testing.assert_array_equal(_np(nn.Dropout(0.0)(x)), _np(x))
    out = nn.Dropout(1.0)(x)
    assert not _np(out).any()
    out.sum().backward()
    assert not _np(x.grad).any()


def test_dropout_masks_repeat_after_the_same_seed_and_differ_otherwise() -> None:
    x = minigrad.ones(1000)
    minigrad.manual_seed(5)
    a = _np(F.dropout(x, 0.5))
    b = _np(F.dropout(x, 0.5))
    minigrad.manual_seed(5)
    c = _np(F.dropout(x, 0.5))
    np.testing.assert_array_equal(a, c)
    assert not np.array_equal(a, b)


def test_dropout_keeps_dtype_and_rejects_bad_p() -> None:
    assert F.dropout(minigrad.ones(4, dtype=minigrad.float64), 0.5).dtype == minigrad.float64
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match="between 0 and 1"):
            nn.Dropout(p)
        with pytest.raises(ValueError, match="between 0 and 1"):
            F.dropout(minigrad.ones(2), p)


# -- activations -----------------------------------------------------------------------------------
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
def test_activation_gradcheck(name, module, fn, ref, rng, check_grad) -> None:
    x = _off_kinks(rng, (3, 5))
    check_grad(module, x)
    check_grad(fn, x)


@pytest.mark.parametrize(("make", "expected"), [
    (lambda: nn.ReLU(), [0.0, 0.0, 1.0]),
    (lambda: nn.LeakyReLU(0.3), [0.3, 0.3, 1.0]),
    (lambda: nn.ELU(0.7), [0.7 * math.exp(-1), 0.7, 1.0]),
])
def test_gradient_at_the_kink_is_pytorchs_choice(make, expected) -> None:
    x = minigrad.tensor([-1.0, 0.0, 1.0], dtype=minigrad.float64, requires_grad=True)
    make()(x).sum().backward()
    np.testing.assert_allclose(_np(x.grad), expected, rtol=1e-12)


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
