"""Normalisation layers against torch: F.batch_norm/layer_norm/group_norm/rms_norm as a case
table run by the shared harness (outputs and the gradients of input, weight and bias), and the
modules (BatchNorm1d/2d/3d, LayerNorm, GroupNorm, RMSNorm) with every option over several
train and eval steps: the same weights and buffers via the state dict, then per step the output,
the input gradient, every parameter gradient and every buffer (running_mean, running_var,
num_batches_tracked) compared in float64 and float32; reprs, state-dict keys, default init and
the errors PyTorch raises.

The module tests import minigrad's classes from their own modules (minigrad.nn may not export
them yet); `_lib_nn` hands each library its own namespace so one constructor serves both."""

from __future__ import annotations

import types
from collections import OrderedDict

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minigrad  # noqa: E402
from minigrad.nn.functional import norm as norm_functions  # noqa: E402
from minigrad.nn.modules.batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d  # noqa: E402
from minigrad.nn.modules.normalization import GroupNorm, LayerNorm, RMSNorm  # noqa: E402
from parity.harness import DTYPES, TOLERANCES, Case, compare, normal, positive, run_case  # noqa: E402

OURS = types.SimpleNamespace(BatchNorm1d=BatchNorm1d, BatchNorm2d=BatchNorm2d,
                             BatchNorm3d=BatchNorm3d, LayerNorm=LayerNorm, GroupNorm=GroupNorm,
                             RMSNorm=RMSNorm)


def _lib_nn(lib):
    return torch.nn if lib is torch else OURS


def _functional(lib):
    return torch.nn.functional if lib is torch else norm_functions


# -- functional cases, run by the shared harness ------------------------------------------------
def _bn(training, **kw):
    def fn(lib, x, rm, rv, w, b):
        return _functional(lib).batch_norm(x, rm, rv, w, b, training=training, **kw)
    return fn


