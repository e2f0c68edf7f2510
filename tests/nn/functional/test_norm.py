"""Normalisation functions (minigrad/nn/functional/norm.py): batch_norm, layer_norm,
group_norm and rms_norm forward against NumPy references, float64 gradchecks and
gradgradchecks of inputs, weights and biases, float32 kept, bad inputs named in the
errors, generated shapes, and normalize."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.autograd import grad, gradcheck, gradgradcheck
from minigrad.nn.functional.norm import batch_norm, group_norm, layer_norm, rms_norm
from minigrad.nn.modules.normalization import GroupNorm
from tests.helpers import to_numpy as _np
from tests.nn.helpers import (
    batch_stats,
    ref_batch_norm,
    ref_group_norm,
    ref_layer_norm,
    ref_rms_norm,
)


def _t(a, requires_grad=False):
    return minigrad.tensor(np.array(a), requires_grad=requires_grad)


# -- forward against NumPy -------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (2, 3, 4, 5), (2, 3, 2, 2, 3)], ids=str)
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_train_and_eval_forward_match_numpy(shape, affine, rng) -> None:
    x = rng.standard_normal(shape) * 2 + 0.5
    w = rng.standard_normal(3) if affine else None
    b = rng.standard_normal(3) if affine else None
    wt, bt = (_t(w), _t(b)) if affine else (None, None)
    mean, var, _ = batch_stats(x)
    out = batch_norm(_t(x), None, None, wt, bt, training=True)
    np.testing.assert_allclose(_np(out), ref_batch_norm(x, mean, var, w, b), rtol=1e-12,
                               atol=1e-12)
    rm, rv = rng.standard_normal(3), rng.uniform(0.5, 2.0, 3)
    out = batch_norm(_t(x), _t(rm), _t(rv), wt, bt, training=False, eps=1e-3)
    np.testing.assert_allclose(_np(out), ref_batch_norm(x, rm, rv, w, b, 1e-3), rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize(("shape", "k"), [((5,), 1), ((4, 5), 1), ((2, 3, 5), 1),
                                          ((2, 3, 5), 2), ((2, 3, 4, 5), 3)], ids=str)
@pytest.mark.parametrize("params", ["wb", "w", "none"])
def test_layer_norm_forward_matches_numpy(shape, k, params, rng) -> None:
    x = rng.standard_normal(shape) * 3 - 1
    ns = shape[len(shape) - k:]
    w = rng.standard_normal(ns) if "w" in params else None
    b = rng.standard_normal(ns) if "b" in params else None
    out = layer_norm(_t(x), ns, None if w is None else _t(w), None if b is None else _t(b))
    np.testing.assert_allclose(_np(out), ref_layer_norm(x, k, w, b), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("shape", "groups"), [((3, 6), 3), ((2, 6, 4), 2), ((2, 6, 4), 6),
                                               ((2, 6, 4), 1), ((2, 4, 3, 3), 2)], ids=str)
def test_group_norm_forward_matches_numpy(shape, groups, rng) -> None:
    x = rng.standard_normal(shape) + 2
    c = shape[1]
    w, b = rng.standard_normal(c), rng.standard_normal(c)
    np.testing.assert_allclose(_np(group_norm(_t(x), groups, _t(w), _t(b), eps=1e-4)),
                               ref_group_norm(x, groups, w, b, 1e-4), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(_np(group_norm(_t(x), groups)), ref_group_norm(x, groups),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("shape", "k"), [((5,), 1), ((3, 5), 1), ((2, 3, 4), 2)], ids=str)
@pytest.mark.parametrize("eps", [None, 1e-3])
def test_rms_norm_forward_matches_numpy_with_dtype_eps_default(shape, k, eps, rng) -> None:
    x = rng.standard_normal(shape)
    ns = shape[len(shape) - k:]
    w = rng.standard_normal(ns)
    np.testing.assert_allclose(_np(rms_norm(_t(x), ns, _t(w), eps)), ref_rms_norm(x, k, w, eps),
                               rtol=1e-12, atol=1e-12)
    # the default eps is float32's machine epsilon for float32 inputs: visible on tiny inputs
    tiny = (x * 1e-4).astype(np.float32)
    out = rms_norm(minigrad.tensor(tiny), ns, None, eps)
    assert out.dtype == minigrad.float32
    np.testing.assert_allclose(_np(out), ref_rms_norm(tiny.astype(np.float64), k, None,
                                                      eps or float(np.finfo(np.float32).eps)),
                               rtol=1e-5)


@pytest.mark.parametrize("fn", ["batch", "layer", "group", "rms"])
def test_norms_keep_float32_without_upcasting(fn, rng) -> None:
    x = minigrad.tensor(rng.standard_normal((4, 6, 3)).astype(np.float32), requires_grad=True)
    w = minigrad.tensor(np.ones(6, np.float32) * 1.5, requires_grad=True)
    b = minigrad.tensor(np.zeros(6, np.float32), requires_grad=True)
    out = {"batch": lambda: batch_norm(x, None, None, w, b, True),
           "layer": lambda: layer_norm(x, (3,), w[:3], b[:3]),
           "group": lambda: group_norm(x, 2, w, b),
           "rms": lambda: rms_norm(x, (3,), w[:3])}[fn]()
    assert out.dtype == minigrad.float32
    out.sum().backward()
    assert x.grad.dtype == minigrad.float32 and w.grad.dtype == minigrad.float32


# -- gradients -------------------------------------------------------------------------------------
CASES = {
    "batch_train": (lambda x, w, b: batch_norm(x, None, None, w, b, True), (4, 3, 2), 3),
    "batch_train_2d": (lambda x, w, b: batch_norm(x, None, None, w, b, True, eps=0.1), (5, 3),
                       3),
    "batch_eval": (lambda x, w, b: batch_norm(
        x, _t([0.3, -0.2, 0.1]), _t([0.5, 1.5, 2.0]), w, b, False), (4, 3, 2), 3),
    "layer": (lambda x, w, b: layer_norm(x, (2, 3), w, b), (3, 2, 3), (2, 3)),
    "group": (lambda x, w, b: group_norm(x, 2, w, b), (2, 4, 3), 4),
    "group_2d": (lambda x, w, b: group_norm(x, 3, w, b, eps=1e-3), (3, 6), 6),
    "rms": (lambda x, w, b: rms_norm(x, (4,), w, 1e-3) + b, (3, 4), 4),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck_input_weight_bias(name, rng) -> None:
    fn, shape, pshape = CASES[name]
    x = _t(rng.standard_normal(shape), True)
    w = _t(rng.standard_normal(pshape), True)
    b = _t(rng.standard_normal(pshape), True)
    assert gradcheck(fn, (x, w, b))


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradgradcheck_input_weight_bias(name, rng) -> None:
    fn, shape, pshape = CASES[name]
    x = _t(rng.standard_normal(shape), True)
    w = _t(rng.standard_normal(pshape), True)
    b = _t(rng.standard_normal(pshape), True)
    assert gradgradcheck(fn, (x, w, b))


@pytest.mark.parametrize("fn", [
    lambda x: batch_norm(x, None, None, training=True),
    lambda x: layer_norm(x, (3,)),
    lambda x: group_norm(x, 2),
    lambda x: rms_norm(x, (3,)),
], ids=["batch", "layer", "group", "rms"])
def test_gradcheck_without_affine_parameters(fn, rng) -> None:
    x = _t(rng.standard_normal((3, 4, 3)), True)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


@pytest.mark.parametrize("name", sorted(CASES))
def test_numpy_backward_equals_recorded_backward(name, rng) -> None:
    """First-order backward runs in NumPy; under create_graph it runs in Tensor ops: the same
    gradients either way."""
    fn, shape, pshape = CASES[name]
    arrays = [rng.standard_normal(shape), rng.standard_normal(pshape),
              rng.standard_normal(pshape)]
    g = rng.standard_normal(shape)
    results = []
    for create_graph in (False, True):
        leaves = [_t(a, True) for a in arrays]
        out = fn(*leaves)
        results.append(grad((out * _t(g)).sum(), leaves, create_graph=create_graph))
    for a, b in zip(*results, strict=True):
        np.testing.assert_allclose(_np(a), _np(b), rtol=1e-12, atol=1e-12)


def test_layer_norm_gradient_of_weight_and_bias_against_numpy(rng) -> None:
    x, g = rng.standard_normal((4, 5, 3)), rng.standard_normal((4, 5, 3))
    xt, w, b = _t(x, True), _t(np.ones(3) * 2, True), _t(np.zeros(3), True)
    layer_norm(xt, 3, w, b).backward(_t(g))
    xhat = ref_layer_norm(x, 1)
    np.testing.assert_allclose(_np(w.grad), (g * xhat).sum(axis=(0, 1)), rtol=1e-12)
    np.testing.assert_allclose(_np(b.grad), g.sum(axis=(0, 1)), rtol=1e-12)


# -- bad inputs, dtypes and freed graphs -----------------------------------------------------------
def test_batch_norm_functional_errors_name_shapes() -> None:
    x = minigrad.zeros(2, 3, 4)
    with pytest.raises(RuntimeError, match=r"running_mean should contain 3 elements not 2 "
                                           r"\(input shape \(2, 3, 4\)"):
        batch_norm(x, minigrad.zeros(2), minigrad.ones(2), training=True)
    with pytest.raises(RuntimeError, match="weight should contain 3 elements not 4"):
        batch_norm(x, None, None, minigrad.ones(4), training=True)
    with pytest.raises(RuntimeError, match="running_mean and running_var must be defined"):
        batch_norm(x, None, None, training=False)
    with pytest.raises(ValueError, match="eps must be positive during training"):
        batch_norm(x, None, None, training=True, eps=0.0)
    with pytest.raises(ValueError, match=r"at least 2 dims \(N, C, \*\), got shape \(3,\)"):
        batch_norm(minigrad.zeros(3), None, None, training=True)
    with pytest.raises(RuntimeError, match="mixed dtype"):
        batch_norm(x, minigrad.zeros(3, dtype=minigrad.float64), minigrad.ones(3))


def test_shape_errors_name_the_shapes() -> None:
    x = minigrad.zeros(2, 3, 4)
    with pytest.raises(RuntimeError, match=r"layer_norm: Given normalized_shape=\[3\], expected "
                                           r"input with shape \[\*, 3\], but got input of size"
                                           r" \[2, 3, 4\]"):
        layer_norm(x, (3,))
    with pytest.raises(RuntimeError, match=r"Expected weight to be of same shape as "
                                           r"normalized_shape, but got weight of shape \[3\]"):
        layer_norm(x, (4,), minigrad.ones(3))
    with pytest.raises(RuntimeError, match=r"rms_norm: Given normalized_shape=\[2, 4\]"):
        rms_norm(x, (2, 4))
    with pytest.raises(RuntimeError, match=r"divisible by num_groups, but got input of shape "
                                           r"\[2, 3, 4\] and num_groups=2"):
        group_norm(x, 2)
    with pytest.raises(RuntimeError, match=r"weight to be a vector of size equal to the number "
                                           r"of channels in input, but got weight of shape \[2\]"):
        group_norm(x, 3, minigrad.ones(2))
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        group_norm(minigrad.zeros(3), 3)
    with pytest.raises(ValueError, match=r"num_channels \(3\) must be divisible by num_groups"):
        GroupNorm(2, 3)
    with pytest.raises(RuntimeError, match="mixed dtype"):
        layer_norm(x, (4,), minigrad.ones(4, dtype=minigrad.float64))


def test_rms_norm_promotes_mixed_dtypes_like_pytorch(rng) -> None:
    x = minigrad.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    w = minigrad.ones(3, requires_grad=True)
    out = rms_norm(x, (3,), w)
    assert out.dtype == minigrad.float64
    out.sum().backward()
    assert w.grad.dtype == minigrad.float32 and x.grad.dtype == minigrad.float64


def test_second_backward_through_a_freed_graph_raises(rng) -> None:
    x = _t(rng.standard_normal((3, 4)), True)
    out = layer_norm(x, (4,)).sum()
    out.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        out.backward()


# -- generated shapes ------------------------------------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(lead=st.lists(st.integers(1, 4), min_size=1, max_size=3),
       trail=st.lists(st.integers(2, 4), min_size=1, max_size=2),
       seed=st.integers(0, 2**16))
def test_layer_and_rms_norm_match_numpy_on_random_shapes(lead, trail, seed) -> None:
    rng = np.random.default_rng(seed)
    shape, k = tuple(lead + trail), len(trail)
    x = rng.standard_normal(shape) * 3
    w, b = rng.standard_normal(trail), rng.standard_normal(trail)
    np.testing.assert_allclose(_np(layer_norm(_t(x), trail, _t(w), _t(b))),
                               ref_layer_norm(x, k, w, b), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(_np(rms_norm(_t(x), trail, _t(w))), ref_rms_norm(x, k, w),
                               rtol=1e-10, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 3), groups=st.integers(1, 3), per_group=st.integers(1, 3),
       spatial=st.lists(st.integers(1, 3), max_size=2), seed=st.integers(0, 2**16))
def test_group_norm_matches_numpy_on_random_shapes(n, groups, per_group, spatial, seed) -> None:
    rng = np.random.default_rng(seed)
    shape = (n, groups * per_group, *spatial)
    x = rng.standard_normal(shape)
    if n * per_group * int(np.prod(spatial)) == 1:
        with pytest.raises(ValueError, match="per channel"):
            group_norm(_t(x), groups)
        return
    np.testing.assert_allclose(_np(group_norm(_t(x), groups)), ref_group_norm(x, groups),
                               rtol=1e-10, atol=1e-12)


# -- normalize -------------------------------------------------------------------------------------
def test_normalize_gives_unit_rows():
    x = minigrad.tensor([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(minigrad.nn.functional.normalize(x).numpy(),
                               [[0.6, 0.8], [0.0, 0.0]])


@pytest.mark.parametrize("call", [
    lambda x: layer_norm(x, (4,)),
    lambda x: group_norm(x, 1),
    lambda x: rms_norm(x, (4,)),
    lambda x: batch_norm(x, None, None, training=True),
])
def test_norms_reject_integer_input_as_pytorch(call):
    with pytest.raises(NotImplementedError, match="_norm: not implemented for minigrad.int64"):
        call(minigrad.tensor(np.ones((2, 3, 4), dtype=np.int64)))
