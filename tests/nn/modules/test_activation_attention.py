"""MultiheadAttention (minigrad/nn/modules/activation_attention.py) against a NumPy
reference: every mask kind, float64 gradchecks on tiny sizes, shapes for batch_first and
unbatched inputs, PyTorch's parameter names and init, and errors that name the shapes."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

import minigrad
from minigrad.autograd import gradcheck
from minigrad.nn.modules.activation_attention import MultiheadAttention
from tests.helpers import to_numpy as _np
from tests.nn.helpers import softmax_last


def _t(a, grad: bool = False) -> minigrad.Tensor:
    return minigrad.tensor(np.array(a), requires_grad=grad)


def ref_mha(mha: MultiheadAttention, q, k, v, attn_mask=None, kpm=None):
    """Sequence-first NumPy reference: (L, N, E) -> output (L, N, E), weights (N, H, L, S).
    Masks are float here (a bool mask is its -inf/0 float form)."""
    h, e = mha.num_heads, mha.embed_dim
    d = e // h
    b = _np(mha.in_proj_bias) if mha.in_proj_bias is not None else np.zeros(3 * e)
    if mha._qkv_same_embed_dim:
        wq, wk, wv = np.split(_np(mha.in_proj_weight), 3)
    else:
        wq, wk, wv = (_np(w) for w in (mha.q_proj_weight, mha.k_proj_weight, mha.v_proj_weight))
    qp, kp, vp = q @ wq.T + b[:e], k @ wk.T + b[e:2 * e], v @ wv.T + b[2 * e:]
    n, n_q, n_k = q.shape[1], q.shape[0], k.shape[0]
    qh, kh, vh = (x.reshape(x.shape[0], n, h, d).transpose(1, 2, 0, 3) for x in (qp, kp, vp))
    s = qh @ kh.transpose(0, 1, 3, 2) / math.sqrt(d)
    if attn_mask is not None:
        s = s + (attn_mask if attn_mask.ndim == 2 else attn_mask.reshape(n, h, n_q, n_k))
    if kpm is not None:
        s = s + kpm[:, None, None, :]
    w = softmax_last(s)
    out = (w @ vh).transpose(2, 0, 1, 3).reshape(n_q, n, e)
    wo = _np(mha.out_proj.weight)
    bo = _np(mha.out_proj.bias) if mha.out_proj.bias is not None else 0.0
    return out @ wo.T + bo, w


def _float_mask(m: np.ndarray) -> np.ndarray:
    return np.where(m, -np.inf, 0.0) if m.dtype == bool else m


def _mha(**kw) -> MultiheadAttention:
    minigrad.manual_seed(0)
    return MultiheadAttention(kw.pop("embed_dim", 6), kw.pop("num_heads", 2), **kw).double()


MHA_CASES = {
    "self": ({}, {}),
    "cross": ({}, {"S": 5}),
    "kdim-vdim": ({"kdim": 3, "vdim": 5}, {"S": 5}),
    "no-bias": ({"bias": False}, {}),
    "kpm-bool": ({}, {"kpm": "bool"}),
    "kpm-float": ({}, {"kpm": "float"}),
    "mask-2d-bool": ({}, {"mask": (4, 4), "mask_kind": "bool"}),
    "mask-3d-float": ({}, {"mask": (6, 4, 4), "mask_kind": "float"}),
    "mask-and-kpm": ({}, {"mask": (4, 4), "mask_kind": "float", "kpm": "bool"}),
}


def _mha_inputs(mha: MultiheadAttention, spec: dict, rng):
    n_q, n, n_k = 4, 3, spec.get("S", 4)
    q = rng.standard_normal((n_q, n, mha.embed_dim))
    if "S" in spec:
        k, v = rng.standard_normal((n_k, n, mha.kdim)), rng.standard_normal((n_k, n, mha.vdim))
    else:
        k = v = q
    mask = kpm = None
    if "mask" in spec:
        mask = (rng.random(spec["mask"]) > 0.3 if spec["mask_kind"] == "bool"
                else rng.standard_normal(spec["mask"]))
        if mask.dtype == bool:
            mask[..., 0] = False  # every query keeps a key
    if "kpm" in spec:
        kpm = (rng.random((n, n_k)) > 0.5 if spec["kpm"] == "bool"
               else rng.standard_normal((n, n_k)))
        if kpm.dtype == bool:
            kpm[:, 0] = False
    return q, k, v, mask, kpm


@pytest.mark.filterwarnings("ignore:Support for mismatched key_padding_mask")
@pytest.mark.parametrize("name", list(MHA_CASES))
@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_matches_numpy_reference(name, need_weights, rng) -> None:
    ctor, spec = MHA_CASES[name]
    mha = _mha(**ctor)
    q, k, v, mask, kpm = _mha_inputs(mha, spec, rng)
    qt = _t(q)
    kt, vt = (qt, qt) if k is q else (_t(k), _t(v))
    out, w = mha(qt, kt, vt, key_padding_mask=None if kpm is None else _t(kpm),
                 attn_mask=None if mask is None else _t(mask), need_weights=need_weights,
                 average_attn_weights=False)
    want, want_w = ref_mha(mha, q, k, v, None if mask is None else _float_mask(mask),
                           None if kpm is None else _float_mask(kpm))
    np.testing.assert_allclose(_np(out), want, rtol=1e-10, atol=1e-12)
    if need_weights:
        np.testing.assert_allclose(_np(w), want_w, rtol=1e-10, atol=1e-12)
    else:
        assert w is None


def test_mha_shapes_batch_first_unbatched_and_weight_averaging(rng) -> None:
    mha = _mha(embed_dim=6, num_heads=3)
    x = _t(rng.standard_normal((4, 2, 6)))
    mem = _t(rng.standard_normal((5, 2, 6)))
    out, w = mha(x, mem, mem)
    assert out.shape == (4, 2, 6) and w.shape == (2, 4, 5)
    _, w_heads = mha(x, mem, mem, average_attn_weights=False)
    assert w_heads.shape == (2, 3, 4, 5)
    np.testing.assert_allclose(_np(w), _np(w_heads).mean(1), rtol=1e-12)
    out_u, w_u = mha(x[:, 0], mem[:, 0], mem[:, 0])
    assert out_u.shape == (4, 6) and w_u.shape == (4, 5)
    np.testing.assert_allclose(_np(out_u), _np(out)[:, 0], rtol=1e-12)
    _, w_uh = mha(x[:, 0], mem[:, 0], mem[:, 0], average_attn_weights=False)
    assert w_uh.shape == (3, 4, 5)
    bf = _mha(embed_dim=6, num_heads=3, batch_first=True)
    out_bf, w_bf = bf(x.transpose(0, 1), mem.transpose(0, 1), mem.transpose(0, 1))
    assert out_bf.shape == (2, 4, 6) and w_bf.shape == (2, 4, 5)
    np.testing.assert_allclose(_np(out_bf), _np(out).transpose(1, 0, 2), rtol=1e-12)
    assert bf(x[:, 0], mem[:, 0], mem[:, 0])[0].shape == (4, 6)  # unbatched ignores batch_first


def test_mha_bool_and_float_masks_agree_and_3d_mask_is_per_head(rng) -> None:
    mha = _mha()
    x = _t(rng.standard_normal((4, 2, 6)))
    m = rng.random((4, 4)) > 0.5
    m[:, 0] = False
    a = mha(x, x, x, attn_mask=_t(m))[0]
    b = mha(x, x, x, attn_mask=_t(np.where(m, -np.inf, 0.0)))[0]
    c = mha(x, x, x, attn_mask=_t(np.broadcast_to(m, (4, 4, 4)).copy()))[0]  # N * H = 4
    d = mha(x, x, x, attn_mask=_t(m), need_weights=False)[0]
    for other in (b, c, d):
        np.testing.assert_allclose(_np(other), _np(a), rtol=1e-12, atol=1e-14)


def test_mha_is_causal_hint_matches_the_causal_mask(rng) -> None:
    mha = _mha()
    x = _t(rng.standard_normal((4, 2, 6)))
    causal = _t(np.triu(np.full((4, 4), -np.inf), 1))
    want = mha(x, x, x, attn_mask=causal)[0]
    got = mha(x, x, x, attn_mask=causal, is_causal=True, need_weights=False)[0]
    np.testing.assert_allclose(_np(got), _np(want), rtol=1e-12)
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        mha(x, x, x, is_causal=True)


def test_mha_fully_padded_row_is_nan_with_weights_and_zero_without(rng) -> None:
    """PyTorch's two paths differ here: softmax gives NaN, SDPA's safe softmax gives 0."""
    mha = _mha()
    x = _t(rng.standard_normal((3, 2, 6)))
    kpm = _t(np.array([[False, False, False], [True, True, True]]))
    out, _ = mha(x, x, x, key_padding_mask=kpm)
    assert np.isnan(_np(out)[:, 1]).all() and np.isfinite(_np(out)[:, 0]).all()
    out2, _ = mha(x, x, x, key_padding_mask=kpm, need_weights=False)
    np.testing.assert_allclose(_np(out2)[:, 1], np.broadcast_to(_np(mha.out_proj.bias), (3, 6)))


@pytest.mark.filterwarnings("ignore:Support for mismatched key_padding_mask")
@pytest.mark.parametrize("name", ["self", "kdim-vdim", "mask-and-kpm", "mask-3d-float"])
@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_gradcheck_inputs_and_parameters(name, need_weights, rng) -> None:
    ctor, spec = MHA_CASES[name]
    mha = _mha(embed_dim=4, num_heads=2, **ctor)
    spec = {**spec, "mask": (4, 2, 2)} if "mask" in spec and spec["mask"][0] == 6 else spec
    rng2 = np.random.default_rng(5)
    n_q, n, n_k = 2, 2, spec.get("S", 2)
    q = rng2.standard_normal((n_q, n, 4))
    k, v = rng2.standard_normal((n_k, n, mha.kdim)), rng2.standard_normal((n_k, n, mha.vdim))
    mask = None
    if "mask" in spec:
        mask = _t(rng2.standard_normal(spec["mask"] if len(spec["mask"]) == 3 else (n_q, n_k)))
    kpm = _t(np.array([[False, True], [False, False]])) if "kpm" in spec else None
    params = tuple(p for _, p in mha.named_parameters())

    def fn(q, k, v, *_):
        out, w = mha(q, k, v, key_padding_mask=kpm, attn_mask=mask, need_weights=need_weights)
        return (out, w) if need_weights else out

    assert gradcheck(fn, (_t(q, True), _t(k, True), _t(v, True), *params))


def test_mha_warns_on_mismatched_mask_types_as_pytorch(rng) -> None:
    mha = _mha()
    x = _t(rng.standard_normal((3, 2, 6)))
    with pytest.warns(UserWarning, match="mismatched key_padding_mask and attn_mask"):
        mha(x, x, x, key_padding_mask=_t(np.zeros((2, 3), bool)), attn_mask=_t(np.zeros((3, 3))))


def test_mha_parameter_names_order_and_default_init() -> None:
    mha = MultiheadAttention(8, 2)
    assert [n for n, _ in mha.named_parameters()] == [
        "in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]
    assert mha.in_proj_weight.shape == (24, 8) and mha.in_proj_weight.dtype == minigrad.float32
    bound = math.sqrt(6 / (8 + 24))  # xavier_uniform_ on (3E, E)
    assert np.abs(_np(mha.in_proj_weight)).max() <= bound
    np.testing.assert_array_equal(_np(mha.in_proj_bias), 0.0)
    np.testing.assert_array_equal(_np(mha.out_proj.bias), 0.0)
    assert np.abs(_np(mha.out_proj.weight)).max() <= 1 / math.sqrt(8)  # Linear's default init
    sep = MultiheadAttention(8, 2, kdim=3, vdim=5, bias=False, add_bias_kv=True)
    assert list(sep.state_dict()) == ["q_proj_weight", "k_proj_weight", "v_proj_weight",
                                      "bias_k", "bias_v", "out_proj.weight"]
    assert sep.k_proj_weight.shape == (8, 3) and sep.v_proj_weight.shape == (8, 5)
    assert sep.in_proj_weight is None and sep.bias_k.shape == (1, 1, 8)
    assert repr(mha) == ("MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear("
                         "in_features=8, out_features=8, bias=True)\n)")


def test_mha_bias_kv_and_zero_attn_add_one_key(rng) -> None:
    mha = _mha(add_bias_kv=True, add_zero_attn=True)
    x = _t(rng.standard_normal((4, 2, 6)))
    out, w = mha(x, x, x, attn_mask=_t(np.zeros((4, 4), bool)))
    assert out.shape == (4, 2, 6) and w.shape == (2, 4, 6)  # S + bias_kv + zero key


def test_mha_dropout_only_in_training(rng) -> None:
    mha = _mha(dropout=0.5)
    ref = _mha()
    x = _t(rng.standard_normal((4, 2, 6)))
    mha.eval()
    np.testing.assert_allclose(_np(mha(x, x, x)[0]), _np(ref(x, x, x)[0]), rtol=1e-12)
    mha.train()
    assert not np.allclose(_np(mha(x, x, x)[0]), _np(ref(x, x, x)[0]))


def test_mha_deepcopy_has_its_own_parameters() -> None:
    mha = MultiheadAttention(4, 2)
    dup = copy.deepcopy(mha)
    for (name, a), (_, b) in zip(mha.named_parameters(), dup.named_parameters(),
                                    strict=True):
        assert a is not b and type(b) is type(a) and b.requires_grad, name
        np.testing.assert_array_equal(_np(a), _np(b))
    dup.in_proj_weight.data[0, 0] += 1.0
    assert _np(mha.in_proj_weight)[0, 0] != _np(dup.in_proj_weight)[0, 0]


@pytest.mark.parametrize(("shapes", "kw", "match"), [
    (((4, 2, 6), (5, 2, 6), (5, 2, 6)), {"attn_mask": (4, 4)},
     r"2D attn_mask is \(4, 4\), but should be \(4, 5\)"),
    (((4, 2, 6), (5, 2, 6), (5, 2, 6)), {"attn_mask": (2, 4, 5)},
     r"3D attn_mask is \(2, 4, 5\), but should be \(4, 4, 5\)"),
    (((4, 2, 6), (5, 2, 6), (5, 2, 6)), {"key_padding_mask": (2, 4)},
     r"key_padding_mask of shape \(2, 5\).*got \(2, 4\)"),
    (((4, 2, 5), (5, 2, 5), (5, 2, 5)), {}, r"embedding dimension of 6, but got 5"),
    (((1, 4, 2, 6), (5, 2, 6), (5, 2, 6)), {}, r"query \(1, 4, 2, 6\)"),
    (((4, 2, 6), (5, 6), (5, 6)), {}, r"key \(5, 6\)"),
    (((4, 2, 6), (5, 2, 6), (3, 2, 6)), {}, r"key shape \(5, 2, 6\) does not match value"),
])
def test_mha_errors_name_the_shapes(shapes, kw, match, rng) -> None:
    mha = _mha()
    q, k, v = (_t(rng.standard_normal(s)) for s in shapes)
    kw = {n: _t(np.zeros(s, bool)) for n, s in kw.items()}
    with pytest.raises((AssertionError, RuntimeError), match=match):
        mha(q, k, v, **kw)


def test_mha_constructor_errors() -> None:
    with pytest.raises(AssertionError, match="divisible by num_heads"):
        MultiheadAttention(6, 4)
    with pytest.raises(ValueError, match="greater than 0"):
        MultiheadAttention(0, 2)
    with pytest.raises(AssertionError, match="only bool and floating types of attn_mask"):
        m = MultiheadAttention(4, 2)
        x = minigrad.zeros(3, 1, 4)
        m(x, x, x, attn_mask=minigrad.zeros(3, 3, dtype=minigrad.int64))
