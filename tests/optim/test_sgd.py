"""SGD (minigrad/optim/sgd.py): each option's update worked out by hand on small vectors, the
momentum buffer's first step, and the option errors."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import optim

P0 = [1.0, -2.0]
G1, G2 = [0.5, 0.25], [-1.0, 2.0]


def run(grads, dtype=np.float64, **options):
    """SGD on one parameter starting at P0, stepped once per gradient; returns (p, opt)."""
    p = minigrad.tensor(np.array(P0, dtype=dtype), requires_grad=True)
    opt = optim.SGD([p], **options)
    for g in grads:
        p.grad = minigrad.tensor(np.array(g, dtype=dtype))
        opt.step()
    return p, opt


def test_plain_step_is_p_minus_lr_g():
    p, opt = run([G1], lr=0.1)
    np.testing.assert_allclose(p.data, [1.0 - 0.05, -2.0 - 0.025], rtol=1e-15)
    assert len(opt.state) == 0  # no momentum, no state


def test_weight_decay_adds_wd_times_p_to_the_gradient():
    p, _ = run([G1], lr=0.1, weight_decay=0.2)
    # g' = [0.5 + 0.2, 0.25 - 0.4] = [0.7, -0.15]
    np.testing.assert_allclose(p.data, [1.0 - 0.07, -2.0 + 0.015], rtol=1e-15)


def test_momentum_buffer_starts_at_the_first_gradient_without_dampening():
    p, opt = run([G1], lr=0.1, momentum=0.9, dampening=0.5)
    np.testing.assert_allclose(opt.state[p]["momentum_buffer"].data, G1)
    np.testing.assert_allclose(p.data, [0.95, -2.025], rtol=1e-15)


def test_momentum_second_step_uses_momentum_and_dampening():
    p, opt = run([G1, G2], lr=0.1, momentum=0.9, dampening=0.5)
    buf = [0.9 * 0.5 + 0.5 * -1.0, 0.9 * 0.25 + 0.5 * 2.0]  # [-0.05, 1.225]
    np.testing.assert_allclose(opt.state[p]["momentum_buffer"].data, buf, rtol=1e-15)
    np.testing.assert_allclose(p.data, [0.95 + 0.005, -2.025 - 0.1225], rtol=1e-15)


def test_nesterov_steps_along_g_plus_momentum_times_buffer():
    p, opt = run([G1, G2], lr=0.1, momentum=0.9, nesterov=True)
    # step 1: buf = g1; update g1 + 0.9 g1 = 1.9 g1
    # step 2: buf = 0.9 g1 + g2 = [-0.55, 2.225]; update g2 + 0.9 buf = [-1.495, 4.0025]
    np.testing.assert_allclose(opt.state[p]["momentum_buffer"].data, [-0.55, 2.225], rtol=1e-15)
    expected = np.array(P0) - 0.1 * 1.9 * np.array(G1) - 0.1 * np.array([-1.495, 4.0025])
    np.testing.assert_allclose(p.data, expected, rtol=1e-15)


def test_maximize_ascends_and_negates_before_weight_decay():
    p, _ = run([G1], lr=0.1, weight_decay=0.2, maximize=True)
    # g' = -g + wd p = [-0.5 + 0.2, -0.25 - 0.4] = [-0.3, -0.65]
    np.testing.assert_allclose(p.data, [1.03, -1.935], rtol=1e-15)


def test_momentum_buffer_holds_the_gradient_after_weight_decay():
    p, opt = run([G1], lr=0.1, momentum=0.5, weight_decay=0.2)
    np.testing.assert_allclose(opt.state[p]["momentum_buffer"].data, [0.7, -0.15], rtol=1e-15)


def test_buffer_is_a_copy_not_the_gradient():
    p, opt = run([G1], lr=0.1, momentum=0.9)
    assert opt.state[p]["momentum_buffer"].data is not p.grad.data
    p.grad.data[...] = 0.0
    np.testing.assert_allclose(opt.state[p]["momentum_buffer"].data, G1)


def test_float32_update_is_float32():
    p, opt = run([G1, G2], dtype=np.float32, lr=0.1, momentum=0.9, weight_decay=0.1)
    assert p.data.dtype == np.float32
    assert opt.state[p]["momentum_buffer"].data.dtype == np.float32
    p64, _ = run([G1, G2], lr=0.1, momentum=0.9, weight_decay=0.1)
    np.testing.assert_allclose(p.data, p64.data, rtol=1e-6)


def test_defaults_match_pytorch():
    _, opt = run([])
    assert opt.defaults == dict(lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                                nesterov=False, maximize=False, foreach=None,
                                differentiable=False, fused=None)


@pytest.mark.parametrize("options,message", [
    (dict(lr=-0.1), "Invalid learning rate: -0.1"),
    (dict(momentum=-0.5), "Invalid momentum value: -0.5"),
    (dict(weight_decay=-1e-4), "Invalid weight_decay value: -0.0001"),
    (dict(nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    (dict(nesterov=True, momentum=0.9, dampening=0.1),
     "Nesterov momentum requires a momentum and zero dampening"),
])
def test_invalid_options_are_errors(options, message):
    with pytest.raises(ValueError, match=message):
        run([], **options)


def test_differentiable_is_not_supported():
    with pytest.raises(NotImplementedError, match="SGD: differentiable=True is not supported"):
        run([], differentiable=True)
