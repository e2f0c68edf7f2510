"""Utilities outside the autograd core, as in `torch.utils`: `minigrad.utils.data` (datasets,
samplers, DataLoader) and `minigrad.utils.hooks` (RemovableHandle). Nothing is imported here, so
the Tensor core can use `utils.hooks` without pulling in the data pipeline."""
