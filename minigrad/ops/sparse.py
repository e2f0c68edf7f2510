"""Embedding lookups (nn's sparse family): `Embedding` picks whole rows of a weight matrix and
`EmbeddingBackward` adds gradient rows back at their indices; each is the other's gradient, so
double backward comes for free."""

from __future__ import annotations

import numpy as np

from minigrad.autograd.node import Op


def _row_counts(flat: np.ndarray) -> np.ndarray:
    """How often each entry's index occurs in the batch (for scale_grad_by_freq)."""
    _, inverse, counts = np.unique(flat, return_inverse=True, return_counts=True)
    return counts[inverse.reshape(-1)]


class Embedding(Op):
    """out = weight[indices] (whole rows);  d/dweight = the gradient rows added back at their
    indices (EmbeddingBackward). With `adjoint` (the double-backward form) the rows at
    padding_idx are zeroed and each row is divided by its index's count under scale_by_freq."""

    def forward(self, weight, indices, padding_idx=None, scale_by_freq=False, adjoint=False):
        self.indices, self.num = indices, weight.shape[0]
        self.padding_idx, self.scale_by_freq = padding_idx, scale_by_freq
        out = np.take(weight, indices, axis=0)
        if adjoint:
            flat = indices.reshape(-1)
            rows = out.reshape(-1, weight.shape[1])
            if scale_by_freq:
                rows /= _row_counts(flat).astype(out.dtype)[:, None]
            if padding_idx is not None:
                rows[flat == padding_idx] = 0
        return out

    def backward(self, grad):
        return (EmbeddingBackward.apply(grad, indices=self.indices, num=self.num,
                                        padding_idx=self.padding_idx,
                                        scale_by_freq=self.scale_by_freq),)


class EmbeddingBackward(Op):
    """zeros(num, D) with row i of g added at indices[i] (none at padding_idx; divided by the
    index's count under scale_by_freq);  d/dg = Embedding in its adjoint form.

    A stable sort groups equal indices and `np.add.reduceat` sums each run (2-4x faster than
    np.add.at on large vocabularies), accumulating repeats in their original order."""

    def forward(self, g, indices, num, padding_idx=None, scale_by_freq=False):
        self.indices, self.padding_idx, self.scale_by_freq = indices, padding_idx, scale_by_freq
        dim = g.shape[-1]
        out = np.zeros((num, dim), dtype=g.dtype)
        flat = indices.reshape(-1)
        if flat.size == 0:
            return out
        rows = g.reshape(-1, dim)
        order = np.argsort(flat, kind="stable")
        ordered = flat[order]
        starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
        sums = np.add.reduceat(rows[order], starts, axis=0)
        targets = ordered[starts]
        if scale_by_freq:
            counts = np.diff(np.append(starts, flat.size))
            sums /= counts.astype(g.dtype)[:, None]
        if padding_idx is not None:
            keep = targets != padding_idx
            targets, sums = targets[keep], sums[keep]
        out[targets] = sums
        return out

    def backward(self, grad):
        return (Embedding.apply(grad, indices=self.indices, padding_idx=self.padding_idx,
                                scale_by_freq=self.scale_by_freq, adjoint=True),)
