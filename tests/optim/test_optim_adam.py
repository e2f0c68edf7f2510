"""Adam and AdamW (minigrad/optim/adam.py, adamw.py): updates worked out from the algorithm in
the docstring (bias correction, eps after it, AMSGrad's maximum, L2 vs decoupled decay), state,
and option errors."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import optim

P0 = np.array([1.0, -2.0, 0.5])
GRADS = [np.array([0.5, 0.25, -1.0]), np.array([-0.1, 0.05, 0.2]), np.array([0.3, -0.6, 0.01])]


def run(grads, cls=optim.Adam, dtype=np.float64, **options):
    p = minigrad.tensor(P0.astype(dtype), requires_grad=True)
    opt = cls([p], **options)
    for g in grads:
        p.grad = minigrad.tensor(g.astype(dtype))
        opt.step()
    return p, opt


def reference(grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
              maximize=False, decoupled=False):
    """The textbook algorithm in float64, written independently of the implementation."""
    b1, b2 = betas
    p, m, v, v_max = P0.copy(), np.zeros(3), np.zeros(3), np.zeros(3)
    for t, g in enumerate(grads, start=1):
        g = -g if maximize else g
        if decoupled:
            p = p * (1 - lr * weight_decay)
        elif weight_decay:
            g = g + weight_decay * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        v_max = np.maximum(v_max, v)
        second = v_max if amsgrad else v
        denom = np.sqrt(second) / np.sqrt(1 - b2**t) + eps
        p = p - lr / (1 - b1**t) * m / denom
    return p, m, v, v_max


def test_first_step_moves_each_coordinate_by_about_lr():
    p, _ = run(GRADS[:1], lr=0.1)
    # m_hat = g, v_hat = g^2: the step is lr * g / (|g| + eps)
    np.testing.assert_allclose(p.data, P0 - 0.1 * GRADS[0] / (np.abs(GRADS[0]) + 1e-8),
                               rtol=1e-14)


@pytest.mark.parametrize("options", [
    dict(lr=0.1),
    dict(lr=0.05, betas=(0.8, 0.9), eps=1e-3),
    dict(lr=0.05, betas=(0.3, 0.5)),
    dict(lr=0.1, weight_decay=0.1),
    dict(lr=0.1, amsgrad=True),
    dict(lr=0.1, maximize=True),
    dict(lr=0.1, weight_decay=0.2, amsgrad=True, maximize=True),
], ids=["default", "betas_eps", "small_betas", "l2", "amsgrad", "maximize", "all"])
def test_three_steps_follow_the_algorithm(options):
    p, opt = run(GRADS, **options)
    want_p, m, v, v_max = reference(GRADS, **options)
    np.testing.assert_allclose(p.data, want_p, rtol=1e-13)
    state = opt.state[p]
    np.testing.assert_allclose(state["exp_avg"].data, m, rtol=1e-13)
    np.testing.assert_allclose(state["exp_avg_sq"].data, v, rtol=1e-13)
    if options.get("amsgrad"):
        np.testing.assert_allclose(state["max_exp_avg_sq"].data, v_max, rtol=1e-13)


def test_amsgrad_keeps_the_largest_second_moment():
    g = GRADS[0]
    p, opt = run([g, 0.1 * g], lr=0.1, betas=(0.9, 0.5), amsgrad=True)
    # v1 = 0.5 g^2 and v2 = 0.5 v1 + 0.5 (0.1 g)^2 = 0.255 g^2: the maximum keeps v1
    np.testing.assert_allclose(opt.state[p]["exp_avg_sq"].data, 0.255 * g * g, rtol=1e-14)
    np.testing.assert_allclose(opt.state[p]["max_exp_avg_sq"].data, 0.5 * g * g, rtol=1e-14)


def test_state_holds_a_float32_step_counter_and_moment_buffers():
    p, opt = run(GRADS[:2], lr=0.1)
    state = opt.state[p]
    assert sorted(state) == ["exp_avg", "exp_avg_sq", "step"]
    assert state["step"].data.dtype == np.float32 and state["step"].ndim == 0
    assert state["step"].item() == 2.0
    _, amsgrad = run(GRADS[:1], amsgrad=True)
    assert "max_exp_avg_sq" in next(iter(amsgrad.state.values()))


def test_float32_matches_float64_to_float32_precision():
    p32, opt = run(GRADS, dtype=np.float32, lr=0.1, weight_decay=0.1, amsgrad=True)
    p64, _ = run(GRADS, lr=0.1, weight_decay=0.1, amsgrad=True)
    assert p32.data.dtype == np.float32
    assert all(v.data.dtype == np.float32 for v in opt.state[p32].values())
    np.testing.assert_allclose(p32.data, p64.data, rtol=1e-6)


def test_adamw_decouples_weight_decay():
    p, opt = run(GRADS, cls=optim.AdamW, lr=0.1, weight_decay=0.3)
    np.testing.assert_allclose(p.data, reference(GRADS, lr=0.1, weight_decay=0.3,
                                                 decoupled=True)[0], rtol=1e-13)
    assert opt.param_groups[0]["decoupled_weight_decay"] is True
    # With a zero gradient AdamW still shrinks p; Adam's L2 decay moves it by about lr.
    q, _ = run([np.zeros(3)], cls=optim.AdamW, lr=0.1, weight_decay=0.5)
    np.testing.assert_allclose(q.data, P0 * (1 - 0.05), rtol=1e-15)


def test_adam_with_decoupled_weight_decay_is_adamw():
    p, _ = run(GRADS, lr=0.1, weight_decay=0.3, decoupled_weight_decay=True)
    q, _ = run(GRADS, cls=optim.AdamW, lr=0.1, weight_decay=0.3)
    np.testing.assert_array_equal(p.data, q.data)


def test_adamw_defaults_and_state_dict_keep_decay_decoupled():
    _, opt = run([], cls=optim.AdamW)
    assert opt.defaults["weight_decay"] == 0.01 and opt.defaults["lr"] == 1e-3
    sd = opt.state_dict()
    sd["param_groups"][0]["decoupled_weight_decay"] = False
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["decoupled_weight_decay"] is True


def test_betas_are_stored_as_a_tuple():
    _, opt = run([], betas=[0.8, 0.99])
    assert opt.param_groups[0]["betas"] == (0.8, 0.99)


@pytest.mark.parametrize("options,message", [
    (dict(lr=-0.1), "Invalid learning rate: -0.1"),
    (dict(eps=-1.0), "Invalid epsilon value: -1.0"),
    (dict(betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    (dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    (dict(weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
])
@pytest.mark.parametrize("cls", [optim.Adam, optim.AdamW], ids=["adam", "adamw"])
def test_invalid_options_are_errors(cls, options, message):
    with pytest.raises(ValueError, match=message):
        run([], cls=cls, **options)


def test_capturable_and_differentiable_are_not_supported():
    with pytest.raises(NotImplementedError, match="AdamW: capturable=True"):
        run([], cls=optim.AdamW, capturable=True)
    with pytest.raises(NotImplementedError, match="Adam: differentiable=True"):
        run([], differentiable=True)
