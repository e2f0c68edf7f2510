"""Tensor basics: creation, dtypes and promotion, conversion, printing, and bad input."""

import numpy as np
import pytest

import minigrad


def test_default_dtypes_follow_pytorch():
    assert minigrad.tensor([1.0, 2.0]).dtype == minigrad.float32
    assert minigrad.tensor([1, 2]).dtype == minigrad.int64
    assert minigrad.tensor([True]).dtype == minigrad.bool
    assert minigrad.tensor(np.zeros(2)).dtype == minigrad.float64  # keeps NumPy's dtype
    assert minigrad.zeros(2, 3).dtype == minigrad.float32
    assert minigrad.arange(5).dtype == minigrad.int64
    assert minigrad.arange(0, 1, 0.25).dtype == minigrad.float32
    assert minigrad.full((2,), 7).dtype == minigrad.int64


def test_creation_functions_shapes_and_values():
    assert minigrad.ones(2, 3).shape == (2, 3)
    assert minigrad.zeros((4,)).tolist() == [0.0] * 4
    assert minigrad.full((2, 2), 1.5).tolist() == [[1.5, 1.5], [1.5, 1.5]]
    assert minigrad.eye(3).numpy().trace() == 3
    np.testing.assert_allclose(minigrad.linspace(0, 1, 5).numpy(), [0, 0.25, 0.5, 0.75, 1])
    assert minigrad.arange(1, 10, 3).tolist() == [1, 4, 7]
    assert minigrad.empty(3, 2).shape == (3, 2)
    r = minigrad.randint(0, 5, (100,))
    assert r.dtype == minigrad.int64 and 0 <= r.min().item() and r.max().item() < 5
    like = minigrad.zeros_like(minigrad.ones(2, 2, dtype=minigrad.float64))
    assert like.dtype == minigrad.float64 and like.shape == (2, 2)
    assert minigrad.ones_like(r).dtype == minigrad.int64
    assert minigrad.full_like(r, 3).tolist() == [3] * 100
    assert minigrad.rand_like(like).shape == (2, 2)
    assert minigrad.randn_like(like).dtype == minigrad.float64


def test_from_numpy_shares_memory_and_tensor_copies():
    arr = np.zeros(3, dtype=np.float32)
    shared, copied = minigrad.from_numpy(arr), minigrad.tensor(arr)
    arr[0] = 5
    assert shared[0].item() == 5 and copied[0].item() == 0
    assert minigrad.as_tensor(arr).data is arr


def test_manual_seed_makes_draws_repeatable():
    minigrad.manual_seed(3)
    a = minigrad.randn(5)
    minigrad.manual_seed(3)
    assert minigrad.equal(a, minigrad.randn(5))


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


def test_casts_float_long_to_and_type_promotion():
    x = minigrad.tensor([1.7, -2.2])
    assert x.long().tolist() == [1, -2]
    assert x.double().dtype == minigrad.float64
    assert x.to(minigrad.float64).dtype == minigrad.float64
    assert x.to("cpu") is x
    i = minigrad.tensor([1, 2])
    assert (i + 0.5).dtype == minigrad.float32  # int tensor + Python float -> float32
    assert (i * 2).dtype == minigrad.int64
    assert (i / i).dtype == minigrad.float32
    assert (x + minigrad.tensor(1.0, dtype=minigrad.float64)).dtype == minigrad.float32
    assert (x + minigrad.ones(2, dtype=minigrad.float64)).dtype == minigrad.float64
    assert (x * 0.1).dtype == minigrad.float32  # no silent float64 upcast
    assert (x * np.float64(0.1)).dtype == minigrad.float32


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


def test_comparisons_give_bool_without_grad():
    x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    m = x > 1.5
    assert m.dtype == minigrad.bool and not m.requires_grad
    assert (~m).tolist() == [True, False, False]
    assert (m & (x < 2.5)).tolist() == [False, True, False]
    assert (m | (x < 1.5)).tolist() == [True, True, True]


def test_device_and_cuda_stand_ins():
    assert not minigrad.cuda.is_available()
    x = minigrad.ones(2, device="cpu")
    assert x.device == "cpu" and x.to(minigrad.device("cpu")) is x
    with pytest.raises(RuntimeError, match="CPU only"):
        x.to("cuda")


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


def test_backward_on_non_scalar_without_gradient_names_the_shape():
    y = minigrad.ones(2, 3, requires_grad=True) * 2
    pattern = r"only for scalar outputs \(output 0 has shape \(2, 3\)"
    with pytest.raises(RuntimeError, match=pattern):
        y.backward()


def test_backward_with_mismatched_gradient_shape():
    y = minigrad.ones(2, 3, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"grad_output\[0\] has a shape of \(3,\).*\(2, 3\)"):
        y.backward(minigrad.ones(3))


def test_backward_on_tensor_without_grad():
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        minigrad.ones(2).sum().backward()


def test_in_place_write_of_float_into_int_tensor_is_refused():
    t = minigrad.tensor([1, 2])
    with pytest.raises(RuntimeError, match=r"add_: cannot write .*int64.*\(2,\)"):
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
