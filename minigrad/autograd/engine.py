"""The backward engine and its public face, `backward` and `grad`: an iterative walk of the
graph in dependency order (no recursion).

1. Count, for every node reachable from the roots, how many edges point at it.
2. Start from the roots; a node runs once every node that feeds it a gradient has run.
3. Each returned gradient is summed to its input's recorded shape here, in one place, so op
   backwards are pure math; pending gradients live in a dict and are dropped once used.
4. Leaves (AccumulateGrad) add into `.grad`; saved values are freed unless retain_graph.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad.autograd import node as _node
from minigrad.autograd.grad_mode import _State, _switch
from minigrad.autograd.node import AccumulateGrad, Node, Op, constant

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


def sum_to_shape(grad: Tensor, shape: tuple) -> Tensor:
    """Undo broadcasting: sum `grad` over the axes that broadcasting added or stretched."""
    gshape = grad.data.shape
    if gshape == shape:
        return grad
    lead = len(gshape) - len(shape)
    if lead < 0:
        return grad.reshape(shape)
    stretched = tuple(i + lead for i, n in enumerate(shape) if n == 1 and gshape[i + lead] != 1)
    grad = grad.sum(dim=tuple(range(lead)) + stretched)
    return grad.reshape(shape) if stretched else grad


def _dependencies(roots: Sequence[Node]) -> dict:
    """Number of incoming edges per reachable node, found with an explicit stack."""
    deps: dict = dict.fromkeys(roots, 0)  # roots count as seen: never walked twice
    stack = list(deps)
    while stack:
        for nxt in stack.pop().next_nodes:
            if nxt is None:
                continue
            if nxt in deps:
                deps[nxt] += 1
            else:
                deps[nxt] = 1
                stack.append(nxt)
    return deps


def _run_hooks(node: Node, grad: Tensor) -> Tensor:
    """User hooks (a dict; a returned tensor replaces the gradient), then retain_grad's."""
    hooks = node.variable._hooks if isinstance(node, AccumulateGrad) else node.pre_hooks
    if hooks:
        for hook in list(hooks.values()):
            result = hook(grad)
            if result is not None:
                grad = result
    if node.retain_hooks:
        for hook in node.retain_hooks:
            hook(grad)
    return grad


def _is_unshared(grad: Tensor) -> bool:
    """The engine's one clever thing: True when only the engine holds `grad` and its array, so
    a leaf may take it as `.grad` without a copy (PyTorch steals an unshared buffer the same
    way), which saves one copy of every parameter's gradient per backward.

    sys.getrefcount(grad) counts the run loop's local, `_accumulate`'s and this function's
    arguments and getrefcount's own (4); the array is held only by `grad.data` and getrefcount's
    argument (2); a view
    (`base` set) shares memory, so it never qualifies. Anything shared (a user's gradient, one
    gradient fanned out to two leaves, a hook's saved tensor) is cloned instead, so two leaves
    never alias one `.grad`: tests/autograd/test_engine.py checks both cases."""
    return (grad.data.base is None and sys.getrefcount(grad) <= 4
            and sys.getrefcount(grad.data) <= 2)


def _accumulate(node: AccumulateGrad, grad: Tensor, create_graph: bool) -> None:
    var = node.variable
    if var.grad is None:
        if create_graph:
            var.grad = grad
        elif _is_unshared(grad):
            var.grad = grad
        else:
            var.grad = grad.detach().clone()
        if var.grad.data.dtype != var.data.dtype:
            var.grad = var.grad.to(var.dtype)
    elif create_graph or var.grad.requires_grad:
        var.grad = var.grad + grad
    else:
        np.add(var.grad.data, grad.data, out=var.grad.data, casting="unsafe")
        var.grad._bump_version()


def _check_finite(node: Op, grads: tuple) -> None:
    for i, g in enumerate(grads):
        if g is not None and not np.all(np.isfinite(g.data)):
            where = getattr(node, "creation_trace", "")
            raise RuntimeError(
                f"Function '{node.name()}' returned nan values in its {i}th output."
                + (f"\nTraceback of the forward call that created it:\n{where}" if where else "")
            )


