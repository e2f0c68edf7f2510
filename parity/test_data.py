"""minigrad.utils.data against torch.utils.data: the same seeds give the same indices, batches
and generator state afterwards (needs torch)."""

import collections
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.utils.data as T  # noqa: E402

import minigrad  # noqa: E402
import minigrad.utils.data as M  # noqa: E402

SEEDS = [0, 1, 42, 2**40 + 3]
Point = collections.namedtuple("Point", ["x", "y"])


def both_seeded(seed):
    torch.manual_seed(seed)
    minigrad.manual_seed(seed)


def same_default_state():
    assert np.array_equal(minigrad.get_rng_state(), torch.get_rng_state().numpy())


def plain(obj):
    """Batches as nested Python/NumPy values; tensors become (dtype name, array)."""
    if isinstance(obj, (torch.Tensor, minigrad.Tensor)):
        arr = obj.detach().numpy() if isinstance(obj, torch.Tensor) else obj.data
        return ("tensor", str(arr.dtype), arr.shape, arr.tolist())
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return (type(obj).__name__, [plain(v) for v in obj])
    if isinstance(obj, dict):
        return {k: plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [plain(v) for v in obj])
    return obj


def loaders(n, **kw):
    return (T.DataLoader(T.TensorDataset(torch.arange(n)), **kw),
            M.DataLoader(M.TensorDataset(minigrad.arange(n)), **kw))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n,batch_size,drop_last", [(10, 3, False), (10, 3, True), (7, 7, False),
                                                    (1, 4, False), (100, 16, True),
                                                    (1000, 64, False)])
def test_shuffle_with_manual_seed_gives_torch_batches_over_two_epochs(seed, n, batch_size,
                                                                       drop_last):
    both_seeded(seed)
    tl, ml = loaders(n, batch_size=batch_size, shuffle=True, drop_last=drop_last)
    assert len(tl) == len(ml)
    for _ in range(2):
        assert plain(list(ml)) == plain(list(tl))
    same_default_state()
    assert minigrad.randn(5).tolist() == torch.randn(5).tolist()  # the stream continues alike


def test_readme_example_batches():
    both_seeded(0)
    tl, ml = loaders(10, batch_size=3, shuffle=True)
    got = [b[0].tolist() for b in ml]
    assert got == [b[0].tolist() for b in tl]
    assert got == [[6, 7, 1], [4, 2, 0], [9, 8, 3], [5]]


@pytest.mark.parametrize("seed", SEEDS)
def test_shuffle_with_explicit_generator(seed):
    both_seeded(123)  # the default generator must be left alone
    tg, mg = torch.Generator().manual_seed(seed), minigrad.Generator().manual_seed(seed)
    tl = T.DataLoader(T.TensorDataset(torch.arange(50)), batch_size=8, shuffle=True,
                      generator=tg)
    ml = M.DataLoader(M.TensorDataset(minigrad.arange(50)), batch_size=8, shuffle=True,
                      generator=mg)
    for _ in range(3):
        assert plain(list(ml)) == plain(list(tl))
    assert np.array_equal(mg.get_state(), tg.get_state().numpy())
    same_default_state()


def test_partial_epoch_then_new_iterator():
    both_seeded(5)
    tl, ml = loaders(20, batch_size=4, shuffle=True)
    ti, mi = iter(tl), iter(ml)
    assert plain([next(mi), next(mi)]) == plain([next(ti), next(ti)])
    assert plain(list(ml)) == plain(list(tl))
    assert plain(next(mi)) == plain(next(ti))
    same_default_state()


def test_unshuffled_loader_still_draws_the_base_seed():
    both_seeded(9)
    tl, ml = loaders(10, batch_size=4)
    assert plain(list(ml)) == plain(list(tl))
    same_default_state()


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("lengths", [[3, 7], [0.3, 0.3, 0.4], [0.5, 0.5], [1 / 3] * 3,
                                     [0.25, 0.75], [10, 0], [0.0, 1.0]])
def test_random_split_indices(seed, lengths):
    tg, mg = torch.Generator().manual_seed(seed), minigrad.Generator().manual_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch and minigrad both warn about [0.0, 1.0]
        ts = T.random_split(range(10), lengths, generator=tg)
        ms = M.random_split(range(10), lengths, generator=mg)
    assert [list(s.indices) for s in ms] == [list(s.indices) for s in ts]
    assert [list(s) for s in ms] == [list(s) for s in ts]


@pytest.mark.filterwarnings("ignore:Length of split")
def test_random_split_fraction_rounding_matches_torch():
    for n in range(1, 40):
        for fr in ([0.1, 0.2, 0.7], [0.33, 0.33, 0.34], [0.6, 0.4], [0.05] * 20):
            try:
                want = [len(s) for s in T.random_split(range(n), fr)]
            except ValueError:
                with pytest.raises(ValueError):
                    M.random_split(range(n), fr)
                continue
            assert [len(s) for s in M.random_split(range(n), fr)] == want


def test_random_split_with_default_generator():
    both_seeded(77)
    ts = T.random_split(T.TensorDataset(torch.arange(30)), [10, 20])
    ms = M.random_split(M.TensorDataset(minigrad.arange(30)), [10, 20])
    assert [list(s.indices) for s in ms] == [list(s.indices) for s in ts]
    same_default_state()


