"""RMSprop (minigrad/optim/rmsprop.py): plain, centered, momentum, weight decay and maximize
updates against the algorithm written out in float64, a first step by hand, state, errors."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import optim

P0 = np.array([1.0, -2.0, 0.5])
GRADS = [np.array([0.5, 0.25, -1.0]), np.array([-0.1, 0.05, 0.2]), np.array([0.3, -0.6, 0.01])]


def run(grads, dtype=np.float64, **options):
    p = minigrad.tensor(P0.astype(dtype), requires_grad=True)
    opt = optim.RMSprop([p], **options)
    for g in grads:
        p.grad = minigrad.tensor(g.astype(dtype))
        opt.step()
    return p, opt


def reference(grads, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
              centered=False, maximize=False):
    p, v, a, b = P0.copy(), np.zeros(3), np.zeros(3), np.zeros(3)
    for g in grads:
        g = -g if maximize else g
        g = g + weight_decay * p
        v = alpha * v + (1 - alpha) * g * g
        if centered:
            a = alpha * a + (1 - alpha) * g
            avg = np.sqrt(v - a * a) + eps
        else:
            avg = np.sqrt(v) + eps
        if momentum > 0:
            b = momentum * b + g / avg
            p = p - lr * b
        else:
            p = p - lr * g / avg
    return p, v, a, b


def test_first_step_by_hand():
    p, opt = run(GRADS[:1], lr=0.01, alpha=0.75)
    # v = 0.25 g^2, so the step is lr * g / (0.5 |g| + eps) = 0.02 sign(g)
    np.testing.assert_allclose(p.data, P0 - 0.02 * np.sign(GRADS[0]), rtol=1e-7)
    np.testing.assert_allclose(opt.state[p]["square_avg"].data, 0.25 * GRADS[0] ** 2)


@pytest.mark.parametrize("options", [
    dict(),
    dict(lr=0.05, alpha=0.9, eps=1e-4),
    dict(weight_decay=0.1),
    dict(momentum=0.8),
    dict(centered=True),
    dict(centered=True, alpha=0.3),
    dict(maximize=True),
    dict(alpha=0.9, weight_decay=0.05, momentum=0.5, centered=True, maximize=True),
], ids=["default", "alpha_eps", "weight_decay", "momentum", "centered", "centered_small_alpha",
        "maximize", "all"])
def test_three_steps_follow_the_algorithm(options):
    p, opt = run(GRADS, **options)
    want_p, v, a, b = reference(GRADS, **options)
    np.testing.assert_allclose(p.data, want_p, rtol=1e-13)
    state = opt.state[p]
    np.testing.assert_allclose(state["square_avg"].data, v, rtol=1e-13)
    if options.get("centered"):
        np.testing.assert_allclose(state["grad_avg"].data, a, rtol=1e-13)
    if options.get("momentum"):
        np.testing.assert_allclose(state["momentum_buffer"].data, b, rtol=1e-13)


def test_state_keys_follow_the_options():
    for options, keys in [
        (dict(), ["square_avg", "step"]),
        (dict(momentum=0.9), ["momentum_buffer", "square_avg", "step"]),
        (dict(centered=True), ["grad_avg", "square_avg", "step"]),
    ]:
        p, opt = run(GRADS[:2], **options)
        assert sorted(opt.state[p]) == keys
        assert opt.state[p]["step"].item() == 2.0
        assert opt.state[p]["step"].data.dtype == np.float32


def test_float32_matches_float64_to_float32_precision():
    options = dict(momentum=0.5, centered=True, weight_decay=0.1)
    p32, opt = run(GRADS, dtype=np.float32, **options)
    assert p32.data.dtype == np.float32
    assert all(v.data.dtype == np.float32 for v in opt.state[p32].values())
    np.testing.assert_allclose(p32.data, run(GRADS, **options)[0].data, rtol=1e-6)


def test_defaults_match_pytorch():
    _, opt = run([])
    assert opt.defaults == dict(lr=1e-2, momentum=0, alpha=0.99, eps=1e-8, centered=False,
                                weight_decay=0, capturable=False, foreach=None,
                                maximize=False, differentiable=False)


@pytest.mark.parametrize("options,message", [
    (dict(lr=-0.1), "Invalid learning rate: -0.1"),
    (dict(eps=-1e-8), "Invalid epsilon value: -1e-08"),
    (dict(momentum=-0.9), "Invalid momentum value: -0.9"),
    (dict(weight_decay=-0.5), "Invalid weight_decay value: -0.5"),
    (dict(alpha=-0.99), "Invalid alpha value: -0.99"),
])
def test_invalid_options_are_errors(options, message):
    with pytest.raises(ValueError, match=message):
        run([], **options)
