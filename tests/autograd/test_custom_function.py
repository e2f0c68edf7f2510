"""autograd.Function (minigrad/autograd/custom_function.py): a PyTorch-style custom op with
ctx.save_for_backward, its node's name, and no graph under no_grad."""

import numpy as np

import minigrad
from minigrad import autograd
from tests.helpers import leaf


def test_custom_function_in_pytorch_style():
    class Legendre3(autograd.Function):
        """P3(x) = (5x^3 - 3x) / 2, with its derivative written by hand."""

        @staticmethod
        def forward(ctx, x, scale):
            ctx.save_for_backward(x)
            return 0.5 * (5 * x**3 - 3 * x) * scale

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 1.5 * (5 * x**2 - 1) * 2.0, None

    x = leaf([0.3, -0.6])
    y = Legendre3.apply(x, 2.0)
    assert not y.is_leaf and y.grad_fn.name() == "Legendre3Backward"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, 2.0 * 1.5 * (5 * x.data**2 - 1))
    with minigrad.no_grad():
        assert Legendre3.apply(x, 1.0).grad_fn is None
