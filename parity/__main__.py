"""`python -m parity [substring ...]`: run the parity table and print a report.

One line per case and dtype (forward max abs/rel error, worst gradient rel error, PASS/FAIL and
the first mismatch), then a summary: case counts and the worst relative error per dtype (among
runs held to that dtype's tolerance; runs a case holds to a looser one are listed apart). The
exit code is 1 if any case fails.
"""

from __future__ import annotations

import sys

from parity.cases_ops import CASES
from parity.harness import DTYPES, TOLERANCES, Result, run_case


def _worst(results: list[Result], what: str) -> str:
    if not results:
        return "-"
    r = max(results, key=lambda r: getattr(r, what))
    return f"{getattr(r, what):.2e} ({r.case})"


def main(argv: list[str]) -> int:
    cases = [c for c in CASES if not argv or any(s in c.name for s in argv)]
    width = max((len(c.name) for c in cases), default=4)
    print(f"{'case':<{width}}  dtype    fwd abs    fwd rel    grad rel   result")
    results = []
    for case in cases:
        for dtype in case.dtypes:
            r = run_case(case, dtype)
            results.append(r)
            note = "" if r.passed else "  " + r.failures[0]
            print(f"{case.name:<{width}}  {dtype:<7}  {r.fwd_abs:9.2e}  {r.fwd_rel:9.2e}  "
                  f"{r.grad_rel:9.2e}  {'PASS' if r.passed else 'FAIL'}{note}")
    failed = [r for r in results if not r.passed]
    print()
    print(f"{len(cases)} cases, {len(results)} runs: {len(results) - len(failed)} passed, "
          f"{len(failed)} failed")
    for dtype in DTYPES:
        runs = [r for r in results if r.dtype == dtype]
        own = [r for r in runs if (r.rtol, r.atol) == TOLERANCES[dtype]]
        rtol, atol = TOLERANCES[dtype]
        print(f"{dtype}: {len(runs)} runs ({len(runs) - len(own)} at a looser tolerance); at "
              f"rtol {rtol:g}, atol {atol:g} x max|ref|: worst forward rel "
              f"{_worst(own, 'fwd_rel')}, worst grad rel {_worst(own, 'grad_rel')}")
        for r in runs:
            if r not in own:
                print(f"    {r.case}: held to rtol {r.rtol:g}, atol {r.atol:g}: forward rel "
                      f"{r.fwd_rel:.2e}, grad rel {r.grad_rel:.2e}")
    for r in failed:
        print(f"FAIL {r.case} [{r.dtype}]:")
        for line in r.failures:
            print(f"    {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
