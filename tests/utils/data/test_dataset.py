"""Datasets (minigrad/utils/data/dataset.py): TensorDataset, ConcatDataset, Subset,
random_split."""

import numpy as np
import pytest

import minigrad
from minigrad.utils.data import ConcatDataset, Dataset, Subset, TensorDataset, random_split


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return i * i

    def __len__(self):
        return self.n


def test_tensor_dataset_indexes_every_tensor_along_dim_0():
    x = minigrad.arange(12).reshape(4, 3)
    y = minigrad.tensor([10, 11, 12, 13])
    ds = TensorDataset(x, y)
    assert len(ds) == 4
    xi, yi = ds[2]
    assert xi.tolist() == [6, 7, 8] and yi.item() == 12
    assert [t.tolist() for t in ds[1:3]] == [[[3, 4, 5], [6, 7, 8]], [11, 12]]


def test_tensor_dataset_size_mismatch_names_the_sizes():
    with pytest.raises(ValueError, match=r"size mismatch.*\[4, 3\]"):
        TensorDataset(minigrad.zeros(4, 2), minigrad.zeros(3))


def test_tensor_dataset_rejects_non_tensors_and_scalars():
    with pytest.raises(TypeError, match="argument 1"):
        TensorDataset(minigrad.zeros(3), [1, 2, 3])
    with pytest.raises(TypeError, match="0-d"):
        TensorDataset(minigrad.tensor(1.0))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()


def test_concat_dataset_and_add():
    a, b = Squares(3), Squares(2)
    both = a + b
    assert isinstance(both, ConcatDataset)
    assert len(both) == 5 and both.cumulative_sizes == [3, 5]
    assert [both[i] for i in range(5)] == [0, 1, 4, 0, 1]
    assert both[-1] == 1 and both[-5] == 0
    with pytest.raises(IndexError, match="out of range"):
        both[5]
    with pytest.raises(ValueError, match="out of range"):
        both[-6]
    with pytest.raises(ValueError, match="empty"):
        ConcatDataset([])


def test_subset_picks_indices_in_order():
    sub = Subset(Squares(10), [7, 2, 5])
    assert len(sub) == 3
    assert [sub[i] for i in range(3)] == [49, 4, 25]
    assert sub.__getitems__([2, 0]) == [25, 49]


@pytest.mark.parametrize("lengths,sizes", [
    ([3, 7], [3, 7]), ([0.3, 0.3, 0.4], [3, 3, 4]), ([0.5, 0.5], [5, 5]),
    ([1 / 3] * 3, [4, 3, 3]),  # floor gives 3 each; the 1 left over goes to the first
    ([0.25, 0.75], [3, 7]),    # floor gives 2 and 7; the 1 left over goes to the first
])
def test_random_split_sizes_are_disjoint_and_cover(lengths, sizes):
    parts = random_split(Squares(10), lengths, generator=minigrad.Generator().manual_seed(0))
    assert [len(p) for p in parts] == sizes
    idx = [i for p in parts for i in p.indices]
    assert sorted(idx) == list(range(10))


def test_random_split_is_reproducible_with_a_seeded_generator():
    def split(seed):
        parts = random_split(range(20), [5, 15], generator=minigrad.Generator().manual_seed(seed))
        return [list(p.indices) for p in parts]

    assert split(3) == split(3)
    assert split(3) != split(4)
    minigrad.manual_seed(3)
    assert [list(p.indices) for p in random_split(range(20), [5, 15])] == split(3)


def test_random_split_known_torch_indices():
    # torch.utils.data.random_split(range(10), [3, 7], generator=torch.Generator().manual_seed(42))
    parts = random_split(range(10), [3, 7], generator=minigrad.Generator().manual_seed(42))
    assert [list(p) for p in parts] == [[2, 6, 1], [8, 4, 5, 0, 9, 3, 7]]


def test_random_split_bad_lengths():
    with pytest.raises(ValueError, match=r"sum of input lengths \(9\).*\(10\)"):
        random_split(range(10), [4, 5])
    with pytest.raises(ValueError, match=r"fraction at index 0 .*1.5"):
        random_split(range(10), [1.5, -0.5])
    with pytest.raises(ValueError, match="non-negative ints"):
        random_split(range(10), [0.5, 9.5])


def test_random_split_warns_on_an_empty_fraction_split():
    with pytest.warns(UserWarning, match="index 0 is 0"):
        parts = random_split(range(3), [0.0, 1.0])
    assert [len(p) for p in parts] == [0, 3]


def test_random_split_accepts_numpy_ints():
    parts = random_split(range(6), np.array([2, 4]))
    assert [len(p) for p in parts] == [2, 4]
