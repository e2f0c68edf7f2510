"""Comparisons and logic (minigrad/methods/compare.py): logical_and/or take tensors only (as
PyTorch), ints wrap into narrow dtypes before comparing, and isnan/isinf/isfinite."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad


def test_logical_ops_take_tensors_and_broadcast():
    a = minigrad.tensor([[1.0], [0.0]])
    b = minigrad.tensor([0, 3])
    np.testing.assert_array_equal(a.logical_and(b).numpy(), [[False, True], [False, False]])
    np.testing.assert_array_equal(minigrad.logical_or(a, b).numpy(),
                                  [[True, True], [False, True]])
    with pytest.raises(TypeError, match="logical_and: argument 'other' must be Tensor"):
        a.logical_and(1)


def test_comparison_with_an_int_out_of_uint8_range_wraps_as_pytorch():
    u = minigrad.tensor(np.array([0, 44, 255], dtype=np.uint8))
    assert (u == 300).tolist() == [False, True, False]  # 300 is 44 in uint8
    assert (u == -1).tolist() == [False, False, True]


def test_isnan_isinf_isfinite():
    x = minigrad.tensor([np.nan, np.inf, -1.0])
    assert x.isnan().tolist() == [True, False, False]
    assert x.isinf().tolist() == [False, True, False]
    assert x.isfinite().tolist() == [False, False, True]
