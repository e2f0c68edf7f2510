"""Normalisation (minigrad/ops/norm.py, nn/functional/norm.py, nn/modules/batchnorm.py and
normalization.py): forward against NumPy references, float64 gradchecks and gradgradchecks of
inputs, weights and biases, BatchNorm's running statistics over several steps against the hand
formulas, eval vs train, and bad inputs named in the errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.autograd import grad, gradcheck, gradgradcheck
from minigrad.nn.functional.norm import batch_norm, group_norm, layer_norm, rms_norm
from minigrad.nn.modules.batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d
from minigrad.nn.modules.normalization import GroupNorm, LayerNorm, RMSNorm
from minigrad.ops.norm import mean_of_products, mean_over, sum_over


def _np(t) -> np.ndarray:
    return t.detach().numpy()


def _t(a, requires_grad=False):
    return minigrad.tensor(np.array(a), requires_grad=requires_grad)


# -- NumPy references (float64) --------------------------------------------------------------------
def ref_batch_norm(x, mean, var, w=None, b=None, eps=1e-5):
    shape = (1, -1) + (1,) * (x.ndim - 2)
    y = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    y = y * w.reshape(shape) if w is not None else y
    return y + b.reshape(shape) if b is not None else y


def batch_stats(x):
    axes = (0,) + tuple(range(2, x.ndim))
    n = x.size // x.shape[1]
    return x.mean(axis=axes), x.var(axis=axes), x.var(axis=axes) * n / (n - 1)


def ref_layer_norm(x, k, w=None, b=None, eps=1e-5):
    axes = tuple(range(x.ndim - k, x.ndim))
    y = (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True) + eps)
    y = y * w if w is not None else y
    return y + b if b is not None else y


def ref_group_norm(x, groups, w=None, b=None, eps=1e-5):
    g = x.reshape(x.shape[0], groups, -1)
    y = ((g - g.mean(-1, keepdims=True)) / np.sqrt(g.var(-1, keepdims=True) + eps))
    y = y.reshape(x.shape)
    shape = (1, -1) + (1,) * (x.ndim - 2)
    y = y * w.reshape(shape) if w is not None else y
    return y + b.reshape(shape) if b is not None else y


def ref_rms_norm(x, k, w=None, eps=None):
    eps = np.finfo(x.dtype).eps if eps is None else eps
    axes = tuple(range(x.ndim - k, x.ndim))
    y = x / np.sqrt(np.mean(x * x, axis=axes, keepdims=True) + eps)
    return y * w if w is not None else y


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


# -- BatchNorm modules -----------------------------------------------------------------------------
@pytest.mark.parametrize(("cls", "shape"), [(BatchNorm1d, (8, 3)), (BatchNorm1d, (4, 3, 5)),
                                            (BatchNorm2d, (4, 3, 2, 3)),
                                            (BatchNorm3d, (2, 3, 2, 2, 2))])
@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
def test_running_statistics_follow_the_hand_formulas(cls, shape, momentum, rng) -> None:
    bn = cls(3, momentum=momentum).double()
    rm, rv = np.zeros(3), np.ones(3)
    for step in range(1, 5):
        x = rng.standard_normal(shape) * step + step
        out = bn(_t(x))
        mean, var, unbiased = batch_stats(x)
        factor = 1.0 / step if momentum is None else momentum
        rm = (1 - factor) * rm + factor * mean
        rv = (1 - factor) * rv + factor * unbiased
        np.testing.assert_allclose(_np(out), ref_batch_norm(x, mean, var), rtol=1e-12,
                                   atol=1e-12)
        np.testing.assert_allclose(_np(bn.running_mean), rm, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(_np(bn.running_var), rv, rtol=1e-12)
        assert bn.num_batches_tracked.item() == step
        assert bn.num_batches_tracked.dtype == minigrad.int64
    bn.eval()
    x = rng.standard_normal(shape)
    np.testing.assert_allclose(_np(bn(_t(x))), ref_batch_norm(x, rm, rv), rtol=1e-12,
                               atol=1e-12)
    np.testing.assert_allclose(_np(bn.running_mean), rm, rtol=1e-12, atol=1e-14)  # unchanged
    assert bn.num_batches_tracked.item() == 4


def test_cumulative_average_equals_the_mean_of_batch_statistics(rng) -> None:
    bn = BatchNorm1d(2, momentum=None).double()
    xs = [rng.standard_normal((5, 2)) + i for i in range(6)]
    for x in xs:
        bn(_t(x))
    np.testing.assert_allclose(_np(bn.running_mean), np.mean([x.mean(0) for x in xs], axis=0),
                               rtol=1e-12)
    np.testing.assert_allclose(_np(bn.running_var),
                               np.mean([x.var(0, ddof=1) for x in xs], axis=0), rtol=1e-12)


def test_without_running_stats_eval_uses_batch_statistics(rng) -> None:
    bn = BatchNorm2d(3, track_running_stats=False).double()
    assert bn.running_mean is None and bn.num_batches_tracked is None
    assert list(bn.state_dict()) == ["weight", "bias"]
    x = rng.standard_normal((2, 3, 2, 2)) + 3
    mean, var, _ = batch_stats(x)
    for mode in (True, False):
        bn.train(mode)
        np.testing.assert_allclose(_np(bn(_t(x))), ref_batch_norm(x, mean, var), rtol=1e-12,
                                   atol=1e-12)


def test_batch_norm_module_gradcheck_in_train_and_eval(rng) -> None:
    bn = BatchNorm1d(3).double()
    with minigrad.no_grad():
        bn.weight.copy_(_t(rng.standard_normal(3)))
        bn.running_var.copy_(_t(rng.uniform(0.5, 2, 3)))
    x = _t(rng.standard_normal((4, 3, 2)), True)
    # in train mode each call updates the buffers, which the output does not depend on
    assert gradcheck(lambda x, w, b: bn(x), (x, bn.weight, bn.bias))
    bn.eval()
    assert gradcheck(lambda x, w, b: bn(x), (x, bn.weight, bn.bias))
    assert gradgradcheck(lambda x, w, b: bn(x) ** 2, (x, bn.weight, bn.bias))


def test_eval_backward_uses_the_statistics_of_its_forward(rng) -> None:
    bn = BatchNorm1d(2).double().eval()
    x = _t(rng.standard_normal((3, 2)), True)
    out = bn(x)
    with minigrad.no_grad():
        bn.running_var.fill_(100.0)  # changed after forward: backward must not see it
    out.backward(_t(np.ones((3, 2))))
    np.testing.assert_allclose(_np(x.grad), np.ones((3, 2)) / np.sqrt(1 + 1e-5), rtol=1e-12)


def test_batch_norm_state_dict_buffers_dtypes_and_repr() -> None:
    bn = BatchNorm2d(16)
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                     "num_batches_tracked"]
    assert [n for n, _ in bn.named_parameters()] == ["weight", "bias"]
    assert repr(bn) == ("BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, bias=True, "
                        "track_running_stats=True)")
    bn.double()
    assert bn.running_mean.dtype == minigrad.float64
    assert bn.num_batches_tracked.dtype == minigrad.int64
    plain = BatchNorm1d(4, affine=False, momentum=None)
    assert list(plain.state_dict()) == ["running_mean", "running_var", "num_batches_tracked"]
    assert repr(plain) == ("BatchNorm1d(4, eps=1e-05, momentum=None, affine=False, bias=False, "
                           "track_running_stats=True)")
    no_bias = BatchNorm1d(4, bias=False)
    assert no_bias.bias is None and list(no_bias.state_dict())[:1] == ["weight"]


def test_batch_norm_state_dict_round_trip_and_reset(rng) -> None:
    a, b = BatchNorm1d(3), BatchNorm1d(3)
    for _ in range(2):
        a(minigrad.tensor(rng.standard_normal((4, 3)).astype(np.float32)))
    b.load_state_dict(a.state_dict())
    for (k, va), vb in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        np.testing.assert_array_equal(_np(va), _np(vb), err_msg=k)
    b.reset_running_stats()
    assert b.num_batches_tracked.item() == 0 and np.all(_np(b.running_var) == 1)


def test_batch_of_one_value_per_channel_raises_in_training_only() -> None:
    bn = BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"Expected more than 1 value per channel when "
                                         r"training, got input size \[1, 3\]"):
        bn(minigrad.ones(1, 3))
    assert bn.num_batches_tracked.item() == 1  # as PyTorch: counted before the check
    bn.eval()
    assert bn(minigrad.ones(1, 3)).shape == (1, 3)
    with pytest.raises(ValueError, match="per channel"):
        BatchNorm2d(3)(minigrad.ones(1, 3, 1, 1))
    with pytest.raises(ValueError, match="per channel"):
        group_norm(minigrad.ones(1, 2), 2)


@pytest.mark.parametrize(("layer", "shape", "match"), [
    (BatchNorm1d(3), (2, 3, 4, 5), r"BatchNorm1d: expected 2D or 3D input \(got 4D input of "
                                   r"shape \(2, 3, 4, 5\)\)"),
    (BatchNorm2d(3), (2, 3, 4), r"BatchNorm2d: expected 4D input \(got 3D input"),
    (BatchNorm3d(3), (2, 3, 4, 4), r"BatchNorm3d: expected 5D input"),
])
def test_batch_norm_rank_errors_name_the_shape(layer, shape, match) -> None:
    with pytest.raises(ValueError, match=match):
        layer(minigrad.zeros(*shape))


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


def test_batch_norm_updates_buffers_in_place_and_bumps_versions(rng) -> None:
    bn = BatchNorm1d(2)
    buffers = (bn.running_mean, bn.running_var, bn.num_batches_tracked)
    versions = [b._version for b in buffers]
    bn(minigrad.tensor(rng.standard_normal((4, 2)).astype(np.float32)))
    assert all(a is b for a, b in zip(buffers, (bn.running_mean, bn.running_var,
                                                bn.num_batches_tracked), strict=True))
    assert all(b._version > v for b, v in zip(buffers, versions, strict=True))
    assert not bn.running_mean.requires_grad


# -- LayerNorm, GroupNorm, RMSNorm modules ---------------------------------------------------------
def test_layer_norm_module_parameters_and_repr(rng) -> None:
    ln = LayerNorm((3, 4))
    assert ln.weight.shape == (3, 4) and np.all(_np(ln.weight) == 1) and np.all(_np(ln.bias) == 0)
    assert repr(ln) == "LayerNorm((3, 4), eps=1e-05, elementwise_affine=True, bias=True)"
    assert list(LayerNorm(5, bias=False).state_dict()) == ["weight"]
    assert repr(LayerNorm(5, bias=False)) == ("LayerNorm((5,), eps=1e-05, "
                                              "elementwise_affine=True, bias=False)")
    assert list(LayerNorm(5, elementwise_affine=False).state_dict()) == []
    x = rng.standard_normal((2, 3, 4))
    np.testing.assert_allclose(_np(ln.double()(_t(x))), ref_layer_norm(x, 2), rtol=1e-12,
                               atol=1e-12)


def test_group_norm_and_rms_norm_modules(rng) -> None:
    gn = GroupNorm(2, 4).double()
    assert repr(gn) == "GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)"
    assert list(GroupNorm(2, 4, affine=False).state_dict()) == []
    x = rng.standard_normal((3, 4, 5))
    np.testing.assert_allclose(_np(gn(_t(x))), ref_group_norm(x, 2), rtol=1e-12, atol=1e-12)
    rms = RMSNorm(5).double()
    assert repr(rms) == "RMSNorm((5,), eps=None, elementwise_affine=True)"
    assert repr(RMSNorm([5], eps=1e-3, elementwise_affine=False)) == \
        "RMSNorm((5,), eps=0.001, elementwise_affine=False)"
    np.testing.assert_allclose(_np(rms(_t(x))), ref_rms_norm(x, 1), rtol=1e-12, atol=1e-12)


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


@pytest.mark.parametrize(("shape", "axes"), [((100, 3), (0,)), ((70, 3, 5), (0, 2)),
                                             ((65, 2, 2, 3), (0, 3)), ((10, 4), (0,)),
                                             ((5, 80), (1,))], ids=str)
def test_reduction_helpers_equal_numpy(shape, axes, rng) -> None:
    a, b = rng.standard_normal(shape), rng.standard_normal(shape)
    np.testing.assert_allclose(sum_over(a, axes), np.sum(a, axis=axes), rtol=1e-12)
    np.testing.assert_allclose(mean_over(a, axes), np.mean(a, axis=axes, keepdims=True),
                               rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(mean_of_products(a, b, axes),
                               np.mean(a * b, axis=axes, keepdims=True), rtol=1e-11, atol=1e-15)


def test_float32_sums_over_many_rows_stay_accurate(rng) -> None:
    """Blocked sums along the batch axis: float32 parameter gradients over 16384 rows stay
    within 1e-6 of the float64 sum, several times closer than NumPy's row-by-row np.sum."""
    a = (rng.standard_normal((16384, 8)) + 0.1).astype(np.float32)
    truth = a.astype(np.float64).sum(axis=0)
    err = np.abs(sum_over(a, (0,)) - truth).max() / np.abs(truth).max()
    plain = np.abs(np.sum(a, axis=0) - truth).max() / np.abs(truth).max()
    assert sum_over(a, (0,)).dtype == np.float32 and err < 1e-6 and err < plain / 3


