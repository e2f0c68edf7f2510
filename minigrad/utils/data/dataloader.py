"""DataLoader and the collate functions that turn a list of samples into a batch.

Loading always runs in the calling process: `num_workers > 0` is accepted (and validated like
PyTorch's) but the batches are produced in-process, in the same order as PyTorch's default
`in_order=True`; `worker_init_fn` is never called and `get_worker_info()` is always None, as in
PyTorch's main process. Random draws happen in PyTorch's order: each `iter(loader)` takes one
int64 (PyTorch's worker base seed) from the loader's generator, then the sampler draws its own.
"""

from __future__ import annotations

import collections.abc
import copy
import itertools
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from minigrad import creation
from minigrad.tensor import Tensor
from minigrad.utils.data.dataset import Dataset, IterableDataset
from minigrad.utils.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    random_int64,
)

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]

_STR_OR_OBJECT = re.compile(r"[SaUO]")  # NumPy dtype codes that cannot become tensors
_COLLATE_ERR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
                "lists; found {}")


def get_worker_info() -> None:
    """Always None: minigrad loads in the main process (PyTorch returns None there too)."""
    return None


def _stack(batch: Sequence) -> Tensor:
    first = batch[0]
    if all(isinstance(t, Tensor) and t.data.shape == first.data.shape and
           t.data.dtype == first.data.dtype and not t.requires_grad for t in batch):
        return creation.from_numpy(np.stack([t.data for t in batch]))  # no graph to record
    return creation.stack(batch, 0)  # records gradients; names the shapes on a mismatch


def _rebuild(elem: Any, items: Any, mutable_abc: type) -> Any:
    """A container like elem holding items (PyTorch's clone-and-update, list as a fallback)."""
    try:
        if isinstance(elem, collections.abc.Mapping):
            if isinstance(elem, mutable_abc):
                clone = copy.copy(elem)
                clone.update(items)
                return clone
            return type(elem)(items)
        if isinstance(elem, mutable_abc):
            clone = copy.copy(elem)
            for i, item in enumerate(items):
                clone[i] = item
            return clone
        return type(elem)(items)
    except TypeError:  # the container cannot be copied or built from items
        return dict(items) if isinstance(elem, collections.abc.Mapping) else list(items)


