"""CosineAnnealingLR and OneCycleLR (minigrad/optim/lr_scheduler/cosine.py): the cosine's
recursive sequence against its closed form over 60 epochs, OneCycleLR's landmarks, momentum,
phases and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from minigrad import optim
from minigrad.optim import lr_scheduler as sched
from tests.optim.lr_scheduler.helpers import closed_form, lrs_over, make_optimizer


def test_recursive_sequence_equals_the_closed_form():
    got = lrs_over(sched.CosineAnnealingLR(make_optimizer(), T_max=13, eta_min=0.001))
    want = closed_form(lambda b, e: 0.001 + (b - 0.001) * (1 + math.cos(math.pi * e / 13)) / 2)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_one_cycle_rises_to_max_lr_then_falls_to_min_with_inverse_momentum():
    opt = make_optimizer(momentum=0.9)
    scheduler = sched.OneCycleLR(opt, max_lr=[1.0, 0.5], total_steps=100, pct_start=0.3)
    momenta = [opt.param_groups[0]["momentum"]]
    lrs = [scheduler.get_last_lr()]
    for _ in range(99):
        opt.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
        momenta.append(opt.param_groups[0]["momentum"])
    lrs = np.array(lrs)
    np.testing.assert_allclose(lrs[0], [1.0 / 25, 0.5 / 25])  # max_lr / div_factor
    np.testing.assert_allclose(lrs[29], [1.0, 0.5])  # the peak at pct_start * total - 1
    np.testing.assert_allclose(lrs[99], [1.0 / 25 / 1e4, 0.5 / 25 / 1e4])
    assert np.all(np.diff(lrs[:30, 0]) > 0) and np.all(np.diff(lrs[29:, 0]) < 0)
    np.testing.assert_allclose([momenta[0], momenta[29], momenta[99]], [0.95, 0.85, 0.95])
    # cosine annealing: halfway up, lr is the mean of start and peak
    half = sched.OneCycleLR(make_optimizer(momentum=0.9), max_lr=1.0, total_steps=22,
                            pct_start=0.5)  # the peak at step 10
    lrs_half = lrs_over(half, epochs=5)
    np.testing.assert_allclose(lrs_half[5, 0], (0.04 + 1.0) / 2, rtol=1e-12)
    with pytest.raises(ValueError, match="Tried to step 101 times"):
        opt.step()
        scheduler.step()
        scheduler.step()


def test_one_cycle_linear_three_phase_and_adam_beta1():
    opt = make_optimizer(optim.Adam, lrs=(0.1,))
    scheduler = sched.OneCycleLR(opt, max_lr=1.0, total_steps=40, pct_start=0.25,
                                 anneal_strategy="linear", three_phase=True)
    lrs = lrs_over(scheduler, epochs=39)[:, 0]
    # phases end at steps 9 (peak), 18 (back to initial), 39 (min): straight lines between
    np.testing.assert_allclose(lrs[[0, 9, 18, 39]], [0.04, 1.0, 0.04, 0.04 / 1e4], rtol=1e-12)
    np.testing.assert_allclose(lrs[3], 0.04 + 0.96 * 3 / 9, rtol=1e-12)
    np.testing.assert_allclose(lrs[29], 0.04 + (0.04e-4 - 0.04) * 11 / 21, rtol=1e-12)
    assert opt.param_groups[0]["betas"] == (0.95, 0.999)  # the last phase holds max momentum
    assert scheduler.total_steps == 40


def test_one_cycle_errors():
    opt = make_optimizer()
    with pytest.raises(ValueError, match="either total_steps OR"):
        sched.OneCycleLR(opt, max_lr=1.0)
    with pytest.raises(ValueError, match="positive integer total_steps, but got 0"):
        sched.OneCycleLR(opt, max_lr=1.0, total_steps=0)
    with pytest.raises(ValueError, match="pct_start, but got 1.5"):
        sched.OneCycleLR(opt, max_lr=1.0, total_steps=10, pct_start=1.5)
    with pytest.raises(ValueError, match="anneal_strategy must be one of"):
        sched.OneCycleLR(opt, max_lr=1.0, total_steps=10, anneal_strategy="step")
    with pytest.raises(ValueError, match="max_lr must have the same length"):
        sched.OneCycleLR(opt, max_lr=[1.0], total_steps=10)
    with pytest.raises(ValueError, match="must support momentum or beta1"):
        sched.OneCycleLR(make_optimizer(optim.Adagrad), max_lr=1.0, total_steps=10)
    assert sched.OneCycleLR(make_optimizer(optim.Adagrad), max_lr=1.0, total_steps=10,
                            cycle_momentum=False).total_steps == 10
