"""make_dot: draw a tensor's backward graph as torchviz does, plus gradients and module clusters.

The visual contract is torchviz's: one grey box per op node named `node.name()`
(`MatMulBackward0`), an `AccumulateGrad` box per leaf with the leaf tensor beside it in light blue
(named from `params`, with its shape), saved tensors in orange (`show_saved`), op attributes
under the name (`show_attrs`), the output in green. Edges run from inputs to the ops using them.
On top of that: gradient statistics and log-scale colours on tensors that have a `.grad` (see
minigrad.viz.report), and dashed clusters per module (`collapse="module"`: one node per module).

The graph is walked with an explicit stack (no recursion: a 3,000-layer chain is fine), and only
the DOT text is built here; rendering it (`.render`, `.pipe`, notebooks) needs Graphviz's `dot`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from minigrad.viz.modules import ModuleTree
from minigrad.viz.report import (
    EXPLODING_ABOVE,
    VANISHING_BELOW,
    GradStats,
    grad_color,
    grad_stats,
    legend_label,
)

OUTPUT_COLOR, LEAF_COLOR, SAVED_COLOR = "darkolivegreen1", "lightblue", "orange"
NODE_ATTR = dict(style="filled", shape="box", align="left", fontsize="10", ranksep="0.1",
                 height="0.2", fontname="monospace")
CLUSTER_ATTR = dict(style="rounded,dashed", color="grey45", fontname="monospace",
                    fontsize="10", labeljust="l")
# Node attributes that are bookkeeping, not op parameters (show_attrs leaves them out).
_SKIP_ATTRS = {"freed", "creation_trace", "needs_input_grad", "user_class", "arg_is_tensor"}


class DotNotFoundError(RuntimeError):
    """Rendering needs Graphviz's `dot` program and it is not installed (or not on PATH).

    The raised exception also subclasses graphviz.ExecutableNotFound, so either can be caught.
    """


def _graphviz() -> Any:
    try:
        import graphviz
    except ImportError as err:
        raise ImportError(
            "minigrad.viz.make_dot needs the graphviz Python package: pip install graphviz "
            "(or pip install 'minigrad[viz]'); rendering pictures also needs Graphviz's `dot` "
            "program (apt-get install graphviz, brew install graphviz)"
        ) from err
    return graphviz


_CLASSES: dict[int, type] = {}


def _digraph_class(gv: Any) -> type:
    """graphviz.Digraph whose render/pipe/unflatten explain a missing `dot` program."""
    if id(gv) in _CLASSES:
        return _CLASSES[id(gv)]

    class _NotFoundError(DotNotFoundError, gv.ExecutableNotFound):
        def __init__(self, message: str) -> None:
            RuntimeError.__init__(self, message)

    def guard(method: Any) -> Any:
        def run(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except gv.ExecutableNotFound as err:
                if isinstance(err, DotNotFoundError):
                    raise
                raise _NotFoundError(
                    f"minigrad.viz: rendering needs Graphviz's `{self.engine}` program, which was "
                    f"not found ({err}). Install Graphviz (Debian/Ubuntu: apt-get install "
                    "graphviz; macOS: brew install graphviz; conda: conda install -c conda-forge "
                    "graphviz), or use the DOT text without it: graph.source, "
                    "graph.save('graph.dot')."
                ) from err
        run.__name__, run.__doc__ = method.__name__, method.__doc__
        return run

    cls = type("Digraph", (gv.Digraph,), {
        "__doc__": "A graphviz.Digraph from minigrad.viz.make_dot.",
        "__module__": __name__,
        "pipe": guard(gv.Digraph.pipe),
        "render": guard(gv.Digraph.render),
        "unflatten": guard(gv.Digraph.unflatten),
    })
    _CLASSES[id(gv)] = cls
    return cls


def _size(shape: tuple) -> str:
    return "(" + ", ".join(str(int(n)) for n in shape) + ")"  # torchviz's "(4, 2)", "(4)"


def _fmt(value: Any) -> str:
    """An op attribute for show_attrs: arrays and tensors by dtype and shape, the rest by str."""
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        kind = "tensor" if hasattr(value, "grad_fn") else str(value.dtype)
        return f"{kind} {_size(value.shape)}" if value.ndim else str(value)
    if isinstance(value, (tuple, list)) and any(hasattr(v, "shape") for v in value):
        return "(" + ", ".join(_fmt(v) for v in value) + ")"
    return str(value)


def _attr_text(name: str, attrs: dict[str, str], max_chars: int) -> str:
    """torchviz's layout: the name, a dashed rule, then `key: value` lines."""
    if not attrs:
        return name
    max_chars = max(max_chars, 3)
    w1 = max(len(k) for k in attrs)
    w2 = min(max(len(v) for v in attrs.values()), max_chars)
    rows = [f"{k:<{w1}}: {v if len(v) <= w2 else v[:w2 - 3] + '...':>{w2}}"
            for k, v in attrs.items()]
    return "\n".join([name, "-" * max(w1 + w2 + 2, len(name))] + rows)


