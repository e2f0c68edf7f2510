"""Anomaly mode: check every backward output for NaN/Inf and name the op (and where it was
created in forward) that produced it."""

from __future__ import annotations

from minigrad.autograd.grad_mode import _Flags, _State


class detect_anomaly:  # noqa: N801 - PyTorch's name
    """Context manager: inside it, a backward that yields NaN/Inf raises naming the op."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self) -> None:
        self._prev = _State.anomaly
        _Flags.anomaly = self.check_nan

    def __exit__(self, *exc: object) -> None:
        _Flags.anomaly = self._prev


class set_detect_anomaly(detect_anomaly):  # noqa: N801
    """Turn anomaly detection on or off from construction (also usable as a context manager)."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self._prev = _State.anomaly
        _Flags.anomaly = bool(mode) and check_nan

    def __enter__(self) -> None:
        pass


def is_anomaly_enabled() -> bool:
    """True inside detect_anomaly (in any thread: anomaly mode is process-wide)."""
    return _State.anomaly
