"""Module clusters in make_dot's graph (minigrad/viz/modules.py): each node records the
module that ran it, clusters follow module calls with qualified names (from the model,
the params or the modules themselves), and collapse='module' draws one node per module."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip(
    "graphviz", reason="the optional graphviz package (pip install graphviz) is not installed")

import minigrad  # noqa: E402
from minigrad import nn  # noqa: E402
from minigrad.viz.dot import make_dot  # noqa: E402
from minigrad.viz.report import grad_color, grad_stats  # noqa: E402
from tests.viz.helpers import by_label, parse, xor_loss  # noqa: E402


def test_clusters_follow_module_calls_with_qualified_names():
    model, loss = xor_loss()
    nodes, _, clusters = parse(make_dot(loss, params=dict(model.named_parameters())))
    label = {c: info["label"] for c, info in clusters.items()}
    by_name = {v: k for k, v in label.items()}
    assert set(by_name) == {"Net", "hidden (Linear)", "output (Linear)", "BCELoss"}
    assert clusters[by_name["hidden (Linear)"]]["parent"] == by_name["Net"]
    assert clusters[by_name["BCELoss"]]["parent"] is None
    members = clusters[by_name["hidden (Linear)"]]["nodes"]
    hidden = [nodes[k]["label"].split("\n")[0] for k in members]
    assert sorted(hidden) == sorted(["LinearBackward0", "AccumulateGrad", "AccumulateGrad",
                                     "hidden.weight", "hidden.bias"])
    net = [nodes[k]["label"] for k in clusters[by_name["Net"]]["nodes"]]
    assert net == ["SigmoidBackward0", "SigmoidBackward0"]
    bce = sorted(nodes[k]["label"] for k in clusters[by_name["BCELoss"]]["nodes"])
    assert bce == ["BinaryCrossEntropyBackward0", "MeanBackward0"]


def test_sequential_names_come_from_model_or_params():
    minigrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    out = model(minigrad.randn(5, 2)).sum()
    _, _, clusters = parse(make_dot(out, model=model))
    labels = {c["label"] for c in clusters.values()}
    assert labels == {"Sequential", "0 (Linear)", "1 (Tanh)", "2 (Linear)"}
    _, _, clusters = parse(make_dot(out, params=dict(model.named_parameters())))
    assert {c["label"] for c in clusters.values()} == {"0 (Linear)", "Tanh", "2 (Linear)"}
    nodes, _, _ = parse(make_dot(out))  # no names given: inferred from the owning modules
    assert by_label(nodes, "weight") and by_label(nodes, "bias")


def test_collapse_module_draws_one_node_per_innermost_module():
    model, loss = xor_loss()
    loss.backward(retain_graph=True)
    nodes, edges, clusters = parse(make_dot(loss, params=dict(model.named_parameters()),
                                            collapse="module"))
    nodes.pop("legend")
    modules = {a["label"].split("\n")[0]: k for k, a in nodes.items() if a.get("shape") == "box3d"}
    assert set(modules) == {"hidden (Linear)", "output (Linear)", "BCELoss"}
    name = {k: a["label"].split("\n")[0] for k, a in nodes.items()}
    assert sorted(name.values()) == sorted([*modules, "SigmoidBackward0", "SigmoidBackward0",
                                            "()"])
    chain = [(name[a], name[b]) for a, b, _ in edges]
    assert sorted(chain) == sorted([("hidden (Linear)", "SigmoidBackward0"),
                                    ("SigmoidBackward0", "output (Linear)"),
                                    ("output (Linear)", "SigmoidBackward0"),
                                    ("SigmoidBackward0", "BCELoss"), ("BCELoss", "()")])
    hidden = nodes[modules["hidden (Linear)"]]
    assert "weight (4, 2) norm" in hidden["label"] and "bias (4) norm" in hidden["label"]
    joint = np.sqrt(sum(np.sum(p.grad.numpy().astype(np.float64) ** 2)
                        for p in model.hidden.parameters()))
    assert hidden["fillcolor"] == grad_color(grad_stats(np.array([joint])))[0]
    assert [c["label"] for c in clusters.values()] == ["Net"]


def test_module_owner_is_recorded_on_each_node():
    from minigrad.autograd.grad_mode import _State

    model, loss = xor_loss()
    sig = loss.grad_fn.next_functions[0][0].next_functions[0][0]
    linear = sig.next_functions[0][0]
    assert sig._module is model and linear._module is model.output
    free = (minigrad.randn(2, requires_grad=True) * 2.0).grad_fn
    assert getattr(free, "_module", None) is None

    class Broken(nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    with pytest.raises(ValueError):
        Broken()(minigrad.randn(2))
    assert _State.modules == []
