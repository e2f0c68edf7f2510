"""F.embedding (minigrad/nn/functional/sparse.py): lookups against NumPy indexing,
gradients that accumulate repeated indices (np.add.at as the reference), padding_idx and
scale_grad_by_freq, max_norm renormalising in place, gradchecks, and bad indices."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.autograd import gradcheck, gradgradcheck
from minigrad.nn.functional.sparse import embedding
from minigrad.nn.modules.sparse import Embedding
from tests.helpers import to_numpy as _np


def _idx(a) -> minigrad.Tensor:
    return minigrad.tensor(np.array(a, dtype=np.int64))


def _scatter_reference(idx, g, num, padding_idx=None, freq=False) -> np.ndarray:
    flat, rows = idx.reshape(-1), g.reshape(-1, g.shape[-1]).copy()
    if freq:
        counts = np.bincount(flat, minlength=num)
        rows /= counts[flat][:, None]
    out = np.zeros((num, g.shape[-1]))
    np.add.at(out, flat, rows)
    if padding_idx is not None:
        out[padding_idx] = 0
    return out


@pytest.mark.parametrize("shape", [(), (4,), (3, 5), (2, 3, 4)], ids=str)
@pytest.mark.parametrize("int_dtype", [np.int64, np.int32])
def test_lookup_matches_numpy_indexing(shape, int_dtype, rng) -> None:
    w = rng.standard_normal((7, 3))
    idx = rng.integers(0, 7, shape).astype(int_dtype)
    out = embedding(minigrad.tensor(idx), minigrad.tensor(w))
    assert out.shape == shape + (3,)
    np.testing.assert_array_equal(_np(out), w[idx])


@pytest.mark.parametrize("padding_idx", [None, 2])
@pytest.mark.parametrize("freq", [False, True])
def test_gradient_accumulates_repeated_indices(padding_idx, freq, rng) -> None:
    w = minigrad.tensor(rng.standard_normal((6, 4)), requires_grad=True)
    idx = np.array([[0, 2, 2, 5], [5, 5, 1, 2], [0, 3, 2, 2]])
    g = rng.standard_normal((3, 4, 4))
    embedding(_idx(idx), w, padding_idx=padding_idx, scale_grad_by_freq=freq) \
        .backward(minigrad.tensor(g))
    np.testing.assert_allclose(_np(w.grad), _scatter_reference(idx, g, 6, padding_idx, freq),
                               rtol=1e-12, atol=1e-15)


def test_large_vocabulary_scatter_matches_add_at(rng) -> None:
    w = minigrad.tensor(rng.standard_normal((5000, 8)).astype(np.float32), requires_grad=True)
    idx = rng.integers(0, 300, (64, 33))  # many repeats, unsorted
    g = rng.standard_normal((64, 33, 8)).astype(np.float32)
    embedding(_idx(idx), w).backward(minigrad.tensor(g))
    assert w.grad.dtype == minigrad.float32
    np.testing.assert_allclose(_np(w.grad), _scatter_reference(idx, g.astype(np.float64), 5000),
                               rtol=1e-5, atol=1e-5)


def test_gradcheck_and_gradgradcheck(rng) -> None:
    w = minigrad.tensor(rng.standard_normal((6, 3)), requires_grad=True)
    idx = _idx([[0, 2, 2], [5, 0, 1]])
    assert gradcheck(lambda w: embedding(idx, w), (w,))
    assert gradgradcheck(lambda w: embedding(idx, w) ** 2, (w,))


def test_max_norm_renormalises_looked_up_rows_in_place(rng) -> None:
    w = rng.standard_normal((5, 4)) * 3
    w[4] *= 0.01  # under the limit: untouched
    wt = minigrad.tensor(w.copy(), requires_grad=True)
    version = wt._version
    out = embedding(_idx([0, 2, 4, 2]), wt, max_norm=1.5)
    expected = w.copy()
    for r in (0, 2):
        norm = np.linalg.norm(w[r])
        expected[r] = w[r] * (1.5 / (norm + 1e-7))
    np.testing.assert_allclose(_np(wt), expected, rtol=1e-12)
    np.testing.assert_allclose(_np(out), expected[[0, 2, 4, 2]], rtol=1e-12)
    assert wt._version > version
    out.sum().backward()
    np.testing.assert_array_equal(_np(wt.grad)[[0, 2, 4]], [[1] * 4, [2] * 4, [1] * 4])
    w1 = minigrad.tensor(w.copy())
    embedding(_idx([1]), w1, max_norm=2.0, norm_type=1.0)
    np.testing.assert_allclose(_np(w1)[1], w[1] * 2.0 / (np.abs(w[1]).sum() + 1e-7), rtol=1e-12)


def test_bad_indices_and_arguments_raise() -> None:
    w = minigrad.zeros(5, 3)
    with pytest.raises(IndexError, match=r"index 5 is not in \[0, 5\) for 5 embeddings"):
        embedding(_idx([0, 5]), w)
    with pytest.raises(IndexError, match="index -1 .* 5 embeddings"):
        embedding(_idx([[0], [-1]]), w)
    with pytest.raises(RuntimeError, match="Long, Int; but got minigrad.float32"):
        embedding(minigrad.tensor([0.0, 1.0]), w)
    with pytest.raises(RuntimeError, match=r"'weight' must be 2-D, got shape \(5,\)"):
        embedding(_idx([0]), minigrad.zeros(5))
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        embedding(_idx([0]), w, padding_idx=5)
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        Embedding(5, 3, padding_idx=-6)
    with pytest.raises(NotImplementedError, match="sparse"):
        Embedding(5, 3, sparse=True)(_idx([0]))


def test_empty_index_gives_empty_output_and_zero_gradient() -> None:
    w = minigrad.ones(4, 2, requires_grad=True)
    out = embedding(minigrad.tensor(np.zeros((0, 3), np.int64)), w)
    assert out.shape == (0, 3, 2)
    out.sum().backward()
    np.testing.assert_array_equal(_np(w.grad), np.zeros((4, 2)))


def test_one_hot_of_an_empty_tensor_needs_num_classes():
    from minigrad.nn.functional.sparse import one_hot
    empty = minigrad.tensor(np.zeros((0,), dtype=np.int64))
    with pytest.raises(RuntimeError, match="one_hot: Can not infer total number of classes"):
        one_hot(empty)
    assert one_hot(empty, 3).shape == (0, 3)
