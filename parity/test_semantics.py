"""PyTorch's semantics off the beaten path: each call runs in both libraries; where PyTorch
raises, minigrad raises too, and where it returns, minigrad returns the same values, shapes,
dtypes and gradients. The cases are the ones a differential review found (issue 8)."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

import minigrad


def _grads(lib, out, *leaves):
    """out, and each leaf's gradient of sum(out * w) for a fixed w."""
    w = lib.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)), dtype=out.dtype)
    (out * w).sum().backward()
    return (out, *[t.grad for t in leaves])


def _leaf(lib, values, dtype="float64"):
    return lib.tensor(np.array(values, dtype=dtype), requires_grad=True)


def _clone_zero(lib):
    x = _leaf(lib, [1.0, 2.0])
    c = x.clone()
    c.zero_()
    return _grads(lib, c, x)


def _clone_fill(lib):
    x = _leaf(lib, [1.0, 2.0])
    c = x.clone()
    c.fill_(4.0)
    return _grads(lib, c, x)


def _setitem_0d(lib):
    x = _leaf(lib, 2.0)
    c = x.clone()
    c[...] = 1.0
    return _grads(lib, c, x)


def _view_inplace(lib):
    a = _leaf(lib, [[1.0, 2.0], [3.0, 4.0]])
    y = _leaf(lib, [5.0, 6.0])
    b = a * 1
    row, col = b[0], b[:, 0]
    row.mul_(y)
    return _grads(lib, (col * col).sum() + (b**2).sum(), a, y)


def _setitem_slice_of_constant(lib):
    x = _leaf(lib, [1.0, 2.0])
    z = lib.zeros(3, dtype=lib.float64)
    z[1:] = x * 2
    return _grads(lib, z, x)


