"""CI entry for the differential fuzzer (`parity/fuzz/`): a fixed-seed budget against PyTorch.

The test fails on any silent (PyTorch raises, minigrad answers) or wrong failure group that is
not in `parity/fuzz/baseline.json`, the list of groups known today; groups that no longer occur
are reported as a warning so they can be dropped (`python -m parity.fuzz --write-baseline`).
Missing groups (minigrad raises where PyTorch answers) are reported, not asserted.
"""

from __future__ import annotations

import collections
import warnings

import numpy as np
import pytest
import torch

import minigrad
from parity.fuzz import CI_BUDGET, CI_SEED, report, runner, specs
from parity.fuzz.compare import compare, grad_problem, values_problem

ASSERTED = ("silent", "wrong")


@pytest.fixture(scope="module")
def ci_results() -> list:
    """The CI budget at the CI seed, run once for the module."""
    return runner.run(CI_SEED, CI_BUDGET)


def _describe(key: tuple, results: list) -> str:
    first = next(r for r in results if r.key == key)
    return f"  [{key[1]}] {key[0]}: {key[2]}\n      {first.call.expr()}    " \
           f"# python -m parity.fuzz --replay {first.seed}:{first.index}"


def test_no_new_silent_or_wrong_failure_groups(ci_results: list) -> None:
    doc = report.load_baseline()
    assert doc.get("seed") == CI_SEED and doc.get("budget") == CI_BUDGET, (
        "parity/fuzz/baseline.json is missing or was made at another seed/budget; "
        "run `python -m parity.fuzz --write-baseline`")
    new, gone = report.diff_baseline(ci_results, doc)
    counts = collections.Counter(r.cls for r in ci_results)
    summary = ", ".join(f"{c} {counts[c]}" for c in runner.CLASSES)
    new_missing = [k for k in new if k[1] == "missing"]
    if gone:
        warnings.warn(f"{len(gone)} baseline failure groups no longer occur (fixed?); drop them "
                      f"with `python -m parity.fuzz --write-baseline`: "
                      + "; ".join(f"{op} [{cls}] {reason}" for op, cls, reason in gone),
                      stacklevel=1)
    if new_missing:
        warnings.warn(f"{len(new_missing)} new missing groups (minigrad raises, PyTorch "
                      "answers):\n" + "\n".join(_describe(k, ci_results) for k in new_missing),
                      stacklevel=1)
    bad = [k for k in new if k[1] in ASSERTED]
    assert not bad, (f"{CI_BUDGET} fuzz calls at seed {CI_SEED} ({summary}) found "
                     f"{len(bad)} new silent/wrong failure groups:\n"
                     + "\n".join(_describe(k, ci_results) for k in bad))


def test_every_shared_api_name_is_drawn_by_a_spec() -> None:
    assert specs.uncovered() == [], "add a row to parity/fuzz/specs/ (or to NOT_FUZZED)"


def test_a_case_replays_identically() -> None:
    for index in (0, 17, 401, 1234):
        a, b = runner.run_index(CI_SEED, index), runner.run_index(CI_SEED, index)
        assert (a.op, a.cls, a.reason, a.call.expr()) == (b.op, b.cls, b.reason, b.call.expr())


def test_reproduction_snippets_run() -> None:
    ran = 0
    for index in range(60):
        call, rng = runner.draw_case(CI_SEED, index)
        res = runner.run_call(CI_SEED, index, call, rng)
        snip = report.snippet(res)
        if snip is not None and res.cls == "agree":
            code = snip.removeprefix('python -c "').removesuffix('"')
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                exec(compile(code, "<snippet>", "exec"), {})  # our own generated code
            ran += 1
    assert ran >= 10


# -- the comparator itself --------------------------------------------------------------------
def test_values_need_matching_nan_positions_and_inf_signs() -> None:
    b = np.array([1.0, np.nan, np.inf])
    assert values_problem(b.copy(), b, "float64") is None
    assert values_problem(np.array([1.0, 0.0, np.inf]), b, "float64") == "nan/inf positions differ"
    assert values_problem(np.array([1.0, np.nan, -np.inf]), b, "float64") == (
        "nan/inf values differ")
    assert values_problem(b + [1e-6, 0, 0], b, "float64") == "values differ"
    assert values_problem(b + [1e-6, 0, 0], b, "float32") is None


def test_integers_compare_exactly_and_dtypes_must_match() -> None:
    out: list[str] = []
    compare("output", minigrad.tensor(np.array([1, 2])), torch.tensor([1, 3]), 0.0, out)
    compare("output", minigrad.tensor(np.array([1.0])), torch.tensor([1.0]), 0.0, out)
    assert out == ["output: values differ (int64)", "output: dtype float64 != torch float32"]


def test_python_scalars_must_be_builtin_types() -> None:
    out: list[str] = []
    compare("output", np.float32(1.0), 1.0, 0.0, out)
    compare("output", True, 1, 0.0, out)
    assert len(out) == 2


def test_none_gradient_matches_zeros_but_not_values() -> None:
    zeros = minigrad.tensor(np.zeros(3))
    assert grad_problem("input 0", zeros, None) is None
    assert grad_problem("input 0", None, torch.zeros(3, dtype=torch.float64)) is None
    assert grad_problem("input 0", None, torch.ones(3, dtype=torch.float64)) is not None
