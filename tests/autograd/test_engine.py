"""The backward engine (minigrad/autograd/engine.py): graph walks, accumulation, freeing,
hooks, higher order, versions, and the errors backward raises."""

import gc
import sys
import tracemalloc
import weakref

import numpy as np
import pytest

import minigrad
from minigrad import autograd
from tests.helpers import leaf


def test_reused_non_leaf_value_sums_both_paths():
    x = leaf([1.0, 2.0, 3.0])
    y = x * x  # used twice below
    z = (y * 3 + y.exp()).sum()
    z.backward()
    expected = 3 * 2 * x.data + np.exp(x.data**2) * 2 * x.data
    np.testing.assert_allclose(x.grad.data, expected)


def test_diamond_graph_gradient_reaches_leaf_once_per_path():
    x = leaf(2.0)
    a, b = x * 3, x.sin()
    (a * b).backward()
    np.testing.assert_allclose(x.grad.data, 3 * np.sin(2.0) + 3 * 2.0 * np.cos(2.0))


def test_gradients_accumulate_over_two_backward_calls():
    x = leaf([1.0, -2.0])
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.data, 3 + 2 * x.data)


def test_accumulation_is_in_place_like_pytorch():
    x = leaf([1.0, 2.0])
    (x * 2).sum().backward()
    first = x.grad
    (x * 5).sum().backward()
    assert x.grad is first
    np.testing.assert_allclose(first.data, [7.0, 7.0])


def test_fanout_of_one_gradient_does_not_alias_two_leaves():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (a + b).sum().backward()  # Add returns the same gradient object for both inputs
    a.grad.zero_()
    np.testing.assert_allclose(b.grad.data, [1.0, 1.0])


def test_user_gradient_is_not_aliased_into_leaf_grad():
    x = leaf([1.0, 2.0])
    seed = minigrad.tensor([1.0, 1.0], dtype=minigrad.float64)
    x.backward(seed)
    x.grad.zero_()
    np.testing.assert_allclose(seed.data, [1.0, 1.0])


def test_long_chain_of_100k_ops_backpropagates_without_recursion():
    x = leaf(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0
    assert sys.getrecursionlimit() < 100_000


def test_graph_saved_values_are_freed_after_backward():
    x = leaf(np.ones((50, 50)))
    y = x.exp()
    node = y.grad_fn
    z = (y * x).sum()
    z.backward()
    assert node.freed
    with pytest.raises(RuntimeError, match="second time"):
        z.backward()


def test_retain_graph_allows_second_backward():
    x = leaf([1.0, 2.0])
    z = (x.exp() * x).sum()
    z.backward(retain_graph=True)
    z.backward()
    np.testing.assert_allclose(x.grad.data, 2 * (np.exp(x.data) * (1 + x.data)))


def test_intermediate_arrays_are_released_after_backward():
    x = leaf(np.ones((200, 200)))
    h = (x * 2).tanh()
    ref = weakref.ref(h.data)
    loss = (h * h).sum()
    del h
    loss.backward()
    gc.collect()
    assert ref() is None


def test_memory_does_not_grow_over_training_steps():
    rng = np.random.default_rng(0)
    w = minigrad.tensor(rng.standard_normal((300, 300)).astype(np.float32), requires_grad=True)
    x = minigrad.tensor(rng.standard_normal((300, 300)).astype(np.float32))

    def step():
        loss = ((x @ w).tanh() @ w).sigmoid().mean()
        loss.backward()
        with minigrad.no_grad():
            w.sub_(0.1 * w.grad)
        w.grad = None

    step()
    tracemalloc.start()
    step()
    base = tracemalloc.get_traced_memory()[0]
    for _ in range(10):
        step()
    now = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert now - base < 100_000  # bytes: nothing per-step survives


def test_create_graph_gives_second_derivative():
    x = leaf(1.5)
    y = x**3
    (g,) = autograd.grad(y, x, create_graph=True)
    np.testing.assert_allclose(g.data, 3 * 1.5**2)
    (h,) = autograd.grad(g, x)
    np.testing.assert_allclose(h.data, 6 * 1.5)


def test_third_derivative_of_sin():
    x = leaf(0.7)
    g1 = autograd.grad(x.sin(), x, create_graph=True)[0]
    g2 = autograd.grad(g1, x, create_graph=True)[0]
    g3 = autograd.grad(g2, x)[0]
    np.testing.assert_allclose([g1.item(), g2.item(), g3.item()],
                               [np.cos(0.7), -np.sin(0.7), -np.cos(0.7)])


def test_backward_with_create_graph_gives_differentiable_grad():
    x = leaf([1.0, 2.0])
    (x.exp().sum()).backward(create_graph=True)
    assert x.grad.requires_grad
    x2 = x.grad.sum()
    x.grad = None
    x2.backward()
    np.testing.assert_allclose(x.grad.data, np.exp([1.0, 2.0]))


def test_gradient_penalty_style_double_backward():
    w = leaf([[0.5, -1.0], [2.0, 0.3]])
    x = leaf([[1.0, 2.0]])
    out = (x @ w).tanh().sum()
    (gx,) = autograd.grad(out, x, create_graph=True)
    penalty = (gx * gx).sum()
    penalty.backward()
    assert w.grad is not None and w.grad.shape == (2, 2)
    assert autograd.gradgradcheck(lambda a, b: (a @ b).tanh(), (x, w))


def test_grad_does_not_touch_dot_grad_and_checks_unused():
    x, y = leaf(1.0), leaf(2.0)
    (gx,) = autograd.grad(x * 3, x)
    assert x.grad is None and gx.item() == 3
    with pytest.raises(RuntimeError, match="not have been used"):
        autograd.grad(x * 3, [x, y])
    gx, gy = autograd.grad(x * 3, [x, y], allow_unused=True)
    assert gy is None


def test_grad_wrt_non_leaf():
    x = leaf([1.0, 2.0])
    h = x * 2
    out = (h * h).sum()
    (gh,) = autograd.grad(out, h)
    np.testing.assert_allclose(gh.data, 2 * h.data)


def test_backward_inputs_limits_accumulation():
    x, y = leaf(1.0), leaf(2.0)
    (x * y).backward(inputs=[x])
    assert x.grad.item() == 2.0 and y.grad is None


def test_retain_grad_keeps_non_leaf_gradient():
    x = leaf([1.0, 2.0])
    h = x * 3
    h.retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad.data, 2 * h.data)
    assert h.retains_grad and not h.is_leaf


