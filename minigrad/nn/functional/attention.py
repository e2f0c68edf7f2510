"""Attention in the functional API: `scaled_dot_product_attention` and
`multi_head_attention_forward`, with PyTorch 2.13's semantics, masks and error cases.

Both are compositions of differentiable Tensor ops (matmul, softmax, masked_fill), so gradients,
double backward and gradcheck come for free; NumPy batches every head and batch item in one
matmul. Dropout on the attention weights draws from minigrad's default generator exactly as
PyTorch's `dropout` draws (bernoulli(1 - p) over the weights, in memory order).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad.autograd.node import constant
from minigrad.creation import cat
from minigrad.nn.functional._utils import _shape
from minigrad.nn.functional.dropout import dropout
from minigrad.nn.functional.linear import linear
from minigrad.tensor import Tensor

_NEG_INF = float("-inf")


# -- scaled dot-product attention ------------------------------------------------------------------


def _check_sdpa(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None,
                dropout_p: float, is_causal: bool, enable_gqa: bool) -> None:
    """PyTorch's argument checks, restated with the shapes."""
    op = "scaled_dot_product_attention"
    shapes = f"query {_shape(query)}, key {_shape(key)}, value {_shape(value)}"
    if min(query.ndim, key.ndim, value.ndim) < 2:
        raise RuntimeError(f"{op}: expected query, key and value to be at least 2-D (..., L, E), "
                           f"got {shapes}")
    dts = {query.data.dtype, key.data.dtype, value.data.dtype}
    if len(dts) != 1:
        raise RuntimeError(f"{op}: expected query, key and value to have the same dtype, got "
                           f"{query.data.dtype}, {key.data.dtype} and {value.data.dtype}")
    if query.data.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected floating-point query, key and value, got "
                           f"{query.data.dtype}")
    if query.data.shape[-1] != key.data.shape[-1]:
        raise RuntimeError(f"{op}: query and key must have the same embedding size (last dim), "
                           f"got {shapes}")
    if key.data.shape[-2] != value.data.shape[-2]:
        raise RuntimeError(f"{op}: key and value must have the same sequence length (dim -2), "
                           f"got {shapes}")
    if enable_gqa:
        if min(query.ndim, key.ndim, value.ndim) < 3:
            raise RuntimeError(f"{op}: enable_gqa needs a heads dim (..., H, L, E), got {shapes}")
        hq, hk, hv = query.data.shape[-3], key.data.shape[-3], value.data.shape[-3]
        if hk == 0 or hv == 0 or hq % hk or hq % hv:
            raise RuntimeError(f"{op}: number of heads in key and value must divide the number "
                               f"of heads in query, got {shapes}")
    batch = [t.data.shape[:-3 if enable_gqa else -2] for t in (query, key, value)]
    try:
        np.broadcast_shapes(*batch)
    except ValueError:
        raise RuntimeError(f"{op}: batch dims of query, key and value do not broadcast: "
                           f"{shapes}") from None
    if not 0.0 <= dropout_p <= 1.0:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    if attn_mask is not None:
        if is_causal:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be "
                               "set when is_causal=True")
        mask_dt = attn_mask.data.dtype
        if mask_dt not in (np.bool_, np.float32, query.data.dtype):
            raise RuntimeError(f"{op}: expected attn_mask dtype to be bool or float32 or to "
                               f"match query dtype ({query.data.dtype}), got {mask_dt}")


def _repeat_heads(t: Tensor, heads: int) -> Tensor:
    """repeat_interleave along dim -3 up to `heads` heads (grouped-query attention)."""
    shape = t.data.shape
    reps = heads // shape[-3]
    if reps == 1:
        return t
    grown = t.unsqueeze(-3).expand(shape[:-2] + (reps,) + shape[-2:])
    return grown.reshape(shape[:-3] + (heads,) + shape[-2:])


