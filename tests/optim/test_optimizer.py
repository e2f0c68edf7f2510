"""The Optimizer base (minigrad/optim/optimizer.py): param groups, state, zero_grad, closures,
state dicts and every error, exercised through SGD and Adam; and the shared update kernels.
The option checks declared in optimizer.py are tested in each optimizer's own file."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import minigrad
from minigrad import optim
from minigrad.optim import optimizer as base


def leaf(values, dtype=np.float64):
    return minigrad.tensor(np.array(values, dtype=dtype), requires_grad=True)


def set_grads(params, *grads):
    for p, g in zip(params, grads, strict=True):
        p.grad = minigrad.tensor(np.array(g, dtype=p.data.dtype))


# -- param groups ---------------------------------------------------------------------------------
def test_param_groups_hold_every_option_and_their_own_lr():
    a, b = leaf([1.0, 2.0]), leaf([3.0])
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.0)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert set(opt.param_groups[0]) == {"params", *opt.defaults}
    assert opt.param_groups[1]["params"] == [b]  # a lone tensor becomes a list
    set_grads([a, b], [1.0, 1.0], [1.0])
    opt.step()
    np.testing.assert_allclose(a.data, [0.9, 1.9])
    np.testing.assert_allclose(b.data, [2.5])


def test_changing_a_group_lr_takes_effect_at_the_next_step():
    p = leaf([1.0])
    opt = optim.SGD([p], lr=0.1)
    opt.param_groups[0]["lr"] = 0.25
    set_grads([p], [2.0])
    opt.step()
    np.testing.assert_allclose(p.data, [0.5])


def test_named_parameters_are_kept_as_param_names():
    w, b = leaf([1.0]), leaf([2.0])
    opt = optim.SGD([("w", w), ("b", b)], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["w", "b"]
    assert opt.param_groups[0]["params"][1] is b
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]


def test_add_param_group_fills_defaults_and_is_stepped():
    a, b = leaf([1.0]), leaf([1.0])
    opt = optim.Adam([a], lr=0.1)
    opt.add_param_group({"params": [b], "lr": 0.2})
    assert opt.param_groups[1]["betas"] == (0.9, 0.999)
    set_grads([a, b], [1.0], [1.0])
    opt.step()
    np.testing.assert_allclose([a.item(), b.item()], [0.9, 0.8], rtol=1e-7)


def test_parameter_in_two_groups_is_an_error_naming_it():
    a, b = leaf([1.0]), leaf(np.zeros((2, 3)))
    opt = optim.SGD([a, b], lr=0.1)
    with pytest.raises(ValueError, match=r"more than one parameter group: parameter 1 of the "
                                         r"new group \(shape \(2, 3\)\) is already in group 0"):
        opt.add_param_group({"params": [leaf([0.0]), b]})
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [a]}, {"params": [a]}], lr=0.1)


def test_bad_params_are_errors():
    p = leaf([1.0])
    with pytest.raises(TypeError, match="iterable of Tensors or dicts, but got minigrad"):
        optim.SGD(p, lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors, but one of the params is "
                                        "numpy.ndarray"):
        optim.SGD([np.zeros(2)], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD([{"params": {p}}], lr=0.1)
    with pytest.raises(TypeError, match="param_group must be a dict"):
        optim.SGD([p], lr=0.1).add_param_group([p])


def test_non_leaf_tensor_is_an_error_naming_its_op():
    p = leaf([1.0, 2.0])
    with pytest.raises(ValueError, match=r"can't optimize a non-leaf Tensor: parameter 1 of the "
                                         r"group \(shape \(2,\)\) was made by Mul"):
        optim.SGD([p, p * 2], lr=0.1)


def test_leaf_that_does_not_require_grad_is_accepted_and_skipped():
    frozen = minigrad.tensor(np.array([1.0, 2.0]))
    opt = optim.SGD([frozen], lr=0.1)
    opt.step()
    np.testing.assert_array_equal(frozen.data, [1.0, 2.0])


def test_required_option_must_be_given_by_every_group():
    class Needy(base.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": base.required})

    with pytest.raises(ValueError, match="didn't specify a value of required optimization "
                                         "parameter lr"):
        Needy([leaf([1.0])])
    assert Needy([{"params": [leaf([1.0])], "lr": 0.1}]).param_groups[0]["lr"] == 0.1
    assert repr(base.required) == "<required parameter>"


# -- step, zero_grad, closure ---------------------------------------------------------------------
def test_params_without_grad_are_skipped_and_get_no_state():
    a, b = leaf([1.0]), leaf([1.0])
    opt = optim.Adam([a, b], lr=0.1)
    set_grads([a], [1.0])
    opt.step()
    assert b.item() == 1.0 and a.item() != 1.0
    assert b not in opt.state and len(opt.state[a]) == 3


def test_zero_grad_sets_to_none_by_default():
    p = leaf([1.0, 2.0])
    (p * p).sum().backward()
    optim.SGD([p], lr=0.1).zero_grad()
    assert p.grad is None


def test_zero_grad_without_set_to_none_zeroes_the_same_tensor_in_place():
    p = leaf([1.0, 2.0])
    (p * p).sum().backward()
    grad = p.grad
    optim.SGD([p], lr=0.1).zero_grad(set_to_none=False)
    assert p.grad is grad and not grad.requires_grad
    np.testing.assert_array_equal(grad.data, [0.0, 0.0])
    (p * p).sum().backward()  # accumulates into the zeroed gradient
    np.testing.assert_array_equal(p.grad.data, [2.0, 4.0])


def test_closure_runs_with_grad_enabled_and_its_loss_is_returned():
    p = leaf([3.0])
    opt = optim.SGD([p], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with minigrad.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 9.0
    np.testing.assert_allclose(p.data, [3.0 - 0.1 * 6.0])
    assert opt.step() is None


def test_step_bumps_the_version_so_a_graph_that_saved_the_param_refuses_backward():
    p = leaf([1.0, 2.0])
    y = (p * p).sum()
    before = p._version
    set_grads([p], [1.0, 1.0])
    optim.SGD([p], lr=0.1).step()
    assert p._version > before
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_update_writes_into_the_parameters_memory():
    p = leaf([1.0, 2.0])
    alias = p.detach()  # shares p's array, as a view would
    set_grads([p], [1.0, 1.0])
    optim.Adam([p], lr=0.5).step()
    assert alias.data is p.data
    np.testing.assert_allclose(alias.data, [0.5, 1.5])


def test_float32_params_stay_float32_with_float32_state():
    p = leaf([1.0, 2.0], np.float32)
    opt = optim.Adam([p], lr=0.1, weight_decay=0.1)
    set_grads([p], [0.5, -0.5])
    opt.step()
    assert p.data.dtype == np.float32
    assert {k: v.data.dtype for k, v in opt.state[p].items()} == {
        "step": np.float32, "exp_avg": np.float32, "exp_avg_sq": np.float32}


def test_repr_lists_every_option_of_every_group_sorted():
    opt = optim.SGD([{"params": [leaf([1.0])]}, {"params": [leaf([1.0])], "lr": 0.5}], lr=0.1)
    text = repr(opt)
    assert text.startswith("SGD (\nParameter Group 0\n    dampening: 0\n    differentiable: False")
    assert "Parameter Group 1\n" in text and "    lr: 0.5\n" in text and text.endswith(")")


# -- state dicts ----------------------------------------------------------------------------------
def _trained(opt_cls, params, steps, **options):
    opt = opt_cls([{"params": params[:2]}, {"params": params[2:], "lr": 0.05}], **options)
    for i in range(steps):
        set_grads(params, *[np.sin(p.data * (i + 1)) + 0.3 for p in params])
        opt.step()
    return opt


def _params():
    return [leaf([1.0, -2.0]), leaf([[0.5, 0.25], [3.0, -1.0]]), leaf([0.7])]


def test_state_dict_uses_pytorchs_layout():
    params = _params()
    opt = _trained(optim.Adam, params, 2, lr=0.1)
    sd = opt.state_dict()
    assert sorted(sd) == ["param_groups", "state"]
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sd["param_groups"][1]["lr"] == 0.05 and sd["param_groups"][0]["lr"] == 0.1
    assert sorted(sd["state"]) == [0, 1, 2]
    step = sd["state"][1]["step"]
    assert isinstance(step, minigrad.Tensor) and step.ndim == 0 and step.item() == 2.0
    assert step.dtype == minigrad.float32
    assert sd["state"][1]["exp_avg"] is opt.state[params[1]]["exp_avg"]  # not a copy


@pytest.mark.parametrize("opt_cls,options", [
    (optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
    (optim.Adam, dict(lr=0.1, amsgrad=True)),
    (optim.AdamW, dict(lr=0.1)),
    (optim.RMSprop, dict(lr=0.01, momentum=0.5, centered=True)),
    (optim.Adagrad, dict(lr=0.1, lr_decay=0.1)),
], ids=["sgd", "adam", "adamw", "rmsprop", "adagrad"])
def test_state_dict_round_trip_continues_identically(opt_cls, options):
    params = _params()
    opt = _trained(opt_cls, params, 3, **options)
    copies = [leaf(p.data.copy()) for p in params]
    other = opt_cls([{"params": copies[:2]}, {"params": copies[2:]}], lr=123.0)
    other.load_state_dict(opt.state_dict())
    assert other.param_groups[1]["lr"] == 0.05 and other.param_groups[1]["params"] == copies[2:]
    for i in range(3, 6):
        for ps in (params, copies):
            set_grads(ps, *[np.cos(p.data * i) for p in ps])
        opt.step()
        other.step()
        for p, q in zip(params, copies, strict=True):
            np.testing.assert_array_equal(p.data, q.data)


def test_loaded_state_is_a_copy_cast_to_the_param_dtype():
    params = _params()
    sd = _trained(optim.Adam, params, 2, lr=0.1).state_dict()
    single = [leaf(p.data, np.float32) for p in params]
    opt = optim.Adam([{"params": single[:2]}, {"params": single[2:]}])
    opt.load_state_dict(sd)
    state = opt.state[single[1]]
    assert state["exp_avg"].data.dtype == np.float32
    assert state["step"].data.dtype == np.float32 and state["step"].item() == 2.0
    np.testing.assert_allclose(state["exp_avg"].data, sd["state"][1]["exp_avg"].data, rtol=1e-6)
    state["exp_avg"].data[...] = 0.0
    assert np.all(sd["state"][1]["exp_avg"].data != 0.0)


def test_load_state_dict_rejects_a_different_number_of_groups():
    sd = _trained(optim.SGD, _params(), 1, lr=0.1).state_dict()
    opt = optim.SGD(_params(), lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups: it has 2, the "
                                         "optimizer has 1"):
        opt.load_state_dict(sd)


def test_load_state_dict_rejects_a_group_of_another_size():
    sd = _trained(optim.SGD, _params(), 1, lr=0.1).state_dict()
    p = _params()
    opt = optim.SGD([{"params": p[:2]}, {"params": p[2:] + [leaf([1.0])]}], lr=0.1)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group: group 1 "
                                         "has 1 parameters in the state dict and 2 in the "
                                         "optimizer"):
        opt.load_state_dict(sd)


# -- update kernels -------------------------------------------------------------------------------
def test_kernels_compute_their_formulas():
    rng = np.random.default_rng(0)
    x, y, z = rng.standard_normal((3, 50))
    z = np.abs(z) + 0.5
    np.testing.assert_allclose(base.add(x, y, 0.3), x + 0.3 * y, rtol=1e-15)
    np.testing.assert_allclose(base.addcmul(x, y, z, -0.2), x - 0.2 * y * z, rtol=1e-14)
    np.testing.assert_allclose(base.addcdiv(x, y, z, 0.7), x + 0.7 * y / z, rtol=1e-14)
    for w in (0.1, 0.5, 0.9, -0.3):
        np.testing.assert_allclose(base.lerp(x, y, w), x + w * (y - x), rtol=1e-13, atol=1e-15)


def test_float32_kernels_round_the_product_then_the_sum():
    """PyTorch's CPU add(alpha) rounds once (fma); minigrad rounds the product first, so it is
    off by at most half an ulp of the product plus half an ulp of the result."""
    x, y = np.float32([0.10490011423826218]), np.float32([-1.600305199623108])
    exact = Fraction(float(x[0])) + Fraction(float(np.float32(0.1))) * Fraction(float(y[0]))
    result = base.add(x, y, 0.1)
    assert result.dtype == np.float32
    assert result[0] == (x + np.float32(0.1) * y)[0]
    product = np.float32(0.1) * y[0]
    ulps = [abs(Fraction(float(np.spacing(v)))) for v in (product, result[0])]
    bound = sum(ulps) / 2
    assert abs(Fraction(float(result[0])) - exact) <= bound
