"""Attention against PyTorch 2.13: `scaled_dot_product_attention` through the case table (every
mask kind, is_causal, scale, GQA, fully masked rows) and `MultiheadAttention` through a
multi-input module check (same weights via the state dict; outputs, input grads and every
parameter grad in float64 and float32) for each option; default init and dropout draws after
the same seed are identical.

`check_layer` below is the module harness for layers called with several inputs and masks;
parity/test_transformer.py uses it too.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minigrad  # noqa: E402
from minigrad.nn.functional.attention import scaled_dot_product_attention as m_sdpa  # noqa: E402
from minigrad.nn.modules.activation_attention import MultiheadAttention  # noqa: E402
from parity.harness import DTYPES, TOLERANCES, Case, compare, run_case  # noqa: E402

WORST: dict = {}  # (layer case, dtype) -> worst relative error, for the report


# -- the multi-input module harness ----------------------------------------------------------------
def _to_torch_state(module) -> OrderedDict:
    return OrderedDict((k, torch.from_numpy(np.array(v.numpy()))) for k, v in
                       module.state_dict().items())


def _close(label: str, a, b, dtype: str, failures: list, worst: list) -> None:
    xa, xb = np.asarray(a.detach().numpy()), b.detach().numpy()
    if xa.shape != xb.shape or xa.dtype != xb.dtype:
        failures.append(f"{label}: {xa.dtype}{xa.shape} != torch {xb.dtype}{xb.shape}")
        return
    abs_err, rel, ok = compare(xa, xb, *TOLERANCES[dtype])
    worst.append(rel)
    if not ok:
        failures.append(f"{label}: abs err {abs_err:.3g}, rel err {rel:.3g}")


def _outputs(out) -> list:
    return [o for o in (out if isinstance(out, (tuple, list)) else (out,)) if o is not None]


def check_layer(make: Callable, call: Callable, shapes: list, dtype: str, train: bool = False,
                masks: dict | None = None, seed: int = 0, dropout_seed: int | None = None,
                backward: bool = True) -> float:
    """Build make(lib) in both libraries (minigrad's after manual_seed(0), torch's loaded from
    its state dict), run call(module, lib, inputs, masks) on the same float inputs (one per
    shape, requiring grad) and masks (NumPy arrays, made into each library's tensors), compare
    every output, then backpropagate the same random gradients and compare the inputs' and
    every parameter's grads. dropout_seed seeds both generators right before the forward.
    Returns the worst relative error."""
    minigrad.manual_seed(0)
    ours = make(minigrad).to(getattr(minigrad, dtype)).train(train)
    theirs = make(torch).to(getattr(torch, dtype)).train(train)
    theirs.load_state_dict(_to_torch_state(ours), strict=True)
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    masks = masks or {}
    results = []
    for lib, module, make_t in ((minigrad, ours, minigrad.tensor), (torch, theirs,
                                                                    torch.from_numpy)):
        inputs = [make_t(a.copy()).requires_grad_(True) for a in arrays]
        lib_masks = {k: (make_t(np.array(m, dtype=dtype if m.dtype.kind == "f" else m.dtype))
                         if isinstance(m, np.ndarray) else m) for k, m in masks.items()}
        if dropout_seed is not None:
            lib.manual_seed(dropout_seed)
        results.append((inputs, _outputs(call(module, lib, inputs, lib_masks))))
    (m_in, m_out), (t_in, t_out) = results
    failures: list = []
    worst: list = []
    assert len(m_out) == len(t_out), (len(m_out), len(t_out))
    for i, (a, b) in enumerate(zip(m_out, t_out, strict=True)):
        _close(f"output {i}", a, b, dtype, failures, worst)
    assert not failures, failures
    if not backward:
        return max(worst, default=0.0)
    seeds = [rng.standard_normal(tuple(b.shape)).astype(dtype) for b in t_out]
    for outs, make_t in ((m_out, minigrad.tensor), (t_out, torch.from_numpy)):
        loss = sum((o * make_t(g.copy())).sum() for o, g in zip(outs, seeds, strict=True))
        loss.backward()
    for i, (a, b) in enumerate(zip(m_in, t_in, strict=True)):
        _close(f"grad of input {i}", a.grad, b.grad, dtype, failures, worst)
    t_params = dict(theirs.named_parameters())
    names = [n for n, _ in ours.named_parameters()]
    assert names == list(t_params), (names, list(t_params))
    for name, p in ours.named_parameters():
        if p.grad is None or t_params[name].grad is None:
            assert p.grad is None and t_params[name].grad is None, name
            continue
        _close(f"grad of {name}", p.grad, t_params[name].grad, dtype, failures, worst)
    assert not failures, failures
    return max(worst, default=0.0)


# -- scaled_dot_product_attention: the case table --------------------------------------------------
def _sdpa(mask_kw: str | None = None, **kw) -> tuple:
    """(minigrad fn, torch fn) for SDPA with an optional mask passed as the first extra."""
    def ours(lib, q, k, v, *extra):
        return m_sdpa(q, k, v, **({mask_kw: extra[0]} if mask_kw else {}), **kw)

    def theirs(lib, q, k, v, *extra):
        return torch.nn.functional.scaled_dot_product_attention(
            q, k, v, **({mask_kw: extra[0]} if mask_kw else {}), **kw)

    return ours, theirs


def _bool_mask(*shape: int, p: float = 0.3) -> Callable:
    def draw(rng):
        m = rng.random(shape) > p
        m[..., 0] = True  # every query keeps a key (fully masked rows have their own case)
        return m
    return draw


def _dead_rows(*shape: int) -> Callable:
    def draw(rng):
        m = rng.random(shape) > 0.3
        m[..., 1, :] = False
        return m
    return draw


Q4, K4, V4 = (2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6)


def _case(name: str, shapes: tuple, mask_kw: str | None = None, extras: tuple = (),
          **kw) -> Case:
    """A float mask is a fourth input (cast to the dtype under test, with its gradient
    compared too); a bool mask is an extra."""
    fn, torch_fn = _sdpa(mask_kw, **kw)
    return Case(f"sdpa-{name}", fn, shapes, extras=extras, torch_fn=torch_fn)


SDPA_CASES = [
    _case("4d", (Q4, K4, V4)),
    _case("3d", (Q4[1:], K4[1:], V4[1:])),
    _case("2d", (Q4[2:], K4[2:], V4[2:])),
    _case("5d", ((2,) + Q4, (2,) + K4, (2,) + V4)),
    _case("broadcast-batch", ((3, 4, 8), (2, 1, 5, 8), (2, 1, 5, 6))),
    _case("bool-2d", (Q4, K4, V4), "attn_mask", (_bool_mask(4, 5),)),
    _case("bool-4d", (Q4, K4, V4), "attn_mask", (_bool_mask(2, 3, 4, 5),)),
    _case("bool-3d-input", (Q4[1:], K4[1:], V4[1:]), "attn_mask", (_bool_mask(3, 4, 5),)),
    _case("float-2d", (Q4, K4, V4, (4, 5)), "attn_mask"),
    _case("float-4d", (Q4, K4, V4, (2, 1, 4, 5)), "attn_mask"),
    _case("float-3d-input", (Q4[1:], K4[1:], V4[1:], (4, 5)), "attn_mask"),
    _case("float-inf", (Q4, K4, V4, lambda rng: np.where(rng.random((4, 5)) < 0.3, -np.inf,
                                                        rng.standard_normal((4, 5)))),
          "attn_mask"),
    _case("causal-square", (Q4, (2, 3, 4, 8), (2, 3, 4, 6)), is_causal=True),
    _case("causal-L<S", (Q4, K4, V4), is_causal=True),
    _case("causal-L>S", (Q4, (2, 3, 3, 8), (2, 3, 3, 6)), is_causal=True),
    _case("causal-3d-input", (Q4[1:], K4[1:], V4[1:]), is_causal=True),
    _case("scale", (Q4, K4, V4), scale=0.3),
    _case("scale-negative-3d", (Q4[1:], K4[1:], V4[1:]), scale=-0.5),
    _case("scale-mask", (Q4, K4, V4), "attn_mask", (_bool_mask(4, 5),), scale=1.7),
    _case("dead-rows-4d", (Q4, K4, V4), "attn_mask", (_dead_rows(4, 5),)),
    _case("dead-rows-3d", (Q4[1:], K4[1:], V4[1:]), "attn_mask", (_dead_rows(3, 4, 5),)),
    _case("gqa", ((2, 6, 4, 8), K4, V4), enable_gqa=True),
]
SDPA_PARAMS = [pytest.param(c, d, id=f"{c.name}-{d}") for c in SDPA_CASES for d in DTYPES]


def test_sdpa_case_names_are_unique() -> None:
    names = [c.name for c in SDPA_CASES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(("case", "dtype"), SDPA_PARAMS)
def test_sdpa_matches_torch(case: Case, dtype: str) -> None:
    result = run_case(case, dtype, raise_errors=True)
    WORST[(case.name, dtype)] = max(result.fwd_rel, result.grad_rel)
    assert result.passed, result.failures


@pytest.mark.parametrize("shape", [Q4, Q4[1:]], ids=["4d", "3d"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_sdpa_dropout_draws_match_torch(shape, dtype) -> None:
    """Same seed, same dropout mask on the attention weights (torch's math path uses dropout
    there, drawing bernoulli(1 - p) over the weights like F.dropout)."""
    rng = np.random.default_rng(1)
    q, k, v = (rng.standard_normal(shape[:-2] + s).astype(dtype) for s in ((4, 8), (5, 8),
                                                                           (5, 6)))
    mask = rng.random((4, 5)) > 0.3
    outs = []
    for lib, f, make in ((minigrad, m_sdpa, minigrad.tensor),
                         (torch, torch.nn.functional.scaled_dot_product_attention,
                          torch.from_numpy)):
        lib.manual_seed(5)
        outs.append(f(make(q.copy()), make(k.copy()), make(v.copy()), attn_mask=make(mask),
                      dropout_p=0.4).numpy())
    _, rel, ok = compare(outs[0], outs[1], *TOLERANCES[dtype])
    assert ok, rel


def test_sdpa_raises_where_torchs_reference_raises() -> None:
    q = np.zeros((3, 4, 8))
    mask = np.ones((4, 4), bool)
    with pytest.raises(RuntimeError, match="Explicit attn_mask should not be set") as theirs:
        t = torch.from_numpy(q)
        torch.nn.functional.scaled_dot_product_attention(t, t, t, attn_mask=torch.from_numpy(mask),
                                                         is_causal=True)
    with pytest.raises(RuntimeError, match=str(theirs.value)):
        m = minigrad.tensor(q)
        m_sdpa(m, m, m, attn_mask=minigrad.tensor(mask), is_causal=True)


# -- MultiheadAttention ----------------------------------------------------------------------------
L, N, S, E, H = 4, 3, 5, 8, 2


def _mha(**kw) -> Callable:
    return lambda lib: lib.nn.MultiheadAttention(E, H, **kw) if lib is torch else \
        MultiheadAttention(E, H, **kw)


def _self(module, lib, x, m, **kw):
    return module(x[0], x[0], x[0], **m, **kw)


def _cross(module, lib, x, m, **kw):
    return module(x[0], x[1], x[2], **m, **kw)


def _enc_dec(module, lib, x, m, **kw):  # key is value: the packed kv projection
    return module(x[0], x[1], x[1], **m, **kw)


def _bool(shape, p=0.3, seed=0, keep_first=True) -> np.ndarray:
    m = np.random.default_rng(seed).random(shape) < p
    if keep_first:
        m[..., 0] = False  # True = masked out in MHA; every query keeps key 0
    return m


CAUSAL = np.triu(np.full((L, L), -np.inf), 1)
# (id, constructor kwargs, call, input shapes, masks)
MHA_CASES = [
    ("self", {}, _self, [(L, N, E)], {}),
    ("self-batch-first", {"batch_first": True}, _self, [(N, L, E)], {}),
    ("cross", {}, _cross, [(L, N, E), (S, N, E), (S, N, E)], {}),
    ("enc-dec", {}, _enc_dec, [(L, N, E), (S, N, E)], {}),
    ("enc-dec-batch-first", {"batch_first": True}, _enc_dec, [(N, L, E), (N, S, E)], {}),
    ("kdim-vdim", {"kdim": 3, "vdim": 6}, _cross, [(L, N, E), (S, N, 3), (S, N, 6)], {}),
    ("kdim-vdim-batch-first", {"kdim": 3, "vdim": 6, "batch_first": True}, _cross,
     [(N, L, E), (N, S, 3), (N, S, 6)], {}),
    ("no-bias", {"bias": False}, _self, [(L, N, E)], {}),
    ("bias-kv", {"add_bias_kv": True}, _cross, [(L, N, E), (S, N, E), (S, N, E)],
     {"key_padding_mask": _bool((N, S))}),
    ("zero-attn", {"add_zero_attn": True}, _self, [(L, N, E)],
     {"attn_mask": _bool((L, L))}),
    ("kpm-bool", {}, _cross, [(L, N, E), (S, N, E), (S, N, E)],
     {"key_padding_mask": _bool((N, S), 0.5)}),
    ("kpm-float", {}, _cross, [(L, N, E), (S, N, E), (S, N, E)],
     {"key_padding_mask": np.random.default_rng(1).standard_normal((N, S))}),
    ("mask-2d-bool", {}, _self, [(L, N, E)], {"attn_mask": _bool((L, L), 0.5)}),
    ("mask-2d-float", {}, _self, [(L, N, E)],
     {"attn_mask": np.random.default_rng(2).standard_normal((L, L))}),
    ("mask-3d-bool", {}, _cross, [(L, N, E), (S, N, E), (S, N, E)],
     {"attn_mask": _bool((N * H, L, S), 0.5)}),
    ("mask-3d-float", {}, _cross, [(L, N, E), (S, N, E), (S, N, E)],
     {"attn_mask": np.random.default_rng(3).standard_normal((N * H, L, S))}),
    ("mask-and-kpm", {}, _self, [(L, N, E)],
     {"attn_mask": _bool((L, L)), "key_padding_mask": _bool((N, L), 0.4, 4)}),
    ("causal-mask", {}, _self, [(L, N, E)], {"attn_mask": CAUSAL}),
    ("causal-hint", {}, _self, [(L, N, E)], {"attn_mask": CAUSAL, "is_causal": True}),
    ("heads-unaveraged", {}, _cross, [(L, N, E), (S, N, E), (S, N, E)],
     {"average_attn_weights": False, "attn_mask": _bool((L, S))}),
    ("unbatched", {}, _cross, [(L, E), (S, E), (S, E)],
     {"key_padding_mask": _bool((S,), 0.4)}),
    ("unbatched-3d-mask", {"batch_first": True}, _self, [(L, E)],
     {"attn_mask": np.random.default_rng(5).standard_normal((H, L, L))}),
    ("dead-row-no-weights", {}, _cross, [(L, N, E), (S, N, E), (S, N, E)],
     {"key_padding_mask": np.array([[False] * S, [True] * S, [False, True] * 2 + [False]]),
      "need_weights": False}),
]
TRAIN_CASES = ("self", "enc-dec-batch-first", "kdim-vdim", "mask-and-kpm", "unbatched")
MHA_PARAMS = [pytest.param(c, t, nw, d, id=f"{c[0]}-{'train' if t else 'eval'}-"
                                            f"{'weights' if nw else 'noweights'}-{d}")
              for c in MHA_CASES for t in (False, True) for nw in (True, False) for d in DTYPES
              if ("need_weights" not in c[4] or nw is False) and (not t or c[0] in TRAIN_CASES)]


def test_mha_case_names_are_unique() -> None:
    names = [c[0] for c in MHA_CASES]
    assert len(names) == len(set(names))


@pytest.mark.filterwarnings("ignore:Support for mismatched key_padding_mask")
@pytest.mark.parametrize(("case", "train", "need_weights", "dtype"), MHA_PARAMS)
def test_mha_matches_torch(case, train, need_weights, dtype, request) -> None:
    """train=True runs with dropout=0.0 (the dropout branch is taken only when p > 0)."""
    name, ctor, call, shapes, masks = case
    masks = {**masks, "need_weights": need_weights}
    rel = check_layer(_mha(**ctor), call, shapes, dtype, train=train, masks=masks)
    WORST[(f"mha-{name}", dtype)] = max(WORST.get((f"mha-{name}", dtype), 0.0), rel)


@pytest.mark.parametrize("dtype", DTYPES)
def test_mha_fully_masked_row_gives_nan_weights_like_torch(dtype) -> None:
    kpm = np.array([[False] * S, [True] * S, [False] * S])
    check_layer(_mha(), _cross, [(L, N, E), (S, N, E), (S, N, E)], dtype,
                masks={"key_padding_mask": kpm}, backward=False)


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("dtype", DTYPES)
def test_mha_dropout_in_training_matches_torch_after_the_same_seed(need_weights, dtype) -> None:
    masks = {"need_weights": need_weights, "key_padding_mask": _bool((N, S))}
    rel = check_layer(_mha(dropout=0.3), _cross, [(L, N, E), (S, N, E), (S, N, E)], dtype,
                      train=True, masks=masks, dropout_seed=7)
    WORST[("mha-dropout-0.3", dtype)] = max(WORST.get(("mha-dropout-0.3", dtype), 0.0), rel)


@pytest.mark.parametrize("ctor", [{}, {"kdim": 3, "vdim": 5}, {"bias": False},
                                  {"add_bias_kv": True}, {"batch_first": True}], ids=str)
def test_mha_default_init_equals_torch_after_the_same_seed(ctor) -> None:
    minigrad.manual_seed(12)
    ours = MultiheadAttention(E, H, **ctor).state_dict()
    torch.manual_seed(12)
    theirs = torch.nn.MultiheadAttention(E, H, **ctor).state_dict()
    assert list(ours) == list(theirs)
    for key, value in theirs.items():
        np.testing.assert_array_equal(ours[key].numpy(), value.numpy(), err_msg=key)


def test_mha_repr_matches_torch() -> None:
    assert repr(MultiheadAttention(E, H)) == repr(torch.nn.MultiheadAttention(E, H))


@pytest.mark.parametrize("dtype", DTYPES)
def test_mha_eval_without_grad_matches_torchs_fast_path(dtype) -> None:
    """Inference (eval, no grad, batch_first self-attention) takes torch's fused kernel."""
    minigrad.manual_seed(0)
    ours = MultiheadAttention(E, H, batch_first=True).to(getattr(minigrad, dtype)).eval()
    theirs = torch.nn.MultiheadAttention(E, H, batch_first=True).to(getattr(torch, dtype))
    theirs.load_state_dict(_to_torch_state(ours))
    theirs.eval()
    x = np.random.default_rng(0).standard_normal((N, L, E)).astype(dtype)
    kpm = _bool((N, L))
    with minigrad.no_grad(), torch.no_grad():
        xm, xt = minigrad.tensor(x), torch.from_numpy(x)
        a = ours(xm, xm, xm, key_padding_mask=minigrad.tensor(kpm), need_weights=False)[0]
        b = theirs(xt, xt, xt, key_padding_mask=torch.from_numpy(kpm), need_weights=False)[0]
    _, rel, ok = compare(a.numpy(), b.numpy(), *TOLERANCES[dtype])
    assert ok, rel
