"""Run one fuzz case in both libraries and classify it.

Classes: `agree`; `both_raise`; `silent` (PyTorch raises, minigrad returns); `missing` (minigrad
raises, PyTorch returns, AttributeError included); `wrong` (shape, dtype, requires_grad, values,
an input changed differently, or the gradient of `sum(out * w)` for a fixed random `w` differs);
`documented` (a failure matched by `known.KNOWN_DIFFERENCES`). Case `index` at `seed` draws from
`numpy.random.default_rng([seed, index])` and runs the op at `index` of the weighted schedule,
so it can be rebuilt alone (`--replay SEED:INDEX`).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence

import numpy as np
import torch

import minigrad
from parity.fuzz.case import compare_case
from parity.fuzz.execute import FuzzTimeoutError, attempt, run_side
from parity.fuzz.generators import Call, Draw
from parity.fuzz.known import KNOWN_DIFFERENCES
from parity.fuzz.messages import message_names, normalise, reason_of, short
from parity.fuzz.specs import SPECS, OpSpec

CLASSES = ("agree", "documented", "both_raise", "silent", "missing", "wrong")
FAILURES = ("silent", "missing", "wrong")


@dataclasses.dataclass
class Outcome:
    """The classified result of one case."""

    seed: int
    index: int
    op: str
    cls: str
    reason: str = ""
    details: list = dataclasses.field(default_factory=list)
    call: Call | None = None
    torch_error: str = ""
    minigrad_error: str = ""
    names_op: bool = False
    names_value: bool = False
    seconds: float = 0.0

    @property
    def key(self) -> tuple[str, str, str]:
        """The failure group: (op, class, reason)."""
        return (self.op, self.cls, self.reason)


def schedule(specs: Sequence[OpSpec]) -> list[str]:
    """Op names in run order: round r takes every spec whose weight exceeds r."""
    rounds = max(s.weight for s in specs)
    return [s.name for r in range(rounds) for s in specs if s.weight > r]


SCHEDULE = schedule(SPECS)
BY_NAME = {s.name: s for s in SPECS}


def draw_case(seed: int, index: int) -> tuple[Call, np.random.Generator]:
    """Rebuild case `index` of `seed`: its call, and the generator that then draws `w`."""
    spec = BY_NAME[SCHEDULE[index % len(SCHEDULE)]]
    rng = np.random.default_rng([seed, index])
    return spec.draw(Draw(rng, spec.name, spec.differentiable)), rng


def _classify(res: Outcome, call: Call, rng: np.random.Generator, t_side: tuple,
              m_side: tuple) -> Outcome:
    (t_in, t_out, terr), (m_in, m_out, merr) = t_side, m_side
    if terr is not None:
        res.torch_error = short(terr)
    if merr is not None:
        res.minigrad_error = short(merr)
        res.names_op, res.names_value = message_names(call, str(merr))
    if terr is not None and (merr is not None or isinstance(terr, FuzzTimeoutError)):
        res.cls = "both_raise"
    elif terr is not None:
        res.cls, res.reason = "silent", "torch raises " + normalise(res.torch_error)
    elif merr is not None:
        res.cls, res.reason = "missing", "minigrad raises " + normalise(res.minigrad_error)
    else:
        spec = BY_NAME[call.op]
        problems, cerr = attempt(lambda: compare_case(call, rng, spec, t_in, t_out, m_in, m_out))
        if cerr is not None:
            problems = [f"comparing raised {normalise(short(cerr))}"]
        if problems:
            res.cls, res.reason, res.details = "wrong", reason_of(problems[0]), problems
    return res


def _documented(res: Outcome, call: Call) -> Outcome:
    for known in KNOWN_DIFFERENCES:
        if known.op != res.op or not known.matches(res):
            continue
        if known.reference is None:
            res.details = [f"{res.cls}: {res.reason}", f"documented: {known.reason}"]
            res.cls = "documented"
            return res
        rng = np.random.default_rng([res.seed, res.index, 1])
        again = _classify(Outcome(res.seed, res.index, res.op, "agree", call=call), call, rng,
                          run_side(torch, known.reference(call)), run_side(minigrad, call))
        if again.cls == "agree":
            res.details = [f"{res.cls}: {res.reason}", f"documented: {known.reason}",
                           f"matches PyTorch's {known.reference(call).expr()}"]
            res.cls = "documented"
            return res
        again.reason = f"vs documented reference: {again.reason}"
        again.torch_error = again.torch_error or res.torch_error
        return again
    return res


def run_call(seed: int, index: int, call: Call, rng: np.random.Generator) -> Outcome:
    """Run `call` in both libraries and classify it."""
    start = time.perf_counter()
    res = Outcome(seed, index, call.op, "agree", call=call)
    res = _classify(res, call, rng, run_side(torch, call), run_side(minigrad, call))
    if res.cls in FAILURES:
        res = _documented(res, call)
    res.seconds = time.perf_counter() - start
    return res


def run_index(seed: int, index: int) -> Outcome:
    """Draw and run case `index` of `seed`."""
    call, rng = draw_case(seed, index)
    return run_call(seed, index, call, rng)


def run(seed: int, budget: int, ops: Sequence[str] | None = None,
        progress: Callable[[int], None] | None = None) -> list[Outcome]:
    """Run `budget` cases at `seed` (only those of `ops` when given), in schedule order."""
    wanted = set(ops) if ops else None
    if wanted and not wanted <= set(SCHEDULE):
        raise SystemExit(f"unknown ops: {sorted(wanted - set(SCHEDULE))}")
    results: list[Outcome] = []
    index = 0
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny tensors: PyTorch's intra-op threads only add hand-offs (4x)
    try:
        while len(results) < budget:
            if wanted is None or SCHEDULE[index % len(SCHEDULE)] in wanted:
                results.append(run_index(seed, index))
                if progress and len(results) % 1000 == 0:
                    progress(len(results))
            index += 1
    finally:
        torch.set_num_threads(threads)
    return results
