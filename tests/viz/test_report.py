"""gradient_report: per-parameter gradient figures against NumPy, verdicts at the stated
thresholds, the printed table, and the colour scale behind make_dot."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.viz.report import (
    EXPLODING_ABOVE,
    VANISHING_BELOW,
    GradientReport,
    grad_color,
    grad_stats,
    gradient_report,
    verdict,
)


def test_statistics_match_numpy():
    g = np.array([[0.0, -3.0], [4.0, 0.0], [1e-3, 0.0]], dtype=np.float32)
    st = grad_stats(minigrad.tensor(g), "w")
    ref = g.astype(np.float64)
    assert st.shape == (3, 2) and st.name == "w"
    assert st.norm == pytest.approx(np.linalg.norm(ref), rel=1e-12)
    assert st.mean_abs == pytest.approx(np.abs(ref).mean(), rel=1e-12)
    assert st.zero_frac == pytest.approx(0.5) and (st.n_nan, st.n_inf) == (0, 0)
    assert st.verdict == "healthy"


def test_nan_and_inf_are_counted_and_the_norm_uses_finite_entries():
    st = grad_stats(np.array([3.0, np.nan, np.inf, -np.inf, 4.0]))
    assert (st.n_nan, st.n_inf, st.norm, st.verdict) == (1, 2, 5.0, "nan/inf")
    assert "NaN 1  Inf 2" in st.lines()
    assert grad_stats(None, "b", shape=(3,)).verdict == "no grad"


def test_float32_gradients_do_not_overflow_in_the_norm():
    st = grad_stats(np.full(4, 1e30, dtype=np.float32))
    assert st.norm == pytest.approx(2e30, rel=1e-6) and st.verdict == "exploding"


@pytest.mark.parametrize("norm, expected", [(0.0, "vanishing"), (9.9e-6, "vanishing"),
                                            (1e-5, "healthy"), (1.0, "healthy"),
                                            (100.0, "healthy"), (100.1, "exploding")])
def test_verdict_thresholds(norm, expected):
    assert (VANISHING_BELOW, EXPLODING_ABOVE) == (1e-5, 1e2)
    assert verdict(norm) == expected
    assert verdict(norm, nonfinite=1) == "nan/inf"
    assert verdict(1e-3, vanishing=1e-2) == "vanishing"


def hue(color: str) -> tuple[int, int, int]:
    return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))


def test_colours_run_on_a_log_scale_of_the_norm():
    def fill(norm):
        return hue(grad_color(grad_stats(np.array([norm])))[0])

    blues = [fill(n) for n in (5e-6, 1e-7, 1e-9)]
    assert all(b > max(r, g) for r, g, b in blues)
    assert blues[0][2] > blues[1][2] > blues[2][2]  # darker as it vanishes further
    greens = [fill(n) for n in (1e-4, 1e-1, 10.0)]
    assert all(g > max(r, b) for r, g, b in greens)
    reds = [fill(n) for n in (1e3, 1e5)]
    assert all(r > max(g, b) for r, g, b in reds) and reds[0][0] > reds[1][0]
    assert fill(0.0) == fill(1e-20)  # zero sits at the dark end of the blue ramp
    assert grad_color(grad_stats(np.array([1e-12])))[1] == "white"  # readable on dark blue


def deep(activation, depth=10, width=16):
    minigrad.manual_seed(0)
    layers = []
    for i in range(depth):
        layers += [nn.Linear(2 if i == 0 else width, width), activation()]
    layers.append(nn.Linear(width, 1))
    model = nn.Sequential(*layers)
    for layer in model:
        if isinstance(layer, nn.Linear):
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            nn.init.zeros_(layer.bias)
    ((model(minigrad.randn(32, 2)) - 1.0) ** 2).mean().backward()
    return model


def test_report_tells_the_deep_sigmoid_story_in_numbers():
    sig, relu = gradient_report(deep(nn.Sigmoid)), gradient_report(deep(nn.ReLU))
    assert isinstance(sig, GradientReport) and len(sig) == len(relu) == 22
    assert sig[0].name == "0.weight" and sig[0].verdict == "vanishing"
    assert sig[-2].verdict == "healthy" and not relu.by_verdict("vanishing")
    norms = [r.norm for r in sig if r.name.endswith("weight")]
    assert norms == sorted(norms)  # growing from the input layer to the output layer
    assert sig[0].norm < 1e-3 * relu[0].norm
    text = str(sig)
    assert "vanishing below 1e-05, exploding above 1e+02" in text
    assert text.splitlines()[1].split() == ["name", "shape", "norm", "mean|g|", "zeros",
                                            "nan/inf", "verdict"]
    row = next(line for line in text.splitlines() if line.startswith("0.weight"))
    assert row.split()[-1] == "vanishing" and f"{sig[0].norm:.2e}" in row
    assert text.splitlines()[-1].startswith(f"{len(sig.by_verdict('vanishing'))} vanishing")


def test_report_accepts_mappings_pairs_and_missing_grads():
    a = minigrad.randn(3, requires_grad=True)
    b = minigrad.randn(2, requires_grad=True)
    (a.sum() * 2.0).backward()
    rows = gradient_report({"a": a, "b": b})
    assert [r.verdict for r in rows] == ["healthy", "no grad"]
    assert rows[0].norm == pytest.approx(2 * math.sqrt(3))
    assert gradient_report([("a", a)], vanishing=10.0)[0].verdict == "vanishing"
    assert "b     (2,)" in str(rows) and "no grad" in str(rows)
