"""Training-loop helpers. `EarlyStopping` stops when a monitored metric stops improving and can
put back the weights from its best epoch.

    stopper = EarlyStopping(patience=5, mode="min")
    for epoch in range(100):
        train_one_epoch(model)
        if stopper.step(validate(model), model):
            break
    stopper.restore(model)  # the weights of the best epoch
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np

from minigrad.tensor import Tensor

__all__ = ["EarlyStopping"]


def _snapshot(value: Any) -> Any:
    """An independent copy of one state-dict entry (later in-place updates must not leak in)."""
    if isinstance(value, Tensor):
        return value.detach().clone()
    if isinstance(value, np.ndarray):
        return value.copy()
    return copy.deepcopy(value)


class EarlyStopping:
    """Signal a stop after `patience` calls to `step` without improvement.

    Improvement means `metric < best - min_delta` in mode 'min' (a loss) or
    `metric > best + min_delta` in mode 'max' (an accuracy); the first metric always counts.
    A NaN metric never improves. With `restore_best_weights` and a model passed to `step`, a copy
    of `model.state_dict()` is kept at each improvement and `restore(model)` loads it back.

    Attributes: `best` (best metric so far, None before the first step), `best_epoch` (0-based
    index of the step that set it), `counter` (steps since then), `should_stop`, `best_state`.
    """

    def __init__(self, patience: int = 5, min_delta: float = 0.0, mode: str = "min",
                 restore_best_weights: bool = True) -> None:
        if not isinstance(patience, int) or isinstance(patience, bool) or patience < 0:
            raise ValueError(f"EarlyStopping: patience must be a non-negative int, got "
                             f"{patience!r}")
        if not min_delta >= 0:
            raise ValueError(f"EarlyStopping: min_delta must be >= 0, got {min_delta!r}")
        if mode not in ("min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'min' or 'max', got {mode!r}")
        self.patience = patience
        self.min_delta = float(min_delta)
        self.mode = mode
        self.restore_best_weights = restore_best_weights
        self.reset()

    def reset(self) -> None:
        """Forget all history (for a new training run)."""
        self.best: float | None = None
        self.best_epoch: int | None = None
        self.best_state: dict | None = None
        self.counter = 0
        self.epoch = -1  # index of the last step
        self.should_stop = False

    def _improved(self, metric: float) -> bool:
        if math.isnan(metric):
            return False
        if self.best is None:
            return True
        if self.mode == "min":
            return metric < self.best - self.min_delta
        return metric > self.best + self.min_delta

    def step(self, metric: Any, model: Any = None) -> bool:
        """Record this epoch's metric (a number or one-element tensor); True means stop now."""
        metric = float(metric.item() if isinstance(metric, Tensor) else metric)
        self.epoch += 1
        if self._improved(metric):
            self.best, self.best_epoch, self.counter = metric, self.epoch, 0
            if self.restore_best_weights and model is not None:
                self.best_state = {k: _snapshot(v) for k, v in model.state_dict().items()}
            self.should_stop = False
        else:
            self.counter += 1
            self.should_stop = self.counter >= self.patience
        return self.should_stop

    def restore(self, model: Any) -> None:
        """Load the snapshot from the best epoch into model (`model.load_state_dict`)."""
        if self.best_state is None:
            reason = "restore_best_weights is False" if not self.restore_best_weights else \
                "no model was passed to step() at an improvement"
            raise RuntimeError(f"EarlyStopping.restore: no best weights saved ({reason})")
        model.load_state_dict(self.best_state)
