"""Samplers: order, length, reproducibility, and the indices PyTorch draws for the same seed
(constants below were printed by torch 2.13 for the commented call)."""

import numpy as np
import pytest

import minigrad
from minigrad.utils.data import (
    BatchSampler,
    RandomSampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)


def gen(seed):
    return minigrad.Generator().manual_seed(seed)


def test_sequential_sampler():
    s = SequentialSampler(range(4))
    assert list(s) == [0, 1, 2, 3] and len(s) == 4


def test_random_sampler_is_a_permutation_and_matches_torch():
    # list(RandomSampler(range(8), generator=torch.Generator().manual_seed(0)))
    assert list(RandomSampler(range(8), generator=gen(0))) == [4, 0, 7, 3, 2, 5, 1, 6]
    order = list(RandomSampler(range(100), generator=gen(1)))
    assert sorted(order) == list(range(100)) and order != list(range(100))


def test_random_sampler_default_generator_seeds_a_fresh_generator():
    # torch.manual_seed(0); list(RandomSampler(range(8)))
    minigrad.manual_seed(0)
    assert list(RandomSampler(range(8))) == [2, 5, 4, 6, 1, 7, 0, 3]


def test_random_sampler_new_order_each_pass_same_for_same_seed():
    s = RandomSampler(range(20), generator=gen(5))
    first, second = list(s), list(s)
    assert first != second
    assert list(RandomSampler(range(20), generator=gen(5))) == first


def test_random_sampler_with_replacement():
    # list(RandomSampler(range(5), replacement=True, num_samples=7, generator=...seed(0)))
    s = RandomSampler(range(5), replacement=True, num_samples=7, generator=gen(0))
    assert len(s) == 7
    assert list(s) == [4, 4, 3, 0, 3, 4, 2]
    many = list(RandomSampler(range(3), replacement=True, num_samples=100, generator=gen(2)))
    assert len(many) == 100 and set(many) == {0, 1, 2}


def test_random_sampler_num_samples_beyond_len_repeats_permutations():
    out = list(RandomSampler(range(4), num_samples=10, generator=gen(0)))
    assert len(out) == 10
    assert sorted(out[:4]) == sorted(out[4:8]) == [0, 1, 2, 3]


def test_random_sampler_bad_arguments():
    with pytest.raises(TypeError, match="replacement should be a boolean"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples=0"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(ValueError, match="num_samples=0"):
        RandomSampler([])


def test_subset_random_sampler():
    # list(SubsetRandomSampler([10, 20, 30, 40], generator=...manual_seed(1)))
    s = SubsetRandomSampler([10, 20, 30, 40], generator=gen(1))
    assert len(s) == 4 and list(s) == [20, 40, 30, 10]


def test_weighted_random_sampler_matches_torch():
    w = [0.1, 0.9, 0.4, 0.7, 3.0, 0.6]
    # list(WeightedRandomSampler(w, 5, replacement=True/False, generator=...manual_seed(0)))
    assert list(WeightedRandomSampler(w, 5, True, generator=gen(0))) == [5, 4, 4, 5, 4]
    assert list(WeightedRandomSampler(w, 5, False, generator=gen(0))) == [4, 1, 2, 5, 3]


def test_weighted_random_sampler_follows_the_weights():
    draws = np.array(list(WeightedRandomSampler([0.0, 1.0, 3.0], 4000, generator=gen(3))))
    assert not np.any(draws == 0)
    assert abs(np.mean(draws == 2) - 0.75) < 0.03
    no_repeat = list(WeightedRandomSampler([1.0, 0.0, 2.0, 5.0], 3, replacement=False,
                                           generator=gen(4)))
    assert sorted(no_repeat) == [0, 2, 3]


def test_weighted_random_sampler_bad_arguments():
    with pytest.raises(ValueError, match="num_samples=0"):
        WeightedRandomSampler([1.0], 0)
    with pytest.raises(ValueError, match="replacement should be a boolean"):
        WeightedRandomSampler([1.0], 1, replacement="yes")
    with pytest.raises(ValueError, match=r"1d sequence.*\(2, 2\)"):
        WeightedRandomSampler([[1.0, 2.0], [3.0, 4.0]], 1)
    with pytest.raises(RuntimeError, match="non-negative"):
        list(WeightedRandomSampler([1.0, -1.0], 2))
    with pytest.raises(RuntimeError, match="num_samples=3 > len\\(weights\\)=2"):
        list(WeightedRandomSampler([1.0, 1.0], 3, replacement=False))


@pytest.mark.parametrize("drop_last,want", [(False, [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]),
                                            (True, [[0, 1, 2], [3, 4, 5], [6, 7, 8]])])
def test_batch_sampler(drop_last, want):
    s = BatchSampler(SequentialSampler(range(10)), 3, drop_last)
    assert list(s) == want and len(s) == len(want)


def test_batch_sampler_bad_arguments():
    with pytest.raises(ValueError, match="batch_size=0"):
        BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match="batch_size=True"):
        BatchSampler(range(3), True, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean"):
        BatchSampler(range(3), 2, None)
