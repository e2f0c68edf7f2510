"""Seeing the graph: torchviz-style drawings of the backward graph, with gradient diagnostics.

    from minigrad import viz
    viz.make_dot(loss, params=dict(model.named_parameters())).render("graph", format="svg")
    print(viz.gradient_report(model))

Building the DOT text needs the `graphviz` Python package (`pip install graphviz`), imported
only when make_dot is called; rendering it also needs Graphviz's `dot` program.
"""

from minigrad.viz.dot import DotNotFoundError, make_dot
from minigrad.viz.report import (
    EXPLODING_ABOVE,
    VANISHING_BELOW,
    GradientReport,
    GradStats,
    grad_color,
    grad_stats,
    gradient_report,
    verdict,
)

__all__ = [
    "make_dot", "gradient_report", "grad_stats", "grad_color", "verdict", "GradStats",
    "GradientReport", "DotNotFoundError", "VANISHING_BELOW", "EXPLODING_ABOVE",
]
