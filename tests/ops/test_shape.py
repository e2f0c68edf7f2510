"""Shape ops (minigrad/ops/shape.py and the Tensor methods built on them): reshape/view,
flatten, transpose/permute/t/T/mT, squeeze/unsqueeze, expand, contiguous, repeat, flip,
triu/tril, cat/stack/split/chunk/unbind. Each against NumPy, with float64 gradcheck and the
gradient read off the NumPy reference (these ops only move, copy or zero elements)."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from tests.helpers import check_grad, check_gradgrad, grads_of, leaf, selection_grad

# (id, op on a tensor, NumPy reference, input shape)
SHAPE_OPS = [
    ("reshape", lambda t: t.reshape(6, 4), lambda a: a.reshape(6, 4), (2, 3, 4)),
    ("reshape_tuple_minus_one", lambda t: t.reshape((4, -1)), lambda a: a.reshape(4, -1),
     (2, 3, 4)),
    ("reshape_function", lambda t: minigrad.reshape(t, (3, 8)), lambda a: a.reshape(3, 8),
     (2, 3, 4)),
    ("reshape_to_scalar", lambda t: t.reshape(()), lambda a: a.reshape(()), (1, 1)),
    ("view", lambda t: t.view(4, 6), lambda a: a.reshape(4, 6), (2, 3, 4)),
    ("view_minus_one", lambda t: t.view(-1), lambda a: a.reshape(-1), (2, 3, 4)),
    ("view_as", lambda t: t.view_as(minigrad.zeros(6, 4)), lambda a: a.reshape(6, 4), (2, 3, 4)),
    ("flatten", lambda t: t.flatten(), lambda a: a.reshape(-1), (2, 3, 4)),
    ("flatten_start1", lambda t: t.flatten(1), lambda a: a.reshape(2, 12), (2, 3, 4)),
    ("flatten_0_1", lambda t: t.flatten(0, 1), lambda a: a.reshape(6, 4), (2, 3, 4)),
    ("flatten_negative", lambda t: t.flatten(-2, -1), lambda a: a.reshape(2, 12), (2, 3, 4)),
    ("flatten_function", lambda t: minigrad.flatten(t, 1), lambda a: a.reshape(2, 12), (2, 3, 4)),
    ("flatten_scalar", lambda t: t.flatten(), lambda a: a.reshape(1), ()),
    ("unflatten", lambda t: t.unflatten(2, (2, 2)), lambda a: a.reshape(2, 3, 2, 2), (2, 3, 4)),
    ("transpose", lambda t: t.transpose(0, 2), lambda a: np.swapaxes(a, 0, 2), (2, 3, 4)),
    ("transpose_negative", lambda t: t.transpose(-1, -2), lambda a: np.swapaxes(a, -1, -2),
     (2, 3, 4)),
    ("transpose_function", lambda t: minigrad.transpose(t, 0, 1), lambda a: np.swapaxes(a, 0, 1),
     (2, 3, 4)),
    ("permute", lambda t: t.permute(2, 0, 1), lambda a: np.transpose(a, (2, 0, 1)), (2, 3, 4)),
    ("permute_tuple", lambda t: t.permute((1, 2, 0)), lambda a: np.transpose(a, (1, 2, 0)),
     (2, 3, 4)),
    ("permute_negative", lambda t: t.permute(-1, 0, 1), lambda a: np.transpose(a, (2, 0, 1)),
     (2, 3, 4)),
    ("permute_function", lambda t: minigrad.permute(t, (1, 0, 2)),
     lambda a: np.transpose(a, (1, 0, 2)), (2, 3, 4)),
    ("t", lambda t: t.t(), lambda a: a.T, (3, 4)),
    ("t_1d", lambda t: t.t(), lambda a: a, (4,)),
    ("t_function", lambda t: minigrad.t(t), lambda a: a.T, (3, 4)),
    ("T_2d", lambda t: t.T, lambda a: a.T, (3, 4)),
    ("mT_2d", lambda t: t.mT, lambda a: a.T, (3, 4)),
    ("mT_3d", lambda t: t.mT, lambda a: np.swapaxes(a, -1, -2), (2, 3, 4)),
    ("squeeze_all", lambda t: t.squeeze(), lambda a: a.squeeze(), (2, 1, 3, 1)),
    ("squeeze_dim", lambda t: t.squeeze(1), lambda a: a.squeeze(1), (2, 1, 3, 1)),
    ("squeeze_negative", lambda t: t.squeeze(-1), lambda a: a.squeeze(-1), (2, 1, 3, 1)),
    ("squeeze_non_singleton_is_noop", lambda t: t.squeeze(0), lambda a: a, (2, 1, 3, 1)),
    ("squeeze_tuple", lambda t: t.squeeze((1, 3)), lambda a: a.squeeze((1, 3)), (2, 1, 3, 1)),
    ("squeeze_function", lambda t: minigrad.squeeze(t, 1), lambda a: a.squeeze(1), (2, 1, 3, 1)),
    ("unsqueeze_0", lambda t: t.unsqueeze(0), lambda a: a[None], (2, 3)),
    ("unsqueeze_last", lambda t: t.unsqueeze(2), lambda a: a[..., None], (2, 3)),
    ("unsqueeze_negative", lambda t: t.unsqueeze(-1), lambda a: a[..., None], (2, 3)),
    ("unsqueeze_negative_middle", lambda t: t.unsqueeze(-2), lambda a: a[:, None], (2, 3)),
    ("unsqueeze_function", lambda t: minigrad.unsqueeze(t, 1), lambda a: a[:, None], (2, 3)),
    ("expand", lambda t: t.expand(2, 3, 5, 4), lambda a: np.broadcast_to(a, (2, 3, 5, 4)),
     (3, 1, 4)),
    ("expand_minus_one", lambda t: t.expand(2, -1, 5, -1),
     lambda a: np.broadcast_to(a, (2, 3, 5, 4)), (3, 1, 4)),
    ("expand_list", lambda t: t.expand([3, 2, 4]), lambda a: np.broadcast_to(a, (3, 2, 4)),
     (3, 1, 4)),
    ("expand_scalar", lambda t: t.expand(2, 3), lambda a: np.broadcast_to(a, (2, 3)), ()),
    ("expand_as", lambda t: t.expand_as(minigrad.zeros(2, 3, 5, 4)),
     lambda a: np.broadcast_to(a, (2, 3, 5, 4)), (3, 1, 4)),
    ("contiguous_after_transpose", lambda t: t.transpose(0, 1).contiguous(),
     lambda a: np.ascontiguousarray(np.swapaxes(a, 0, 1)), (2, 3, 4)),
    ("contiguous_noop", lambda t: t.contiguous(), lambda a: a, (2, 3)),
    ("repeat", lambda t: t.repeat(2, 1, 3), lambda a: np.tile(a, (2, 1, 3)), (2, 3, 4)),
    ("repeat_tuple", lambda t: t.repeat((3, 2)), lambda a: np.tile(a, (3, 2)), (2, 3)),
    ("repeat_new_dims", lambda t: t.repeat(2, 1, 2), lambda a: np.tile(a, (2, 1, 2)), (3,)),
    ("flip", lambda t: t.flip(0), lambda a: np.flip(a, 0), (2, 3, 4)),
    ("flip_tuple", lambda t: t.flip((0, 2)), lambda a: np.flip(a, (0, 2)), (2, 3, 4)),
    ("flip_negative", lambda t: t.flip(-1), lambda a: np.flip(a, -1), (2, 3, 4)),
    ("flip_list", lambda t: t.flip([1]), lambda a: np.flip(a, 1), (2, 3, 4)),
    ("flip_function", lambda t: minigrad.flip(t, (0,)), lambda a: np.flip(a, 0), (2, 3, 4)),
    ("triu", lambda t: t.triu(), np.triu, (3, 4)),
    ("triu_above", lambda t: t.triu(1), lambda a: np.triu(a, 1), (3, 4)),
    ("triu_below", lambda t: t.triu(-1), lambda a: np.triu(a, -1), (4, 3)),
    ("triu_batched", lambda t: t.triu(1), lambda a: np.triu(a, 1), (2, 3, 4)),
    ("triu_function", lambda t: minigrad.triu(t, diagonal=-1), lambda a: np.triu(a, -1), (3, 4)),
    ("tril", lambda t: t.tril(), np.tril, (3, 4)),
    ("tril_above", lambda t: t.tril(1), lambda a: np.tril(a, 1), (4, 3)),
    ("tril_below", lambda t: t.tril(-1), lambda a: np.tril(a, -1), (3, 4)),
    ("tril_batched", lambda t: t.tril(-1), lambda a: np.tril(a, -1), (2, 4, 3)),
    ("tril_function", lambda t: minigrad.tril(t, 2), lambda a: np.tril(a, 2), (3, 4)),
    ("clone_after_permute", lambda t: t.permute(1, 0).clone(), lambda a: a.T.copy(), (3, 4)),
]
SHAPE_IDS = [row[0] for row in SHAPE_OPS]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,op,ref,shape", SHAPE_OPS, ids=SHAPE_IDS)
def test_shape_op_forward_matches_numpy_and_keeps_dtype(name, op, ref, shape, dtype, rng):
    x = rng.standard_normal(shape).astype(dtype)
    out = op(leaf(x, dtype))
    expected = ref(x)
    assert out.dtype == dtype
    assert out.shape == expected.shape
    np.testing.assert_array_equal(out.detach().numpy(), expected)


@pytest.mark.parametrize("name,op,ref,shape", SHAPE_OPS, ids=SHAPE_IDS)
def test_shape_op_gradcheck_float64(name, op, ref, shape, rng):
    check_grad(op, rng.standard_normal(shape))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,op,ref,shape", SHAPE_OPS, ids=SHAPE_IDS)
def test_shape_op_grad_moves_upstream_back_like_numpy(name, op, ref, shape, dtype, rng):
    x = rng.standard_normal(shape).astype(dtype)
    g = rng.standard_normal(ref(x).shape)
    _, (gx,) = grads_of(op, x, upstream=g, dtype=dtype)
    assert gx.shape == shape and gx.dtype == dtype
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gx.numpy(), selection_grad(ref, shape, g.astype(dtype)), **tol)


def test_t_of_3d_tensor_raises():
    with pytest.raises(RuntimeError, match="t"):
        minigrad.zeros(2, 3, 4).t()


def test_reshape_to_wrong_size_raises_naming_shapes():
    with pytest.raises(RuntimeError, match="reshape"):
        minigrad.zeros(2, 3).reshape(4, 2)


def test_expand_of_non_singleton_dim_raises():
    with pytest.raises(RuntimeError, match="expand"):
        minigrad.zeros(2, 3).expand(4, 3)


def test_permute_with_repeated_dims_raises():
    with pytest.raises(RuntimeError, match="permute"):
        minigrad.zeros(2, 3).permute(0, 0)


def test_expand_with_minus_one_in_a_new_leading_dim_raises():
    with pytest.raises(RuntimeError, match="expand"):
        minigrad.zeros(2, 3).expand(-1, 2, 3)


@pytest.mark.parametrize("method", ["triu", "tril"])
def test_triu_tril_of_1d_tensor_raises(method):
    with pytest.raises(RuntimeError, match=method):
        getattr(minigrad.ones(3), method)()


def test_flip_of_zero_dim_tensor_returns_it_unchanged():
    out, (gx,) = grads_of(lambda t: t.flip(0), np.array(2.5))
    assert out.shape == () and out.item() == 2.5 and gx.item() == 1.0


def test_contiguous_of_contiguous_tensor_returns_it():
    t = leaf(np.ones((2, 3)))
    assert t.contiguous() is t
    assert t.transpose(0, 1).contiguous().is_contiguous()


def test_view_shares_memory_with_its_base():
    base = minigrad.zeros(2, 3)
    view = base.view(6)
    base.add_(1.0)
    np.testing.assert_array_equal(view.numpy(), np.ones(6))


# -- cat and stack --------------------------------------------------------------------------------
CAT_CASES = [
    ([(2, 3), (4, 3)], 0),
    ([(2, 3), (2, 1), (2, 2)], 1),
    ([(2, 3), (2, 2)], -1),
    ([(2, 3, 4), (2, 1, 4)], 1),
    ([(2, 3, 4), (2, 3, 1)], -1),
    ([(3,)], 0),
    ([(1, 2), (1, 2), (1, 2)], -2),
]


@pytest.mark.parametrize("form", ["cat", "concat", "concatenate"])
@pytest.mark.parametrize("shapes,dim", CAT_CASES)
def test_cat_forward_and_grads_are_slices_of_upstream(shapes, dim, form, rng):
    arrays = [rng.standard_normal(s) for s in shapes]
    expected = np.concatenate(arrays, axis=dim)
    g = rng.standard_normal(expected.shape)
    out, grads = grads_of(lambda *ts: getattr(minigrad, form)(ts, dim=dim), *arrays, upstream=g)
    np.testing.assert_array_equal(out.detach().numpy(), expected)
    bounds = np.cumsum([0] + [s[dim] for s in shapes])
    for gx, shape, lo, hi in zip(grads, shapes, bounds[:-1], bounds[1:], strict=True):
        assert gx.shape == shape
        np.testing.assert_array_equal(gx.numpy(), np.take(g, np.arange(lo, hi), axis=dim))


@pytest.mark.parametrize("shapes,dim", CAT_CASES)
def test_cat_gradcheck_float64(shapes, dim, rng):
    check_grad(lambda *ts: minigrad.cat(ts, dim) * 2.0,
               *[rng.standard_normal(s) for s in shapes])


def test_cat_promotes_float32_with_float64_and_returns_grads_in_own_dtype(rng):
    a, b = leaf(rng.standard_normal((2, 2)), np.float32), leaf(rng.standard_normal((1, 2)))
    out = minigrad.cat([a, b])
    out.sum().backward()
    assert out.dtype == minigrad.float64
    assert a.grad.dtype == minigrad.float32 and b.grad.dtype == minigrad.float64


def test_cat_with_mismatched_shapes_raises_naming_shapes():
    with pytest.raises(RuntimeError, match=r"cat.*\(2, 3\).*\(2, 4\)"):
        minigrad.cat([minigrad.zeros(2, 3), minigrad.zeros(2, 4)], dim=0)


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -3])
def test_stack_forward_and_grads_match_numpy(dim, rng):
    arrays = [rng.standard_normal((2, 3)) for _ in range(3)]
    expected = np.stack(arrays, axis=dim)
    g = rng.standard_normal(expected.shape)
    out, grads = grads_of(lambda *ts: minigrad.stack(ts, dim=dim), *arrays, upstream=g)
    np.testing.assert_array_equal(out.detach().numpy(), expected)
    for i, gx in enumerate(grads):
        assert gx.shape == (2, 3)
        np.testing.assert_array_equal(gx.numpy(), np.take(g, i, axis=dim))


@pytest.mark.parametrize("dim", [0, -1])
def test_stack_gradcheck_float64(dim, rng):
    check_grad(lambda a, b: minigrad.stack([a, b * b], dim), rng.standard_normal((2, 3)),
               rng.standard_normal((2, 3)))


def test_stack_of_different_shapes_raises():
    with pytest.raises(RuntimeError, match="stack"):
        minigrad.stack([minigrad.zeros(2), minigrad.zeros(3)])


# -- split, chunk, unbind -------------------------------------------------------------------------
# (id, op returning a list of tensors, NumPy reference returning a list, input shape)
SPLITS = [
    ("split_int", lambda t: t.split(2), lambda a: np.split(a, [2, 4]), (5, 3)),
    ("split_int_exact", lambda t: t.split(3, dim=1), lambda a: np.split(a, [3], axis=1), (2, 6)),
    ("split_int_negative_dim", lambda t: t.split(3, dim=-1), lambda a: np.split(a, [3, 6], -1),
     (2, 7)),
    ("split_sizes", lambda t: t.split([1, 3, 1]), lambda a: np.split(a, [1, 4]), (5, 3)),
    ("split_sizes_dim1", lambda t: t.split([4, 3], dim=1), lambda a: np.split(a, [4], 1), (2, 7)),
    ("split_function", lambda t: minigrad.split(t, 2, 1), lambda a: np.split(a, [2], 1), (3, 4)),
    ("chunk", lambda t: t.chunk(3), lambda a: np.split(a, [2, 4]), (5, 3)),
    ("chunk_dim1", lambda t: t.chunk(2, dim=1), lambda a: np.split(a, [4], 1), (2, 7)),
    ("chunk_fewer_than_asked", lambda t: t.chunk(4), lambda a: np.split(a, [2, 4]), (6, 2)),
    ("chunk_function", lambda t: minigrad.chunk(t, 2, -1), lambda a: np.split(a, [2], -1),
     (3, 4)),
    ("unbind", lambda t: t.unbind(), lambda a: list(a), (3, 2)),
    ("unbind_dim1", lambda t: t.unbind(1), lambda a: list(np.moveaxis(a, 1, 0)), (3, 2, 2)),
    ("unbind_function", lambda t: minigrad.unbind(t, -1), lambda a: list(np.moveaxis(a, -1, 0)),
     (3, 2)),
]
SPLIT_IDS = [row[0] for row in SPLITS]


@pytest.mark.parametrize("name,op,ref,shape", SPLITS, ids=SPLIT_IDS)
def test_split_family_pieces_match_numpy_and_grads_reassemble(name, op, ref, shape, rng):
    x = rng.standard_normal(shape)
    t = leaf(x)
    pieces, expected = op(t), ref(x)
    assert len(pieces) == len(expected)
    for piece, exp in zip(pieces, expected, strict=True):
        np.testing.assert_array_equal(piece.detach().numpy(), exp)
    # a weighted sum over all pieces except the second: its gradient stays zero
    ups = [rng.standard_normal(exp.shape) for exp in expected]
    used = [i for i in range(len(pieces)) if i != 1]
    total = sum((pieces[i] * minigrad.tensor(ups[i])).sum() for i in used)
    total.backward()
    want = sum(selection_grad(lambda a, i=i: ref(a)[i], shape, ups[i]) for i in used)
    assert t.grad.shape == shape
    np.testing.assert_allclose(t.grad.numpy(), want)


@pytest.mark.parametrize("name,op,ref,shape", SPLITS, ids=SPLIT_IDS)
def test_split_family_gradcheck_float64(name, op, ref, shape, rng):
    check_grad(lambda t: tuple(op(t)), rng.standard_normal(shape))


def test_split_sizes_not_summing_to_dim_raise():
    with pytest.raises(RuntimeError, match="split"):
        minigrad.zeros(5, 2).split([2, 2])


# -- second derivatives ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "op,shapes",
    [(lambda t: (t.permute(1, 0) * t.T).exp(), [(2, 3)]),
     (lambda t: t.expand(2, 3, 4) ** 2, [(3, 1)]),
     (lambda a, b: minigrad.cat([a, b], 1) ** 3, [(2, 3), (2, 2)]),
     (lambda t: t.reshape(6).sin(), [(2, 3)]),
     (lambda t: t.triu(1) * t, [(3, 3)])],
    ids=["permute", "expand", "cat", "reshape", "triu"],
)
def test_shape_ops_second_derivative_gradgradcheck_float64(op, shapes, rng):
    check_gradgrad(op, *[rng.standard_normal(s) for s in shapes])
