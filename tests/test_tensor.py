"""Tensor (minigrad/tensor.py): scalar conversions and sizes, detach/clone and the
requires_grad flags, in-place writes, numpy(), deepcopy and pickling, and bad input
across the Tensor API (every error names the op and the shapes or values involved)."""

import pytest

import minigrad


def test_scalar_conversions_and_item():
    t = minigrad.tensor(2.5)
    assert t.item() == 2.5 and float(t) == 2.5 and f"{t:.2f}" == "2.50"
    assert int(minigrad.tensor(3)) == 3
    assert minigrad.tensor([[1, 2]]).tolist() == [[1, 2]]
    assert minigrad.tensor([1.0, 2.0]).numel() == 2
    assert minigrad.ones(2, 3).size() == (2, 3) and minigrad.ones(2, 3).size(-1) == 3
    assert minigrad.ones(2, 3).ndim == 2 and minigrad.ones(2, 3).dim() == 2


def test_detach_clone_and_requires_grad_flags():
    x = minigrad.ones(2, requires_grad=True)
    y = x * 2
    assert x.is_leaf and not y.is_leaf and y.requires_grad
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and d.data is y.data
    c = y.clone()
    assert c.data is not y.data and c.requires_grad
    z = minigrad.zeros(2).requires_grad_()
    assert z.requires_grad and z.is_leaf


# -- bad input: every error names the op and the shapes or values involved -----------------------
@pytest.mark.parametrize(
    "action, error, pattern",
    [
        (lambda: minigrad.ones(2, 3) + minigrad.ones(4), RuntimeError,
         r"add: the size of tensor a \(3\) must match the size of tensor b \(4\) at "
         r"non-singleton dimension 1 \(shapes \(2, 3\), \(4,\)\)"),
        (lambda: minigrad.ones(2, 3) * minigrad.ones(3, 2), RuntimeError, r"mul: .*\(3, 2\)"),
        (lambda: minigrad.ones(2, 3) @ minigrad.ones(4, 5), RuntimeError,
         r"matmul: cannot multiply \(2, 3\) by \(4, 5\)"),
        (lambda: minigrad.ones(2, 3).reshape(4, 2), RuntimeError,
         r"reshape: shape \[4, 2\] is invalid for input of size 6"),
        (lambda: minigrad.ones(2, 3).sum(dim=2), IndexError,
         r"sum: dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"),
        (lambda: minigrad.ones(3)[5], IndexError,
         r"getitem: index 5 is out of bounds for dimension 0 with size 3"),
        (lambda: minigrad.ones(3)[minigrad.tensor([0, 7])], IndexError, r"7.*size 3"),
        (lambda: minigrad.ones(2, 3).gather(1, minigrad.tensor([[0], [3]])), IndexError,
         r"gather: index 3 is out of bounds for dimension 1 with size 3"),
        (lambda: minigrad.cat([minigrad.ones(2, 3), minigrad.ones(2, 4)], dim=0), RuntimeError,
         r"cat: sizes of tensors must match except in dimension 0.*\(2, 3\).*\(2, 4\)"),
        (lambda: minigrad.stack([minigrad.ones(2), minigrad.ones(3)]), RuntimeError,
         r"stack: expects each tensor to be equal size"),
        (lambda: minigrad.ones(2, 3).expand(4, 3), RuntimeError, r"expand: .*\[4, 3\].*\[2, 3\]"),
        (lambda: minigrad.ones(2, 3).permute(0, 0), RuntimeError, r"permute: .*\(2, 3\)"),
        (lambda: minigrad.tensor([1, 2], requires_grad=True), RuntimeError,
         r"only Tensors of floating point dtype can require gradients"),
        (lambda: minigrad.tensor([1, 2]).requires_grad_(), RuntimeError, r"floating point"),
        (lambda: minigrad.ones(2, 3).item(), RuntimeError,
         r"item: a Tensor with 6 elements cannot be converted to Scalar"),
        (lambda: bool(minigrad.ones(2)), RuntimeError, r"ambiguous"),
        (lambda: minigrad.ones(2).masked_fill(minigrad.ones(2), 0.0), RuntimeError,
         r"masked_fill: expected a bool mask"),
        (lambda: minigrad.ones(2, dtype=minigrad.int64).mean(), RuntimeError,
         r"mean: .*floating point"),
        (lambda: minigrad.ones(2).matmul(minigrad.ones(2, dtype=minigrad.float64)), RuntimeError,
         r"matmul: expected both operands to have the same dtype"),
    ],
)
def test_bad_input_raises_a_clear_error(action, error, pattern):
    with pytest.raises(error, match=pattern):
        action()


def test_in_place_write_of_float_into_int_tensor_is_refused():
    t = minigrad.tensor([1, 2])
    message = r"add_: result type .*float32 can't be cast .*cannot write .*int64.*\(2,\)"
    with pytest.raises(RuntimeError, match=message):
        t.add_(0.5)


def test_numpy_on_tensor_requiring_grad_is_refused():
    with pytest.raises(RuntimeError, match="detach"):
        minigrad.ones(2, requires_grad=True).numpy()


def test_deepcopy_copies_leaves_and_refuses_non_leaves():
    import copy

    model = minigrad.nn.Sequential(minigrad.nn.Linear(2, 3))
    clone = copy.deepcopy(model)
    w, w2 = model[0].weight, clone[0].weight
    assert type(w2) is type(w) and w2 is not w and w2.data is not w.data
    assert minigrad.equal(w, w2) and w2.requires_grad
    with pytest.raises(RuntimeError, match="graph leaves"):
        copy.deepcopy(w * 2)


def test_pickling_a_tensor_is_refused():
    import pickle

    with pytest.raises(TypeError, match="minigrad.save"):
        pickle.dumps(minigrad.ones(2))
