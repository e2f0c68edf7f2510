"""EarlyStopping: patience, min_delta, mode, and restoring the best weights. The model is a
stand-in with state_dict()/load_state_dict(), as nn.Module provides."""

import numpy as np
import pytest

import minigrad
from minigrad.callbacks import EarlyStopping


class Stub:
    """Holds a weight tensor, a NumPy buffer and a counter, changed in place by 'training'."""

    def __init__(self):
        self.w = minigrad.tensor([1.0, 2.0], requires_grad=True)
        self.buf = np.zeros(2)
        self.steps = 0

    def train_step(self):
        with minigrad.no_grad():
            self.w.add_(10.0)
        self.buf += 1
        self.steps += 1

    def state_dict(self):
        return {"w": self.w, "buf": self.buf, "steps": self.steps}

    def load_state_dict(self, state):
        with minigrad.no_grad():
            self.w.copy_(state["w"])
        self.buf[...] = state["buf"]
        self.steps = state["steps"]


def run(stopper, metrics, model=None):
    """Feed metrics until a stop; return the 0-based epoch that stopped (or None)."""
    for epoch, m in enumerate(metrics):
        if model is not None:
            model.train_step()
        if stopper.step(m, model):
            return epoch
    return None


def test_stops_after_patience_epochs_without_improvement():
    s = EarlyStopping(patience=2)
    assert run(s, [1.0, 0.8, 0.9, 0.85, 0.7]) == 3
    assert s.best == 0.8 and s.best_epoch == 1 and s.counter == 2 and s.should_stop


def test_improvement_resets_the_counter():
    s = EarlyStopping(patience=2)
    assert run(s, [1.0, 1.1, 0.9, 1.0, 0.95, 0.95]) == 4
    assert s.best == 0.9 and s.best_epoch == 2


def test_patience_zero_stops_at_the_first_non_improvement():
    s = EarlyStopping(patience=0)
    assert not s.step(1.0) and not s.step(0.5)
    assert s.step(0.5)


def test_min_delta_requires_a_large_enough_gain():
    s = EarlyStopping(patience=2, min_delta=0.1)
    assert run(s, [1.0, 0.95, 0.91]) == 2  # neither is 0.1 below 1.0
    assert s.best == 1.0
    s = EarlyStopping(patience=2, min_delta=0.1)
    assert run(s, [1.0, 0.85, 0.8, 0.7]) is None
    assert s.best == 0.7 and s.counter == 0  # 0.8 -> skipped, 0.7 beats 0.85 - 0.1


def test_max_mode_for_accuracies():
    s = EarlyStopping(patience=1, mode="max")
    assert run(s, [0.5, 0.7, 0.6]) == 2
    assert s.best == 0.7 and s.best_epoch == 1


def test_nan_never_improves_and_tensors_are_accepted():
    s = EarlyStopping(patience=2)
    assert not s.step(minigrad.tensor(1.0))
    assert not s.step(float("nan"))
    assert s.step(minigrad.tensor(float("nan")))
    assert s.best == 1.0
    t = EarlyStopping(patience=1)
    assert t.step(float("nan")) and t.best is None  # NaN from the start: stop after patience


def test_restore_brings_back_the_best_weights():
    model = Stub()
    s = EarlyStopping(patience=2)
    assert run(s, [3.0, 1.0, 2.0, 2.5], model) == 3
    assert model.w.tolist() == [41.0, 42.0] and model.steps == 4
    s.restore(model)
    assert model.w.tolist() == [21.0, 22.0]  # after the 2nd train step, the best epoch
    assert model.buf.tolist() == [2.0, 2.0] and model.steps == 2
    assert not s.best_state["w"].requires_grad  # a detached copy


def test_snapshot_is_independent_of_later_in_place_updates():
    model = Stub()
    s = EarlyStopping()
    s.step(1.0, model)
    model.train_step()
    assert s.best_state["w"].tolist() == [1.0, 2.0]
    assert s.best_state["buf"].tolist() == [0.0, 0.0]


def test_restore_without_a_snapshot_explains_why():
    s = EarlyStopping(restore_best_weights=False)
    s.step(1.0, Stub())
    assert s.best_state is None
    with pytest.raises(RuntimeError, match="restore_best_weights is False"):
        s.restore(Stub())
    s = EarlyStopping()
    s.step(1.0)
    with pytest.raises(RuntimeError, match="no model was passed"):
        s.restore(Stub())


def test_reset_and_bad_arguments():
    s = EarlyStopping(patience=1)
    run(s, [1.0, 2.0])
    s.reset()
    assert s.best is None and s.counter == 0 and not s.should_stop and s.best_epoch is None
    with pytest.raises(ValueError, match="mode must be 'min' or 'max'"):
        EarlyStopping(mode="minimum")
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=-1)
    with pytest.raises(ValueError, match="min_delta"):
        EarlyStopping(min_delta=-0.1)