def default_collate(batch: Sequence) -> Any:
    """Merge a list of samples into a batch, recursing into containers like PyTorch.

    Tensors and NumPy arrays are stacked along a new dim 0; Python ints become an int64 tensor,
    floats a float64 tensor, bools a bool tensor, NumPy scalars a tensor of their dtype;
    strings stay a list; dicts, namedtuples and lists are collated field by field; a tuple
    becomes a list of collated fields (PyTorch's historical behaviour).
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack(batch)
    if isinstance(elem, np.ndarray):
        if _STR_OR_OBJECT.search(elem.dtype.str):
            raise TypeError(_COLLATE_ERR.format(elem.dtype))
        return default_collate([creation.from_numpy(b) for b in batch])
    if isinstance(elem, (np.bool_, np.number)):
        return creation.from_numpy(np.array(batch))
    if isinstance(elem, float):
        return creation.tensor(batch, dtype=np.float64)
    if isinstance(elem, int):  # bools included: tensor() keeps them bool
        return creation.tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        items = {key: default_collate([d[key] for d in batch]) for key in elem}
        return _rebuild(elem, items, collections.abc.MutableMapping)
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(s) for s in zip(*batch, strict=True)))
    if isinstance(elem, collections.abc.Sequence):
        sizes = {len(e) for e in batch}
        if len(sizes) != 1:
            raise RuntimeError(f"default_collate: each element in list of batch should be of "
                               f"equal size, got sizes {sorted(sizes)}")
        # Each field's batch is a tuple, as in PyTorch (strings come back as that tuple).
        fields = [default_collate(s) for s in zip(*batch, strict=True)]
        if isinstance(elem, tuple):
            return fields
        return _rebuild(elem, fields, collections.abc.MutableSequence)
    raise TypeError(_COLLATE_ERR.format(type(elem)))


def default_convert(data: Any) -> Any:
    """Turn NumPy arrays and scalars into tensors inside data; used when batch_size=None."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray):
        return data if _STR_OR_OBJECT.search(data.dtype.str) else creation.as_tensor(data)
    if isinstance(data, (np.bool_, np.number)):
        return creation.from_numpy(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        items = {key: default_convert(data[key]) for key in data}
        return _rebuild(data, items, collections.abc.MutableMapping)
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild(data, [default_convert(d) for d in data],
                        collections.abc.MutableSequence)
    return data


class _InfiniteConstantSampler(Sampler):
    """None forever: the 'indices' of an iterable-style dataset."""

    def __iter__(self) -> Iterator[None]:
        return itertools.repeat(None)


class DataLoader:
    """Iterate over a dataset in batches: a sampler picks indices, collate_fn merges samples.

    Args mirror `torch.utils.data.DataLoader`; `shuffle=True` uses a RandomSampler (a new
    order each epoch), `drop_last` drops a short final batch, `batch_size=None` yields
    single samples passed through `default_convert`. See the module docstring for workers.
    """

    def __init__(self, dataset: Dataset, batch_size: int | None = 1,
                 shuffle: bool | None = None, sampler: Sampler | Iterable | None = None,
                 batch_sampler: Sampler | Iterable | None = None, num_workers: int = 0,
                 collate_fn: Callable | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable | None = None, multiprocessing_context: Any = None,
                 generator: Any = None, *, prefetch_factor: int | None = None,
                 persistent_workers: bool = False, pin_memory_device: str = "",
                 in_order: bool = True) -> None:
        if num_workers < 0:
            raise ValueError("DataLoader: num_workers option should be non-negative; "
                             "use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("DataLoader: timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("DataLoader: prefetch_factor option could only be specified in "
                             "multiprocessing (num_workers > 0)")
        if prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("DataLoader: prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("DataLoader: persistent_workers option needs num_workers > 0")

        iterable = isinstance(dataset, IterableDataset)
        if iterable:
            if shuffle not in (False, None):
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                 f"shuffle option, but got shuffle={shuffle}")
            if sampler is not None or batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 "sampler and batch_sampler options")
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("DataLoader: batch_sampler option is mutually exclusive with "
                                 "batch_size, shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("DataLoader: batch_size=None option disables auto-batching and "
                             "is mutually exclusive with drop_last")
        if sampler is None:
            if iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        self.num_workers = num_workers
        self.prefetch_factor = 2 if num_workers > 0 and prefetch_factor is None \
            else prefetch_factor
        self.pin_memory = pin_memory  # no accelerator: accepted and ignored, as PyTorch on CPU
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert
        self.collate_fn = collate_fn

    @property
    def _index_sampler(self) -> Any:
        return self.batch_sampler if self.batch_sampler is not None else self.sampler

    def __iter__(self) -> _DataLoaderIter:
        return _DataLoaderIter(self)

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)  # type: ignore[arg-type]
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
        return len(self._index_sampler)


class _DataLoaderIter:
    """One pass over a DataLoader; fetches and collates a batch per `next()`."""

    def __init__(self, loader: DataLoader) -> None:
        self._dataset = loader.dataset
        self._auto_collation = loader.batch_sampler is not None
        self._collate_fn = loader.collate_fn
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        # PyTorch's order: the sampler iterator first (lazy for the built-in samplers), then
        # the workers' base seed, an int64 drawn even with no workers.
        self._sampler_iter = iter(self._index_sampler)
        self._base_seed = random_int64(loader.generator)
        self._dataset_iter = iter(self._dataset) if isinstance(
            self._dataset, IterableDataset) else None
        self._ended = False
        self._num_yielded = 0

    def __iter__(self) -> _DataLoaderIter:
        return self

    def __len__(self) -> int:
        return len(self._index_sampler)

    def __next__(self) -> Any:
        index = next(self._sampler_iter)
        data = self._fetch_stream(index) if self._dataset_iter is not None else \
            self._fetch_map(index)
        self._num_yielded += 1
        return self._collate_fn(data)

    def _fetch_map(self, index: Any) -> Any:
        if not self._auto_collation:
            return self._dataset[index]
        getitems = getattr(self._dataset, "__getitems__", None)
        if callable(getitems):
            return getitems(index)
        return [self._dataset[i] for i in index]

    def _fetch_stream(self, index: Any) -> Any:
        if self._ended:
            raise StopIteration
        if not self._auto_collation:
            return next(self._dataset_iter)
        data = list(itertools.islice(self._dataset_iter, len(index)))
        if len(data) < len(index):
            self._ended = True
        if not data or (self._drop_last and len(data) < len(index)):
            raise StopIteration
        return data
