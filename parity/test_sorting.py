"""sort/topk/cumsum/einsum against PyTorch through the shared harness, and multinomial's draws
against torch's after the same seed."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minigrad  # noqa: E402
from parity.harness import DTYPES, Case, distinct, normal, run_case  # noqa: E402

CASES = [
    Case("sort_dim1_values", lambda lib, x: x.sort(dim=1).values, [distinct(3, 5)]),
    Case("sort_descending_values", lambda lib, x: x.sort(dim=0, descending=True).values,
         [distinct(4, 3)]),
    Case("sort_indices", lambda lib, x: x.sort(dim=-1)[1], [distinct(2, 6)], grad=()),
    Case("argsort_descending", lambda lib, x: x.argsort(dim=1, descending=True), [distinct(3, 4)],
         grad=()),
    Case("topk_largest", lambda lib, x: x.topk(3, dim=1).values, [distinct(2, 7)]),
    Case("topk_smallest_indices", lambda lib, x: x.topk(2, dim=0, largest=False).indices,
         [distinct(5, 3)], grad=()),
    Case("cumsum_dim0", lambda lib, x: x.cumsum(0), [normal(4, 3)]),
    Case("cumsum_dim_neg", lambda lib, x: lib.cumsum(x, dim=-1), [normal(2, 3, 5)]),
    Case("einsum_matmul", lambda lib, a, b: lib.einsum("ij,jk->ik", a, b),
         [normal(3, 4), normal(4, 2)]),
    Case("einsum_attention_scores", lambda lib, q, k: lib.einsum("bhqd,bhkd->bhqk", q, k),
         [normal(2, 2, 3, 4), normal(2, 2, 5, 4)]),
    Case("einsum_implicit_trace_free", lambda lib, a, b: lib.einsum("bij,bjk", a, b),
         [normal(2, 3, 4), normal(2, 4, 2)]),
    Case("einsum_reduce_only_one_operand", lambda lib, a, b: lib.einsum("ij,jk->k", a, b),
         [normal(3, 4), normal(4, 2)]),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_sorting_case_matches_torch(case, dtype):
    result = run_case(case, dtype)
    assert result.passed, result.failures


@pytest.mark.parametrize("replacement, k", [(True, 5), (False, 1), (False, 3), (True, 1)])
def test_multinomial_draws_match_torch_after_the_same_seed(replacement, k):
    torch.manual_seed(0)
    probs = torch.softmax(torch.randn(4, 6), dim=-1)
    want = torch.multinomial(probs, k, replacement=replacement)
    minigrad.manual_seed(0)
    got = minigrad.multinomial(minigrad.softmax(minigrad.randn(4, 6), dim=-1), k,
                               replacement=replacement)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


SCATTER_CASES = [
    Case("scatter_src", lambda lib, x, s, i: x.scatter(1, i, s),
         [normal(3, 5), normal(3, 2)], extras=[np.array([[0, 4], [2, 1], [3, 0]])]),
    Case("scatter_add_src", lambda lib, x, s, i: x.scatter_add(0, i, s),
         [normal(3, 4), normal(2, 4)], extras=[np.array([[0, 2, 1, 0], [0, 2, 2, 1]])]),
    Case("masked_fill_inplace_recorded",
         lambda lib, x, m: (x * 1).masked_fill_(m, 0.5), [normal(3, 4)],
         extras=[np.array([[True, False, True, False]] * 3)]),
    Case("normalize_dim1", lambda lib, x: lib.nn.functional.normalize(x, dim=1), [normal(4, 3)]),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", SCATTER_CASES, ids=lambda c: c.name)
def test_scatter_case_matches_torch(case, dtype):
    result = run_case(case, dtype)
    assert result.passed, result.failures
