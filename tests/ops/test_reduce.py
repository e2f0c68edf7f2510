"""Reductions and the softmax family (minigrad/ops/reduce.py): every dim form (None, int,
negative int, tuple) with and without keepdim, against NumPy values and NumPy-derived
gradients, float64 gradcheck, generated shapes, dtype rules and second derivatives."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from tests.helpers import check_grad, check_gradgrad, grads_of, leaf, sample

FAST = settings(max_examples=25, deadline=None)
SHAPE = (2, 3, 4)
DIMS = [None, 0, 1, -1, (0, 2), (-1, 0), (1,)]
DIM_IDS = ["all", "0", "1", "neg1", "tuple02", "tuple_neg1_0", "tuple1"]


def _axes(dim, ndim):
    """dim as a tuple of non-negative axes (all of them for None)."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else dim
    return tuple(d % ndim for d in dims)


def _count(x, dim):
    return math.prod(x.shape[a] for a in _axes(dim, x.ndim))


def _keep(fn, x, dim):
    """A NumPy reduction over dim, keeping the reduced axes (so it broadcasts against x)."""
    return fn(x, axis=_axes(dim, x.ndim), keepdims=True)


def _np_var(x, axis, keepdims, ddof=1):
    return np.var(x, axis=axis, keepdims=keepdims, ddof=ddof)


def _np_lse(x, axis, keepdims):
    m = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis if axis is not None else None)


def _np_pnorm(p):
    def ref(x, axis, keepdims):
        if p == math.inf:
            return np.max(np.abs(x), axis=axis, keepdims=keepdims)
        return np.sum(np.abs(x) ** p, axis=axis, keepdims=keepdims) ** (1 / p)

    return ref


def _g_var(ddof):
    def grad(x, dim, g):
        return g * 2 * (x - _keep(np.mean, x, dim)) / (_count(x, dim) - ddof)

    return grad


def _g_std(x, dim, g):
    n = _count(x, dim)
    return g * (x - _keep(np.mean, x, dim)) / ((n - 1) * _keep(lambda *a, **k: np.std(
        *a, **k, ddof=1), x, dim))


def _g_pnorm(p):
    def grad(x, dim, g):
        if p == math.inf:
            a = np.abs(x)
            return g * np.sign(x) * (a == _keep(np.max, a, dim))
        norm = _keep(_np_pnorm(p), x, dim)
        return g * np.sign(x) * np.abs(x) ** (p - 1) / norm ** (p - 1)

    return grad


def _dims_or_all(dim, ndim):
    return tuple(range(ndim)) if dim is None else dim


