"""`Adagrad`: per-coordinate learning rates from the sum of squared gradients (Duchi et al.)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from minigrad.optim.optimizer import Optimizer, add, addcdiv, addcmul, at_least_zero, write
from minigrad.tensor import Tensor


class Adagrad(Optimizer):
    """Adagrad, PyTorch's algorithm in PyTorch's order.

    For each parameter p with gradient g, at step t (counted per parameter from 1):

        g <- -g                                        if maximize
        g <- g + weight_decay * p                      if weight_decay != 0
        clr <- lr / (1 + (t - 1) * lr_decay)
        s <- s + g * g                                 (s starts at initial_accumulator_value)
        p <- p - clr * g / (sqrt(s) + eps)

    State per parameter, made at construction as in PyTorch: 'step' (a 0-d float32 Tensor) and
    'sum'. As in PyTorch, the accumulator starts at the constructor's initial_accumulator_value
    for every group (a group's own value is kept in the group but not used).

    Args:
        params: Tensors or param-group dicts to optimize.
        lr: learning rate (default 1e-2).
        lr_decay: learning rate decay per step (default 0).
        weight_decay: L2 penalty added to the gradient (default 0).
        initial_accumulator_value: starting value of the sum of squares (default 0).
        eps: added to the denominator for stability (default 1e-10).
        maximize: ascend the objective instead of descending.
        foreach, fused: PyTorch's kernel choices, accepted and ignored (same arithmetic).
    """

    _checks = (at_least_zero("lr"), at_least_zero("lr_decay"), at_least_zero("weight_decay"),
               at_least_zero("initial_accumulator_value"), at_least_zero("eps"))
    _unsupported = ("differentiable",)

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:  # PyTorch makes Adagrad's state at construction
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> None:
        state = self.state[p]
        state["step"] = Tensor._make(np.array(0.0, dtype=np.float32))
        start = self.defaults["initial_accumulator_value"]  # not the group's: PyTorch's quirk
        state["sum"] = Tensor._make(np.full_like(p.data, start))

    def _update(self, p: Tensor, group: dict[str, Any]) -> None:
        lr, lr_decay = float(group["lr"]), float(group["lr_decay"])
        eps, weight_decay = float(group["eps"]), float(group["weight_decay"])
        state = self.state[p]
        state["step"].data += 1
        step = float(state["step"].data)
        grad = -p.grad.data if group["maximize"] else p.grad.data
        if weight_decay != 0:
            grad = add(grad, p.data, weight_decay)
        clr = lr / (1 + (step - 1) * lr_decay)
        state_sum = state["sum"].data
        state_sum[...] = addcmul(state_sum, grad, grad, 1)
        std = np.sqrt(state_sum)
        std += eps
        write(p, addcdiv(p.data, grad, std, -clr))
