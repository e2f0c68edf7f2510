"""scatter / scatter_add (and in-place forms), masked_fill_, F.normalize."""

import numpy as np
import pytest

import minigrad
from minigrad.autograd import gradcheck


def test_scatter_writes_src_and_last_write_wins():
    idx = minigrad.tensor([[0, 1], [2, 3], [4, 4]])
    src = minigrad.arange(6).float().reshape(3, 2)
    out = minigrad.zeros(3, 5).scatter(1, idx, src)
    assert out.tolist() == [[0, 1, 0, 0, 0], [0, 0, 2, 3, 0], [0, 0, 0, 0, 5]]


def test_scatter_value_builds_one_hot_in_place():
    labels = minigrad.tensor([[1], [0], [3]])
    one_hot = minigrad.zeros(3, 4).scatter_(1, labels, 1.0)
    assert one_hot.tolist() == [[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]]


def test_scatter_add_accumulates_and_gradchecks():
    idx = minigrad.tensor([[0, 0, 2], [1, 2, 1]])
    base = minigrad.tensor(np.ones((2, 3)), requires_grad=True)
    src = minigrad.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert base.scatter_add(1, idx, src).tolist() == [[2, 1, 3], [1, 9, 5]]
    assert gradcheck(lambda b, s: b.scatter_add(1, idx, s), (base, src))
    assert gradcheck(lambda b, s: b.scatter(1, minigrad.tensor([[2, 0, 1]] * 2), s),
                     (base, src))


def test_scatter_rejects_out_of_range_index():
    with pytest.raises(IndexError, match="scatter: index out of bounds for dimension 1 with size"):
        minigrad.zeros(2, 3).scatter(1, minigrad.tensor([[3], [0]]), 1.0)


def test_masked_fill_in_place_no_grad_and_recorded():
    t = minigrad.tensor([[1.0, -2.0], [-3.0, 4.0]])
    assert t.masked_fill_(t < 0, 0.0) is t and t.tolist() == [[1, 0], [0, 4]]
    x = minigrad.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = x * 2
    y.masked_fill_(x < 0, float("-inf"))
    y.exp().sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2 * np.exp(2.0), 0.0, 2 * np.exp(6.0)],
                               rtol=1e-6)


def test_normalize_gives_unit_rows():
    x = minigrad.tensor([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(minigrad.nn.functional.normalize(x).numpy(),
                               [[0.6, 0.8], [0.0, 0.0]])
