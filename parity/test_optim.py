"""Optimizers against PyTorch: one 2-layer tanh MLP written from raw tensors, the same data and
initial weights in both libraries, trained STEPS steps by each optimizer under every option
combination in CASES; every parameter is compared after every step (harness tolerances:
float64 rtol 1e-10, float32 rtol 1e-5). A second table feeds both libraries the same fixed
gradients, which isolates the update itself (float32 agrees to the last ulps there).

`python -m parity.test_optim` prints the worst relative error per optimizer and dtype.
"""

from __future__ import annotations

import copy
import dataclasses
import sys
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minigrad  # noqa: E402
from parity.harness import DTYPES, TINY, TOLERANCES, compare  # noqa: E402

STEPS = 50
RESUME_AT = 20
# State values are compared after training on FIXED_GRADS and after loading a state dict. After
# training on the model's own gradients only the state's layout, dtypes and step counts are: the
# buffers there hold gradients near an optimum, small differences of larger per-sample terms
# (and RMSprop's centered variance divides by such a difference), so their relative error says
# more about the model's conditioning than about the optimizer.


@dataclasses.dataclass(frozen=True)
class OptimCase:
    """One optimizer configuration. `groups`: options of two param groups (first layer, second
    layer), or None for one group. `objective`: -1 trains by maximizing -loss. `trained`: False
    for sign-like settings (g / sqrt(v) with v tracking g^2 closely), whose updates flip with the
    float32 rounding of a near-zero gradient: those are checked on FIXED_GRADS only."""

    name: str
    optimizer: str
    options: dict
    groups: tuple | None = None
    trained: bool = True

    @property
    def objective(self) -> float:
        return -1.0 if self.options.get("maximize") else 1.0


CASES = [
    OptimCase("sgd", "SGD", dict(lr=0.1)),
    OptimCase("sgd_momentum", "SGD", dict(lr=0.05, momentum=0.9)),
    OptimCase("sgd_dampening", "SGD", dict(lr=0.05, momentum=0.9, dampening=0.5)),
    OptimCase("sgd_nesterov", "SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    OptimCase("sgd_weight_decay", "SGD", dict(lr=0.1, weight_decay=0.05)),
    OptimCase("sgd_all_maximize", "SGD", dict(lr=0.05, momentum=0.8, weight_decay=0.01,
                                              nesterov=True, maximize=True)),
    OptimCase("sgd_groups", "SGD", dict(lr=0.1, momentum=0.9),
              groups=(dict(lr=0.02), dict(momentum=0.5, weight_decay=0.01))),
    OptimCase("adam", "Adam", dict(lr=0.01)),
    OptimCase("adam_weight_decay", "Adam", dict(lr=0.01, weight_decay=0.1)),
    OptimCase("adam_amsgrad", "Adam", dict(lr=0.01, amsgrad=True)),
    OptimCase("adam_betas_eps", "Adam", dict(lr=0.02, betas=(0.8, 0.9), eps=1e-4)),
    OptimCase("adam_small_beta1", "Adam", dict(lr=0.01, betas=(0.3, 0.5)),  # lerp from end
              trained=False),
    OptimCase("adam_all_maximize", "Adam", dict(lr=0.01, weight_decay=0.05, amsgrad=True,
                                                maximize=True)),
    OptimCase("adam_decoupled", "Adam", dict(lr=0.01, weight_decay=0.1,
                                             decoupled_weight_decay=True)),
    OptimCase("adam_groups", "Adam", dict(lr=0.01),
              groups=(dict(lr=0.03, betas=(0.85, 0.99)), dict(amsgrad=True))),
    OptimCase("adamw", "AdamW", dict(lr=0.01)),
    OptimCase("adamw_amsgrad", "AdamW", dict(lr=0.01, weight_decay=0.2, amsgrad=True)),
    OptimCase("adamw_maximize", "AdamW", dict(lr=0.01, maximize=True)),
    OptimCase("rmsprop", "RMSprop", dict(lr=0.01)),
    OptimCase("rmsprop_momentum", "RMSprop", dict(lr=0.005, momentum=0.9)),
    OptimCase("rmsprop_centered", "RMSprop", dict(lr=0.005, centered=True)),
    OptimCase("rmsprop_all", "RMSprop", dict(lr=0.005, alpha=0.9, eps=1e-3, weight_decay=0.05,
                                             momentum=0.5, centered=True)),
    OptimCase("rmsprop_small_alpha", "RMSprop", dict(lr=0.005, alpha=0.3, centered=True),
              trained=False),
    OptimCase("rmsprop_maximize", "RMSprop", dict(lr=0.01, maximize=True)),
    OptimCase("adagrad", "Adagrad", dict(lr=0.1)),
    OptimCase("adagrad_lr_decay", "Adagrad", dict(lr=0.1, lr_decay=0.05)),
    OptimCase("adagrad_weight_decay", "Adagrad", dict(lr=0.1, weight_decay=0.1)),
    OptimCase("adagrad_accumulator_eps", "Adagrad", dict(lr=0.1, initial_accumulator_value=0.5,
                                                          eps=1e-3)),
    OptimCase("adagrad_all_maximize", "Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.05,
                                                      initial_accumulator_value=0.1,
                                                      maximize=True)),
]

