"""Reduction methods (minigrad/methods/reduce.py, ops/reduce.py Var and VectorNorm): PyTorch's
argument rules (keepdim needs dim, dtype=, bool inputs), p-norms against NumPy with their
gradients at zeros, ties, inf and NaN, and var's closed-form gradient."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad
from tests.helpers import check_grad, check_gradgrad, grads_of, leaf

X = np.array([[0.5, -1.25, 2.0], [-0.75, 1.5, -3.0]])


@pytest.mark.parametrize("op", ["sum", "mean", "prod", "max", "min"])
def test_keepdim_without_dim_raises_type_error(op: str) -> None:
    with pytest.raises(TypeError, match=op):
        getattr(leaf(X), op)(keepdim=True)


def test_explicit_dim_none_with_keepdim_reduces_everything() -> None:
    assert leaf(X).sum(dim=None, keepdim=True).shape == (1, 1)
    assert leaf(X).mean(None, keepdim=True).shape == (1, 1)
    assert leaf(X).var(keepdim=True).shape == (1, 1)  # var's own overload takes keepdim


def test_var_with_unbiased_and_keepdim_needs_dim() -> None:
    with pytest.raises(TypeError, match="var"):
        leaf(X).var(unbiased=False, keepdim=True)
    with pytest.raises(TypeError, match="std"):
        leaf(X).std(unbiased=True, keepdim=False)
    assert leaf(X).var(None, True, True).shape == (1, 1)


def test_sum_dtype_names_the_result_dtype_and_refuses_integer_grad() -> None:
    b = minigrad.tensor(np.array([[True, False], [True, True]]))
    out = b.sum(dtype=minigrad.int32)
    assert out.dtype == minigrad.int32 and out.item() == 3
    with pytest.raises(RuntimeError, match="sum"):
        leaf(X).sum(dtype=minigrad.int64)
    with pytest.raises(RuntimeError, match="cumsum"):
        leaf(X).cumsum(0, dtype=minigrad.int64)


def test_prod_of_small_integers_is_int64_and_takes_dtype() -> None:
    u = minigrad.tensor(np.array([[200, 3], [2, 0]], dtype=np.uint8))
    out = u.prod(0)
    assert out.dtype == minigrad.int64 and out.tolist() == [400, 0]
    assert u.prod(dtype=minigrad.int32).dtype == minigrad.int32
    assert leaf(X).prod(1, dtype=minigrad.float32).dtype == minigrad.float32
    with pytest.raises(TypeError, match="prod"):
        leaf(X).prod((0, 1))


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, 3.0])
def test_prod_of_a_zero_dim_tensor_has_gradient_one(value: float) -> None:
    _, (g,) = grads_of(lambda t: t.prod(), np.array(value))
    assert g.item() == 1.0


def test_argmax_and_argmin_refuse_bool() -> None:
    b = minigrad.tensor(np.array([True, False]))
    for op in ("argmax", "argmin"):
        with pytest.raises(RuntimeError, match=op):
            getattr(b, op)()


def test_max_of_all_shares_the_gradient_among_nans() -> None:
    _, (g,) = grads_of(lambda t: t.min(), np.array([math.nan, 1.0, math.nan]))
    np.testing.assert_array_equal(g.data, [0.5, 0.0, 0.5])
    _, (g,) = grads_of(lambda t: t.amax(), np.array([math.nan, 1.0]))  # amax: no NaN ties
    assert np.isnan(g.data).all()


def test_logsumexp_over_empty_dim_list_is_over_every_dim() -> None:
    out = leaf(X).logsumexp(())
    np.testing.assert_allclose(out.data, np.log(np.exp(X).sum()), rtol=1e-12)
    with pytest.raises(TypeError, match="logsumexp"):
        leaf(X).logsumexp(None)


def _ref_norm(x: np.ndarray, p: float, axis) -> np.ndarray:
    a = np.abs(x)
    if p == 0:
        return (x != 0).sum(axis=axis).astype(x.dtype)
    if math.isinf(p):
        return a.max(axis=axis) if p > 0 else a.min(axis=axis)
    return (a ** p).sum(axis=axis) ** (1 / p)


@pytest.mark.parametrize("p", [0, 1, 2, 3, 0.5, -1, -2, math.inf, -math.inf, "fro"])
@pytest.mark.parametrize("dim", [None, 0, (0, 1), -1])
def test_norm_matches_numpy(p, dim) -> None:
    q = 2 if p == "fro" else p
    out = leaf(X).norm(p=p, dim=dim)
    axis = dim if dim is None or isinstance(dim, tuple) else (dim,)
    np.testing.assert_allclose(out.data, _ref_norm(X, q, axis), rtol=1e-12)
    assert out.requires_grad


@pytest.mark.parametrize("p", [1, 2, 3, 1.5, 0.5, -1, math.inf, -math.inf])
def test_norm_gradcheck_off_ties(p) -> None:
    check_grad(lambda t: t.norm(p=p, dim=1), X)


@pytest.mark.parametrize("p", [2, 3, 1.5])
def test_norm_gradgradcheck(p) -> None:
    check_gradgrad(lambda t: t.norm(p=p, dim=-1), X)


def test_norm_gradients_at_zeros_ties_and_nan() -> None:
    grad = lambda vals, p: grads_of(lambda t: t.norm(p=p), np.array(vals))[1][0].data  # noqa: E731
    np.testing.assert_array_equal(grad([0.0, 0.0], 2), [0.0, 0.0])  # zero norm: gradient 0
    np.testing.assert_array_equal(grad([0.0, 1.0], 0.5), [0.0, 1.0])  # x = 0, p < 1: 0
    np.testing.assert_array_equal(grad([2.0, -2.0, 1.0], math.inf), [0.5, -0.5, 0.0])
    np.testing.assert_array_equal(grad([2.0, -2.0, 1.0], -math.inf), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(grad([math.nan, 1.0], math.inf), [0.0, 0.0])  # sgn(nan) = 0
    np.testing.assert_array_equal(grad([math.nan, 1.0], 1), [0.0, 1.0])
    np.testing.assert_array_equal(grad([1.0, 2.0], 0), [0.0, 0.0])


def test_norm_argument_errors() -> None:
    with pytest.raises(RuntimeError, match="norm"):
        leaf(np.ones((2, 3, 4))).norm(dim=(0, 1, 2))  # 'fro' needs at most 2 dims
    assert leaf(np.ones((2, 3, 4))).norm(p=2, dim=(0, 1, 2)).shape == ()
    for p in (-1, math.inf, -math.inf):
        with pytest.raises(RuntimeError, match="norm"):
            leaf(np.ones((0, 2))).norm(p=p)
    assert leaf(np.ones((0, 2))).norm(p=0.5).item() == 0.0
    with pytest.raises(RuntimeError, match="norm"):
        minigrad.tensor([1, 2]).norm()
    assert leaf(X, np.float32).norm(dtype=minigrad.float64).dtype == minigrad.float64


def test_var_matches_numpy_and_gradchecks() -> None:
    for corr in (0, 1, 0.5):
        np.testing.assert_allclose(leaf(X).var(1, correction=corr).data,
                                   X.var(axis=1, ddof=corr), rtol=1e-12)
    check_grad(lambda t: t.var(dim=1), X)
    check_gradgrad(lambda t: t.var(dim=0, correction=0), X)


def test_var_with_correction_equal_to_n_has_infinite_gradient() -> None:
    _, (g,) = grads_of(lambda t: t.var(0, correction=2), np.array([1.0, 2.0]))
    np.testing.assert_array_equal(g.data, [-np.inf, np.inf])


def test_float32_var_does_not_overflow_in_the_squares() -> None:
    x = np.array([1e30, -1e30, 0.0], dtype=np.float32)
    out = minigrad.tensor(x).std()
    np.testing.assert_allclose(out.data, np.float32(x.astype(np.float64).std(ddof=1)), rtol=1e-6)
