"""`Optimizer`: the base of every optimizer. It keeps PyTorch's `param_groups` and `state`, runs
the step loop and the option checks for every optimizer, and holds the NumPy update kernels the
optimizers share, rounded the way PyTorch's CPU kernels round."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

import numpy as np

from minigrad.autograd.grad_mode import enable_grad
from minigrad.tensor import Tensor, zero_grads


class _RequiredParameter:
    """Marks an option without a default: every param group must give it."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


class Optimizer:
    """Base class of all optimizers: param groups, per-parameter state, state dicts.

    Args:
        params: an iterable of Tensors, of `(name, Tensor)` pairs, or of dicts (param groups:
            `{"params": [...], "lr": ...}`, where a group's options override `defaults`).
        defaults: every option's default value (`required` for one with no default).

    `param_groups` is a list of dicts holding 'params' and every option; `state` maps a parameter
    Tensor to a dict of its buffers (minigrad Tensors) and counters, as in PyTorch.

    An optimizer subclass declares `_checks` (its option checks, in PyTorch's order) and
    `_unsupported` (PyTorch flags minigrad rejects), and defines `_update` (one parameter's
    update) and, if its state is made before the first update, `_init_state`. The constructor
    runs the checks on `defaults`; `step()` loops over the groups and parameters.
    """

    _checks: tuple[OptionCheck, ...] = ()
    _unsupported: tuple[str, ...] = ()
    # step() calls so far, and the count when the first lr scheduler was attached: a scheduler
    # stepped before the optimizer has stepped since then warns, as in PyTorch.
    _step_count: int = 0
    _scheduled_at_step: int | None = None

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self._validate(defaults)
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {params.type()}"
            )
        self.state: defaultdict[Any, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __repr__(self) -> str:
        text = f"{type(self).__name__} ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters (with its own options) to `param_groups`."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. "
                                 "Some param names are missing")
            param_group["param_names"] = names
        param_group["params"] = params
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                kind = type(p).__qualname__
                if type(p).__module__ != "builtins":
                    kind = f"{type(p).__module__}.{kind}"
                raise TypeError(
                    f"optimizer can only optimize Tensors, but one of the params is {kind}"
                )
            if not (p.is_leaf or p.retains_grad):
                raise ValueError(
                    f"can't optimize a non-leaf Tensor: parameter {i} of the group (shape "
                    f"{tuple(p.shape)}) was made by {p.grad_fn.name()}; optimize the leaf it "
                    "comes from, or a detached copy with requires_grad=True"
                )
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        for g, group in enumerate(self.param_groups):
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
            held = {id(p) for p in group["params"]}
            for i, p in enumerate(params):
                if id(p) in held:
                    raise ValueError(
                        "some parameters appear in more than one parameter group: parameter "
                        f"{i} of the new group (shape {tuple(p.shape)}) is already in group {g}"
                    )
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's `.grad`: to None (default) or to zeros, in place."""
        zero_grads((p for group in self.param_groups for p in group["params"]), set_to_none)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; returns the closure's loss, if given."""
        self._step_count += 1
        loss = self._evaluate(closure)
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if not self.state.get(p):  # .get: a parameter without state gets no entry
                    self._init_state(p, group)
                self._update(p, group)
        return loss

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> None:
        """Fill `self.state[p]` before p's first update (optimizers with buffers define it)."""

    def _update(self, p: Tensor, group: dict[str, Any]) -> None:
        """One parameter's update under its group's options (each optimizer defines it)."""
        raise NotImplementedError(f"{type(self).__name__} defines no update rule")

    def _validate(self, defaults: dict[str, Any]) -> None:
        """Run this optimizer's option checks on its defaults, then reject unsupported flags."""
        for check in self._checks:
            if check.fails(defaults):
                raise ValueError(check.message.format(**defaults))
        for flag in self._unsupported:
            if defaults[flag]:
                raise NotImplementedError(
                    f"{type(self).__name__}: {flag}=True is not supported by minigrad"
                )

    @staticmethod
    def _evaluate(closure: Callable[[], Any] | None) -> Any:
        """Run the closure (which recomputes the loss and its gradients) with grad enabled."""
        if closure is None:
            return None
        with enable_grad():
            return closure()

    # -- state dicts ----------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """PyTorch's layout: {'state': {index: {...}}, 'param_groups': [{..., 'params': [index]}]}.

        Parameters are numbered in group order; the state values are this optimizer's own
        buffers (not copies), as in PyTorch.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a `state_dict()` (from minigrad or PyTorch) into this optimizer's parameters.

        The groups must match in number and size. Group options are taken from the state dict;
        state tensors are copied and cast to their parameter's dtype ('step' keeps its dtype).
        Unlike PyTorch, which shares tensors whose dtype already matches, this always copies, so
        the loaded optimizer never writes into the buffers of the one it came from.
        """
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError(
                "loaded state dict has a different number of parameter groups: it has "
                f"{len(saved_groups)}, the optimizer has {len(groups)}"
            )
        for i, (group, saved) in enumerate(zip(groups, saved_groups, strict=True)):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size "
                    f"of optimizer's group: group {i} has {len(saved['params'])} parameters in "
                    f"the state dict and {len(group['params'])} in the optimizer"
                )
        id_map = {}
        for group, saved in zip(groups, saved_groups, strict=True):
            id_map.update(zip(saved["params"], group["params"], strict=True))
        state: defaultdict[Any, dict[str, Any]] = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in id_map:
                param = id_map[key]
                state[param] = _cast(param, value)
            else:
                state[key] = value
        for group, saved in zip(groups, saved_groups, strict=True):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
        self.state = state
        self.param_groups = saved_groups


def _cast(param: Tensor, value: Any, key: Any = None) -> Any:
    """A copy of a saved state value: tensors in the parameter's dtype ('step' as it is)."""
    if isinstance(value, Tensor):
        dtype = param.data.dtype if key != "step" and param.is_floating_point() else None
        return Tensor._make(value.data.astype(dtype or value.data.dtype, copy=True))
    if isinstance(value, dict):
        return {k: _cast(param, v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(param, v) for v in value)
    return value


# -- option checks --------------------------------------------------------------------------------
# The constructor options PyTorch checks, with its messages. An optimizer lists the checks that
# apply to it in `_checks`, in PyTorch's order: the first failing one is the error raised.


@dataclass(frozen=True)
class OptionCheck:
    """One option rule: when `fails(defaults)`, the constructor raises ValueError(message).

    `message` is formatted with the options: "Invalid learning rate: {lr}".
    """

    fails: Callable[[dict[str, Any]], bool]
    message: str


_INVALID = {
    "lr": "Invalid learning rate: {lr}",
    "eps": "Invalid epsilon value: {eps}",
    "momentum": "Invalid momentum value: {momentum}",
    "weight_decay": "Invalid weight_decay value: {weight_decay}",
    "alpha": "Invalid alpha value: {alpha}",
    "lr_decay": "Invalid lr_decay value: {lr_decay}",
    "initial_accumulator_value": "Invalid initial_accumulator_value value: "
                                 "{initial_accumulator_value}",
}


def at_least_zero(option: str, *, nan_passes: bool = False) -> OptionCheck:
    """The option must be >= 0. PyTorch's SGD tests `value < 0.0`, which lets NaN through
    (`nan_passes=True`); the other optimizers test `not 0.0 <= value`, which rejects it."""
    if nan_passes:
        return OptionCheck(lambda o: o[option] < 0.0, _INVALID[option])
    return OptionCheck(lambda o: not 0.0 <= o[option], _INVALID[option])


def beta_below_one(index: int) -> OptionCheck:
    """betas[index] must lie in [0, 1)."""
    return OptionCheck(lambda o: not 0.0 <= o["betas"][index] < 1.0,
                       f"Invalid beta parameter at index {index}: {{betas[{index}]}}")


NESTEROV = OptionCheck(
    lambda o: bool(o["nesterov"]) and (o["momentum"] <= 0 or o["dampening"] != 0),
    "Nesterov momentum requires a momentum and zero dampening",
)


# -- update kernels -------------------------------------------------------------------------------
# PyTorch's CPU kernels compute `add(x, alpha)`, `lerp` and `addcmul` as one fused multiply-add
# (vec::fmadd: a single rounding), `addcdiv` as self + (value * t1) / t2, and round every Python
# number to the tensor's dtype first. The helpers below follow the same formulas and operand
# order. NumPy has no fma: emulating its single rounding (float64 product and sum, then one
# rounding) costs about five times a plain float32 update, so minigrad rounds the product and
# then the sum: an element differs from PyTorch by at most half an ulp of the product.


def _scalar(value: float, like: np.ndarray) -> float:
    """A Python number rounded to the array's dtype (as PyTorch casts a scalar operand)."""
    return float(like.dtype.type(value))


def fma(a: Any, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """a * b + c (PyTorch fuses this into one rounding; see the note above)."""
    out = np.multiply(b, a)
    out += c
    return out


def add(x: np.ndarray, y: np.ndarray, alpha: float) -> np.ndarray:
    """torch.add(x, y, alpha=alpha): x + alpha * y."""
    return fma(_scalar(alpha, x), y, x)


def lerp(start: np.ndarray, end: np.ndarray, weight: float) -> np.ndarray:
    """torch.lerp(start, end, weight), anchored at the nearer end like PyTorch's kernel."""
    w = start.dtype.type(weight)
    diff = end - start
    if abs(w) < 0.5:
        return fma(float(w), diff, start)
    return fma(float(w - start.dtype.type(1)), diff, end)


def addcmul(x: np.ndarray, t1: np.ndarray, t2: np.ndarray, value: float) -> np.ndarray:
    """torch.addcmul(x, t1, t2, value=value): x + value * t1 * t2."""
    return fma(t1 * _scalar(value, x), t2, x)


def addcdiv(x: np.ndarray, t1: np.ndarray, t2: np.ndarray, value: float) -> np.ndarray:
    """torch.addcdiv(x, t1, t2, value=value): x + value * t1 / t2."""
    return x + t1 * _scalar(value, x) / t2


def write(param: Tensor, value: np.ndarray) -> None:
    """Store an update into the parameter's own memory and bump its version counter."""
    param.data[...] = value
    param._bump_version()
