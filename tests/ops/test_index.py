"""Indexing ops (minigrad/ops/index.py): __getitem__ with every index form (ints, slices with
steps, Ellipsis, None, integer lists/arrays/tensors with repeated entries, boolean masks,
advanced mixed with basic), gather and index_select, against NumPy; gradients are read off
the NumPy reference, so repeated indices must accumulate. scatter / scatter_add (and the in-place
forms): last write wins, accumulation, gradchecks, out-of-range indices."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.autograd import gradcheck
from tests.helpers import check_grad, check_gradgrad, grads_of, leaf, selection_grad

SHAPE = (3, 4, 5)
_MASK_34 = np.array([[True, False, True, False], [False, False, True, True],
                     [True, True, False, False]])
_MASK_3 = np.array([True, False, True])


def _tensor_index(values, dtype=None):
    return minigrad.tensor(np.asarray(values), dtype=dtype)


# (id, index as given to the Tensor, the same index for NumPy)
INDICES = [
    ("int", 1, 1),
    ("negative_int", -1, -1),
    ("int_pair", (2, -3), (2, -3)),
    ("int_triple_to_scalar", (1, 2, 3), (1, 2, 3)),
    ("slice", slice(1, 3), slice(1, 3)),
    ("slice_step", slice(None, None, 2), slice(None, None, 2)),
    ("slice_start_step", (slice(None), slice(1, None, 2)), (slice(None), slice(1, None, 2))),
    ("slice_negative_bounds", (slice(-2, None), slice(None, -1)),
     (slice(-2, None), slice(None, -1))),
    ("slice_empty", slice(2, 2), slice(2, 2)),
    ("int_and_slice_step", (0, slice(None), slice(0, 5, 3)), (0, slice(None), slice(0, 5, 3))),
    ("ellipsis_last", (Ellipsis, 1), (Ellipsis, 1)),
    ("ellipsis_middle", (1, Ellipsis, slice(1, 3)), (1, Ellipsis, slice(1, 3))),
    ("none_front", (None, 0), (None, 0)),
    ("none_middle", (slice(None), None, 2), (slice(None), None, 2)),
    ("ellipsis_none", (Ellipsis, None), (Ellipsis, None)),
    ("list_repeated", [0, 2, 0, 0], [0, 2, 0, 0]),
    ("list_negative_repeated", [-1, 0, -1], [-1, 0, -1]),
    ("array_2d_repeated", np.array([[0, 1], [1, 1]]), np.array([[0, 1], [1, 1]])),
    ("tensor_repeated", _tensor_index([2, 2, 0]), np.array([2, 2, 0])),
    ("tensor_int32", _tensor_index([1, 1], minigrad.int32), np.array([1, 1])),
    ("tensor_0d_int", _tensor_index(2), 2),
    ("list_on_dim1", (slice(None), [3, 0, 3]), (slice(None), [3, 0, 3])),
    ("list_then_slice", ([0, 0, 1], slice(1, 3)), ([0, 0, 1], slice(1, 3))),
    ("int_then_list", (1, [0, 0, 2]), (1, [0, 0, 2])),
    ("paired_lists", ([0, 1, 1], [2, 2, 3]), ([0, 1, 1], [2, 2, 3])),
    ("paired_lists_broadcast", (np.array([[0], [2]]), np.array([1, 1, 3])),
     (np.array([[0], [2]]), np.array([1, 1, 3]))),
    ("lists_split_by_slice", ([0, 2], slice(None), [4, 4]), ([0, 2], slice(None), [4, 4])),
    ("ellipsis_list", (Ellipsis, [1, 1, 4]), (Ellipsis, [1, 1, 4])),
    ("list_none_slice", ([1, 1], None, slice(0, 2)), ([1, 1], None, slice(0, 2))),
    ("bool_mask_first_dim", _tensor_index(_MASK_3), _MASK_3),
    ("bool_mask_two_dims", _tensor_index(_MASK_34), _MASK_34),
    ("bool_mask_array", _MASK_34, _MASK_34),
    ("bool_list", [True, False, True], np.array([True, False, True])),
    ("bool_mask_then_slice", (_tensor_index(_MASK_3), slice(1, 3)), (_MASK_3, slice(1, 3))),
    ("slice_then_bool_mask", (slice(None), _tensor_index([True, False, False, True])),
     (slice(None), np.array([True, False, False, True]))),
    ("bool_all_false", _tensor_index([False, False, False]), np.array([False, False, False])),
]
INDEX_IDS = [row[0] for row in INDICES]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,index,np_index", INDICES, ids=INDEX_IDS)
def test_getitem_forward_matches_numpy_and_keeps_dtype(name, index, np_index, dtype, rng):
    x = rng.standard_normal(SHAPE).astype(dtype)
    out = leaf(x, dtype)[index]
    expected = x[np_index]
    assert out.dtype == dtype and out.shape == expected.shape
    np.testing.assert_array_equal(out.detach().numpy(), expected)


@pytest.mark.parametrize("name,index,np_index", INDICES, ids=INDEX_IDS)
def test_getitem_gradcheck_float64(name, index, np_index, rng):
    check_grad(lambda t: t[index], rng.standard_normal(SHAPE))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,index,np_index", INDICES, ids=INDEX_IDS)
def test_getitem_grad_accumulates_upstream_at_indexed_positions(name, index, np_index, dtype, rng):
    x = rng.standard_normal(SHAPE).astype(dtype)
    g = rng.standard_normal(x[np_index].shape)
    _, (gx,) = grads_of(lambda t: t[index], x, upstream=g, dtype=dtype)
    expected = np.zeros(SHAPE)
    np.add.at(expected, np_index, g)  # repeated positions add up
    assert gx.shape == SHAPE and gx.dtype == dtype
    np.testing.assert_allclose(gx.numpy(), expected, rtol=1e-6, atol=1e-6)


# PyTorch applies integer indices as plain selections before any advanced index, so an int
# never joins the advanced group: x[0, :, [1, 2]] is (4, 2) in PyTorch (NumPy would give
# (2, 4)). (id, index, two-step NumPy reference)
INT_WITH_ADVANCED = [
    ("int_slice_list", (0, slice(None), [1, 2]), lambda a: a[0][:, [1, 2]]),
    ("int_ellipsis_list", (0, Ellipsis, [1, 1]), lambda a: a[0][..., [1, 1]]),
    ("tensor0d_slice_list", (_tensor_index(1), slice(None), [0, 4, 4]),
     lambda a: a[1][:, [0, 4, 4]]),
    ("list_slice_int", ([1, 2, 2], slice(None), 0), lambda a: a[:, :, 0][[1, 2, 2], :]),
    ("int_between_lists", ([0, 1], 0, [1, 2]), lambda a: a[:, 0][[0, 1], [1, 2]]),
    ("int_slice_bool", (2, slice(1, 3), np.array([True, False, True, True, False])),
     lambda a: a[2][1:3, np.array([True, False, True, True, False])]),
    ("none_int_slice_list", (None, 1, slice(None), [3, 3]), lambda a: a[None, 1][:, :, [3, 3]]),
]


@pytest.mark.parametrize("name,index,ref", INT_WITH_ADVANCED,
                         ids=[row[0] for row in INT_WITH_ADVANCED])
def test_getitem_applies_ints_before_advanced_indices_like_pytorch(name, index, ref, rng):
    x = rng.standard_normal(SHAPE)
    expected = ref(x)
    g = rng.standard_normal(expected.shape)
    out, (gx,) = grads_of(lambda t: t[index], x, upstream=g)
    assert out.shape == expected.shape
    np.testing.assert_array_equal(out.detach().numpy(), expected)
    np.testing.assert_allclose(gx.numpy(), selection_grad(ref, SHAPE, g))
    check_grad(lambda t: t[index], x)


def test_getitem_with_repeated_index_counts_each_use():
    t = leaf([1.0, 2.0, 3.0])
    t[[0, 0, 0, 2]].sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), [3.0, 0.0, 1.0])


def test_getitem_results_used_twice_accumulate():
    t = leaf([1.0, 2.0, 3.0])
    (t[1] * t[1:]).sum().backward()  # d/dt1 = 2 t1 + t2, d/dt2 = t1
    np.testing.assert_allclose(t.grad.numpy(), [0.0, 2.0 * 2.0 + 3.0, 2.0])


def test_getitem_with_comparison_mask_selects_and_routes_grad(rng):
    x = rng.standard_normal((4, 5))
    t = leaf(x)
    picked = t[t > 0]
    picked.sum().backward()
    np.testing.assert_array_equal(picked.detach().numpy(), x[x > 0])
    np.testing.assert_array_equal(t.grad.numpy(), (x > 0) * 1.0)


def test_getitem_out_of_range_raises_index_error():
    with pytest.raises(IndexError, match="out of bounds"):
        leaf(np.ones(3))[5]


def test_getitem_with_float_index_tensor_raises_index_error():
    with pytest.raises(IndexError):
        leaf(np.ones(3))[minigrad.tensor([0.0, 1.0])]


# -- gather and index_select ----------------------------------------------------------------------
def _np_gather(x, dim, index):
    grids = list(np.indices(index.shape, sparse=True))
    grids[dim] = index
    return x[tuple(grids)]


GATHERS = [
    ("dim0_repeated", 0, np.array([[0, 2, 2, 1], [2, 2, 0, 0]])),
    ("dim1_repeated", 1, np.array([[3, 3], [0, 1], [1, 1]])),
    ("dim_negative", -1, np.array([[0, 0, 0], [3, 2, 1], [1, 3, 1]])),
    ("index_smaller_than_input", 1, np.array([[2, 2], [0, 3]])),
    ("dim0_single_row", 0, np.array([[1, 0, 1, 0]])),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,dim,index", GATHERS, ids=[row[0] for row in GATHERS])
def test_gather_forward_and_grad_match_numpy(name, dim, index, dtype, rng):
    x = rng.standard_normal((3, 4)).astype(dtype)
    g = rng.standard_normal(index.shape)
    out, (gx,) = grads_of(lambda t: t.gather(dim, minigrad.tensor(index)), x, upstream=g,
                          dtype=dtype)
    assert out.dtype == dtype and gx.dtype == dtype and gx.shape == (3, 4)
    np.testing.assert_array_equal(out.detach().numpy(), _np_gather(x, dim % 2, index))
    expected = np.zeros((3, 4))
    grids = list(np.indices(index.shape, sparse=True))
    grids[dim % 2] = index
    np.add.at(expected, tuple(grids), g)
    np.testing.assert_allclose(gx.numpy(), expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name,dim,index", GATHERS, ids=[row[0] for row in GATHERS])
def test_gather_gradcheck_float64(name, dim, index, rng):
    check_grad(lambda t: minigrad.gather(t, dim, minigrad.tensor(index)),
               rng.standard_normal((3, 4)))


def test_gather_with_out_of_range_index_raises():
    with pytest.raises(IndexError, match="gather: index 3 is out of bounds for dimension 1"):
        leaf(np.ones((2, 3))).gather(1, minigrad.tensor([[3], [0]]))


def test_gather_with_float_index_raises():
    with pytest.raises(RuntimeError, match="gather"):
        leaf(np.ones((2, 3))).gather(1, minigrad.tensor([[1.0], [0.0]]))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_index_select_with_repeats_matches_numpy_and_accumulates(dim, rng):
    x = rng.standard_normal((3, 4))
    idx = np.array([2, 0, 2])
    expected = np.take(x, idx, axis=dim)
    g = rng.standard_normal(expected.shape)
    fn = (lambda t: t.index_select(dim, minigrad.tensor(idx))) if dim else \
        (lambda t: minigrad.index_select(t, dim, minigrad.tensor(idx)))
    out, (gx,) = grads_of(fn, x, upstream=g)
    np.testing.assert_array_equal(out.detach().numpy(), expected)
    want = np.zeros_like(x)
    np.add.at(np.moveaxis(want, dim, 0), idx, np.moveaxis(g, dim, 0))
    np.testing.assert_allclose(gx.numpy(), want)
    check_grad(fn, x)


# -- second derivatives ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "index",
    [1, (slice(None), slice(0, 4, 2)), [0, 0, 2], (Ellipsis, [1, 1]), _MASK_34,
     ([0, 1], slice(None), [4, 4])],
    ids=["int", "slice_step", "list_repeated", "ellipsis_list", "bool_mask", "split_lists"],
)
def test_getitem_second_derivative_gradgradcheck_float64(index, rng):
    check_gradgrad(lambda t: t[index] ** 2, rng.standard_normal(SHAPE))


def test_gather_second_derivative_gradgradcheck_float64(rng):
    index = minigrad.tensor([[0, 0], [2, 1], [3, 3]])
    check_gradgrad(lambda t: t.gather(1, index).exp(), rng.standard_normal((3, 4)))


# -- scatter and scatter_add -----------------------------------------------------------------------
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
    with pytest.raises(IndexError, match="scatter: index 3 is out of bounds for dimension 1 wi"):
        minigrad.zeros(2, 3).scatter(1, minigrad.tensor([[3], [0]]), 1.0)


# -- 0-d tensors and empty indices (PyTorch counts a 0-d tensor as one element along dim 0) ------
def test_gather_and_scatter_accept_zero_dim_tensors():
    x = leaf(np.array(2.5))
    assert x.gather(0, minigrad.tensor(0)).item() == 2.5
    assert x.gather(0, minigrad.tensor([0, 0])).tolist() == [2.5, 2.5]
    src = leaf(np.array([1.0, 2.0, 3.0]))
    out = x.scatter_add(0, minigrad.tensor([0, 0]), src)
    assert out.shape == () and out.item() == 5.5
    out.backward()
    np.testing.assert_array_equal(src.grad.numpy(), [1.0, 1.0, 0.0])
    assert minigrad.zeros(3).scatter(0, minigrad.tensor(1), minigrad.tensor(5.0,
                                                                             dtype=minigrad.float32)
                                     ).tolist() == [0, 5, 0]


def test_empty_index_skips_the_shape_checks_and_keeps_src_in_the_graph():
    src = leaf(np.ones((2, 0, 2)))
    empty = minigrad.tensor(np.zeros(0, dtype=np.int64))
    out = minigrad.zeros(2, 3, dtype=minigrad.float64).scatter_add(1, empty, src)
    assert out.requires_grad and out.tolist() == [[0, 0, 0], [0, 0, 0]]
    out.sum().backward()
    assert src.grad.shape == (2, 0, 2)
    assert minigrad.ones(1, 1, 1).gather(1, minigrad.tensor(np.zeros((1, 0, 2), np.int64))).shape \
        == (1, 0, 2)


def test_scatter_requires_src_of_self_dtype_and_an_int_index():
    x, idx = minigrad.zeros(2, 3), minigrad.tensor([[0]])
    with pytest.raises(RuntimeError, match="scatter_add: expected self.dtype to be equal to src"):
        x.scatter_add(1, idx, minigrad.ones(1, 1, dtype=minigrad.float64))
    with pytest.raises(RuntimeError, match="scatter: expected dtype int32/int64 for index"):
        x.scatter(1, idx.to(minigrad.int16), minigrad.ones(1, 1))
    with pytest.raises(RuntimeError, match="value inf cannot be converted"):
        minigrad.zeros(2, 3, dtype=minigrad.int64).scatter(1, idx, value=float("inf"))


def test_scatter_with_repeats_and_an_infinite_overwritten_src_stays_finite():
    src = leaf(np.array([np.inf, 2.0]))
    out = minigrad.zeros(1, dtype=minigrad.float64).scatter(0, minigrad.tensor([0, 0]), src)
    assert out.tolist() == [2.0]
