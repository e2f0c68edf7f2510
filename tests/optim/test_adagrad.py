"""Adagrad (minigrad/optim/adagrad.py): the accumulator, lr decay, initial value, eps, weight
decay and maximize against the algorithm written out in float64; state made at construction;
errors."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import optim

P0 = np.array([1.0, -2.0, 0.5])
GRADS = [np.array([0.5, 0.25, -1.0]), np.array([-0.1, 0.05, 0.2]), np.array([0.3, -0.6, 0.01])]


def run(grads, dtype=np.float64, **options):
    p = minigrad.tensor(P0.astype(dtype), requires_grad=True)
    opt = optim.Adagrad([p], **options)
    for g in grads:
        p.grad = minigrad.tensor(g.astype(dtype))
        opt.step()
    return p, opt


def reference(grads, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
              eps=1e-10, maximize=False):
    p, s = P0.copy(), np.full(3, initial_accumulator_value)
    for t, g in enumerate(grads, start=1):
        g = -g if maximize else g
        g = g + weight_decay * p
        clr = lr / (1 + (t - 1) * lr_decay)
        s = s + g * g
        p = p - clr * g / (np.sqrt(s) + eps)
    return p, s


def test_first_step_is_lr_times_the_sign():
    p, _ = run(GRADS[:1], lr=0.1)
    np.testing.assert_allclose(p.data, P0 - 0.1 * np.sign(GRADS[0]), rtol=1e-9)


def test_lr_decay_divides_the_lr_by_one_plus_steps_so_far_times_decay():
    zero = np.zeros(3)
    p, _ = run([zero, zero, GRADS[0]], lr=0.1, lr_decay=0.5, initial_accumulator_value=1.0)
    # third step: clr = 0.1 / (1 + 2 * 0.5) = 0.05; s = 1 + g^2
    want = P0 - 0.05 * GRADS[0] / (np.sqrt(1 + GRADS[0] ** 2) + 1e-10)
    np.testing.assert_allclose(p.data, want, rtol=1e-14)


@pytest.mark.parametrize("options", [
    dict(),
    dict(lr=0.1, lr_decay=0.1),
    dict(weight_decay=0.2),
    dict(initial_accumulator_value=0.3, eps=1e-3),
    dict(maximize=True),
    dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.1, maximize=True),
], ids=["default", "lr_decay", "weight_decay", "accumulator_eps", "maximize", "all"])
def test_three_steps_follow_the_algorithm(options):
    p, opt = run(GRADS, **options)
    want_p, s = reference(GRADS, **options)
    np.testing.assert_allclose(p.data, want_p, rtol=1e-13)
    np.testing.assert_allclose(opt.state[p]["sum"].data, s, rtol=1e-13)
    assert opt.state[p]["step"].item() == 3.0


def test_state_is_made_at_construction_for_every_parameter():
    unused = minigrad.tensor(np.zeros(2), requires_grad=True)
    p = minigrad.tensor(P0.copy(), requires_grad=True)
    opt = optim.Adagrad([p, unused], initial_accumulator_value=0.25)
    assert sorted(opt.state_dict()["state"]) == [0, 1]
    np.testing.assert_array_equal(opt.state[unused]["sum"].data, [0.25, 0.25])
    assert opt.state[unused]["step"].item() == 0.0
    assert opt.state[unused]["step"].data.dtype == np.float32


def test_param_group_added_later_gets_state_on_its_first_step():
    p, opt = run([])
    late = minigrad.tensor(np.ones(2), requires_grad=True)
    opt.add_param_group({"params": [late], "lr": 0.5})
    assert len(opt.state[late]) == 0
    late.grad = minigrad.tensor(np.array([1.0, -1.0]))
    opt.step()
    np.testing.assert_allclose(late.data, [0.5, 1.5], rtol=1e-9)
    assert opt.state[late]["step"].item() == 1.0


def test_float32_matches_float64_to_float32_precision():
    options = dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.1)
    p32, opt = run(GRADS, dtype=np.float32, **options)
    assert p32.data.dtype == np.float32 and opt.state[p32]["sum"].data.dtype == np.float32
    np.testing.assert_allclose(p32.data, run(GRADS, **options)[0].data, rtol=1e-6)


@pytest.mark.parametrize("options,message", [
    (dict(lr=-0.1), "Invalid learning rate: -0.1"),
    (dict(lr_decay=-0.1), "Invalid lr_decay value: -0.1"),
    (dict(weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
    (dict(initial_accumulator_value=-1.0), "Invalid initial_accumulator_value value: -1.0"),
    (dict(eps=-1e-10), "Invalid epsilon value: -1e-10"),
])
def test_invalid_options_are_errors(options, message):
    with pytest.raises(ValueError, match=message):
        run([], **options)
