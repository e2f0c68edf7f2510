"""Transformer layers (minigrad/nn/modules/transformer.py): PyTorch's submodule names and
state-dict keys, the residual/LayerNorm wiring (post-norm and norm_first) against NumPy, float64
gradchecks, shapes for batch_first and unbatched inputs, stacks of independent deep copies,
causal masks (values, detection, not state), and dropout only in training."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad
from minigrad.autograd import gradcheck
from minigrad.nn import functional as F
from minigrad.nn.modules.activation import GELU
from minigrad.nn.modules.normalization import LayerNorm
from minigrad.nn.modules.transformer import (
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
)
from tests.helpers import to_numpy as _np

_erf = np.vectorize(math.erf)

MHA_KEYS = ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]
FF_KEYS = ["linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias"]



def _t(a, grad: bool = False) -> minigrad.Tensor:
    return minigrad.tensor(np.array(a), requires_grad=grad)


def _ln(x: np.ndarray, norm: LayerNorm) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + norm.eps) * _np(norm.weight) + _np(norm.bias)


def _ff(x: np.ndarray, layer, gelu: bool) -> np.ndarray:
    h = x @ _np(layer.linear1.weight).T + _np(layer.linear1.bias)
    h = h * 0.5 * (1 + _erf(h / math.sqrt(2))) if gelu else np.maximum(h, 0)
    return h @ _np(layer.linear2.weight).T + _np(layer.linear2.bias)


def _attn(mha, x: np.ndarray, mem: np.ndarray | None = None) -> np.ndarray:
    """The attention block through minigrad's MultiheadAttention (test_activation_attention)."""
    kv = _t(x if mem is None else mem)
    return _np(mha(_t(x), kv, kv, need_weights=False)[0])


def _layer(cls, **kw):
    minigrad.manual_seed(0)
    return cls(kw.pop("d_model", 8), kw.pop("nhead", 2), kw.pop("dim_feedforward", 12),
               **{"dropout": 0.0, **kw}).double()


# -- names and keys --------------------------------------------------------------------------------
def test_state_dict_keys_are_pytorchs() -> None:
    enc = _layer(TransformerEncoderLayer)
    assert list(enc.state_dict()) == (
        [f"self_attn.{k}" for k in MHA_KEYS] + FF_KEYS
        + ["norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"])
    dec = _layer(TransformerDecoderLayer)
    assert list(dec.state_dict()) == (
        [f"self_attn.{k}" for k in MHA_KEYS] + [f"multihead_attn.{k}" for k in MHA_KEYS]
        + FF_KEYS + [f"norm{i}.{p}" for i in (1, 2, 3) for p in ("weight", "bias")])
    assert [n for n, _ in dec.named_children()] == [
        "self_attn", "multihead_attn", "linear1", "dropout", "linear2", "norm1", "norm2",
        "norm3", "dropout1", "dropout2", "dropout3"]
    stack = TransformerEncoder(enc, 2, norm=LayerNorm(8))
    keys = list(stack.state_dict())
    assert keys[0] == "layers.0.self_attn.in_proj_weight" and keys[-1] == "norm.bias"
    assert len(keys) == 2 * 12 + 2 and "layers.1.norm2.bias" in keys


def test_bias_false_drops_every_bias() -> None:
    enc = _layer(TransformerEncoderLayer, bias=False)
    assert not [k for k in enc.state_dict() if k.endswith("bias")]


def test_activation_strings_callables_and_modules() -> None:
    assert _layer(TransformerEncoderLayer, activation="gelu").activation is F.gelu
    assert _layer(TransformerEncoderLayer).activation is F.relu
    enc = _layer(TransformerEncoderLayer, activation=GELU())
    assert "activation" in dict(enc.named_children())  # a Module registers, as in PyTorch
    assert enc.activation_relu_or_gelu == 2
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        TransformerEncoderLayer(8, 2, activation="tanh")