def test_non_leaf_has_no_grad_without_retain_grad():
    x = leaf([1.0])
    h = x * 3
    h.sum().backward()
    assert h.grad is None


def test_hooks_see_and_replace_gradients():
    x = leaf([1.0, 2.0])
    seen = []
    handle = x.register_hook(lambda g: seen.append(g.data.copy()))
    h = x * 2
    h.register_hook(lambda g: g * 10)
    h.sum().backward()
    np.testing.assert_allclose(seen[0], [20.0, 20.0])
    np.testing.assert_allclose(x.grad.data, [20.0, 20.0])
    handle.remove()
    x.grad = None
    (x * 1).sum().backward()
    assert len(seen) == 1


def test_hook_on_tensor_without_grad_is_refused():
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        minigrad.ones(2).register_hook(lambda g: g)


def test_in_place_change_of_saved_tensor_is_reported_at_backward():
    x = leaf([1.0, 2.0])
    h = x * 2
    y = h.exp()  # keeps its output
    z = (h * h).sum()  # keeps h
    with minigrad.no_grad():
        h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()
    del y


def test_in_place_change_through_view_bumps_shared_version():
    x = leaf([1.0, 2.0, 3.0])
    h = x * 1
    y = (h * h).sum()
    v = h[1:]
    with minigrad.no_grad():
        v.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_differentiable_in_place_on_non_leaf_is_recorded():
    x = leaf([1.0, 2.0])
    y = x * 2
    y += x  # recorded: y = 2x + x
    y.mul_(x)  # y = 3x * x
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, 6 * x.data)
    assert y.grad_fn is not None


def test_in_place_on_leaf_requiring_grad_is_refused():
    x = leaf([1.0])
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x.add_(1)
    with minigrad.no_grad():
        x.add_(1)
    assert x.item() == 2.0


def test_setitem_records_gradient_for_value():
    x = leaf([1.0, 2.0])
    buf = minigrad.zeros(4, dtype=minigrad.float64)
    buf[1:3] = x * 2
    (buf * minigrad.tensor([1.0, 2.0, 3.0, 4.0], dtype=minigrad.float64)).sum().backward()
    np.testing.assert_allclose(x.grad.data, [4.0, 6.0])


def test_first_order_backward_records_nothing():
    x = leaf([1.0, 2.0])
    seen = []
    y = (x * x).sum()
    y.grad_fn.pre_hooks = {0: lambda g: seen.append(g.requires_grad)}
    y.backward()
    assert seen == [False] and not x.grad.requires_grad


def test_backward_from_two_roots_where_one_feeds_the_other():
    x = leaf([1.0, 2.0])
    y = x * 2
    z = (y * y).sum()
    autograd.backward([z, y.sum()])
    np.testing.assert_allclose(x.grad.data, 8 * x.data + 2)


def test_leaf_takes_a_fresh_gradient_without_copying_it():
    """The engine's buffer stealing: an unshared gradient becomes .grad itself (no copy)."""
    x = minigrad.randn(4, 3, requires_grad=True)
    seen_ids = []
    x.register_hook(lambda g: seen_ids.append(id(g.data)))  # records the id, keeps no reference
    (x * 3.0).sum().backward()
    assert seen_ids == [id(x.grad.data)]


def test_leaf_copies_a_gradient_that_someone_else_holds():
    """A gradient a hook keeps alive is shared: the leaf gets a copy, never an alias."""
    x = minigrad.randn(4, 3, requires_grad=True)
    kept = []
    x.register_hook(lambda g: kept.append(g))
    (x * 3.0).sum().backward()
    assert x.grad is not kept[0]
    assert not np.shares_memory(x.grad.data, kept[0].data)
    np.testing.assert_array_equal(x.grad.data, kept[0].data)


# -- errors ----------------------------------------------------------------------------------------
def test_backward_on_non_scalar_without_gradient_names_the_shape():
    y = minigrad.ones(2, 3, requires_grad=True) * 2
    pattern = r"only for scalar outputs \(output 0 has shape \(2, 3\)"
    with pytest.raises(RuntimeError, match=pattern):
        y.backward()


def test_backward_with_mismatched_gradient_shape():
    y = minigrad.ones(2, 3, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"grad_output\[0\] has a shape of \(3,\).*\(2, 3\)"):
        y.backward(minigrad.ones(3))


def test_backward_on_tensor_without_grad():
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        minigrad.ones(2).sum().backward()
