"""minigrad.nn against torch.nn: every module and activation with the same weights (copied
minigrad state_dict -> NumPy -> torch `load_state_dict`) and the same input gives the same
output, input gradient and parameter gradients, in float64 and float32; the same architecture
has the same state-dict keys, parameter names, module names and repr; after the same
`manual_seed`, default initialisation, the `nn.init` functions and Dropout's masks are
identical; gradient clipping and the parameter/vector conversions agree.

Dropout masks: torch's CPU `bernoulli_(p)` draws from mt19937 (which minigrad reproduces)
except on Intel CPUs with MKL, where it seeds an MKL stream instead; there the mask test is
skipped (on this project's AMD machines it runs and matches bit for bit).
"""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minigrad  # noqa: E402
from parity.harness import TOLERANCES, compare  # noqa: E402

DTYPES = ("float64", "float32")


# -- the module harness ----------------------------------------------------------------------------
def _to_torch_state(module) -> OrderedDict:
    return OrderedDict((k, torch.from_numpy(np.array(v.numpy()))) for k, v in
                       module.state_dict().items())


def _build(make, dtype: str):
    """The same module in both libraries, torch's holding minigrad's weights."""
    minigrad.manual_seed(0)
    ours = make(minigrad).to(getattr(minigrad, dtype))
    theirs = make(torch).to(getattr(torch, dtype))
    theirs.load_state_dict(_to_torch_state(ours), strict=True)
    return ours, theirs


def _close(label: str, a, b, dtype: str, failures: list, worst: list) -> None:
    xa = np.asarray(a.detach().numpy() if hasattr(a, "detach") else a)
    xb = b.detach().numpy()
    if xa.shape != xb.shape or xa.dtype != xb.dtype:
        failures.append(f"{label}: {xa.dtype}{xa.shape} != torch {xb.dtype}{xb.shape}")
        return
    abs_err, rel, ok = compare(xa, xb, *TOLERANCES[dtype])
    worst.append(rel)
    if not ok:
        failures.append(f"{label}: abs err {abs_err:.3g}, rel err {rel:.3g}")


def check_module(make, shape: tuple, dtype: str, scale: float = 1.0, train: bool = True,
                 seed: int = 0) -> float:
    """Run make(lib) in both libraries on one input; compare output, input grad and every
    parameter grad. Returns the worst relative error."""
    ours, theirs = _build(make, dtype)
    ours.train(train)
    theirs.train(train)
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * scale).astype(dtype)
    xm = minigrad.tensor(x.copy(), requires_grad=True)
    xt = torch.from_numpy(x.copy()).requires_grad_(True)
    out_m, out_t = ours(xm), theirs(xt)
    failures: list = []
    worst: list = []
    _close("output", out_m, out_t, dtype, failures, worst)
    assert not failures, failures
    g = rng.standard_normal(tuple(out_t.shape)).astype(dtype)
    out_m.backward(minigrad.tensor(g.copy()))
    out_t.backward(torch.from_numpy(g.copy()))
    _close("input grad", xm.grad, xt.grad, dtype, failures, worst)
    grads_t = dict(theirs.named_parameters())
    names_m = [n for n, _ in ours.named_parameters()]
    assert names_m == list(grads_t), (names_m, list(grads_t))
    for name, p in ours.named_parameters():
        if grads_t[name].grad is None or p.grad is None:
            assert grads_t[name].grad is None and p.grad is None, name
            continue
        _close(f"grad of {name}", p.grad, grads_t[name].grad, dtype, failures, worst)
    assert not failures, failures
    return max(worst, default=0.0)


def _mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 8), nn.ReLU(),
                         nn.Dropout(0.0), nn.Linear(8, 3, bias=False), nn.LogSoftmax(dim=1))


def _custom(lib):
    """A nested custom Module with a ModuleList, a ModuleDict, a tied weight and buffers."""
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.fc = nn.Linear(n, n)
            self.act = nn.GELU()
            self.register_buffer("scale", lib.full((n,), 0.5))
            self.register_buffer("mask", lib.ones(n), persistent=False)

        def forward(self, x):
            return self.act(self.fc(x)) * self.scale * self.mask + x

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.inp = nn.Linear(4, 5)
            self.blocks = nn.ModuleList([Block(5), Block(5)])
            self.heads = nn.ModuleDict({"a": nn.Linear(5, 2), "b": nn.Linear(5, 2)})
            self.out = nn.Linear(2, 5)
            self.out.weight = nn.Parameter(self.heads["a"].weight.T.contiguous())  # replaced
            self.heads["b"].weight = self.heads["a"].weight  # tied
            self.tied = self.inp  # the same module under a second name

        def forward(self, x):
            h = self.inp(x)
            for block in self.blocks:
                h = block(h)
            return self.out(self.heads["a"](h) + self.heads["b"](h)).sigmoid()

    return Net()