# (id, minigrad call (x, dim, keepdim), NumPy forward (x, axis, keepdims),
#  NumPy gradient (x, dim, upstream with reduced axes kept), input kind, tuple dims allowed)
REDUCTIONS = [
    ("sum", lambda x, d, k: x.sum(dim=d, keepdim=k), np.sum,
     lambda x, d, g: g * np.ones_like(x), "normal", True),
    ("sum_function", lambda x, d, k: minigrad.sum(x, d, k), np.sum,
     lambda x, d, g: g * np.ones_like(x), "normal", True),
    ("mean", lambda x, d, k: x.mean(dim=d, keepdim=k), np.mean,
     lambda x, d, g: g * np.ones_like(x) / _count(x, d), "normal", True),
    ("var", lambda x, d, k: x.var(dim=d, keepdim=k), _np_var, _g_var(1), "normal", True),
    ("var_correction0", lambda x, d, k: x.var(dim=d, keepdim=k, correction=0),
     lambda x, axis, keepdims: _np_var(x, axis, keepdims, ddof=0), _g_var(0), "normal", True),
    ("var_unbiased_false", lambda x, d, k: x.var(d, False, k),
     lambda x, axis, keepdims: _np_var(x, axis, keepdims, ddof=0), _g_var(0), "normal", True),
    ("std", lambda x, d, k: x.std(dim=d, keepdim=k),
     lambda x, axis, keepdims: np.std(x, axis=axis, keepdims=keepdims, ddof=1), _g_std,
     "normal", True),
    ("amax", lambda x, d, k: x.amax(dim=() if d is None else d, keepdim=k), np.max,
     lambda x, d, g: g * (x == _keep(np.max, x, d)), "distinct", True),
    ("amin", lambda x, d, k: x.amin(dim=() if d is None else d, keepdim=k), np.min,
     lambda x, d, g: g * (x == _keep(np.min, x, d)), "distinct", True),
    ("amax_function", lambda x, d, k: minigrad.amax(x, () if d is None else d, k), np.max,
     lambda x, d, g: g * (x == _keep(np.max, x, d)), "distinct", True),
    ("logsumexp", lambda x, d, k: x.logsumexp(dim=_dims_or_all(d, x.ndim), keepdim=k), _np_lse,
     lambda x, d, g: g * np.exp(x - _keep(_np_lse, x, d)), "normal", True),
    ("logsumexp_function", lambda x, d, k: minigrad.logsumexp(x, _dims_or_all(d, x.ndim), k),
     _np_lse, lambda x, d, g: g * np.exp(x - _keep(_np_lse, x, d)), "normal", True),
    ("prod", lambda x, d, k: x.prod(dim=d, keepdim=k), np.prod,
     lambda x, d, g: g * _keep(np.prod, x, d) / x, "near_one", False),
    ("norm", lambda x, d, k: x.norm(2, dim=d, keepdim=k), _np_pnorm(2), _g_pnorm(2), "off_zero",
     True),
    ("norm_fro", lambda x, d, k: x.norm("fro", d, k), _np_pnorm(2), _g_pnorm(2), "off_zero",
     True),
    ("norm_p1", lambda x, d, k: x.norm(p=1, dim=d, keepdim=k), _np_pnorm(1), _g_pnorm(1),
     "off_zero", True),
    ("norm_p3", lambda x, d, k: x.norm(p=3, dim=d, keepdim=k), _np_pnorm(3), _g_pnorm(3),
     "off_zero", True),
    ("norm_inf", lambda x, d, k: x.norm(p=math.inf, dim=d, keepdim=k), _np_pnorm(math.inf),
     _g_pnorm(math.inf), "distinct", True),
    ("norm_function", lambda x, d, k: minigrad.norm(x, 2, d, k), _np_pnorm(2), _g_pnorm(2),
     "off_zero", True),
]
RED_IDS = [row[0] for row in REDUCTIONS]
RED_BY_ID = {row[0]: row for row in REDUCTIONS}


def _cases():
    for row in REDUCTIONS:
        for dim, dim_id in zip(DIMS, DIM_IDS, strict=True):
            if isinstance(dim, tuple) and not row[5]:
                continue
            for keepdim in (False, True):
                yield pytest.param(row, dim, keepdim, id=f"{row[0]}-{dim_id}-keepdim{keepdim}")


CASES = list(_cases())


def _out_shape(shape, dim, keepdim):
    axes = _axes(dim, len(shape))
    if keepdim:
        return tuple(1 if i in axes else n for i, n in enumerate(shape))
    return tuple(n for i, n in enumerate(shape) if i not in axes)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("row,dim,keepdim", CASES)
def test_reduction_forward_matches_numpy_and_keeps_dtype(row, dim, keepdim, dtype, rng):
    name, op, ref, grad, kind, _ = row
    x = sample(rng, kind, SHAPE).astype(dtype)
    out = op(leaf(x, dtype), dim, keepdim)
    expected = ref(x.astype(np.float64), axis=dim, keepdims=keepdim)
    assert out.dtype == dtype
    assert out.shape == _out_shape(SHAPE, dim, keepdim) == np.shape(expected)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out.detach().numpy(), expected, **tol)


@pytest.mark.parametrize("row,dim,keepdim", CASES)
def test_reduction_gradcheck_float64(row, dim, keepdim, rng):
    name, op, ref, grad, kind, _ = row
    check_grad(lambda x: op(x, dim, keepdim), sample(rng, kind, SHAPE))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("row,dim,keepdim", CASES)
