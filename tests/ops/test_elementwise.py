"""Elementwise ops (minigrad/ops/elementwise.py): forward against NumPy, float64 gradcheck,
broadcast gradients, Python numbers on either side, clamp with tensor bounds, where,
casts, and second derivatives."""

from __future__ import annotations

import math
import operator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from tests.helpers import check_grad, check_gradgrad, grads_of, leaf, sample, sum_to

FAST = settings(max_examples=25, deadline=None)


def _np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _ones(x):
    return np.ones_like(x)


# (id, op on a tensor, NumPy forward, NumPy derivative, input kind: see tests.helpers.sample)
UNARY = [
    ("neg", lambda x: -x, np.negative, lambda x: -_ones(x), "normal"),
    ("neg_method", lambda x: x.neg(), np.negative, lambda x: -_ones(x), "normal"),
    ("neg_function", minigrad.neg, np.negative, lambda x: -_ones(x), "normal"),
    ("exp", lambda x: x.exp(), np.exp, np.exp, "normal"),
    ("exp_function", minigrad.exp, np.exp, np.exp, "normal"),
    ("log", lambda x: x.log(), np.log, lambda x: 1 / x, "positive"),
    ("log1p", lambda x: x.log1p(), np.log1p, lambda x: 1 / (1 + x), "positive"),
    ("sqrt", lambda x: x.sqrt(), np.sqrt, lambda x: 0.5 / np.sqrt(x), "positive"),
    ("rsqrt", lambda x: x.rsqrt(), lambda x: x**-0.5, lambda x: -0.5 * x**-1.5, "positive"),
    ("abs", lambda x: x.abs(), np.abs, np.sign, "off_zero"),
    ("abs_builtin", abs, np.abs, np.sign, "off_zero"),
    ("sin", lambda x: x.sin(), np.sin, np.cos, "normal"),
    ("cos", lambda x: x.cos(), np.cos, lambda x: -np.sin(x), "normal"),
    ("tanh", lambda x: x.tanh(), np.tanh, lambda x: 1 - np.tanh(x) ** 2, "normal"),
    ("sigmoid", lambda x: x.sigmoid(), _np_sigmoid,
     lambda x: _np_sigmoid(x) * (1 - _np_sigmoid(x)), "normal"),
    ("relu", lambda x: x.relu(), lambda x: np.maximum(x, 0), lambda x: (x > 0) * 1.0, "off_zero"),
    ("clamp_min", lambda x: x.clamp(min=-0.5), lambda x: np.maximum(x, -0.5),
     lambda x: (x > -0.5) * 1.0, "off_half"),
    ("clamp_max", lambda x: x.clamp(max=0.5), lambda x: np.minimum(x, 0.5),
     lambda x: (x < 0.5) * 1.0, "off_half"),
    ("clamp_both", lambda x: x.clamp(-0.5, 0.5), lambda x: np.clip(x, -0.5, 0.5),
     lambda x: (np.abs(x) < 0.5) * 1.0, "off_half"),
    ("clip_function", lambda x: minigrad.clip(x, min=-0.5, max=0.5),
     lambda x: np.clip(x, -0.5, 0.5), lambda x: (np.abs(x) < 0.5) * 1.0, "off_half"),
    ("pow_2", lambda x: x**2, np.square, lambda x: 2 * x, "normal"),
    ("pow_3", lambda x: x**3, lambda x: x**3, lambda x: 3 * x**2, "normal"),
    ("pow_half", lambda x: x**0.5, np.sqrt, lambda x: 0.5 * x**-0.5, "positive"),
    ("pow_negative", lambda x: x**-1.5, lambda x: x**-1.5, lambda x: -1.5 * x**-2.5, "positive"),
    ("pow_zero", lambda x: x**0, _ones, np.zeros_like, "normal"),
    ("pow_method", lambda x: x.pow(2.5), lambda x: x**2.5, lambda x: 2.5 * x**1.5, "positive"),
    ("square", lambda x: x.square(), np.square, lambda x: 2 * x, "normal"),
    ("reciprocal", lambda x: x.reciprocal(), lambda x: 1 / x, lambda x: -1 / x**2, "off_zero"),
    ("rpow_float", lambda x: 2.0**x, lambda x: 2.0**x, lambda x: 2.0**x * math.log(2), "normal"),
    ("rpow_int", lambda x: 3**x, lambda x: 3.0**x, lambda x: 3.0**x * math.log(3), "normal"),
    ("add_number", lambda x: x + 1.5, lambda x: x + 1.5, _ones, "normal"),
    ("radd_number", lambda x: 1.5 + x, lambda x: 1.5 + x, _ones, "normal"),
    ("sub_number", lambda x: x - 1.5, lambda x: x - 1.5, _ones, "normal"),
    ("rsub_number", lambda x: 1.5 - x, lambda x: 1.5 - x, lambda x: -_ones(x), "normal"),
    ("mul_number", lambda x: x * 1.5, lambda x: x * 1.5, lambda x: 1.5 * _ones(x), "normal"),
    ("rmul_number", lambda x: 1.5 * x, lambda x: 1.5 * x, lambda x: 1.5 * _ones(x), "normal"),
    ("div_number", lambda x: x / 1.5, lambda x: x / 1.5, lambda x: _ones(x) / 1.5, "normal"),
    ("rdiv_number", lambda x: 1.5 / x, lambda x: 1.5 / x, lambda x: -1.5 / x**2, "off_zero"),
    ("add_int", lambda x: x + 2, lambda x: x + 2, _ones, "normal"),
    ("rsub_int", lambda x: 2 - x, lambda x: 2 - x, lambda x: -_ones(x), "normal"),
    ("rmul_int", lambda x: 3 * x, lambda x: 3 * x, lambda x: 3 * _ones(x), "normal"),
    ("div_int", lambda x: x / 4, lambda x: x / 4, lambda x: _ones(x) / 4, "normal"),
    ("rdiv_int", lambda x: 2 / x, lambda x: 2 / x, lambda x: -2 / x**2, "off_zero"),
    ("clone", lambda x: x.clone(), np.copy, _ones, "normal"),
    ("clone_function", minigrad.clone, np.copy, _ones, "normal"),
]
UNARY_IDS = [row[0] for row in UNARY]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,op,ref,deriv,kind", UNARY, ids=UNARY_IDS)
def test_unary_forward_matches_numpy_and_keeps_dtype(name, op, ref, deriv, kind, dtype, rng):
    x = sample(rng, kind, (3, 4)).astype(dtype)
    out = op(leaf(x, dtype))
    assert out.dtype == dtype
    assert out.shape == (3, 4)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out.detach().numpy(), ref(x.astype(np.float64)), **tol)


