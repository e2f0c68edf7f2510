"""`RemovableHandle`: what every `register_*hook` returns, as `torch.utils.hooks`."""

from __future__ import annotations


class RemovableHandle:
    """Returned by `register_hook` and the Module hook registrations; `remove()` unregisters."""

    def __init__(self, hooks: dict, key: int) -> None:
        self._hooks, self._key = hooks, key

    def remove(self) -> None:
        """Unregister the hook (a second call does nothing)."""
        self._hooks.pop(self._key, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()