def _apply_mask(scores: Tensor, mask: Tensor, op: str) -> Tensor:
    """scores where the bool mask is True, -inf elsewhere; a float mask is added."""
    try:
        grown = np.broadcast_shapes(mask.data.shape, scores.data.shape)
    except ValueError:
        grown = None
    if grown != scores.data.shape:
        raise RuntimeError(f"{op}: attn_mask of shape {_shape(mask)} does not broadcast to the "
                           f"attention scores' shape {_shape(scores)} (..., L, S)")
    if mask.data.dtype == np.bool_:
        return scores.masked_fill(constant(~mask.data), _NEG_INF)
    return scores + (mask if mask.data.dtype == scores.data.dtype else mask.to(scores.dtype))


def _safe_softmax(scores: Tensor) -> Tensor:
    """softmax over the last dim, with 0 (not NaN) on rows where everything is masked, as
    PyTorch's SDPA (`_safe_softmax`); those rows get a zero gradient too."""
    if scores.data.shape[-1] == 0:
        return scores * 0.0
    dead = np.isneginf(scores.data).all(axis=-1, keepdims=True)
    if not dead.any():
        return scores.softmax(-1)
    dead_t = constant(dead)
    return scores.masked_fill(dead_t, 0.0).softmax(-1).masked_fill(dead_t, 0.0)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(Q K^T * scale + bias) V over the last two dims, batched over any leading dims.

    A bool attn_mask marks with True the pairs that take part; a float one is added to the
    scores; is_causal masks the (L, S) upper triangle (aligned top-left). Rows with nothing
    to attend to give 0. Dropout (always applied when dropout_p > 0, as PyTorch) zeroes
    attention weights. Shape: (..., L, E), (..., S, E), (..., S, Ev) -> (..., L, Ev).
    """
    _check_sdpa(query, key, value, attn_mask, dropout_p, is_causal, enable_gqa)
    n_q, n_k = query.data.shape[-2], key.data.shape[-2]
    scale_factor = 1.0 / math.sqrt(query.data.shape[-1]) if scale is None else float(scale)
    if enable_gqa:
        heads = query.data.shape[-3]
        key, value = _repeat_heads(key, heads), _repeat_heads(value, heads)
    scores = (query @ key.mT) * scale_factor  # (..., L, S)
    if is_causal:
        scores = scores.masked_fill(constant(np.triu(np.ones((n_q, n_k), np.bool_), 1)),
                                    _NEG_INF)
    if attn_mask is not None:
        scores = _apply_mask(scores, attn_mask, "scaled_dot_product_attention")
    weights = _safe_softmax(scores)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, training=True)
    return weights @ value


# -- multi-head attention --------------------------------------------------------------------------


def _canonical_mask(mask: Tensor | None, mask_name: str, other_type: Any, other_name: str,
                    target_type: Any, check_other: bool = True) -> Tensor | None:
    """A bool mask (True = masked out) as a float mask of 0 and -inf; float masks unchanged."""
    if mask is None:
        return None
    kind = mask.data.dtype
    if kind != np.bool_ and kind.kind != "f":
        raise AssertionError(f"only bool and floating types of {mask_name} are supported, got "
                             f"{mask.data.dtype}")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use "
                      "same type for both instead.", stacklevel=2)
    target = np.dtype(dtypes.to_numpy_dtype(target_type))
    if kind == np.bool_:
        return constant(np.where(mask.data, target.type(_NEG_INF), target.type(0)))
    return mask if kind == target else mask.to(target_type)


def _none_or_dtype(t: Tensor | None) -> Any:
    return None if t is None else t.dtype


def _mha_shape_check(query: Tensor, key: Tensor, value: Tensor,
                     key_padding_mask: Tensor | None, attn_mask: Tensor | None,
                     num_heads: int) -> bool:
    """Whether the input is batched; PyTorch's rank checks, with the shapes."""
    op = "multi_head_attention_forward"
    shapes = f"query {_shape(query)}, key {_shape(key)}, value {_shape(value)}"
    if query.ndim not in (2, 3):
        raise AssertionError(f"{op}: query should be unbatched 2D (L, E) or batched 3D tensor, "
                             f"got {shapes}")
    batched = query.ndim == 3
    want = 3 if batched else 2
    if key.ndim != want or value.ndim != want:
        raise AssertionError(f"{op}: for {want}-D query, expected key and value to be {want}-D, "
                             f"got {shapes}")
    if key_padding_mask is not None and key_padding_mask.ndim != want - 1:
        raise AssertionError(f"{op}: for {want}-D query, expected key_padding_mask to be None "
                             f"or {want - 1}-D, got {_shape(key_padding_mask)}")
    if attn_mask is not None:
        if attn_mask.ndim not in (2, 3):
            raise AssertionError(f"{op}: expected attn_mask to be None, 2-D or 3-D, got "
                                 f"{_shape(attn_mask)}")
        expected = (num_heads, query.data.shape[0], key.data.shape[0])
        if not batched and attn_mask.ndim == 3 and _shape(attn_mask) != expected:
            raise AssertionError(f"{op}: expected attn_mask shape to be {expected} but got "
                                 f"{_shape(attn_mask)}")
    return batched


