"""Pooling modules (minigrad/nn/modules/pooling.py): reprs, no state, and that they call
the functions with their options."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.nn.modules.pooling import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
)
from tests.helpers import sample
from tests.helpers import to_numpy as _np
from tests.nn.helpers import ref_adaptive, ref_pool


def _t(a, requires_grad=False):
    return minigrad.tensor(np.array(a), requires_grad=requires_grad)



@pytest.mark.parametrize("layer,expected", [
    (MaxPool2d(2), "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"),
    (MaxPool2d((2, 3), 1, 1, 2, True, True),
     "MaxPool2d(kernel_size=(2, 3), stride=1, padding=1, dilation=2, ceil_mode=True)"),
    (MaxPool1d(3), "MaxPool1d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False)"),
    (AvgPool2d(2), "AvgPool2d(kernel_size=2, stride=2, padding=0)"),
    (AvgPool2d((2, 3), 1, 1, True, False, 3), "AvgPool2d(kernel_size=(2, 3), stride=1, "
                                              "padding=1)"),
    (AvgPool1d(3, 2), "AvgPool1d(kernel_size=(3,), stride=(2,), padding=(0,))"),
    (AdaptiveAvgPool2d((None, 3)), "AdaptiveAvgPool2d(output_size=(None, 3))"),
    (AdaptiveAvgPool2d(1), "AdaptiveAvgPool2d(output_size=1)"),
    (AdaptiveAvgPool1d(4), "AdaptiveAvgPool1d(output_size=4)"),
], ids=range(9))
def test_pooling_module_reprs(layer, expected):
    assert repr(layer) == expected
    assert layer.state_dict() == {} and list(layer.parameters()) == []


def test_pooling_modules_call_the_functions(rng):
    x = sample(rng, "distinct", (2, 3, 6, 6))
    out, idx = MaxPool2d(3, 2, 1, return_indices=True, ceil_mode=True)(_t(x))
    ref, ref_idx = ref_pool(x, 3, 2, 1, ceil_mode=True)
    np.testing.assert_array_equal(_np(out), ref)
    np.testing.assert_array_equal(idx.numpy(), ref_idx)
    np.testing.assert_allclose(_np(AvgPool2d(2, divisor_override=3)(_t(x))),
                               ref_pool(x, 2, kind="avg", divisor_override=3)[0], rtol=1e-12)
    np.testing.assert_allclose(_np(AdaptiveAvgPool2d((None, 2))(_t(x))),
                               ref_adaptive(x, (6, 2)), rtol=1e-12)
    assert MaxPool1d(2)(_t(x[0])).shape == (3, 6, 3)
    assert AvgPool1d(2)(_t(x[0])).shape == (3, 6, 3)
    assert AdaptiveAvgPool1d(5)(_t(x[0])).shape == (3, 6, 5)
