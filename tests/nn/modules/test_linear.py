"""Linear, Identity, Flatten and Unflatten (minigrad/nn/modules/linear.py): shapes and
values against NumPy, float64 gradchecks, init, and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.autograd import gradcheck
from tests.helpers import to_numpy as _np


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