F_CASES = [
    Case("layer_norm-2d", lambda lib, x, w, b: _functional(lib).layer_norm(x, (5,), w, b),
         ((4, 5), (5,), (5,))),
    Case("layer_norm-3d-two-dims", lambda lib, x, w, b: _functional(lib).layer_norm(x, (3, 4), w, b,
                                                                           1e-3),
         ((2, 3, 4), (3, 4), (3, 4))),
    Case("layer_norm-no-affine", lambda lib, x: _functional(lib).layer_norm(x, [6]),
         (normal(3, 2, 6, scale=4.0),)),
    Case("layer_norm-weight-only", lambda lib, x, w: _functional(lib).layer_norm(x, (6,), w),
         ((3, 6), (6,))),
    # groups of 4 values or more: with 2 per group the input gradient is O(eps) by cancellation
    # and float32 torch itself is off by 1e-6 from the float64 truth (minigrad by 6e-7)
    Case("group_norm-2d", lambda lib, x, w, b: _functional(lib).group_norm(x, 3, w, b),
         ((3, 12), (12,), (12,))),
    Case("group_norm-3d", lambda lib, x, w, b: _functional(lib).group_norm(x, 2, w, b, 1e-3),
         ((2, 6, 5), (6,), (6,))),
    Case("group_norm-4d-one-group", lambda lib, x, w, b: _functional(lib).group_norm(x, 1, w, b),
         ((2, 4, 3, 3), (4,), (4,))),
    Case("group_norm-4d-instance", lambda lib, x: _functional(lib).group_norm(x, 4),
         (normal(2, 4, 3, 3, scale=3.0),)),
    Case("rms_norm-default-eps", lambda lib, x, w: _functional(lib).rms_norm(x, (5,), w),
         ((3, 5), (5,))),
    Case("rms_norm-two-dims", lambda lib, x, w: _functional(lib).rms_norm(x, [3, 4], w, 1e-3),
         ((2, 3, 4), (3, 4))),
    Case("rms_norm-no-weight", lambda lib, x: _functional(lib).rms_norm(x, (4,)), ((3, 2, 4),)),
    Case("batch_norm-train-2d", _bn(True), ((8, 3), (3,), positive(3), (3,), (3,)),
         grad=(0, 3, 4)),
    Case("batch_norm-train-3d", _bn(True, momentum=0.3, eps=1e-3),
         ((4, 3, 5), (3,), positive(3), (3,), (3,)), grad=(0, 3, 4)),
    Case("batch_norm-train-4d", _bn(True), ((2, 3, 4, 4), (3,), positive(3), (3,), (3,)),
         grad=(0, 3, 4)),
    Case("batch_norm-eval-4d", _bn(False), ((2, 3, 4, 4), (3,), positive(3), (3,), (3,)),
         grad=(0, 3, 4)),
    Case("batch_norm-eval-3d", _bn(False, eps=0.1), ((4, 3, 5), (3,), positive(3), (3,), (3,)),
         grad=(0, 3, 4)),
    Case("batch_norm-train-no-running", lambda lib, x, w, b: _functional(lib).batch_norm(
        x, None, None, w, b, True), ((4, 3, 2), (3,), (3,))),
    Case("batch_norm-train-no-affine", lambda lib, x: _functional(lib).batch_norm(
        x, None, None, training=True), (normal(5, 2, 3, scale=2.0),)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", F_CASES, ids=lambda c: c.name)
def test_functional_matches_torch(case, dtype) -> None:
    result = run_case(case, dtype)
    assert result.passed, result.failures
    WORST[(case.name, dtype)] = max(result.fwd_rel, result.grad_rel)


# -- modules over several steps ------------------------------------------------------------------
def _randomize(module, rng, dtype: str) -> OrderedDict:
    """Random but valid values for every float parameter and buffer (positive variances,
    weights near 1), as NumPy arrays by state-dict key."""
    state = OrderedDict()
    for key, value in module.state_dict().items():
        array = value.numpy()
        if array.dtype.kind != "f":  # num_batches_tracked: a later start (momentum=None)
            state[key] = np.array(3, dtype=array.dtype)
        elif key.endswith("running_var"):
            state[key] = rng.uniform(0.5, 2.0, array.shape).astype(dtype)
        elif key.endswith("weight"):
            state[key] = (1 + 0.5 * rng.standard_normal(array.shape)).astype(dtype)
        else:
            state[key] = rng.standard_normal(array.shape).astype(dtype)
    return state


def _close(label, a, b, dtype, failures, worst) -> None:
    xa, xb = a.detach().numpy(), b.detach().numpy()
    if xa.shape != xb.shape or xa.dtype != xb.dtype:
        failures.append(f"{label}: {xa.dtype}{xa.shape} != torch {xb.dtype}{xb.shape}")
        return
    if xb.dtype.kind != "f":
        if not np.array_equal(xa, xb):
            failures.append(f"{label}: {xa} != torch {xb}")
        return
    abs_err, rel, ok = compare(xa, xb, *TOLERANCES[dtype])
    worst.append(rel)
    if not ok:
        failures.append(f"{label}: abs err {abs_err:.3g}, rel err {rel:.3g}")


def run_module_steps(make, shape, dtype: str, modes: str, seed: int = 0, scale: float = 2.0,
                     shift: float = 0.5) -> float:
    """Build make(lib) in both libraries with the same random state, then for each mode in
    `modes` ('t' train, 'e' eval) run one step on a fresh input and compare the output, the
    input gradient, every (accumulated) parameter gradient and the whole state dict. Returns
    the worst relative error."""
    rng = np.random.default_rng(seed)
    ours = make(minigrad).to(getattr(minigrad, dtype))
    theirs = make(torch).to(getattr(torch, dtype))
    state = _randomize(ours, rng, dtype)
    ours.load_state_dict({k: minigrad.tensor(v.copy()) for k, v in state.items()})
    theirs.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in state.items()})
    failures: list = []
    worst: list = []
    for step, mode in enumerate(modes):
        ours.train(mode == "t")
        theirs.train(mode == "t")
        x = (rng.standard_normal(shape) * scale + shift).astype(dtype)
        xm = minigrad.tensor(x.copy(), requires_grad=True)
        xt = torch.from_numpy(x.copy()).requires_grad_(True)
        out_m, out_t = ours(xm), theirs(xt)
        _close(f"step {step} ({mode}) output", out_m, out_t, dtype, failures, worst)
        g = rng.standard_normal(tuple(out_t.shape)).astype(dtype)
        out_m.backward(minigrad.tensor(g.copy()))
        out_t.backward(torch.from_numpy(g.copy()))
        _close(f"step {step} input grad", xm.grad, xt.grad, dtype, failures, worst)
        params_t = dict(theirs.named_parameters())
        assert [n for n, _ in ours.named_parameters()] == list(params_t)
        for name, p in ours.named_parameters():
            _close(f"step {step} grad of {name}", p.grad, params_t[name].grad, dtype, failures,
                   worst)
        state_t = theirs.state_dict()
        assert list(ours.state_dict()) == list(state_t)
        for key, value in ours.state_dict().items():
            _close(f"step {step} {key}", value, state_t[key], dtype, failures, worst)
        assert not failures, failures
    return max(worst, default=0.0)