def _walk(roots: list) -> list:
    """Graph nodes reachable from roots, each once, depth-first in torchviz's order."""
    order, seen = [], set()
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        stack.extend(reversed([n for n, _ in node.next_functions if n is not None]))
    return order


class _Builder:
    """Collects nodes (key -> attrs), their owning modules and edges before emitting DOT."""

    def __init__(self, params: Mapping | None, show_attrs: bool, show_saved: bool,
                 show_grads: bool, max_attr_chars: int, vanishing: float,
                 exploding: float) -> None:
        self.names = {id(t): n for n, t in (params or {}).items()}
        self.show_attrs, self.show_saved, self.show_grads = show_attrs, show_saved, show_grads
        self.max_attr_chars, self.thresholds = max_attr_chars, (vanishing, exploding)
        self.keys: dict[int, str] = {}  # id(object) -> node key
        self.alive: list = []  # the objects behind those ids, kept alive while building
        self.nodes: dict[str, dict] = {}
        self.owner: dict[str, int | None] = {}  # key -> id of the owning module
        self.kind: dict[str, str] = {}  # key -> "op" | "acc" | "leaf" | "saved" | "output"
        self.edges: list[tuple[str, str, dict]] = []
        self.tree: ModuleTree | None = None
        self.stats: dict[str, GradStats] = {}
        self.tensor: dict[str, Any] = {}  # key -> tensor, for tensor nodes

    def key(self, obj: Any) -> str:
        k = self.keys.get(id(obj))
        if k is None:
            k = self.keys[id(obj)] = f"n{len(self.keys)}"
            self.alive.append(obj)
        return k

    def tensor_label(self, t: Any, name: str, key: str) -> tuple[str, dict]:
        """`name\\n(shape)` plus gradient lines; colour from the gradient when there is one."""
        lines = [name, _size(t.shape)] if name else [_size(t.shape)]
        attrs: dict = {}
        if self.show_grads and t.grad is not None:
            st = grad_stats(t.grad, name, *self.thresholds)
            self.stats[key] = st
            lines += st.lines()
            attrs["fillcolor"], attrs["fontcolor"] = grad_color(st, *self.thresholds)
        return "\n".join(lines), attrs

    def add_tensor(self, t: Any, kind: str, name: str, color: str, owner: int | None) -> str:
        k = self.key(t)
        if k not in self.nodes:
            label, attrs = self.tensor_label(t, name, k)
            self.nodes[k] = {"label": label, "fillcolor": color, **attrs}
            self.owner[k], self.kind[k], self.tensor[k] = owner, kind, t
        return k

    def add_graph(self, order: list, model: Any) -> None:
        recorded = {id(m): m for m in (getattr(n, "_module", None) for n in order) if m is not None}
        self.tree = tree = ModuleTree(recorded.values(), model, self.names)
        for node in order:
            k = self.key(node)
            if hasattr(node, "variable"):
                var = node.variable
                owner = tree.param_owner.get(id(var), (None, ""))[0]
                name = self.names.get(id(var)) or tree.param_name(var) or ""
                vk = self.add_tensor(var, "leaf", name, LEAF_COLOR, owner)
                self.nodes[k], self.owner[k], self.kind[k] = {"label": node.name()}, owner, "acc"
                self.edges.append((vk, k, {}))
                continue
            module = getattr(node, "_module", None)
            self.owner[k], self.kind[k] = (id(module) if module is not None else None), "op"
            self.nodes[k] = {"label": self.op_label(node)}
        if self.show_saved:  # after the leaves, so that a saved leaf links to its node
            for node in order:
                if not hasattr(node, "variable"):
                    self.add_saved(node, self.keys[id(node)])
        for node in order:
            for nxt, _ in node.next_functions:
                if nxt is not None:
                    self.edges.append((self.keys[id(nxt)], self.keys[id(node)], {}))

    def op_label(self, node: Any) -> str:
        name = node.name()
        if not self.show_attrs:
            return name
        attrs = {k: _fmt(v) for k, v in vars(node).items()
                 if not k.startswith("_") and k not in _SKIP_ATTRS}
        saved = [f"input{i}" for i in getattr(node, "_keep", ())]
        if getattr(node, "_out", None) is not None or getattr(node, "_keep_out", False):
            saved.append("output")
        if saved:
            attrs["saved"] = ", ".join(saved) + (" (freed)" if getattr(node, "freed", 0) else "")
        attrs = {k: v.replace("\\", "\\\\") for k, v in attrs.items()}
        return _attr_text(name, attrs, self.max_attr_chars)

    def add_saved(self, node: Any, k: str) -> None:
        """Saved inputs (`_saved`) and output (`_out`) as orange nodes, edges without arrows."""
        if getattr(node, "freed", False):
            self.nodes[k]["label"] += "\n(saved values freed by backward)"
            return
        owner = self.owner[k]
        keep = getattr(node, "_keep", ())
        for j, (t, _) in enumerate(getattr(node, "_saved", ())):
            name = f"input{keep[j] if j < len(keep) else j}"
            # A leaf or tensor already drawn is linked, not drawn again; else one node per array.
            target = self.keys.get(id(t))
            if target is None or target not in self.nodes:
                target = self.keys.get(id(t.data))
            if target is None or target not in self.nodes:
                target = self.key(t.data)
                label, attrs = self.tensor_label(t, name, target)
                self.nodes[target] = {"label": label, "fillcolor": SAVED_COLOR, **attrs}
                self.owner[target], self.kind[target] = owner, "saved"
            self.link_saved(k, target, name)
        out = getattr(node, "_out", None)
        if out is not None:
            target = self.keys.get(id(out[0]))
            if target is None or target not in self.nodes:
                target = self.key(out[0])
                self.nodes[target] = {"label": f"output\n{_size(out[0].shape)}",
                                      "fillcolor": SAVED_COLOR}
                self.owner[target], self.kind[target] = owner, "saved"
            self.link_saved(k, target, "output")

    def link_saved(self, op: str, target: str, name: str) -> None:
        """A dashed edge op -- saved tensor; a saved node kept by several ops lists each name."""
        self.edges.append((op, target, {"dir": "none", "style": "dashed"}))
        node = self.nodes[target]
        first, sep, rest = node["label"].partition("\n")
        if self.kind[target] == "saved" and name not in first.split(" / "):
            node["label"] = f"{first} / {name}{sep}{rest}"

    def add_outputs(self, outputs: tuple) -> None:
        """The output tensors, highlighted, each fed by its grad_fn."""
        for t in outputs:
            k = self.key(t)
            if k in self.nodes:  # an output that is also a leaf of another output's graph
                self.nodes[k]["penwidth"] = "2"
                continue
            self.add_tensor(t, "output", self.names.get(id(t), ""), OUTPUT_COLOR, None)
            self.nodes[k].update(fillcolor=OUTPUT_COLOR, fontcolor="black", penwidth="2")
            if t.grad_fn is not None:
                self.edges.append((self.keys[id(t.grad_fn)], k, {}))

    def collapse_modules(self) -> dict[str, str]:
        """Fold each module that owns ops, but none of whose submodules does, into one node;
        returns old key -> module node key. Glue ops of outer modules stay op nodes."""
        tree = self.tree
        owners = [self.owner[k] for k, kind in self.kind.items() if kind == "op"]
        op_owners = list(dict.fromkeys(m for m in owners if m is not None))
        inner: set = set()
        for mid in op_owners:
            p = tree.parent(mid)
            while p is not None and p not in inner:
                inner.add(p)
                p = tree.parent(p)
        folded = {mid: f"m{i}" for i, mid in enumerate(m for m in op_owners if m not in inner)}
        fold = {k: folded[o] for k, o in self.owner.items()
                if o in folded and self.kind[k] != "output"}
        leaves: dict[str, list] = {}
        for k, mk in fold.items():
            if self.kind[k] == "leaf":
                leaves.setdefault(mk, []).append(self.tensor[k])
        for mid, mk in folded.items():
            self.nodes[mk] = self.module_node(mid, mk, leaves.get(mk, []))
            self.owner[mk], self.kind[mk] = tree.parent(mid), "module"
        return fold

    def module_node(self, mid: int, mk: str, params: list) -> dict:
        """One box for a module: name (class), each parameter with its shape and gradient norm,
        filled by the joint norm of the module's gradients."""
        tree = self.tree
        lines = [tree.label(mid)]
        grads = []
        for p in params:
            line = f"{tree.param_owner[id(p)][1]} {_size(p.shape)}"
            if self.show_grads and p.grad is not None:
                grads.append(p.grad.data.ravel())
                line += f" norm {grad_stats(p.grad).norm:.1e}"
            lines.append(line)
        attrs = {"shape": "box3d", "fillcolor": "lightgrey"}
        if grads:
            st = self.stats[mk] = grad_stats(np.concatenate(grads), tree.name(mid),
                                             *self.thresholds)
            if st.n_nan or st.n_inf:
                lines.append(f"NaN {st.n_nan}  Inf {st.n_inf}")
            attrs["fillcolor"], attrs["fontcolor"] = grad_color(st, *self.thresholds)
        return {"label": "\n".join(lines), **attrs}

    def emit(self, gv: Any, fold: dict[str, str]) -> Any:
        """The Digraph: top-level nodes, nested module clusters (deepest built first), edges."""
        graph_cls, tree = _digraph_class(gv), self.tree
        dot = graph_cls(node_attr=NODE_ATTR, graph_attr=dict(size="12,12"))
        members: dict[int | None, list[str]] = {}
        for k in self.nodes:
            if k not in fold:
                members.setdefault(self.owner[k], []).append(k)
        for k in members.pop(None, []):
            dot.node(k, **self.nodes[k])
        used = tree.with_ancestors(members) if members else []
        clusters = {}
        for i, mid in enumerate(used):
            clusters[mid] = sub = graph_cls(name=f"cluster_{i}",
                                            graph_attr={"label": tree.label(mid), **CLUSTER_ATTR})
            for k in members.get(mid, []):
                sub.node(k, **self.nodes[k])
        for mid in sorted(used, key=tree.depth, reverse=True):  # children complete first
            parent = tree.parent(mid)
            (clusters[parent] if parent is not None else dot).subgraph(clusters[mid])
        drawn: set = set()
        for a, b, attrs in self.edges:
            a, b = fold.get(a, a), fold.get(b, b)
            if fold:  # folded edges merge: no self-loops, no repeats
                if a == b or (a, b) in drawn:
                    continue
                drawn.add((a, b))
            dot.edge(a, b, **attrs)
        if self.stats:
            dot.node("legend", legend_label(*self.thresholds), shape="plaintext", fillcolor="white")
        size = max(12.0, len(dot.body) * 0.15)  # torchviz's resize_graph
        dot.graph_attr.update(size=f"{size:g},{size:g}")
        return dot


