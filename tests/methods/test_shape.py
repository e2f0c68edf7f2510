"""Shape methods (minigrad/methods/shape.py): PyTorch's argument rules (a size is required,
flip takes varargs, mT of a 0-d tensor is the identity) and size-0 flatten/unflatten."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from tests.helpers import leaf


@pytest.mark.parametrize("op", ["reshape", "view", "permute", "expand", "repeat", "flip",
                                "new_zeros", "new_ones", "new_empty"])
def test_methods_without_a_size_raise_type_error(op: str) -> None:
    with pytest.raises(TypeError, match=op):
        getattr(leaf(np.ones(())), op)()


@pytest.mark.parametrize("fn", ["zeros", "ones", "empty", "rand", "randn"])
def test_factories_without_a_size_raise_but_the_empty_shape_is_0d(fn: str) -> None:
    with pytest.raises(TypeError, match=fn):
        getattr(minigrad, fn)()
    assert getattr(minigrad, fn)(()).shape == ()


def test_zero_dim_permute_reshape_and_backward_still_work() -> None:
    x = leaf(np.array(2.0))
    y = x.permute(()).reshape(())
    y.backward()
    assert x.grad.item() == 1.0


def test_flip_takes_dims_as_varargs_or_a_list() -> None:
    a = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(leaf(a).flip(1, 0).data, a[::-1, ::-1])
    np.testing.assert_array_equal(leaf(a).flip([1]).data, a[:, ::-1])
    np.testing.assert_array_equal(leaf(a).flip(0).data, a[::-1])


def test_mt_of_0d_is_the_identity_and_of_1d_raises() -> None:
    assert leaf(np.array(3.0)).mT.item() == 3.0
    with pytest.raises(RuntimeError, match="mT"):
        _ = leaf(np.ones(3)).mT


def test_flatten_and_unflatten_of_an_empty_tensor() -> None:
    x = leaf(np.ones((2, 0, 4)))
    assert x.flatten(end_dim=0).shape == (2, 0, 4)
    assert x.flatten(-2, 2).shape == (2, 0)
    assert leaf(np.ones((2, 2, 2, 0))).unflatten(-3, [1, 1, 1, -1]).shape == (2, 1, 1, 1, 2, 2, 0)


def test_unflatten_checks_the_sizes() -> None:
    with pytest.raises(RuntimeError, match="unflatten"):
        leaf(np.ones((3, 2))).unflatten(-1, [1, 3, 1])
    with pytest.raises(RuntimeError, match="unflatten"):
        leaf(np.ones((3, 2))).unflatten(-1, [])
    assert leaf(np.ones((3, 6))).unflatten(1, [2, -1]).shape == (3, 2, 3)
