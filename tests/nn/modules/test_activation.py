"""Activation modules (minigrad/nn/modules/activation.py) at their kinks: the gradient is
PyTorch's documented choice. (Values and gradchecks of both forms are in
tests/nn/functional/test_activation.py.)"""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad
from minigrad import nn
from tests.helpers import to_numpy as _np


@pytest.mark.parametrize(("make", "expected"), [
    (lambda: nn.ReLU(), [0.0, 0.0, 1.0]),
    (lambda: nn.LeakyReLU(0.3), [0.3, 0.3, 1.0]),
    (lambda: nn.ELU(0.7), [0.7 * math.exp(-1), 0.7, 1.0]),
])
def test_gradient_at_the_kink_is_pytorchs_choice(make, expected) -> None:
    x = minigrad.tensor([-1.0, 0.0, 1.0], dtype=minigrad.float64, requires_grad=True)
    make()(x).sum().backward()
    np.testing.assert_allclose(_np(x.grad), expected, rtol=1e-12)


def test_inplace_modules_write_into_their_input():
    for module in (minigrad.nn.ReLU(inplace=True), minigrad.nn.ELU(inplace=True),
                   minigrad.nn.LeakyReLU(inplace=True), minigrad.nn.SiLU(inplace=True)):
        x = minigrad.tensor([-1.0, 2.0])
        assert module(x) is x