@pytest.mark.parametrize("name,op,ref,deriv,kind", UNARY, ids=UNARY_IDS)
def test_unary_gradcheck_float64(name, op, ref, deriv, kind, rng):
    check_grad(op, sample(rng, kind, (2, 3)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,op,ref,deriv,kind", UNARY, ids=UNARY_IDS)
def test_unary_grad_matches_numpy_derivative_and_keeps_dtype(
    name, op, ref, deriv, kind, dtype, rng
):
    x = sample(rng, kind, (3, 4)).astype(dtype)
    g = rng.standard_normal((3, 4))
    _, (gx,) = grads_of(op, x, upstream=g, dtype=dtype)
    assert gx.dtype == dtype
    assert gx.shape == x.shape
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gx.numpy(), g.astype(dtype) * deriv(x.astype(np.float64)), **tol)


@pytest.mark.parametrize("shape", [(), (1,), (2, 1, 3)])
@pytest.mark.parametrize("name,op,ref,deriv,kind", UNARY, ids=UNARY_IDS)
def test_unary_keeps_shape_of_scalars_and_singleton_dims(name, op, ref, deriv, kind, shape, rng):
    x = sample(rng, kind, shape)
    out, (gx,) = grads_of(op, x)
    assert out.shape == shape and gx.shape == shape
    np.testing.assert_allclose(out.detach().numpy(), ref(x), rtol=1e-12)
    np.testing.assert_allclose(gx.numpy(), deriv(x) * np.ones(shape), rtol=1e-10, atol=1e-12)


# -- binary ops ---------------------------------------------------------------------------------
def _bcast(*arrays):
    return np.broadcast_arrays(*[np.asarray(a, dtype=np.float64) for a in arrays])


def _d_div(a, b):
    a, b = _bcast(a, b)
    return 1 / b, -a / b**2


def _d_pow(a, b):
    a, b = _bcast(a, b)
    return b * a ** (b - 1), a**b * np.log(a)


# (id, op on two tensors, NumPy forward, NumPy partials (da, db) on broadcast operands,
#  input kinds; "joint" draws both operands from one tie-free set)
BINARY = [
    ("add", operator.add, np.add, lambda a, b: (_ones(a + b), _ones(a + b)), "normal", "normal"),
    ("add_method", lambda a, b: a.add(b), np.add,
     lambda a, b: (_ones(a + b), _ones(a + b)), "normal", "normal"),
    ("add_alpha", lambda a, b: a.add(b, alpha=2.0), lambda a, b: a + 2.0 * b,
     lambda a, b: (_ones(a + b), 2.0 * _ones(a + b)), "normal", "normal"),
    ("add_function", minigrad.add, np.add,
     lambda a, b: (_ones(a + b), _ones(a + b)), "normal", "normal"),
    ("sub", operator.sub, np.subtract,
     lambda a, b: (_ones(a + b), -_ones(a + b)), "normal", "normal"),
    ("sub_alpha", lambda a, b: a.sub(b, alpha=0.5), lambda a, b: a - 0.5 * b,
     lambda a, b: (_ones(a + b), -0.5 * _ones(a + b)), "normal", "normal"),
    ("mul", operator.mul, np.multiply, lambda a, b: _bcast(b, a), "normal", "normal"),
    ("mul_function", minigrad.mul, np.multiply, lambda a, b: _bcast(b, a), "normal", "normal"),
    ("div", operator.truediv, np.divide, _d_div, "normal", "off_zero"),
    ("div_method", lambda a, b: a.div(b), np.divide, _d_div, "normal", "off_zero"),
    ("pow", operator.pow, np.power, _d_pow, "positive", "normal"),
    ("pow_function", minigrad.pow, np.power, _d_pow, "positive", "normal"),
    ("maximum", lambda a, b: a.maximum(b), np.maximum,
     lambda a, b: tuple(d * 1.0 for d in _bcast(a > b, a < b)), "joint", "joint"),
    ("maximum_function", minigrad.maximum, np.maximum,
     lambda a, b: tuple(d * 1.0 for d in _bcast(a > b, a < b)), "joint", "joint"),
    ("max_of_tensor", lambda a, b: a.max(b), np.maximum,
     lambda a, b: tuple(d * 1.0 for d in _bcast(a > b, a < b)), "joint", "joint"),
    ("minimum", lambda a, b: a.minimum(b), np.minimum,
     lambda a, b: tuple(d * 1.0 for d in _bcast(a < b, a > b)), "joint", "joint"),
    ("min_of_tensor", lambda a, b: a.min(b), np.minimum,
     lambda a, b: tuple(d * 1.0 for d in _bcast(a < b, a > b)), "joint", "joint"),
]
BINARY_IDS = [row[0] for row in BINARY]
BINARY_BY_ID = {row[0]: row for row in BINARY}

BROADCAST_SHAPES = [
    ((3, 1), (1, 4)),
    ((2, 3, 4), (4,)),
    ((4,), (2, 3, 4)),
    ((), (2, 3)),
    ((2, 3), ()),
    ((2, 1, 4), (3, 1)),
    ((1,), (3, 2)),
    ((3, 1, 2), (1, 4, 1)),
]


def _operands(rng, kinds, shape_a, shape_b):
    if kinds == ("joint", "joint"):
        both = sample(rng, "distinct", (math.prod(shape_a) + math.prod(shape_b),))
        return both[: math.prod(shape_a)].reshape(shape_a), both[math.prod(shape_a):].reshape(
            shape_b)
    return sample(rng, kinds[0], shape_a), sample(rng, kinds[1], shape_b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,op,ref,partials,kind_a,kind_b", BINARY, ids=BINARY_IDS)
def test_binary_forward_matches_numpy_and_keeps_dtype(
    name, op, ref, partials, kind_a, kind_b, dtype, rng
):
    a, b = (v.astype(dtype) for v in _operands(rng, (kind_a, kind_b), (3, 4), (3, 4)))
    out = op(leaf(a, dtype), leaf(b, dtype))
    assert out.dtype == dtype
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out.detach().numpy(), ref(a.astype(float), b.astype(float)), **tol)


@pytest.mark.parametrize("shapes", [((2, 3), (2, 3)), ((3, 1), (1, 4)), ((2, 3), ())],
                         ids=["same", "outer", "scalar_tensor"])
@pytest.mark.parametrize("name,op,ref,partials,kind_a,kind_b", BINARY, ids=BINARY_IDS)
def test_binary_gradcheck_float64(name, op, ref, partials, kind_a, kind_b, shapes, rng):
    check_grad(op, *_operands(rng, (kind_a, kind_b), *shapes))


def _check_binary_grads(row, shape_a, shape_b, dtype, rng):
    name, op, ref, partials, kind_a, kind_b = row
    a, b = (v.astype(dtype) for v in _operands(rng, (kind_a, kind_b), shape_a, shape_b))
    out_shape = np.broadcast_shapes(shape_a, shape_b)
    g = rng.standard_normal(out_shape)
    out, (ga, gb) = grads_of(op, a, b, upstream=g, dtype=dtype)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)
    assert out.shape == out_shape and out.dtype == dtype
    np.testing.assert_allclose(out.detach().numpy(), ref(a64, b64), **tol)
    da, db = partials(a64, b64)
    assert ga.shape == shape_a and gb.shape == shape_b
    assert ga.dtype == dtype and gb.dtype == dtype
    np.testing.assert_allclose(ga.numpy(), sum_to(g * da, shape_a), **tol)
    np.testing.assert_allclose(gb.numpy(), sum_to(g * db, shape_b), **tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape_a,shape_b", BROADCAST_SHAPES)
@pytest.mark.parametrize("row", BINARY, ids=BINARY_IDS)
def test_binary_broadcast_grads_have_input_shapes_and_match_numpy(
    row, shape_a, shape_b, dtype, rng
):
    _check_binary_grads(row, shape_a, shape_b, dtype, rng)


@FAST
@given(
    name=st.sampled_from(BINARY_IDS),
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4),
    seed=st.integers(0, 2**32 - 1),
)
def test_binary_ops_on_generated_broadcastable_shapes_match_numpy(name, shapes, seed):
    shape_a, shape_b = shapes.input_shapes
    _check_binary_grads(BINARY_BY_ID[name], shape_a, shape_b, np.float64,
                        np.random.default_rng(seed))


