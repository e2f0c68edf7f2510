"""Tensor repr (minigrad/_printing.py) looks like PyTorch's."""

import minigrad


def test_repr_looks_like_pytorch():
    assert repr(minigrad.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(minigrad.tensor([0.5, 1.25])) == "tensor([0.5000, 1.2500])"
    assert repr(minigrad.tensor([1, 2])) == "tensor([1, 2])"
    x = minigrad.tensor([1.0], requires_grad=True)
    assert repr(x) == "tensor([1.], requires_grad=True)"
    assert "grad_fn=<MulBackward0>" in repr(x * x)
    assert repr(minigrad.tensor([1.0], dtype=minigrad.float64)) == \
        "tensor([1.], dtype=minigrad.float64)"
    assert repr(minigrad.ones(2).shape) == "minigrad.Size([2])"
