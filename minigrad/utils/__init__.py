"""Utilities outside the autograd core, as in `torch.utils`: `minigrad.utils.data` (datasets,
samplers, DataLoader)."""

from minigrad.utils import data

__all__ = ["data"]
