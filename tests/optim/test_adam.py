"""Adam (minigrad/optim/adam.py): updates worked out from the algorithm in the docstring (bias
correction, eps after it, AMSGrad's maximum, L2 decay), state, and option errors. AdamW's
decoupled decay is in test_adamw.py."""

from __future__ import annotations

import numpy as np
import pytest

from minigrad import optim
from tests.optim.helpers import GRADS, INVALID_OPTIONS, P0, reference, run


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


def test_betas_are_stored_as_a_tuple():
    _, opt = run([], betas=[0.8, 0.99])
    assert opt.param_groups[0]["betas"] == (0.8, 0.99)


@pytest.mark.parametrize("options,message", INVALID_OPTIONS)
def test_invalid_options_are_errors(options, message):
    with pytest.raises(ValueError, match=message):
        run([], cls=optim.Adam, **options)


def test_capturable_and_differentiable_are_not_supported():
    with pytest.raises(NotImplementedError, match="AdamW: capturable=True"):
        run([], cls=optim.AdamW, capturable=True)
    with pytest.raises(NotImplementedError, match="Adam: differentiable=True"):
        run([], differentiable=True)