_WIRED = all(hasattr(minigrad.nn, n) for n in ("BatchNorm1d", "LayerNorm", "Embedding"))


@pytest.mark.skipif(not _WIRED, reason="runs once minigrad.nn exports the norm layers")
def test_exports_are_the_norm_modules_and_functions() -> None:
    from minigrad.nn import functional as F
    from minigrad.nn.functional import norm as norm_functions
    from minigrad.nn.functional import sparse as sparse_functions
    from minigrad.nn.modules import sparse

    for name, obj in (("BatchNorm1d", BatchNorm1d), ("BatchNorm2d", BatchNorm2d),
                      ("BatchNorm3d", BatchNorm3d), ("LayerNorm", LayerNorm),
                      ("GroupNorm", GroupNorm), ("RMSNorm", RMSNorm),
                      ("Embedding", sparse.Embedding)):
        assert getattr(minigrad.nn, name) is obj
    for name in ("batch_norm", "layer_norm", "group_norm", "rms_norm"):
        assert getattr(F, name) is getattr(norm_functions, name)
    assert F.embedding is sparse_functions.embedding


@pytest.mark.skipif(not _WIRED, reason="runs once minigrad.nn exports the norm layers")
def test_a_pytorch_style_program_trains_with_norm_layers(rng) -> None:
    nn = minigrad.nn
    minigrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.LayerNorm(16),
                          nn.Linear(16, 2))
    opt = minigrad.optim.SGD(model.parameters(), lr=0.1)
    x = minigrad.tensor(rng.standard_normal((64, 4)).astype(np.float32))
    y = minigrad.tensor((x.numpy()[:, 0] > 0).astype(np.int64))
    losses = []
    for _ in range(30):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    model.eval()
    assert model(x).shape == (64, 2) and model[1].num_batches_tracked.item() == 30
