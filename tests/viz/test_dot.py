"""make_dot (minigrad/viz/dot.py) draws torchviz's graph: op and leaf nodes, names and
shapes, edges, saved tensors and attributes, gradient colours, torchviz's signature;
asserted on the parsed DOT text. Rendering runs for real when Graphviz's `dot` is
installed; without it the DOT text is still built and rendering fails with a message
naming the missing program; without the graphviz package make_dot says what to install,
and `import minigrad` never needs it."""

from __future__ import annotations

import inspect
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

graphviz = pytest.importorskip(
    "graphviz", reason="the optional graphviz package (pip install graphviz) is not installed")

import minigrad  # noqa: E402
from minigrad import nn  # noqa: E402
from minigrad.viz.dot import DotNotFoundError, make_dot  # noqa: E402
from minigrad.viz.report import grad_color, grad_stats  # noqa: E402
from tests.viz.helpers import by_label, parse, xor_loss  # noqa: E402

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot not installed")


def walk_names(root) -> list[str]:
    out, stack, seen = [], [root], set()
    while stack:
        n = stack.pop()
        if id(n) not in seen:
            seen.add(id(n))
            out.append(n.name())
            stack += [c for c, _ in n.next_functions if c is not None]
    return out


def test_xor_graph_names_every_parameter_with_shape_and_draws_every_op():
    model, loss = xor_loss()
    nodes, edges, _ = parse(make_dot(loss, params=dict(model.named_parameters())))
    labels = sorted(a["label"] for a in nodes.values())
    ops = sorted(walk_names(loss.grad_fn))
    assert ops == sorted(["MeanBackward0", "BinaryCrossEntropyBackward0", "SigmoidBackward0",
                          "SigmoidBackward0", "LinearBackward0", "LinearBackward0",
                          "AccumulateGrad", "AccumulateGrad", "AccumulateGrad",
                          "AccumulateGrad"])
    for name in ops:
        assert labels.count(name) == ops.count(name)
    for name, p in model.named_parameters():
        shape = "(" + ", ".join(map(str, p.shape)) + ")"
        (key,) = by_label(nodes, name)
        assert nodes[key]["label"] == f"{name}\n{shape}"
        assert nodes[key]["fillcolor"] == "lightblue"
    # 6 ops + 4 AccumulateGrad + 4 leaves + the output; 9 op inputs + 4 leaf + 1 output edges
    assert len(nodes) == 15 and len(edges) == 14
    (out,) = [k for k, a in nodes.items() if a.get("fillcolor") == "darkolivegreen1"]
    assert nodes[out]["label"] == "()" and [a for a, b, _ in edges if b == out]


def test_edges_run_from_inputs_to_the_ops_that_use_them():
    a = minigrad.randn(3, 4, requires_grad=True)
    b = minigrad.randn(4, 2, requires_grad=True)
    y = (a @ b + b.sum()).sum()
    nodes, edges, _ = parse(make_dot(y, params={"a": a, "b": b}))
    name = {k: v["label"].split("\n")[0] for k, v in nodes.items()}
    pairs = sorted((name[s], name[d]) for s, d, _ in edges)
    assert pairs == sorted([
        ("a", "AccumulateGrad"), ("b", "AccumulateGrad"),
        ("AccumulateGrad", "MatMulBackward0"), ("AccumulateGrad", "MatMulBackward0"),
        ("AccumulateGrad", "SumBackward0"), ("MatMulBackward0", "AddBackward0"),
        ("SumBackward0", "AddBackward0"), ("AddBackward0", "SumBackward0"),
        ("SumBackward0", "()"),
    ])
    # b feeds two ops through one AccumulateGrad node, as in PyTorch
    assert len(by_label(nodes, "AccumulateGrad")) == 2


def test_after_backward_leaves_show_gradient_statistics_and_colours():
    model, loss = xor_loss()
    before, _, _ = parse(make_dot(loss, params=dict(model.named_parameters())))
    assert "legend" not in before
    loss.backward(retain_graph=True)
    nodes, _, _ = parse(make_dot(loss, params=dict(model.named_parameters())))
    assert "legend" in nodes and "vanishing" in nodes["legend"]["label"]
    for name, p in model.named_parameters():
        (key,) = by_label(nodes, name)
        g = p.grad.numpy().astype(np.float64)
        lines = nodes[key]["label"].split("\n")
        assert lines[2] == f"grad norm {np.linalg.norm(g):.2e}"
        assert lines[3].startswith(f"mean|g| {np.abs(g).mean():.2e}")
        assert nodes[key]["fillcolor"] == grad_color(grad_stats(p.grad))[0]
    hidden = parse(make_dot(loss, params=dict(model.named_parameters()), show_grads=False))[0]
    assert all("grad" not in a.get("label", "") for a in hidden.values())


