"""minigrad: reverse-mode autodiff over NumPy with PyTorch's names, small enough to read in an
afternoon. `import minigrad as torch` runs PyTorch programs in the supported subset."""

import minigrad.utils.data
from minigrad import autograd, dtypes, metrics, nn, optim, random, utils, viz
from minigrad.autograd import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from minigrad.creation import (
    allclose,
    arange,
    as_tensor,
    cat,
    concat,
    concatenate,
    einsum,
    empty,
    empty_like,
    equal,
    eye,
    from_numpy,
    full,
    full_like,
    is_tensor,
    isclose,
    linspace,
    multinomial,
    numel,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    stack,
    tensor,
    where,
    zeros,
    zeros_like,
)
from minigrad.dtypes import bool_ as bool
from minigrad.dtypes import dtype, float16, float32, float64, int8, int16, int32, int64, uint8
from minigrad.io import load, save
from minigrad.random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from minigrad.tensor import Size, Tensor, device

float = float32  # noqa: A001 - PyTorch's aliases
double = float64
half = float16
long = int64
int = int32  # noqa: A001

# Functional forms of Tensor methods: minigrad.exp(x) is x.exp(), as in PyTorch.
abs = Tensor.abs  # noqa: A001
add, sub, mul, div, pow = Tensor.add, Tensor.sub, Tensor.mul, Tensor.div, Tensor.pow
neg, exp, log, log1p, sqrt, rsqrt = Tensor.neg, Tensor.exp, Tensor.log, Tensor.log1p, \
    Tensor.sqrt, Tensor.rsqrt
square, reciprocal = Tensor.square, Tensor.reciprocal
sin, cos, tanh, sigmoid, relu = Tensor.sin, Tensor.cos, Tensor.tanh, Tensor.sigmoid, Tensor.relu
erf = Tensor.erf
clamp = clip = Tensor.clamp
maximum, minimum = Tensor.maximum, Tensor.minimum
softmax, log_softmax = Tensor.softmax, Tensor.log_softmax
sum, mean, var, std, prod = Tensor.sum, Tensor.mean, Tensor.var, Tensor.std, Tensor.prod  # noqa: A001
max, min, amax, amin = Tensor.max, Tensor.min, Tensor.amax, Tensor.amin  # noqa: A001
argsort, sort, topk, cumsum, nonzero = Tensor.argsort, Tensor.sort, Tensor.topk, Tensor.cumsum, \
    Tensor.nonzero
argmax, argmin, logsumexp, norm = Tensor.argmax, Tensor.argmin, Tensor.logsumexp, Tensor.norm
matmul, mm, bmm, dot = Tensor.matmul, Tensor.mm, Tensor.bmm, Tensor.dot
reshape, flatten, unflatten = Tensor.reshape, Tensor.flatten, Tensor.unflatten
transpose, permute, t = Tensor.transpose, Tensor.permute, Tensor.t
squeeze, unsqueeze, flip = Tensor.squeeze, Tensor.unsqueeze, Tensor.flip
split, chunk, unbind, gather = Tensor.split, Tensor.chunk, Tensor.unbind, Tensor.gather
index_select, masked_fill = Tensor.index_select, Tensor.masked_fill
scatter, scatter_add = Tensor.scatter, Tensor.scatter_add
triu, tril = Tensor.triu, Tensor.tril
sign, floor, ceil, round, trunc = Tensor.sign, Tensor.floor, Tensor.ceil, Tensor.round, \
    Tensor.trunc  # noqa: A001
isnan, isinf, isfinite = Tensor.isnan, Tensor.isinf, Tensor.isfinite
eq, ne, lt, le, gt, ge = Tensor.eq, Tensor.ne, Tensor.lt, Tensor.le, Tensor.gt, Tensor.ge
logical_not, logical_and, logical_or = Tensor.logical_not, Tensor.logical_and, Tensor.logical_or
all, any = Tensor.all, Tensor.any  # noqa: A001
detach, clone = Tensor.detach, Tensor.clone


class cuda:  # noqa: N801 - torch.cuda stand-in so device-selection code runs on the CPU
    """minigrad has no GPU backend: `minigrad.cuda.is_available()` is False."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def device_count() -> int:
        return 0

    @staticmethod
    def manual_seed(value: "int") -> None:
        return None

    manual_seed_all = manual_seed


def set_printoptions(**kwargs: object) -> None:
    """Accepted for compatibility; minigrad prints with PyTorch's defaults."""


__version__ = "0.1.0"
