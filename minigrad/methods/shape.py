"""Tensor methods that move elements without changing them (`minigrad/ops/shape.py`): reshape
and view, permute and transpose, squeeze, expand and repeat, flip, triangles, split."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad.ops import shape as sh
from minigrad.ops.reduce import normalize_dims
from minigrad.ops.shape import shape_args

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


class ShapeMethods:
    """Mixin of `Tensor`: the shape methods."""

    __slots__ = ()

    def reshape(self, *shape: Any) -> Tensor:
        """The same elements in a new shape (one size may be -1)."""
        return sh.Reshape.apply(self, shape=shape_args(shape, "reshape", "shape"))

    def view(self, *shape: Any) -> Tensor:
        """The same memory seen with a new shape; raises where that needs a copy (use reshape)."""
        return sh.Reshape.apply(self, shape=shape_args(shape, "view", "shape"), view=True)

    def view_as(self, other: Tensor) -> Tensor:
        """view with other's shape."""
        return self.view(other.data.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        """reshape to other's shape."""
        return self.reshape(other.data.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dims start_dim..end_dim into one."""
        if self.ndim == 0:
            normalize_dims(start_dim, 0, "flatten")  # only 0 and -1 exist
            normalize_dims(end_dim, 0, "flatten")
            return self.reshape(1)
        s = normalize_dims(start_dim, self.ndim, "flatten")[0]
        e = normalize_dims(end_dim, self.ndim, "flatten")[0]
        if s > e:
            raise RuntimeError(f"flatten: start_dim ({start_dim}) cannot come after end_dim "
                               f"({end_dim}) (shape {tuple(self.data.shape)})")
        shape = self.data.shape
        return self.reshape(shape[:s] + (int(np.prod(shape[s : e + 1])),) + shape[e + 1 :])

    def unflatten(self, dim: int, sizes: Sequence[int]) -> Tensor:
        """Split dim into several dims of the given sizes."""
        d = normalize_dims(dim, self.ndim, "unflatten")[0]
        sizes, n = [int(v) for v in sizes], self.data.shape[d]
        known = int(np.prod([v for v in sizes if v != -1]))
        if sizes.count(-1) == 1 and known:  # resolve -1 here: reshape cannot on an empty tensor
            sizes[sizes.index(-1)] = n // known
        if not sizes or int(np.prod(sizes)) != n or min(sizes) < -1:
            raise RuntimeError(f"unflatten: Provided sizes {sizes} don't multiply up to the size "
                               f"of dim {dim} ({n}) in the input tensor of shape "
                               f"{tuple(self.shape)}")
        return self.reshape(self.data.shape[:d] + tuple(sizes) + self.data.shape[d + 1 :])

    def permute(self, *dims: Any) -> Tensor:
        """Reorder the dims: result dim i is self's dim dims[i]."""
        dims = shape_args(dims, "permute", "dims")
        if len(dims) != self.ndim:
            raise RuntimeError(
                f"permute: number of dims don't match (the tensor of shape "
                f"{tuple(self.data.shape)} has {self.ndim}, got {len(dims)}: {list(dims)})")
        order = [normalize_dims(d, self.ndim, "permute")[0] for d in dims]
        if len(set(order)) != len(order):
            raise RuntimeError(f"permute: duplicate dims are not allowed (got {list(dims)} for "
                               f"shape {tuple(self.data.shape)})")
        return sh.Permute.apply(self, dims=tuple(order))

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """Swap two dims."""
        if self.ndim < 2 and dim0 in (0, -1) and dim1 in (0, -1):
            return self
        a, b = normalize_dims(dim0, self.ndim, "transpose")[0], \
            normalize_dims(dim1, self.ndim, "transpose")[0]
        order = list(range(self.ndim))
        order[a], order[b] = order[b], order[a]
        return sh.Permute.apply(self, dims=tuple(order))

    swapaxes = transpose

    def t(self) -> Tensor:
        """Transpose a matrix (a 0-d or 1-D tensor is returned as is)."""
        if self.ndim > 2:
            raise RuntimeError(
                f"t: expects a tensor with <= 2 dimensions, but self is {self.ndim}D"
            )
        return self.transpose(0, -1) if self.ndim == 2 else self

    @property
    def T(self) -> Tensor:  # noqa: N802 - PyTorch's name
        """All dims reversed."""
        return sh.Permute.apply(self, dims=tuple(range(self.ndim))[::-1])

    @property
    def mT(self) -> Tensor:  # noqa: N802 - PyTorch's name
        """The last two dims swapped (a batch of matrices transposed)."""
        n = self.data.ndim
        if n == 0:  # PyTorch: deprecated, the identity
            return sh.Permute.apply(self, dims=())
        if n < 2:
            raise RuntimeError(f"mT: expects a tensor with >= 2 dimensions, got {n}")
        return sh.Permute.apply(self, dims=tuple(range(n - 2)) + (n - 1, n - 2))

    def squeeze(self, dim: Any = None) -> Tensor:
        """Drop size-1 dims (all of them, or those in dim)."""
        axes = normalize_dims(dim, self.ndim, "squeeze", empty_is_all=False) \
            if dim is not None else None
        shape = self.data.shape
        keep = [n for i, n in enumerate(shape)
                if n != 1 or (axes is not None and i not in axes)]
        return self if len(keep) == len(shape) else self.reshape(tuple(keep))

    def unsqueeze(self, dim: int) -> Tensor:
        """Insert a size-1 dim at position dim."""
        d = normalize_dims(dim, self.ndim + 1, "unsqueeze")[0]
        return self.reshape(self.data.shape[:d] + (1,) + self.data.shape[d:])

    def expand(self, *sizes: Any) -> Tensor:
        """Broadcast size-1 dims to larger sizes without copying (-1 keeps a size)."""
        sizes = shape_args(sizes, "expand")
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
        """Expand to other's shape."""
        return self.expand(other.data.shape)

    def repeat(self, *sizes: Any) -> Tensor:
        """Tile the tensor: repeat(2, 3) on (a, b) gives (2a, 3b)."""
        sizes = shape_args(sizes, "repeat", "repeats")
        x = self.reshape((1,) * (len(sizes) - self.ndim) + self.data.shape)
        inter = [v for n in x.data.shape for v in (1, n)]
        tiled = [v for r, n in zip(sizes, x.data.shape) for v in (r, n)]
        return x.reshape(inter).expand(tiled).reshape([r * n for r, n in zip(sizes, x.data.shape)])

    def flip(self, *dims: Any) -> Tensor:
        """Reverse the order of elements along dims (flip(0, 1) or flip([0, 1]))."""
        if not dims:
            raise TypeError("flip() missing 1 required positional argument: 'dims'")
        if len(dims) == 1 and not isinstance(dims[0], (int, np.integer)):
            dims = dims[0]
        axes = normalize_dims(dims, self.ndim, "flip", empty_is_all=False)
        return self.clone() if axes == () else sh.Flip.apply(self, dims=axes)

    def triu(self, diagonal: int = 0) -> Tensor:
        """The upper triangle of the last two dims (the rest zeroed)."""
        return sh.Triangle.apply(self, diagonal=diagonal, upper=True)

    def tril(self, diagonal: int = 0) -> Tensor:
        """The lower triangle of the last two dims (the rest zeroed)."""
        return sh.Triangle.apply(self, diagonal=diagonal, upper=False)

    def split(self, split_size: Any, dim: int = 0) -> list[Tensor]:
        """Pieces of split_size along dim (the last may be smaller), or of the listed sizes."""
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
        """At most `chunks` equal pieces along dim (the last may be smaller)."""
        if not isinstance(chunks, int) or chunks <= 0:
            raise RuntimeError(f"chunk: expects `chunks` to be greater than 0, got: {chunks}")
        d = normalize_dims(dim, self.ndim, "chunk")[0]
        n = self.data.shape[d]
        if n == 0:  # PyTorch gives `chunks` empty pieces
            return [self[(slice(None),) * d + (slice(0, 0),)] for _ in range(chunks)]
        return self.split(-(-n // chunks), dim)

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        """The slices along dim, with that dim removed."""
        d = normalize_dims(dim, self.ndim, "unbind")[0]
        lead = (slice(None),) * d
        return tuple(self[lead + (i,)] for i in range(self.data.shape[d]))
