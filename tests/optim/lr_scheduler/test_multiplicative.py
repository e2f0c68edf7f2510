"""LambdaLR, StepLR, MultiStepLR, ExponentialLR and LinearLR
(minigrad/optim/lr_scheduler/multiplicative.py): each recursive sequence against its closed form
over 60 epochs; LambdaLR's per-group functions."""

from __future__ import annotations

import numpy as np
import pytest

from minigrad.optim import lr_scheduler as sched
from tests.optim.lr_scheduler.helpers import closed_form, lrs_over, make_optimizer


@pytest.mark.parametrize("name,build,fn", [
    ("step", lambda o: sched.StepLR(o, step_size=7, gamma=0.5),
     lambda b, e: b * 0.5 ** (e // 7)),
    ("multistep", lambda o: sched.MultiStepLR(o, milestones=[25, 10, 40, 25], gamma=0.3),
     lambda b, e: b * 0.3 ** ((e >= 10) + 2 * (e >= 25) + (e >= 40))),
    ("exponential", lambda o: sched.ExponentialLR(o, gamma=0.93), lambda b, e: b * 0.93**e),
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