# (id, constructor, input shape, input scale)
MODULES = [
    ("linear-1d", lambda lib: lib.nn.Linear(5, 3), (5,), 1.0),
    ("linear-2d", lambda lib: lib.nn.Linear(5, 3), (4, 5), 1.0),
    ("linear-3d", lambda lib: lib.nn.Linear(5, 3), (2, 4, 5), 1.0),
    ("linear-4d-nobias", lambda lib: lib.nn.Linear(5, 3, bias=False), (2, 3, 4, 5), 1.0),
    ("identity", lambda lib: lib.nn.Identity(3, unused=True), (2, 3), 1.0),
    ("flatten", lambda lib: lib.nn.Flatten(), (2, 3, 4, 5), 1.0),
    ("flatten-1-2", lambda lib: lib.nn.Flatten(1, 2), (2, 3, 4, 5), 1.0),
    ("unflatten", lambda lib: lib.nn.Unflatten(1, (3, 4)), (2, 12, 5), 1.0),
    ("unflatten-neg", lambda lib: lib.nn.Unflatten(-1, (2, -1)), (3, 8), 1.0),
    ("dropout-p0", lambda lib: lib.nn.Dropout(0.0), (4, 5), 1.0),
    ("relu", lambda lib: lib.nn.ReLU(), (4, 5), 1.0),
    ("leaky_relu", lambda lib: lib.nn.LeakyReLU(0.2), (4, 5), 1.0),
    ("sigmoid", lambda lib: lib.nn.Sigmoid(), (4, 5), 3.0),
    ("tanh", lambda lib: lib.nn.Tanh(), (4, 5), 2.0),
    ("gelu", lambda lib: lib.nn.GELU(), (4, 5), 2.0),
    ("gelu-tanh", lambda lib: lib.nn.GELU(approximate="tanh"), (4, 5), 2.0),
    ("silu", lambda lib: lib.nn.SiLU(), (4, 5), 2.0),
    ("softplus", lambda lib: lib.nn.Softplus(), (4, 5), 3.0),
    ("softplus-beta-threshold", lambda lib: lib.nn.Softplus(beta=2.0, threshold=3.0), (4, 5),
     2.0),
    ("elu", lambda lib: lib.nn.ELU(), (4, 5), 2.0),
    ("elu-alpha", lambda lib: lib.nn.ELU(alpha=0.3), (4, 5), 2.0),
    ("softmax", lambda lib: lib.nn.Softmax(dim=1), (4, 5), 2.0),
    ("softmax-dim0", lambda lib: lib.nn.Softmax(dim=0), (4, 5), 2.0),
    ("log_softmax", lambda lib: lib.nn.LogSoftmax(dim=-1), (2, 4, 5), 2.0),
    ("log_sigmoid", lambda lib: lib.nn.LogSigmoid(), (4, 5), 4.0),
    ("mlp", _mlp, (7, 6), 1.0),
    ("custom-nested", _custom, (3, 4), 1.0),
]
WORST: dict = {}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("make", "shape", "scale"),
                         [pytest.param(m, s, c, id=i) for i, m, s, c in MODULES])
def test_module_forward_backward_matches_torch(make, shape, scale, dtype, request) -> None:
    rel = check_module(make, shape, dtype, scale)
    WORST[(request.node.callspec.id, dtype)] = rel


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["relu", "leaky_relu", "elu"])
def test_activation_gradient_at_the_kink_matches_torch(name, dtype) -> None:
    """At exactly 0: relu' = 0, leaky_relu' = slope, elu' = alpha, as PyTorch's kernels."""
    x = np.array([-1.0, 0.0, 1.0], dtype=dtype)
    grads = []
    for lib, make in ((minigrad, minigrad.tensor), (torch, torch.from_numpy)):
        fn = {"relu": lib.nn.ReLU(), "leaky_relu": lib.nn.LeakyReLU(0.3),
              "elu": lib.nn.ELU(0.7)}[name]
        t = make(x.copy()).requires_grad_(True)
        fn(t).sum().backward()
        grads.append(t.grad.numpy())
    np.testing.assert_array_equal(grads[0], grads[1])


