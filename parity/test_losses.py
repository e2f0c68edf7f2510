"""Every loss in minigrad.nn.functional (and its module form) with every option, against
PyTorch in float64 and float32: the loss value, the gradient of the input, and the gradient of
the target wherever PyTorch defines one. Rows are `parity.harness.Case`s, run by the shared
harness on the same NumPy data in both libraries.

PyTorch defines no gradient for `weight` / `pos_weight` (it refuses `requires_grad` there), so
those are passed as constants. Kinks are probability-zero for independent normal draws
(|x - y| = 0, |d| = beta); where a loss has a domain (BCE's p in (0, 1), kl_div's target > 0
for its target gradient) the inputs are drawn inside it.

`python -m parity.test_losses` prints the worst relative error per loss family and dtype.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

pytest.importorskip("torch")

from parity.harness import DTYPES, Case, const, normal, positive, run_case, uniform  # noqa: E402

REDUCTIONS = ("none", "mean", "sum")
IGNORE = -100


def _ints(high: int, *shape: int, ignore: int | None = None, p_ignore: float = 0.25):
    """int64 class indices in [0, high); with `ignore`, about p_ignore of them replaced by it
    (the first is always kept, so a mean never divides by zero)."""

    def draw(rng: np.random.Generator) -> np.ndarray:
        labels = rng.integers(0, high, shape)
        if ignore is not None and labels.size:
            drop = rng.random(shape) < p_ignore
            drop.reshape(-1)[0] = False
            labels = np.where(drop, ignore, labels)
        return labels

    return draw


def _probs(*shape: int, axis: int = 1):
    """Strictly positive rows summing to 1 along `axis` (class probabilities)."""

    def draw(rng: np.random.Generator) -> np.ndarray:
        x = rng.uniform(0.05, 1.0, shape)
        return x / x.sum(axis=axis, keepdims=True)

    return draw


def F(lib):  # noqa: N802 - reads like `F.mse_loss`
    return lib.nn.functional


CASES: list[Case] = []


def add(family: str, name: str, fn, inputs, grad=None, extras=(), tol=None) -> None:
    CASES.append(Case(f"{family}/{name}", fn, tuple(inputs), grad, tuple(extras),
                      tol=tol or {}))


# -- regression losses ---------------------------------------------------------------------------
for red in REDUCTIONS:
    add("mse", red, lambda lib, x, y, r=red: F(lib).mse_loss(x, y, reduction=r),
        [(4, 5), (4, 5)])
    add("l1", red, lambda lib, x, y, r=red: F(lib).l1_loss(x, y, reduction=r), [(4, 5), (4, 5)])
    for beta in (1.0, 0.5, 2.0, 0.0):
        add("smooth_l1", f"{red}-beta{beta}",
            lambda lib, x, y, r=red, b=beta: F(lib).smooth_l1_loss(x, y, reduction=r, beta=b),
            [normal(4, 5, scale=1.5), (4, 5)])
    for delta in (1.0, 0.3, 2.5):
        add("huber", f"{red}-delta{delta}",
            lambda lib, x, y, r=red, d=delta: F(lib).huber_loss(x, y, reduction=r, delta=d),
            [normal(4, 5, scale=1.5), (4, 5)])
add("mse", "module", lambda lib, x, y: lib.nn.MSELoss(reduction="sum")(x, y), [(3, 2, 4)] * 2)
add("l1", "module", lambda lib, x, y: lib.nn.L1Loss()(x, y), [(3, 2, 4)] * 2)
add("smooth_l1", "module",
    lambda lib, x, y: lib.nn.SmoothL1Loss(reduction="none", beta=0.7)(x, y), [(6,), (6,)])
add("huber", "module", lambda lib, x, y: lib.nn.HuberLoss(reduction="sum", delta=0.6)(x, y),
    [(6,), (6,)])

# -- binary cross-entropy --------------------------------------------------------------------------
P = uniform(0.05, 0.95, 4, 5)
Y = uniform(0.0, 1.0, 4, 5)
for red in REDUCTIONS:
    add("bce", red, lambda lib, p, y, r=red: F(lib).binary_cross_entropy(p, y, reduction=r),
        [P, Y])
    add("bce", f"{red}-weight",
        lambda lib, p, y, w, r=red: F(lib).binary_cross_entropy(p, y, weight=w, reduction=r),
        [P, Y, positive(4, 5)], grad=(0, 1))
    add("bce", f"{red}-weight-broadcast",
        lambda lib, p, y, w, r=red: F(lib).binary_cross_entropy(p, y, weight=w, reduction=r),
        [P, Y, positive(5)], grad=(0, 1))
# p at exactly 0 and 1: each log is clamped at -100, and the input gradient divides by 1e-12
add("bce", "clamped-logs",
    lambda lib, p, y: F(lib).binary_cross_entropy(p, y, reduction="none"),
    [const([0.0, 1.0, 0.0, 1.0, 0.5, 1e-30]), const([0.0, 1.0, 1.0, 0.0, 0.3, 0.7])],
    grad=(0,))
add("bce", "module",
    lambda lib, p, y, w: lib.nn.BCELoss(weight=w, reduction="sum")(p, y),
    [P, Y, positive(5)], grad=(0, 1))

X = normal(4, 5, scale=3.0)
for red in REDUCTIONS:
    bcel = "bce_with_logits"
    add(bcel, red,
        lambda lib, x, y, r=red: F(lib).binary_cross_entropy_with_logits(x, y, reduction=r),
        [X, Y])
    add(bcel, f"{red}-weight",
        lambda lib, x, y, w, r=red: F(lib).binary_cross_entropy_with_logits(
            x, y, weight=w, reduction=r),
        [X, Y, positive(4, 5)], grad=(0, 1))
    add(bcel, f"{red}-pos_weight",
        lambda lib, x, y, pw, r=red: F(lib).binary_cross_entropy_with_logits(
            x, y, reduction=r, pos_weight=pw),
        [X, Y, positive(5, lo=0.2, hi=5.0)], grad=(0, 1))
    add(bcel, f"{red}-weight-pos_weight",
        lambda lib, x, y, w, pw, r=red: F(lib).binary_cross_entropy_with_logits(
            x, y, weight=w, reduction=r, pos_weight=pw),
        [X, Y, positive(4, 1), positive(5, lo=0.2, hi=5.0)], grad=(0, 1))
add("bce_with_logits", "extreme-logits",
    lambda lib, x, y, pw: F(lib).binary_cross_entropy_with_logits(
        x, y, reduction="none", pos_weight=pw),
    [const([100.0, -100.0, 100.0, -100.0, 40.0, -40.0]),
     const([0.0, 1.0, 1.0, 0.0, 0.5, 0.5]), const([3.0] * 6)], grad=(0, 1))
add("bce_with_logits", "module",
    lambda lib, x, y, w, pw: lib.nn.BCEWithLogitsLoss(weight=w, pos_weight=pw)(x, y),
    [X, Y, positive(5), positive(5)], grad=(0, 1))

# -- nll_loss and cross_entropy with class indices ----------------------------------------------
for red in REDUCTIONS:
    add("nll", red, lambda lib, x, t, r=red: F(lib).nll_loss(x, t, reduction=r),
        [(6, 4)], extras=[_ints(4, 6)])
    add("nll", f"{red}-weight-ignore",
        lambda lib, x, w, t, r=red: F(lib).nll_loss(x, t, weight=w, reduction=r),
        [(6, 4), positive(4)], grad=(0,), extras=[_ints(4, 6, ignore=IGNORE)])
    add("nll", f"{red}-ignore_index2",
        lambda lib, x, t, r=red: F(lib).nll_loss(x, t, ignore_index=2, reduction=r),
        [(6, 4)], extras=[_ints(4, 6)])
    add("nll", f"{red}-Nd",
        lambda lib, x, w, t, r=red: F(lib).nll_loss(x, t, weight=w, reduction=r),
        [(2, 3, 4, 5), positive(3)], grad=(0,), extras=[_ints(3, 2, 4, 5, ignore=IGNORE)])
    add("nll", f"{red}-unbatched",
        lambda lib, x, t, r=red: F(lib).nll_loss(x, t, reduction=r),
        [(5,)], extras=[np.array(3)])
add("nll", "module",
    lambda lib, x, w, t: lib.nn.NLLLoss(weight=w, ignore_index=1, reduction="mean")(x, t),
    [(7, 3), positive(3)], grad=(0,), extras=[_ints(3, 7)])

for red in REDUCTIONS:
    ce = "cross_entropy"
    add(ce, red, lambda lib, x, t, r=red: F(lib).cross_entropy(x, t, reduction=r),
        [(6, 4)], extras=[_ints(4, 6)])
    add(ce, f"{red}-weight",
        lambda lib, x, w, t, r=red: F(lib).cross_entropy(x, t, weight=w, reduction=r),
        [(6, 4), positive(4)], grad=(0,), extras=[_ints(4, 6)])
    add(ce, f"{red}-ignore",
        lambda lib, x, t, r=red: F(lib).cross_entropy(x, t, reduction=r),
        [(6, 4)], extras=[_ints(4, 6, ignore=IGNORE)])
    add(ce, f"{red}-ignore_index3",
        lambda lib, x, t, r=red: F(lib).cross_entropy(x, t, ignore_index=3, reduction=r),
        [(8, 4)], extras=[_ints(4, 8)])
    for ls in (0.1, 0.5, 1.0):
        add(ce, f"{red}-smoothing{ls}",
            lambda lib, x, t, r=red, s=ls: F(lib).cross_entropy(
                x, t, reduction=r, label_smoothing=s),
            [(6, 4)], extras=[_ints(4, 6)])
    add(ce, f"{red}-weight-ignore-smoothing",
        lambda lib, x, w, t, r=red: F(lib).cross_entropy(
            x, t, weight=w, reduction=r, label_smoothing=0.2),
        [(6, 4), positive(4)], grad=(0,), extras=[_ints(4, 6, ignore=IGNORE)])
    add(ce, f"{red}-Nd",
        lambda lib, x, t, r=red: F(lib).cross_entropy(x, t, reduction=r),
        [(2, 3, 4, 5)], extras=[_ints(3, 2, 4, 5)])
    add(ce, f"{red}-Nd-weight-ignore-smoothing",
        lambda lib, x, w, t, r=red: F(lib).cross_entropy(
            x, t, weight=w, reduction=r, label_smoothing=0.3),
        [(2, 3, 4, 5), positive(3)], grad=(0,), extras=[_ints(3, 2, 4, 5, ignore=IGNORE)])
    add(ce, f"{red}-1d-spatial",
        lambda lib, x, t, r=red: F(lib).cross_entropy(x, t, reduction=r, label_smoothing=0.1),
        [(2, 3, 7)], extras=[_ints(3, 2, 7)])
    add(ce, f"{red}-unbatched",
        lambda lib, x, t, r=red: F(lib).cross_entropy(x, t, reduction=r),
        [(5,)], extras=[np.array(2)])
    add(ce, f"{red}-unbatched-weight-smoothing",
        lambda lib, x, w, t, r=red: F(lib).cross_entropy(
            x, t, weight=w, reduction=r, label_smoothing=0.25),
        [(5,), positive(5)], grad=(0,), extras=[np.array(4)])

# -- cross_entropy with class probabilities (differentiable in the target too) -------------------
for red in REDUCTIONS:
    cep = "cross_entropy_probs"
    add(cep, red, lambda lib, x, y, r=red: F(lib).cross_entropy(x, y, reduction=r),
        [(6, 4), _probs(6, 4)])
    add(cep, f"{red}-weight",
        lambda lib, x, y, w, r=red: F(lib).cross_entropy(x, y, weight=w, reduction=r),
        [(6, 4), _probs(6, 4), positive(4)], grad=(0, 1))
    add(cep, f"{red}-smoothing",
        lambda lib, x, y, r=red: F(lib).cross_entropy(x, y, reduction=r, label_smoothing=0.3),
        [(6, 4), _probs(6, 4)])
    add(cep, f"{red}-weight-smoothing",
        lambda lib, x, y, w, r=red: F(lib).cross_entropy(
            x, y, weight=w, reduction=r, label_smoothing=0.3),
        [(6, 4), _probs(6, 4), positive(4)], grad=(0, 1))
    add(cep, f"{red}-Nd",
        lambda lib, x, y, w, r=red: F(lib).cross_entropy(x, y, weight=w, reduction=r),
        [(2, 3, 4, 5), _probs(2, 3, 4, 5), positive(3)], grad=(0, 1))
    add(cep, f"{red}-unbatched",
        lambda lib, x, y, r=red: F(lib).cross_entropy(x, y, reduction=r, label_smoothing=0.1),
        [(5,), _probs(5, axis=0)])
add("cross_entropy", "module",
    lambda lib, x, w, t: lib.nn.CrossEntropyLoss(
        weight=w, ignore_index=0, reduction="mean", label_smoothing=0.15)(x, t),
    [(9, 4), positive(4)], grad=(0,), extras=[_ints(4, 9)])

# -- kl_div ----------------------------------------------------------------------------------------
for red in (*REDUCTIONS, "batchmean"):
    add("kl_div", red,
        lambda lib, x, y, r=red: F(lib).kl_div(x, y, reduction=r),
        [(4, 5), _probs(4, 5)])
    add("kl_div", f"{red}-log_target",
        lambda lib, x, y, r=red: F(lib).kl_div(x, y, reduction=r, log_target=True),
        [(4, 5), (4, 5)])
add("kl_div", "module",
    lambda lib, x, y: lib.nn.KLDivLoss(reduction="batchmean", log_target=True)(x, y),
    [(3, 6), (3, 6)])
# a target of exactly 0 contributes 0 to the loss (0 log 0 = 0); its own gradient is nan in
# PyTorch (xlogy's d/dother = self/other), so only the input gradient is compared here
add("kl_div", "zero-target",
    lambda lib, x, y: F(lib).kl_div(x, y, reduction="sum"),
    [(2, 3), const([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]])], grad=(0,))

PARAMS = [pytest.param(case, dtype, id=f"{case.name}-{dtype}") for case in CASES
          for dtype in case.dtypes]


def test_case_names_are_unique() -> None:
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
@pytest.mark.parametrize(("case", "dtype"), PARAMS)
def test_loss_matches_torch(case: Case, dtype: str) -> None:
    result = run_case(case, dtype, raise_errors=True)
    assert result.passed, f"{case.name} [{dtype}]:\n  " + "\n  ".join(result.failures)


def report() -> int:
    """Print the worst relative error (value and gradients) per loss family and dtype."""
    import warnings

    worst: dict = {}
    failed = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for case in CASES:
            family = case.name.split("/")[0]
            for dtype in case.dtypes:
                r = run_case(case, dtype)
                if not r.passed:
                    failed.append(r)
                w = worst.setdefault((family, dtype), [0.0, 0.0, 0])
                w[0], w[1], w[2] = max(w[0], r.fwd_rel), max(w[1], r.grad_rel), w[2] + 1
    print(f"{'family':<22}{'dtype':<9}{'runs':>5}  {'value rel':>10}  {'grad rel':>10}")
    for (family, dtype), (fwd, grd, n) in sorted(worst.items(),
                                                key=lambda kv: (kv[0][0], DTYPES.index(kv[0][1]))):
        print(f"{family:<22}{dtype:<9}{n:>5}  {fwd:10.2e}  {grd:10.2e}")
    for r in failed:
        print(f"FAIL {r.case} [{r.dtype}]: {r.failures}")
    print(f"{len(CASES)} cases, {sum(v[2] for v in worst.values())} runs, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(report())
