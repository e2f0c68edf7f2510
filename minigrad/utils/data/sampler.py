"""Samplers: iterables of dataset indices (or of index batches), drawn like torch.utils.data.

Every random draw goes through a `minigrad.Generator` (the default one unless `generator=` is
given) in exactly PyTorch's order, so `manual_seed(s)` gives the same indices as PyTorch.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence, Sized
from typing import Any

import numpy as np

from minigrad import random
from minigrad.tensor import Tensor

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]


def _gen(generator: Any) -> random.Generator:
    return random.default_generator if generator is None else generator


def random_int64(generator: Any = None) -> int:
    """A non-negative int64 drawn like `torch.empty((), dtype=torch.int64).random_()`.

    ATen draws one random64() (two mt19937 words, first word high) and keeps it modulo 2**63;
    `Generator.randint` over a range of 2**63 takes that same 64-bit path and modulus.
    """
    return int(_gen(generator).randint(0, 2**63, ()))


def _positive_int(name: str, value: Any) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name} should be a positive integer value, but got {name}={value!r}")
    return int(value)


class Sampler:
    """Base class: subclasses yield indices from `__iter__` (and usually define `__len__`)."""

    def __init__(self, data_source: Any = None) -> None:
        pass

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")


class SequentialSampler(Sampler):
    """Indices 0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """Shuffled indices (a fresh permutation per pass), or `num_samples` draws with replacement.

    Without a generator, each pass seeds a new Generator from one int64 drawn from the default
    generator, as PyTorch 2.x does; then permutations come from `randperm(n)` and draws with
    replacement from `randint(0, n, (32,))` chunks. Passing `generator=g` draws from g directly.
    """

    def __init__(self, data_source: Sized, replacement: bool = False,
                 num_samples: int | None = None, generator: Any = None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={replacement!r}")
        _positive_int("num_samples", self.num_samples)

    @property
    def num_samples(self) -> int:
        # The dataset may grow or shrink between passes: read its length each time.
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n = len(self.data_source)
        if self.generator is None:
            generator = random.Generator(random_int64())
        else:
            generator = self.generator
        if self.replacement:
            for _ in range(self.num_samples // 32):
                yield from generator.randint(0, n, (32,)).tolist()
            yield from generator.randint(0, n, (self.num_samples % 32,)).tolist()
        else:
            for _ in range(self.num_samples // n):
                yield from generator.randperm(n).tolist()
            # PyTorch draws a whole permutation for the remainder, even an empty one.
            yield from generator.randperm(n).tolist()[: self.num_samples % n]

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order (a new `randperm` per pass)."""

    def __init__(self, indices: Sequence[int], generator: Any = None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[Any]:
        for i in _gen(self.generator).randperm(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """`num_samples` indices drawn with probability proportional to `weights`.

    Follows torch.multinomial on the CPU: with replacement (and num_samples > 1) one uniform
    float64 per draw, looked up in the normalised cumulative weights; otherwise the
    exponential-race trick, the top num_samples of weights / Exp(1). Both match PyTorch's
    indices; the one exception is the order among zero-weight entries once all positive-weight
    entries are used up without replacement (PyTorch's topk leaves that order unspecified).
    """

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: Any = None) -> None:
        self.num_samples = _positive_int("num_samples", num_samples)
        if not isinstance(replacement, bool):
            raise ValueError(
                f"replacement should be a boolean value, but got replacement={replacement!r}")
        w = np.asarray(weights.data if isinstance(weights, Tensor) else weights, dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(
                f"weights should be a 1d sequence but given weights have shape {tuple(w.shape)}")
        self.weights = w
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        yield from _multinomial(self.weights, self.num_samples, self.replacement,
                                _gen(self.generator)).tolist()

    def __len__(self) -> int:
        return self.num_samples


def _multinomial(w: np.ndarray, k: int, replacement: bool, gen: random.Generator) -> np.ndarray:
    """torch.multinomial(w, k, replacement) for a 1-D float64 w, CPU kernel's draw order."""
    n = w.size
    if n == 0 or not np.all(np.isfinite(w)) or np.any(w < 0) or not w.sum() > 0:
        raise RuntimeError("WeightedRandomSampler: weights must be finite, non-negative and "
                           f"sum to a positive value (got {n} weights)")
    if not replacement and k > n:
        raise RuntimeError(f"WeightedRandomSampler: cannot sample num_samples={k} > "
                           f"len(weights)={n} samples without replacement")
    if replacement and k > 1:
        cum = np.cumsum(w)  # sequential sum, like the kernel's running total
        cum /= cum[-1]
        cum[-1] = 1.0
        return np.searchsorted(cum, gen.uniform((k,), 0.0, 1.0, np.float64), side="left")
    race = w / -np.log1p(-gen.uniform((n,), 0.0, 1.0, np.float64))  # w / Exp(1)
    return np.argsort(-race, kind="stable")[:k]


class BatchSampler(Sampler):
    """Groups the indices of `sampler` into lists of `batch_size` (the last may be short)."""

    def __init__(self, sampler: Sampler | Iterable[int], batch_size: int,
                 drop_last: bool) -> None:
        self.batch_size = _positive_int("batch_size", batch_size)
        if not isinstance(drop_last, bool):
            raise ValueError(
                f"drop_last should be a boolean value, but got drop_last={drop_last!r}")
        self.sampler = sampler
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list]:
        it = iter(self.sampler)
        while True:
            batch = list(itertools.islice(it, self.batch_size))
            if not batch or (self.drop_last and len(batch) < self.batch_size):
                return
            yield batch

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
