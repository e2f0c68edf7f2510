"""The normalisation ops' reduction helpers (minigrad/ops/norm.py): sum_over, mean_over and
mean_of_products against NumPy, and blocked float32 sums that stay accurate."""

from __future__ import annotations

import numpy as np
import pytest

from minigrad.ops.norm import mean_of_products, mean_over, sum_over


@pytest.mark.parametrize(("shape", "axes"), [((100, 3), (0,)), ((70, 3, 5), (0, 2)),
                                             ((65, 2, 2, 3), (0, 3)), ((10, 4), (0,)),
                                             ((5, 80), (1,))], ids=str)
def test_reduction_helpers_equal_numpy(shape, axes, rng) -> None:
    a, b = rng.standard_normal(shape), rng.standard_normal(shape)
    np.testing.assert_allclose(sum_over(a, axes), np.sum(a, axis=axes), rtol=1e-12)
    np.testing.assert_allclose(mean_over(a, axes), np.mean(a, axis=axes, keepdims=True),
                               rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(mean_of_products(a, b, axes),
                               np.mean(a * b, axis=axes, keepdims=True), rtol=1e-11, atol=1e-15)


def test_float32_sums_over_many_rows_stay_accurate(rng) -> None:
    """Blocked sums along the batch axis: float32 parameter gradients over 16384 rows stay
    within 1e-6 of the float64 sum, several times closer than NumPy's row-by-row np.sum."""
    a = (rng.standard_normal((16384, 8)) + 0.1).astype(np.float32)
    truth = a.astype(np.float64).sum(axis=0)
    err = np.abs(sum_over(a, (0,)) - truth).max() / np.abs(truth).max()
    plain = np.abs(np.sum(a, axis=0) - truth).max() / np.abs(truth).max()
    assert sum_over(a, (0,)).dtype == np.float32 and err < 1e-6 and err < plain / 3
