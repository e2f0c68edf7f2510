"""The fuzz table: one `OpSpec` per op, by family, and the coverage check against the API that
minigrad and PyTorch share (found by introspection, so a new minigrad op shows up as uncovered
until a row draws it)."""

from __future__ import annotations

import inspect

import torch

import minigrad
from parity.fuzz.specs import creation, elementwise, index, linalg, nn_layers, nn_loss, reduce
from parity.fuzz.specs import shape as shape_ops
from parity.fuzz.specs._common import OpSpec

SPECS: list[OpSpec] = [
    *elementwise.SPECS, *reduce.SPECS, *shape_ops.SPECS, *index.SPECS, *creation.SPECS,
    *linalg.SPECS, *nn_loss.SPECS, *nn_layers.SPECS,
]
assert len({s.name for s in SPECS}) == len(SPECS), "duplicate op names in the fuzz table"

# Shared names deliberately not fuzzed, and why: they draw random numbers (the two generators
# differ), do I/O or device moves, are autograd plumbing rather than ops, or return
# uninitialised memory.
NOT_FUZZED = {
    "random": ("Tensor.normal_", "Tensor.uniform_", "minigrad.rand", "minigrad.rand_like",
               "minigrad.randn", "minigrad.randn_like", "minigrad.randint",
               "minigrad.randint_like", "minigrad.randperm", "minigrad.multinomial",
               "minigrad.manual_seed", "minigrad.seed", "minigrad.initial_seed",
               "minigrad.get_rng_state", "minigrad.set_rng_state"),
    "uninitialised": ("minigrad.empty", "minigrad.empty_like", "Tensor.new_empty"),
    "io, devices, printing": ("minigrad.save", "minigrad.load", "Tensor.cuda", "Tensor.numpy",
                              "minigrad.set_printoptions", "Tensor.device", "Tensor.is_cuda"),
    "autograd plumbing": ("Tensor.backward", "Tensor.register_hook", "Tensor.retain_grad",
                          "Tensor.retains_grad", "Tensor.grad", "Tensor.grad_fn",
                          "Tensor.is_leaf", "Tensor.requires_grad", "Tensor.detach_",
                          "Tensor.data", "minigrad.is_grad_enabled", "Tensor.dtype",
                          "Tensor.shape", "Tensor.ndim"),
    "needs module state": ("F.multi_head_attention_forward",),
    "only reachable from an ndarray on the left": ("Tensor.__rmatmul__",),
}


def shared_api() -> list[str]:
    """Every public name minigrad offers that PyTorch has too: `Tensor.x` (methods, properties,
    Python operators), `minigrad.x` (functions) and `F.x` (nn.functional)."""
    names = []
    for n in dir(minigrad.Tensor):
        dunder = n.startswith("__") and n.endswith("__")
        if (not n.startswith("_") or dunder) and hasattr(torch.Tensor, n):
            if dunder and (n not in vars(minigrad.Tensor) and not any(
                    n in vars(c) for c in minigrad.Tensor.__mro__[1:-1])):
                continue
            if dunder and n in _PROTOCOL:
                continue
            names.append(f"Tensor.{n}")
    for n in dir(minigrad):
        obj = getattr(minigrad, n)
        if n.startswith("_") or inspect.ismodule(obj) or inspect.isclass(obj):
            continue
        if callable(obj) and hasattr(torch, n):
            names.append(f"minigrad.{n}")
    mf, tf = minigrad.nn.functional, torch.nn.functional
    for n in dir(mf):
        obj = getattr(mf, n)
        if not n.startswith("_") and callable(obj) and not inspect.ismodule(obj) and \
                hasattr(tf, n):
            names.append(f"F.{n}")
    return sorted(names)


# Python protocol methods that are not ops (construction, repr, pickling, hashing, ...).
_PROTOCOL = {"__init__", "__repr__", "__hash__", "__format__", "__reduce_ex__", "__deepcopy__",
             "__array__", "__array_priority__", "__iter__", "__setstate__", "__getstate__",
             "__weakref__", "__slots__", "__doc__", "__module__", "__dict__", "__class__"}


def uncovered() -> list[str]:
    """Shared API names that no spec covers and that NOT_FUZZED does not list."""
    covered = {c for s in SPECS for c in s.covers}
    skipped = {n for group in NOT_FUZZED.values() for n in group}
    aliases = {"minigrad.clip": "minigrad.clamp", "minigrad.concat": "minigrad.cat"}
    return [n for n in shared_api() if n not in covered and n not in skipped
            and aliases.get(n) not in covered]
