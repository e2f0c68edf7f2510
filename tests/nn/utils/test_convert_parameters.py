"""parameters_to_vector and vector_to_parameters (minigrad/nn/utils/convert_parameters.py)."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn.utils import parameters_to_vector, vector_to_parameters
from tests.helpers import to_numpy as _np


def test_parameters_to_vector_concatenates_in_order_and_is_differentiable() -> None:
    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    vec = parameters_to_vector(model.parameters())
    expected = np.concatenate([_np(p).reshape(-1) for p in model.parameters()])
    assert vec.shape == (11,)
    np.testing.assert_array_equal(_np(vec), expected)
    (vec * minigrad.arange(11, dtype=minigrad.float32)).sum().backward()
    np.testing.assert_array_equal(_np(model[0].weight.grad), np.arange(6).reshape(2, 3))
    np.testing.assert_array_equal(_np(model[1].bias.grad), [10.0])


def test_vector_to_parameters_writes_slices_back() -> None:
    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1)).double()
    vec = minigrad.arange(11, dtype=minigrad.float64)
    vector_to_parameters(vec, model.parameters())
    np.testing.assert_array_equal(_np(model[0].weight), np.arange(6).reshape(2, 3))
    np.testing.assert_array_equal(_np(model[0].bias), [6, 7])
    np.testing.assert_array_equal(_np(model[1].weight), [[8, 9]])
    np.testing.assert_array_equal(_np(model[1].bias), [10])
    assert model[0].weight.dtype == minigrad.float64
    round_trip = parameters_to_vector(model.parameters())
    np.testing.assert_array_equal(_np(round_trip), np.arange(11))


def test_vector_to_parameters_rejects_bad_vectors() -> None:
    params = list(nn.Linear(3, 2).parameters())
    with pytest.raises(TypeError, match="1-D"):
        vector_to_parameters(minigrad.zeros(2, 4), params)
    with pytest.raises(RuntimeError, match="10 elements.*need 8"):
        vector_to_parameters(minigrad.zeros(10), params)
