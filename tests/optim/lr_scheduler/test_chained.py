"""SequentialLR (minigrad/optim/lr_scheduler/chained.py): the hand-over at the milestones,
errors."""

from __future__ import annotations

import numpy as np
import pytest

from minigrad.optim import lr_scheduler as sched
from tests.optim.lr_scheduler.helpers import closed_form, lrs_over, make_optimizer


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
