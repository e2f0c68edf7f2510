"""`python -m parity.fuzz [--budget N] [--seed S] [--ops a,b] [--show K] [--out FILE]`:
run N fuzz calls and print the report. `--replay SEED:INDEX` reruns one case and shows both
results; `--write-baseline` regenerates `baseline.json` at the CI seed and budget; `--coverage`
lists the shared API names no spec draws."""

from __future__ import annotations

import argparse
import sys
import time

from parity.fuzz import CI_BUDGET, CI_SEED


def main(argv: list[str]) -> int:
    """Parse the command line and run."""
    ap = argparse.ArgumentParser(prog="python -m parity.fuzz", description=__doc__)
    ap.add_argument("--budget", type=int, default=2000, help="number of calls")
    ap.add_argument("--seed", type=int, default=CI_SEED)
    ap.add_argument("--ops", default="", help="comma-separated op names (default: all)")
    ap.add_argument("--show", type=int, default=3, help="cases shown per failure group")
    ap.add_argument("--top", type=int, default=25, help="ops in the by-calls table")
    ap.add_argument("--out", default="", help="also write the report to this file")
    ap.add_argument("--replay", default="", metavar="SEED:INDEX")
    ap.add_argument("--write-baseline", action="store_true")
    ap.add_argument("--coverage", action="store_true")
    ap.add_argument("--list", action="store_true", help="list the op names")
    args = ap.parse_args(argv)

    from parity.fuzz import report, runner, specs

    if args.list:
        print("\n".join(s.name for s in specs.SPECS))
        return 0
    if args.coverage:
        missing = specs.uncovered()
        print(f"{len(specs.shared_api())} shared API names; {len(missing)} not drawn by any spec")
        print("\n".join(missing))
        return 1 if missing else 0
    if args.replay:
        seed, index = (int(v) for v in args.replay.split(":"))
        print(report.replay(seed, index))
        return 0
    if args.write_baseline:
        args.seed, args.budget, args.ops = CI_SEED, CI_BUDGET, ""
    ops = [o for o in args.ops.split(",") if o]
    start = time.perf_counter()
    results = runner.run(args.seed, args.budget, ops or None,
                         progress=lambda k: print(f"... {k} calls", file=sys.stderr))
    text = report.render(results, args.seed, time.perf_counter() - start, args.show, args.top)
    uncovered = specs.uncovered()
    skipped = sum(len(v) for v in specs.NOT_FUZZED.values())
    text += (f"\n\ncoverage: {len(specs.shared_api())} API names shared with PyTorch, "
             f"{skipped} deliberately not fuzzed (specs.NOT_FUZZED), "
             f"{len(uncovered)} not drawn by any spec{': ' if uncovered else ''}"
             + ", ".join(uncovered))
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    if args.write_baseline:
        report.write_baseline(results, args.seed, args.budget)
        print(f"\nwrote {report.BASELINE} ({len(report.groups(results))} groups)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