def _nn(name, *args, **kwargs):
    return lambda lib: getattr(_lib_nn(lib), name)(*args, **kwargs)


# (id, constructor, input shape, modes)
MODULES = [
    ("bn1d-2d", _nn("BatchNorm1d", 3), (8, 3), "tttete"),
    ("bn1d-3d", _nn("BatchNorm1d", 3), (4, 3, 5), "tttete"),
    ("bn2d", _nn("BatchNorm2d", 3), (4, 3, 3, 3), "tttete"),
    ("bn2d-no-affine", _nn("BatchNorm2d", 3, affine=False), (4, 3, 3, 3), "ttet"),
    ("bn2d-no-bias", _nn("BatchNorm2d", 3, bias=False), (4, 3, 3, 3), "ttet"),
    ("bn2d-momentum-none", _nn("BatchNorm2d", 3, momentum=None), (4, 3, 2, 2), "tttete"),
    ("bn2d-momentum-0.3-eps", _nn("BatchNorm2d", 3, momentum=0.3, eps=1e-3), (4, 3, 2, 2),
     "ttet"),
    ("bn2d-no-running-stats", _nn("BatchNorm2d", 3, track_running_stats=False), (4, 3, 2, 2),
     "tete"),
    ("bn3d", _nn("BatchNorm3d", 2), (2, 2, 3, 2, 2), "ttet"),
    ("layernorm", _nn("LayerNorm", 5), (4, 5), "te"),
    ("layernorm-2-dims-eps", _nn("LayerNorm", (3, 4), eps=1e-3), (2, 3, 4), "te"),
    ("layernorm-no-bias", _nn("LayerNorm", 5, bias=False), (2, 3, 5), "te"),
    ("layernorm-no-affine", _nn("LayerNorm", [5], elementwise_affine=False), (4, 5), "te"),
    ("groupnorm", _nn("GroupNorm", 2, 6), (3, 6, 4), "te"),
    ("groupnorm-2d-no-affine", _nn("GroupNorm", 3, 12, affine=False), (4, 12), "te"),
    ("groupnorm-4d-one-group", _nn("GroupNorm", 1, 4, eps=1e-3), (2, 4, 3, 3), "te"),
    ("groupnorm-instance-no-bias", _nn("GroupNorm", 6, 6, bias=False), (2, 6, 5), "te"),
    ("rmsnorm", _nn("RMSNorm", 5), (4, 5), "te"),
    ("rmsnorm-2-dims-eps", _nn("RMSNorm", (3, 4), eps=1e-4), (2, 3, 4), "te"),
    ("rmsnorm-no-affine", _nn("RMSNorm", 5, elementwise_affine=False), (2, 3, 5), "te"),
]
WORST: dict = {}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "make", "shape", "modes"),
                         [pytest.param(*m, id=m[0]) for m in MODULES])