def test_dropout_eval_is_identity_in_both() -> None:
    check_module(lambda lib: lib.nn.Dropout(0.7), (4, 5), "float32", train=False)


# -- names, keys and reprs -------------------------------------------------------------------------
def _with_buffers(lib):
    class WithBuffers(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = lib.nn.Linear(2, 2)
            self.register_buffer("running", lib.zeros(2))
            self.register_buffer("causal", lib.ones(2, 2), persistent=False)
            self.register_buffer("empty", None)
            self.register_parameter("unused", None)

        def forward(self, x):
            return self.lin(x)

    return WithBuffers()


ARCHITECTURES = [
    ("sequential", lambda lib: lib.nn.Sequential(
        lib.nn.Flatten(), lib.nn.Linear(12, 6), lib.nn.ReLU(), lib.nn.Dropout(0.2),
        lib.nn.Linear(6, 2))),
    ("sequential-ordereddict", lambda lib: lib.nn.Sequential(OrderedDict(
        [("fc1", lib.nn.Linear(3, 4)), ("act", lib.nn.ReLU()),
         ("inner", lib.nn.Sequential(lib.nn.Linear(4, 4), lib.nn.Sigmoid()))]))),
    ("custom-nested", _custom),
    ("mlp", _mlp),
    ("modulelist", lambda lib: lib.nn.ModuleList(
        [lib.nn.Linear(2, 2), lib.nn.ReLU(), lib.nn.ModuleList([lib.nn.Linear(2, 3)])])),
    ("moduledict", lambda lib: lib.nn.ModuleDict(
        {"enc": lib.nn.Linear(3, 2), "act": lib.nn.Tanh(),
         "dec": lib.nn.Sequential(lib.nn.Linear(2, 3))})),
    ("buffers", _with_buffers),
]


@pytest.mark.parametrize("make", [pytest.param(m, id=i) for i, m in ARCHITECTURES])
def test_names_and_state_dict_keys_match_torch(make) -> None:
    ours, theirs = make(minigrad), make(torch)
    sd_m, sd_t = ours.state_dict(), theirs.state_dict()
    assert list(sd_m) == list(sd_t)
    assert [tuple(v.shape) for v in sd_m.values()] == [tuple(v.shape) for v in sd_t.values()]
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    # and the copy goes both ways: torch's state dict loads strictly into minigrad's module
    back = {k: minigrad.tensor(v.detach().numpy().copy()) for k, v in sd_t.items()}
    assert tuple(ours.load_state_dict(back)) == ([], [])
    for k, v in ours.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), sd_t[k].numpy())


REPRS = ARCHITECTURES + [
    ("modulelist-repeats", lambda lib: lib.nn.ModuleList(
        [lib.nn.Linear(2, 2) for _ in range(3)] + [lib.nn.ReLU(), lib.nn.ReLU(),
                                                    lib.nn.Linear(2, 3)])),
    ("modulelist-empty", lambda lib: lib.nn.ModuleList()),
    ("activations", lambda lib: lib.nn.Sequential(
        lib.nn.ReLU(), lib.nn.ReLU(inplace=True), lib.nn.LeakyReLU(), lib.nn.LeakyReLU(0.2, True),
        lib.nn.Sigmoid(), lib.nn.Tanh(), lib.nn.GELU(), lib.nn.GELU("tanh"), lib.nn.SiLU(),
        lib.nn.SiLU(inplace=True), lib.nn.Softplus(), lib.nn.Softplus(2, 5), lib.nn.ELU(),
        lib.nn.ELU(0.5, inplace=True), lib.nn.Softmax(), lib.nn.Softmax(dim=1),
        lib.nn.LogSoftmax(dim=-1), lib.nn.LogSigmoid(), lib.nn.Identity())),
    ("layers", lambda lib: lib.nn.Sequential(
        lib.nn.Linear(3, 4, bias=False), lib.nn.Flatten(), lib.nn.Flatten(0, 2),
        lib.nn.Unflatten(1, (2, 3)), lib.nn.Dropout(), lib.nn.Dropout(0.1, inplace=True))),
    ("losses", lambda lib: lib.nn.Sequential(
        lib.nn.MSELoss(), lib.nn.L1Loss(reduction="sum"), lib.nn.SmoothL1Loss(beta=0.5),
        lib.nn.HuberLoss(), lib.nn.BCELoss(), lib.nn.BCEWithLogitsLoss(), lib.nn.NLLLoss(),
        lib.nn.CrossEntropyLoss(label_smoothing=0.1), lib.nn.KLDivLoss())),
]