def test_reduction_grad_matches_numpy_expectation(row, dim, keepdim, dtype, rng):
    name, op, ref, grad, kind, _ = row
    x = sample(rng, kind, SHAPE).astype(dtype)
    g = rng.standard_normal(_out_shape(SHAPE, dim, keepdim))
    _, (gx,) = grads_of(lambda t: op(t, dim, keepdim), x, upstream=g, dtype=dtype)
    g_keep = g.reshape(_out_shape(SHAPE, dim, True))
    assert gx.shape == SHAPE and gx.dtype == dtype
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(gx.numpy(), grad(x.astype(np.float64), dim, g_keep), **tol)


@st.composite
def _shape_and_dim(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    ndim = len(shape)
    form = draw(st.sampled_from(["none", "int", "tuple"]))
    if form == "none":
        return shape, None
    if form == "int":
        return shape, draw(st.integers(-ndim, ndim - 1))
    axes = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    negate = draw(st.lists(st.booleans(), min_size=len(axes), max_size=len(axes)))
    return shape, tuple(a - ndim if neg else a for a, neg in zip(axes, negate, strict=True))


@FAST
@given(name=st.sampled_from(RED_IDS), shape_dim=_shape_and_dim(), keepdim=st.booleans(),
       seed=st.integers(0, 2**32 - 1))
def test_reductions_on_generated_shapes_and_dims_match_numpy(name, shape_dim, keepdim, seed):
    shape, dim = shape_dim
    _, op, ref, grad, kind, tuples_ok = RED_BY_ID[name]
    assume(tuples_ok or not isinstance(dim, tuple))
    x = sample(np.random.default_rng(seed), kind, shape)
    assume(not name.startswith(("var", "std")) or _count(x, dim) > 1)
    g = np.random.default_rng(seed + 1).standard_normal(_out_shape(shape, dim, keepdim))
    out, (gx,) = grads_of(lambda t: op(t, dim, keepdim), x, upstream=g)
    np.testing.assert_allclose(out.detach().numpy(), ref(x, axis=dim, keepdims=keepdim),
                               rtol=1e-10, atol=1e-12)
    assert gx.shape == shape
    np.testing.assert_allclose(gx.numpy(), grad(x, dim, g.reshape(_out_shape(shape, dim, True))),
                               rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    "op",
    [lambda t: t.sum(0), lambda t: t.sum(-1), lambda t: t.mean(0), lambda t: t.amax(0),
     lambda t: t.amin(-1), lambda t: t.logsumexp(0), lambda t: t.prod(0), lambda t: t.norm(dim=0),
     lambda t: t.max(0).values, lambda t: t.softmax(0) * t],
    ids=["sum0", "sum_neg1", "mean0", "amax0", "amin_neg1", "logsumexp0", "prod0", "norm0",
         "max0", "softmax0"],
)
def test_reduction_over_dim_zero_of_zero_dim_tensor_is_the_tensor_itself(op):
    out, (gx,) = grads_of(op, np.array(1.5))
    assert out.shape == () and gx.shape == ()
    np.testing.assert_allclose(out.detach().numpy(), 1.5)
    np.testing.assert_allclose(gx.numpy(), 1.0)


# -- max/min over a dim: (values, indices) -------------------------------------------------------
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [0, 1, 2, -1, -3])
@pytest.mark.parametrize(
    "name,op,np_val,np_arg",
    [("max", lambda t, d, k: t.max(d, keepdim=k), np.max, np.argmax),
     ("min", lambda t, d, k: t.min(dim=d, keepdim=k), np.min, np.argmin),
     ("max_function", lambda t, d, k: minigrad.max(t, d, k), np.max, np.argmax),
     ("min_function", lambda t, d, k: minigrad.min(t, d, k), np.min, np.argmin)],
    ids=["max", "min", "max_function", "min_function"],
)
def test_max_min_over_dim_return_values_and_int64_indices_with_grad_at_index(
    name, op, np_val, np_arg, dim, keepdim, rng
):
    x = sample(rng, "distinct", SHAPE)
    t = leaf(x)
    result = op(t, dim, keepdim)
    values, indices = result
    assert values is result.values and indices is result.indices
    assert indices.dtype == minigrad.int64 and not indices.requires_grad
    np.testing.assert_allclose(values.detach().numpy(), np_val(x, axis=dim, keepdims=keepdim))
    np.testing.assert_array_equal(indices.numpy(), np_arg(x, axis=dim, keepdims=keepdim))
    g = rng.standard_normal(values.shape)
    values.backward(minigrad.tensor(g))
    expected = np.zeros_like(x)
    idx = np_arg(x, axis=dim, keepdims=True)
    np.put_along_axis(expected, idx, g.reshape(idx.shape), axis=dim)
    np.testing.assert_allclose(t.grad.numpy(), expected)


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("dim", [0, -1])
def test_max_min_over_dim_values_gradcheck_float64(name, dim, rng):
    check_grad(lambda t: getattr(t, name)(dim).values, sample(rng, "distinct", SHAPE))