def _in_projection_packed(q: Tensor, k: Tensor, v: Tensor, w: Tensor,
                          b: Tensor | None) -> tuple[Tensor, Tensor, Tensor]:
    """q, k, v through the packed (3E, E) projection, sharing matmuls as PyTorch does."""
    e = q.data.shape[-1]
    if k is v:
        if q is k:  # self-attention: one matmul
            return tuple(linear(q, w, b).chunk(3, dim=-1))
        w_q, w_kv = w.split([e, 2 * e])
        b_q, b_kv = b.split([e, 2 * e]) if b is not None else (None, None)
        k_out, v_out = linear(k, w_kv, b_kv).chunk(2, dim=-1)
        return linear(q, w_q, b_q), k_out, v_out
    ws = w.chunk(3)
    bs = b.chunk(3) if b is not None else (None, None, None)
    return tuple(linear(x, wi, bi) for x, wi, bi in zip((q, k, v), ws, bs, strict=True))


def _in_projection(q: Tensor, k: Tensor, v: Tensor, w_q: Tensor, w_k: Tensor, w_v: Tensor,
                   b: Tensor | None) -> tuple[Tensor, Tensor, Tensor]:
    """Separate projections (kdim/vdim differ from embed_dim)."""
    e, ek, ev = q.data.shape[-1], k.data.shape[-1], v.data.shape[-1]
    for name, weight, want in (("query", w_q, (e, e)), ("key", w_k, (e, ek)),
                               ("value", w_v, (e, ev))):
        if _shape(weight) != want:
            raise AssertionError(f"multi_head_attention_forward: expecting {name} weights shape "
                                 f"of {want}, but got {_shape(weight)}")
    bs = b.chunk(3) if b is not None else (None, None, None)
    return linear(q, w_q, bs[0]), linear(k, w_k, bs[1]), linear(v, w_v, bs[2])


def _pad_last(mask: Tensor | None) -> Tensor | None:
    """One more key position that is not masked (a 0 column), for bias_kv / zero_attn."""
    if mask is None:
        return None
    return cat([mask, constant(np.zeros(mask.data.shape[:-1] + (1,), mask.data.dtype))], -1)


def _check_attn_mask(attn_mask: Tensor, tgt_len: int, src_len: int, bsz: int,
                     num_heads: int) -> Tensor:
    """attn_mask as 3-D: (L, S) -> (1, L, S); (N * num_heads, L, S) as is."""
    if attn_mask.ndim == 2:
        if _shape(attn_mask) != (tgt_len, src_len):
            raise RuntimeError(f"The shape of the 2D attn_mask is {_shape(attn_mask)}, but "
                               f"should be {(tgt_len, src_len)}.")
        return attn_mask.unsqueeze(0)
    if _shape(attn_mask) != (bsz * num_heads, tgt_len, src_len):
        raise RuntimeError(f"The shape of the 3D attn_mask is {_shape(attn_mask)}, but should "
                           f"be {(bsz * num_heads, tgt_len, src_len)}.")
    return attn_mask