def deep(activation, depth=10, width=16, scale=1.0):
    minigrad.manual_seed(0)
    layers = []
    for i in range(depth):
        layers += [nn.Linear(2 if i == 0 else width, width), activation()]
    layers.append(nn.Linear(width, 1))
    model = nn.Sequential(*layers)
    for layer in model:
        if isinstance(layer, nn.Linear):
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            layer.weight.data *= scale
            nn.init.zeros_(layer.bias)
    x = minigrad.randn(32, 2)
    loss = ((model(x) - 1.0) ** 2).mean()
    loss.backward(retain_graph=True)
    return model, loss


def hue(color: str) -> str:
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return "blue" if b > max(r, g) else "green" if g > max(r, b) else "red" if r > g else "?"


@pytest.mark.parametrize("collapse", [None, "module"])
def test_deep_sigmoid_colours_early_layers_vanishing_and_relu_does_not(collapse):
    for activation, first in ((nn.Sigmoid, "blue"), (nn.ReLU, "green")):
        model, loss = deep(activation)
        nodes, _, _ = parse(make_dot(loss, params=dict(model.named_parameters()), model=model,
                                     collapse=collapse))
        key = "0 (Linear)" if collapse else "0.weight"
        (k,) = by_label(nodes, key)
        assert hue(nodes[k]["fillcolor"]) == first, activation
        (k,) = by_label(nodes, "20 (Linear)" if collapse else "20.weight")
        assert hue(nodes[k]["fillcolor"]) == "green"


def test_exploding_and_nonfinite_gradients_get_red_and_magenta():
    model, loss = deep(nn.ReLU, depth=8, scale=3.0)
    nodes, _, _ = parse(make_dot(loss, params=dict(model.named_parameters())))
    (k,) = by_label(nodes, "0.weight")
    assert hue(nodes[k]["fillcolor"]) == "red" and float(
        nodes[k]["label"].split("\n")[2].split()[-1]) > 1e2
    w = minigrad.randn(3, requires_grad=True)
    (w * minigrad.tensor([1.0, float("nan"), 2.0])).sum().backward()
    nodes, _, _ = parse(make_dot(w * 2.0, params={"w": w}))
    (k,) = by_label(nodes, "w")
    assert nodes[k]["fillcolor"] == "#d01c8b" and "NaN 1  Inf 0" in nodes[k]["label"]


def test_show_attrs_lists_non_tensor_attributes():
    a = minigrad.randn(3, 2, requires_grad=True)
    idx = minigrad.tensor([0, 2, 2])
    y = (a[idx].sum(dim=1, keepdim=True) ** 2).mean()
    nodes, _, _ = parse(make_dot(y, show_attrs=True))
    text = {a["label"].split("\n")[0]: a["label"] for a in nodes.values()}
    assert re.search(r"keepdim\s*:\s*True", text["SumBackward0"])
    assert re.search(r"axes\s*:\s*\(1,\)", text["SumBackward0"])
    assert re.search(r"exponent\s*:\s*2", text["PowScalarBackward0"])
    assert re.search(r"index\s*:\s*int64 \(3\)", text["GetItemBackward0"])
    assert re.search(r"saved\s*:\s*input0", text["PowScalarBackward0"])
    assert "-----" in text["SumBackward0"] and text["AccumulateGrad"] == "AccumulateGrad"


def test_show_saved_draws_kept_tensors_and_links_saved_leaves():
    model, loss = xor_loss()
    nodes, edges, _ = parse(make_dot(loss, params=dict(model.named_parameters()),
                                     show_saved=True))
    saved = {k: a["label"] for k, a in nodes.items() if a.get("fillcolor") == "orange"}
    dashed = [(a, b) for a, b, attrs in edges if attrs.get("dir") == "none"]
    # Linear keeps (x, W) twice, BCE keeps (p, y), each Sigmoid keeps its output: 8 links
    assert len(dashed) == 8
    # saved weights link to their leaf nodes; x, h (kept by Linear and Sigmoid), p, y are drawn
    (w,) = by_label(nodes, "hidden.weight")
    assert any(b == w for _, b in dashed)
    assert sorted(v.split("\n")[1] for v in saved.values()) == ["(4, 1)", "(4, 1)", "(4, 2)",
                                                                "(4, 4)"]
    assert any(v.startswith("input0 / output") for v in saved.values())
    loss.backward()  # frees the saved values
    nodes, edges, _ = parse(make_dot(loss, show_saved=True))
    assert not [a for a in nodes.values() if a.get("fillcolor") == "orange"]
    assert all("freed" in a["label"] for a in nodes.values()
               if a["label"].startswith(("Linear", "Sigmoid")))


