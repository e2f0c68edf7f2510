"""scaled_dot_product_attention (minigrad/nn/functional/attention.py) against a NumPy
reference: every mask kind, causal, scale, grouped-query heads, dropout from the default
generator, float64 gradchecks on tiny sizes, and errors that name the shapes."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad
from minigrad.autograd import gradcheck, gradgradcheck
from minigrad.nn import functional as F
from minigrad.nn.functional.attention import scaled_dot_product_attention as sdpa
from tests.helpers import to_numpy as _np
from tests.nn.helpers import softmax_last


def _t(a, grad: bool = False) -> minigrad.Tensor:
    return minigrad.tensor(np.array(a), requires_grad=grad)


def ref_sdpa(q, k, v, mask=None, causal=False, scale=None) -> np.ndarray:
    """The documented reference: bool mask True = take part, float mask added, causal top-left,
    rows with nothing to attend to give 0."""
    s = q @ np.swapaxes(k, -1, -2) * (1 / math.sqrt(q.shape[-1]) if scale is None else scale)
    if causal:
        s = np.where(np.tril(np.ones(s.shape[-2:], bool)), s, -np.inf)
    if mask is not None:
        s = np.where(mask, s, -np.inf) if mask.dtype == bool else s + mask
    dead = np.isneginf(s).all(-1, keepdims=True)
    w = np.where(dead, 0.0, softmax_last(np.where(dead, 0.0, s)))
    return w @ v


def _sdpa_case(name: str, rng):
    """(q, k, v, kwargs) for one named case."""
    q, k, v = (rng.standard_normal(s) for s in ((2, 3, 4, 6), (2, 3, 5, 6), (2, 3, 5, 7)))
    if name == "plain":
        return q, k, v, {}
    if name == "bool-2d":
        return q, k, v, {"attn_mask": rng.random((4, 5)) > 0.3}
    if name == "bool-4d":
        return q, k, v, {"attn_mask": rng.random((2, 1, 4, 5)) > 0.3}
    if name == "float":
        return q, k, v, {"attn_mask": rng.standard_normal((3, 4, 5))}
    if name == "causal-square":
        return q, k[..., :4, :], v[..., :4, :], {"is_causal": True}
    if name == "causal-L<S":
        return q, k, v, {"is_causal": True}
    if name == "causal-L>S":
        return q, k[..., :3, :], v[..., :3, :], {"is_causal": True}
    if name == "scale":
        return q, k, v, {"scale": 0.3}
    if name == "2d":
        return q[0, 0], k[0, 0], v[0, 0], {}
    if name == "broadcast-batch":
        return q[0], k[:1], v[:1], {}
    raise ValueError(name)


SDPA_CASES = ["plain", "bool-2d", "bool-4d", "float", "causal-square", "causal-L<S",
              "causal-L>S", "scale", "2d", "broadcast-batch"]


@pytest.mark.parametrize("name", SDPA_CASES)
def test_sdpa_matches_numpy_reference(name, rng) -> None:
    q, k, v, kw = _sdpa_case(name, rng)
    mask = kw.get("attn_mask")
    out = sdpa(_t(q), _t(k), _t(v), **{**kw, **({"attn_mask": _t(mask)} if mask is not None
                                                 else {})})
    want = ref_sdpa(q, k, v, mask, kw.get("is_causal", False), kw.get("scale"))
    assert out.shape == want.shape
    np.testing.assert_allclose(_np(out), want, rtol=1e-12, atol=1e-12)


def test_sdpa_keeps_float32(rng) -> None:
    q, k, v, _ = _sdpa_case("plain", rng)
    mask = rng.standard_normal((4, 5))
    q32, k32, v32 = (_t(a.astype(np.float32)) for a in (q, k, v))
    out = sdpa(q32, k32, v32, attn_mask=_t(mask.astype(np.float32)))
    assert out.dtype == minigrad.float32
    np.testing.assert_allclose(_np(out), ref_sdpa(q, k, v, mask), rtol=1e-4, atol=1e-5)
    out64 = sdpa(_t(q), _t(k), _t(v), attn_mask=_t(mask.astype(np.float32)))  # float32 mask ok
    assert out64.dtype == minigrad.float64
    with pytest.raises(RuntimeError, match="to match query dtype"):  # as PyTorch
        sdpa(q32, k32, v32, attn_mask=_t(mask))


def test_sdpa_fully_masked_row_gives_zero_output_and_zero_grad(rng) -> None:
    q, k, v = (_t(rng.standard_normal((3, 4)), grad=True) for _ in range(3))
    mask = np.ones((3, 3), bool)
    mask[1] = False
    out = sdpa(q, k, v, attn_mask=_t(mask))
    np.testing.assert_array_equal(_np(out)[1], 0.0)
    out.sum().backward()
    assert np.isfinite(_np(q.grad)).all() and np.isfinite(_np(k.grad)).all()
    np.testing.assert_array_equal(_np(q.grad)[1], 0.0)


def test_sdpa_grouped_query_attention_repeats_key_heads(rng) -> None:
    q = rng.standard_normal((2, 4, 3, 5))
    k, v = rng.standard_normal((2, 2, 6, 5)), rng.standard_normal((2, 2, 6, 5))
    out = sdpa(_t(q), _t(k), _t(v), enable_gqa=True)
    want = ref_sdpa(q, np.repeat(k, 2, axis=1), np.repeat(v, 2, axis=1))
    np.testing.assert_allclose(_np(out), want, rtol=1e-12)


@pytest.mark.parametrize("kind", ["plain", "bool", "float", "causal", "scale"])
def test_sdpa_gradcheck(kind, rng) -> None:
    q, k, v = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 4)), \
        rng.standard_normal((2, 5, 3))
    inputs = [_t(a, grad=True) for a in (q, k, v)]
    kw: dict = {"is_causal": kind == "causal", "scale": 0.7 if kind == "scale" else None}
    if kind == "bool":
        kw["attn_mask"] = _t(rng.random((3, 5)) > 0.4)
    if kind == "float":  # the float mask is differentiable too
        inputs.append(_t(rng.standard_normal((3, 5)), grad=True))
    assert gradcheck(lambda q, k, v, *m: sdpa(q, k, v, *m, **kw), tuple(inputs))


def test_sdpa_gradgradcheck(rng) -> None:
    inputs = tuple(_t(rng.standard_normal((2, 3)), grad=True) for _ in range(3))
    assert gradgradcheck(lambda q, k, v: sdpa(q, k, v, is_causal=True), inputs)


def test_sdpa_dropout_draws_from_the_default_generator(rng) -> None:
    q, k, v, _ = _sdpa_case("plain", rng)
    weights = softmax_last(q @ np.swapaxes(k, -1, -2) / math.sqrt(6))
    minigrad.manual_seed(11)
    out = sdpa(_t(q), _t(k), _t(v), dropout_p=0.4)
    minigrad.manual_seed(11)
    dropped = F.dropout(_t(weights), 0.4)
    np.testing.assert_allclose(_np(out), _np(dropped) @ v, rtol=1e-12)
    assert not np.allclose(_np(out), weights @ v)
    np.testing.assert_array_equal(_np(sdpa(_t(q), _t(k), _t(v), dropout_p=1.0)), 0.0)


@pytest.mark.parametrize(("args", "kw", "match"), [
    (((2, 4, 6), (2, 5, 6), (2, 5, 6)), {"attn_mask": np.ones((4, 5), bool), "is_causal": True},
     "Explicit attn_mask should not be set when is_causal=True"),
    (((2, 4, 6), (2, 5, 7), (2, 5, 6)), {}, r"embedding size.*query \(2, 4, 6\), key \(2, 5, 7\)"),
    (((2, 4, 6), (2, 5, 6), (2, 3, 6)), {}, r"sequence length.*value \(2, 3, 6\)"),
    (((2, 4, 6), (3, 5, 6), (3, 5, 6)), {}, r"batch dims.*query \(2, 4, 6\), key \(3, 5, 6\)"),
    (((2, 4, 6), (2, 5, 6), (2, 5, 6)), {"attn_mask": np.ones((4, 4), bool)},
     r"attn_mask of shape \(4, 4\) does not broadcast.*\(2, 4, 5\)"),
    (((2, 4, 6), (2, 5, 6), (2, 5, 6)), {"attn_mask": np.ones((4, 5), np.int64)},
     r"bool or float32 or to match query dtype \(float64\), got int64"),
    (((6,), (6,), (6,)), {}, r"at least 2-D.*query \(6,\)"),
    (((2, 4, 6), (2, 5, 6), (2, 5, 6)), {"dropout_p": 1.5}, "between 0 and 1, but got 1.5"),
    (((1, 3, 4, 6), (1, 2, 5, 6), (1, 2, 5, 6)), {"enable_gqa": True}, "must divide"),
])
def test_sdpa_errors_name_the_problem_and_shapes(args, kw, match, rng) -> None:
    q, k, v = (_t(rng.standard_normal(s)) for s in args)
    kw = {n: (_t(a) if isinstance(a, np.ndarray) else a) for n, a in kw.items()}
    with pytest.raises(RuntimeError, match=match):
        sdpa(q, k, v, **kw)


def test_sdpa_dtype_mismatch_is_an_error(rng) -> None:
    q = _t(rng.standard_normal((3, 4)).astype(np.float32))
    with pytest.raises(RuntimeError, match="same dtype"):
        sdpa(q, _t(rng.standard_normal((3, 4))), _t(rng.standard_normal((3, 4))))
