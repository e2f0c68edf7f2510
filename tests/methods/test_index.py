"""Index methods (minigrad/methods/index.py): masked_fill and masked_fill_ (forward, grads,
broadcast masks, 0-d tensor values, -inf before softmax) and nonzero."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from tests.helpers import check_grad, grads_of


@pytest.mark.parametrize("mask_shape", [(3, 4), (4,), (1, 4), (3, 1)])
@pytest.mark.parametrize("value", [0.0, -2.5, 7])
def test_masked_fill_forward_and_grad_match_numpy(mask_shape, value, rng):
    x = rng.standard_normal((3, 4))
    mask = rng.random(mask_shape) < 0.5
    m = minigrad.tensor(mask)
    g = rng.standard_normal((3, 4))
    out, (gx,) = grads_of(lambda t: t.masked_fill(m, value), x, upstream=g)
    np.testing.assert_allclose(out.detach().numpy(), np.where(mask, value, x))
    np.testing.assert_allclose(gx.numpy(), np.where(mask, 0.0, g))
    out_fn = minigrad.masked_fill(minigrad.tensor(x), m, value)
    np.testing.assert_allclose(out_fn.numpy(), np.where(mask, value, x))


def test_masked_fill_gradcheck_float64(rng):
    m = minigrad.tensor(rng.random((3, 1)) < 0.5)
    check_grad(lambda t: t.masked_fill(m, 1.5) * t, rng.standard_normal((3, 4)))


def test_masked_fill_with_zero_dim_tensor_value_gets_summed_grad(rng):
    x, value = rng.standard_normal((3, 4)), np.array(0.75)
    mask = rng.random((1, 4)) < 0.5
    g = rng.standard_normal((3, 4))
    out, (gx, gv) = grads_of(lambda t, v: t.masked_fill(minigrad.tensor(mask), v), x, value,
                             upstream=g)
    full = np.broadcast_to(mask, (3, 4))
    np.testing.assert_allclose(out.detach().numpy(), np.where(full, 0.75, x))
    assert gv.shape == ()
    np.testing.assert_allclose(gv.numpy(), np.sum(np.where(full, g, 0.0)))
    np.testing.assert_allclose(gx.numpy(), np.where(full, 0.0, g))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_masked_fill_minus_inf_then_softmax_gives_zero_weight_and_finite_grads(dtype, rng):
    x = rng.standard_normal((3, 3)).astype(dtype)
    causal = minigrad.tensor(np.triu(np.ones((3, 3), dtype=bool), k=1))
    out, (gx,) = grads_of(lambda t: t.masked_fill(causal, float("-inf")).softmax(-1), x,
                          upstream=rng.standard_normal((3, 3)), dtype=dtype)
    assert out.dtype == dtype and gx.dtype == dtype
    probs = out.detach().numpy()
    assert np.all(probs[np.triu_indices(3, k=1)] == 0)
    np.testing.assert_allclose(probs.sum(-1), 1.0, rtol=1e-6)
    assert np.all(np.isfinite(gx.numpy()))
    assert np.all(gx.numpy()[np.triu_indices(3, k=1)] == 0)


def test_masked_fill_in_place_no_grad_and_recorded():
    t = minigrad.tensor([[1.0, -2.0], [-3.0, 4.0]])
    assert t.masked_fill_(t < 0, 0.0) is t and t.tolist() == [[1, 0], [0, 4]]
    x = minigrad.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = x * 2
    y.masked_fill_(x < 0, float("-inf"))
    y.exp().sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2 * np.exp(2.0), 0.0, 2 * np.exp(6.0)],
                               rtol=1e-6)


def test_nonzero_both_layouts():
    t = minigrad.tensor([[0, 3], [4, 0]])
    assert t.nonzero().tolist() == [[0, 1], [1, 0]]
    rows, cols = t.nonzero(as_tuple=True)
    assert rows.tolist() == [0, 1] and cols.tolist() == [1, 0]


def test_index_select_on_zero_dim_takes_one_index_and_keeps_the_dim_of_a_zero_dim_index():
    x = minigrad.tensor(2.0)
    assert x.index_select(0, minigrad.tensor([0])).shape == ()
    with pytest.raises(RuntimeError, match="index_select: index to scalar can have only 1 value"):
        x.index_select(0, minigrad.tensor([0, 0]))
    y = minigrad.tensor(np.arange(6.0).reshape(2, 3))
    assert y.index_select(1, minigrad.tensor(1)).tolist() == [[1.0], [4.0]]


def test_setitem_follows_pytorch_value_rules():
    a = minigrad.zeros(3, dtype=minigrad.uint8)
    a[...] = -1  # integers wrap into unsigned types
    assert a.tolist() == [255, 255, 255]
    with pytest.raises(RuntimeError, match="setitem: value -1.3 cannot be converted"):
        a[0] = -1.3
    f = minigrad.zeros(3)
    with pytest.raises(RuntimeError, match="index put requires the source and destination"):
        f[minigrad.tensor([0])] = minigrad.tensor([1.0], dtype=minigrad.float64)
    f[minigrad.tensor([True, False, True])] = minigrad.tensor([2.0], dtype=minigrad.float64)
    assert f.tolist() == [2.0, 0.0, 2.0]
    z = minigrad.zeros(5, 2)
    z[...] = minigrad.ones(1, 1, 5, 2)  # leading 1-sized dims of the value are dropped
    assert z.sum().item() == 10
    with pytest.raises(RuntimeError, match="setitem: shape mismatch"):
        z[minigrad.tensor([False] * 5)] = minigrad.zeros(2, 0)


def test_setitem_fill_of_an_integer_tensor_with_a_grad_value_requires_grad():
    a = minigrad.zeros(3, 2, dtype=minigrad.int64)
    a[0:2] = minigrad.tensor(1.5, requires_grad=True)  # a fill: the result requires grad
    assert a.requires_grad and a.tolist() == [[1, 1], [1, 1], [0, 0]]
    b = minigrad.zeros(3, dtype=minigrad.int64)
    b[0:2] = minigrad.tensor([1.5, 2.5], requires_grad=True)  # a copy_: it does not
    assert not b.requires_grad


def test_masked_fill_value_checks():
    m = minigrad.tensor([True, False])
    with pytest.raises(RuntimeError, match="masked_fill: value nan cannot be converted"):
        minigrad.zeros(2, dtype=minigrad.int64).masked_fill(m, float("nan"))
    with pytest.raises(RuntimeError, match="masked_fill: autograd does not support"):
        minigrad.zeros(2, dtype=minigrad.int64).masked_fill(m, minigrad.tensor(1.0,
                                                                                requires_grad=True))
    b = minigrad.zeros(2, dtype=minigrad.bool).masked_fill_(m, minigrad.tensor(1.0,
                                                                               requires_grad=True))
    assert b.requires_grad and b.tolist() == [True, False]
