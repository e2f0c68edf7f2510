"""`AdamW`: Adam with decoupled weight decay (Loshchilov & Hutter)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from minigrad.optim.adam import Adam


class AdamW(Adam):
    """Adam whose weight decay shrinks the parameter directly instead of entering the gradient.

    Each step first applies p <- p * (1 - lr * weight_decay), then the Adam update of `Adam`
    with the raw gradient (see its docstring for the full order). The default weight_decay is
    0.01; the group option 'decoupled_weight_decay' is always True.

    Args:
        params: Tensors or param-group dicts to optimize.
        lr: learning rate (default 1e-3).
        betas: decay rates of the first and second moment averages (default (0.9, 0.999)).
        eps: added to the denominator for stability (default 1e-8).
        weight_decay: decoupled decay coefficient (default 1e-2).
        amsgrad: use the running maximum of the second moment (AMSGrad).
        maximize: ascend the objective instead of descending.
        foreach, fused: PyTorch's kernel choices, accepted and ignored (same arithmetic).
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load as `Optimizer.load_state_dict`; the decay stays decoupled, as in PyTorch."""
        super().load_state_dict(state_dict)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
