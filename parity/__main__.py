"""`python -m parity [substring ...]`: run the parity table and print a report.

One line per case and dtype (forward max abs/rel error, worst gradient rel error, PASS/FAIL and
the first mismatch), then a summary: case counts and the worst relative error per dtype. The
exit code is 1 if any case fails.
"""

from __future__ import annotations

import sys

from parity.cases_ops import CASES
from parity.harness import DTYPES, TOLERANCES, run_case


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
        rs = [r for r in results if r.dtype == dtype]
        if not rs:
            continue
        fwd = max(rs, key=lambda r: r.fwd_rel)
        grad = max(rs, key=lambda r: r.grad_rel)
        rtol, atol = TOLERANCES[dtype]
        print(f"{dtype} ({len(rs)} runs, rtol {rtol:g}, atol {atol:g} x max|ref|): "
              f"worst forward rel {fwd.fwd_rel:.2e} ({fwd.case}), "
              f"worst grad rel {grad.grad_rel:.2e} ({grad.case})")
    for r in failed:
        print(f"FAIL {r.case} [{r.dtype}]:")
        for line in r.failures:
            print(f"    {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
