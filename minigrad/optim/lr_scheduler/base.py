"""`LRScheduler`: the base of every lr schedule. It records 'initial_lr' and `base_lrs`, counts
epochs, writes each new lr into the optimizer's groups, and warns when it is stepped before the
optimizer, as PyTorch does."""

from __future__ import annotations

import warnings
from typing import Any

from minigrad.optim.optimizer import Optimizer
from minigrad.tensor import Tensor


def _group_values(optimizer: Optimizer, key: str) -> list[Any]:
    """Every group's value of `key` (Tensor values cloned)."""
    return [g[key].clone() if isinstance(g[key], Tensor) else g[key]
            for g in optimizer.param_groups]


def _set_group_value(group: dict[str, Any], key: str, value: Any) -> None:
    """Set group[key], in place when it holds a Tensor."""
    if isinstance(group[key], Tensor):
        group[key].fill_(float(value))
    else:
        group[key] = value


def _optimizer_stepped(optimizer: Optimizer) -> bool:
    """Whether `optimizer.step()` ran since the optimizer's first scheduler was made.

    `Optimizer.step` counts its calls; the first scheduler records the count. Later schedulers
    share that start (PyTorch's rule), so the warning is about the training loop, not about
    when each scheduler was made.
    """
    return optimizer._step_count != optimizer._scheduled_at_step


class LRScheduler:
    """Base class: sets 'initial_lr' in every group, keeps `base_lrs` and `last_epoch`, and takes
    the initial step (epoch 0) at construction, as PyTorch does.

    Subclasses define `get_lr()` (the recursive form, from the groups' current lrs) and may
    define `_get_closed_form_lr()`, used by the deprecated `step(epoch)`.
    """

    _is_initial = False

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                lr = group["lr"]
                group.setdefault("initial_lr", lr.clone() if isinstance(lr, Tensor) else lr)
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when "
                        "resuming scheduler with last_epoch >= 0 (load the optimizer's state "
                        "dict first, or start from last_epoch=-1)"
                    )
        self.base_lrs: list[Any] = _group_values(optimizer, "initial_lr")
        self.last_epoch = last_epoch
        if optimizer._scheduled_at_step is None:  # the optimizer's first scheduler
            optimizer._scheduled_at_step = optimizer._step_count
        self._initial_step()

    def _initial_step(self) -> None:
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def state_dict(self) -> dict[str, Any]:
        """Every attribute except the optimizer."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the attributes of a `state_dict()` (minigrad's or PyTorch's)."""
        self.__dict__.update(state_dict)

    def get_last_lr(self) -> list[Any]:
        """The learning rates the last `step()` set, one per param group."""
        return self._last_lr

    def get_lr(self) -> list[Any]:
        """The next lr of every group (each scheduler defines it)."""
        raise NotImplementedError

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch (or jump to `epoch`, deprecated) and set every group's lr."""
        if self._step_count == 1 and not _optimizer_stepped(self.optimizer):
            warnings.warn(
                "Detected call of `lr_scheduler.step()` before `optimizer.step()`. Call them "
                "in the opposite order: `optimizer.step()` before `lr_scheduler.step()`, or "
                "the first value of the learning rate schedule is skipped.",
                UserWarning, stacklevel=2,
            )
        self._step_count += 1
        if epoch is not None:
            warnings.warn("The epoch parameter in `scheduler.step()` is deprecated; the closed "
                          "form is used where available.", UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            closed = getattr(self, "_get_closed_form_lr", None)
            values = closed() if closed is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            _set_group_value(group, "lr", lr)
        self._last_lr = _group_values(self.optimizer, "lr")

    def _current(self) -> list[Any]:
        return _group_values(self.optimizer, "lr")


_LRScheduler = LRScheduler  # PyTorch's older name
