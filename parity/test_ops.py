"""Every row of the parity table (`parity.cases_ops`), in float64 and float32, against PyTorch."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")

from parity.cases_ops import CASES  # noqa: E402
from parity.harness import run_case  # noqa: E402

PARAMS = [
    pytest.param(case, dtype, id=f"{case.name}-{dtype}") for case in CASES for dtype in case.dtypes
]


def test_case_names_are_unique() -> None:
    names = [case.name for case in CASES]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


@pytest.mark.parametrize(("case", "dtype"), PARAMS)
def test_matches_torch(case, dtype) -> None:
    result = run_case(case, dtype, raise_errors=True)
    assert result.passed, f"{case.name} [{dtype}]:\n  " + "\n  ".join(result.failures)