def test_module_steps_match_torch(name, make, shape, modes, dtype) -> None:
    WORST[(name, dtype)] = run_module_steps(make, shape, dtype, modes)


def test_batch_norm_large_batch_float32_running_stats() -> None:
    """A bigger batch and 5 steps: the float32 statistics and buffers still agree."""
    WORST[("bn2d-large", "float32")] = run_module_steps(
        _nn("BatchNorm2d", 8), (16, 8, 8, 8), "float32", "ttttte", scale=3.0, shift=1.0)


# -- init, reprs, keys, errors ------------------------------------------------------------------
REPRS = [
    _nn("BatchNorm1d", 4), _nn("BatchNorm2d", 16), _nn("BatchNorm3d", 2, eps=1e-3),
    _nn("BatchNorm1d", 4, affine=False, momentum=None),
    _nn("BatchNorm2d", 4, track_running_stats=False, bias=False),
    _nn("LayerNorm", (3, 4)), _nn("LayerNorm", 3, bias=False),
    _nn("LayerNorm", 3, elementwise_affine=False, eps=1e-6),
    _nn("GroupNorm", 2, 4), _nn("GroupNorm", 2, 4, affine=False), _nn("GroupNorm", 1, 4,
                                                                      bias=False),
    _nn("RMSNorm", 4), _nn("RMSNorm", [2, 4], eps=1e-3, elementwise_affine=False),
]


@pytest.mark.parametrize("make", REPRS)
def test_default_init_keys_and_repr_match_torch(make) -> None:
    for dtype in DTYPES:
        minigrad.manual_seed(0)
        torch.manual_seed(0)
        ours = make(minigrad).to(getattr(minigrad, dtype))
        theirs = make(torch).to(getattr(torch, dtype))
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        assert [n for n, _ in ours.named_parameters()] == \
            [n for n, _ in theirs.named_parameters()]
        for (key, a), b in zip(ours.state_dict().items(), theirs.state_dict().values(),
                               strict=True):
            assert a.numpy().dtype == b.numpy().dtype, key
            np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=key)


@pytest.mark.parametrize(("name", "args", "shape", "error"), [
    ("BatchNorm1d", (3,), (1, 3), ValueError),
    ("BatchNorm2d", (3,), (1, 3, 1, 1), ValueError),
    ("BatchNorm1d", (3,), (2, 3, 4, 5), ValueError),
    ("BatchNorm2d", (3,), (2, 3, 4), ValueError),
    ("BatchNorm1d", (4,), (2, 3), RuntimeError),
    ("LayerNorm", (3,), (2, 4), RuntimeError),
    ("GroupNorm", (2, 4), (2, 6), RuntimeError),
    ("GroupNorm", (2, 2), (1, 2), ValueError),
    ("RMSNorm", (3,), (2, 4), RuntimeError),
])
def test_errors_have_torch_types(name, args, shape, error) -> None:
    for lib in (torch, minigrad):
        layer = getattr(_lib_nn(lib), name)(*args)
        with pytest.raises(error):
            layer(lib.zeros(*shape))


def test_batch_one_per_channel_counts_the_batch_like_torch() -> None:
    """Both count the batch before raising (num_batches_tracked ends at 1)."""
    counts = []
    for lib in (torch, minigrad):
        bn = _lib_nn(lib).BatchNorm1d(3)
        with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
            bn(lib.zeros(1, 3))
        counts.append(int(bn.num_batches_tracked.item()))
    assert counts[0] == counts[1]


def report() -> None:
    """Print the worst relative error per case and dtype (run the tests first)."""
    for key in sorted(WORST):
        print(f"{key[0]:<36}{key[1]:<9}{WORST[key]:.2e}")
