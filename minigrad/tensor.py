"""`Tensor`: an ndarray, its gradient and the node that made it. Methods are one line each,
calling an op from `minigrad.ops`; PyTorch's names, arguments and dtype rules."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad.autograd import node as _node
from minigrad.autograd.node import accumulator_of
from minigrad.autograd.grad_mode import _State
from minigrad.ops import elementwise as ew
from minigrad.ops import index as ix
from minigrad.ops import linalg
from minigrad.ops import reduce as rd
from minigrad.ops import shape as sh
from minigrad.ops import sorting as so
from minigrad.ops import special as sp
from minigrad.ops.reduce import normalize_dims, reduce_dims


class Size(tuple):
    """A tensor's shape: a tuple that prints like PyTorch's `torch.Size`."""

    def __repr__(self) -> str:
        return f"minigrad.Size({list(self)})"

    def numel(self) -> int:
        n = 1
        for d in self:
            n *= d
        return n


class device:  # noqa: N801 - PyTorch's name
    """Where a tensor lives. minigrad computes on the CPU only; 'cpu' is the one device."""

    def __init__(self, type: str = "cpu", index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type = type.type  # noqa: A001
        kind = str(type).split(":")[0]
        if kind != "cpu":
            raise RuntimeError(f"minigrad runs on the CPU only: device '{type}' is not available")
        self.type, self.index = "cpu", None

    def __repr__(self) -> str:
        return "device(type='cpu')"

    def __str__(self) -> str:
        return "cpu"

    def __eq__(self, other: object) -> bool:
        return str(other).split(":")[0] == "cpu"

    def __hash__(self) -> int:
        return hash("cpu")


CPU = device("cpu")


class RemovableHandle:
    """Returned by `register_hook`; `remove()` unregisters the hook."""

    def __init__(self, hooks: dict, key: int) -> None:
        self._hooks, self._key = hooks, key

    def remove(self) -> None:
        self._hooks.pop(self._key, None)


def _category(d: np.dtype) -> int:
    return 2 if d.kind == "f" else (0 if d.kind == "b" else 1)


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


class Tensor:
    """An n-dimensional array that records the ops applied to it for reverse-mode autodiff."""

    __slots__ = (
        "data", "grad", "grad_fn", "_requires_grad", "_vc", "_accumulator", "_hooks",
        "_retains_grad", "__weakref__",
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
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def shape(self) -> Size:
        return Size(self.data.shape)

    def size(self, dim: int | None = None) -> Size | int:
        if dim is None:
            return Size(self.data.shape)
        return self.data.shape[normalize_dims(dim, self.ndim, "size")[0]]

    @property
    def dtype(self) -> dtypes.dtype:
        return dtypes.from_numpy_dtype(self.data.dtype)

    @property
    def ndim(self) -> int:
        return self.data.ndim

    def dim(self) -> int:
        return self.data.ndim

    def numel(self) -> int:
        return self.data.size

    def nelement(self) -> int:
        return self.data.size

    def element_size(self) -> int:
        return self.data.itemsize

    @property
    def device(self) -> device:
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def _version(self) -> int:
        return 0 if self._vc is None else self._vc[0]

    def is_floating_point(self) -> bool:
        return self.data.dtype.kind == "f"

    def _grad_node(self) -> Any:
        """The graph node a gradient for this tensor flows into."""
        if self.grad_fn is not None:
            return self.grad_fn
        return accumulator_of(self)

    # -- conversion -----------------------------------------------------------------------------
    def item(self) -> Any:
        if self.data.size != 1:
            raise RuntimeError(
                f"item: a Tensor with {self.data.size} elements cannot be converted to Scalar"
            )
        return self.data.item()

    def tolist(self) -> Any:
        return self.data.tolist()

    def numpy(self, force: bool = False) -> np.ndarray:
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
        out = Tensor._make(self.data)
        out._vc = self._shared_vc()
        return out

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self._requires_grad = False
        return self

    def clone(self, memory_format: Any = None) -> Tensor:
        return ew.Clone.apply(self)

    def contiguous(self, memory_format: Any = None) -> Tensor:
        return self if self.data.flags.c_contiguous else ew.Clone.apply(self)

    def is_contiguous(self, memory_format: Any = None) -> bool:
        return bool(self.data.flags.c_contiguous)

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """`to(dtype)`, `to(device)`, `to(other)` or `to(device, dtype)`; a no-op when unchanged."""
        target = kwargs.get("dtype")
        for arg in list(args) + [kwargs.get("device")]:
            if isinstance(arg, Tensor):
                target = arg.dtype
            elif isinstance(arg, (str, device)):
                device(arg)  # validates: only the CPU exists
            elif arg is not None:
                target = arg
        if target is None or dtypes.to_numpy_dtype(target) == self.data.dtype:
            return self
        if dtypes.to_numpy_dtype(target).kind != "f":  # int/bool results are not differentiable
            return Tensor._make(self.data.astype(dtypes.to_numpy_dtype(target)))
        return ew.Cast.apply(self, dtype=dtypes.to_numpy_dtype(target))

    def type(self, dtype: Any = None) -> Any:
        if dtype is None:
            names = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
                     "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                     "bool": "Bool"}
            return f"minigrad.{names[self.dtype.name]}Tensor"
        return self.to(dtype)

    def cpu(self) -> Tensor:
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Tensor:
        raise RuntimeError("minigrad runs on the CPU only: cuda() is not available")

    def float(self) -> Tensor:
        return self.to(dtypes.float32)

    def double(self) -> Tensor:
        return self.to(dtypes.float64)

    def half(self) -> Tensor:
        return self.to(dtypes.float16)

    def long(self) -> Tensor:
        return self.to(dtypes.int64)

    def int(self) -> Tensor:
        return self.to(dtypes.int32)

    def bool(self) -> Tensor:
        return self.to(dtypes.bool_)

    def new_tensor(self, data: Any, dtype: Any = None, **kw: Any) -> Tensor:
        return Tensor._make(np.array(data, dtype=dtypes.to_numpy_dtype(dtype or self.dtype)))

    def new_zeros(self, *size: Any, dtype: Any = None, **kw: Any) -> Tensor:
        return self.new_full(_shape_args(size), 0, dtype=dtype)

    def new_ones(self, *size: Any, dtype: Any = None, **kw: Any) -> Tensor:
        return self.new_full(_shape_args(size), 1, dtype=dtype)

    def new_full(
        self, size: Sequence[int], fill_value: Any, dtype: Any = None, **kw: Any
    ) -> Tensor:
        np_dtype = dtypes.to_numpy_dtype(dtype or self.dtype)
        return Tensor._make(np.full(tuple(size), fill_value, dtype=np_dtype))

    def new_empty(self, *size: Any, dtype: Any = None, **kw: Any) -> Tensor:
        return self.new_full(_shape_args(size), 0, dtype=dtype)

    # -- autograd -------------------------------------------------------------------------------
    def backward(
        self,
        gradient: Tensor | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Sequence[Tensor] | None = None,
    ) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's `.grad` (see minigrad.autograd.backward)."""
        from minigrad.autograd import backward

        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

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
        import weakref

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
        return self._retains_grad

    # -- operands and in-place plumbing ---------------------------------------------------------
    def _pair(self, other: Any) -> tuple[Tensor, Tensor]:
        """Self and other as Tensors of PyTorch's result dtype for a binary op."""
        if isinstance(other, Tensor):
            if other.data.dtype == self.data.dtype:
                return self, other
            return _promote(self, other)
        return _with_number(self, other)

    def _rpair(self, other: Any) -> tuple[Tensor, Tensor]:
        b, a = self._pair(other)
        return a, b

    def _inplace(self, op: type, ufunc: Any, *operands: Any, **options: Any) -> Tensor:
        """Run op in place: NumPy writes into self's memory when nothing is recorded; otherwise
        the op is recorded out of place and self takes over its result and grad_fn."""
        others = [o if isinstance(o, Tensor) else _number_as(o, self) for o in operands]
        if _State.enabled and (self._requires_grad or any(o._requires_grad for o in others)):
            if self.grad_fn is None and self._requires_grad:
                raise RuntimeError(
                    f"{op.__name__.lower()}_: a leaf Variable that requires grad is being used "
                    "in an in-place operation."
                )
            if getattr(self.grad_fn, "is_view", False):
                # The result is recorded out of place, so the base would keep its old values and
                # gradient: refuse rather than be silently wrong (PyTorch rebases the base).
                raise RuntimeError(
                    f"{op.__name__.lower()}_: in-place operation on a view ({self.grad_fn.name()}) "
                    f"of a tensor that requires grad is not supported by minigrad; apply the op "
                    f"out of place (y = y.{op.__name__.lower()}(...)) or use clone() first."
                )
            old = Tensor._make(self.data, self._requires_grad)
            old.grad_fn = self.grad_fn
            result = op.apply(old, *others, **options)
            if result.data.shape != self.data.shape:
                raise RuntimeError(
                    f"{op.__name__.lower()}_: output with shape {tuple(self.data.shape)} doesn't "
                    f"match the broadcast shape {tuple(result.data.shape)}"
                )
            self.data = result.data.astype(self.data.dtype, copy=False)
            self.grad_fn = result.grad_fn
            self._requires_grad = True
            self._bump_version()
            if getattr(self.grad_fn, "_out", None) is not None:
                self.grad_fn._out = (self.data, self._vc, self._vc[0])
            return self
        try:
            if ufunc is not None:
                ufunc(self.data, *(o.data for o in others), out=self.data, casting="same_kind")
            else:
                np.copyto(self.data, op().forward(self.data, *(o.data for o in others), **options),
                          casting="same_kind")
        except (TypeError, ValueError) as err:
            raise RuntimeError(
                f"{op.__name__.lower()}_: cannot write the result into a tensor of dtype "
                f"{self.dtype} and shape {tuple(self.data.shape)}: {err}"
            ) from None
        self._bump_version()
        return self

    # -- arithmetic -----------------------------------------------------------------------------
    def _scalar_ok(self, other: Any) -> bool:
        """True when `other` is a number that keeps this tensor's dtype (the scalar-op path)."""
        kind = type(other)
        return (kind is float and self.data.dtype.kind == "f") or (
            kind is int and self.data.dtype.kind in "fiu")

    def __add__(self, other: Any) -> Tensor:
        if self._scalar_ok(other):
            return ew.AddScalar.apply(self, c=other)
        return ew.Add.apply(*self._pair(other))

    def __radd__(self, other: Any) -> Tensor:
        if self._scalar_ok(other):
            return ew.AddScalar.apply(self, c=other)
        return ew.Add.apply(*self._rpair(other))

    def __sub__(self, other: Any) -> Tensor:
        if self._scalar_ok(other):
            return ew.AddScalar.apply(self, c=-other)
        return ew.Sub.apply(*self._pair(other))

    def __rsub__(self, other: Any) -> Tensor:
        if self._scalar_ok(other):
            return ew.RSubScalar.apply(self, c=other)
        return ew.Sub.apply(*self._rpair(other))

    def __mul__(self, other: Any) -> Tensor:
        if self._scalar_ok(other):
            return ew.MulScalar.apply(self, c=other)
        return ew.Mul.apply(*self._pair(other))

    def __rmul__(self, other: Any) -> Tensor:
        if self._scalar_ok(other):
            return ew.MulScalar.apply(self, c=other)
        return ew.Mul.apply(*self._rpair(other))

    def __truediv__(self, other: Any) -> Tensor:
        if self._scalar_ok(other) and self.data.dtype.kind == "f":
            return ew.DivScalar.apply(self, c=other)
        return ew.Div.apply(*self._pair(other))

    def __rtruediv__(self, other: Any) -> Tensor:
        if self._scalar_ok(other) and self.data.dtype.kind == "f":
            return ew.RDivScalar.apply(self, c=other)
        return ew.Div.apply(*self._rpair(other))

    def __pow__(self, exponent: Any) -> Tensor:
        if isinstance(exponent, numbers.Number) and not isinstance(exponent, bool):
            if self.data.dtype.kind != "f" and isinstance(exponent, float):
                return ew.PowScalar.apply(self.float(), exponent=exponent)
            return ew.PowScalar.apply(self, exponent=_plain_number(exponent))
        return ew.Pow.apply(*self._pair(exponent))

    def __rpow__(self, base: Any) -> Tensor:
        if isinstance(base, numbers.Number):
            x = self if self.data.dtype.kind == "f" or not isinstance(base, float) else self.float()
            return ew.RPowScalar.apply(x, base=_plain_number(base))
        return ew.Pow.apply(*self._rpair(base))

    def __matmul__(self, other: Tensor) -> Tensor:
        return self.matmul(other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _as_tensor_like(other, self).matmul(self)

    def __neg__(self) -> Tensor:
        return ew.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return ew.Abs.apply(self)

    def add(self, other: Any, alpha: float = 1) -> Tensor:
        return self + (other * alpha if alpha != 1 else other)

    def sub(self, other: Any, alpha: float = 1) -> Tensor:
        return self - (other * alpha if alpha != 1 else other)

    def mul(self, other: Any) -> Tensor:
        return self * other

    def div(self, other: Any) -> Tensor:
        return self / other

    def pow(self, exponent: Any) -> Tensor:
        return self**exponent

    def neg(self) -> Tensor:
        return ew.Neg.apply(self)

    def matmul(self, other: Tensor) -> Tensor:
        other = _as_tensor_like(other, self)
        if other.data.dtype != self.data.dtype:
            raise RuntimeError(
                f"matmul: expected both operands to have the same dtype, but got {self.dtype} "
                f"{tuple(self.data.shape)} and {other.dtype} {tuple(other.data.shape)}"
            )
        return linalg.MatMul.apply(self, other)

    def mm(self, mat2: Tensor) -> Tensor:
        if self.ndim != 2 or mat2.ndim != 2:
            raise RuntimeError(f"mm: expected 2-D matrices, got shapes {tuple(self.shape)} and "
                               f"{tuple(mat2.shape)}")
        return self.matmul(mat2)

    def bmm(self, mat2: Tensor) -> Tensor:
        if self.ndim != 3 or mat2.ndim != 3 or self.data.shape[0] != mat2.data.shape[0]:
            raise RuntimeError(f"bmm: expected two 3-D batches of the same size, got shapes "
                               f"{tuple(self.shape)} and {tuple(mat2.shape)}")
        return self.matmul(mat2)

    def dot(self, other: Tensor) -> Tensor:
        if self.ndim != 1 or other.ndim != 1:
            raise RuntimeError(
                f"dot: 1D tensors expected, but got {self.ndim}D and {other.ndim}D tensors"
            )
        return self.matmul(other)

    # -- elementwise math -----------------------------------------------------------------------
    def exp(self) -> Tensor:
        return ew.Exp.apply(self._floating())

    def log(self) -> Tensor:
        return ew.Log.apply(self._floating())

    def log1p(self) -> Tensor:
        return ew.Log1p.apply(self._floating())

    def sqrt(self) -> Tensor:
        return ew.Sqrt.apply(self._floating())

    def rsqrt(self) -> Tensor:
        return 1.0 / self.sqrt()

    def square(self) -> Tensor:
        return self * self

    def reciprocal(self) -> Tensor:
        return 1.0 / self._floating()

    def abs(self) -> Tensor:
        return ew.Abs.apply(self)

    def sin(self) -> Tensor:
        return ew.Sin.apply(self._floating())

    def cos(self) -> Tensor:
        return ew.Cos.apply(self._floating())

    def tanh(self) -> Tensor:
        return ew.Tanh.apply(self._floating())

    def sigmoid(self) -> Tensor:
        return ew.Sigmoid.apply(self._floating())

    def relu(self) -> Tensor:
        return ew.Relu.apply(self)

    def erf(self) -> Tensor:
        return sp.Erf.apply(self._floating())

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        if min is None and max is None:
            raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            out = self if min is None else self.maximum(_as_tensor_like(min, self))
            return out if max is None else out.minimum(_as_tensor_like(max, self))
        if any(isinstance(v, (float, np.floating)) for v in (min, max)):
            return ew.Clamp.apply(self._floating(), min=min, max=max)  # int + float -> float32
        return ew.Clamp.apply(self, min=min, max=max)

    clip = clamp

    def maximum(self, other: Tensor) -> Tensor:
        return ew.Maximum.apply(*self._pair(other))

    def minimum(self, other: Tensor) -> Tensor:
        return ew.Minimum.apply(*self._pair(other))

    def softmax(self, dim: int, dtype: Any = None) -> Tensor:
        x = self.to(dtype) if dtype is not None else self._floating()
        return rd.Softmax.apply(x, dim=normalize_dims(dim, self.ndim, "softmax")[0])

    def log_softmax(self, dim: int, dtype: Any = None) -> Tensor:
        x = self.to(dtype) if dtype is not None else self._floating()
        return rd.LogSoftmax.apply(x, dim=normalize_dims(dim, self.ndim, "log_softmax")[0])

    def masked_fill_(self, mask: Tensor, value: Any) -> Tensor:
        """In-place masked_fill (recorded like any in-place op when a graph is being built)."""
        result = self.masked_fill(mask, value)
        if result.data.shape != self.data.shape:
            raise RuntimeError(f"masked_fill_: mask of shape {tuple(np.shape(_data(mask)))} "
                               f"would broadcast the tensor of shape {tuple(self.shape)}")
        return self.copy_(result) if result.requires_grad else self._overwrite(result.data)

    def _overwrite(self, array: np.ndarray) -> Tensor:
        np.copyto(self.data, array)
        self._bump_version()
        return self

    def scatter(self, dim: int, index: Tensor, src: Any = None, value: Any = None) -> Tensor:
        """Copy of self with src (or value) written at index along dim: out[i][index[i][j]] =
        src[i][j] for dim=1. Where targets repeat, the last write wins (PyTorch's CPU result);
        unlike PyTorch, the overwritten src entries then get a zero gradient."""
        d, idx, src_t = self._scatter_args(dim, index, src, value, "scatter")
        targets = np.ravel_multi_index(ix._along_axis_index(idx, d), self.data.shape)
        flat = np.broadcast_to(targets, idx.shape).reshape(-1)
        last = np.zeros(flat.size, dtype=bool)
        last[flat.size - 1 - np.unique(flat[::-1], return_index=True)[1]] = True
        if not last.all():  # drop the writes that a later one overwrites
            src_t = src_t[tuple(slice(0, n) for n in idx.shape)] * Tensor._make(
                last.reshape(idx.shape).astype(self.data.dtype))
        written = np.zeros(self.data.size, dtype=bool)
        written[flat] = True
        written = written.reshape(self.data.shape)
        placed = ix.ScatterAdd.apply(src_t, dim=d, index=idx, shape=self.data.shape)
        return ew.Where.apply(placed, self, cond=written)

    def scatter_add(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        """self + src added at index along dim (repeated targets accumulate)."""
        d, idx, src_t = self._scatter_args(dim, index, src, None, "scatter_add")
        return self + ix.ScatterAdd.apply(src_t, dim=d, index=idx, shape=self.data.shape)

    def scatter_(self, dim: int, index: Tensor, src: Any = None, value: Any = None) -> Tensor:
        result = self.scatter(dim, index, src, value)
        return self.copy_(result) if result.requires_grad else self._overwrite(result.data)

    def scatter_add_(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        result = self.scatter_add(dim, index, src)
        return self.copy_(result) if result.requires_grad else self._overwrite(result.data)

    def _scatter_args(self, dim: int, index: Any, src: Any, value: Any, op: str) -> tuple:
        d = normalize_dims(dim, self.ndim, op)[0]
        idx = _data(index)
        if idx.dtype.kind not in "iu" or idx.ndim != self.ndim:
            raise RuntimeError(f"{op}: index must be an int64 tensor with {self.ndim} dims, got "
                               f"{idx.dtype} of shape {tuple(idx.shape)}")
        if np.any((idx < 0) | (idx >= self.data.shape[d])):
            raise IndexError(f"{op}: index out of bounds for dimension {d} with size "
                             f"{self.data.shape[d]}")
        if src is None:
            src = value
        if isinstance(src, Tensor):
            src_t = src.to(self.dtype)
        else:
            src_t = Tensor._make(np.full(idx.shape, src, dtype=self.data.dtype))
        return d, idx, src_t

    def masked_fill(self, mask: Tensor, value: Any) -> Tensor:
        mask_arr = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
        if mask_arr.dtype != np.bool_:
            raise RuntimeError(f"masked_fill: expected a bool mask, got {mask_arr.dtype}")
        try:
            np.broadcast_shapes(mask_arr.shape, self.data.shape)
        except ValueError:
            raise RuntimeError(
                f"masked_fill: mask of shape {tuple(mask_arr.shape)} does not broadcast to "
                f"tensor of shape {tuple(self.data.shape)}"
            ) from None
        fill = value if isinstance(value, Tensor) else _number_as(value, self)
        return ew.Where.apply(fill.to(self.dtype), self, cond=mask_arr)

    def where(self, condition: Tensor, other: Any) -> Tensor:
        from minigrad.creation import where

        return where(condition, self, other)

    def _floating(self) -> Tensor:
        return self if self.data.dtype.kind == "f" else self.to(dtypes.float32)

    # -- piecewise constant (zero gradient) and no-gradient elementwise -----------------------
    def sign(self) -> Tensor:
        return ew.PiecewiseConstant.apply(self, fn=np.sign)

    def floor(self) -> Tensor:
        return ew.PiecewiseConstant.apply(self, fn=np.floor)

    def ceil(self) -> Tensor:
        return ew.PiecewiseConstant.apply(self, fn=np.ceil)

    def round(self, decimals: int = 0) -> Tensor:
        return ew.PiecewiseConstant.apply(self, fn=lambda x: np.round(x, decimals))

    def trunc(self) -> Tensor:
        return ew.PiecewiseConstant.apply(self, fn=np.trunc)

    def isnan(self) -> Tensor:
        return Tensor._make(np.isnan(self.data))

    def isinf(self) -> Tensor:
        return Tensor._make(np.isinf(self.data))

    def isfinite(self) -> Tensor:
        return Tensor._make(np.isfinite(self.data))

    def _compare(self, other: Any, ufunc: Any) -> Tensor:
        a, b = self._pair(other)
        return Tensor._make(ufunc(a.data, b.data))

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.equal)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.not_equal)

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(other, np.less)

    def __le__(self, other: Any) -> Tensor:
        return self._compare(other, np.less_equal)

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(other, np.greater)

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(other, np.greater_equal)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__
    __hash__ = object.__hash__

    def _bitwise(self, other: Any, ufunc: Any, op: str) -> Tensor:
        a, b = self._pair(other)
        if a.data.dtype.kind not in "biu":
            raise TypeError(f"{op}: only bool and integer tensors are supported, got {a.dtype}")
        return Tensor._make(ufunc(a.data, b.data))

    def __and__(self, other: Any) -> Tensor:
        return self._bitwise(other, np.bitwise_and, "&")

    def __or__(self, other: Any) -> Tensor:
        return self._bitwise(other, np.bitwise_or, "|")

    def __xor__(self, other: Any) -> Tensor:
        return self._bitwise(other, np.bitwise_xor, "^")

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def __invert__(self) -> Tensor:
        if self.data.dtype.kind not in "biu":
            raise TypeError(f"~: only bool and integer tensors are supported, got {self.dtype}")
        return Tensor._make(~self.data)

    def logical_not(self) -> Tensor:
        return Tensor._make(np.logical_not(self.data))

    def logical_and(self, other: Tensor) -> Tensor:
        return Tensor._make(np.logical_and(self.data, _data(other)))

    def logical_or(self, other: Tensor) -> Tensor:
        return Tensor._make(np.logical_or(self.data, _data(other)))

    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        axes = reduce_dims(dim, self.ndim, "all")
        return Tensor._make(np.asarray(np.all(self.data, axis=axes, keepdims=keepdim)))

    def any(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        axes = reduce_dims(dim, self.ndim, "any")
        return Tensor._make(np.asarray(np.any(self.data, axis=axes, keepdims=keepdim)))

    # -- in place -------------------------------------------------------------------------------
    def add_(self, other: Any, alpha: float = 1) -> Tensor:
        return self._inplace(ew.Add, np.add, other * alpha if alpha != 1 else other)

    def sub_(self, other: Any, alpha: float = 1) -> Tensor:
        return self._inplace(ew.Sub, np.subtract, other * alpha if alpha != 1 else other)

    def mul_(self, other: Any) -> Tensor:
        return self._inplace(ew.Mul, np.multiply, other)

    def div_(self, other: Any) -> Tensor:
        return self._inplace(ew.Div, np.true_divide, other)

    def pow_(self, exponent: float) -> Tensor:
        return self._inplace(ew.PowScalar, None, exponent=exponent)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        return self._inplace(ew.Clamp, None, min=min, max=max)

    def copy_(self, src: Any) -> Tensor:
        src = src if isinstance(src, Tensor) else _as_tensor_like(src, self)
        try:
            np.broadcast_to(src.data, self.data.shape)
        except ValueError:
            raise RuntimeError(
                f"copy_: source of shape {tuple(src.data.shape)} does not broadcast to "
                f"destination of shape {tuple(self.data.shape)}"
            ) from None
        if _State.enabled and (self._requires_grad or src._requires_grad):
            return self._inplace(_CopyFrom, None, src.to(self.dtype))
        np.copyto(self.data, src.data, casting="unsafe")
        self._bump_version()
        return self

    def zero_(self) -> Tensor:
        return self.fill_(0)

    def fill_(self, value: Any) -> Tensor:
        if _State.enabled and self._requires_grad and self.grad_fn is None:
            raise RuntimeError(
                "fill_: a leaf Variable that requires grad is being used in an in-place operation."
            )
        self.data[...] = value.item() if isinstance(value, Tensor) else value
        self._bump_version()
        return self

    def uniform_(self, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
        return self._fill_random(lambda g: g.uniform(self.data.shape, a, b, self.data.dtype),
                                 generator)

    def normal_(self, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
        return self._fill_random(lambda g: g.normal(self.data.shape, mean, std, self.data.dtype),
                                 generator)

    def _fill_random(self, draw: Callable, generator: Any) -> Tensor:
        from minigrad import random

        return self.copy_(Tensor._make(draw(generator or random.default_generator)))

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_

    # -- reductions -----------------------------------------------------------------------------
    def sum(self, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        x = self.to(dtype) if dtype is not None else self
        return rd.Sum.apply(x, axes=reduce_dims(dim, self.ndim, "sum"), keepdim=keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        x = self.to(dtype) if dtype is not None else self
        if x.data.dtype.kind != "f":
            raise RuntimeError(
                f"mean: could not infer output dtype. Input dtype must be floating point, "
                f"got {x.dtype}"
            )
        return rd.Mean.apply(x, axes=reduce_dims(dim, self.ndim, "mean"), keepdim=keepdim)

    def var(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
            correction: Any = None) -> Tensor:
        """Variance with Bessel's correction by default (`correction=1`), as PyTorch."""
        if isinstance(dim, bool):  # var(unbiased) positional form
            dim, unbiased = None, dim
        if correction is None:
            correction = 1 if unbiased is None or unbiased else 0
        axes = reduce_dims(dim, self.ndim, "var")
        n = self.data.size if axes is None else int(np.prod([self.data.shape[a] for a in axes]))
        centered = self - self.mean(dim=axes, keepdim=True)
        return (centered * centered).sum(dim=axes, keepdim=keepdim) / max(0, n - correction)

    def std(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
            correction: Any = None) -> Tensor:
        var = self.var(dim, unbiased, keepdim, correction=correction)
        zero = var.data == 0
        if not zero.any():
            return var.sqrt()
        # sqrt's slope is infinite at 0 (0 * inf = nan); PyTorch's std gradient there is 0.
        return var.masked_fill(zero, 1.0).sqrt().masked_fill(zero, 0.0)

    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return rd.Amax.apply(self, axes=_nonempty_dims(self, dim, "amax"), keepdim=keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return rd.Amin.apply(self, axes=_nonempty_dims(self, dim, "amin"), keepdim=keepdim)

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        """max() of all elements, max(dim) -> (values, indices), or max(other) elementwise."""
        if isinstance(dim, Tensor):
            return self.maximum(dim)
        if dim is None:
            return rd.Amax.apply(self, axes=_nonempty_dims(self, None, "max"), keepdim=False)
        return _values_indices(self, dim, keepdim, np.argmax, "max")

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        """min() of all elements, min(dim) -> (values, indices), or min(other) elementwise."""
        if isinstance(dim, Tensor):
            return self.minimum(dim)
        if dim is None:
            return rd.Amin.apply(self, axes=_nonempty_dims(self, None, "min"), keepdim=False)
        return _values_indices(self, dim, keepdim, np.argmin, "min")

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return _arg_reduce(self, dim, keepdim, np.argmax, "argmax")

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return _arg_reduce(self, dim, keepdim, np.argmin, "argmin")

    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor:
        axes = reduce_dims(dim, self.ndim, "logsumexp")
        return rd.LogSumExp.apply(self._floating(), axes=axes, keepdim=keepdim)

    def prod(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return rd.Prod.apply(self, axes=reduce_dims(dim, self.ndim, "prod"), keepdim=keepdim)

    def norm(self, p: Any = 2, dim: Any = None, keepdim: bool = False) -> Tensor:
        """Vector p-norm over dim (all elements by default): p = 0 (count), 1, 2, inf, any."""
        if p == 0:
            return (self != 0).to(self.dtype).sum(dim, keepdim=keepdim)
        if p == float("inf"):
            return self.abs().amax(dim if dim is not None else (), keepdim=keepdim)
        if p == 1:
            return self.abs().sum(dim, keepdim=keepdim)
        two = p in ("fro", 2)
        total = (self * self if two else self.abs() ** p).sum(dim, keepdim=keepdim)
        zero = total.data == 0
        if not zero.any():
            return total.sqrt() if two else total ** (1.0 / p)
        # The root's slope is infinite at 0 (0 * inf = nan); PyTorch's gradient there is 0.
        safe = total.masked_fill(zero, 1.0)
        return (safe.sqrt() if two else safe ** (1.0 / p)).masked_fill(zero, 0.0)

    # -- shape ----------------------------------------------------------------------------------
    def reshape(self, *shape: Any) -> Tensor:
        return sh.Reshape.apply(self, shape=_shape_args(shape))

    view = reshape

    def view_as(self, other: Tensor) -> Tensor:
        return self.reshape(other.data.shape)

    reshape_as = view_as

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        if self.ndim == 0:
            return self.reshape(1)
        s, e = (d % self.ndim for d in (start_dim, end_dim))
        shape = self.data.shape
        return self.reshape(shape[:s] + (-1,) + shape[e + 1 :])

    def unflatten(self, dim: int, sizes: Sequence[int]) -> Tensor:
        d = normalize_dims(dim, self.ndim, "unflatten")[0]
        return self.reshape(self.data.shape[:d] + tuple(sizes) + self.data.shape[d + 1 :])

    def permute(self, *dims: Any) -> Tensor:
        dims = _shape_args(dims)
        if sorted(d % max(1, self.ndim) for d in dims) != list(range(self.ndim)):
            raise RuntimeError(
                f"permute: dims {list(dims)} are not a permutation of the {self.ndim} dims of a "
                f"tensor of shape {tuple(self.data.shape)}"
            )
        return sh.Permute.apply(self, dims=tuple(d % self.ndim for d in dims))

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        if self.ndim < 2 and dim0 in (0, -1) and dim1 in (0, -1):
            return self
        a, b = normalize_dims(dim0, self.ndim, "transpose")[0], \
            normalize_dims(dim1, self.ndim, "transpose")[0]
        order = list(range(self.ndim))
        order[a], order[b] = order[b], order[a]
        return sh.Permute.apply(self, dims=tuple(order))

    swapaxes = transpose

    def t(self) -> Tensor:
        if self.ndim > 2:
            raise RuntimeError(
                f"t: expects a tensor with <= 2 dimensions, but self is {self.ndim}D"
            )
        return self.transpose(0, -1) if self.ndim == 2 else self

    @property
    def T(self) -> Tensor:  # noqa: N802 - PyTorch's name
        return sh.Permute.apply(self, dims=tuple(range(self.ndim))[::-1])

    @property
    def mT(self) -> Tensor:  # noqa: N802 - PyTorch's name
        n = self.data.ndim
        if n < 2:
            raise RuntimeError(f"mT: expects a tensor with >= 2 dimensions, got {n}")
        return sh.Permute.apply(self, dims=tuple(range(n - 2)) + (n - 1, n - 2))

    def squeeze(self, dim: Any = None) -> Tensor:
        axes = normalize_dims(dim, self.ndim, "squeeze") if dim is not None else None
        shape = self.data.shape
        keep = [n for i, n in enumerate(shape)
                if n != 1 or (axes is not None and i not in axes)]
        return self if len(keep) == len(shape) else self.reshape(tuple(keep))

    def unsqueeze(self, dim: int) -> Tensor:
        d = normalize_dims(dim, self.ndim + 1, "unsqueeze")[0]
        return self.reshape(self.data.shape[:d] + (1,) + self.data.shape[d:])

    def expand(self, *sizes: Any) -> Tensor:
        sizes = _shape_args(sizes)
        lead = len(sizes) - self.ndim
        if lead < 0:
            raise RuntimeError(
                f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal "
                f"to the number of dimensions in the tensor ({self.ndim})"
            )
        if -1 in sizes[:lead]:
            raise RuntimeError(
                f"expand: the expanded size -1 isn't allowed in a leading, non-existing "
                f"dimension (sizes {list(sizes)}, tensor shape {tuple(self.data.shape)})"
            )
        shape = tuple(self.data.shape[i - lead] if n == -1 else n for i, n in enumerate(sizes))
        return self if shape == self.data.shape else sh.Expand.apply(self, shape=shape)

    def expand_as(self, other: Tensor) -> Tensor:
        return self.expand(other.data.shape)

    def repeat(self, *sizes: Any) -> Tensor:
        """Tile the tensor: repeat(2, 3) on (a, b) gives (2a, 3b)."""
        sizes = _shape_args(sizes)
        x = self.reshape((1,) * (len(sizes) - self.ndim) + self.data.shape)
        inter = [v for n in x.data.shape for v in (1, n)]
        tiled = [v for r, n in zip(sizes, x.data.shape) for v in (r, n)]
        return x.reshape(inter).expand(tiled).reshape([r * n for r, n in zip(sizes, x.data.shape)])

    def flip(self, dims: Any) -> Tensor:
        return sh.Flip.apply(self, dims=normalize_dims(dims, self.ndim, "flip"))

    def triu(self, diagonal: int = 0) -> Tensor:
        return sh.Triangle.apply(self, diagonal=diagonal, upper=True)

    def tril(self, diagonal: int = 0) -> Tensor:
        return sh.Triangle.apply(self, diagonal=diagonal, upper=False)

    def split(self, split_size: Any, dim: int = 0) -> list[Tensor]:
        d = normalize_dims(dim, self.ndim, "split")[0]
        n = self.data.shape[d]
        if isinstance(split_size, int):
            if split_size <= 0:
                raise RuntimeError(f"split: split_size must be positive, got {split_size}")
            sizes = [min(split_size, n - i) for i in range(0, n, split_size)] or [0]
        else:
            sizes = list(split_size)
            if sum(sizes) != n:
                raise RuntimeError(
                    f"split: split sizes {sizes} must sum to the size of dimension {d} ({n})"
                )
        lead = (slice(None),) * d
        bounds = np.cumsum([0] + sizes).tolist()
        return [self[lead + (slice(lo, hi),)] for lo, hi in zip(bounds, bounds[1:])]

    def chunk(self, chunks: int, dim: int = 0) -> list[Tensor]:
        n = self.data.shape[normalize_dims(dim, self.ndim, "chunk")[0]]
        return self.split(max(1, -(-n // chunks)), dim)

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        d = normalize_dims(dim, self.ndim, "unbind")[0]
        lead = (slice(None),) * d
        return tuple(self[lead + (i,)] for i in range(self.data.shape[d]))

    def gather(self, dim: int, index: Tensor) -> Tensor:
        d = normalize_dims(dim, self.ndim, "gather")[0]
        idx = index.data if isinstance(index, Tensor) else np.asarray(index)
        if idx.dtype.kind not in "iu":
            raise RuntimeError(f"gather: expected an integer index tensor, got {idx.dtype}")
        return ix.Gather.apply(self, dim=d, index=idx)

    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        """(values, indices) sorted along dim; values are gathered, so gradients flow back."""
        from minigrad.creation import return_types

        d = normalize_dims(dim, self.ndim, "sort")[0] if self.ndim else 0
        if self.ndim == 0:
            return return_types("sort")(self.clone(), Tensor._make(np.zeros((), np.int64)))
        idx = Tensor._make(so.sort_indices(self.data, d, descending))
        return return_types("sort")(self.gather(d, idx), idx)

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
        return self.sort(dim, descending, stable).indices

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
        """The k largest (or smallest) values along dim and their indices."""
        from minigrad.creation import return_types

        d = normalize_dims(dim, self.ndim, "topk")[0] if self.ndim else 0
        n = self.data.shape[d] if self.ndim else 1
        if not 0 <= k <= n:
            raise RuntimeError(f"topk: k ({k}) is out of range for dimension {d} of size {n} "
                               f"(shape {tuple(self.shape)})")
        order = so.sort_indices(self.data, d, descending=largest) if self.ndim else \
            np.zeros((), np.int64)
        idx = Tensor._make(np.take(order, np.arange(k), axis=d) if self.ndim else order)
        values = self.gather(d, idx) if self.ndim else self.clone()
        return return_types("topk")(values, idx)

    def cumsum(self, dim: int, dtype: Any = None) -> Tensor:
        x = self.to(dtype) if dtype is not None else self
        return so.Cumsum.apply(x, dim=normalize_dims(dim, max(self.ndim, 1), "cumsum")[0]
                               if self.ndim else 0)

    def nonzero(self, as_tuple: bool = False) -> Any:
        """Indices of the non-zero elements: (n, ndim) int64, or one index tensor per dim."""
        found = np.nonzero(self.data)
        if as_tuple:
            return tuple(Tensor._make(i.astype(np.int64)) for i in found)
        return Tensor._make(np.stack(found, axis=1).astype(np.int64))

    def index_select(self, dim: int, index: Tensor) -> Tensor:
        d = normalize_dims(dim, self.ndim, "index_select")[0]
        return self[(slice(None),) * d + (index,)]

    def __getitem__(self, index: Any) -> Tensor:
        index, basic = _normalize_index(index)
        if not basic:
            split = _ints_first(index)
            if split is not None:
                return self[split[0]][split[1]]
        op = ix.BasicGetItem if basic else ix.GetItem
        return op.apply(self, index=index)

    def __setitem__(self, index: Any, value: Any) -> None:
        index, _ = _normalize_index(index)
        value = value if isinstance(value, Tensor) else _number_as(value, self)
        if _State.enabled and (self._requires_grad or value._requires_grad):
            self._inplace(ix.IndexPut, None, value.to(self.dtype), index=index)
            return
        try:
            self.data[index] = value.data
        except (IndexError, ValueError) as err:
            raise type(err)(
                f"setitem: {err} (tensor shape {tuple(self.data.shape)}, value shape "
                f"{tuple(value.data.shape)})"
            ) from None
        self._bump_version()

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
        if self.data.dtype.kind not in "iu" or self.data.size != 1:
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
        from minigrad._printing import tensor_repr

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


# -- helpers shared by the methods above ---------------------------------------------------------
class _CopyFrom(ew.Op):
    """copy_ recorded: the result is src broadcast to dst;  d/dsrc = grad (summed to src)."""

    def forward(self, dst, src):
        return np.broadcast_to(src, dst.shape).copy()

    def backward(self, grad):
        return None, grad


def _shape_args(args: Sequence[Any]) -> tuple:
    """Accept f(2, 3), f((2, 3)), f([2, 3]) and f(Size) alike."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    return tuple(int(a) for a in args)


def _plain_number(x: Any) -> Any:
    return x.item() if isinstance(x, np.generic) else x


def _number_as(value: Any, like: Tensor) -> Tensor:
    """A number (or array-like) as a Tensor in `like`'s dtype when that loses nothing."""
    if isinstance(value, Tensor):
        return value
    arr = np.asarray(value)
    if arr.ndim == 0 and (like.data.dtype.kind == "f" or arr.dtype.kind in "biu"):
        return Tensor._make(arr.astype(like.data.dtype))
    return Tensor._make(arr.astype(np.float32) if arr.dtype == np.float64 else arr)


def _as_tensor_like(value: Any, like: Tensor) -> Tensor:
    if isinstance(value, Tensor):
        return value
    arr = np.asarray(value)
    if arr.dtype == np.float64 and not isinstance(value, np.ndarray):
        arr = arr.astype(like.data.dtype if like.data.dtype.kind == "f" else np.float32)
    return Tensor._make(arr)


def _with_number(t: Tensor, value: Any) -> tuple[Tensor, Tensor]:
    """PyTorch's rule for tensor-number ops: the number adopts the tensor's dtype unless it is
    of a higher category (a float with an int tensor gives float32)."""
    if isinstance(value, (np.ndarray, list, tuple)):
        return t._pair(_as_tensor_like(value, t))
    if not isinstance(value, numbers.Number):
        raise TypeError(f"unsupported operand type for a Tensor op: {type(value).__name__}")
    if isinstance(value, (bool, np.bool_)):
        cat = 0
    elif isinstance(value, numbers.Integral):
        cat = 1
    elif isinstance(value, numbers.Real):
        cat = 2
    else:
        raise TypeError(f"minigrad does not support {type(value).__name__} numbers")
    if cat <= _category(t.data.dtype):
        return t, Tensor._make(np.asarray(value, dtype=t.data.dtype))
    target = np.float32 if cat == 2 else np.int64
    return t.to(target), Tensor._make(np.asarray(value, dtype=target))


def _promote(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """PyTorch's tensor-tensor promotion: category first (bool < int < float); within one
    category a 0-d tensor adopts the other's dtype; otherwise the wider dtype wins. Across
    categories the higher one's dtype wins even when it is 0-d (int64 (3,) + float64 () is
    float64: only Python numbers fall back to the default float32)."""
    da, db = a.data.dtype, b.data.dtype
    ca, cb = _category(da), _category(db)
    if ca != cb:
        target = da if ca > cb else db
    elif a.ndim == 0 and b.ndim > 0:
        target = db
    elif b.ndim == 0 and a.ndim > 0:
        target = da
    else:
        target = np.promote_types(da, db)
    return a.to(target), b.to(target)


def _data(x: Any) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _nonempty_dims(t: Tensor, dim: Any, op: str) -> tuple | None:
    axes = reduce_dims(dim, t.ndim, op)
    reduced = t.data.shape if axes is None else [t.data.shape[a] for a in axes]
    if t.data.size == 0 or 0 in reduced:
        raise IndexError(f"{op}: cannot reduce over a zero-size dimension (shape {tuple(t.shape)})")
    return axes


def _arg_reduce(t: Tensor, dim: Any, keepdim: bool, fn: Callable, op: str) -> Tensor:
    if t.data.size == 0:
        raise IndexError(f"{op}: expected a non-empty tensor (shape {tuple(t.shape)})")
    if dim is None:
        out = np.asarray(fn(t.data), dtype=np.int64)
        return Tensor._make(out.reshape((1,) * t.ndim) if keepdim else out)
    d = normalize_dims(dim, t.ndim, op)[0]
    return Tensor._make(np.asarray(fn(t.data, axis=d, keepdims=keepdim), dtype=np.int64))


def _values_indices(t: Tensor, dim: Any, keepdim: bool, fn: Callable, op: str) -> Any:
    from minigrad.creation import return_types

    d = normalize_dims(dim, t.ndim, op)[0]
    if t.data.shape and t.data.shape[d] == 0:
        raise IndexError(f"{op}: cannot reduce over a zero-size dimension (shape {tuple(t.shape)})")
    idx = np.asarray(fn(t.data, axis=d, keepdims=True), dtype=np.int64)
    values = t.gather(d, Tensor._make(idx)) if t.ndim else t.clone()
    if not keepdim and t.ndim:
        values, idx = values.squeeze(d), np.squeeze(idx, axis=d)
    return return_types(op)(values, Tensor._make(idx))


def _ints_first(index: Any) -> tuple[tuple, tuple] | None:
    """PyTorch applies integer indices as plain selections before advanced indexing, where
    NumPy groups them with the arrays (x[0, :, [1, 2]] is (4, 2) in PyTorch, (2, 4) in NumPy).
    Split such an index into (the ints, with slices kept), (the arrays, with slices)."""
    items = index if isinstance(index, tuple) else (index,)
    if not any(isinstance(i, int) and not isinstance(i, bool) for i in items):
        return None
    first, rest = [], []
    for item in items:
        if isinstance(item, np.ndarray):  # the dims it indexes stay whole in the first step
            first.extend([slice(None)] * (item.ndim if item.dtype == np.bool_ else 1))
            rest.append(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            first.append(item)
        else:  # slice, Ellipsis, None or a Python bool: its dim exists after the first step
            first.append(item)
            rest.append(Ellipsis if item is Ellipsis else slice(None))
    return tuple(first), tuple(rest)


def _normalize_index(index: Any) -> tuple[Any, bool]:
    """Turn tensors and lists inside an index into arrays; report whether it is basic."""
    items = index if isinstance(index, tuple) else (index,)
    out, basic = [], True
    for item in items:
        if isinstance(item, Tensor):
            item = item.data
            if item.ndim == 0 and item.dtype.kind in "iu":
                item = int(item)
        elif isinstance(item, (list, np.ndarray)):
            item = np.asarray(item)
            if item.dtype == np.float64 and item.size == 0:
                item = item.astype(np.int64)
        elif isinstance(item, np.integer):
            item = int(item)
        if isinstance(item, np.ndarray):
            basic = False
            if item.dtype.kind not in "biu":
                raise IndexError(
                    f"getitem: tensors used as indices must be long, int or bool, got {item.dtype}"
                )
        elif not (item is None or item is Ellipsis or isinstance(item, (int, slice))):
            raise IndexError(f"getitem: unsupported index {item!r}")
        out.append(item)
    return (tuple(out) if isinstance(index, tuple) or len(out) != 1 else out[0]), basic


_node.Tensor = Tensor  # closes the ops <-> Tensor cycle (see minigrad.autograd.node)
