"""Documented differences: failures that are PyTorch's bug, not minigrad's.

Each row names the op, the condition under which the libraries legitimately differ, and why.
The runner classes a matching failure as `documented` instead of silent/missing/wrong. Where a
row gives `reference`, the runner reruns PyTorch with that corrected call and minigrad must
match it (so a documented row never waves an answer through unchecked). Only PyTorch bugs and
crashes belong here, each verified by hand; a minigrad bug is fixed, or stays in
`baseline.json` until it is, never listed here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from parity.fuzz.generators import Call


@dataclasses.dataclass(frozen=True)
class Known:
    """One documented difference: `when(outcome)` says whether a failure is this one;
    `reference(call)` is the call PyTorch should have answered like (None: no check)."""

    op: str
    condition: str
    reason: str
    when: Callable[[Any], bool]
    reference: Callable[[Call], Call] | None = None

    def matches(self, outcome: Any) -> bool:
        """Whether `outcome` (a runner.Outcome) is this documented difference."""
        return bool(self.when(outcome))


def _dim(call: Call) -> Any:
    """The `dim` argument of a reduction call (positional or keyword), or None."""
    if "dim" in call.kwargs:
        return call.kwargs["dim"]
    return call.args[1] if len(call.args) > 1 else None


def _all_dims(call: Call) -> Call:
    """The call with dim=() replaced by every dim of its input."""
    every = tuple(range(call.inputs[call.args[0].i].array.ndim))
    if "dim" in call.kwargs:
        return dataclasses.replace(call, kwargs={**call.kwargs, "dim": every})
    return dataclasses.replace(call, args=(call.args[0], every, *call.args[2:]))


def _var_grad(o: Any) -> bool:
    return o.cls == "wrong" and "grad" in o.reason and _dim(o.call) in ((), [])


_VAR_REASON = (
    "PyTorch 2.13's backward of {op}(dim=()) is wrong: the forward reduces over every dim (as "
    "dim=None does) but the backward treats each element as its own group, so "
    "`torch.autograd.gradcheck(lambda t: t.{op}(dim=()), (torch.randn(2, 3, dtype=torch.float64, "
    "requires_grad=True),))` fails (with the default correction the gradient is even inf); "
    "minigrad must match the gradient of the reduction over every dim"
)

KNOWN_DIFFERENCES: list[Known] = [
    Known("var", "dim=() or [], gradient", _VAR_REASON.format(op="var"), _var_grad, _all_dims),
    Known("std", "dim=() or [], gradient", _VAR_REASON.format(op="std"), _var_grad, _all_dims),
    Known(
        "logsumexp",
        "dim=() on a tensor with at least one dim",
        "PyTorch 2.13 fails inside its own kernel (`torch.logsumexp(torch.ones(2), ())` raises "
        "\"output with shape [] doesn't match the broadcast shape [1]\") although dim=() means "
        "every dim for sum/amax/logsumexp alike and the 0-d case works; minigrad must match "
        "the reduction over every dim",
        lambda o: o.cls == "silent" and "broadcast shape" in o.torch_error
        and _dim(o.call) in ((), []),
        _all_dims,
    ),
]
