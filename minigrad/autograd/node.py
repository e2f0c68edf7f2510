"""`Op`: the base of every differentiable op, and the graph node that `grad_fn` points to.

(`minigrad.autograd.Function` is PyTorch's user API for custom ops, built on this in
custom_function.py.) An op subclasses `Op` with `forward(*arrays, **options) -> ndarray`
(NumPy in, NumPy out) and `backward(grad) -> tuple of Tensors` (written with Tensor ops, so
that with `create_graph=True` the backward pass is itself recorded and can be differentiated again).
`forward` says what backward needs with `keep_inputs(i, ...)` and `keep_output()`: like
chainer's `retain_inputs`, only those tensors stay alive until backward frees them.
"""

from __future__ import annotations

import traceback
import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad.autograd.grad_mode import _Flags, _State

if TYPE_CHECKING:
    from minigrad.tensor import Tensor

_new = object.__new__
_ndarray = np.ndarray

# The one place the ops -> tensor import cycle is broken: minigrad.tensor sets this to the
# Tensor class when it is imported (an op builds Tensors; Tensor methods call ops).
Tensor: Any = None

FREED_MESSAGE = (
    "{name}: trying to backward through the graph a second time (or to read saved tensors after "
    "they were freed). Saved values are freed after backward; call .backward(retain_graph=True) "
    "or autograd.grad(..., retain_graph=True) if you need to backward through it again."
)


class Node:
    """A vertex of the backward graph: its inputs' nodes, their shapes, and hooks on its output."""

    __slots__ = ("next_nodes", "input_shapes", "__dict__", "__weakref__")

    # Hooks on the node's output gradient: user hooks (a dict, may replace the gradient) and
    # retain_grad hooks (a list, run last). Class-level None until someone registers one.
    pre_hooks: dict | None = None
    retain_hooks: list | None = None

    def name(self) -> str:
        return type(self).__name__

    @property
    def next_functions(self) -> tuple:
        """PyTorch/torchviz view of the edges: ((node or None, 0), ...)."""
        return tuple((n, 0) for n in self.next_nodes)

    def __repr__(self) -> str:
        return f"<{self.name()} object at {hex(id(self))}>"


class AccumulateGrad(Node):
    """Terminal node of a leaf tensor: adds the incoming gradient into `variable.grad`."""

    __slots__ = ("variable",)

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable
        self.next_nodes = ()
        self.input_shapes = ()

    @property
    def metadata(self) -> dict:
        return {}


class Op(Node):
    """Base class of the ops. `Op.apply(*tensors, **options)` runs forward and records the node.

    Subclass contract: `forward(self, *arrays, **options) -> np.ndarray` may set attributes
    (axes, masks) and call `keep_inputs`/`keep_output`; `backward(self, grad)` returns one
    gradient (a Tensor or None) per tensor input, of the input's shape or broadcastable to it:
    the engine sums it back to the recorded shape.
    """

    __slots__ = ("needs_input_grad", "_out", "creation_trace")

    # True for ops whose output shares memory with input 0 (views share its version counter).
    is_view = False
    # Defaults read on every call; forward overrides them per instance (no __init__ to run).
    _keep: tuple = ()
    _keep_out = False
    _saved: tuple = ()  # ((tensor, version at save), ...) for the kept inputs
    freed = False

    def name(self) -> str:
        return type(self).__name__ + "Backward0"

    # -- what forward keeps for backward ------------------------------------------------------
    def keep_inputs(self, *indices: int) -> None:
        """Keep these inputs (by position) for backward; read them back as `saved_inputs`."""
        self._keep = indices

    def keep_output(self) -> None:
        """Keep the output for backward; read it back as `saved_output`."""
        self._keep_out = True

    @property
    def saved_inputs(self) -> tuple:
        """The kept input tensors, checked against in-place changes since forward."""
        if self.freed:
            raise RuntimeError(FREED_MESSAGE.format(name=self.name()))
        for tensor, version in self._saved:
            if tensor._version != version:
                raise _modified_error(self, tensor, version)
        return tuple(t for t, _ in self._saved)

    @property
    def saved_output(self) -> Tensor:
        """The kept output; while recording (create_graph) it is attached to this node again."""
        if self.freed:
            raise RuntimeError(FREED_MESSAGE.format(name=self.name()))
        data, vc, version = self._out
        if vc[0] != version:
            raise _modified_error(self, Tensor._make(data), version, vc[0])
        out = Tensor._make(data, _State.enabled)
        out._vc = vc
        if _State.enabled:
            out.grad_fn = self
        return out

    def release(self) -> None:
        """Free what forward kept, as backward does unless retain_graph=True."""
        self._saved = ()
        self._out = None
        self.freed = True

    # -- running the op -----------------------------------------------------------------------
    @classmethod
    def apply(cls, *inputs: Tensor, **options: Any) -> Tensor:
        """Run forward on the inputs' arrays; when recording, make this op the output's grad_fn."""
        fn = _new(cls)
        try:
            data = fn.forward(*[t.data for t in inputs], **options)
        except ValueError as err:
            raise _shape_error(cls, inputs, err) from None
        if data.__class__ is not _ndarray:  # NumPy returns scalars from 0-d math: keep arrays
            data = np.asarray(data)
        if _State.enabled:
            if rebased[0]:  # some in-place op has changed a tensor's history: views may be stale
                for t in inputs:
                    if t._view is not None and t._view[0].grad_fn is not t._view[2]:
                        refresh_view(t)
            needs = tuple([t._requires_grad for t in inputs])
        else:
            needs = ()
        recorded = True in needs
        out = Tensor._make(data, recorded)
        if cls.is_view and (np.may_share_memory(data, inputs[0].data)
                            or (data.size == 0 and data.base is not None)):
            _mark_view(out, inputs[0], cls, options)
        if not recorded:
            return out
        fn.needs_input_grad = needs
        fn.next_nodes = tuple([
            (t.grad_fn if t.grad_fn is not None else accumulator_of(t)) if n else None
            for t, n in zip(inputs, needs)
        ])
        fn.input_shapes = tuple([t.data.shape for t in inputs])
        if fn._keep:
            fn._saved = tuple([(inputs[i], inputs[i]._version) for i in fn._keep])
        if fn._keep_out:
            vc = out._shared_vc()
            fn._out = (data, vc, vc[0])
        if _Flags.anomaly:
            fn.creation_trace = "".join(traceback.format_stack()[:-2])
        modules = _State.modules
        if modules:
            fn._module = modules[-1]
        out.grad_fn = fn
        return out

    def forward(self, *arrays: np.ndarray, **options: Any) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} has no forward")

    def backward(self, grad: Tensor) -> tuple:
        raise NotImplementedError(f"{type(self).__name__} is not differentiable")


