"""The LRScheduler base (minigrad/optim/lr_scheduler/base.py): writing the lr into the groups,
initial_lr and base_lrs, resuming, the call-order warning (read off the optimizer's own step
count), step(epoch), state dicts and errors, exercised through StepLR, ExponentialLR and
CosineAnnealingLR."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import minigrad
from minigrad.optim import lr_scheduler as sched
from tests.optim.lr_scheduler.helpers import lrs_over, make_optimizer


def test_scheduler_writes_the_lr_into_the_groups_used_by_the_optimizer():
    opt = make_optimizer(lrs=(0.2,))
    p = opt.param_groups[0]["params"][0]
    scheduler = sched.StepLR(opt, step_size=1, gamma=0.5)
    opt.step()
    scheduler.step()
    assert opt.param_groups[0]["lr"] == 0.1
    p.grad = minigrad.tensor(np.ones(2))
    opt.step()
    np.testing.assert_allclose(p.data, [0.9, 0.9])


def test_construction_records_initial_lr_base_lrs_and_epoch_zero():
    opt = make_optimizer()
    scheduler = sched.ExponentialLR(opt, gamma=0.5)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.2, 0.05]
    assert scheduler.base_lrs == [0.2, 0.05]
    assert scheduler.last_epoch == 0 and scheduler.get_last_lr() == [0.2, 0.05]
    assert sched._LRScheduler is sched.LRScheduler


def test_resuming_needs_initial_lr_in_the_groups():
    with pytest.raises(KeyError, match=r"'initial_lr' is not specified in param_groups\[0\]"):
        sched.StepLR(make_optimizer(), step_size=2, last_epoch=5)
    opt = make_optimizer()
    for group in opt.param_groups:
        group["initial_lr"] = group["lr"]
    assert sched.StepLR(opt, step_size=2, last_epoch=5).last_epoch == 6


def test_not_an_optimizer_is_an_error():
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        sched.StepLR([], step_size=2)


def test_stepping_the_scheduler_before_the_optimizer_warns():
    scheduler = sched.StepLR(make_optimizer(), step_size=2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        scheduler.step()
    opt = make_optimizer()
    scheduler = sched.StepLR(opt, step_size=2)
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scheduler.step()


def test_step_with_an_epoch_jumps_by_the_closed_form():
    opt = make_optimizer()
    scheduler = sched.StepLR(opt, step_size=3, gamma=0.5)
    opt.step()
    with pytest.warns(UserWarning, match="epoch parameter"):
        scheduler.step(10)
    assert scheduler.get_last_lr() == [0.2 * 0.5**3, 0.05 * 0.5**3]
    assert scheduler.last_epoch == 10


def test_state_dict_round_trip_continues_identically():
    first = sched.CosineAnnealingLR(make_optimizer(), T_max=10)
    lrs_over(first, epochs=7)
    state = first.state_dict()
    assert "optimizer" not in state and state["last_epoch"] == 7
    opt = make_optimizer(lrs=first.get_last_lr())
    second = sched.CosineAnnealingLR(opt, T_max=99)
    second.load_state_dict(state)
    np.testing.assert_array_equal(lrs_over(second, epochs=8), lrs_over(first, epochs=8))
