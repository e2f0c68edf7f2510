"""Learning-rate schedulers (minigrad/optim/lr_scheduler.py): each recursive sequence against its
closed form over 60 epochs, OneCycleLR's landmarks and momentum, ReduceLROnPlateau on metric
sequences worked out by hand, SequentialLR's hand-over, the base class's bookkeeping, errors."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import minigrad
from minigrad import optim
from minigrad.optim import lr_scheduler as sched

EPOCHS = 60


def make_optimizer(cls=optim.SGD, lrs=(0.2, 0.05), **options):
    groups = [{"params": [minigrad.tensor(np.ones(2), requires_grad=True)], "lr": lr}
              for lr in lrs]
    return cls(groups, **options)


def lrs_over(scheduler, epochs=EPOCHS, metrics=None):
    """get_last_lr() after construction and after each of `epochs` (optimizer, scheduler) steps."""
    opt = scheduler.optimizer
    rows = [list(scheduler.get_last_lr())]
    for epoch in range(epochs):
        opt.step()
        scheduler.step() if metrics is None else scheduler.step(metrics[epoch])
        rows.append(list(scheduler.get_last_lr()))
    return np.array(rows)


def closed_form(fn, bases=(0.2, 0.05), epochs=EPOCHS):
    return np.array([[fn(base, e) for base in bases] for e in range(epochs + 1)])


@pytest.mark.parametrize("name,build,fn", [
    ("step", lambda o: sched.StepLR(o, step_size=7, gamma=0.5),
     lambda b, e: b * 0.5 ** (e // 7)),
    ("multistep", lambda o: sched.MultiStepLR(o, milestones=[25, 10, 40, 25], gamma=0.3),
     lambda b, e: b * 0.3 ** ((e >= 10) + 2 * (e >= 25) + (e >= 40))),
    ("exponential", lambda o: sched.ExponentialLR(o, gamma=0.93), lambda b, e: b * 0.93**e),
    ("cosine", lambda o: sched.CosineAnnealingLR(o, T_max=13, eta_min=0.001),
     lambda b, e: 0.001 + (b - 0.001) * (1 + math.cos(math.pi * e / 13)) / 2),
    ("lambda", lambda o: sched.LambdaLR(o, lambda e: 1 / (1 + e)), lambda b, e: b / (1 + e)),
    ("linear", lambda o: sched.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=15),
     lambda b, e: b * (0.25 + 0.65 * min(e, 15) / 15)),
], ids=lambda v: v if isinstance(v, str) else "")
def test_recursive_sequence_equals_the_closed_form(name, build, fn):
    got = lrs_over(build(make_optimizer()))
    np.testing.assert_allclose(got, closed_form(fn), rtol=1e-12, atol=1e-15)


def test_lambda_lr_takes_one_function_per_group():
    opt = make_optimizer()
    got = lrs_over(sched.LambdaLR(opt, [lambda e: 0.5**e, lambda e: e + 1]), epochs=5)
    np.testing.assert_allclose(got[:, 0], [0.2 * 0.5**e for e in range(6)])
    np.testing.assert_allclose(got[:, 1], [0.05 * (e + 1) for e in range(6)])
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        sched.LambdaLR(make_optimizer(), [lambda e: 1.0])


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


# -- OneCycleLR -----------------------------------------------------------------------------------
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


# -- ReduceLROnPlateau ----------------------------------------------------------------------------
def test_plateau_reduces_after_patience_bad_epochs_then_cools_down():
    opt = make_optimizer(lrs=(1.0,))
    scheduler = sched.ReduceLROnPlateau(opt, factor=0.5, patience=2, cooldown=1)
    metrics = [5.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 3.0, 3.0]
    lrs = lrs_over(scheduler, epochs=len(metrics), metrics=metrics)[1:, 0]
    # bad epochs: 3rd, 4th, 5th -> the 3rd bad one (epoch 5) halves the lr; epoch 6 is cooldown;
    # epochs 7, 8 are bad again, 9 improves, 10 is the first bad one.
    np.testing.assert_array_equal(lrs, [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5])
    assert scheduler.best == 3.0 and scheduler.num_bad_epochs == 1


def test_plateau_thresholds_modes_and_min_lr():
    # min / rel: 0.995 is not better than 1.0 * (1 - 0.01); patience 0 reduces at once.
    opt = make_optimizer(lrs=(1.0, 0.1))
    scheduler = sched.ReduceLROnPlateau(opt, patience=0, threshold=0.01, min_lr=[0.2, 0.05])
    lrs = lrs_over(scheduler, epochs=4, metrics=[1.0, 0.995, 0.98, 0.5])[1:]
    np.testing.assert_allclose(lrs, [[1.0, 0.1], [0.2, 0.05], [0.2, 0.05], [0.2, 0.05]])
    # max / abs: an improvement must exceed best + threshold.
    opt = make_optimizer(lrs=(1.0,))
    scheduler = sched.ReduceLROnPlateau(opt, mode="max", threshold=0.1, threshold_mode="abs",
                                        patience=0, factor=0.5)
    lrs = lrs_over(scheduler, epochs=3, metrics=[1.0, 1.05, 1.2])[1:, 0]
    np.testing.assert_allclose(lrs, [1.0, 0.5, 0.5])
    # eps: a reduction smaller than eps is skipped.
    opt = make_optimizer(lrs=(1e-9,))
    scheduler = sched.ReduceLROnPlateau(opt, patience=0)
    assert lrs_over(scheduler, epochs=2, metrics=[1.0, 2.0])[-1, 0] == 1e-9


def test_plateau_accepts_a_tensor_metric_and_errors():
    scheduler = sched.ReduceLROnPlateau(make_optimizer())
    make_optimizer().step()
    scheduler.step(minigrad.tensor(3.0))
    assert scheduler.best == 3.0 and scheduler.last_epoch == 1
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        sched.ReduceLROnPlateau(make_optimizer(), factor=1.0)
    with pytest.raises(ValueError, match="mode avg is unknown"):
        sched.ReduceLROnPlateau(make_optimizer(), mode="avg")
    with pytest.raises(ValueError, match="threshold mode both is unknown"):
        sched.ReduceLROnPlateau(make_optimizer(), threshold_mode="both")
    with pytest.raises(ValueError, match="expected 2 min_lrs, got 1"):
        sched.ReduceLROnPlateau(make_optimizer(), min_lr=[0.1])


# -- SequentialLR ---------------------------------------------------------------------------------
def test_sequential_hands_over_at_the_milestones():
    opt = make_optimizer()
    scheduler = sched.SequentialLR(opt, [
        sched.LinearLR(opt, start_factor=0.1, total_iters=10),
        sched.ExponentialLR(opt, gamma=0.9),
    ], milestones=[10])
    got = lrs_over(scheduler, epochs=30)
    want = closed_form(lambda b, e: b * (0.1 + 0.9 * e / 10) if e < 10 else b * 0.9 ** (e - 10),
                       epochs=30)
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_sequential_errors():
    opt = make_optimizer()
    first = sched.StepLR(opt, step_size=2)
    with pytest.raises(ValueError, match="one more than the number of milestone points"):
        sched.SequentialLR(opt, [first, sched.StepLR(opt, step_size=3)], milestones=[2, 5])
    with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
        sched.SequentialLR(opt, [first, sched.ReduceLROnPlateau(opt)], milestones=[2])
    with pytest.raises(ValueError, match="same optimizer"):
        sched.SequentialLR(opt, [first, sched.StepLR(make_optimizer(), 2)], milestones=[2])
    with pytest.raises(ValueError, match="at least one scheduler"):
        sched.SequentialLR(opt, [], milestones=[])