@pytest.mark.parametrize("make", [pytest.param(m, id=i) for i, m in REPRS])
def test_repr_matches_torch(make) -> None:
    assert repr(make(minigrad)) == repr(make(torch))


def _sequential_edits(lib):
    nn = lib.nn
    s = nn.Sequential(*[nn.Linear(i + 1, i + 2) for i in range(6)])
    del s[1]
    del s[-1]
    del s[1:3]
    s.append(nn.ReLU())
    s.insert(0, nn.Tanh())
    s.insert(-1, nn.Sigmoid())
    s.extend([nn.GELU(), nn.Identity()])
    s.pop(2)
    s[0] = nn.ELU()
    return s, s[1:4], s[::-2]


def _modulelist_edits(lib):
    nn = lib.nn
    m = nn.ModuleList([nn.Linear(1, i + 1) for i in range(5)])
    del m[0]
    del m[1:3]
    m.insert(1, nn.ReLU())
    m.extend([nn.Tanh(), nn.Tanh()])
    m.append(nn.Sigmoid())
    m.pop(0)
    m[-1] = nn.SiLU()
    m += [nn.Identity()]
    return m, m[1:3]


@pytest.mark.parametrize("edit", [_sequential_edits, _modulelist_edits])
def test_container_edits_match_torch(edit) -> None:
    for ours, theirs in zip(edit(minigrad), edit(torch), strict=True):
        assert repr(ours) == repr(theirs)
        assert list(ours._modules) == list(theirs._modules)
        assert len(ours) == len(theirs)


# -- initialisation --------------------------------------------------------------------------------
def _same_after_seed(make_m, make_t, seed: int = 1234) -> None:
    minigrad.manual_seed(seed)
    ours = make_m()
    torch.manual_seed(seed)
    theirs = make_t()
    if isinstance(theirs, torch.nn.Module):
        a = {k: v.numpy() for k, v in ours.state_dict().items()}
        b = {k: v.numpy() for k, v in theirs.state_dict().items()}
        assert list(a) == list(b)
        for k in a:
            assert a[k].dtype == b[k].dtype, k
            np.testing.assert_array_equal(a[k], b[k], err_msg=k)
    else:
        assert ours.numpy().dtype == theirs.numpy().dtype
        np.testing.assert_array_equal(ours.numpy(), theirs.detach().numpy())
    # the generators also end in the same state
    np.testing.assert_array_equal(minigrad.rand(5).numpy(), torch.rand(5).numpy())


@pytest.mark.parametrize("make", [
    pytest.param(lambda lib: lib.nn.Linear(5, 3), id="linear"),
    pytest.param(lambda lib: lib.nn.Linear(1, 1), id="linear-1x1"),
    pytest.param(lambda lib: lib.nn.Linear(300, 20, bias=False), id="linear-nobias"),
    pytest.param(lambda lib: lib.nn.Linear(4, 6, dtype=lib.float64), id="linear-float64"),
    pytest.param(_mlp, id="mlp"),
    pytest.param(_custom, id="custom-nested"),
])
def test_default_initialisation_matches_torch(make) -> None:
    _same_after_seed(lambda: make(minigrad), lambda: make(torch))


INITS = [
    ("uniform_", {"a": -0.3, "b": 0.7}),
    ("normal_", {"mean": 0.5, "std": 2.0}),
    ("xavier_uniform_", {}),
    ("xavier_uniform_", {"gain": 5.0 / 3}),
    ("xavier_normal_", {}),
    ("xavier_normal_", {"gain": 0.5}),
    ("kaiming_uniform_", {}),
    ("kaiming_uniform_", {"a": math.sqrt(5)}),
    ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_normal_", {}),
    ("kaiming_normal_", {"a": 0.1, "mode": "fan_out"}),
    ("kaiming_normal_", {"nonlinearity": "tanh"}),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 5), (40, 30), (4, 3, 2, 2)], ids=str)
