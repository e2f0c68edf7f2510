"""examples/draw_graph.py draws the XOR network and the deep sigmoid/ReLU pair, and prints
the vanishing-gradient story."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip(
    "graphviz", reason="the optional graphviz package (pip install graphviz) is not installed")

SCRIPT = Path(__file__).parent.parent.parent / "examples" / "draw_graph.py"


def test_draw_graph_example(tmp_path):
    done = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    ext = "svg" if shutil.which("dot") else "dot"
    names = {"xor_graph", "xor_graph_trained", "deep_sigmoid_vs_relu"}
    assert {p.stem for p in tmp_path.glob(f"*.{ext}")} == names
    sigmoid, relu = done.stdout.split("12-layer Sigmoid net")[1].split("12-layer ReLU net")
    assert "0.weight" in sigmoid and sigmoid.split("0.weight")[1].splitlines()[0].endswith(
        "vanishing")
    assert "0 vanishing" in relu and "0 vanishing" not in sigmoid