# -- the model: fixed data and initial weights, the same for every case --------------------------
_rng = np.random.default_rng(20240611)
X = _rng.standard_normal((32, 6))
Y = np.sin(X[:, :2]) + 0.1 * _rng.standard_normal((32, 2))
INIT = {
    "w1": _rng.standard_normal((6, 16)) * 0.4, "b1": _rng.standard_normal(16) * 0.1,
    "w2": _rng.standard_normal((16, 2)) * 0.4, "b2": _rng.standard_normal(2) * 0.1,
    "spare": _rng.standard_normal(3),  # never used: its grad stays None, so it is skipped
}
FIXED_GRADS = [{k: _rng.standard_normal(v.shape) for k, v in INIT.items() if k != "spare"}
               for _ in range(STEPS)]


def _tensor(lib: Any, array: np.ndarray, requires_grad: bool = False) -> Any:
    make = torch.from_numpy if lib is torch else minigrad.tensor
    return make(array.copy()).requires_grad_(requires_grad)


def _numpy(t: Any) -> np.ndarray:
    return t.detach().numpy().copy() if isinstance(t, torch.Tensor) else t.data.copy()


class Run:
    """One library's model and optimizer for one case."""

    def __init__(self, lib: Any, case: OptimCase, dtype: str,
                 params: dict[str, np.ndarray] | None = None) -> None:
        self.lib, self.case, self.dtype = lib, case, dtype
        start = INIT if params is None else params
        self.params = {k: _tensor(lib, v.astype(dtype), True) for k, v in start.items()}
        self.x, self.y = _tensor(lib, X.astype(dtype)), _tensor(lib, Y.astype(dtype))
        p = self.params
        if case.groups is None:
            spec: Any = list(p.values())
        else:
            first, second = case.groups
            spec = [dict(params=[p["w1"], p["b1"], p["spare"]], **first),
                    dict(params=[p["w2"], p["b2"]], **second)]
        self.opt = getattr(lib.optim, case.optimizer)(spec, **case.options)

    def loss(self) -> Any:
        p = self.params
        hidden = self.lib.tanh(self.x @ p["w1"] + p["b1"])  # (32, 16)
        return ((hidden @ p["w2"] + p["b2"] - self.y) ** 2).mean() * self.case.objective

    def train_step(self) -> None:
        self.opt.zero_grad()
        self.loss().backward()
        self.opt.step()

    def fixed_step(self, grads: dict[str, np.ndarray]) -> None:
        for name, g in grads.items():
            self.params[name].grad = _tensor(self.lib, g.astype(self.dtype))
        self.opt.step()

    def snapshot(self) -> dict[str, np.ndarray]:
        return {k: _numpy(v) for k, v in self.params.items()}


def _compare_trajectories(ours: list[dict], theirs: list[dict], dtype: str, where: str,
                          first_step: int = 1) -> float:
    """Compare parameter snapshots step by step with the harness's rule (|a - b| <= rtol |b| +
    atol max|b|, max over the parameter at that step); return the worst relative error."""
    rtol, atol = TOLERANCES[dtype]
    worst = 0.0
    for name in theirs[0]:
        a = np.stack([snap[name] for snap in ours]).reshape(len(ours), -1)
        b = np.stack([snap[name] for snap in theirs]).reshape(len(theirs), -1)
        assert a.dtype == b.dtype == np.dtype(dtype), f"{where} {name}: dtype {a.dtype}"
        a, b = a.astype(np.float64), b.astype(np.float64)
        diff, scale = np.abs(a - b), np.abs(b).max(axis=1, keepdims=True)
        bad = np.nonzero(np.any(diff > rtol * np.abs(b) + atol * scale, axis=1))[0]
        rel = diff.max(axis=1, keepdims=True) / np.maximum(scale, TINY)
        assert bad.size == 0, (f"{where} step {first_step + bad[0]}: {name} differs from torch, "
                               f"rel err {rel[bad[0], 0]:.3g}")
        worst = max(worst, float(rel.max()))
    return worst