@pytest.mark.parametrize(
    "op,ref",
    [(lambda t: t.max(), np.max), (lambda t: t.min(), np.min),
     (lambda t: minigrad.max(t), np.max), (lambda t: minigrad.min(t), np.min)],
    ids=["max", "min", "max_function", "min_function"],
)
def test_max_min_of_all_elements_give_scalar_and_one_hot_grad(op, ref, rng):
    x = sample(rng, "distinct", SHAPE)
    out, (gx,) = grads_of(op, x)
    assert out.shape == ()
    np.testing.assert_allclose(out.detach().numpy(), ref(x))
    np.testing.assert_allclose(gx.numpy(), (x == ref(x)) * 1.0)
    check_grad(op, x)


def test_amax_and_full_max_share_gradient_evenly_among_ties():
    for op in (lambda t: t.max(), lambda t: t.amax(), lambda t: t.amax(0)):
        t = leaf([1.0, 3.0, 3.0, 2.0])
        op(t).backward()
        np.testing.assert_allclose(t.grad.numpy(), [0.0, 0.5, 0.5, 0.0])


def test_amax_over_dim_shares_gradient_among_ties_per_slice():
    t = leaf([[1.0, 3.0, 3.0], [5.0, 5.0, 5.0]])
    t.amax(dim=1).sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])


def test_max_over_dim_with_ties_picks_first_index_and_sends_all_grad_there():
    t = leaf([1.0, 3.0, 3.0])
    values, indices = t.max(0)
    values.backward()
    assert indices.item() == 1
    np.testing.assert_allclose(t.grad.numpy(), [0.0, 1.0, 0.0])


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [None, 0, 1, -1])
@pytest.mark.parametrize("name,np_fn", [("argmax", np.argmax), ("argmin", np.argmin)])
def test_argmax_argmin_match_numpy_and_give_int64_without_grad(name, np_fn, dim, keepdim, rng):
    x = sample(rng, "distinct", SHAPE)
    for out in (getattr(leaf(x), name)(dim=dim, keepdim=keepdim),
                getattr(minigrad, name)(leaf(x), dim, keepdim)):
        assert out.dtype == minigrad.int64 and not out.requires_grad
        if dim is None:
            expected = np.asarray(np_fn(x)).reshape((1,) * x.ndim if keepdim else ())
        else:
            expected = np_fn(x, axis=dim, keepdims=keepdim)
        np.testing.assert_array_equal(out.numpy(), expected)


# -- softmax family -------------------------------------------------------------------------------
def _np_softmax(x, dim):
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


SOFTMAXES = [
    ("softmax", lambda t, d: t.softmax(d), _np_softmax,
     lambda y, g, d: y * (g - (g * y).sum(axis=d, keepdims=True))),
    ("softmax_function", lambda t, d: minigrad.softmax(t, d), _np_softmax,
     lambda y, g, d: y * (g - (g * y).sum(axis=d, keepdims=True))),
    ("log_softmax", lambda t, d: t.log_softmax(d), lambda x, d: x - _np_lse(x, d, True),
     lambda y, g, d: g - np.exp(y) * g.sum(axis=d, keepdims=True)),
    ("log_softmax_function", lambda t, d: minigrad.log_softmax(t, dim=d),
     lambda x, d: x - _np_lse(x, d, True),
     lambda y, g, d: g - np.exp(y) * g.sum(axis=d, keepdims=True)),
]
SM_IDS = [row[0] for row in SOFTMAXES]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("dim", [0, 1, 2, -1])
@pytest.mark.parametrize("name,op,ref,vjp", SOFTMAXES, ids=SM_IDS)
def test_softmax_family_forward_and_grad_match_numpy_and_keep_dtype(name, op, ref, vjp, dim,
                                                                    dtype, rng):
    x = rng.standard_normal(SHAPE).astype(dtype)
    g = rng.standard_normal(SHAPE)
    out, (gx,) = grads_of(lambda t: op(t, dim), x, upstream=g, dtype=dtype)
    y = ref(x.astype(np.float64), dim)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    assert out.dtype == dtype and gx.dtype == dtype and gx.shape == SHAPE
    np.testing.assert_allclose(out.detach().numpy(), y, **tol)
    np.testing.assert_allclose(gx.numpy(), vjp(y, g, dim), **tol)


