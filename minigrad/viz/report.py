"""Gradient statistics per tensor and per parameter: the numbers behind make_dot's colours.

A gradient's verdict comes from its L2 norm (over the finite entries) and two thresholds:
below `VANISHING_BELOW` it is *vanishing*, above `EXPLODING_ABOVE` it is *exploding*, in
between *healthy*; any NaN or Inf makes it *nan/inf*. Colours follow log10 of the norm: blues
darken as a gradient vanishes, greens span the healthy range, reds darken as it explodes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

VANISHING_BELOW = 1e-5  # an L2 norm under this learns nothing useful at ordinary learning rates
EXPLODING_ABOVE = 1e2  # an L2 norm over this makes an SGD step larger than the weights themselves
_DECADES = 4.0  # the blue and red ramps reach their darkest colour four decades past a threshold

# (light, dark) ends of each ramp, from ColorBrewer's Blues, Greens and Reds.
_BLUES = ("#c6dbef", "#08306b")
_GREENS = ("#e5f5e0", "#41ab5d")
_REDS = ("#fcbba1", "#67000d")
NONFINITE_COLOR = "#d01c8b"


@dataclass(frozen=True)
class GradStats:
    """Summary of one gradient. `norm` and `mean_abs` are over the finite entries."""

    name: str
    shape: tuple[int, ...]
    norm: float
    mean_abs: float
    zero_frac: float
    n_nan: int
    n_inf: int
    verdict: str  # "vanishing" | "healthy" | "exploding" | "nan/inf" | "no grad" | "empty"

    @property
    def has_grad(self) -> bool:
        return self.verdict != "no grad"

    def lines(self) -> list[str]:
        """The statistics as short label lines (for graph nodes)."""
        if not self.has_grad:
            return ["grad: none"]
        out = [f"grad norm {self.norm:.2e}",
               f"mean|g| {self.mean_abs:.2e}  zeros {self.zero_frac:.0%}"]
        if self.n_nan or self.n_inf:
            out.append(f"NaN {self.n_nan}  Inf {self.n_inf}")
        return out


def verdict(norm: float, nonfinite: int = 0, vanishing: float = VANISHING_BELOW,
            exploding: float = EXPLODING_ABOVE) -> str:
    """vanishing / healthy / exploding from the norm and the thresholds; nan/inf first."""
    if nonfinite:
        return "nan/inf"
    if norm < vanishing:
        return "vanishing"
    return "exploding" if norm > exploding else "healthy"


def grad_stats(grad: Any, name: str = "", vanishing: float = VANISHING_BELOW,
               exploding: float = EXPLODING_ABOVE, shape: tuple | None = None) -> GradStats:
    """Statistics of one gradient (a Tensor, an array, or None for "no grad")."""
    if grad is None:
        return GradStats(name, tuple(shape or ()), math.nan, math.nan, math.nan, 0, 0, "no grad")
    a = np.asarray(getattr(grad, "data", grad))
    if a.size == 0:
        return GradStats(name, a.shape, 0.0, 0.0, 0.0, 0, 0, "empty")
    n_nan = int(np.count_nonzero(np.isnan(a)))
    n_inf = int(np.count_nonzero(np.isinf(a)))
    finite = a if n_nan + n_inf == 0 else a[np.isfinite(a)]
    # Statistics in float64: squares of float32 gradients near 1e20 would overflow.
    flat = finite.astype(np.float64).ravel()
    norm = float(np.sqrt(np.dot(flat, flat)))
    mean_abs = float(np.abs(flat).mean()) if flat.size else 0.0
    zero_frac = float(np.count_nonzero(a == 0)) / a.size
    return GradStats(name, tuple(a.shape), norm, mean_abs, zero_frac, n_nan, n_inf,
                     verdict(norm, n_nan + n_inf, vanishing, exploding))


def _mix(light: str, dark: str, t: float) -> str:
    a = np.array([int(light[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)
    b = np.array([int(dark[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)
    r, g, bl = np.rint(a + (b - a) * min(max(t, 0.0), 1.0)).astype(int)
    return f"#{r:02x}{g:02x}{bl:02x}"


def grad_color(stats: GradStats, vanishing: float = VANISHING_BELOW,
               exploding: float = EXPLODING_ABOVE) -> tuple[str, str]:
    """(fill, font) colours for a gradient on a log10 scale of its norm (see module docstring)."""
    if stats.verdict == "nan/inf":
        return NONFINITE_COLOR, "white"
    lo, hi = math.log10(vanishing), math.log10(exploding)
    x = math.log10(stats.norm) if stats.norm > 0 else lo - _DECADES
    if x < lo:
        t = (lo - x) / _DECADES
        fill = _mix(*_BLUES, t)
    elif x > hi:
        t = (x - hi) / _DECADES
        fill = _mix(*_REDS, t)
    else:
        t = (x - lo) / (hi - lo) if hi > lo else 0.5
        fill = _mix(*_GREENS, t)
    lum = sum(w * int(fill[i:i + 2], 16) for w, i in ((0.299, 1), (0.587, 3), (0.114, 5)))
    return fill, "white" if lum < 128 else "black"


def legend_label(vanishing: float, exploding: float) -> str:
    """An HTML-like table naming the gradient colours and thresholds."""
    cells = [(_mix(*_BLUES, 0.5), "white", f"vanishing<br/>norm &lt; {vanishing:.0e}"),
             (_mix(*_GREENS, 0.5), "black", "healthy"),
             (_mix(*_REDS, 0.5), "white", f"exploding<br/>norm &gt; {exploding:.0e}"),
             (NONFINITE_COLOR, "white", "NaN / Inf")]
    tds = "".join(f'<td bgcolor="{bg}"><font color="{fg}">{text}</font></td>'
                  for bg, fg, text in cells)
    return (f'<<table border="0" cellborder="1" cellspacing="0" cellpadding="4"><tr>'
            f"<td>gradient<br/>L2 norm</td>{tds}</tr></table>>")


class GradientReport(list):
    """A list of GradStats rows (one per parameter) that prints as a table with verdicts."""

    def __init__(self, rows: Iterable[GradStats], vanishing: float = VANISHING_BELOW,
                 exploding: float = EXPLODING_ABOVE) -> None:
        super().__init__(rows)
        self.vanishing, self.exploding = vanishing, exploding

    def by_verdict(self, name: str) -> list[GradStats]:
        return [r for r in self if r.verdict == name]

    def __str__(self) -> str:
        head = ("name", "shape", "norm", "mean|g|", "zeros", "nan/inf", "verdict")
        rows = [head] + [
            (r.name, str(r.shape), f"{r.norm:.2e}", f"{r.mean_abs:.2e}", f"{r.zero_frac:.0%}",
             f"{r.n_nan}/{r.n_inf}", r.verdict) if r.has_grad else
            (r.name, str(r.shape), "-", "-", "-", "-", r.verdict)
            for r in self
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
        lines = [f"gradient report: L2 norm of .grad; vanishing below {self.vanishing:.0e}, "
                 f"exploding above {self.exploding:.0e}"]
        for row in rows:
            cells = enumerate(zip(row, widths, strict=True))
            lines.append("  ".join(c.ljust(w) if i in (0, 1, 6) else c.rjust(w)
                                   for i, (c, w) in cells).rstrip())
        counts = {v: len(self.by_verdict(v)) for v in ("vanishing", "healthy", "exploding",
                                                       "nan/inf", "no grad")}
        lines.append(", ".join(f"{n} {v}" for v, n in counts.items() if n or v != "no grad"))
        return "\n".join(lines)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # IPython shows the table
        p.text(str(self))


def gradient_report(model: Any, vanishing: float = VANISHING_BELOW,
                    exploding: float = EXPLODING_ABOVE) -> GradientReport:
    """Per-parameter gradient statistics and verdicts, after `backward()`.

    Args:
        model: a Module (its `named_parameters()`), a mapping name -> tensor, or (name, tensor)
            pairs.
        vanishing, exploding: the L2-norm thresholds of the verdicts.
    """
    if hasattr(model, "named_parameters"):
        pairs: Iterable = model.named_parameters()
    elif isinstance(model, Mapping):
        pairs = model.items()
    else:
        pairs = model
    rows = [grad_stats(p.grad, name, vanishing, exploding, shape=tuple(p.shape))
            for name, p in pairs]
    return GradientReport(rows, vanishing, exploding)