@pytest.mark.parametrize("num_samples", [1, 5, 32, 33, 100])
@pytest.mark.parametrize("use_generator", [False, True])
def test_random_sampler_with_replacement(num_samples, use_generator):
    both_seeded(3)
    tg = torch.Generator().manual_seed(11) if use_generator else None
    mg = minigrad.Generator().manual_seed(11) if use_generator else None
    t = list(T.RandomSampler(range(13), replacement=True, num_samples=num_samples, generator=tg))
    m = list(M.RandomSampler(range(13), replacement=True, num_samples=num_samples, generator=mg))
    assert m == t
    same_default_state()


@pytest.mark.parametrize("num_samples", [3, 13, 20, 26, 40])
def test_random_sampler_without_replacement_num_samples(num_samples):
    both_seeded(4)
    assert list(M.RandomSampler(range(13), num_samples=num_samples)) == \
        list(T.RandomSampler(range(13), num_samples=num_samples))
    same_default_state()


def test_subset_random_sampler():
    both_seeded(8)
    idx = [5, 9, 2, 40, 7, 11]
    assert list(M.SubsetRandomSampler(idx)) == list(T.SubsetRandomSampler(idx))
    tg, mg = torch.Generator().manual_seed(2), minigrad.Generator().manual_seed(2)
    assert list(M.SubsetRandomSampler(idx, mg)) == list(T.SubsetRandomSampler(idx, tg))
    same_default_state()


@pytest.mark.parametrize("replacement,num_samples", [(True, 1), (True, 7), (True, 200),
                                                     (False, 1), (False, 4), (False, 6)])
@pytest.mark.parametrize("seed", SEEDS)
def test_weighted_random_sampler(replacement, num_samples, seed):
    weights = [0.1, 0.9, 0.4, 0.7, 3.0, 0.6, 0.0, 0.2]  # 7 positive: no zero-weight ties
    both_seeded(seed)
    t = list(T.WeightedRandomSampler(weights, num_samples, replacement))
    m = list(M.WeightedRandomSampler(weights, num_samples, replacement))
    assert m == t
    same_default_state()


def test_sequential_and_batch_sampler():
    for drop_last in (False, True):
        t = list(T.BatchSampler(T.SequentialSampler(range(10)), 3, drop_last))
        m = list(M.BatchSampler(M.SequentialSampler(range(10)), 3, drop_last))
        assert m == t
        assert len(M.BatchSampler(range(10), 3, drop_last)) == len(t)


@pytest.mark.parametrize("kw", [dict(batch_size=4), dict(batch_size=4, drop_last=True),
                                dict(batch_size=None), dict(batch_size=1),
                                dict(batch_size=20, drop_last=True)])
def test_len_matches(kw):
    tl, ml = loaders(10, **kw)
    assert len(ml) == len(tl)
    assert plain(list(ml)) == plain(list(tl))


SAMPLES = {
    "ints": [1, 2, 3],
    "floats": [1.5, 2.0, -3.25],
    "bools": [True, False, True],
    "strings": ["a", "bb", "c"],
    "numpy_arrays": [np.arange(3, dtype=np.float32) + i for i in range(3)],
    "numpy_int_scalars": [np.int32(i) for i in range(3)],
    "numpy_float_scalars": [np.float64(i) / 3 for i in range(3)],
    "tuples": [(i, float(i), "s") for i in range(3)],
    "lists": [[i, i + 1] for i in range(3)],
    "dicts": [{"x": np.ones(2) * i, "y": i} for i in range(3)],
    "namedtuples": [Point(i, np.float32(i)) for i in range(3)],
    "nested": [{"a": (i, [i, 2.0]), "b": {"c": np.int64(i)}} for i in range(3)],
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_default_collate_matches_torch(name):
    batch = SAMPLES[name]
    assert plain(M.default_collate(batch)) == plain(T.default_collate(batch))


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_default_convert_matches_torch(name):
    for sample in SAMPLES[name]:
        assert plain(M.default_convert(sample)) == plain(T.default_convert(sample))


def test_collate_of_tensor_samples():
    tb = [(torch.full((2, 3), float(i)), torch.tensor(i)) for i in range(4)]
    mb = [(minigrad.full((2, 3), float(i)), minigrad.tensor(i)) for i in range(4)]
    assert plain(M.default_collate(mb)) == plain(T.default_collate(tb))


class _Stream(T.IterableDataset, M.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


@pytest.mark.parametrize("kw", [dict(batch_size=3), dict(batch_size=3, drop_last=True),
                                dict(batch_size=None), dict(batch_size=5)])
def test_iterable_dataset(kw):
    both_seeded(1)
    t, m = T.DataLoader(_Stream(10), **kw), M.DataLoader(_Stream(10), **kw)
    assert len(m) == len(t)
    assert plain(list(m)) == plain(list(t))
    same_default_state()


def test_num_workers_gives_the_same_batches():
    both_seeded(21)
    tl, ml = loaders(12, batch_size=5, shuffle=True, num_workers=2)
    assert plain(list(ml)) == plain(list(tl))
    same_default_state()
