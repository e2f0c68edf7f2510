"""sort, argsort, topk, cumsum, nonzero, einsum and multinomial: forward vs NumPy, gradchecks."""

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


def test_nonzero_both_layouts():
    t = minigrad.tensor([[0, 3], [4, 0]])
    assert t.nonzero().tolist() == [[0, 1], [1, 0]]
    rows, cols = t.nonzero(as_tuple=True)
    assert rows.tolist() == [0, 1] and cols.tolist() == [1, 0]


@pytest.mark.parametrize("equation, shapes", [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    ("bhqd,bhkd->bhqk", [(1, 2, 3, 4), (1, 2, 5, 4)]),
    ("ij->", [(2, 3)]),
    ("ij,j", [(2, 3), (3,)]),
    ("bij,bjk,k->bi", [(2, 2, 3), (2, 3, 4), (4,)]),
])
def test_einsum_matches_numpy_and_gradchecks(equation, shapes):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in shapes]
    tensors = [f64(a) for a in arrays]
    np.testing.assert_allclose(minigrad.einsum(equation, *tensors).detach().numpy(),
                               np.einsum(equation, *arrays))
    assert gradcheck(lambda *t: minigrad.einsum(equation, *t), tuple(tensors))
    assert gradgradcheck(lambda *t: minigrad.einsum(equation, *t), tuple(tensors))


def test_einsum_errors_name_the_problem():
    with pytest.raises(RuntimeError, match="einsum: subscripts 'ij' do not match .*\\(3,\\)"):
        minigrad.einsum("ij->i", minigrad.ones(3))
    with pytest.raises(NotImplementedError, match="diagonal"):
        minigrad.einsum("ii->i", minigrad.ones(3, 3))


def test_multinomial_shapes_ranges_and_seeding():
    probs = minigrad.tensor([[0.1, 0.0, 0.9], [0.5, 0.5, 0.0]])
    minigrad.manual_seed(1)
    draws = minigrad.multinomial(probs, 200, replacement=True)
    assert draws.shape == (2, 200) and draws.dtype == minigrad.int64
    assert not (draws[0] == 1).any().item() and not (draws[1] == 2).any().item()
    assert 0.8 < (draws[0] == 2).float().mean().item() < 1.0
    minigrad.manual_seed(1)
    assert minigrad.equal(draws, minigrad.multinomial(probs, 200, replacement=True))
    without = minigrad.multinomial(probs, 2)
    assert all(len(set(row)) == 2 for row in without.tolist())
    with pytest.raises(RuntimeError, match="cannot sample 4 > 3"):
        minigrad.multinomial(probs, 4)
