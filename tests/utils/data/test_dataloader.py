"""DataLoader and default_collate: batch shapes, lengths, collation of containers and numbers,
shuffling reproducibility (constants printed by torch 2.13 for the commented call), errors."""

import collections

import numpy as np
import pytest

import minigrad
from minigrad.utils.data import (
    DataLoader,
    Dataset,
    IterableDataset,
    SequentialSampler,
    TensorDataset,
    default_collate,
    default_convert,
    get_worker_info,
)

Point = collections.namedtuple("Point", ["x", "y"])


class Records(Dataset):
    """Samples of any shape: a function of the index."""

    def __init__(self, n, make):
        self.n, self.make = n, make

    def __getitem__(self, i):
        return self.make(i)

    def __len__(self):
        return self.n


class Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


def xy(n=10, features=3):
    x = minigrad.arange(n * features, dtype=minigrad.float32).reshape(n, features)
    return TensorDataset(x, minigrad.arange(n))


def test_batches_have_the_right_shapes_and_dtypes():
    batches = list(DataLoader(xy(), batch_size=4))
    assert [tuple(b[0].shape) for b in batches] == [(4, 3), (4, 3), (2, 3)]
    assert [tuple(b[1].shape) for b in batches] == [(4,), (4,), (2,)]
    assert batches[0][0].dtype == minigrad.float32 and batches[0][1].dtype == minigrad.int64
    assert isinstance(batches[0], list)  # tuples collate to lists, as in PyTorch
    assert batches[2][1].tolist() == [8, 9]
    assert np.array_equal(batches[1][0].data, np.arange(12, 24).reshape(4, 3))


@pytest.mark.parametrize("n,bs,drop_last,want", [(10, 4, False, 3), (10, 4, True, 2),
                                                 (8, 4, False, 2), (8, 4, True, 2),
                                                 (3, 5, False, 1), (3, 5, True, 0)])
def test_len_with_and_without_drop_last(n, bs, drop_last, want):
    loader = DataLoader(xy(n), batch_size=bs, drop_last=drop_last)
    assert len(loader) == want == len(list(loader))


def test_batch_size_none_yields_single_converted_samples():
    loader = DataLoader(Records(3, lambda i: np.array([i, i])), batch_size=None)
    out = list(loader)
    assert len(loader) == 3 and all(isinstance(t, minigrad.Tensor) for t in out)
    assert out[2].tolist() == [2, 2]


def test_collate_numbers():
    ints = default_collate([1, 2, 3])
    floats = default_collate([1.5, 2.0])
    bools = default_collate([True, False])
    assert ints.dtype == minigrad.int64 and ints.tolist() == [1, 2, 3]
    assert floats.dtype == minigrad.float64 and floats.tolist() == [1.5, 2.0]
    assert bools.dtype == minigrad.bool and bools.tolist() == [True, False]
    f32 = default_collate([np.float32(0.5), np.float32(1.5)])
    assert f32.dtype == minigrad.float32 and f32.tolist() == [0.5, 1.5]


def test_collate_numpy_arrays_stack_into_tensors():
    out = default_collate([np.ones((2, 2), dtype=np.float32) * i for i in range(3)])
    assert out.shape == (3, 2, 2) and out.dtype == minigrad.float32
    assert out.data[:, 0, 0].tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(TypeError, match="default_collate: batch must contain"):
        default_collate([np.array(["a"]), np.array(["b"])])


def test_collate_tuples_dicts_namedtuples_and_strings():
    batch = [{"img": np.full(2, i, dtype=np.float32), "label": i, "name": f"s{i}",
              "pair": (i, 2.0 * i), "pt": Point(i, [i, -i])} for i in range(3)]
    out = default_collate(batch)
    assert set(out) == {"img", "label", "name", "pair", "pt"}
    assert out["img"].shape == (3, 2)
    assert out["label"].tolist() == [0, 1, 2]
    assert out["name"] == ["s0", "s1", "s2"]
    assert isinstance(out["pair"], list) and out["pair"][1].tolist() == [0.0, 2.0, 4.0]
    assert isinstance(out["pt"], Point) and out["pt"].x.tolist() == [0, 1, 2]
    assert [t.tolist() for t in out["pt"].y] == [[0, 1, 2], [0, -1, -2]]


def test_collate_errors_name_the_problem():
    with pytest.raises(RuntimeError, match=r"equal size, got sizes \[1, 2\]"):
        default_collate([[1], [1, 2]])
    with pytest.raises(TypeError, match="found <class 'object'>"):
        default_collate([object(), object()])
    with pytest.raises(RuntimeError, match="stack"):
        default_collate([minigrad.zeros(2), minigrad.zeros(3)])


