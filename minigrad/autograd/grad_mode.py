"""Switches for graph recording: `no_grad`, `enable_grad`, `set_grad_enabled`, usable as context
managers and as decorators, like PyTorch's."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _Flags(threading.local):
    """Flags read on every op. `enabled` (grad mode) is per thread, as in PyTorch: `no_grad` in
    one thread leaves the others recording, and a new thread starts with recording on (the class
    default). `anomaly` is process-wide, as PyTorch's anomaly mode: it is set on the class.
    `modules` is the per-thread stack of running modules (see __init__)."""

    enabled = True
    anomaly = False

    def __init__(self) -> None:
        # Modules whose forward is running in this thread, innermost last. Module.__call__
        # pushes and pops; Op.apply records the innermost on each node as `_module`, so
        # minigrad.viz can group nodes by layer. It lives here so autograd imports nothing of nn.
        self.modules: list = []


_State = _Flags()


def is_grad_enabled() -> bool:
    """True when ops record the graph for backward."""
    return _State.enabled


class _GradMode:
    """Base of the grad-mode switches: a context manager that also decorates functions."""

    target = True

    def __enter__(self) -> None:
        self._prev = _State.enabled
        _State.enabled = self.target

    def __exit__(self, *exc: object) -> None:
        _State.enabled = self._prev

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with _switch(self.target):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class _switch(_GradMode):  # noqa: N801
    def __init__(self, mode: bool) -> None:
        self.target = mode


class no_grad(_GradMode):  # noqa: N801
    """Ops inside record no graph: results have `requires_grad=False`. Use for updates and eval."""

    target = False


class enable_grad(_GradMode):  # noqa: N801
    """Turn recording back on inside a `no_grad` block."""

    target = True


class set_grad_enabled(_GradMode):  # noqa: N801
    """Set recording on or off; takes effect at construction, like PyTorch, and restores on exit."""

    def __init__(self, mode: bool) -> None:
        self.target = bool(mode)
        self._prev = _State.enabled
        _State.enabled = self.target

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        _State.enabled = self._prev

    def __call__(self, func: F) -> F:
        _State.enabled = self._prev  # as a decorator it applies per call, not from now on
        return super().__call__(func)


class inference_mode(no_grad):  # noqa: N801
    """Alias of `no_grad` (minigrad has no separate inference tensors)."""

    def __init__(self, mode: bool = True) -> None:
        self.target = not mode
