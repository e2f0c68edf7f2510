"""Shared by the scheduler tests: a two-group optimizer, the lr sequence a scheduler produces
over a training run, and a closed form tabulated over the same epochs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import minigrad
from minigrad import optim

EPOCHS = 60


def make_optimizer(cls: type[optim.Optimizer] = optim.SGD, lrs: Sequence[float] = (0.2, 0.05),
                   **options: Any) -> optim.Optimizer:
    """An optimizer with one group per lr, each holding one parameter."""
    groups = [{"params": [minigrad.tensor(np.ones(2), requires_grad=True)], "lr": lr}
              for lr in lrs]
    return cls(groups, **options)


def lrs_over(scheduler: Any, epochs: int = EPOCHS, metrics: Sequence[Any] | None = None
             ) -> np.ndarray:
    """get_last_lr() after construction and after each of `epochs` (optimizer, scheduler) steps."""
    opt = scheduler.optimizer
    rows = [list(scheduler.get_last_lr())]
    for epoch in range(epochs):
        opt.step()
        scheduler.step() if metrics is None else scheduler.step(metrics[epoch])
        rows.append(list(scheduler.get_last_lr()))
    return np.array(rows)


def closed_form(fn: Callable[[float, int], float], bases: Sequence[float] = (0.2, 0.05),
                epochs: int = EPOCHS) -> np.ndarray:
    """fn(base_lr, epoch) for every group's base lr and every epoch 0..epochs."""
    return np.array([[fn(base, e) for base in bases] for e in range(epochs + 1)])
