"""`minigrad.autograd.Function`: PyTorch's API for user-defined ops, with static
`forward(ctx, ...)` and `backward(ctx, grad)`, run by the same engine as the built-in ops."""

from __future__ import annotations

from typing import Any

from minigrad.autograd import node as _node
from minigrad.autograd.grad_mode import _State, no_grad
from minigrad.autograd.node import Op as _Op


class FunctionCtx(_Op):
    """The `ctx` passed to a user Function: it is also the graph node of the call."""

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep tensors for backward; read them back (version-checked) as `saved_tensors`."""
        self._saved = tuple((t, t._version) for t in tensors if t is not None)

    @property
    def saved_tensors(self) -> tuple:
        return self.saved_inputs

    def mark_non_differentiable(self, *tensors: Any) -> None:
        self.non_differentiable = {id(t) for t in tensors}

    def mark_dirty(self, *tensors: Any) -> None:  # accepted: outputs are always new tensors
        pass

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = value

    def name(self) -> str:
        return self.user_class.__name__ + "Backward"

    def backward(self, grad: Any) -> tuple:
        grads = self.user_class.backward(self, grad)
        grads = grads if isinstance(grads, tuple) else (grads,)
        if len(grads) < len(self.arg_is_tensor):
            raise RuntimeError(
                f"{self.user_class.__name__}.backward returned {len(grads)} gradients, but "
                f"forward took {len(self.arg_is_tensor)} arguments"
            )
        return tuple(g for g, is_t in zip(grads, self.arg_is_tensor) if is_t)


class Function:
    """Subclass with `@staticmethod forward(ctx, *args)` and `@staticmethod backward(ctx,
    *grads)` returning one gradient per forward argument (None for non-tensors); call `.apply`."""

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("a Function subclass must define forward(ctx, ...)")

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Any) -> Any:
        raise NotImplementedError("a Function subclass must define backward(ctx, grad)")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        tensor_type = _node.Tensor
        ctx = FunctionCtx.__new__(FunctionCtx)
        ctx.user_class = cls
        ctx.arg_is_tensor = tuple(isinstance(a, tensor_type) for a in args)
        inputs = [a for a in args if isinstance(a, tensor_type)]
        needs = tuple(t.requires_grad for t in inputs)
        ctx.needs_input_grad = tuple(
            isinstance(a, tensor_type) and a.requires_grad for a in args
        )
        with no_grad():
            result = cls.forward(ctx, *args, **kwargs)
        if not (_State.enabled and any(needs)):
            return result
        if isinstance(result, tuple):
            raise NotImplementedError(
                f"{cls.__name__}: minigrad's custom Functions support one differentiable output"
            )
        out = tensor_type._make(result.data, True)
        ctx.next_nodes = tuple(t._grad_node() if n else None for t, n in zip(inputs, needs))
        ctx.input_shapes = tuple(t.data.shape for t in inputs)
        if _State.modules:
            ctx._module = _State.modules[-1]
        out.grad_fn = ctx
        return out
