"""Named (values, indices) results of max/min/sort/topk, like `torch.return_types`."""

from __future__ import annotations

import collections
import functools


@functools.cache
def return_types(name: str) -> type:
    """The namedtuple class `name(values, indices)`, made once per name."""
    return collections.namedtuple(name, ["values", "indices"])
