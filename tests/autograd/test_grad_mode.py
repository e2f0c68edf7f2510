"""Grad modes (minigrad/autograd/grad_mode.py): no_grad as context and decorator,
enable_grad inside it, set_grad_enabled as function and context; each thread has its own."""

import threading

import numpy as np

import minigrad
from tests.helpers import leaf


def test_no_grad_context_and_decorator():
    x = leaf([1.0])
    with minigrad.no_grad():
        assert not (x * 2).requires_grad
        with minigrad.enable_grad():
            assert (x * 2).requires_grad

    @minigrad.no_grad()
    def f(t):
        return t * 2

    assert not f(x).requires_grad
    assert (x * 2).requires_grad


def test_set_grad_enabled_function_and_context():
    x = leaf([1.0])
    with minigrad.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert minigrad.is_grad_enabled()
    minigrad.set_grad_enabled(False)
    assert not minigrad.is_grad_enabled()
    minigrad.set_grad_enabled(True)
    assert (x * 2).requires_grad



# -- grad mode is per thread, as in PyTorch -------------------------------------------------------
def _run_in_thread(fn):
    result, error = {}, []

    def target():
        try:
            result["value"] = fn()
        except BaseException as err:  # re-raised in the caller
            error.append(err)

    thread = threading.Thread(target=target)
    thread.start()
    return thread, result, error


def test_a_new_thread_starts_with_grad_enabled_even_inside_no_grad():
    def probe():
        x = minigrad.ones(2, requires_grad=True)
        return minigrad.is_grad_enabled(), (x * 2).requires_grad

    with minigrad.no_grad():
        thread, result, error = _run_in_thread(probe)
        thread.join()
        assert not minigrad.is_grad_enabled()
    assert not error
    assert result["value"] == (True, True)


def test_no_grad_in_one_thread_leaves_another_recording():
    inside, done = threading.Event(), threading.Event()

    def hold_no_grad():
        with minigrad.no_grad():
            inside.set()
            assert done.wait(10)
            return minigrad.is_grad_enabled()

    thread, result, error = _run_in_thread(hold_no_grad)
    assert inside.wait(10)
    x = minigrad.ones(3, requires_grad=True)
    y = (x * x).sum()  # recorded here while the other thread is inside no_grad
    y.backward()
    done.set()
    thread.join()
    assert not error
    assert result["value"] is False
    assert minigrad.is_grad_enabled()
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0, 2.0])


def _train(seed, steps, before_update=None, after_backward=None):
    """A small MLP trained with SGD; the hooks let two threads interleave their phases."""
    minigrad.manual_seed(seed)
    model = minigrad.nn.Sequential(minigrad.nn.Linear(5, 8), minigrad.nn.Tanh(),
                                   minigrad.nn.Linear(8, 1))
    data = np.random.default_rng(seed).standard_normal((16, 5))
    x = minigrad.tensor(data, dtype=minigrad.float32)
    y = x.sum(dim=1, keepdim=True).sin()
    optimizer = minigrad.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    history = []
    for step in range(steps):
        optimizer.zero_grad()
        loss = minigrad.nn.functional.mse_loss(model(x), y)
        loss.backward()
        history.append([p.grad.data.copy() for p in model.parameters()])
        if after_backward:
            after_backward(step)
        with minigrad.no_grad():
            if before_update:
                before_update(step)
            optimizer.step()
    return history


def test_two_models_trained_in_two_threads_get_their_single_thread_gradients():
    steps = 6
    expected = {seed: _train(seed, steps) for seed in (1, 2)}
    # Thread 1 holds no_grad around each of its updates until thread 2 has run a whole forward
    # and backward; thread 2 then waits inside its own no_grad for thread 1's next backward.
    t1_in_no_grad = [threading.Event() for _ in range(steps)]
    t2_backward_done = [threading.Event() for _ in range(steps)]

    def t1_before_update(step):
        t1_in_no_grad[step].set()
        assert t2_backward_done[step].wait(10)

    def t2_after_backward(step):
        t2_backward_done[step].set()

    def t2_before_update(step):
        if step + 1 < steps:
            assert t1_in_no_grad[step + 1].wait(10)

    def run_t2():
        assert t1_in_no_grad[0].wait(10)
        return _train(2, steps, before_update=t2_before_update, after_backward=t2_after_backward)

    thread, result, error = _run_in_thread(run_t2)
    got1 = _train(1, steps, before_update=t1_before_update)
    thread.join()
    assert not error, error
    for seed, got in ((1, got1), (2, result["value"])):
        for step_grads, step_expected in zip(got, expected[seed]):
            for g, e in zip(step_grads, step_expected):
                np.testing.assert_array_equal(g, e)
