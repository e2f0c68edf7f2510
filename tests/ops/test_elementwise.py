"""Elementwise ops (minigrad/ops/elementwise.py): forward against NumPy, float64 gradcheck,
broadcast gradients, Python numbers on either side, dtype rules, comparisons and logic,
where/masked_fill, casts, and second derivatives."""

from __future__ import annotations

import math
import operator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad

FAST = settings(max_examples=25, deadline=None)


def _np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _ones(x):
    return np.ones_like(x)


# (id, op on a tensor, NumPy forward, NumPy derivative, input kind: see conftest's `sample`)
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
def test_unary_forward_matches_numpy_and_keeps_dtype(
    name, op, ref, deriv, kind, dtype, rng, sample, leaf
):
    x = sample(rng, kind, (3, 4)).astype(dtype)
    out = op(leaf(x, dtype))
    assert out.dtype == dtype
    assert out.shape == (3, 4)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out.detach().numpy(), ref(x.astype(np.float64)), **tol)


@pytest.mark.parametrize("name,op,ref,deriv,kind", UNARY, ids=UNARY_IDS)
def test_unary_gradcheck_float64(name, op, ref, deriv, kind, rng, sample, check_grad):
    check_grad(op, sample(rng, kind, (2, 3)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,op,ref,deriv,kind", UNARY, ids=UNARY_IDS)
def test_unary_grad_matches_numpy_derivative_and_keeps_dtype(
    name, op, ref, deriv, kind, dtype, rng, sample, grads_of
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
def test_unary_keeps_shape_of_scalars_and_singleton_dims(
    name, op, ref, deriv, kind, shape, rng, sample, grads_of
):
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


def _operands(rng, sample, kinds, shape_a, shape_b):
    if kinds == ("joint", "joint"):
        both = sample(rng, "distinct", (math.prod(shape_a) + math.prod(shape_b),))
        return both[: math.prod(shape_a)].reshape(shape_a), both[math.prod(shape_a):].reshape(
            shape_b)
    return sample(rng, kinds[0], shape_a), sample(rng, kinds[1], shape_b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,op,ref,partials,kind_a,kind_b", BINARY, ids=BINARY_IDS)
def test_binary_forward_matches_numpy_and_keeps_dtype(
    name, op, ref, partials, kind_a, kind_b, dtype, rng, sample, leaf
):
    a, b = (v.astype(dtype) for v in _operands(rng, sample, (kind_a, kind_b), (3, 4), (3, 4)))
    out = op(leaf(a, dtype), leaf(b, dtype))
    assert out.dtype == dtype
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out.detach().numpy(), ref(a.astype(float), b.astype(float)), **tol)


@pytest.mark.parametrize("shapes", [((2, 3), (2, 3)), ((3, 1), (1, 4)), ((2, 3), ())],
                         ids=["same", "outer", "scalar_tensor"])
@pytest.mark.parametrize("name,op,ref,partials,kind_a,kind_b", BINARY, ids=BINARY_IDS)
def test_binary_gradcheck_float64(
    name, op, ref, partials, kind_a, kind_b, shapes, rng, sample, check_grad
):
    check_grad(op, *_operands(rng, sample, (kind_a, kind_b), *shapes))


def _check_binary_grads(row, shape_a, shape_b, dtype, rng, sample, grads_of, sum_to):
    name, op, ref, partials, kind_a, kind_b = row
    a, b = (v.astype(dtype) for v in _operands(rng, sample, (kind_a, kind_b), shape_a, shape_b))
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
    row, shape_a, shape_b, dtype, rng, sample, grads_of, sum_to
):
    _check_binary_grads(row, shape_a, shape_b, dtype, rng, sample, grads_of, sum_to)


@FAST
@given(
    name=st.sampled_from(BINARY_IDS),
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4),
    seed=st.integers(0, 2**32 - 1),
)
def test_binary_ops_on_generated_broadcastable_shapes_match_numpy(
    name, shapes, seed, sample, grads_of, sum_to
):
    shape_a, shape_b = shapes.input_shapes
    _check_binary_grads(BINARY_BY_ID[name], shape_a, shape_b, np.float64,
                        np.random.default_rng(seed), sample, grads_of, sum_to)


@pytest.mark.parametrize("row", [r for r in BINARY if r[4] != "joint"],
                         ids=[r[0] for r in BINARY if r[4] != "joint"])
def test_binary_op_with_same_tensor_on_both_sides_sums_both_partials(row, rng, sample, grads_of):
    name, op, ref, partials, kind_a, kind_b = row
    x = sample(rng, "positive", (3, 4))
    g = rng.standard_normal((3, 4))
    out, (gx,) = grads_of(lambda t: op(t, t), x, upstream=g)
    da, db = partials(x, x)
    np.testing.assert_allclose(out.detach().numpy(), ref(x, x), rtol=1e-12)
    np.testing.assert_allclose(gx.numpy(), g * (da + db), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("row", BINARY, ids=BINARY_IDS)
def test_binary_op_with_constant_operand_grads_only_the_leaf(row, rng, sample, leaf):
    name, op, ref, partials, kind_a, kind_b = row
    a, b = _operands(rng, sample, (kind_a, kind_b), (3, 1), (4,))
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
    name, op, deriv, number_on_left, number, dtype, rng, sample, grads_of
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
def test_python_number_operand_gradcheck_float64(
    name, op, deriv, number_on_left, rng, sample, check_grad
):
    check_grad((lambda x: op(1.75, x)) if number_on_left else (lambda x: op(x, 1.75)),
               sample(rng, "positive", (2, 3)))


def test_tensor_power_grad_for_exponent_is_zero_where_base_is_zero(grads_of):
    base, exponent = np.array([0.0, 0.0, 2.0]), np.array([2.0, 3.0, 0.5])
    out, (g_base, g_exp) = grads_of(lambda a, b: a**b, base, exponent)
    np.testing.assert_allclose(out.detach().numpy(), base**exponent)
    np.testing.assert_allclose(g_base.numpy(), [0.0, 0.0, 0.5 * 2.0**-0.5])
    np.testing.assert_allclose(g_exp.numpy(), [0.0, 0.0, 2.0**0.5 * np.log(2.0)])


def test_zero_base_to_tensor_power_has_zero_grad_for_nonnegative_exponents(grads_of):
    out, (gx,) = grads_of(lambda t: 0.0**t, np.array([0.0, 0.5, 2.0]))
    np.testing.assert_array_equal(out.detach().numpy(), [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(gx.numpy(), [0.0, 0.0, 0.0])


# -- dtype rules ---------------------------------------------------------------------------------
def _chain_with_numbers(x):
    y = (x * 0.1 + 2.5) / 3.0 - 1.0
    y = (0.5 * y) ** 2 * math.pi + 1.0 / (y + 4.0) - 0.25
    y = (2.0 ** y) * y.exp().log1p() * y.sigmoid() * y.tanh().abs() + np.float64(0.5) * y
    return y.clamp(min=-10.0, max=10.0).sqrt().sum()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_python_float_arithmetic_never_changes_float_dtype(dtype, rng, leaf):
    x = leaf(rng.uniform(0.5, 1.5, (3, 4)), dtype)
    y = _chain_with_numbers(x)
    y.backward()
    assert y.dtype == dtype
    assert x.grad.dtype == dtype
    assert np.all(np.isfinite(x.grad.numpy()))


def test_float32_times_numpy_float64_scalar_stays_float32(leaf):
    x = leaf([1.0, 2.0], np.float32)
    for out in (x * np.float64(0.5), x + np.float64(0.5), x / np.float64(2.0),
                x - np.float64(0.5), x ** np.float64(2.0)):
        assert out.dtype == minigrad.float32


@pytest.mark.parametrize("op", [operator.add, operator.sub, operator.mul, operator.truediv],
                         ids=["add", "sub", "mul", "div"])
@pytest.mark.parametrize("number_on_left", [False, True])
def test_int_tensor_with_python_float_gives_float32(op, number_on_left):
    t = minigrad.tensor([1, 2, 3])
    out = op(2.5, t) if number_on_left else op(t, 2.5)
    expected = op(2.5, np.array([1.0, 2, 3])) if number_on_left else op(np.array([1.0, 2, 3]), 2.5)
    assert out.dtype == minigrad.float32
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)


@pytest.mark.parametrize("op", [operator.add, operator.sub, operator.mul],
                         ids=["add", "sub", "mul"])
def test_int_tensor_with_python_int_stays_int64(op):
    out = op(minigrad.tensor([1, 2, 3]), 4)
    assert out.dtype == minigrad.int64
    np.testing.assert_array_equal(out.numpy(), op(np.array([1, 2, 3]), 4))


@pytest.mark.parametrize("dtype", [minigrad.int64, minigrad.int32])
def test_int_tensor_divided_by_int_tensor_gives_float32(dtype):
    a = minigrad.tensor([1, 2, 7], dtype=dtype)
    b = minigrad.tensor([2, 4, 2], dtype=dtype)
    for out in (a / b, a.div(b), minigrad.div(a, b), a / 2, 7 / b):
        assert out.dtype == minigrad.float32
    np.testing.assert_allclose((a / b).numpy(), [0.5, 0.5, 3.5])


@pytest.mark.parametrize("op", [lambda t: t.exp(), lambda t: t.log(), lambda t: t.sqrt(),
                                lambda t: t.sin(), lambda t: t.sigmoid(), lambda t: t.tanh(),
                                lambda t: t**0.5, lambda t: 2.0**t],
                         ids=["exp", "log", "sqrt", "sin", "sigmoid", "tanh", "pow_half",
                              "rpow_float"])
def test_int_tensor_floating_functions_give_float32(op):
    out = op(minigrad.tensor([1, 2, 3]))
    assert out.dtype == minigrad.float32


def test_int_tensor_clamp_with_float_bound_gives_float32():
    out = minigrad.tensor([0, 1, 2]).clamp(min=0.5, max=1.5)
    assert out.dtype == minigrad.float32
    np.testing.assert_allclose(out.numpy(), [0.5, 1.0, 1.5])


@pytest.mark.parametrize("lo_shape,hi_shape", [((3, 4), (3, 4)), ((4,), ()), ((3, 1), None)])
def test_clamp_with_tensor_bounds_routes_grad_to_the_active_bound(lo_shape, hi_shape, rng,
                                                                  grads_of, sum_to, check_grad):
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


def test_int_tensor_clamp_with_int_bound_stays_int64():
    out = minigrad.tensor([0, 1, 5]).clamp(min=1, max=3)
    assert out.dtype == minigrad.int64
    np.testing.assert_array_equal(out.numpy(), [1, 1, 3])


def test_float32_clamp_with_numpy_float64_bound_stays_float32(leaf):
    x = leaf([-1.0, 0.0, 2.0], np.float32)
    out = x.clamp(min=np.float64(-0.5), max=np.float64(1.0))
    out.sum().backward()
    assert out.dtype == minigrad.float32 and x.grad.dtype == minigrad.float32
    np.testing.assert_allclose(out.detach().numpy(), [-0.5, 0.0, 1.0])


def test_float32_and_float64_tensors_promote_to_float64_with_grads_in_own_dtype(leaf):
    a = leaf([1.0, 2.0], np.float32)
    b = leaf([3.0, 4.0], np.float64)
    out = a * b
    out.sum().backward()
    assert out.dtype == minigrad.float64
    assert a.grad.dtype == minigrad.float32 and b.grad.dtype == minigrad.float64
    np.testing.assert_allclose(a.grad.numpy(), [3.0, 4.0])
    np.testing.assert_allclose(b.grad.numpy(), [1.0, 2.0])


@pytest.mark.parametrize(
    "dims_dtype,zero_dim_dtype,expected",
    [
        (minigrad.float32, minigrad.float64, minigrad.float32),  # same category: dims win
        (minigrad.int64, minigrad.int32, minigrad.int64),
        (minigrad.int32, minigrad.int64, minigrad.int32),
        (minigrad.int64, minigrad.float32, minigrad.float32),  # higher category: 0-d's dtype
        (minigrad.int64, minigrad.float64, minigrad.float64),
        (minigrad.int32, minigrad.float16, minigrad.float16),
        (minigrad.bool, minigrad.int32, minigrad.int32),
    ],
    ids=["float32_with_float64", "int64_with_int32", "int32_with_int64", "int64_with_float32",
         "int64_with_float64", "int32_with_float16", "bool_with_int32"],
)
def test_zero_dim_tensor_operand_follows_pytorch_promotion(dims_dtype, zero_dim_dtype, expected):
    dims = minigrad.tensor([1, 0, 1], dtype=dims_dtype)
    zero_dim = minigrad.tensor(1, dtype=zero_dim_dtype)
    assert (dims + zero_dim).dtype == expected
    assert (zero_dim + dims).dtype == expected


# -- comparisons and logic -----------------------------------------------------------------------
COMPARISONS = [
    ("eq", operator.eq, np.equal), ("ne", operator.ne, np.not_equal),
    ("lt", operator.lt, np.less), ("le", operator.le, np.less_equal),
    ("gt", operator.gt, np.greater), ("ge", operator.ge, np.greater_equal),
]


@pytest.mark.parametrize("other_kind", ["same_shape", "broadcast_row", "zero_dim", "python_float",
                                        "python_int"])
@pytest.mark.parametrize("name,op,ref", COMPARISONS, ids=[row[0] for row in COMPARISONS])
def test_comparison_gives_bool_without_grad_and_matches_numpy(name, op, ref, other_kind, rng,
                                                              leaf):
    x = rng.integers(-2, 3, (3, 4)).astype(np.float64)  # small integers: plenty of ties
    other = {
        "same_shape": lambda: rng.integers(-2, 3, (3, 4)).astype(np.float64),
        "broadcast_row": lambda: rng.integers(-2, 3, (1, 4)).astype(np.float64),
        "zero_dim": lambda: np.array(1.0),
        "python_float": lambda: 1.0,
        "python_int": lambda: 0,
    }[other_kind]()
    t_other = leaf(other) if isinstance(other, np.ndarray) else other
    for out in (op(leaf(x), t_other), getattr(leaf(x), name)(t_other),
                getattr(minigrad, name)(leaf(x), t_other)):
        assert out.dtype == minigrad.bool
        assert out.requires_grad is False and out.grad_fn is None
        np.testing.assert_array_equal(out.numpy(), ref(x, other))


@pytest.mark.parametrize(
    "name,op,ref",
    [("and", operator.and_, np.logical_and), ("or", operator.or_, np.logical_or),
     ("xor", operator.xor, np.logical_xor),
     ("logical_and", lambda a, b: a.logical_and(b), np.logical_and),
     ("logical_or", lambda a, b: a.logical_or(b), np.logical_or),
     ("logical_and_function", minigrad.logical_and, np.logical_and)],
    ids=["and", "or", "xor", "logical_and", "logical_or", "logical_and_function"],
)
@pytest.mark.parametrize("shape_b", [(3, 4), (4,), (3, 1)])
def test_logical_binary_on_bool_tensors_gives_bool_and_matches_numpy(name, op, ref, shape_b, rng):
    a, b = rng.random((3, 4)) < 0.5, rng.random(shape_b) < 0.5
    out = op(minigrad.tensor(a), minigrad.tensor(b))
    assert out.dtype == minigrad.bool and out.requires_grad is False
    np.testing.assert_array_equal(out.numpy(), ref(a, b))


@pytest.mark.parametrize("op", [operator.invert, lambda t: t.logical_not(), minigrad.logical_not],
                         ids=["invert", "logical_not", "logical_not_function"])
def test_logical_not_on_bool_tensor_gives_bool_and_matches_numpy(op, rng):
    a = rng.random((3, 4)) < 0.5
    out = op(minigrad.tensor(a))
    assert out.dtype == minigrad.bool and out.requires_grad is False
    np.testing.assert_array_equal(out.numpy(), ~a)


def test_comparison_results_combine_with_logic_ops_into_bool_masks(rng, leaf):
    x = leaf(rng.standard_normal((3, 4)))
    mask = ~((x > 0.5) | (x < -0.5)) & (x != 0.0)
    data = x.detach().numpy()
    assert mask.dtype == minigrad.bool and not mask.requires_grad
    np.testing.assert_array_equal(mask.numpy(), ~((data > 0.5) | (data < -0.5)) & (data != 0.0))


@pytest.mark.parametrize("op", [operator.invert, lambda t: t & t, lambda t: t | t],
                         ids=["invert", "and", "or"])
def test_bitwise_ops_on_float_tensor_raise_type_error(op):
    with pytest.raises(TypeError):
        op(minigrad.tensor([1.0, 2.0]))


# -- where and masked_fill ------------------------------------------------------------------------
WHERE_SHAPES = [
    ((3, 4), (3, 4), (3, 4)),
    ((3, 1), (1, 4), (3, 4)),
    ((3, 4), (4,), ()),
    ((4,), (3, 1), (1, 4)),
    ((2, 3, 4), (3, 4), (2, 1, 1)),
]


@pytest.mark.parametrize("form", ["function", "method"])
@pytest.mark.parametrize("cond_shape,shape_a,shape_b", WHERE_SHAPES)
def test_where_forward_and_broadcast_grads_match_numpy(
    cond_shape, shape_a, shape_b, form, rng, grads_of, sum_to
):
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
def test_where_gradcheck_float64(cond_shape, shape_a, shape_b, rng, check_grad):
    c = minigrad.tensor(rng.random(cond_shape) < 0.5)
    check_grad(lambda x, y: minigrad.where(c, x, y), rng.standard_normal(shape_a),
               rng.standard_normal(shape_b))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("number_first", [False, True])
def test_where_with_python_number_operand_keeps_dtype_and_grads(number_first, dtype, rng,
                                                                grads_of):
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


def test_where_with_non_bool_condition_raises(leaf):
    with pytest.raises(RuntimeError, match="bool"):
        minigrad.where(minigrad.tensor([1, 0]), leaf([1.0, 2.0]), leaf([3.0, 4.0]))


@pytest.mark.parametrize("mask_shape", [(3, 4), (4,), (1, 4), (3, 1)])
@pytest.mark.parametrize("value", [0.0, -2.5, 7])
def test_masked_fill_forward_and_grad_match_numpy(mask_shape, value, rng, grads_of):
    x = rng.standard_normal((3, 4))
    mask = rng.random(mask_shape) < 0.5
    m = minigrad.tensor(mask)
    g = rng.standard_normal((3, 4))
    out, (gx,) = grads_of(lambda t: t.masked_fill(m, value), x, upstream=g)
    np.testing.assert_allclose(out.detach().numpy(), np.where(mask, value, x))
    np.testing.assert_allclose(gx.numpy(), np.where(mask, 0.0, g))
    out_fn = minigrad.masked_fill(minigrad.tensor(x), m, value)
    np.testing.assert_allclose(out_fn.numpy(), np.where(mask, value, x))


def test_masked_fill_gradcheck_float64(rng, check_grad):
    m = minigrad.tensor(rng.random((3, 1)) < 0.5)
    check_grad(lambda t: t.masked_fill(m, 1.5) * t, rng.standard_normal((3, 4)))


def test_masked_fill_with_zero_dim_tensor_value_gets_summed_grad(rng, grads_of):
    x, value = rng.standard_normal((3, 4)), np.array(0.75)
    mask = rng.random((1, 4)) < 0.5
    g = rng.standard_normal((3, 4))
    out, (gx, gv) = grads_of(lambda t, v: t.masked_fill(minigrad.tensor(mask), v), x, value,
                             upstream=g)
    full = np.broadcast_to(mask, (3, 4))
    np.testing.assert_allclose(out.detach().numpy(), np.where(full, 0.75, x))
    assert gv.shape == ()
    np.testing.assert_allclose(gv.numpy(), np.sum(np.where(full, g, 0.0)))
    np.testing.assert_allclose(gx.numpy(), np.where(full, 0.0, g))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_masked_fill_minus_inf_then_softmax_gives_zero_weight_and_finite_grads(dtype, rng,
                                                                                grads_of):
    x = rng.standard_normal((3, 3)).astype(dtype)
    causal = minigrad.tensor(np.triu(np.ones((3, 3), dtype=bool), k=1))
    out, (gx,) = grads_of(lambda t: t.masked_fill(causal, float("-inf")).softmax(-1), x,
                          upstream=rng.standard_normal((3, 3)), dtype=dtype)
    assert out.dtype == dtype and gx.dtype == dtype
    probs = out.detach().numpy()
    assert np.all(probs[np.triu_indices(3, k=1)] == 0)
    np.testing.assert_allclose(probs.sum(-1), 1.0, rtol=1e-6)
    assert np.all(np.isfinite(gx.numpy()))
    assert np.all(gx.numpy()[np.triu_indices(3, k=1)] == 0)


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
def test_cast_converts_forward_and_returns_grad_in_source_dtype(src, cast, dst, rng, grads_of):
    x = rng.standard_normal((2, 3)).astype(src)
    g = rng.standard_normal((2, 3))
    out, (gx,) = grads_of(lambda t: cast(t) * 2.0, x, upstream=g, dtype=src)
    assert out.dtype == dst and gx.dtype == src
    np.testing.assert_allclose(out.detach().numpy(), 2.0 * x.astype(dst), rtol=1e-6)
    np.testing.assert_allclose(gx.numpy(), (2.0 * g.astype(dst)).astype(src), rtol=1e-6)


def test_cast_to_float64_then_back_gradcheck_float64(rng, check_grad):
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
def test_second_derivative_gradgradcheck_float64(name, op, specs, rng, sample, check_gradgrad):
    check_gradgrad(op, *[sample(rng, kind, shape) for shape, kind in specs])


def test_exp_second_derivative_equals_exp(rng, leaf):
    x = leaf(rng.standard_normal(4))
    (g,) = minigrad.autograd.grad(x.exp().sum(), x, create_graph=True)
    (gg,) = minigrad.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), np.exp(x.detach().numpy()))
