"""Embedding (minigrad/ops/sparse.py's Embedding ops, nn/functional/sparse.embedding,
nn/modules/sparse.Embedding): lookups against NumPy indexing, gradients that accumulate repeated
indices (np.add.at as the reference), padding_idx rows that never get a gradient,
scale_grad_by_freq, max_norm, from_pretrained, initialisation, and bad indices."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.autograd import gradcheck, gradgradcheck
from minigrad.nn.functional.sparse import embedding
from minigrad.nn.modules.sparse import Embedding
from minigrad.ops.sparse import EmbeddingBackward


def _np(t) -> np.ndarray:
    return t.detach().numpy()


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


def test_padding_row_output_is_the_row_and_its_gradient_is_zero(rng) -> None:
    emb = Embedding(5, 3, padding_idx=-2).double()
    assert emb.padding_idx == 3 and np.all(_np(emb.weight)[3] == 0)
    with minigrad.no_grad():
        emb.weight.data[3] = 7.0  # a changed padding row is looked up as it is (as PyTorch)
    out = emb(_idx([3, 1, 3]))
    np.testing.assert_array_equal(_np(out)[0], [7.0, 7.0, 7.0])
    out.sum().backward()
    np.testing.assert_array_equal(_np(emb.weight.grad)[3], 0.0)
    np.testing.assert_array_equal(_np(emb.weight.grad)[1], 1.0)


def test_gradcheck_and_gradgradcheck(rng) -> None:
    w = minigrad.tensor(rng.standard_normal((6, 3)), requires_grad=True)
    idx = _idx([[0, 2, 2], [5, 0, 1]])
    assert gradcheck(lambda w: embedding(idx, w), (w,))
    assert gradgradcheck(lambda w: embedding(idx, w) ** 2, (w,))


@pytest.mark.parametrize("padding_idx", [None, 2])
@pytest.mark.parametrize("freq", [False, True])
def test_scatter_op_is_linear_and_its_backward_is_its_adjoint(padding_idx, freq, rng) -> None:
    """padding_idx and scale_grad_by_freq make Embedding's gradient a chosen rule, not the
    derivative; the scatter that implements it must still differentiate exactly (double
    backward)."""
    idx = np.array([[0, 2, 2], [5, 0, 2]])
    g = minigrad.tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
    assert gradcheck(lambda g: EmbeddingBackward.apply(
        g, indices=idx, num=6, padding_idx=padding_idx, scale_by_freq=freq), (g,))


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


def test_default_init_is_standard_normal_and_reproducible() -> None:
    minigrad.manual_seed(11)
    a = Embedding(400, 50, padding_idx=0)
    minigrad.manual_seed(11)
    b = Embedding(400, 50, padding_idx=0)
    np.testing.assert_array_equal(_np(a.weight), _np(b.weight))
    w = _np(a.weight)
    assert w.dtype == np.float32 and np.all(w[0] == 0)
    assert abs(w[1:].mean()) < 0.02 and abs(w[1:].std() - 1) < 0.02
    assert a.weight.requires_grad and list(a.state_dict()) == ["weight"]


def test_from_pretrained_shares_weights_and_freezes(rng) -> None:
    pre = minigrad.tensor(rng.standard_normal((4, 3)).astype(np.float32))
    emb = Embedding.from_pretrained(pre)
    assert not emb.weight.requires_grad and emb.weight.data is pre.data
    out = emb(_idx([1, 3]))
    np.testing.assert_array_equal(_np(out), _np(pre)[[1, 3]])
    assert not out.requires_grad
    trainable = Embedding.from_pretrained(pre, freeze=False, padding_idx=1)
    assert trainable.weight.requires_grad and trainable.padding_idx == 1
    np.testing.assert_array_equal(_np(trainable.weight)[1], _np(pre)[1])  # not zeroed
    with pytest.raises(AssertionError, match="2-dimensional"):
        Embedding.from_pretrained(minigrad.zeros(3))


def test_repr_like_pytorch() -> None:
    assert repr(Embedding(10, 3)) == "Embedding(10, 3)"
    assert repr(Embedding(10, 3, padding_idx=0)) == "Embedding(10, 3, padding_idx=0)"
    assert repr(Embedding(10, 3, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True,
                          sparse=True)) == ("Embedding(10, 3, max_norm=1.0, norm_type=1.0, "
                                            "scale_grad_by_freq=True, sparse=True)")


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
