"""`SGD`: stochastic gradient descent with optional momentum, dampening and Nesterov."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from minigrad.optim.optimizer import NESTEROV, Optimizer, add, at_least_zero, write
from minigrad.tensor import Tensor


class SGD(Optimizer):
    """Stochastic gradient descent, PyTorch's algorithm in PyTorch's order.

    For each parameter p with gradient g, at step t:

        g <- -g                                    if maximize
        g <- g + weight_decay * p                  if weight_decay != 0
        if momentum != 0:
            b <- g                                 at the first step (no dampening applied)
            b <- momentum * b + (1 - dampening) * g     afterwards
            g <- g + momentum * b if nesterov else b
        p <- p - lr * g

    State per parameter: 'momentum_buffer' (only when momentum != 0).

    Args:
        params: Tensors or param-group dicts to optimize.
        lr: learning rate (default 1e-3).
        momentum: momentum factor (default 0).
        dampening: dampening for momentum (default 0).
        weight_decay: L2 penalty added to the gradient (default 0).
        nesterov: Nesterov momentum; needs momentum > 0 and dampening 0.
        maximize: ascend the objective instead of descending.
        foreach, fused: PyTorch's kernel choices, accepted and ignored (same arithmetic).
    """

    # PyTorch's SGD compares `value < 0.0`, so a NaN option passes its checks.
    _checks = (at_least_zero("lr", nan_passes=True), at_least_zero("momentum", nan_passes=True),
               at_least_zero("weight_decay", nan_passes=True), NESTEROV)
    _unsupported = ("differentiable",)

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                        foreach=foreach, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, group: dict[str, Any]) -> None:
        lr, momentum = float(group["lr"]), float(group["momentum"])
        dampening, weight_decay = float(group["dampening"]), float(group["weight_decay"])
        grad = -p.grad.data if group["maximize"] else p.grad.data
        if weight_decay != 0:
            grad = add(grad, p.data, weight_decay)
        if momentum != 0:
            # The buffer is made here, from the first gradient: SGD has no `_init_state`.
            state = self.state[p]
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = Tensor._make(grad.copy())
            else:
                buf.data *= momentum
                buf.data[...] = add(buf.data, grad, 1 - dampening)
            grad = add(grad, buf.data, momentum) if group["nesterov"] else buf.data
        write(p, add(p.data, grad, -lr))