@pytest.mark.parametrize(("name", "kwargs"), INITS, ids=[f"{n}{k}" for n, k in INITS])
def test_init_function_matches_torch_after_seed(name, kwargs, shape, dtype) -> None:
    def run(lib):
        t = lib.empty(shape, dtype=getattr(lib, dtype))
        out = getattr(lib.nn.init, name)(t, **kwargs)
        assert out is t
        return t

    _same_after_seed(lambda: run(minigrad), lambda: run(torch), seed=77)


@pytest.mark.parametrize("nonlinearity", ["linear", "conv1d", "conv2d", "conv3d",
                                          "conv_transpose1d", "conv_transpose2d",
                                          "conv_transpose3d", "sigmoid", "tanh", "relu",
                                          "leaky_relu", "selu"])
@pytest.mark.parametrize("param", [None, 0, 0.2, 3])
def test_calculate_gain_matches_torch(nonlinearity, param) -> None:
    assert minigrad.nn.init.calculate_gain(nonlinearity, param) == \
        torch.nn.init.calculate_gain(nonlinearity, param)


@pytest.mark.parametrize("shape", [(3, 5), (7, 2, 3), (4, 3, 2, 5)], ids=str)
def test_fan_in_and_fan_out_match_torch(shape) -> None:
    ours = minigrad.nn.init._calculate_fan_in_and_fan_out(minigrad.empty(shape))
    assert ours == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


# -- dropout ---------------------------------------------------------------------------------------
def _is_intel_mkl() -> bool:
    try:
        with open("/proc/cpuinfo") as f:
            intel = "GenuineIntel" in f.read()
    except OSError:
        return True
    return intel and torch.backends.mkl.is_available()


@pytest.mark.skipif(_is_intel_mkl(), reason="torch's CPU bernoulli_ uses an MKL stream on Intel")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("p", "shape"), [(0.5, (4, 5)), (0.1, (1000,)), (0.9, (3, 7, 11)),
                                          (0.3, (1,)), (1.0, (4, 5)), (0.0, (4, 5))])
def test_dropout_in_train_mode_matches_torch_after_seed(p, shape, dtype) -> None:
    x = np.random.default_rng(3).standard_normal(shape).astype(dtype) + 3.0  # no zeros
    g = np.random.default_rng(4).standard_normal(shape).astype(dtype)
    outs, grads, after = [], [], []
    for lib, make in ((minigrad, minigrad.tensor), (torch, torch.from_numpy)):
        lib.manual_seed(2024)
        t = make(x.copy()).requires_grad_(True)
        layer = lib.nn.Dropout(p)
        layer.train()
        y = layer(t)
        y.backward(make(g.copy()))
        outs.append(y.detach().numpy())
        grads.append(t.grad.numpy())
        after.append(lib.rand(3).numpy())
    np.testing.assert_array_equal(outs[0], outs[1])
    np.testing.assert_array_equal(grads[0], grads[1])
    np.testing.assert_array_equal(after[0], after[1])  # the same number of draws


@pytest.mark.skipif(_is_intel_mkl(), reason="torch's CPU bernoulli_ uses an MKL stream on Intel")
def test_mlp_with_dropout_trains_identically_for_a_step() -> None:
    def make(lib):
        nn = lib.nn
        return nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Dropout(0.4), nn.Linear(16, 2))

    ours, theirs = _build(make, "float32")
    x = np.random.default_rng(5).standard_normal((8, 6)).astype(np.float32)
    minigrad.manual_seed(9)
    torch.manual_seed(9)
    out_m = ours(minigrad.tensor(x.copy()))
    out_t = theirs(torch.from_numpy(x.copy()))
    out_m.sum().backward()
    out_t.sum().backward()
    failures: list = []
    _close("output", out_m, out_t, "float32", failures, [])
    for (n, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
        _close(f"grad of {n}", p.grad, q.grad, "float32", failures, [])
    assert not failures, failures


# -- gradient clipping and parameter vectors -------------------------------------------------------
def _params_with_grads(lib, dtype: str, scale: float, nonfinite: float | None = None):
    rng = np.random.default_rng(8)
    shapes = [(3, 4), (4,), (2, 2, 2), (1,)]
    params = []
    for i, shape in enumerate(shapes):
        p = lib.nn.Parameter(lib.zeros(shape, dtype=getattr(lib, dtype)))
        g = (rng.standard_normal(shape) * scale).astype(dtype)
        if nonfinite is not None and i == 1:
            g[2] = nonfinite
        p.grad = (minigrad.tensor if lib is minigrad else torch.from_numpy)(g)
        params.append(p)
    extra = lib.nn.Parameter(lib.zeros(2, dtype=getattr(lib, dtype)))  # grad None: skipped
    return params + [extra]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf, "inf"])
