"""gradcheck (minigrad/autograd/gradcheck.py) catches a wrong hand-written gradient."""

import pytest

from minigrad import autograd
from tests.helpers import leaf


def test_gradcheck_catches_a_wrong_gradient():
    class BadSquare(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * x * 3

    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="jacobian mismatch"):
        autograd.gradcheck(BadSquare.apply, (x,))
    assert autograd.gradcheck(lambda t: t * t, (x,))
