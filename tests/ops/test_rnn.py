"""Recurrence ops (minigrad/ops/rnn.py): unbind_steps and stack_steps route gradients to
the steps used (repeats accumulate), with gradcheck and double backward."""

from __future__ import annotations

import numpy as np

import minigrad
from minigrad.autograd import grad, gradcheck
from minigrad.ops.rnn import stack_steps, unbind_steps
from tests.helpers import to_numpy as _np


def test_unbind_steps_and_stack_steps_gradients(rng) -> None:
    x = minigrad.tensor(rng.standard_normal((4, 2, 3)), requires_grad=True)
    steps = unbind_steps(x * 1.0)
    assert len(steps) == 4 and all(s.shape == (2, 3) for s in steps)
    # only some steps used, one twice: unused steps get zero gradient, repeats accumulate
    loss = (steps[1] * 2.0).sum() + steps[3].sum() + (steps[3] ** 2).sum()
    loss.backward()
    want = np.zeros((4, 2, 3))
    want[1] = 2.0
    want[3] = 1.0 + 2 * _np(x)[3]
    np.testing.assert_allclose(_np(x.grad), want, rtol=1e-12)
    leaf = x.detach().requires_grad_()
    assert gradcheck(lambda t: stack_steps(unbind_steps(t * 1.0)[::-1]), [leaf])
    (g,) = grad((stack_steps(unbind_steps(x)) ** 3).sum(), [x], create_graph=True)
    (gg,) = grad(g.sum(), [x])
    np.testing.assert_allclose(_np(gg), 6 * _np(x), rtol=1e-12)
