"""Shared by tests/viz/test_dot.py and test_modules.py: a parser for make_dot's DOT text and
the XOR network whose graph they draw."""

from __future__ import annotations

import re

import minigrad
from minigrad import nn

_STMT = re.compile(r"(\w+)(?: -> (\w+))?(?: \[(.*)\])?", re.S)
_ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|<(?:[^<>]|<[^<>]*>)*>|[^\s\]]+)', re.S)


def parse(dot) -> tuple[dict, list, dict]:
    """(nodes key -> attrs incl. "cluster", edges [(a, b, attrs)], clusters name -> info)."""
    nodes, edges, clusters, stack = {}, [], {}, []
    for stmt in dot.body:
        s = stmt.strip()
        if s.startswith("subgraph "):
            name = s.split()[1]
            clusters[name] = {"parent": stack[-1] if stack else None, "nodes": [], "label": ""}
            stack.append(name)
            continue
        if s == "}":
            stack.pop()
            continue
        m = _STMT.fullmatch(s)
        assert m, f"unparsed DOT statement {s!r}"
        attrs = {k: v[1:-1].replace('\\"', '"') if v.startswith('"') else v
                 for k, v in _ATTR.findall(m[3] or "")}
        if m[1] == "graph" and m[2] is None:
            clusters[stack[-1]]["label"] = attrs.get("label", "")
        elif m[2] is not None:
            edges.append((m[1], m[2], attrs))
        else:
            nodes[m[1]] = {**attrs, "cluster": stack[-1] if stack else None}
            if stack:
                clusters[stack[-1]]["nodes"].append(m[1])
    return nodes, edges, clusters


def by_label(nodes: dict, first_line: str) -> list[str]:
    return [k for k, a in nodes.items() if a.get("label", "").split("\n")[0] == first_line]


class Net(nn.Module):
    """The course's 2-4-1 XOR network (examples/xor_nn.py)."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = nn.Linear(2, 4)
        self.output = nn.Linear(4, 1)

    def forward(self, x):
        return minigrad.sigmoid(self.output(minigrad.sigmoid(self.hidden(x))))


def xor_loss(seed: int = 0):
    minigrad.manual_seed(seed)
    model = Net()
    x = minigrad.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = minigrad.tensor([[0.0], [1.0], [1.0], [0.0]])
    return model, nn.BCELoss()(model(x), y)
