"""Initialisers (minigrad/nn/init.py): PyTorch's gain table and fan rules, the xavier/kaiming
bounds and standard deviations (statistical checks on large tensors), the deterministic fills,
and that every initialiser works in place without recording a graph."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad
from minigrad.nn import init
from tests.helpers import to_numpy as _np

BIG = (600, 400)  # 240k draws: a std estimate is good to about 0.3%



@pytest.mark.parametrize(("nonlinearity", "param", "expected"), [
    ("linear", None, 1.0), ("conv1d", None, 1.0), ("conv2d", None, 1.0), ("conv3d", None, 1.0),
    ("conv_transpose1d", None, 1.0), ("conv_transpose2d", None, 1.0),
    ("conv_transpose3d", None, 1.0), ("sigmoid", None, 1.0), ("tanh", None, 5.0 / 3),
    ("relu", None, math.sqrt(2.0)), ("leaky_relu", None, math.sqrt(2.0 / (1 + 0.01**2))),
    ("leaky_relu", 0, math.sqrt(2.0)), ("leaky_relu", 0.2, math.sqrt(2.0 / 1.04)),
    ("leaky_relu", math.sqrt(5), math.sqrt(1 / 3)), ("selu", None, 0.75),
])
def test_calculate_gain_table(nonlinearity, param, expected) -> None:
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(expected, rel=1e-15)


def test_calculate_gain_rejects_unknown_names_and_bad_slopes() -> None:
    with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
        init.calculate_gain("gelu")
    for bad in (True, "0.1"):
        with pytest.raises(ValueError, match="not a valid number"):
            init.calculate_gain("leaky_relu", bad)


@pytest.mark.parametrize(("shape", "fans"), [
    ((3, 5), (5, 3)), ((7, 2, 3), (6, 21)), ((8, 4, 3, 3), (36, 72)), ((2, 3, 1, 4, 5), (60, 40)),
])
def test_fan_in_and_fan_out(shape, fans) -> None:
    assert init._calculate_fan_in_and_fan_out(minigrad.empty(shape)) == fans


def test_fans_need_two_dimensions() -> None:
    for shape in [(5,), ()]:
        with pytest.raises(ValueError, match="fewer than 2 dimensions"):
            init.xavier_uniform_(minigrad.empty(shape))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(minigrad.empty(3, 4), mode="fan_avg")


def _check_uniform(t, bound: float) -> None:
    x = _np(t)
    assert np.abs(x).max() <= bound
    assert np.abs(x).max() > 0.99 * bound  # fills the range
    assert abs(x.mean()) < 0.01 * bound
    assert x.std() == pytest.approx(bound / math.sqrt(3), rel=0.01)


def _check_normal(t, std: float) -> None:
    x = _np(t)
    assert abs(x.mean()) < 0.01 * std
    assert x.std() == pytest.approx(std, rel=0.01)
    assert np.abs(x).max() > 4 * std  # tails, not a bounded distribution


@pytest.mark.parametrize("gain", [1.0, 5.0 / 3])
def test_xavier_uniform_bound(gain) -> None:
    t = init.xavier_uniform_(minigrad.empty(BIG), gain=gain)
    _check_uniform(t, gain * math.sqrt(6.0 / (400 + 600)))


@pytest.mark.parametrize("gain", [1.0, 0.5])
def test_xavier_normal_std(gain) -> None:
    t = init.xavier_normal_(minigrad.empty(BIG), gain=gain)
    _check_normal(t, gain * math.sqrt(2.0 / (400 + 600)))


@pytest.mark.parametrize(("kwargs", "gain", "fan"), [
    ({}, math.sqrt(2.0), 400),
    ({"a": math.sqrt(5)}, math.sqrt(1 / 3), 400),
    ({"mode": "fan_out", "nonlinearity": "relu"}, math.sqrt(2.0), 600),
    ({"nonlinearity": "tanh"}, 5.0 / 3, 400),
    ({"a": 0.2, "mode": "fan_out"}, math.sqrt(2.0 / 1.04), 600),
])
def test_kaiming_uniform_bound(kwargs, gain, fan) -> None:
    t = init.kaiming_uniform_(minigrad.empty(BIG), **kwargs)
    _check_uniform(t, gain * math.sqrt(3.0 / fan))


@pytest.mark.parametrize(("kwargs", "gain", "fan"), [
    ({}, math.sqrt(2.0), 400),
    ({"mode": "fan_out"}, math.sqrt(2.0), 600),
    ({"nonlinearity": "linear"}, 1.0, 400),
])
def test_kaiming_normal_std(kwargs, gain, fan) -> None:
    t = init.kaiming_normal_(minigrad.empty(BIG), **kwargs)
    _check_normal(t, gain / math.sqrt(fan))


def test_kaiming_uses_the_receptive_field() -> None:
    t = init.kaiming_uniform_(minigrad.empty(64, 32, 3, 3), nonlinearity="relu")
    _check_uniform(t, math.sqrt(2.0) * math.sqrt(3.0 / (32 * 9)))


def test_uniform_and_normal_parameters() -> None:
    u = _np(init.uniform_(minigrad.empty(BIG), -0.3, 0.7))
    assert u.min() >= -0.3 and u.max() < 0.7
    assert u.mean() == pytest.approx(0.2, abs=0.005)
    n = _np(init.normal_(minigrad.empty(BIG), mean=2.0, std=0.5))
    assert n.mean() == pytest.approx(2.0, abs=0.005) and n.std() == pytest.approx(0.5, rel=0.01)


def test_constant_zeros_ones_and_eye() -> None:
    t = minigrad.empty(3, 4)
    assert init.constant_(t, 0.25) is t and (_np(t) == 0.25).all()
    assert (_np(init.zeros_(t)) == 0).all()
    assert (_np(init.ones_(t)) == 1).all()
    np.testing.assert_array_equal(_np(init.eye_(t)), np.eye(3, 4))
    np.testing.assert_array_equal(_np(init.eye_(minigrad.empty(4, 2))), np.eye(4, 2))
    d = minigrad.empty(2, 2, dtype=minigrad.float64)
    assert init.eye_(d).dtype == minigrad.float64
    with pytest.raises(ValueError, match="only 2-D"):
        init.eye_(minigrad.empty(2, 2, 2))


@pytest.mark.parametrize("fn", [
    lambda t: init.uniform_(t), lambda t: init.normal_(t), lambda t: init.constant_(t, 3.0),
    lambda t: init.zeros_(t), lambda t: init.ones_(t), lambda t: init.eye_(t),
    lambda t: init.xavier_uniform_(t), lambda t: init.xavier_normal_(t),
    lambda t: init.kaiming_uniform_(t), lambda t: init.kaiming_normal_(t),
    lambda t: init.trunc_normal_(t),
], ids=["uniform", "normal", "constant", "zeros", "ones", "eye", "xavier_uniform",
        "xavier_normal", "kaiming_uniform", "kaiming_normal", "trunc_normal"])
def test_initialisers_work_in_place_on_parameters_without_a_graph(fn) -> None:
    p = minigrad.nn.Parameter(minigrad.empty(4, 5))
    out = fn(p)
    assert out is p and p.requires_grad and p.grad_fn is None and p.is_leaf
    assert p.dtype == minigrad.float32
    (p * 2).sum().backward()  # still a usable leaf
    assert (_np(p.grad) == 2).all()


def test_initialisers_follow_the_global_seed() -> None:
    minigrad.manual_seed(7)
    a = _np(init.kaiming_normal_(minigrad.empty(5, 6)))
    minigrad.manual_seed(7)
    b = _np(init.kaiming_normal_(minigrad.empty(5, 6)))
    np.testing.assert_array_equal(a, b)


def test_trunc_normal_stays_inside_its_bounds() -> None:
    x = _np(init.trunc_normal_(minigrad.empty(BIG), mean=0.5, std=1.0, a=-1.0, b=1.5))
    assert x.min() >= -1.0 and x.max() <= 1.5 and x.max() > 1.49 and x.min() < -0.99


def test_kaiming_on_an_empty_tensor_is_a_no_op() -> None:
    t = minigrad.empty(0, 3)
    assert init.kaiming_uniform_(t) is t and init.kaiming_normal_(t) is t