@pytest.mark.parametrize("dim", [0, -1])
@pytest.mark.parametrize("name,op,ref,vjp", SOFTMAXES, ids=SM_IDS)
def test_softmax_family_gradcheck_float64(name, op, ref, vjp, dim, rng):
    check_grad(lambda t: op(t, dim), rng.standard_normal(SHAPE))


@pytest.mark.parametrize("name,op,ref,vjp", SOFTMAXES, ids=SM_IDS)
def test_softmax_family_is_stable_for_huge_logits(name, op, ref, vjp):
    x = np.array([[1000.0, 999.0, -1000.0], [-1e4, -1e4 + 1, 0.0]], dtype=np.float32)
    out, (gx,) = grads_of(lambda t: op(t, -1), x, dtype=np.float32)
    assert np.all(np.isfinite(out.detach().numpy())) and np.all(np.isfinite(gx.numpy()))
    np.testing.assert_allclose(out.detach().numpy(), ref(x.astype(np.float64), -1), rtol=1e-5,
                               atol=1e-6)


def test_softmax_rows_sum_to_one(rng):
    out = leaf(rng.standard_normal((4, 5))).softmax(dim=1)
    np.testing.assert_allclose(out.detach().numpy().sum(axis=1), 1.0, rtol=1e-12)


@pytest.mark.parametrize("method", ["softmax", "log_softmax"])
def test_softmax_dtype_argument_casts_input_and_grad_returns_in_input_dtype(method, rng):
    x = rng.standard_normal((2, 3)).astype(np.float32)
    out, (gx,) = grads_of(lambda t: getattr(t, method)(-1, dtype=minigrad.float64), x,
                          dtype=np.float32)
    assert out.dtype == minigrad.float64 and gx.dtype == minigrad.float32


def test_logsumexp_is_stable_and_handles_minus_inf():
    x = leaf([[1000.0, 1000.0], [-np.inf, 0.0]])
    out = x.logsumexp(dim=1)
    np.testing.assert_allclose(out.detach().numpy(), [1000.0 + np.log(2.0), 0.0])
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0.5, 0.5], [0.0, 1.0]])


# -- dtype rules and special values ---------------------------------------------------------------
@pytest.mark.parametrize("dtype", [minigrad.int32, minigrad.int64, minigrad.bool, minigrad.uint8])
def test_sum_of_integer_or_bool_tensor_gives_int64(dtype):
    data = np.array([[1, 0, 1], [1, 1, 0]])
    t = minigrad.tensor(data, dtype=dtype)
    assert t.sum().dtype == minigrad.int64
    assert t.sum(dim=0).dtype == minigrad.int64
    np.testing.assert_array_equal(t.sum(dim=0).numpy(), data.sum(axis=0))


def test_sum_dtype_argument_casts_before_summing():
    x = leaf([1.0, 2.0, 3.0], np.float32)
    out = x.sum(dtype=minigrad.float64)
    out.backward()
    assert out.dtype == minigrad.float64 and x.grad.dtype == minigrad.float32


def test_mean_of_int_tensor_raises_and_mean_with_float_dtype_works():
    t = minigrad.tensor([1, 2, 4])
    with pytest.raises(RuntimeError, match="mean"):
        t.mean()
    out = t.mean(dtype=minigrad.float64)
    assert out.dtype == minigrad.float64 and out.item() == pytest.approx(7 / 3)


