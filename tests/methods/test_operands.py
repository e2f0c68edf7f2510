"""Operands and argument checks (minigrad/methods/operands.py): Python ints wrap into narrow
integer dtypes, bool subtraction and bad alphas are refused, in-place results may not move
down a category or grow, clamp bounds mix only as PyTorch allows, true division of integers."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from tests.helpers import leaf


def _u8(values):
    return minigrad.tensor(np.array(values, dtype=np.uint8))


def test_python_int_wraps_into_uint8_as_pytorch():
    u = _u8([1, 200])
    assert (u + 300).tolist() == [45, 244]  # 300 wraps to 44
    assert (u - (-3)).tolist() == [4, 203]
    assert (u * -1).tolist() == [255, 56]
    assert (u == 256).tolist() == [False, False]  # 256 wraps to 0
    assert (u + 300).dtype == minigrad.uint8


def test_integer_true_division_by_a_number_keeps_its_value():
    u = _u8([6, 9])
    np.testing.assert_allclose(u.div(-3).numpy(), [-2.0, -3.0])
    np.testing.assert_allclose((-3 / u).numpy(), [-0.5, -1 / 3], rtol=1e-6)
    np.testing.assert_allclose(u.div(minigrad.tensor(-3)).numpy(), [-2.0, -3.0])


@pytest.mark.parametrize("call", [
    lambda b, x: b - b, lambda b, x: x - True, lambda b, x: True - x, lambda b, x: b.sub(1),
    lambda b, x: 1 - b, lambda b, x: x.sub(b, alpha=2), lambda b, x: x.clone().sub_(b)])
def test_subtraction_with_a_bool_operand_is_refused(call):
    b, x = minigrad.tensor([True, False]), minigrad.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="Subtraction"):
        call(b, x)


def test_alpha_checks():
    i = minigrad.tensor([1, 2])
    with pytest.raises(RuntimeError, match="alpha must not be a floating point"):
        i.add(1, alpha=0.5)
    with pytest.raises(RuntimeError, match="Boolean alpha"):
        minigrad.tensor([1.0]).add(1, alpha=True)
    with pytest.raises(RuntimeError, match="cannot be converted"):
        _u8([1]).add(1, alpha=300)
    b = minigrad.tensor([True, False])
    out = b.add(b, alpha=2)
    assert out.dtype == minigrad.bool and out.tolist() == [True, False]
    assert i.add(1.0, alpha=0.5).tolist() == [1.5, 2.5]


def test_add_with_alpha_gradient():
    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    x.sub(y, alpha=0.5).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 1.0])
    np.testing.assert_allclose(y.grad.numpy(), [-0.5, -0.5])


def test_inplace_result_may_not_move_down_a_category_or_grow():
    i = minigrad.tensor([1, 2])
    with pytest.raises(RuntimeError, match="can't be cast"):
        i.add_(minigrad.tensor([0.5, 0.5]))
    with pytest.raises(RuntimeError, match="can't be cast"):
        i.mul_(2.5)
    with pytest.raises(RuntimeError, match="can't be cast"):
        i.div_(2)
    with pytest.raises(RuntimeError, match="broadcast shape"):
        minigrad.tensor([1.0, 2.0]).pow_(minigrad.tensor([[1.0, 2.0]]))
    u = _u8([1, 9])
    assert u.pow_(minigrad.tensor(-3)).tolist() == [1, 105]  # -3 wraps to 253, as PyTorch


def test_clamp_argument_checks():
    x = minigrad.tensor([1.0, 5.0])
    with pytest.raises(RuntimeError, match="At least one"):
        x.clamp()
    with pytest.raises(RuntimeError, match="At least one"):
        x.clone().clamp_(None, None)
    with pytest.raises(TypeError, match="invalid combination"):
        x.clamp(minigrad.tensor([2.0]), 4)  # a non-0-d tensor with a number
    with pytest.raises(TypeError, match="invalid combination"):
        x.clamp(minigrad.tensor(2.0, requires_grad=True), 4.0)
    assert x.clamp(minigrad.tensor(2.0), 4).tolist() == [2.0, 4.0]  # a 0-d tensor reads as 2.0
    assert _u8([1, 200]).clamp(-3).tolist() == [253, 253]  # -3 wraps, as PyTorch
    with pytest.raises(RuntimeError, match="without overflow"):
        _u8([1]).clamp(256)
    with pytest.raises(RuntimeError, match="can't be cast"):
        _u8([1]).clamp_(2.5)
    assert minigrad.tensor([True]).clamp(0).dtype == minigrad.int64


def test_maximum_and_logic_refuse_numbers():
    x = minigrad.tensor([1.0, 2.0])
    for call in (lambda: x.maximum(2), lambda: minigrad.minimum(x, 2.0),
                 lambda: x.logical_and(True), lambda: x.logical_or(np.array([1, 0]))):
        with pytest.raises(TypeError, match="must be Tensor"):
            call()
