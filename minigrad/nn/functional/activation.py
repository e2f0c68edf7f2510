"""Activations in the functional API, with PyTorch's names, arguments and formulas. `inplace=True`
writes the result into the input (recorded as any in-place op: refused on a leaf that requires
grad, as PyTorch)."""

from __future__ import annotations

import warnings
from typing import Any

from minigrad.creation import where
from minigrad.ops import activation as act
from minigrad.ops.special import Gelu
from minigrad.tensor import Tensor


def relu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002 - PyTorch's names
    """max(x, 0), with gradient 0 at x = 0 as PyTorch."""
    return input.relu_() if inplace else input.relu()


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:  # noqa: A002
    """x where x > 0, else negative_slope * x (a small slope keeps negative units alive)."""
    return _apply(act.LeakyRelu, input, inplace, "leaky_relu", slope=negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """x where x > 0, else alpha * (e^x - 1): smooth, with negative outputs near zero mean."""
    if inplace:
        return _apply(act.Elu, input, True, "elu", alpha=alpha, from_output=True)
    return _apply(act.Elu, input, False, "elu", alpha=alpha)


def _apply(op: type, input: Tensor, inplace: bool, name: str, **options: Any) -> Tensor:  # noqa: A002
    """op on a floating tensor (PyTorch has no integer kernels for these), maybe in place."""
    input._float_only(name)
    return input._inplace(op, None, **options) if inplace else op.apply(input, **options)


def sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """1 / (1 + e^-x), squashing to (0, 1)."""
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:  # noqa: A002
    """tanh(x), squashing to (-1, 1)."""
    return input.tanh()


def gelu(input: Tensor, approximate: str = "none") -> Tensor:  # noqa: A002
    """Gaussian error linear unit: x * Phi(x), exact (erf) or with the tanh approximation."""
    return _apply(Gelu, input, False, "gelu", approximate=approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """x * sigmoid(x) (also called swish)."""
    return _apply(act.Silu, input, inplace, "silu")


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:  # noqa: A002
    """log(1 + e^(beta x)) / beta, and x itself where beta x > threshold (as PyTorch)."""
    input._float_only("softplus")
    scaled = input * beta if beta != 1 else input
    soft = act.LogSigmoid.apply(-scaled).neg()  # log(1 + e^z) = -log sigmoid(-z), stable
    soft = soft / beta if beta != 1 else soft
    return where(scaled > threshold, input, soft)


def log_sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """log(sigmoid(x)), computed stably for large |x|."""
    return _apply(act.LogSigmoid, input, False, "log_sigmoid")


logsigmoid = log_sigmoid


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:  # noqa: A002
    """e^x / sum(e^x) along dim (optionally computed in dtype); the implicit dim warns."""
    return input.softmax(_softmax_dim(input, dim, "softmax"), dtype=dtype)


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:  # noqa: A002
    """x - logsumexp(x) along dim, stabler than log(softmax(x)); the implicit dim warns."""
    return input.log_softmax(_softmax_dim(input, dim, "log_softmax"), dtype=dtype)


def _softmax_dim(input: Tensor, dim: int | None, op: str) -> int:  # noqa: A002
    """dim as given, or PyTorch's deprecated implicit choice (with its warning)."""
    if dim is not None:
        return dim
    warnings.warn(f"Implicit dimension choice for {op} has been deprecated. Change the call to "
                  "include dim=X as an argument.", stacklevel=3)
    return 0 if input.ndim in (0, 1, 3) else 1
