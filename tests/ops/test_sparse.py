"""Embedding's ops (minigrad/ops/sparse.py): the scatter behind Embedding's gradient is
linear and differentiates exactly, whatever padding_idx and scale_grad_by_freq do."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.autograd import gradcheck
from minigrad.ops.sparse import EmbeddingBackward


@pytest.mark.parametrize("padding_idx", [None, 2])
@pytest.mark.parametrize("freq", [False, True])
def test_scatter_op_is_linear_and_its_backward_is_its_adjoint(padding_idx, freq, rng) -> None:
    """padding_idx and scale_grad_by_freq make Embedding's gradient a chosen rule, not the
    derivative; the scatter that implements it must still differentiate exactly (double
    backward)."""
    idx = np.array([[0, 2, 2], [5, 0, 2]])
    g = minigrad.tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
    assert gradcheck(lambda g: EmbeddingBackward.apply(
        g, indices=idx, num=6, padding_idx=padding_idx, scale_by_freq=freq), (g,))
