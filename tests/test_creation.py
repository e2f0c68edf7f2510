"""Creation functions (minigrad/creation.py): PyTorch's default dtypes, shapes and values,
from_numpy sharing memory while tensor() copies, and multinomial."""

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


def test_multinomial_shapes_ranges_and_seeding():
    probs = minigrad.tensor([[0.1, 0.0, 0.9], [0.5, 0.5, 0.0]])
    minigrad.manual_seed(1)
    draws = minigrad.multinomial(probs, 200, replacement=True)
    assert draws.shape == (2, 200) and draws.dtype == minigrad.int64
    assert not (draws[0] == 1).any().item() and not (draws[1] == 2).any().item()
    assert 0.8 < (draws[0] == 2).float().mean().item() < 1.0
    minigrad.manual_seed(1)
    assert minigrad.equal(draws, minigrad.multinomial(probs, 200, replacement=True))
    without = minigrad.multinomial(probs, 2)
    assert all(len(set(row)) == 2 for row in without.tolist())
    with pytest.raises(RuntimeError, match="cannot sample 4 > 3"):
        minigrad.multinomial(probs, 4)


def test_isclose_and_allclose_need_matching_dtypes() -> None:
    a = minigrad.tensor([1.0, 2.0])
    b = minigrad.tensor(np.array([1.0, 2.5]))
    for fn in (minigrad.isclose, minigrad.allclose):
        with pytest.raises(RuntimeError, match="isclose"):
            fn(a, b)
    assert minigrad.isclose(a, a.double().float()).tolist() == [True, True]
    assert minigrad.allclose(minigrad.tensor([True]), minigrad.tensor([True]))


def test_linspace_refuses_a_negative_number_of_steps():
    with pytest.raises(RuntimeError, match="linspace: number of steps must be non-negative"):
        minigrad.linspace(0, 1, -1)
    assert minigrad.linspace(0, 1, 0).shape == (0,)
