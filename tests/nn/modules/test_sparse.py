"""nn.Embedding (minigrad/nn/modules/sparse.py): the padding row, default init,
from_pretrained and repr."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.nn.modules.sparse import Embedding
from tests.helpers import to_numpy as _np


def _idx(a) -> minigrad.Tensor:
    return minigrad.tensor(np.array(a, dtype=np.int64))


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