def run_backward(
    roots: Sequence[Tensor],
    grads: Sequence[Tensor],
    retain_graph: bool,
    create_graph: bool,
    capture: dict | None = None,
) -> None:
    """Backpropagate `grads` from `roots`. With `capture` (node -> None), gradients reaching
    those nodes are stored there instead of being accumulated into leaves (autograd.grad)."""
    root_nodes = [t._grad_node() for t in roots]
    deps = _dependencies(root_nodes)
    pending: dict = {}
    for node, g in zip(root_nodes, grads):
        pending[node] = pending[node] + g if node in pending else g
    ready = [n for n in dict.fromkeys(root_nodes) if deps.get(n, 0) == 0]
    # PyTorch is silent about inf/nan arising in backward (anomaly mode is the tool for that).
    with _switch(create_graph), np.errstate(all="ignore"):
        while ready:
            node = ready.pop()
            grad = pending.pop(node, None)
            if grad is not None:
                grad = _run_hooks(node, grad)
                if capture is not None and node in capture:
                    capture[node] = grad
            if isinstance(node, AccumulateGrad):
                if grad is not None and capture is None:
                    _accumulate(node, grad, create_graph)
                continue
            if grad is None:
                outs: tuple = (None,) * len(node.next_nodes)
            else:
                outs = node.backward(grad)
                if _State.anomaly:
                    _check_finite(node, outs)
                if not retain_graph:
                    node.release()
            for nxt, g, shape in zip(node.next_nodes, outs, node.input_shapes):
                if nxt is None:
                    continue
                if g is not None:
                    if g.data.shape != shape:
                        g = sum_to_shape(g, shape)
                    pending[nxt] = pending[nxt] + g if nxt in pending else g
                deps[nxt] -= 1
                if deps[nxt] == 0:
                    ready.append(nxt)
            outs = g = grad = None  # drop references so a leaf can take its gradient uncopied


def _seq(x: Any) -> list:
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _root_grads(outputs: list, grad_outputs: list, op: str) -> list:
    """The seed gradient of each output: ones for a scalar, else the given one (shape-checked)."""
    if grad_outputs and len(grad_outputs) != len(outputs):
        raise RuntimeError(
            f"{op}: got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs"
        )
    seeds = []
    for i, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(
                f"{op}: element {i} of tensors does not require grad and does not have a grad_fn"
            )
        g = grad_outputs[i] if grad_outputs else None
        if g is None:
            if out.data.size != 1:
                raise RuntimeError(
                    f"{op}: grad can be implicitly created only for scalar outputs (output {i} "
                    f"has shape {tuple(out.data.shape)}); pass `gradient=` of that shape"
                )
            g = constant(np.ones(out.data.shape, dtype=out.data.dtype))
        elif not isinstance(g, _node.Tensor):
            g = constant(np.asarray(g, dtype=out.data.dtype))
        if g.data.shape != out.data.shape:
            raise RuntimeError(
                f"{op}: mismatch in shape: grad_output[{i}] has a shape of {tuple(g.data.shape)} "
                f"and output[{i}] has a shape of {tuple(out.data.shape)}"
            )
        seeds.append(g)
    return seeds


def backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Sequence[Any] | None = None,
) -> None:
    """Accumulate gradients of `tensors` into the `.grad` of the leaves (or of `inputs` only)."""
    outputs = _seq(tensors)
    seeds = _root_grads(outputs, _seq(grad_tensors), "backward")
    retain = create_graph if retain_graph is None else retain_graph
    if inputs is None:
        run_backward(outputs, seeds, retain, create_graph)
        return
    targets = _seq(inputs)
    capture = {t._grad_node(): None for t in targets}
    run_backward(outputs, seeds, retain, create_graph, capture=capture)
    for t in targets:
        g = capture[t._grad_node()]
        if g is not None:
            g = g if create_graph else g.detach()
            t.grad = g.clone() if t.grad is None else t.grad + g


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    materialize_grads: bool = False,
) -> tuple:
    """Return d(outputs)/d(inputs) without touching any `.grad`. With create_graph=True the
    result is itself differentiable (gradients of gradients)."""
    outs = _seq(outputs)
    ins = _seq(inputs)
    for i, t in enumerate(ins):
        if not t.requires_grad:
            raise RuntimeError(f"grad: input {i} (shape {tuple(t.shape)}) does not require grad")
    seeds = _root_grads(outs, _seq(grad_outputs), "grad")
    retain = create_graph if retain_graph is None else retain_graph
    capture = {t._grad_node(): None for t in ins}
    run_backward(outs, seeds, retain, create_graph, capture=capture)
    result = []
    for i, t in enumerate(ins):
        g = capture[t._grad_node()]
        if g is None:
            if materialize_grads:
                g = constant(np.zeros(t.data.shape, dtype=t.data.dtype))
            elif not allow_unused:
                raise RuntimeError(
                    f"grad: input {i} (shape {tuple(t.shape)}) appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior."
                )
        elif not create_graph:
            g = g.detach()
        result.append(g)
    return tuple(result)
