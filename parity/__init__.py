"""Parity with PyTorch: one harness (`parity.harness`) runs a table of cases
(`parity.cases_ops`) in both libraries, in float64 and float32, and compares outputs and
gradients. `python -m pytest parity` checks them; `python -m parity` prints a report."""
