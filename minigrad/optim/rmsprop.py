"""`RMSprop`: divide the gradient by a running root mean square of recent gradients (Hinton)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from minigrad.optim.optimizer import Optimizer, add, addcdiv, addcmul, at_least_zero, lerp, write
from minigrad.tensor import Tensor


class RMSprop(Optimizer):
    """RMSprop, PyTorch's algorithm in PyTorch's order.

    For each parameter p with gradient g:

        g <- -g                                        if maximize
        g <- g + weight_decay * p                      if weight_decay != 0
        v <- alpha * v + (1 - alpha) * g * g
        if centered:
            a <- lerp(a, g, 1 - alpha)                 (running mean of g)
            avg <- sqrt(v - a * a) + eps
        else:
            avg <- sqrt(v) + eps
        if momentum > 0:
            b <- momentum * b + g / avg                (b starts at 0)
            p <- p - lr * b
        else:
            p <- p - lr * g / avg

    State per parameter: 'step' (a 0-d float32 Tensor), 'square_avg', 'momentum_buffer' when
    momentum > 0, 'grad_avg' when centered.

    Args:
        params: Tensors or param-group dicts to optimize.
        lr: learning rate (default 1e-2).
        alpha: smoothing constant of the averages (default 0.99).
        eps: added to the denominator for stability (default 1e-8).
        weight_decay: L2 penalty added to the gradient (default 0).
        momentum: momentum factor (default 0).
        centered: normalise by an estimate of the gradient's variance instead of its raw
            second moment.
        maximize: ascend the objective instead of descending.
        foreach: PyTorch's kernel choice, accepted and ignored (same arithmetic).
    """

    _checks = (at_least_zero("lr"), at_least_zero("eps"), at_least_zero("momentum"),
               at_least_zero("weight_decay"), at_least_zero("alpha"))
    _unsupported = ("capturable", "differentiable")

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> None:
        state = self.state[p]
        state["step"] = Tensor._make(np.array(0.0, dtype=np.float32))
        state["square_avg"] = Tensor._make(np.zeros_like(p.data))
        if float(group["momentum"]) > 0:
            state["momentum_buffer"] = Tensor._make(np.zeros_like(p.data))
        if group["centered"]:
            state["grad_avg"] = Tensor._make(np.zeros_like(p.data))

    def _update(self, p: Tensor, group: dict[str, Any]) -> None:
        lr, alpha, eps = float(group["lr"]), float(group["alpha"]), float(group["eps"])
        weight_decay, momentum = float(group["weight_decay"]), float(group["momentum"])
        state = self.state[p]
        param, grad = p.data, (-p.grad.data if group["maximize"] else p.grad.data)
        state["step"].data += 1
        if weight_decay != 0:
            grad = add(grad, param, weight_decay)
        square_avg = state["square_avg"].data
        square_avg *= alpha
        square_avg[...] = addcmul(square_avg, grad, grad, 1 - alpha)
        if group["centered"]:
            grad_avg = state["grad_avg"].data
            grad_avg[...] = lerp(grad_avg, grad, 1 - alpha)
            avg = np.sqrt(addcmul(square_avg, grad_avg, grad_avg, -1))
        else:
            avg = np.sqrt(square_avg)
        avg += eps
        if momentum > 0:
            buf = state["momentum_buffer"].data
            buf *= momentum
            buf[...] = addcdiv(buf, grad, avg, 1)
            write(p, add(param, buf, -lr))
        else:
            write(p, addcdiv(param, grad, avg, -lr))
