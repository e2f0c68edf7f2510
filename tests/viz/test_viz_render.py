"""Rendering for real when Graphviz's `dot` is installed; without it the DOT text is still
built and rendering fails with a message naming the missing program; without the graphviz
package make_dot says what to install, and `import minigrad` never needs it."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

graphviz = pytest.importorskip("graphviz")

import minigrad  # noqa: E402
from minigrad import nn  # noqa: E402
from minigrad.viz.dot import DotNotFoundError, make_dot  # noqa: E402

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot not installed")


def xor_graph():
    minigrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 4), nn.Sigmoid(), nn.Linear(4, 1), nn.Sigmoid())
    x = minigrad.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = minigrad.tensor([[0.0], [1.0], [1.0], [0.0]])
    loss = nn.BCELoss()(model(x), y)
    loss.backward(retain_graph=True)
    return make_dot(loss, params=dict(model.named_parameters()), model=model)


@needs_dot
def test_renders_svg_and_png_files(tmp_path):
    dot = xor_graph()
    svg = dot.render(tmp_path / "xor", format="svg", cleanup=True)
    text = open(svg, encoding="utf-8").read()
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    for label in ("0.weight", "2.bias", "LinearBackward0", "AccumulateGrad", "BCELoss",
                  "grad norm", "vanishing"):
        assert label in text
    assert text.count('class="node"') == 16  # 15 graph nodes and the legend
    png = dot.pipe(format="png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000


def test_without_dot_the_source_is_built_and_rendering_names_the_program(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no `dot` anywhere
    dot = xor_graph()
    assert dot.source.startswith("digraph {") and "LinearBackward0" in dot.source
    dot.save(tmp_path / "xor.dot")
    assert (tmp_path / "xor.dot").read_text().startswith("digraph {")
    with pytest.raises(DotNotFoundError, match=r"Graphviz's `dot` program.*apt-get install"):
        dot.pipe(format="svg")
    with pytest.raises(graphviz.ExecutableNotFound, match="graph.source"):
        dot.render(tmp_path / "xor", format="png")
    assert not list(tmp_path.glob("*.png"))


def test_without_the_graphviz_package_make_dot_says_what_to_install(monkeypatch):
    a = minigrad.randn(2, requires_grad=True)
    monkeypatch.setitem(sys.modules, "graphviz", None)  # makes `import graphviz` fail
    with pytest.raises(ImportError, match="pip install graphviz"):
        make_dot(a.sum())


def test_import_minigrad_does_not_import_graphviz():
    code = ("import sys, minigrad, minigrad.viz; from minigrad.viz import gradient_report; "
            "print('graphviz' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
