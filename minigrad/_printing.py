"""`repr` of a Tensor in PyTorch's layout: `tensor([...], dtype=..., grad_fn=<...>)`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from minigrad.tensor import Tensor

_DEFAULT_DTYPES = (np.dtype(np.float32), np.dtype(np.int64), np.dtype(np.bool_))


def tensor_repr(t: Tensor) -> str:
    data = t.data
    if data.dtype.kind == "f":
        finite = data[np.isfinite(data)]
        integral = finite.size == 0 or bool(np.all(finite == np.round(finite)))
        big = finite.size > 0 and (np.abs(finite).max() >= 1e8 or
                                   (np.abs(finite[finite != 0]).min(initial=1) < 1e-4))
        if integral and not big:
            opts = dict(formatter={"float_kind": lambda v: f"{v:.0f}." if np.isfinite(v) else str(v)})
        elif big:
            opts = dict(formatter={"float_kind": lambda v: f"{v:.4e}"})
        else:
            opts = dict(formatter={"float_kind": lambda v: f"{v:.4f}" if np.isfinite(v) else str(v)})
    else:
        opts = {}
    body = np.array2string(data, separator=", ", prefix="tensor(", threshold=1000, edgeitems=3,
                           max_line_width=80, **opts)
    if data.size == 0:
        body = "[]" if data.ndim == 1 else body
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
