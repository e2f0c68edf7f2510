"""Matrix products (minigrad/ops/linalg.py): matmul in every rank combination PyTorch allows
(1-D operands promoted, batch dims broadcast), through `@`, matmul/mm/bmm/dot, against
NumPy values and NumPy-derived gradients, with float64 gradcheck and second derivatives; einsum
against NumPy with gradchecks, and its errors."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.autograd import gradcheck, gradgradcheck
from tests.helpers import check_grad, check_gradgrad, grads_of, leaf

# (id, shape of a, shape of b)
MATMUL_SHAPES = [
    ("vec_vec", (3,), (3,)),
    ("vec_mat", (3,), (3, 4)),
    ("mat_vec", (2, 3), (3,)),
    ("mat_mat", (2, 3), (3, 4)),
    ("vec_batched", (4,), (2, 4, 3)),
    ("batched_vec", (2, 3, 4), (4,)),
    ("batched_mat", (5, 3, 4), (4, 2)),
    ("mat_batched", (3, 4), (5, 4, 2)),
    ("batched_batched", (2, 3, 4), (2, 4, 2)),
    ("broadcast_batch_dims", (2, 1, 3, 4), (5, 4, 2)),
    ("broadcast_both_batch_dims", (2, 1, 3, 4), (1, 5, 4, 2)),
    ("single_element", (1, 1), (1, 1)),
]
IDS = [row[0] for row in MATMUL_SHAPES]


def _np_matmul_grads(a, b, g):
    """d(sum(g * (a @ b)))/da and /db in NumPy, with 1-D promotion and broadcast batches."""
    a2 = a[None, :] if a.ndim == 1 else a  # (1, n)
    b2 = b[:, None] if b.ndim == 1 else b  # (n, 1)
    g2 = np.reshape(g, np.matmul(a2, b2).shape)  # (..., m, p) with the promoted axes back
    da = g2 @ np.swapaxes(b2, -1, -2)
    db = np.swapaxes(a2, -1, -2) @ g2

    def reduce_to(grad, shape2, orig_shape):
        lead = grad.ndim - len(shape2)
        grad = grad.sum(axis=tuple(range(lead)))
        stretched = tuple(i for i, n in enumerate(shape2) if n == 1 and grad.shape[i] != 1)
        grad = grad.sum(axis=stretched, keepdims=True) if stretched else grad
        return grad.reshape(orig_shape)

    return reduce_to(da, a2.shape, a.shape), reduce_to(db, b2.shape, b.shape)


FORMS = {
    "operator": lambda a, b: a @ b,
    "method": lambda a, b: a.matmul(b),
    "function": lambda a, b: minigrad.matmul(a, b),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("form", list(FORMS))
@pytest.mark.parametrize("name,shape_a,shape_b", MATMUL_SHAPES, ids=IDS)
def test_matmul_forward_and_grads_match_numpy(name, shape_a, shape_b, form, dtype, rng):
    a = rng.standard_normal(shape_a).astype(dtype)
    b = rng.standard_normal(shape_b).astype(dtype)
    expected = np.matmul(a.astype(np.float64), b.astype(np.float64))
    g = rng.standard_normal(expected.shape)
    out, (ga, gb) = grads_of(FORMS[form], a, b, upstream=g, dtype=dtype)
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    assert out.dtype == dtype and out.shape == expected.shape
    np.testing.assert_allclose(out.detach().numpy(), expected, **tol)
    want_a, want_b = _np_matmul_grads(a.astype(np.float64), b.astype(np.float64), g)
    assert ga.shape == shape_a and gb.shape == shape_b
    assert ga.dtype == dtype and gb.dtype == dtype
    np.testing.assert_allclose(ga.numpy(), want_a, **tol)
    np.testing.assert_allclose(gb.numpy(), want_b, **tol)


@pytest.mark.parametrize("name,shape_a,shape_b", MATMUL_SHAPES, ids=IDS)
def test_matmul_gradcheck_float64(name, shape_a, shape_b, rng):
    check_grad(lambda a, b: a @ b, rng.standard_normal(shape_a), rng.standard_normal(shape_b))


@pytest.mark.parametrize("name,shape_a,shape_b", MATMUL_SHAPES, ids=IDS)
def test_matmul_second_derivative_gradgradcheck_float64(name, shape_a, shape_b, rng):
    check_gradgrad(lambda a, b: a @ b, rng.standard_normal(shape_a), rng.standard_normal(shape_b))


def test_matmul_of_input_with_itself_has_both_contributions(rng):
    x = rng.standard_normal((3, 3))
    t = leaf(x)
    (t @ t).sum().backward()
    ones = np.ones((3, 3))
    np.testing.assert_allclose(t.grad.numpy(), ones @ x.T + x.T @ ones)


@pytest.mark.parametrize(
    "op,shape_a,shape_b",
    [(lambda a, b: a.mm(b), (2, 3), (3, 4)), (lambda a, b: minigrad.mm(a, b), (2, 3), (3, 4)),
     (lambda a, b: a.bmm(b), (2, 3, 4), (2, 4, 5)),
     (lambda a, b: minigrad.bmm(a, b), (2, 3, 4), (2, 4, 5)),
     (lambda a, b: a.dot(b), (4,), (4,)), (lambda a, b: minigrad.dot(a, b), (4,), (4,))],
    ids=["mm", "mm_function", "bmm", "bmm_function", "dot", "dot_function"],
)
def test_mm_bmm_dot_match_numpy_matmul(op, shape_a, shape_b, rng):
    a, b = rng.standard_normal(shape_a), rng.standard_normal(shape_b)
    g = rng.standard_normal(np.matmul(a, b).shape)
    out, (ga, gb) = grads_of(op, a, b, upstream=g)
    np.testing.assert_allclose(out.detach().numpy(), np.matmul(a, b), rtol=1e-12)
    want_a, want_b = _np_matmul_grads(a, b, g)
    np.testing.assert_allclose(ga.numpy(), want_a, rtol=1e-12)
    np.testing.assert_allclose(gb.numpy(), want_b, rtol=1e-12)
    check_grad(op, a, b)


def test_matmul_of_int_tensors_stays_int64():
    a = minigrad.tensor([[1, 2], [3, 4]])
    out = a @ minigrad.tensor([1, 1])
    assert out.dtype == minigrad.int64
    np.testing.assert_array_equal(out.numpy(), [3, 7])


def test_matmul_with_inner_size_mismatch_raises_naming_both_shapes():
    with pytest.raises(RuntimeError, match=r"matmul.*\(2, 3\).*\(4, 5\)"):
        minigrad.zeros(2, 3) @ minigrad.zeros(4, 5)


def test_matmul_with_non_broadcasting_batch_dims_raises():
    with pytest.raises(RuntimeError, match="matmul"):
        minigrad.zeros(2, 3, 4) @ minigrad.zeros(3, 4, 5)


def test_matmul_with_zero_dim_operand_raises():
    with pytest.raises(RuntimeError, match="matmul"):
        minigrad.zeros(3) @ minigrad.tensor(1.0)


def test_matmul_with_mixed_float_dtypes_raises():
    with pytest.raises(RuntimeError, match="dtype"):
        minigrad.zeros(2, 3) @ minigrad.zeros(3, dtype=minigrad.float64)


def test_dot_of_matrices_raises():
    with pytest.raises(RuntimeError, match="dot"):
        minigrad.zeros(2, 3).dot(minigrad.zeros(3))


# -- einsum ----------------------------------------------------------------------------------------
def f64(values, grad=True):
    return minigrad.tensor(np.asarray(values, dtype=np.float64), requires_grad=grad)


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
    with pytest.raises(RuntimeError, match="einsum: subscript 'i' is repeated for dims of "
                                           "different sizes \\[2, 3\\]"):
        minigrad.einsum("ii->i", minigrad.ones(2, 3))
    with pytest.raises(RuntimeError, match="einsum: the '...' dims of shapes"):
        minigrad.einsum("...i,...i", minigrad.ones(2, 3), minigrad.ones(4, 3))


@pytest.mark.parametrize(("equation", "shapes"), [
    ("ii->i", [(3, 3)]), ("ii", [(3, 3)]), ("iij,jk->ik", [(2, 2, 3), (3, 4)]),
    ("...ij,...jk->...ik", [(2, 2, 3), (3, 4)]), ("ij...,jk...->...ik", [(2, 3, 1), (3, 4, 5)]),
    ("i...j,j->i...", [(2, 4, 3), (3,)]),
])
def test_einsum_with_ellipsis_and_diagonals_matches_numpy_and_gradchecks(equation, shapes, rng):
    arrays = [rng.standard_normal(s) for s in shapes]
    out = minigrad.einsum(equation, *[minigrad.tensor(a) for a in arrays])
    np.testing.assert_allclose(out.numpy(), np.einsum(equation, *arrays), rtol=1e-12)
    check_grad(lambda *ts: minigrad.einsum(equation, *ts), *arrays)
    check_gradgrad(lambda *ts: minigrad.einsum(equation, *ts), *arrays)


def test_matrix_products_of_bool_raise_not_implemented() -> None:
    b = minigrad.tensor(np.ones((2, 2), dtype=bool))
    for call in (lambda: b @ b, lambda: b.mm(b), lambda: b[0].dot(b[0])):
        with pytest.raises(NotImplementedError, match="matmul"):
            call()