# -- forward against NumPy -------------------------------------------------------------------------
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_encoder_layer_wiring_matches_numpy(norm_first, activation, rng) -> None:
    layer = _layer(TransformerEncoderLayer, norm_first=norm_first, activation=activation)
    for i, norm in enumerate((layer.norm1, layer.norm2)):  # non-trivial affine parameters
        norm.weight.data[:] = 1 + 0.1 * rng.standard_normal(8)
        norm.bias.data[:] = 0.1 * (i + 1) * rng.standard_normal(8)
    x = rng.standard_normal((5, 3, 8))
    gelu = activation == "gelu"
    if norm_first:
        h = x + _attn(layer.self_attn, _ln(x, layer.norm1))
        want = h + _ff(_ln(h, layer.norm2), layer, gelu)
    else:
        h = _ln(x + _attn(layer.self_attn, x), layer.norm1)
        want = _ln(h + _ff(h, layer, gelu), layer.norm2)
    np.testing.assert_allclose(_np(layer(_t(x))), want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_wiring_matches_numpy(norm_first, rng) -> None:
    layer = _layer(TransformerDecoderLayer, norm_first=norm_first)
    x, mem = rng.standard_normal((4, 2, 8)), rng.standard_normal((6, 2, 8))
    n1, n2, n3 = layer.norm1, layer.norm2, layer.norm3
    if norm_first:
        h = x + _attn(layer.self_attn, _ln(x, n1))
        h = h + _attn(layer.multihead_attn, _ln(h, n2), mem)
        want = h + _ff(_ln(h, n3), layer, False)
    else:
        h = _ln(x + _attn(layer.self_attn, x), n1)
        h = _ln(h + _attn(layer.multihead_attn, h, mem), n2)
        want = _ln(h + _ff(h, layer, False), n3)
    np.testing.assert_allclose(_np(layer(_t(x), _t(mem))), want, rtol=1e-10, atol=1e-12)


def test_layers_keep_float32(rng) -> None:
    minigrad.manual_seed(0)
    dec = TransformerDecoderLayer(8, 2, 12, dropout=0.0)
    x = _t(rng.standard_normal((4, 2, 8)).astype(np.float32))
    assert dec(x, x).dtype == minigrad.float32


def test_shapes_batch_first_and_unbatched(rng) -> None:
    x, mem = rng.standard_normal((4, 2, 8)), rng.standard_normal((6, 2, 8))
    for cls, args in ((TransformerEncoderLayer, (x,)), (TransformerDecoderLayer, (x, mem))):
        seq = _layer(cls)
        bf = _layer(cls, batch_first=True)
        out = seq(*(_t(a) for a in args))
        out_bf = bf(*(_t(a.transpose(1, 0, 2)) for a in args))
        assert out.shape == (4, 2, 8) and out_bf.shape == (2, 4, 8)
        np.testing.assert_allclose(_np(out_bf), _np(out).transpose(1, 0, 2), rtol=1e-12)
        out_u = seq(*(_t(a[:, 1]) for a in args))
        assert out_u.shape == (4, 8)
        np.testing.assert_allclose(_np(out_u), _np(out)[:, 1], rtol=1e-12, atol=1e-14)


# -- gradients -------------------------------------------------------------------------------------
@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_layer_gradcheck_with_masks(norm_first, rng) -> None:
    layer = _layer(TransformerEncoderLayer, d_model=4, dim_feedforward=6, norm_first=norm_first,
                   activation="gelu")
    x = _t(rng.standard_normal((3, 2, 4)), grad=True)
    mask = _t(np.triu(np.ones((3, 3), bool), 1))
    kpm = _t(np.array([[False, False, True], [False, False, False]]))
    params = tuple(layer.parameters())
    assert gradcheck(lambda x, *p: layer(x, src_mask=mask, src_key_padding_mask=kpm),
                     (x, *params))


def test_decoder_layer_gradcheck_with_masks(rng) -> None:
    layer = _layer(TransformerDecoderLayer, d_model=4, dim_feedforward=5)
    x = _t(rng.standard_normal((3, 2, 4)), grad=True)
    mem = _t(rng.standard_normal((2, 2, 4)), grad=True)
    tgt_mask = _t(np.triu(np.ones((3, 3), bool), 1))
    mem_kpm = _t(np.array([[False, True], [False, False]]))
    params = tuple(layer.parameters())
    assert gradcheck(lambda x, m, *p: layer(x, m, tgt_mask=tgt_mask,
                                            memory_key_padding_mask=mem_kpm),
                     (x, mem, *params))


# -- stacks and the full model ---------------------------------------------------------------------
def test_stacks_hold_independent_copies_and_apply_them_in_turn(rng) -> None:
    enc_layer = _layer(TransformerEncoderLayer)
    stack = TransformerEncoder(enc_layer, 3, norm=LayerNorm(8).double())
    a, b = stack.layers[0].self_attn.in_proj_weight, stack.layers[1].self_attn.in_proj_weight
    assert a is not b and a is not enc_layer.self_attn.in_proj_weight
    np.testing.assert_array_equal(_np(a), _np(b))
    assert len(list(stack.parameters())) == 3 * 12 + 2
    stack.layers[1].linear1.weight.data[:] += 0.5  # changing one copy leaves the others alone
    assert not np.array_equal(_np(stack.layers[0].linear1.weight),
                              _np(stack.layers[1].linear1.weight))
    x = _t(rng.standard_normal((4, 2, 8)))
    h = x
    for layer in stack.layers:
        h = layer(h)
    np.testing.assert_allclose(_np(stack(x)), _np(stack.norm(h)), rtol=1e-12)
    dec = TransformerDecoder(_layer(TransformerDecoderLayer), 2)
    mem = _t(rng.standard_normal((5, 2, 8)))
    h = dec.layers[1](dec.layers[0](x, mem), mem)
    np.testing.assert_allclose(_np(dec(x, mem)), _np(h), rtol=1e-12)


def test_transformer_model_shapes_init_and_errors(rng) -> None:
    minigrad.manual_seed(0)
    model = Transformer(8, 2, 2, 1, 12, dropout=0.0).double()
    for name, p in model.named_parameters():
        if p.ndim > 1:  # every matrix re-drawn with xavier_uniform_
            bound = math.sqrt(6 / sum(p.shape))
            assert np.abs(_np(p)).max() <= bound, name
    src, tgt = _t(rng.standard_normal((5, 2, 8))), _t(rng.standard_normal((3, 2, 8)))
    out = model(src, tgt, tgt_mask=Transformer.generate_square_subsequent_mask(
        3, dtype=minigrad.float64))
    assert out.shape == (3, 2, 8)
    assert len(model.encoder.layers) == 2 and len(model.decoder.layers) == 1
    with pytest.raises(RuntimeError, match=r"batch number of src and tgt.*\(5, 2, 8\)"):
        model(src, tgt[:, :1])
    with pytest.raises(RuntimeError, match=r"equal to d_model \(8\)"):
        model(src[..., :4], tgt)


# -- causal masks ----------------------------------------------------------------------------------
def test_generate_square_subsequent_mask_values_and_dtype() -> None:
    m = Transformer.generate_square_subsequent_mask(4)
    assert m.dtype == minigrad.float32 and m.shape == (4, 4) and not m.requires_grad
    want = np.where(np.triu(np.ones((4, 4), bool), 1), -np.inf, 0.0)
    np.testing.assert_array_equal(_np(m), want)
    assert Transformer.generate_square_subsequent_mask(3, dtype=minigrad.float64).dtype == \
        minigrad.float64


def test_causal_mask_equals_is_causal_and_bool_mask_and_is_not_state(rng) -> None:
    stack = TransformerEncoder(_layer(TransformerEncoderLayer), 2)
    x = _t(rng.standard_normal((4, 2, 8)))
    causal = Transformer.generate_square_subsequent_mask(4, dtype=minigrad.float64)
    a = stack(x, mask=causal)  # detected as causal: the layers get is_causal=True
    b = stack(x, mask=causal, is_causal=False)
    c = stack(x, mask=_t(np.triu(np.ones((4, 4), bool), 1)))
    np.testing.assert_allclose(_np(a), _np(b), rtol=1e-12)
    np.testing.assert_allclose(_np(a), _np(c), rtol=1e-12)
    assert not np.allclose(_np(a), _np(stack(x)))
    assert list(stack.buffers()) == [] and all("mask" not in k for k in stack.state_dict())
    x0 = _t(np.concatenate([_np(x)[:2], rng.standard_normal((2, 2, 8))]))
    np.testing.assert_allclose(_np(stack(x0, mask=causal))[:2], _np(a)[:2], rtol=1e-10)


# -- dropout ---------------------------------------------------------------------------------------
def test_dropout_only_in_training(rng) -> None:
    noisy = _layer(TransformerDecoderLayer, dropout=0.3)
    clean = _layer(TransformerDecoderLayer)
    x, mem = _t(rng.standard_normal((4, 2, 8))), _t(rng.standard_normal((3, 2, 8)))
    noisy.eval()
    np.testing.assert_allclose(_np(noisy(x, mem)), _np(clean(x, mem)), rtol=1e-12)
    noisy.train()
    minigrad.manual_seed(3)
    first = _np(noisy(x, mem))
    minigrad.manual_seed(3)
    np.testing.assert_array_equal(_np(noisy(x, mem)), first)
    assert not np.allclose(first, _np(clean(x, mem)))
