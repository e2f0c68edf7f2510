"""Learning-rate schedules, PyTorch's: each scheduler rewrites `group['lr']` of its optimizer on
`step()`, with PyTorch's recursive formulas (and closed forms for `step(epoch)`), so the
sequences agree with PyTorch's to the last bit.

One module per family: `base` (LRScheduler), `multiplicative` (LambdaLR, StepLR, MultiStepLR,
ExponentialLR, LinearLR), `cosine` (CosineAnnealingLR, OneCycleLR), `chained` (SequentialLR),
`plateau` (ReduceLROnPlateau)."""

from minigrad.optim.lr_scheduler.base import LRScheduler, _LRScheduler
from minigrad.optim.lr_scheduler.chained import SequentialLR
from minigrad.optim.lr_scheduler.cosine import CosineAnnealingLR, OneCycleLR
from minigrad.optim.lr_scheduler.multiplicative import (
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiStepLR,
    StepLR,
)
from minigrad.optim.lr_scheduler.plateau import ReduceLROnPlateau

__all__ = [
    "LRScheduler", "LambdaLR", "StepLR", "MultiStepLR", "ExponentialLR", "LinearLR",
    "CosineAnnealingLR", "SequentialLR", "OneCycleLR", "ReduceLROnPlateau",
]
