"""sort, argsort, topk and cumsum (minigrad/ops/sorting.py and the Tensor methods built on
it): forward vs NumPy, gradchecks."""

import numpy as np
import pytest

import minigrad
from minigrad.autograd import gradcheck, gradgradcheck


def f64(values, grad=True):
    return minigrad.tensor(np.asarray(values, dtype=np.float64), requires_grad=grad)


@pytest.mark.parametrize("descending", [False, True])
def test_sort_matches_numpy_and_keeps_ties_in_order(descending):
    x = np.array([[3.0, 1.0, 3.0, np.nan, -2.0], [0.5, 0.5, 9.0, 1.0, 0.5]])
    values, indices = minigrad.tensor(x).sort(dim=1, descending=descending)
    if descending:
        assert indices.tolist() == [[3, 0, 2, 1, 4], [2, 3, 0, 1, 4]]
    else:
        assert indices.tolist() == [[4, 1, 0, 2, 3], [0, 1, 4, 3, 2]]
    np.testing.assert_array_equal(values.numpy(), np.take_along_axis(x, indices.numpy(), 1))
    assert indices.dtype == minigrad.int64


def test_sort_and_topk_gradients_flow_to_the_picked_positions():
    x = f64([[0.3, -1.2, 2.5, 0.9], [1.1, 0.2, -0.4, 3.3]])
    assert gradcheck(lambda t: t.sort(dim=1, descending=True).values, (x,))
    assert gradcheck(lambda t: t.topk(2, dim=1).values, (x,))
    values, idx = x.topk(2, dim=1, largest=False)
    assert idx.tolist() == [[1, 0], [2, 1]] and values.tolist() == [[-1.2, 0.3], [-0.4, 0.2]]


def test_topk_rejects_k_beyond_the_dimension():
    with pytest.raises(RuntimeError, match=r"topk: k \(5\) is out of range .* size 4"):
        minigrad.ones(2, 4).topk(5)


def test_cumsum_forward_gradient_and_int_dtype():
    x = f64([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
    np.testing.assert_allclose(x.cumsum(1).detach().numpy(), np.cumsum(x.data, 1))
    assert gradcheck(lambda t: t.cumsum(0), (x,)) and gradgradcheck(lambda t: t.cumsum(1), (x,))
    assert minigrad.tensor([True, True, False]).cumsum(0).tolist() == [1, 2, 2]
    assert minigrad.tensor([1, 2, 3], dtype=minigrad.int32).cumsum(0).dtype == minigrad.int64


def test_sort_and_topk_of_0d_check_the_dim() -> None:
    x = minigrad.tensor(2.0)
    assert x.sort(dim=0).values.item() == 2.0
    assert x.topk(1, dim=-1).indices.item() == 0
    for call in (lambda: x.sort(dim=-2), lambda: x.argsort(dim=1), lambda: x.topk(1, 3)):
        with pytest.raises(IndexError):
            call()