@pytest.mark.parametrize("row", [r for r in BINARY if r[4] != "joint"],
                         ids=[r[0] for r in BINARY if r[4] != "joint"])
def test_binary_op_with_same_tensor_on_both_sides_sums_both_partials(row, rng):
    name, op, ref, partials, kind_a, kind_b = row
    x = sample(rng, "positive", (3, 4))
    g = rng.standard_normal((3, 4))
    out, (gx,) = grads_of(lambda t: op(t, t), x, upstream=g)
    da, db = partials(x, x)
    np.testing.assert_allclose(out.detach().numpy(), ref(x, x), rtol=1e-12)
    np.testing.assert_allclose(gx.numpy(), g * (da + db), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("row", BINARY, ids=BINARY_IDS)
def test_binary_op_with_constant_operand_grads_only_the_leaf(row, rng):
    name, op, ref, partials, kind_a, kind_b = row
    a, b = _operands(rng, (kind_a, kind_b), (3, 1), (4,))
    ta, tb = leaf(a), leaf(b, requires_grad=False)
    out = op(ta, tb)
    assert out.requires_grad
    out.backward(minigrad.ones(3, 4, dtype=minigrad.float64))
    assert tb.grad is None
    np.testing.assert_allclose(ta.grad.numpy(), partials(a, b)[0].sum(axis=1, keepdims=True),
                               rtol=1e-10, atol=1e-12)
    with minigrad.no_grad():
        assert not op(ta, tb).requires_grad


# (id, operator, NumPy forward, d/d(tensor) given (tensor, number) and which side the number is)
NUMBER_OPS = [
    ("add", operator.add, lambda t, c, left: _ones(t)),
    ("sub", operator.sub, lambda t, c, left: -_ones(t) if left else _ones(t)),
    ("mul", operator.mul, lambda t, c, left: c * _ones(t)),
    ("div", operator.truediv, lambda t, c, left: -c / t**2 if left else _ones(t) / c),
    ("pow", operator.pow,
     lambda t, c, left: c**t * math.log(c) if left else c * t ** (c - 1)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("number", [1.5, 2, 0.25, 3])
@pytest.mark.parametrize("number_on_left", [False, True], ids=["tensor_op_number",
                                                               "number_op_tensor"])
@pytest.mark.parametrize("name,op,deriv", NUMBER_OPS, ids=[row[0] for row in NUMBER_OPS])
def test_python_number_operand_on_either_side_matches_numpy_and_keeps_dtype(
    name, op, deriv, number_on_left, number, dtype, rng
):
    t = sample(rng, "positive", (2, 3)).astype(dtype)
    g = rng.standard_normal((2, 3))

    def fn(x):
        return op(number, x) if number_on_left else op(x, number)

    out, (gt,) = grads_of(fn, t, upstream=g, dtype=dtype)
    t64 = t.astype(np.float64)
    expected = op(float(number), t64) if number_on_left else op(t64, float(number))
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    assert out.dtype == dtype and gt.dtype == dtype
    np.testing.assert_allclose(out.detach().numpy(), expected, **tol)
    np.testing.assert_allclose(gt.numpy(), g * deriv(t64, number, number_on_left), **tol)


@pytest.mark.parametrize("number_on_left", [False, True])
@pytest.mark.parametrize("name,op,deriv", NUMBER_OPS, ids=[row[0] for row in NUMBER_OPS])
def test_python_number_operand_gradcheck_float64(name, op, deriv, number_on_left, rng):
    check_grad((lambda x: op(1.75, x)) if number_on_left else (lambda x: op(x, 1.75)),
               sample(rng, "positive", (2, 3)))


def test_tensor_power_grad_for_exponent_is_zero_where_base_is_zero():
    base, exponent = np.array([0.0, 0.0, 2.0]), np.array([2.0, 3.0, 0.5])
    out, (g_base, g_exp) = grads_of(lambda a, b: a**b, base, exponent)
    np.testing.assert_allclose(out.detach().numpy(), base**exponent)
    np.testing.assert_allclose(g_base.numpy(), [0.0, 0.0, 0.5 * 2.0**-0.5])
    np.testing.assert_allclose(g_exp.numpy(), [0.0, 0.0, 2.0**0.5 * np.log(2.0)])


def test_zero_base_to_tensor_power_has_zero_grad_for_nonnegative_exponents():
    out, (gx,) = grads_of(lambda t: 0.0**t, np.array([0.0, 0.5, 2.0]))
    np.testing.assert_array_equal(out.detach().numpy(), [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(gx.numpy(), [0.0, 0.0, 0.0])


@pytest.mark.parametrize("lo_shape,hi_shape", [((3, 4), (3, 4)), ((4,), ()), ((3, 1), None)])
def test_clamp_with_tensor_bounds_routes_grad_to_the_active_bound(lo_shape, hi_shape, rng):
    shapes = [(3, 4), lo_shape] + ([] if hi_shape is None else [hi_shape])
    pool = rng.permutation(np.linspace(-2, 2, sum(math.prod(s) for s in shapes)))  # tie-free
    arrays, start = [], 0
    for shape in shapes:
        arrays.append(pool[start:start + math.prod(shape)].reshape(shape))
        start += math.prod(shape)
    x, lo = np.broadcast_arrays(arrays[0], arrays[1])
    hi = np.broadcast_to(arrays[2], x.shape) if hi_shape is not None else np.full(x.shape, np.inf)

    def fn(t, lo_t, hi_t=None):
        return t.clamp(min=lo_t, max=hi_t)

    g = rng.standard_normal((3, 4))
    out, grads = grads_of(fn, *arrays, upstream=g)
    np.testing.assert_allclose(out.detach().numpy(), np.minimum(np.maximum(x, lo), hi))
    np.testing.assert_allclose(grads[0].numpy(), g * ((x > lo) & (x < hi)))
    np.testing.assert_allclose(grads[1].numpy(), sum_to(g * ((x < lo) & (lo < hi)), lo_shape))
    if hi_shape is not None:
        np.testing.assert_allclose(grads[2].numpy(),
                                   sum_to(g * (np.maximum(x, lo) > hi), hi_shape))
    check_grad(fn, *arrays)


# -- where (masked_fill, built on Where, is in tests/methods/test_index.py) ------------------------
WHERE_SHAPES = [
    ((3, 4), (3, 4), (3, 4)),
    ((3, 1), (1, 4), (3, 4)),
    ((3, 4), (4,), ()),
    ((4,), (3, 1), (1, 4)),
    ((2, 3, 4), (3, 4), (2, 1, 1)),
]


@pytest.mark.parametrize("form", ["function", "method"])
@pytest.mark.parametrize("cond_shape,shape_a,shape_b", WHERE_SHAPES)
def test_where_forward_and_broadcast_grads_match_numpy(cond_shape, shape_a, shape_b, form, rng):
    cond = rng.random(cond_shape) < 0.5
    a, b = rng.standard_normal(shape_a), rng.standard_normal(shape_b)
    out_shape = np.broadcast_shapes(cond_shape, shape_a, shape_b)
    g = rng.standard_normal(out_shape)
    c = minigrad.tensor(cond)

    def fn(x, y):
        return minigrad.where(c, x, y) if form == "function" else x.where(c, y)

    out, (ga, gb) = grads_of(fn, a, b, upstream=g)
    np.testing.assert_allclose(out.detach().numpy(), np.where(cond, a, b))
    assert ga.shape == shape_a and gb.shape == shape_b
    np.testing.assert_allclose(ga.numpy(), sum_to(np.where(cond, g, 0.0), shape_a), atol=1e-12)
    np.testing.assert_allclose(gb.numpy(), sum_to(np.where(cond, 0.0, g), shape_b), atol=1e-12)


@pytest.mark.parametrize("cond_shape,shape_a,shape_b", WHERE_SHAPES)
def test_where_gradcheck_float64(cond_shape, shape_a, shape_b, rng):
    c = minigrad.tensor(rng.random(cond_shape) < 0.5)
    check_grad(lambda x, y: minigrad.where(c, x, y), rng.standard_normal(shape_a),
               rng.standard_normal(shape_b))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("number_first", [False, True])
def test_where_with_python_number_operand_keeps_dtype_and_grads(number_first, dtype, rng):
    cond = rng.random((3, 4)) < 0.5
    x = rng.standard_normal((3, 4)).astype(dtype)
    c = minigrad.tensor(cond)

    def fn(t):
        return minigrad.where(c, 0.5, t) if number_first else minigrad.where(c, t, 0.5)

    out, (gx,) = grads_of(fn, x, dtype=dtype)
    assert out.dtype == dtype and gx.dtype == dtype
    picked = cond if not number_first else ~cond
    np.testing.assert_allclose(out.detach().numpy(), np.where(picked, x, 0.5))
    np.testing.assert_allclose(gx.numpy(), picked * 1.0)


def test_where_with_non_bool_condition_raises():
    with pytest.raises(RuntimeError, match="bool"):
        minigrad.where(minigrad.tensor([1, 0]), leaf([1.0, 2.0]), leaf([3.0, 4.0]))


# -- casts ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "src,cast,dst",
    [(np.float32, lambda t: t.to(minigrad.float64), np.float64),
     (np.float32, lambda t: t.double(), np.float64),
     (np.float32, lambda t: t.to(dtype=minigrad.float64), np.float64),
     (np.float64, lambda t: t.to(minigrad.float32), np.float32),
     (np.float64, lambda t: t.float(), np.float32),
     (np.float32, lambda t: t.to(minigrad.float32), np.float32)],
    ids=["to_float64", "double", "to_dtype_kwarg", "to_float32", "float", "to_same"],
)
def test_cast_converts_forward_and_returns_grad_in_source_dtype(src, cast, dst, rng):
    x = rng.standard_normal((2, 3)).astype(src)
    g = rng.standard_normal((2, 3))
    out, (gx,) = grads_of(lambda t: cast(t) * 2.0, x, upstream=g, dtype=src)
    assert out.dtype == dst and gx.dtype == src
    np.testing.assert_allclose(out.detach().numpy(), 2.0 * x.astype(dst), rtol=1e-6)
    np.testing.assert_allclose(gx.numpy(), (2.0 * g.astype(dst)).astype(src), rtol=1e-6)


def test_cast_to_float64_then_back_gradcheck_float64(rng):
    check_grad(lambda t: t.to(minigrad.float64).exp() * t, rng.standard_normal((2, 3)))


def test_int_tensor_to_float_gives_tensor_without_grad():
    out = minigrad.tensor([1, 2]).to(minigrad.float64)
    assert out.dtype == minigrad.float64 and not out.requires_grad
    np.testing.assert_array_equal(out.numpy(), [1.0, 2.0])


# -- second derivatives --------------------------------------------------------------------------
GRADGRAD = [
    ("mul", operator.mul, [((2, 3), "normal"), ((2, 3), "normal")]),
    ("mul_broadcast", operator.mul, [((3, 1), "normal"), ((1, 4), "normal")]),
    ("mul_self", lambda a: a * a * a, [((2, 3), "normal")]),
    ("div", operator.truediv, [((2, 3), "normal"), ((2, 3), "off_zero")]),
    ("div_broadcast", operator.truediv, [((3, 1), "normal"), ((4,), "off_zero")]),
    ("rdiv_number", lambda a: 1.5 / a, [((2, 3), "off_zero")]),
    ("exp", lambda a: a.exp(), [((2, 3), "normal")]),
    ("log", lambda a: a.log(), [((2, 3), "positive")]),
    ("sin", lambda a: a.sin(), [((2, 3), "normal")]),
    ("tanh", lambda a: a.tanh(), [((2, 3), "normal")]),
    ("sigmoid", lambda a: a.sigmoid(), [((2, 3), "normal")]),
    ("pow_number", lambda a: a**3, [((2, 3), "normal")]),
    ("pow_fraction", lambda a: a**1.5, [((2, 3), "positive")]),
    ("pow_tensor", operator.pow, [((2, 3), "positive"), ((2, 3), "normal")]),
    ("rpow", lambda a: 2.0**a, [((2, 3), "normal")]),
    ("sqrt", lambda a: a.sqrt(), [((2, 3), "positive")]),
    ("cos", lambda a: a.cos(), [((2, 3), "normal")]),
]


@pytest.mark.parametrize("name,op,specs", GRADGRAD, ids=[row[0] for row in GRADGRAD])
def test_second_derivative_gradgradcheck_float64(name, op, specs, rng):
    check_gradgrad(op, *[sample(rng, kind, shape) for shape, kind in specs])


def test_exp_second_derivative_equals_exp(rng):
    x = leaf(rng.standard_normal(4))
    (g,) = minigrad.autograd.grad(x.exp().sum(), x, create_graph=True)
    (gg,) = minigrad.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), np.exp(x.detach().numpy()))
