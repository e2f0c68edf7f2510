"""nn.Dropout (minigrad/nn/modules/dropout.py): the identity in eval mode, about p zeroed
and the rest scaled in training, and p = 0 and 1."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn import functional as F
from tests.helpers import to_numpy as _np


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


def test_dropout_p0_and_p1_in_training() -> None:
    x = minigrad.randn(10, 10, requires_grad=True)
    np.testing.assert_array_equal(_np(nn.Dropout(0.0)(x)), _np(x))
    out = nn.Dropout(1.0)(x)
    assert not _np(out).any()
    out.sum().backward()
    assert not _np(x.grad).any()