def _transpose_inplace(lib):
    x = _leaf(lib, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    b = x.exp()
    b.t()[1:].mul_(x[:, :2].t().sin())
    return _grads(lib, b, x)


def _base_inplace_then_view(lib):
    x = _leaf(lib, [1.0, 2.0, 3.0])
    c = x.clone()
    head = c[:2]
    c.mul_(x)
    return _grads(lib, head, x)


def _leaf_inplace(lib):
    _leaf(lib, [1.0]).add_(1.0)


def _view_of_leaf_inplace(lib):
    _leaf(lib, [1.0, 2.0])[:1].add_(1.0)


def _stale_saved(lib):
    x = _leaf(lib, [1.0, 2.0])
    z = (x * 1).exp()
    z.add_(1.0)
    z.sum().backward()


def _view_noncontiguous(lib):
    return lib.arange(6.0).reshape(2, 3).t().view(6)


def _expanded_write(lib):
    return lib.ones(1, 3).expand(2, 3).add_(1.0)


CASES = {
    "inplace.zero_on_clone": _clone_zero,
    "inplace.fill_on_clone": _clone_fill,
    "inplace.setitem_0d_clone": _setitem_0d,
    "inplace.through_view_rebases_base": _view_inplace,
    "inplace.setitem_slice_of_constant": _setitem_slice_of_constant,
    "inplace.through_transposed_view": _transpose_inplace,
    "inplace.base_then_older_view": _base_inplace_then_view,
    "inplace.leaf_raises": _leaf_inplace,
    "inplace.view_of_leaf_raises": _view_of_leaf_inplace,
    "inplace.stale_saved_raises": _stale_saved,
    "inplace.expanded_write_raises": _expanded_write,
    "view.non_contiguous_raises": _view_noncontiguous,
    "getitem.negative_step": lambda lib: lib.arange(4.0)[::-1],
    "permute.out_of_range": lambda lib: lib.ones(2, 3).permute(0, 5),
    "permute.duplicate": lambda lib: lib.ones(2, 3).permute(1, -1),
    "flatten.out_of_range": lambda lib: lib.ones(2, 3).flatten(0, 5),
    "flatten.start_after_end": lambda lib: lib.ones(2, 3).flatten(1, 0),
    "index_select.negative": lambda lib: lib.ones(2, 3).index_select(1, lib.tensor([-1])),
    "index_select.matrix_index": lambda lib: lib.ones(2, 3).index_select(1, lib.tensor([[0]])),
    "masked_fill.1d_value": lambda lib: lib.ones(3).masked_fill(lib.ones(3) > 0,
                                                                 lib.tensor([2.0])),
    "scatter.src_smaller": lambda lib: lib.zeros(3, 3).scatter(0, lib.tensor([[0, 1, 2]]),
                                                               lib.ones(1, 2)),
    "scatter_add.src_smaller": lambda lib: lib.zeros(3, 3).scatter_add(
        0, lib.tensor([[0, 1, 2]]), lib.ones(1, 2)),
    "binary_cross_entropy.weight_enlarges": lambda lib: lib.nn.functional.binary_cross_entropy(
        lib.full((3,), 0.5), lib.ones(3), weight=lib.ones(2, 3), reduction="none"),
    "chunk.negative": lambda lib: lib.ones(4).chunk(-1),
    "arange.negative_end": lambda lib: lib.arange(-1),
    "softmax.int": lambda lib: lib.tensor([1, 2]).softmax(0),
    "log_softmax.int": lambda lib: lib.tensor([1, 2]).log_softmax(0),
    "norm.int": lambda lib: lib.tensor([1, 2]).norm(),
    "abs.bool": lambda lib: lib.tensor([True]).abs(),
    "floor.bool": lambda lib: lib.tensor([True, False]).floor(),
    "round.bool": lambda lib: lib.tensor([True]).round(),
    "neg.bool": lambda lib: -lib.tensor([True]),
    "eq.not_broadcastable": lambda lib: lib.ones(2, 3) == lib.ones(4),
    "lt.not_broadcastable": lambda lib: lib.ones(2, 3) < lib.ones(2, 2),
    "logsumexp.empty_dims_keepdim": lambda lib: lib.ones(2, 3).logsumexp((), keepdim=True),
    "pow.int_negative_scalar": lambda lib: lib.tensor([2, 3]) ** -1,
    "mT.1d": lambda lib: lib.ones(3).mT,
    # wrong results before
    "cosine_similarity.broadcast_dim0": lambda lib: _cos(lib, (3,), (2, 3), 0),
    "cosine_similarity.broadcast_batch": lambda lib: _cos(lib, (2, 1, 3), (1, 4, 3), -1),
    "flip.empty_dims": lambda lib: lib.arange(6.0).reshape(2, 3).flip(()),
    "squeeze.empty_dims": lambda lib: lib.zeros(1, 2).squeeze(()),
    "all.empty_dims": lambda lib: lib.tensor([[True, False]]).all(()),
    "any.empty_dims": lambda lib: lib.tensor([[True, False]]).any(()),
    "cumsum.0d": lambda lib: lib.tensor(3.0).cumsum(0),
    "square.bool": lambda lib: lib.tensor([True, False]).square(),
    "all.uint8": lambda lib: lib.tensor([1, 2], dtype=lib.uint8).all(),
    "any.uint8_dim": lambda lib: lib.tensor([[1, 0]], dtype=lib.uint8).any(1),
    "mse.mixed_precision": lambda lib: lib.nn.functional.mse_loss(
        lib.ones(2, dtype=lib.float64), lib.zeros(2)),
    "chunk.size0_dim": lambda lib: lib.zeros(0, 3).chunk(2),
    "chunk.size0_dim1": lambda lib: lib.zeros(2, 0).chunk(3, 1),
    "arange.float_end_int_dtype": lambda lib: lib.arange(3.5, dtype=lib.int64),
    "arange.float_step_int_dtype": lambda lib: lib.arange(0, 5, 1.5, dtype=lib.int64),
    "batch_norm.empty_batch_keeps_stats": lambda lib: _bn_empty(lib),
    # missing before
    "softmax.size0": lambda lib: lib.zeros(0, 3).softmax(0),
    "log_softmax.size0": lambda lib: lib.zeros(2, 0).log_softmax(1),
    "logsumexp.size0": lambda lib: lib.zeros(0, 3).logsumexp(0),
    "argmax.size0_other_dim": lambda lib: lib.zeros(0, 3).argmax(1),
    "argmax.size0_reduced_dim": lambda lib: lib.zeros(0, 3).argmax(0),
    "amax.size0_other_dim": lambda lib: lib.zeros(0, 3).amax(1),
    "nonzero.0d_as_tuple": lambda lib: lib.tensor(3.0).nonzero(as_tuple=True),
    "nonzero.0d": lambda lib: lib.tensor(0.0).nonzero(),
    "where.0d_condition": lambda lib: lib.where(lib.tensor(True)),
    "pow.int_negative_tensor": lambda lib: lib.tensor([0, 1, -1, 2, -1]) ** lib.tensor(
        [-1, -1, -1, -2, -2]),
    "einsum.ellipsis": lambda lib: _einsum(lib, "...ij,...jk->...ik", (2, 2, 3), (3, 4)),
    "einsum.ellipsis_trailing": lambda lib: _einsum(lib, "ij...,jk...", (2, 3, 1), (3, 4, 5)),
    "einsum.diagonal": lambda lib: _einsum(lib, "ii->i", (3, 3)),
    "einsum.trace": lambda lib: _einsum(lib, "ii", (3, 3)),
    "einsum.diagonal_product": lambda lib: _einsum(lib, "iij,jk", (2, 2, 3), (3, 4)),
}


def _cos(lib, s1, s2, dim):
    rng = np.random.default_rng(3)
    a, b = _leaf(lib, rng.standard_normal(s1)), _leaf(lib, rng.standard_normal(s2))
    return _grads(lib, lib.nn.functional.cosine_similarity(a, b, dim=dim), a, b)


def _einsum(lib, equation, *shapes):
    rng = np.random.default_rng(4)
    leaves = [_leaf(lib, rng.standard_normal(s)) for s in shapes]
    return _grads(lib, lib.einsum(equation, *leaves), *leaves)


def _bn_empty(lib):
    bn = lib.nn.BatchNorm1d(3)
    out = bn(lib.zeros(0, 3))
    return out, bn.running_mean, bn.running_var, bn.num_batches_tracked


def _run(lib, fn):
    try:
        return "ok", fn(lib)
    except Exception as err:  # noqa: BLE001 - the class of the outcome is what is compared
        return "raise", err


def _flatten(value):
    if isinstance(value, (tuple, list)):
        return [v for item in value for v in _flatten(item)]
    return [value]


def _as_numpy(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


@pytest.mark.parametrize("name", list(CASES))
def test_minigrad_raises_or_returns_as_pytorch_does(name: str) -> None:
    kind_t, res_t = _run(torch, CASES[name])
    kind_m, res_m = _run(minigrad, CASES[name])
    if kind_t == "raise":
        assert kind_m == "raise", f"PyTorch raised {res_t!r}; minigrad returned {res_m!r}"
        return
    assert kind_m == "ok", f"PyTorch returned {res_t!r}; minigrad raised {res_m!r}"
    outs_t, outs_m = _flatten(res_t), _flatten(res_m)
    assert len(outs_t) == len(outs_m)
    for t, m in zip(outs_t, outs_m):
        if t is None or m is None:
            assert t is None and m is None
            continue
        a, b = _as_numpy(m), _as_numpy(t)
        assert a.shape == b.shape and a.dtype == b.dtype, (a, b)
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-12)


def test_errors_name_the_op():
    """Every error minigrad gives for the cases where PyTorch raises names the op."""
    unnamed = {}
    for name, fn in CASES.items():
        kind, res = _run(minigrad, fn)
        op = name.split(".")[0]
        if kind == "raise" and op not in str(res) and op not in ("inplace", "view"):
            unnamed[name] = str(res)
    assert unnamed == {}


def test_no_grad_in_one_thread_leaves_recording_on_in_another_as_in_pytorch():
    for lib in (minigrad, torch):
        inside, done, seen = threading.Event(), threading.Event(), []

        def hold(lib=lib, inside=inside, done=done):
            with lib.no_grad():
                inside.set()
                done.wait(10)

        thread = threading.Thread(target=hold)
        thread.start()
        inside.wait(10)
        seen.append((lib.ones(2, requires_grad=True) * 2).requires_grad)
        done.set()
        thread.join()
        assert seen == [True]