def trajectory_error(case: OptimCase, dtype: str, fixed: bool = False) -> float:
    """Train both libraries STEPS steps (on the model's gradients, or on FIXED_GRADS); assert
    every step matches and so does the final state; return the worst relative error."""
    ours, theirs = Run(minigrad, case, dtype), Run(torch, case, dtype)
    snapshots: tuple[list, list] = ([], [])
    for step in range(STEPS):
        for run, snaps in zip((ours, theirs), snapshots, strict=True):
            run.fixed_step(FIXED_GRADS[step]) if fixed else run.train_step()
            snaps.append(run.snapshot())
    worst = _compare_trajectories(*snapshots, dtype, f"{case.name} [{dtype}]")
    _compare_state_dicts(ours.opt.state_dict(), theirs.opt.state_dict(),
                         TOLERANCES[dtype] if fixed else None)
    return worst


def _compare_state_dicts(ours: dict, theirs: dict, tol: tuple | None) -> None:
    """Same layout (indices, keys, option values, tensor dtypes and shapes), the same step
    counts, and (unless tol is None) the same state values."""
    assert [g["params"] for g in ours["param_groups"]] == \
        [g["params"] for g in theirs["param_groups"]]
    for g_ours, g_theirs in zip(ours["param_groups"], theirs["param_groups"], strict=True):
        assert g_ours == g_theirs
    assert sorted(ours["state"]) == sorted(theirs["state"])
    for index, state in theirs["state"].items():
        assert sorted(ours["state"][index]) == sorted(state), index
        for key, value in state.items():
            mine = ours["state"][index][key]
            assert isinstance(mine, minigrad.Tensor) == isinstance(value, torch.Tensor), key
            if isinstance(value, torch.Tensor):
                assert str(mine.dtype) == str(value.dtype).replace("torch", "minigrad"), key
                assert tuple(mine.shape) == tuple(value.shape), key
                if key == "step":
                    assert mine.item() == value.item(), (index, key)
                elif tol is not None:
                    assert compare(mine.data, value.numpy(), *tol)[2], (index, key)
            else:
                assert mine == value, (index, key)


def _minigrad_state_dict(sd: dict) -> dict:
    """A PyTorch optimizer state dict with its tensors as minigrad tensors."""
    state = {i: {k: minigrad.tensor(v.numpy().copy()) if isinstance(v, torch.Tensor) else v
                 for k, v in s.items()} for i, s in sd["state"].items()}
    return {"state": state, "param_groups": copy.deepcopy(sd["param_groups"])}


CASE_PARAMS = [pytest.param(c, d, id=f"{c.name}-{d}") for c in CASES for d in DTYPES]
TRAINED_PARAMS = [p for p in CASE_PARAMS if p.values[0].trained]
# Resuming is checked on the configurations with the most state (and on two groups).
RESUMED = ("sgd_all_maximize", "sgd_groups", "adam_all_maximize", "adam_groups",
           "adamw_amsgrad", "rmsprop_all", "adagrad_all_maximize")
