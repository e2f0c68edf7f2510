"""Comparison and logic methods (minigrad/methods/elementwise.py): ==, <, ... and &, |, ^, ~
give bool tensors without grad, match NumPy, broadcast, and refuse float operands for
the bitwise forms."""

from __future__ import annotations

import operator

import numpy as np
import pytest

import minigrad
from tests.helpers import leaf


def test_comparisons_give_bool_without_grad():
    x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    m = x > 1.5
    assert m.dtype == minigrad.bool and not m.requires_grad
    assert (~m).tolist() == [True, False, False]
    assert (m & (x < 2.5)).tolist() == [False, True, False]
    assert (m | (x < 1.5)).tolist() == [True, True, True]


COMPARISONS = [
    ("eq", operator.eq, np.equal), ("ne", operator.ne, np.not_equal),
    ("lt", operator.lt, np.less), ("le", operator.le, np.less_equal),
    ("gt", operator.gt, np.greater), ("ge", operator.ge, np.greater_equal),
]


@pytest.mark.parametrize("other_kind", ["same_shape", "broadcast_row", "zero_dim", "python_float",
                                        "python_int"])
@pytest.mark.parametrize("name,op,ref", COMPARISONS, ids=[row[0] for row in COMPARISONS])
def test_comparison_gives_bool_without_grad_and_matches_numpy(name, op, ref, other_kind, rng):
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


def test_comparison_results_combine_with_logic_ops_into_bool_masks(rng):
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


# -- PyTorch's edge cases: ties, NaN, bool inputs, pow ---------------------------------------
def test_clamp_at_a_bound_passes_the_whole_gradient():
    x = leaf([0.0, 1.0, 2.0, 3.0])
    x.clamp(1.0, 2.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 1.0, 0.0])
    x.grad = None
    lo, hi = leaf(1.0), leaf(2.0)
    x.clamp(lo, hi).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 1.0, 0.0])
    assert lo.grad.item() == 1.0 and hi.grad.item() == 1.0  # only x < lo and x > hi


def test_clamp_with_crossed_tensor_bounds_gives_max_its_gradient():
    x, lo, hi = leaf([0.0, 5.0]), leaf(3.0), leaf(1.0)
    out = x.clamp(lo, hi)
    out.sum().backward()
    assert out.tolist() == [1.0, 1.0]
    assert x.grad.tolist() == [0.0, 0.0] and lo.grad.item() == 0.0 and hi.grad.item() == 2.0


def test_clamp_with_tensor_bounds_promotes_as_pytorch():
    x = minigrad.tensor([1.0, 5.0])
    assert x.clamp(min=minigrad.tensor(2.0, dtype=minigrad.float64)).dtype == minigrad.float32
    assert x.clamp(min=minigrad.tensor([2.0], dtype=minigrad.float64)).dtype == minigrad.float64
    i = minigrad.tensor(3)
    assert i.clamp(minigrad.tensor(2.0, dtype=minigrad.float64)).dtype == minigrad.float64


def test_clamp_inplace_records_tensor_bounds():
    lo = leaf(2.0)
    x = minigrad.tensor([1.0, 3.0])
    x.clamp_(min=lo)
    assert x.requires_grad
    x.sum().backward()
    assert lo.grad.item() == 1.0


def test_maximum_minimum_pass_the_gradient_to_both_at_nan_and_split_ties():
    a, b = leaf([np.nan, 1.0, 2.0, 3.0]), leaf([1.0, np.nan, 2.0, 0.0])
    a.maximum(b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, 1.0, 0.5, 1.0])
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 1.0, 0.5, 0.0])
    a.grad = b.grad = None
    a.minimum(b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, 1.0, 0.5, 0.0])


@pytest.mark.parametrize("name", ["abs", "relu", "floor", "ceil", "round", "trunc"])
def test_bool_inputs_are_refused(name):
    with pytest.raises((RuntimeError, NotImplementedError), match=name):
        getattr(minigrad.tensor([True, False]), name)()


def test_unary_plus_on_bool_is_refused_and_round_decimals_needs_floats():
    with pytest.raises(RuntimeError, match="pos"):
        +minigrad.tensor([True])
    assert minigrad.tensor([1, 2]).round().tolist() == [1, 2]
    with pytest.raises(NotImplementedError, match="round"):
        minigrad.tensor([1, 2]).round(decimals=0)


def test_abs_and_sign_at_nan_and_relu_gradient_at_nan():
    x = leaf([np.nan, -2.0, 0.0, 3.0])
    assert minigrad.sign(x).tolist() == [0.0, -1.0, 0.0, 1.0]  # sign(NaN) = 0, as PyTorch
    x.abs().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, -1.0, 0.0, 1.0])
    x.grad = None
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 0.0, 0.0, 1.0])  # NaN passes it


def test_pow_dtypes_and_integer_errors():
    b = minigrad.tensor([True, False])
    assert (b ** True).dtype == minigrad.bool and (b ** 2).dtype == minigrad.int64
    with pytest.raises(NotImplementedError, match="pow"):
        b ** b
    with pytest.raises(NotImplementedError, match="pow"):
        True ** b
    with pytest.raises(RuntimeError, match="negative integer powers"):
        minigrad.tensor([1, 2]) ** -1
    assert (2 ** minigrad.tensor([-1, 2])).tolist() == [0, 4]
    assert ((-1) ** minigrad.tensor([-1, -2])).tolist() == [-1, 1]


def test_pow_gradients_at_zero():
    x = leaf([-1.0, 0.0, 1.0])
    (0.0 ** x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [-np.inf, 0.0, 0.0])  # PyTorch's values
    a, e = leaf([0.0, 2.0]), leaf([0.0, 0.0])
    (a ** e).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [0.0, 0.0])  # not 0 * 0^-1
    y = leaf([4.0, 9.0])
    w = y.clone()
    w.pow_(0.5)
    w.sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), [0.25, 1 / 6])


def test_float16_pow_half_is_c_pow():
    x = minigrad.tensor(np.array([-np.inf, 4.0], dtype=np.float16))
    assert (x ** 0.5).tolist() == [np.inf, 2.0]
