"""ReduceLROnPlateau (minigrad/optim/lr_scheduler/plateau.py): metric sequences worked out by
hand (patience, cooldown, thresholds, modes, min_lr, eps), a Tensor metric, errors."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.optim import lr_scheduler as sched
from tests.optim.lr_scheduler.helpers import lrs_over, make_optimizer


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
