"""Differential fuzzer: random calls of every op minigrad shares with PyTorch, run in both on
the same NumPy arrays, classified as agree / both_raise / silent / missing / wrong.

`python -m parity.fuzz --budget N --seed S` prints the report; `parity/test_fuzz.py` runs the CI
budget at the CI seed against `baseline.json`. Layout: `generators.py` (seeded draws and the
`Call` description), `specs/` (the op table, by family), `runner.py` (run and classify),
`compare.py` (structure and tolerance checks), `known.py` (documented PyTorch-side
differences), `report.py` (report, baseline, replay).
"""

CI_SEED = 0
CI_BUDGET = 15000