def multi_head_attention_forward(
    query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
    in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
    bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor,
    out_proj_bias: Tensor | None, training: bool = True,
    key_padding_mask: Tensor | None = None, need_weights: bool = True,
    attn_mask: Tensor | None = None, use_separate_proj_weight: bool = False,
    q_proj_weight: Tensor | None = None, k_proj_weight: Tensor | None = None,
    v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
    static_v: Tensor | None = None, average_attn_weights: bool = True, is_causal: bool = False,
) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention on sequence-first inputs, step for step as PyTorch's (so float
    rounding and dropout draws line up). Shape: query (L, N, E) or (L, E); key (S, N, Ek);
    value (S, N, Ev) -> output (L, N, E), weights (N, L, S) averaged or (N, H, L, S)."""
    op = "multi_head_attention_forward"
    if static_k is not None or static_v is not None:
        raise NotImplementedError(f"{op}: static_k / static_v are not supported")
    batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.data.shape
    src_len = key.data.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                       _none_or_dtype(attn_mask), "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # SDPA builds the causal mask itself
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, False)
        if key_padding_mask is not None:
            is_causal = False  # the merged mask is no longer causal
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"{op}: was expecting embedding dimension of {embed_dim_to_check}, "
                             f"but got {embed_dim} (query {_shape(query)})")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"{op}: embed_dim {embed_dim} not divisible by num_heads "
                             f"{num_heads}")
    if use_separate_proj_weight:
        if key.data.shape[:2] != value.data.shape[:2]:
            raise AssertionError(f"{op}: key's sequence and batch dims {_shape(key)[:2]} do not "
                                 f"match value's {_shape(value)[:2]}")
        q, k, v = _in_projection(query, key, value, q_proj_weight, k_proj_weight,
                                 v_proj_weight, in_proj_bias)
    else:
        if key.data.shape != value.data.shape:
            raise AssertionError(f"{op}: key shape {_shape(key)} does not match value shape "
                                 f"{_shape(value)}")
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    if attn_mask is not None:
        attn_mask = _check_attn_mask(attn_mask, tgt_len, src_len, bsz, num_heads)
    if bias_k is not None and bias_v is not None:
        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)
    elif bias_k is not None or bias_v is not None:
        raise AssertionError(f"{op}: bias_k and bias_v must be given together")
    # (L, N, E) -> (N * H, L, head_dim): heads become batch items
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = k.reshape(k.data.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    v = v.reshape(v.data.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    if add_zero_attn:
        zeros = constant(np.zeros((bsz * num_heads, 1, head_dim), q.data.dtype))
        k, v = cat([k, zeros], 1), cat([v, zeros], 1)
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)
    src_len = k.data.shape[1]
    if key_padding_mask is not None:
        if _shape(key_padding_mask) != (bsz, src_len):
            raise AssertionError(f"{op}: expected key_padding_mask of shape {(bsz, src_len)} "
                                 f"(N, S), got {_shape(key_padding_mask)}")
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(bsz, num_heads, 1, src_len)
        kpm = kpm.reshape(bsz * num_heads, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0
    if need_weights:
        q_scaled = q * math.sqrt(1.0 / float(head_dim))
        scores = q_scaled @ k.mT
        if attn_mask is not None:
            scores = attn_mask + scores  # baddbmm(mask, q, k^T)
        with np.errstate(invalid="ignore"):  # plain softmax: silent NaN rows where all is
            weights = scores.softmax(-1)  # masked, as PyTorch (SDPA below gives 0 there)
        if dropout_p > 0.0:
            weights = dropout(weights, p=dropout_p)
        out = (weights @ v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, embed_dim)
        weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights
    if attn_mask is not None:
        if attn_mask.data.shape[0] == 1 and attn_mask.ndim == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.reshape(bsz, num_heads, -1, src_len)
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, embed_dim)
    if not batched:
        out = out.squeeze(1)
    return out, None
