"""F.dropout (minigrad/nn/functional/dropout.py): the gradient is the same mask and scale,
masks follow the global seed, dtypes are kept and a bad p is refused."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn import functional as F
from tests.helpers import to_numpy as _np


def test_dropout_gradient_is_the_same_mask_and_scale(rng) -> None:
    minigrad.manual_seed(1)
    x = minigrad.tensor(rng.uniform(1, 2, (40, 30)), requires_grad=True)
    out = F.dropout(x, 0.4, training=True)
    out.sum().backward()
    np.testing.assert_allclose(_np(x.grad), _np(out) / _np(x), rtol=1e-12)
    assert set(np.unique(_np(x.grad)).round(12)) <= {0.0, round(1 / 0.6, 12)}


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


def test_dropout_with_p_one_keeps_the_input_dtype():
    for dtype in (np.bool_, np.int8, np.float32):
        x = minigrad.tensor(np.ones((2, 3), dtype=dtype))
        out = F.dropout(x, p=1.0, training=True)
        assert out.data.dtype == dtype and not out.data.any()