def make_dot(var: Any, params: Mapping[str, Any] | None = None, show_attrs: bool = False,
             show_saved: bool = False, max_attr_chars: int = 50, *, show_grads: bool = True,
             collapse: str | None = None, model: Any = None, vanishing: float = VANISHING_BELOW,
             exploding: float = EXPLODING_ABOVE) -> Any:
    """Draw the backward graph of `var` (a Tensor or a tuple of them) as a graphviz.Digraph.

    The first five parameters are torchviz's, in its order; the rest are keyword-only.

    Args:
        var: the output tensor, or a tuple or list of them.
        params: name -> tensor (e.g. `dict(model.named_parameters())`) to label the leaves.
        show_attrs: list each op's non-tensor attributes (dim, keepdim, index shapes, ...) and
            which of its values it saved.
        show_saved: draw the tensors each op kept for backward (its `_saved` / `_out`).
        max_attr_chars: longest attribute value shown by show_attrs; longer ones end in "...".
        show_grads: on tensors with a `.grad`, print gradient statistics and colour by norm.
        collapse: None, or "module" to draw each innermost module as one node.
        model: the model, for full module names (`layers.0.linear1`) and nested clusters;
            without it names are inferred from the modules that recorded ops and from params.
        vanishing, exploding: gradient-norm thresholds of the colours (see minigrad.viz.report).

    Returns a graphviz.Digraph: `.source` is the DOT text (no Graphviz program needed);
    `.render()`, `.pipe()` and notebooks need the `dot` program (else DotNotFoundError).
    """
    gv = _graphviz()
    outputs = tuple(var) if isinstance(var, (tuple, list)) else (var,)
    for t in outputs:
        if not (hasattr(t, "grad_fn") and hasattr(t, "data")):
            raise TypeError(f"make_dot: expected a Tensor or a tuple of Tensors, got "
                            f"{type(t).__name__}")
    # A bool here is most likely show_grads passed in the fifth place, where it used to be.
    if isinstance(max_attr_chars, bool) or not isinstance(max_attr_chars, int):
        raise TypeError(f"make_dot: max_attr_chars must be an int, got "
                        f"{type(max_attr_chars).__name__} (show_grads is keyword-only)")
    if collapse not in (None, "module"):
        raise ValueError(f"make_dot: collapse must be None or 'module', got {collapse!r}")
    builder = _Builder(params, show_attrs, show_saved, show_grads, max_attr_chars, vanishing,
                       exploding)
    builder.add_graph(_walk([t.grad_fn for t in outputs if t.grad_fn is not None]), model)
    builder.add_outputs(outputs)
    fold = builder.collapse_modules() if collapse == "module" else {}
    return builder.emit(gv, fold)
