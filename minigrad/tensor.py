"""`Tensor`: an ndarray, its gradient and the node that made it.

This file holds the core: construction, the autograd attributes (`requires_grad`, `grad`,
`grad_fn`, version counter), `backward` and hooks, conversions, the in-place plumbing and the
Python protocol. The math lives in mixins that mirror `minigrad/ops/`: `methods/elementwise.py`,
`reduce.py`, `shape.py`, `index.py`, `linalg.py`, `sorting.py`; each method calls one op.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad._printing import tensor_repr
from minigrad.autograd import node as _node
from minigrad.autograd.engine import backward as _backward
from minigrad.autograd.grad_mode import _State
from minigrad.autograd.node import accumulator_of
from minigrad.methods.compare import CompareMethods
from minigrad.methods.conversion import CPU, ConversionMethods, device
from minigrad.methods.elementwise import ElementwiseMethods
from minigrad.methods.index import IndexMethods
from minigrad.methods.inplace import InplaceMethods
from minigrad.methods.linalg import LinalgMethods
from minigrad.methods.reduce import ReduceMethods
from minigrad.methods.shape import ShapeMethods
from minigrad.methods.sorting import SortingMethods
from minigrad.ops import elementwise as ew
from minigrad.ops.reduce import normalize_dims
from minigrad.utils.hooks import RemovableHandle


class Size(tuple):
    """A tensor's shape: a tuple that prints like PyTorch's `torch.Size`."""

    def __repr__(self) -> str:
        return f"minigrad.Size({list(self)})"

    def numel(self) -> int:
        """The number of elements."""
        n = 1
        for d in self:
            n *= d
        return n




_new = object.__new__


def _init_slots(t: Tensor, data: np.ndarray, requires_grad: bool) -> None:
    """Every Tensor attribute, set in one place (both constructors call this)."""
    t.data = data
    t.grad = None
    t.grad_fn = None
    t._requires_grad = requires_grad
    t._vc = None  # version counter, made on first need (in-place change, view, save)
    t._accumulator = None
    t._hooks = None
    t._retains_grad = False
    t._view = None  # (base, view ops from it, base's grad_fn) when t views another's memory


class Tensor(ConversionMethods, ElementwiseMethods, CompareMethods, ReduceMethods, ShapeMethods,
             IndexMethods, LinalgMethods, SortingMethods, InplaceMethods):
    """An n-dimensional array that records the ops applied to it for reverse-mode autodiff."""

    __slots__ = (
        "data", "grad", "grad_fn", "_requires_grad", "_vc", "_accumulator", "_hooks",
        "_retains_grad", "_view", "__weakref__",
    )
    __array_priority__ = 1000  # ndarray <op> Tensor defers to Tensor's reflected operator

    def __init__(self, data: Any = (), dtype: Any = None) -> None:
        """`Tensor(data)` makes a float32 tensor, like `torch.Tensor`; prefer `minigrad.tensor`."""
        if isinstance(data, Tensor):
            data = data.data
        arr = np.array(data, dtype=dtypes.to_numpy_dtype(dtype) if dtype else np.float32)
        _init_slots(self, arr, False)

    @classmethod
    def _make(cls, data: np.ndarray, requires_grad: bool = False) -> Tensor:
        """Fast internal constructor around an ndarray (no copy, no checks)."""
        t = _new(cls)
        _init_slots(t, data, requires_grad)
        return t

    def _shared_vc(self) -> list:
        """The version counter, a one-element list shared with views of the same memory."""
        if self._vc is None:
            self._vc = [0]
        return self._vc

    def _bump_version(self) -> None:
        if self._vc is None:
            self._vc = [1]
        else:
            self._vc[0] += 1

    # -- attributes ---------------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        """Whether ops on this tensor are recorded for backward."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if flag and self.data.dtype.kind != "f":
            raise RuntimeError(
                f"requires_grad: only Tensors of floating point dtype can require gradients "
                f"(got {self.dtype})"
            )
        if self.grad_fn is not None and not flag:
            raise RuntimeError(
                "requires_grad: you can only change requires_grad flags of leaf variables. "
                "Use .detach() to get a tensor that does not require grad."
            )
        self._requires_grad = bool(flag)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set requires_grad in place and return self."""
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        """True for tensors no recorded op made (their .grad is kept after backward)."""
        return self.grad_fn is None

    @property
    def shape(self) -> Size:
        """The sizes of the dims."""
        return Size(self.data.shape)

    def size(self, dim: int | None = None) -> Size | int:
        """The shape, or the size of one dim."""
        if dim is None:
            return Size(self.data.shape)
        return self.data.shape[normalize_dims(dim, self.ndim, "size")[0]]

    @property
    def dtype(self) -> dtypes.dtype:
        """The element type (minigrad.float32, ...)."""
        return dtypes.from_numpy_dtype(self.data.dtype)

    @property
    def ndim(self) -> int:
        """The number of dims."""
        return self.data.ndim

    def dim(self) -> int:
        """The number of dims."""
        return self.data.ndim

    def numel(self) -> int:
        return self.data.size

    def nelement(self) -> int:
        """The number of elements (alias of numel)."""
        return self.data.size

    def element_size(self) -> int:
        """Bytes per element."""
        return self.data.itemsize

    @property
    def device(self) -> device:
        """Always the CPU."""
        return CPU

    @property
    def is_cuda(self) -> bool:
        """Always False: minigrad computes on the CPU."""
        return False

    @property
    def _version(self) -> int:
        return 0 if self._vc is None else self._vc[0]

    def is_floating_point(self) -> bool:
        """True for float16/32/64 tensors."""
        return self.data.dtype.kind == "f"

    def _grad_node(self) -> Any:
        """The graph node a gradient for this tensor flows into."""
        if self.grad_fn is not None:
            return self.grad_fn
        return accumulator_of(self)

    # -- conversion -----------------------------------------------------------------------------
    def item(self) -> Any:
        """The single element as a Python number."""
        if self.data.size != 1:
            raise RuntimeError(
                f"item: a Tensor with {self.data.size} elements cannot be converted to Scalar"
            )
        return self.data.item()

    def tolist(self) -> Any:
        """The elements as (nested) Python lists."""
        return self.data.tolist()

    def numpy(self, force: bool = False) -> np.ndarray:
        """The array itself (shared memory); refused while the tensor requires grad."""
        if self._requires_grad and not force:
            raise RuntimeError(
                "numpy: can't call numpy() on a Tensor that requires grad. "
                "Use tensor.detach().numpy() instead."
            )
        return self.data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = self.numpy()
        return arr.astype(dtype) if dtype is not None else arr

    def detach(self) -> Tensor:
        """The same memory outside the graph (requires_grad False, shared version counter)."""
        out = Tensor._make(self.data)
        out._vc = self._shared_vc()
        return out

    def detach_(self) -> Tensor:
        """Take self out of the graph in place."""
        self.grad_fn = None
        _node.rebased[0] += 1  # views of self regenerate from its new (empty) history
        self._requires_grad = False
        return self

    def clone(self, memory_format: Any = None) -> Tensor:
        """A copy with its own memory; gradients flow back to self."""
        return ew.Clone.apply(self)

    def contiguous(self, memory_format: Any = None) -> Tensor:
        """Self if C-contiguous, else a contiguous copy."""
        return self if self.data.flags.c_contiguous else ew.Clone.apply(self)

    def is_contiguous(self, memory_format: Any = None) -> bool:
        """True if the elements are laid out in C order."""
        return bool(self.data.flags.c_contiguous)

    # -- autograd -------------------------------------------------------------------------------
    def backward(
        self,
        gradient: Tensor | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Sequence[Tensor] | None = None,
    ) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's `.grad` (see minigrad.autograd.backward)."""
        _backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call `hook(grad)` when this tensor's gradient is computed; a returned tensor
        replaces it."""
        if not self._requires_grad:
            raise RuntimeError(
                "register_hook: cannot register a hook on a tensor that doesn't require gradient"
            )
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = {}
            hooks = self._hooks
        else:
            if self.grad_fn.pre_hooks is None:
                self.grad_fn.pre_hooks = {}
            hooks = self.grad_fn.pre_hooks
        key = id(hook) ^ len(hooks)
        hooks[key] = hook
        return RemovableHandle(hooks, key)

    def retain_grad(self) -> None:
        """Keep `.grad` on this non-leaf tensor after backward (leaves always keep it)."""
        if not self._requires_grad:
            raise RuntimeError(
                "retain_grad: can't retain_grad on Tensor that has requires_grad=False"
            )
        if self.grad_fn is None or self._retains_grad:
            return
        ref = weakref.ref(self)

        def store(grad: Tensor) -> None:
            tensor = ref()
            if tensor is None:
                return
            g = grad if _State.enabled else grad.detach()
            tensor.grad = g.clone() if tensor.grad is None else tensor.grad + g

        node = self.grad_fn
        node.retain_hooks = (node.retain_hooks or []) + [store]
        self._retains_grad = True

    @property
    def retains_grad(self) -> bool:
        """True once retain_grad() was called on this non-leaf."""
        return self._retains_grad

    # -- Python protocol ------------------------------------------------------------------------
    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {self.data.size} values is ambiguous"
            )
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.data.dtype.kind not in "biu" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __deepcopy__(self, memo: dict) -> Tensor:
        """A leaf copy with its own memory (class, requires_grad and .grad kept), as PyTorch."""
        if self.grad_fn is not None:
            raise RuntimeError("deepcopy: only Tensors created explicitly by the user (graph "
                               "leaves) support the deepcopy protocol at the moment")
        if id(self) in memo:
            return memo[id(self)]
        out = type(self)._make(self.data.copy(), self._requires_grad)
        memo[id(self)] = out
        if self.grad is not None:
            out.grad = self.grad.__deepcopy__(memo)
        return out

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise TypeError("minigrad tensors are not pickled: save them with minigrad.save "
                        "(safetensors), which never runs code when loading")

    def __format__(self, spec: str) -> str:
        if self.data.ndim == 0:
            return format(self.item(), spec)
        return format(repr(self), spec)

    def __repr__(self) -> str:
        return tensor_repr(self)


def zero_grads(tensors: Iterable[Tensor], set_to_none: bool = True) -> None:
    """Reset each tensor's `.grad`: to None, or to zeros in place (detached), as
    Module.zero_grad and Optimizer.zero_grad do."""
    for t in tensors:
        if t.grad is None:
            continue
        if set_to_none:
            t.grad = None
        else:
            t.grad.detach_()
            t.grad.zero_()


_node.Tensor = Tensor  # the one break of the ops <-> Tensor import cycle (minigrad.autograd.node)
