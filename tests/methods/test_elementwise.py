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
