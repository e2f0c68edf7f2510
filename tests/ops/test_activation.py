"""Activation ops (minigrad/ops/activation.py): values against NumPy, float64 gradchecks off
the kinks, and PyTorch's gradients at the edges (ReLU at NaN, ELU at inf, SiLU)."""

from __future__ import annotations

import numpy as np

from minigrad.ops import activation as act
from tests.helpers import check_grad, leaf


def test_relu_gradient_is_zero_at_zero_and_one_at_nan():
    x = leaf([-1.0, 0.0, 2.0, np.nan])
    act.Relu.apply(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 1.0, 1.0])


def test_elu_gradient_at_inf_zero_and_very_negative_inputs():
    x = leaf([np.inf, 0.0, -np.inf, -30.0, np.nan])
    act.Elu.apply(x, alpha=0.5).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 0.5, 0.0, 0.5 * np.exp(-30.0), 1.0],
                               rtol=1e-12)


def test_elu_from_output_reads_the_output():
    x = leaf([-1.0, 2.0])
    act.Elu.apply(x, alpha=2.0, from_output=True).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0 * np.exp(-1.0), 1.0], rtol=1e-12)


def test_silu_forward_and_gradcheck():
    x = np.array([-3.0, -0.5, 0.2, 4.0])
    out = act.Silu.apply(leaf(x))
    np.testing.assert_allclose(out.detach().numpy(), x / (1.0 + np.exp(-x)), rtol=1e-12)
    check_grad(lambda t: act.Silu.apply(t), x)
    check_grad(lambda t: act.Elu.apply(t, alpha=0.7), np.array([-2.0, -0.3, 0.4, 1.5]))
