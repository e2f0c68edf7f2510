"""Learning-rate schedulers against PyTorch: the same scheduler on the same two-group optimizer in
both libraries, stepped STEPS times (each after an optimizer step, as in training), must give
the same `get_last_lr()` sequence (rel 1e-12), and the same momentum or beta1 where OneCycleLR
cycles it. One lambda builds the scheduler in either library (`lib.optim.lr_scheduler`)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minigrad  # noqa: E402

STEPS = 60
RTOL = 1e-12
METRICS = [1.0, 0.9, 0.85, 0.86, 0.849, 0.85, 0.87, 0.9, 0.7, 0.71, 0.72, 0.73, 0.695, 0.7, 0.7,
           0.71, 0.72, 0.5, 0.5, 0.5] * 3  # a loss that improves, stalls, and improves again


def _sched(lib: Any) -> Any:
    return lib.optim.lr_scheduler


# name -> (optimizer name, optimizer options, builder(lib, optimizer) -> scheduler)
CASES: dict[str, tuple[str, dict, Callable[[Any, Any], Any]]] = {
    "step": ("SGD", {}, lambda lib, o: _sched(lib).StepLR(o, step_size=7, gamma=0.5)),
    "multistep": ("SGD", {}, lambda lib, o: _sched(lib).MultiStepLR(
        o, milestones=[10, 25, 25, 40], gamma=0.3)),
    "exponential": ("SGD", {}, lambda lib, o: _sched(lib).ExponentialLR(o, gamma=0.93)),
    "cosine_periods": ("SGD", {}, lambda lib, o: _sched(lib).CosineAnnealingLR(
        o, T_max=13, eta_min=0.001)),  # 60 steps pass 2 bottoms (the 0/0 special case)
    "cosine_once": ("SGD", {}, lambda lib, o: _sched(lib).CosineAnnealingLR(o, T_max=STEPS)),
    "lambda": ("SGD", {}, lambda lib, o: _sched(lib).LambdaLR(o, lambda e: 1 / (1 + 0.1 * e))),
    "lambda_per_group": ("SGD", {}, lambda lib, o: _sched(lib).LambdaLR(
        o, [lambda e: 0.97**e, lambda e: 1 + math.sin(e / 5)])),
    "linear": ("SGD", {}, lambda lib, o: _sched(lib).LinearLR(
        o, start_factor=0.25, end_factor=0.9, total_iters=15)),
    "linear_decay": ("SGD", {}, lambda lib, o: _sched(lib).LinearLR(
        o, start_factor=1.0, end_factor=0.1, total_iters=40)),
    "onecycle_cos_sgd": ("SGD", dict(momentum=0.9), lambda lib, o: _sched(lib).OneCycleLR(
        o, max_lr=[0.5, 0.1], total_steps=STEPS + 1)),
    "onecycle_linear_epochs": ("SGD", dict(momentum=0.9), lambda lib, o: _sched(lib).OneCycleLR(
        o, max_lr=0.3, epochs=6, steps_per_epoch=11, anneal_strategy="linear", pct_start=0.25,
        base_momentum=[0.8, 0.7], max_momentum=0.95, div_factor=10.0, final_div_factor=100.0)),
    "onecycle_three_phase_adam": ("Adam", {}, lambda lib, o: _sched(lib).OneCycleLR(
        o, max_lr=0.01, total_steps=STEPS + 5, three_phase=True)),
    "onecycle_no_momentum": ("Adam", {}, lambda lib, o: _sched(lib).OneCycleLR(
        o, max_lr=0.01, total_steps=STEPS, cycle_momentum=False)),
    "sequential": ("SGD", {}, lambda lib, o: _sched(lib).SequentialLR(
        o, [_sched(lib).LinearLR(o, start_factor=0.1, total_iters=10),
            _sched(lib).CosineAnnealingLR(o, T_max=40, eta_min=1e-4)], milestones=[10])),
    "sequential_three": ("SGD", {}, lambda lib, o: _sched(lib).SequentialLR(
        o, [_sched(lib).ExponentialLR(o, gamma=0.9), _sched(lib).StepLR(o, 4, gamma=0.5),
            _sched(lib).LinearLR(o, start_factor=0.5, total_iters=8)], milestones=[5, 20])),
    "plateau_min_rel": ("SGD", {}, lambda lib, o: _sched(lib).ReduceLROnPlateau(
        o, factor=0.5, patience=2, threshold=0.01, cooldown=1, min_lr=[0.01, 0.002])),
    "plateau_min_abs": ("SGD", {}, lambda lib, o: _sched(lib).ReduceLROnPlateau(
        o, factor=0.3, patience=1, threshold=0.02, threshold_mode="abs", eps=1e-3)),
    "plateau_max_rel": ("SGD", {}, lambda lib, o: _sched(lib).ReduceLROnPlateau(
        o, mode="max", factor=0.7, patience=0, threshold=0.05)),
    "plateau_max_abs": ("Adam", {}, lambda lib, o: _sched(lib).ReduceLROnPlateau(
        o, mode="max", factor=0.5, patience=3, threshold=0.01, threshold_mode="abs",
        cooldown=2, min_lr=1e-4)),
}


def _optimizer(lib: Any, name: str, options: dict) -> Any:
    """Two groups (lrs 0.2 and 0.05), each with one parameter whose gradient is always set."""
    params = [lib.tensor(np.ones(3), requires_grad=True) for _ in range(2)]
    return getattr(lib.optim, name)([{"params": [params[0]], "lr": 0.2},
                                     {"params": [params[1]], "lr": 0.05}], **options)


def _step(lib: Any, opt: Any, scheduler: Any, i: int) -> None:
    for group in opt.param_groups:
        for p in group["params"]:
            p.grad = lib.tensor(np.full(3, 0.1))
    opt.step()
    if type(scheduler).__name__ == "ReduceLROnPlateau":
        scheduler.step(METRICS[i])
    else:
        scheduler.step()


def _record(opt: Any, scheduler: Any) -> list[float]:
    """The lrs and, for each group, its momentum or beta1 (what OneCycleLR may cycle)."""
    momenta = [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]
    return [float(v) for v in scheduler.get_last_lr()] + [float(m) for m in momenta]


def sequence(lib: Any, case: str, steps: int = STEPS) -> tuple[Any, Any, list[list[float]]]:
    name, options, build = CASES[case]
    opt = _optimizer(lib, name, options)
    scheduler = build(lib, opt)
    rows = [_record(opt, scheduler)]
    for i in range(steps):
        _step(lib, opt, scheduler, i)
        rows.append(_record(opt, scheduler))
    return opt, scheduler, rows


def _assert_rows_match(ours: list, theirs: list, what: str) -> None:
    assert len(ours) == len(theirs)
    for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        assert np.allclose(a, b, rtol=RTOL, atol=0), f"{what}: step {i}: {a} != torch {b}"


@pytest.mark.parametrize("case", sorted(CASES))
def test_lr_sequence_matches_torch(case: str) -> None:
    _, _, ours = sequence(minigrad, case)
    _, _, theirs = sequence(torch, case)
    _assert_rows_match(ours, theirs, case)
    assert len({tuple(r) for r in theirs}) > 1, "the case should change the lr"


@pytest.mark.parametrize("case", ["cosine_periods", "onecycle_cos_sgd", "sequential",
                                  "plateau_min_rel", "lambda"])
def test_loading_torch_scheduler_state_mid_schedule_continues_identically(case: str) -> None:
    """Torch's optimizer and scheduler state dicts, loaded into minigrad halfway, carry on with
    the same lrs (schedulers keep plain numbers, so their state dicts load as they are)."""
    name, options, build = CASES[case]
    t_opt, t_sched, _ = sequence(torch, case, steps=STEPS // 2)
    m_opt = _optimizer(minigrad, name, options)
    m_sched = build(minigrad, m_opt)
    opt_state = t_opt.state_dict()
    m_opt.load_state_dict({
        "state": {i: {k: minigrad.tensor(v.numpy().copy()) for k, v in s.items()}
                  for i, s in opt_state["state"].items()},
        "param_groups": opt_state["param_groups"],
    })
    m_sched.load_state_dict(t_sched.state_dict())
    ours, theirs = [], []
    for i in range(STEPS // 2, STEPS):
        _step(minigrad, m_opt, m_sched, i)
        _step(torch, t_opt, t_sched, i)
        ours.append(_record(m_opt, m_sched))
        theirs.append(_record(t_opt, t_sched))
    _assert_rows_match(ours, theirs, case)


@pytest.mark.filterwarnings("ignore:The epoch parameter")
@pytest.mark.parametrize("case", ["step", "multistep", "exponential", "cosine_periods", "linear"])
def test_closed_form_step_epoch_matches_torch(case: str) -> None:
    """The deprecated `step(epoch)` jumps with the closed form, in both libraries."""
    rows = []
    for lib in (minigrad, torch):
        name, options, build = CASES[case]
        opt = _optimizer(lib, name, options)
        scheduler = build(lib, opt)
        opt.step()
        got = []
        for epoch in (3, 17, 5, 40, 26, 59):
            scheduler.step(epoch)
            got.append([float(v) for v in scheduler.get_last_lr()])
        rows.append(got)
    _assert_rows_match(*rows, case)
