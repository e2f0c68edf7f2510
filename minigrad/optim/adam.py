"""`Adam`: adaptive moment estimation (Kingma & Ba), with optional AMSGrad and decoupled decay."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from minigrad.optim.optimizer import (
    Optimizer,
    add,
    addcdiv,
    addcmul,
    at_least_zero,
    beta_below_one,
    lerp,
    write,
)
from minigrad.tensor import Tensor


class Adam(Optimizer):
    """Adam, PyTorch's algorithm in PyTorch's order (eps is added after bias correction).

    For each parameter p with gradient g, at step t (counted per parameter from 1):

        g <- -g                                        if maximize
        p <- p * (1 - lr * weight_decay)               if weight_decay and decoupled (AdamW)
        g <- g + weight_decay * p                      if weight_decay and not decoupled
        m <- lerp(m, g, 1 - beta1)                     (= beta1 * m + (1 - beta1) * g)
        v <- beta2 * v + (1 - beta2) * g * g
        v_max <- max(v_max, v)                         if amsgrad (then v_max replaces v below)
        denom <- sqrt(v) / sqrt(1 - beta2^t) + eps
        p <- p - (lr / (1 - beta1^t)) * m / denom

    State per parameter: 'step' (a 0-d float32 Tensor), 'exp_avg', 'exp_avg_sq', and
    'max_exp_avg_sq' when amsgrad.

    Args:
        params: Tensors or param-group dicts to optimize.
        lr: learning rate (default 1e-3).
        betas: decay rates of the first and second moment averages (default (0.9, 0.999)).
        eps: added to the denominator for stability (default 1e-8).
        weight_decay: L2 penalty (default 0); decoupled from the gradient when
            decoupled_weight_decay (that is AdamW).
        amsgrad: use the running maximum of the second moment (AMSGrad).
        maximize: ascend the objective instead of descending.
        foreach, fused: PyTorch's kernel choices, accepted and ignored (same arithmetic).
    """

    _checks = (at_least_zero("lr"), at_least_zero("eps"), beta_below_one(0), beta_below_one(1),
               at_least_zero("weight_decay"))
    _unsupported = ("capturable", "differentiable")

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> None:
        state = self.state[p]
        state["step"] = Tensor._make(np.array(0.0, dtype=np.float32))
        state["exp_avg"] = Tensor._make(np.zeros_like(p.data))
        state["exp_avg_sq"] = Tensor._make(np.zeros_like(p.data))
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = Tensor._make(np.zeros_like(p.data))

    def _update(self, p: Tensor, group: dict[str, Any]) -> None:
        lr, eps, weight_decay = float(group["lr"]), float(group["eps"]), \
            float(group["weight_decay"])
        beta1, beta2 = (float(b) for b in group["betas"])
        state = self.state[p]
        param, grad = p.data, (-p.grad.data if group["maximize"] else p.grad.data)
        exp_avg, exp_avg_sq = state["exp_avg"].data, state["exp_avg_sq"].data
        state["step"].data += 1  # float32, like PyTorch's step tensor
        step = float(state["step"].data)
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                param *= 1 - lr * weight_decay
            else:
                grad = add(grad, param, weight_decay)
        exp_avg[...] = lerp(exp_avg, grad, 1 - beta1)
        exp_avg_sq *= beta2
        exp_avg_sq[...] = addcmul(exp_avg_sq, grad, grad, 1 - beta2)
        step_size = lr / (1 - beta1**step)
        bias_correction2_sqrt = (1 - beta2**step) ** 0.5
        if group["amsgrad"]:
            second = state["max_exp_avg_sq"].data
            np.maximum(second, exp_avg_sq, out=second)
        else:
            second = exp_avg_sq
        denom = np.sqrt(second) / bias_correction2_sqrt
        denom += eps
        write(p, addcdiv(param, exp_avg, denom, -step_size))
