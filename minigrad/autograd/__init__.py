"""minigrad.autograd: the backward engine's public face (`backward`, `grad`), grad modes,
gradcheck and anomaly detection, with PyTorch's names."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad.autograd.anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from minigrad.autograd.custom_function import Function, FunctionCtx
from minigrad.autograd.engine import run_backward
from minigrad.autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from minigrad.autograd.gradcheck import gradcheck, gradgradcheck

__all__ = [
    "Function", "FunctionCtx", "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled",
    "inference_mode", "is_grad_enabled", "gradcheck", "gradgradcheck", "detect_anomaly",
    "set_detect_anomaly", "is_anomaly_enabled",
]


def _seq(x: Any) -> list:
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _root_grads(outputs: list, grad_outputs: list, op: str) -> list:
    """The seed gradient of each output: ones for a scalar, else the given one (shape-checked)."""
    from minigrad.tensor import Tensor

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
            g = Tensor._make(np.ones(out.data.shape, dtype=out.data.dtype))
        elif not isinstance(g, Tensor):
            g = Tensor._make(np.asarray(g, dtype=out.data.dtype))
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
    from minigrad.tensor import Tensor

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
                g = Tensor._make(np.zeros(t.data.shape, dtype=t.data.dtype))
            elif not allow_unused:
                raise RuntimeError(
                    f"grad: input {i} (shape {tuple(t.shape)}) appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior."
                )
        elif not create_graph:
            g = g.detach()
        result.append(g)
    return tuple(result)