# -- views: what an in-place change of shared memory has to update --------------------------------
def _mark_view(out: Tensor, source: Tensor, op: type, options: dict) -> None:
    """Record that `out` is a view of `source`'s memory: it shares the version counter, and
    `_view` = (root base, the chain of view ops from the base, the base's grad_fn then), so
    an in-place change through the view can rebase the base's history (ops/index.CopySlices)
    and a view whose base was rebased since can regenerate its own (`refresh_view`)."""
    out._vc = source._shared_vc()
    if source._view is None:
        out._view = (source, ((op, options),), source.grad_fn)
    else:
        base, chain, _ = source._view
        out._view = (base, chain + ((op, options),), base.grad_fn)


# How many recorded in-place ops have replaced a tensor's history (methods/inplace.py counts).
# While it is 0, no view can be stale, and Op.apply skips looking at its inputs' views.
rebased = [0]


def view_of(base: Tensor, chain: tuple) -> Tensor:
    """Re-apply a chain of view ops to base (recorded when grad mode is on)."""
    out = base
    for op, options in chain:
        out = op.apply(out, **options)
    return out


def refresh_view(t: Tensor) -> None:
    """An in-place op rebased t's base since t was made: t's history is now the view of the
    base's new history, as PyTorch regenerates a view's grad_fn from its base."""
    base, chain, _ = t._view
    fresh = view_of(base, chain)
    t.grad_fn, t._requires_grad = fresh.grad_fn, fresh._requires_grad
    t._view = (base, chain, base.grad_fn)


def _modified_error(
    fn: Op, tensor: Tensor, expected: int, now: int | None = None
) -> Exception:
    now = tensor._version if now is None else now
    return RuntimeError(
        f"one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{tensor.dtype.name} {tuple(tensor.shape)}], which is output 0 of "
        f"{tensor.grad_fn.name() if tensor.grad_fn else 'a leaf'}, is at version {now}; "
        f"expected version {expected} instead (saved by {fn.name()})."
    )


def _shape_error(cls: type, inputs: tuple, err: Exception) -> Exception:
    """A forward's NumPy ValueError restated with the op's name and the input shapes."""
    shapes = [tuple(t.data.shape) for t in inputs]
    return broadcast_error(cls.__name__.lower(), shapes, err)


def broadcast_error(name: str, shapes: Any, err: Exception | None = None) -> Exception:
    """PyTorch's message for shapes that do not broadcast, naming the op and the shapes (or,
    when they do broadcast, `err` restated with them)."""
    shapes = [tuple(s) for s in shapes]
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        rank = max(len(s) for s in shapes)
        padded = [(1,) * (rank - len(s)) + s for s in shapes]
        for dim in range(rank):
            sizes = {p[dim] for p in padded} - {1}
            if len(sizes) > 1:
                a, b = (p[dim] for p in padded[:2])
                return RuntimeError(
                    f"{name}: the size of tensor a ({a}) must match the size of tensor b ({b}) "
                    f"at non-singleton dimension {dim} (shapes {', '.join(map(str, shapes))})"
                )
    return RuntimeError(f"{name}: {err} (input shapes {', '.join(map(str, shapes))})")


def accumulator_of(tensor: Tensor) -> AccumulateGrad:
    """The leaf's AccumulateGrad node, shared by every use of the leaf (held weakly by it)."""
    ref = tensor._accumulator
    node = ref() if ref is not None else None
    if node is None:
        node = AccumulateGrad(tensor)
        tensor._accumulator = weakref.ref(node)
    return node


def constant(array: np.ndarray) -> Tensor:
    """Wrap an array as a Tensor that needs no gradient (masks and constants inside backward)."""
    return Tensor._make(array)
