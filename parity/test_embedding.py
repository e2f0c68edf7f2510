"""Embedding against torch: F.embedding as harness cases (output and weight gradient, with
repeated indices, padding_idx, scale_grad_by_freq and max_norm), the module over several steps
(output, weight gradient, and the weight itself after max_norm renormalises it in place),
from_pretrained, default init after the same manual_seed, reprs and errors."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minigrad  # noqa: E402
from minigrad.nn.functional import sparse as sparse_functions  # noqa: E402
from minigrad.nn.modules.sparse import Embedding  # noqa: E402
from parity.harness import DTYPES, TOLERANCES, Case, compare, normal, run_case  # noqa: E402


def _functional(lib):
    return torch.nn.functional if lib is torch else sparse_functions


def _embedding_class(lib):
    return torch.nn.Embedding if lib is torch else Embedding


def _indices(*shape: int, num: int = 7, repeat: int | None = 2):
    """Random indices that always include `repeat` several times (and every row < num)."""
    def draw(rng: np.random.Generator) -> np.ndarray:
        idx = rng.integers(0, num, shape)
        if repeat is not None:
            idx.reshape(-1)[:3] = repeat
        return idx
    return draw


def _emb(**kw):
    return lambda lib, w, idx: _functional(lib).embedding(idx, w, **kw)


F_CASES = [
    Case("embedding-1d", _emb(), ((7, 4),), extras=(_indices(9),)),
    Case("embedding-2d", _emb(), ((7, 4),), extras=(_indices(3, 5),)),
    Case("embedding-3d-int32", _emb(), ((7, 3),),
         extras=(lambda rng: _indices(2, 3, 4)(rng).astype(np.int32),)),
    Case("embedding-0d", _emb(), ((7, 4),), extras=(np.array(3),)),
    Case("embedding-padding", _emb(padding_idx=2), ((7, 4),), extras=(_indices(4, 5),)),
    Case("embedding-padding-negative", _emb(padding_idx=-1), ((7, 4),),
         extras=(_indices(4, 5, repeat=6),)),
    Case("embedding-freq", _emb(scale_grad_by_freq=True), ((7, 4),), extras=(_indices(4, 5),)),
    Case("embedding-freq-padding", _emb(scale_grad_by_freq=True, padding_idx=0), ((7, 4),),
         extras=(_indices(4, 5, repeat=0),)),
    Case("embedding-max-norm", _emb(max_norm=1.5), (normal(7, 4, scale=2.0),),
         extras=(_indices(4, 5),)),
    Case("embedding-max-norm-p1", _emb(max_norm=2.0, norm_type=1.0), (normal(7, 4, scale=2.0),),
         extras=(_indices(4, 5),)),
    Case("embedding-large-vocab", _emb(), ((300, 8),),
         extras=(_indices(16, 40, num=50),)),
]
WORST: dict = {}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", F_CASES, ids=lambda c: c.name)
def test_functional_embedding_matches_torch(case, dtype) -> None:
    result = run_case(case, dtype)
    assert result.passed, result.failures
    WORST[(case.name, dtype)] = max(result.fwd_rel, result.grad_rel)


def _close(label, a, b, dtype, failures, worst) -> None:
    xa, xb = a.detach().numpy(), b.detach().numpy()
    if xa.shape != xb.shape or xa.dtype != xb.dtype:
        failures.append(f"{label}: {xa.dtype}{xa.shape} != torch {xb.dtype}{xb.shape}")
        return
    abs_err, rel, ok = compare(xa, xb, *TOLERANCES[dtype])
    worst.append(rel)
    if not ok:
        failures.append(f"{label}: abs err {abs_err:.3g}, rel err {rel:.3g}")


MODULES = [
    ("plain", dict()),
    ("padding", dict(padding_idx=0)),
    ("padding-negative", dict(padding_idx=-2)),
    ("freq", dict(scale_grad_by_freq=True)),
    ("max-norm", dict(max_norm=1.0)),
    ("max-norm-p3-padding", dict(max_norm=2.0, norm_type=3.0, padding_idx=1)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "kwargs"), MODULES, ids=[m[0] for m in MODULES])
def test_module_steps_match_torch(name, kwargs, dtype) -> None:
    """Same seed, same init; three steps (train, eval, train) with fresh indices: output,
    weight gradient (accumulated) and the weight itself (renormalised in place by max_norm)
    agree."""
    minigrad.manual_seed(5)
    torch.manual_seed(5)
    dt = getattr(minigrad, dtype), getattr(torch, dtype)
    ours = Embedding(12, 5, dtype=dt[0], **kwargs)
    theirs = torch.nn.Embedding(12, 5, dtype=dt[1], **kwargs)
    np.testing.assert_array_equal(ours.weight.detach().numpy(), theirs.weight.detach().numpy())
    rng = np.random.default_rng(1)
    failures: list = []
    worst: list = []
    for step in range(3):
        ours.train(step != 1)  # train, eval, train: the mode changes nothing here
        theirs.train(step != 1)
        idx = rng.integers(0, 12, (4, 6))
        idx[0, :3] = 0
        out_m = ours(minigrad.tensor(idx.copy()))
        out_t = theirs(torch.from_numpy(idx.copy()))
        _close(f"step {step} output", out_m, out_t, dtype, failures, worst)
        g = rng.standard_normal(tuple(out_t.shape)).astype(dtype)
        out_m.backward(minigrad.tensor(g.copy()))
        out_t.backward(torch.from_numpy(g.copy()))
        _close(f"step {step} weight grad", ours.weight.grad, theirs.weight.grad, dtype,
               failures, worst)
        _close(f"step {step} weight", ours.weight, theirs.weight, dtype, failures, worst)
    assert not failures, failures
    WORST[(f"module-{name}", dtype)] = max(worst)


@pytest.mark.parametrize("freeze", [True, False])
def test_from_pretrained_matches_torch(freeze) -> None:
    pre = np.random.default_rng(2).standard_normal((6, 3)).astype(np.float32)
    ours = Embedding.from_pretrained(minigrad.tensor(pre.copy()), freeze=freeze, padding_idx=2)
    theirs = torch.nn.Embedding.from_pretrained(torch.from_numpy(pre.copy()), freeze=freeze,
                                                padding_idx=2)
    assert ours.weight.requires_grad == theirs.weight.requires_grad == (not freeze)
    assert repr(ours) == repr(theirs)
    np.testing.assert_array_equal(ours.weight.detach().numpy(), theirs.weight.detach().numpy())
    idx = np.array([[2, 0, 5], [2, 2, 1]])
    out_m, out_t = ours(minigrad.tensor(idx)), theirs(torch.from_numpy(idx))
    np.testing.assert_array_equal(out_m.detach().numpy(), out_t.detach().numpy())
    assert out_m.requires_grad == out_t.requires_grad
    if not freeze:
        out_m.sum().backward()
        out_t.sum().backward()
        np.testing.assert_array_equal(ours.weight.grad.numpy(), theirs.weight.grad.numpy())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("args", "kwargs"), [
    ((10, 3), {}), ((3, 5), {}), ((100, 16), {}), ((7, 5), dict(padding_idx=0)),
    ((50, 8), dict(padding_idx=-1)),
])
def test_default_init_matches_torch_after_manual_seed(args, kwargs, dtype) -> None:
    minigrad.manual_seed(123)
    torch.manual_seed(123)
    ours = Embedding(*args, dtype=getattr(minigrad, dtype), **kwargs)
    theirs = torch.nn.Embedding(*args, dtype=getattr(torch, dtype), **kwargs)
    np.testing.assert_array_equal(ours.weight.detach().numpy(), theirs.weight.detach().numpy())
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    # the next draw agrees too: init consumed the same number of random values
    assert minigrad.rand(3).numpy().tolist() == torch.rand(3).numpy().tolist()


@pytest.mark.parametrize("kwargs", [dict(), dict(padding_idx=3), dict(padding_idx=-1),
                                    dict(max_norm=1.0, norm_type=1.0),
                                    dict(scale_grad_by_freq=True, sparse=True)])
def test_repr_matches_torch(kwargs) -> None:
    assert repr(Embedding(10, 4, **kwargs)) == repr(torch.nn.Embedding(10, 4, **kwargs))


@pytest.mark.parametrize(("index", "error"), [
    (np.array([0, 7]), IndexError),
    (np.array([[-1, 0]]), IndexError),
    (np.array([0.0, 1.0]), RuntimeError),
])
def test_bad_indices_raise_the_torch_error_types(index, error) -> None:
    for lib, make in ((torch, torch.from_numpy), (minigrad, minigrad.tensor)):
        with pytest.raises(error):
            _functional(lib).embedding(make(index.copy()), lib.zeros(7, 3))
    for lib in (torch, minigrad):
        with pytest.raises(AssertionError):
            _embedding_class(lib)(5, 2, padding_idx=5)