def test_outputs_tuple_and_bad_arguments():
    a = minigrad.randn(3, requires_grad=True)
    nodes, edges, _ = parse(make_dot((a.exp().sum(), a.sin().sum()), params={"a": a}))
    assert len([k for k, v in nodes.items() if v.get("fillcolor") == "darkolivegreen1"]) == 2
    assert len(by_label(nodes, "a")) == 1 and len(edges) == 7
    with pytest.raises(TypeError, match="make_dot: expected a Tensor"):
        make_dot([1, 2])
    with pytest.raises(ValueError, match="collapse must be None or 'module'"):
        make_dot(a.sum(), collapse="layer")


def test_3000_layer_chain_builds_dot_source_without_recursion():
    """Structure only; the time is measured in benchmarks/bench_viz.py, not asserted here."""
    minigrad.manual_seed(0)
    layers = []
    for _ in range(3000):
        layers += [nn.Linear(2, 2), nn.Tanh()]
    model = nn.Sequential(*layers)
    out = model(minigrad.randn(1, 2)).sum()
    dot = make_dot(out, params=dict(model.named_parameters()), model=model)
    source = dot.source
    nodes, edges, clusters = parse(dot)
    # per layer: Linear + Tanh ops, 2 AccumulateGrad, 2 leaves; plus Sum and the output
    assert len(nodes) == 3000 * 6 + 2 and len(clusters) == 6001
    assert len(edges) == 3000 * (2 + 3 + 1) + 1 and "5998 (Linear)" in source
    collapsed = parse(make_dot(out, model=model, collapse="module"))
    assert len(collapsed[0]) == 6000 + 2 and len(collapsed[1]) == 6001


def test_make_dot_signature_starts_with_torchviz_parameters_in_order():
    params = list(inspect.signature(make_dot).parameters.values())
    assert [(p.name, p.default) for p in params[:5]] == [
        ("var", inspect.Parameter.empty), ("params", None), ("show_attrs", False),
        ("show_saved", False), ("max_attr_chars", 50)]
    assert all(p.kind is p.POSITIONAL_OR_KEYWORD for p in params[:5])
    assert {p.name for p in params[5:]} == {"show_grads", "collapse", "model", "vanishing",
                                            "exploding"}
    assert all(p.kind is p.KEYWORD_ONLY for p in params[5:])


def test_make_dot_positional_params_and_var_keyword_as_torchviz():
    model, loss = xor_loss()
    named = dict(model.named_parameters())
    expected = make_dot(loss, params=named).source
    assert make_dot(loss, named).source == expected
    assert make_dot(var=loss, params=named).source == expected
    nodes, _, _ = parse(make_dot(var=loss))
    assert len(by_label(nodes, "BinaryCrossEntropyBackward0")) == 1
    assert len(by_label(nodes, "hidden.weight")) == 1  # names still inferred from the modules


def test_make_dot_positional_show_attrs_show_saved_and_max_attr_chars():
    model, loss = xor_loss()
    named = dict(model.named_parameters())
    assert make_dot(loss, named, True).source == make_dot(loss, named, show_attrs=True).source
    assert make_dot(loss, named, False, True).source == \
        make_dot(loss, named, show_saved=True).source
    both = make_dot(loss, named, True, True, 50).source
    assert both == make_dot(loss, params=named, show_attrs=True, show_saved=True).source
    nodes, edges, _ = parse(make_dot(loss, named, False, True))
    assert len([e for e in edges if e[2].get("dir") == "none"]) == 8  # as with show_saved=True
    a = minigrad.randn(3, 2, requires_grad=True)
    y = a.sum(dim=1, keepdim=True).mean()
    wide, _, _ = parse(make_dot(y, None, True, False, 50))
    narrow, _, _ = parse(make_dot(y, None, True, False, 4))
    label = {v["label"].split("\n")[0]: v["label"] for v in wide.values()}["SumBackward0"]
    short = {v["label"].split("\n")[0]: v["label"] for v in narrow.values()}["SumBackward0"]
    assert "shape  : (3, 2)" in label and "shape  : (..." in short


def test_make_dot_minigrad_options_are_keyword_only():
    model, loss = xor_loss()
    named = dict(model.named_parameters())
    with pytest.raises(TypeError):
        make_dot(loss, named, False, False, 50, False)  # show_grads is keyword-only
    with pytest.raises(TypeError, match="max_attr_chars must be an int, got bool"):
        make_dot(loss, named, False, False, False)  # show_grads where it used to be
    hidden = parse(make_dot(loss, named, show_grads=False, model=model, collapse="module"))[0]
    assert any(v.get("shape") == "box3d" for v in hidden.values())


# -- rendering -------------------------------------------------------------------------------------
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
