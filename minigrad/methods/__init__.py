"""Tensor methods, one file per op family, mirroring `minigrad/ops/`: `Tensor.exp` is in
`methods/elementwise.py` and calls `ops/elementwise.py`'s `Exp`. Each file is a mixin class
that `minigrad.tensor.Tensor` inherits; every method is written out, so `grep "def exp"` finds it.
"""