RESUME_PARAMS = [p for p in CASE_PARAMS if p.values[0].name in RESUMED]


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """These tensors are tiny: torch's thread pool only adds (erratic) overhead here."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_case_names_are_unique() -> None:
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(("case", "dtype"), TRAINED_PARAMS)
def test_training_trajectory_matches_torch(case: OptimCase, dtype: str) -> None:
    trajectory_error(case, dtype)


@pytest.mark.parametrize(("case", "dtype"), CASE_PARAMS)
def test_update_on_fixed_gradients_matches_torch(case: OptimCase, dtype: str) -> None:
    trajectory_error(case, dtype, fixed=True)


@pytest.mark.parametrize(("case", "dtype"), RESUME_PARAMS)
def test_loading_torch_state_dict_mid_training_continues_identically(case, dtype) -> None:
    theirs = Run(torch, case, dtype)
    for _ in range(RESUME_AT):
        theirs.train_step()
    # A fresh minigrad model at torch's current weights, given torch's optimizer state.
    ours = Run(minigrad, case, dtype, params=theirs.snapshot())
    ours.opt.load_state_dict(_minigrad_state_dict(theirs.opt.state_dict()))
    _compare_state_dicts(ours.opt.state_dict(), theirs.opt.state_dict(), TOLERANCES[dtype])
    snapshots: tuple[list, list] = ([], [])
    for _ in range(RESUME_AT, STEPS):
        for run, snaps in zip((ours, theirs), snapshots, strict=True):
            run.train_step()
            snaps.append(run.snapshot())
    _compare_trajectories(*snapshots, dtype, f"{case.name} [{dtype}] resumed", RESUME_AT + 1)


def test_repr_matches_torch() -> None:
    for case in CASES:
        ours, theirs = Run(minigrad, case, "float64"), Run(torch, case, "float64")
        assert repr(ours.opt) == repr(theirs.opt), case.name


OPTION_ERRORS = [
    ("SGD", dict(lr=-0.1)), ("SGD", dict(momentum=-0.5)), ("SGD", dict(weight_decay=-1.0)),
    ("SGD", dict(nesterov=True)), ("SGD", dict(nesterov=True, momentum=0.9, dampening=0.1)),
    ("Adam", dict(lr=-1.0)), ("Adam", dict(eps=-1e-8)), ("Adam", dict(betas=(1.0, 0.9))),
    ("Adam", dict(betas=(0.9, 1.5))), ("Adam", dict(weight_decay=-0.1)),
    ("AdamW", dict(betas=(-0.1, 0.9))), ("AdamW", dict(lr=-0.5)),
    ("RMSprop", dict(lr=-0.1)), ("RMSprop", dict(alpha=-0.9)), ("RMSprop", dict(eps=-1.0)),
    ("RMSprop", dict(momentum=-0.9)), ("RMSprop", dict(weight_decay=-0.1)),
    ("Adagrad", dict(lr=-0.1)), ("Adagrad", dict(lr_decay=-0.1)),
    ("Adagrad", dict(weight_decay=-1.0)), ("Adagrad", dict(initial_accumulator_value=-1.0)),
    ("Adagrad", dict(eps=-1e-10)),
]


def _error(fn: Any) -> BaseException:
    with pytest.raises(Exception) as info:  # noqa: B017 - the type is compared below
        fn()
    return info.value


def _assert_same_error(ours: BaseException, theirs: BaseException) -> None:
    """Same exception type; minigrad's message starts with PyTorch's (and may say more)."""
    assert type(ours) is type(theirs), (ours, theirs)
    assert str(ours).startswith(str(theirs)), (str(ours), str(theirs))


@pytest.mark.parametrize(("name", "options"), OPTION_ERRORS,
                         ids=[f"{n}-{'-'.join(o)}" for n, o in OPTION_ERRORS])
def test_invalid_option_errors_match_torch(name: str, options: dict) -> None:
    errors = [_error(lambda lib=lib: getattr(lib.optim, name)([_tensor(lib, np.ones(2), True)],
                                                              **options))
              for lib in (minigrad, torch)]
    _assert_same_error(*errors)


def _usage_errors(lib: Any) -> list[BaseException]:
    a, b = _tensor(lib, np.ones(2), True), _tensor(lib, np.ones(3), True)
    sgd = lib.optim.SGD
    two_groups = sgd([{"params": [a]}, {"params": [b]}], lr=0.1).state_dict()
    return [
        _error(lambda: sgd([], lr=0.1)),
        _error(lambda: sgd(a, lr=0.1)),
        _error(lambda: sgd([a * 2], lr=0.1)),
        _error(lambda: sgd([{"params": [a]}, {"params": [a]}], lr=0.1)),
        _error(lambda: sgd([{"params": {a}}], lr=0.1)),
        _error(lambda: sgd([a, b], lr=0.1).load_state_dict(two_groups)),
        _error(lambda: sgd([{"params": [a, b]}, {"params": []}], lr=0.1)
               .load_state_dict(two_groups)),
    ]


def test_usage_errors_match_torch() -> None:
    for ours, theirs in zip(_usage_errors(minigrad), _usage_errors(torch), strict=True):
        if isinstance(theirs, TypeError) and "but got torch." in str(theirs):
            # the type name differs by library: compare up to it
            assert type(ours) is TypeError and str(theirs).split("torch.")[0] in str(ours)
            continue
        _assert_same_error(ours, theirs)


def test_zero_grad_matches_torch() -> None:
    for set_to_none in (True, False):
        grads = []
        for lib in (minigrad, torch):
            p = _tensor(lib, np.array([1.0, 2.0]), True)
            (p * p).sum().backward()
            held = p.grad
            lib.optim.SGD([p], lr=0.1).zero_grad(set_to_none=set_to_none)
            grads.append(None if p.grad is None else (p.grad is held, _numpy(p.grad)))
        if set_to_none:
            assert grads == [None, None]
        else:
            assert grads[0][0] and grads[1][0]
            np.testing.assert_array_equal(grads[0][1], grads[1][1])


def main() -> int:
    """Print the worst relative error per optimizer and dtype over the whole table."""
    torch.set_num_threads(1)
    worst: dict[tuple[str, str, str], tuple[float, str]] = {}
    for case in CASES:
        for dtype in DTYPES:
            for mode, fixed in (("training", False), ("fixed grads", True)):
                if not (fixed or case.trained):
                    continue
                err = trajectory_error(case, dtype, fixed)
                key = (case.optimizer, dtype, mode)
                if err >= worst.get(key, (-1.0, ""))[0]:
                    worst[key] = (err, case.name)
    print(f"{'optimizer':<9} {'dtype':<8} {'mode':<12} worst rel err over {STEPS} steps")
    for (opt, dtype, mode), (err, name) in sorted(worst.items()):
        print(f"{opt:<9} {dtype:<8} {mode:<12} {err:.2e}  ({name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
