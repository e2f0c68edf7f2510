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
        return sh.Reshape.apply(self, shape=shape_args(shape))

    view = reshape

    def view_as(self, other: Tensor) -> Tensor:
        """Reshape to other's shape."""
        return self.reshape(other.data.shape)

    reshape_as = view_as

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dims start_dim..end_dim into one."""
        if self.ndim == 0:
            return self.reshape(1)
        s, e = (d % self.ndim for d in (start_dim, end_dim))
        shape = self.data.shape
        return self.reshape(shape[:s] + (-1,) + shape[e + 1 :])

    def unflatten(self, dim: int, sizes: Sequence[int]) -> Tensor:
        """Split dim into several dims of the given sizes."""
        d = normalize_dims(dim, self.ndim, "unflatten")[0]
        return self.reshape(self.data.shape[:d] + tuple(sizes) + self.data.shape[d + 1 :])

    def permute(self, *dims: Any) -> Tensor:
        """Reorder the dims: result dim i is self's dim dims[i]."""
        dims = shape_args(dims)
        if sorted(d % max(1, self.ndim) for d in dims) != list(range(self.ndim)):
            raise RuntimeError(
                f"permute: dims {list(dims)} are not a permutation of the {self.ndim} dims of a "
                f"tensor of shape {tuple(self.data.shape)}"
            )
        return sh.Permute.apply(self, dims=tuple(d % self.ndim for d in dims))

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
        if n < 2:
            raise RuntimeError(f"mT: expects a tensor with >= 2 dimensions, got {n}")
        return sh.Permute.apply(self, dims=tuple(range(n - 2)) + (n - 1, n - 2))

    def squeeze(self, dim: Any = None) -> Tensor:
        """Drop size-1 dims (all of them, or those in dim)."""
        axes = normalize_dims(dim, self.ndim, "squeeze") if dim is not None else None
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
        sizes = shape_args(sizes)
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
        sizes = shape_args(sizes)
        x = self.reshape((1,) * (len(sizes) - self.ndim) + self.data.shape)
        inter = [v for n in x.data.shape for v in (1, n)]
        tiled = [v for r, n in zip(sizes, x.data.shape) for v in (r, n)]
        return x.reshape(inter).expand(tiled).reshape([r * n for r, n in zip(sizes, x.data.shape)])

    def flip(self, dims: Any) -> Tensor:
        """Reverse the order of elements along dims."""
        return sh.Flip.apply(self, dims=normalize_dims(dims, self.ndim, "flip"))

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
        n = self.data.shape[normalize_dims(dim, self.ndim, "chunk")[0]]
        return self.split(max(1, -(-n // chunks)), dim)

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        """The slices along dim, with that dim removed."""
        d = normalize_dims(dim, self.ndim, "unbind")[0]
        lead = (slice(None),) * d
        return tuple(self[lead + (i,)] for i in range(self.data.shape[d]))