@pytest.mark.parametrize(("max_norm", "scale"), [(1.0, 1.0), (100.0, 1.0), (0.5, 1e-3),
                                                 (2.0, 1e3)])
def test_clip_grad_norm_matches_torch(norm_type, max_norm, scale, dtype) -> None:
    pm, pt = _params_with_grads(minigrad, dtype, scale), _params_with_grads(torch, dtype, scale)
    total_m = minigrad.nn.utils.clip_grad_norm_(pm, max_norm, norm_type=norm_type)
    total_t = torch.nn.utils.clip_grad_norm_(pt, max_norm, norm_type=norm_type)
    failures: list = []
    _close("total norm", total_m, total_t, dtype, failures, [])
    for i, (a, b) in enumerate(zip(pm, pt, strict=True)):
        if b.grad is None:
            assert a.grad is None
        else:
            _close(f"grad {i}", a.grad, b.grad, dtype, failures, [])
    assert not failures, failures


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
@pytest.mark.parametrize("norm_type", [2.0, math.inf])
def test_clip_grad_norm_nonfinite_matches_torch(bad, norm_type) -> None:
    pm = _params_with_grads(minigrad, "float32", 1.0, bad)
    pt = _params_with_grads(torch, "float32", 1.0, bad)
    with pytest.raises(RuntimeError, match="non-finite"):
        minigrad.nn.utils.clip_grad_norm_(pm, 1.0, norm_type, error_if_nonfinite=True)
    with pytest.raises(RuntimeError, match="non-finite"):
        torch.nn.utils.clip_grad_norm_(pt, 1.0, norm_type, error_if_nonfinite=True)
    total_m = minigrad.nn.utils.clip_grad_norm_(pm, 1.0, norm_type)
    total_t = torch.nn.utils.clip_grad_norm_(pt, 1.0, norm_type)
    np.testing.assert_array_equal(total_m.numpy(), total_t.numpy())
    for a, b in zip(pm[:-1], pt[:-1], strict=True):
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


def test_clip_grad_norm_of_no_gradients_matches_torch() -> None:
    ours = minigrad.nn.utils.clip_grad_norm_([minigrad.nn.Parameter(minigrad.zeros(2))], 1.0)
    theirs = torch.nn.utils.clip_grad_norm_([torch.nn.Parameter(torch.zeros(2))], 1.0)
    assert ours.numpy().dtype == theirs.numpy().dtype and float(ours) == float(theirs) == 0.0


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("clip_value", [0.5, 1e-3, 10.0])
def test_clip_grad_value_matches_torch(clip_value, dtype) -> None:
    pm, pt = _params_with_grads(minigrad, dtype, 2.0), _params_with_grads(torch, dtype, 2.0)
    assert minigrad.nn.utils.clip_grad_value_(pm, clip_value) is None
    assert torch.nn.utils.clip_grad_value_(pt, clip_value) is None
    for a, b in zip(pm[:-1], pt[:-1], strict=True):
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


def test_parameters_to_vector_and_back_match_torch() -> None:
    ours, theirs = _build(_mlp, "float32")
    vm = minigrad.nn.utils.parameters_to_vector(ours.parameters())
    vt = torch.nn.utils.parameters_to_vector(theirs.parameters())
    np.testing.assert_array_equal(vm.detach().numpy(), vt.detach().numpy())
    new = np.random.default_rng(1).standard_normal(vt.numel()).astype(np.float32)
    minigrad.nn.utils.vector_to_parameters(minigrad.tensor(new.copy()), ours.parameters())
    torch.nn.utils.vector_to_parameters(torch.from_numpy(new.copy()), theirs.parameters())
    for (n, a), (_, b) in zip(ours.state_dict().items(), theirs.state_dict().items(),
                              strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=n)


def report() -> None:
    """Print the worst relative error per module and dtype (run the module tests first)."""
    for key in sorted(WORST):
        print(f"{key[0]:<40}{key[1]:<9}{WORST[key]:.2e}")


if __name__ == "__main__":
    import sys

    for _, make, shape, scale in MODULES:
        for dtype in DTYPES:
            WORST[(_, dtype)] = check_module(make, shape, dtype, scale)
    report()
    sys.exit(0)
