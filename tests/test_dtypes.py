"""dtype promotion (minigrad/dtypes.py), seen through the ops: Python numbers never change
a float tensor's dtype, int tensors meet floats as PyTorch's do, 0-d tensors follow
PyTorch's category rules, and mixed float dtypes promote with grads in each leaf's dtype."""

from __future__ import annotations

import math
import operator

import numpy as np
import pytest

import minigrad
from tests.helpers import leaf


def _chain_with_numbers(x):
    y = (x * 0.1 + 2.5) / 3.0 - 1.0
    y = (0.5 * y) ** 2 * math.pi + 1.0 / (y + 4.0) - 0.25
    y = (2.0 ** y) * y.exp().log1p() * y.sigmoid() * y.tanh().abs() + np.float64(0.5) * y
    return y.clamp(min=-10.0, max=10.0).sqrt().sum()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_python_float_arithmetic_never_changes_float_dtype(dtype, rng):
    x = leaf(rng.uniform(0.5, 1.5, (3, 4)), dtype)
    y = _chain_with_numbers(x)
    y.backward()
    assert y.dtype == dtype
    assert x.grad.dtype == dtype
    assert np.all(np.isfinite(x.grad.numpy()))


def test_float32_times_numpy_float64_scalar_stays_float32():
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


def test_int_tensor_clamp_with_int_bound_stays_int64():
    out = minigrad.tensor([0, 1, 5]).clamp(min=1, max=3)
    assert out.dtype == minigrad.int64
    np.testing.assert_array_equal(out.numpy(), [1, 1, 3])


def test_float32_clamp_with_numpy_float64_bound_stays_float32():
    x = leaf([-1.0, 0.0, 2.0], np.float32)
    out = x.clamp(min=np.float64(-0.5), max=np.float64(1.0))
    out.sum().backward()
    assert out.dtype == minigrad.float32 and x.grad.dtype == minigrad.float32
    np.testing.assert_allclose(out.detach().numpy(), [-0.5, 0.0, 1.0])


def test_float32_and_float64_tensors_promote_to_float64_with_grads_in_own_dtype():
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


def test_promote_operands_counts_0d_tensors_only_across_categories():
    from minigrad import dtypes
    f32, f64, i64 = np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.int64)
    assert dtypes.promote_operands([(f32, False), (f64, True)]) == f32
    assert dtypes.promote_operands([(i64, False), (f64, True)]) == f64
    assert dtypes.promote_operands([(i64, True), (f64, True), (f32, True)]) == f64
    assert dtypes.promote_operands([(f32, False), (f64, False)]) == f64


def test_wrap_and_checked_int_follow_pytorchs_integer_conversions():
    from minigrad import dtypes
    u8, i8 = np.dtype(np.uint8), np.dtype(np.int8)
    assert int(dtypes.wrap_int(300, u8)) == 44 and int(dtypes.wrap_int(-1, u8)) == 255
    assert dtypes.checked_int("clamp", -255, u8) == 1
    assert dtypes.checked_int("clamp", 255, u8) == 255
    for value, dt in ((-256, u8), (256, u8), (128, i8), (-129, i8)):
        with pytest.raises(RuntimeError, match="without overflow"):
            dtypes.checked_int("clamp", value, dt)
    assert dtypes.can_cast(np.dtype(np.int64), np.dtype(np.float16))
    assert not dtypes.can_cast(np.dtype(np.float16), np.dtype(np.int64))