def test_collate_keeps_gradients_of_samples_that_require_grad():
    w = minigrad.ones(2, requires_grad=True)
    batch = default_collate([w * 2.0, w * 3.0])
    batch.sum().backward()
    assert w.grad.tolist() == [5.0, 5.0]


def test_default_convert():
    assert default_convert(3) == 3
    out = default_convert((np.arange(2), "x"))
    assert isinstance(out, list) and out[0].tolist() == [0, 1] and out[1] == "x"


def test_shuffle_matches_torch_for_manual_seed():
    # torch.manual_seed(0)
    # [b[0].tolist() for b in DataLoader(TensorDataset(torch.arange(10)), 3, shuffle=True)]
    minigrad.manual_seed(0)
    loader = DataLoader(TensorDataset(minigrad.arange(10)), batch_size=3, shuffle=True)
    assert [b[0].tolist() for b in loader] == [[6, 7, 1], [4, 2, 0], [9, 8, 3], [5]]


def test_shuffle_is_reproducible_and_changes_each_epoch():
    def epochs(seed):
        loader = DataLoader(xy(30), batch_size=7, shuffle=True,
                            generator=minigrad.Generator().manual_seed(seed))
        return [[b[1].tolist() for b in loader] for _ in range(2)]

    a = epochs(1)
    assert a == epochs(1)
    assert a[0] != a[1]
    assert sorted(sum(a[0], [])) == list(range(30))


def test_shuffle_with_a_generator_leaves_the_default_generator_alone():
    minigrad.manual_seed(0)
    before = minigrad.get_rng_state()
    list(DataLoader(xy(), shuffle=True, generator=minigrad.Generator().manual_seed(3)))
    assert np.array_equal(minigrad.get_rng_state(), before)


def test_sampler_and_batch_sampler_arguments():
    loader = DataLoader(xy(6), batch_size=2, sampler=[5, 4, 3, 2, 1, 0])
    assert [b[1].tolist() for b in loader] == [[5, 4], [3, 2], [1, 0]]
    loader = DataLoader(xy(6), batch_sampler=[[0, 5], [1], [2, 3, 4]])
    assert [b[1].tolist() for b in loader] == [[0, 5], [1], [2, 3, 4]]
    assert len(loader) == 3


def test_custom_collate_fn():
    loader = DataLoader(Records(5, lambda i: i), batch_size=2, collate_fn=sum)
    assert list(loader) == [1, 5, 4]


def test_iterable_dataset_batches_in_stream_order():
    assert [b.tolist() for b in DataLoader(Stream(7), batch_size=3)] == [[0, 1, 2], [3, 4, 5],
                                                                         [6]]
    loader = DataLoader(Stream(7), batch_size=3, drop_last=True)
    assert len(loader) == 2 and len(list(loader)) == 2
    assert list(DataLoader(Stream(2), batch_size=None)) == [0, 1]


def test_num_workers_runs_in_process_with_the_same_batches():
    minigrad.manual_seed(4)
    a = [b[1].tolist() for b in DataLoader(xy(), batch_size=3, shuffle=True)]
    minigrad.manual_seed(4)
    b = [b[1].tolist() for b in DataLoader(xy(), batch_size=3, shuffle=True, num_workers=2,
                                           persistent_workers=True)]
    assert a == b
    assert get_worker_info() is None


@pytest.mark.parametrize("kw,match", [
    (dict(num_workers=-1), "num_workers option should be non-negative"),
    (dict(shuffle=True, sampler=SequentialSampler(range(10))), "mutually exclusive with shuffle"),
    (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler option is mutually exclusive"),
    (dict(batch_size=None, drop_last=True), "batch_size=None"),
    (dict(batch_size=0), "batch_size=0"),
    (dict(prefetch_factor=2), "prefetch_factor"),
    (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
    (dict(timeout=-1), "timeout"),
])
def test_bad_arguments(kw, match):
    with pytest.raises(ValueError, match=match):
        DataLoader(xy(), **kw)


def test_iterable_dataset_rejects_shuffle_and_samplers():
    with pytest.raises(ValueError, match="shuffle=True"):
        DataLoader(Stream(3), shuffle=True)
    with pytest.raises(ValueError, match="sampler"):
        DataLoader(Stream(3), sampler=[0, 1])
