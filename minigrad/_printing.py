"""`repr` of a Tensor in PyTorch's layout: `tensor([...], dtype=..., grad_fn=<...>)`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from minigrad.tensor import Tensor

_DEFAULT_DTYPES = (np.dtype(np.float32), np.dtype(np.int64), np.dtype(np.bool_))


def _float_formatter(data: np.ndarray):
    """PyTorch's choice: integer style (`1.`), fixed with 4 decimals, or scientific; every
    element padded to one width so columns line up."""
    finite = data[np.isfinite(data)].astype(np.float64)
    nonzero = np.abs(finite[finite != 0])
    if finite.size and np.all(finite == np.round(finite)) and nonzero.max(initial=0) < 1e8:
        def fmt(v):
            return f"{v:.0f}." if np.isfinite(v) else str(v)
    elif nonzero.size and (nonzero.max() >= 1e8 or nonzero.min() < 1e-4
                           or nonzero.max() / nonzero.min() > 1e3 and nonzero.max() > 1e3):
        def fmt(v):
            return f"{v:.4e}" if np.isfinite(v) else str(v)
    else:
        def fmt(v):
            return f"{v:.4f}" if np.isfinite(v) else str(v)
    sample = data.reshape(-1)[:2000]
    width = max((len(fmt(v)) for v in sample), default=0)
    return lambda v: fmt(v).rjust(width)


def tensor_repr(t: Tensor) -> str:
    data = t.data
    opts = {}
    if data.dtype.kind == "f" and data.size:
        opts = {"formatter": {"float_kind": _float_formatter(data)}}
    body = np.array2string(data, separator=", ", prefix="tensor(", threshold=1000, edgeitems=3,
                           max_line_width=80, **opts)
    extras = []
    if data.size == 0 and data.ndim != 1:
        extras.append(f"size={tuple(data.shape)}")
    if data.dtype not in _DEFAULT_DTYPES:
        extras.append(f"dtype={t.dtype!r}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    return f"tensor({body}{''.join(', ' + e for e in extras)})"