@pytest.mark.parametrize("zero_at", [0, 2, 3])
def test_prod_gradient_with_one_zero_is_product_of_the_others(zero_at):
    x = np.array([1.5, -2.0, 0.5, 3.0])
    x[zero_at] = 0.0
    out, (gx,) = grads_of(lambda t: t.prod(), x)
    expected = [np.prod(np.delete(x, i)) for i in range(4)]
    assert out.item() == 0.0
    np.testing.assert_allclose(gx.numpy(), expected)
    check_grad(lambda t: t.prod(), x)


def test_prod_gradient_with_two_zeros_in_a_slice_is_zero_there():
    x = np.array([[0.0, 2.0, 0.0], [1.5, 2.0, -1.0]])
    _, (gx,) = grads_of(lambda t: t.prod(dim=1), x)
    np.testing.assert_allclose(gx.numpy(), [[0, 0, 0], [-2.0, -1.5, 3.0]])


@pytest.mark.parametrize("p", [2, 3, "fro"])
def test_norm_of_zero_vector_has_zero_grad_like_pytorch(p):
    x = np.array([[0.0, 0.0], [3.0, 4.0]])
    out, (gx,) = grads_of(lambda t: t.norm(p, dim=1), x)
    q = 2 if p == "fro" else p
    np.testing.assert_allclose(out.detach().numpy(), [0.0, (3.0**q + 4.0**q) ** (1 / q)])
    expected_row = np.array([3.0, 4.0]) ** (q - 1) / out.detach().numpy()[1] ** (q - 1)
    np.testing.assert_allclose(gx.numpy(), [[0.0, 0.0], expected_row])


@pytest.mark.parametrize("dim", [None, 1])
def test_std_of_constant_input_has_zero_grad_like_pytorch(dim):
    x = np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 4.0]]) if dim == 1 else np.full((2, 3), 2.0)
    out, (gx,) = grads_of(lambda t: t.std(dim=dim), x)
    np.testing.assert_allclose(out.detach().numpy(), np.std(x, axis=dim, ddof=1))
    expected = np.zeros_like(x)
    if dim == 1:
        row = x[1]
        expected[1] = (row - row.mean()) / (2 * np.std(row, ddof=1))
    np.testing.assert_allclose(gx.numpy(), expected)


def test_reduction_over_out_of_range_dim_raises_index_error():
    with pytest.raises(IndexError, match="sum"):
        leaf(np.ones((2, 3))).sum(dim=2)


def test_reduction_with_repeated_dims_raises():
    with pytest.raises(RuntimeError, match="multiple"):
        leaf(np.ones((2, 3))).sum(dim=(1, -1))


# -- second derivatives ---------------------------------------------------------------------------
GRADGRAD = [
    ("sum", lambda t: t.sum(dim=1) ** 2, "normal"),
    ("sum_tuple_keepdim", lambda t: t.sum(dim=(0, 2), keepdim=True).exp(), "normal"),
    ("mean", lambda t: t.mean(dim=-1) ** 2, "normal"),
    ("mean_all", lambda t: t.mean().sin(), "normal"),
    ("var", lambda t: t.var(dim=1), "normal"),
    ("std", lambda t: t.std(dim=(0, 2)), "normal"),
    ("logsumexp", lambda t: t.logsumexp(dim=1), "normal"),
    ("logsumexp_keepdim", lambda t: t.logsumexp(dim=(0, 2), keepdim=True), "normal"),
    ("prod", lambda t: t.prod(dim=-1), "near_one"),
    ("norm", lambda t: t.norm(dim=1), "off_zero"),
    ("softmax", lambda t: t.softmax(dim=-1), "normal"),
    ("softmax_dim0", lambda t: t.softmax(dim=0), "normal"),
    ("log_softmax", lambda t: t.log_softmax(dim=-1), "normal"),
    ("amax_times_input", lambda t: t.amax(dim=1, keepdim=True) * t, "distinct"),
]


@pytest.mark.parametrize("name,op,kind", GRADGRAD, ids=[row[0] for row in GRADGRAD])
def test_second_derivative_gradgradcheck_float64(name, op, kind, rng):
    check_gradgrad(op, sample(rng, kind, SHAPE))
