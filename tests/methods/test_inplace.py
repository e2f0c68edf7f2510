"""In-place ops under autograd (minigrad/methods/inplace.py): writes land in the tensor's own
memory, the graph records them on non-leaves and through views (the base is rebased), leaves
that require grad refuse them, and the version counter catches saved tensors they overwrite."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.methods.inplace import scalar_for


def _leaf(values):
    return minigrad.tensor(np.array(values, dtype=np.float64), requires_grad=True)


def test_zero_and_fill_on_a_clone_are_recorded():
    for op in (lambda c: c.zero_(), lambda c: c.fill_(3.0)):
        x = _leaf([1.0, 2.0])
        c = x.clone()
        op(c)
        c.sum().backward()
        np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])
        assert c.grad_fn is not None


def test_fill_with_a_0d_tensor_passes_its_gradient_on():
    value = _leaf(2.0)
    c = minigrad.zeros(3, dtype=minigrad.float64)
    c.fill_(value)
    c.sum().backward()
    assert value.grad.item() == 3.0


def test_setitem_on_a_0d_clone_is_recorded():
    x = _leaf(2.0)
    c = x.clone()
    c[...] = 1.0
    c.backward()
    assert c.item() == 1.0 and x.grad.item() == 0.0


def test_in_place_through_a_view_rebases_the_base_and_its_other_views():
    a = _leaf([[1.0, 2.0], [3.0, 4.0]])
    y = _leaf([5.0, 6.0])
    b = a * 1
    row, col = b[0], b[:, 0]
    row.mul_(y)  # b is now [[5, 12], [3, 4]]; col (made before) sees the new values
    np.testing.assert_array_equal(b.data, [[5.0, 12.0], [3.0, 4.0]])
    np.testing.assert_array_equal(col.data, [5.0, 3.0])
    loss = (col * col).sum() + (b**2).sum()
    loss.backward()
    # d/da: row 0 goes through the product with y, col's entry (0, 0) counts twice
    np.testing.assert_array_equal(a.grad.data, [[100.0, 144.0], [12.0, 8.0]])
    np.testing.assert_array_equal(y.grad.data, [20.0, 48.0])


def test_a_tensor_without_grad_written_through_a_view_starts_requiring_grad():
    x = _leaf([1.0, 2.0])
    z = minigrad.zeros(3, dtype=minigrad.float64)
    z[1:] = x * 2
    assert z.requires_grad and z.grad_fn is not None
    (z * minigrad.tensor([1.0, 2.0, 3.0], dtype=minigrad.float64)).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [4.0, 6.0])


def test_a_view_made_before_an_in_place_op_on_its_base_follows_the_new_history():
    x = _leaf([1.0, 2.0, 3.0])
    c = x.clone()
    head = c[:2]
    c.mul_(2.0)
    np.testing.assert_array_equal(head.data, [2.0, 4.0])
    head.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0, 0.0])


def test_in_place_on_a_leaf_or_a_view_of_a_leaf_that_requires_grad_raises():
    x = _leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="mul_: a leaf Variable that requires grad"):
        x.mul_(2.0)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[:1].mul_(2.0)
    with minigrad.no_grad():
        x.mul_(2.0)  # allowed without recording, as in an optimizer step
    np.testing.assert_array_equal(x.data, [2.0, 4.0])


def test_a_saved_tensor_changed_in_place_is_caught_at_backward():
    x = _leaf([1.0, 2.0])
    y = x * 1
    z = y.exp()  # saves its output
    z.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_writing_into_an_expanded_view_raises_naming_the_op():
    x = minigrad.ones(1, 3).expand(2, 3)
    with pytest.raises(RuntimeError, match="add_: unsupported operation: more than one element"):
        x.add_(1.0)


def test_in_place_results_keep_the_tensor_dtype_and_refuse_unsafe_casts():
    i = minigrad.tensor([1, 2])
    with pytest.raises(RuntimeError, match="add_: result type .* can't be cast to the desired"):
        i.add_(0.5)
    f = minigrad.zeros(2)
    f.add_(minigrad.ones(2, dtype=minigrad.float64))
    assert f.dtype == minigrad.float32


def test_in_place_cast_rule_is_pytorch_can_cast():
    u = minigrad.zeros((), dtype=minigrad.uint8)
    u += minigrad.tensor(3)  # int64 into uint8 is allowed
    assert u.item() == 3
    with pytest.raises(RuntimeError, match="add_: result type .* can't be cast"):
        minigrad.zeros(2, dtype=minigrad.bool).add_(minigrad.tensor(2))
    with pytest.raises(RuntimeError, match="clamp_: result type .* can't be cast"):
        minigrad.zeros(2, dtype=minigrad.int32).clamp_(min=0.5)


def test_scalar_for_wraps_truncates_and_raises_as_pytorch():
    assert scalar_for(-2, np.dtype(np.uint8), "fill_") == 254
    assert scalar_for(2.7, np.dtype(np.int64), "fill_") == 2
    assert scalar_for(5, np.dtype(np.bool_), "fill_")
    for value, dtype in [(-2.29, np.uint8), (float("nan"), np.int64), (300, np.uint8),
                         (1e6, np.float16), (1e300, np.float32)]:
        with pytest.raises(RuntimeError, match="fill_: value .* cannot be converted"):
            scalar_for(value, np.dtype(dtype), "fill_")
    assert np.isinf(scalar_for(float("inf"), np.dtype(np.float16), "fill_"))


def test_fill_checks_the_number_and_int_results_of_grad_inputs_require_grad():
    with pytest.raises(RuntimeError, match="fill_: value nan cannot be converted"):
        minigrad.zeros(2, dtype=minigrad.int64).fill_(float("nan"))
    assert minigrad.zeros(2, dtype=minigrad.uint8).fill_(-2).tolist() == [254, 254]
    a = minigrad.zeros(2, dtype=minigrad.int64)
    a[0:2] = minigrad.tensor(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="autograd does not support"):
        (a.to(minigrad.float32) * 1.0).sum().backward()
