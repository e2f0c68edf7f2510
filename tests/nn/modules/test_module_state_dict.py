"""nn.Module's state_dict and load_state_dict (minigrad/nn/modules/module.py): keys in
PyTorch's order, detached values, strict and non-strict loading, and errors that list
every problem and change nothing."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import nn
from tests.helpers import to_numpy as _np
from tests.nn.modules.helpers import Net


def test_state_dict_keys_and_detached_values() -> None:
    net = Net()
    sd = net.state_dict()
    # each module's own parameters, then its own buffers, then its children (PyTorch's order)
    assert list(sd) == ["scale", "body.0.running", "body.0.fc.weight", "body.0.fc.bias",
                        "body.1.running", "body.1.fc.weight", "body.1.fc.bias", "head.weight",
                        "head.bias"]
    for key, value in sd.items():
        assert isinstance(value, minigrad.Tensor) and not isinstance(value, nn.Parameter)
        assert not value.requires_grad and value.grad_fn is None, key
    np.testing.assert_array_equal(_np(sd["head.weight"]), _np(net.head.weight))
    kept = net.state_dict(keep_vars=True)
    assert kept["head.weight"] is net.head.weight
    assert list(net.state_dict(prefix="model."))[0] == "model.scale"


def test_load_state_dict_copies_values_and_keeps_dtype() -> None:
    src, dst = Net(), Net()
    sd = {k: minigrad.tensor(_np(v).astype(np.float64)) for k, v in src.state_dict().items()}
    weight = dst.head.weight
    result = dst.load_state_dict(sd)
    assert tuple(result) == ([], []) and result.missing_keys == [] == result.unexpected_keys
    assert dst.head.weight is weight and weight.dtype == minigrad.float32
    for key, value in src.state_dict().items():
        np.testing.assert_array_equal(_np(dst.state_dict()[key]), _np(value))
    _np(sd["head.bias"])[:] = 7.0  # the copy does not alias the source
    assert not (_np(dst.head.bias) == 7.0).any()


def _snapshot(module) -> dict:
    return {k: _np(v).copy() for k, v in module.state_dict().items()}


def _unchanged(module, snapshot: dict) -> bool:
    return all(np.array_equal(_np(v), snapshot[k]) for k, v in module.state_dict().items())


def test_load_state_dict_strict_names_missing_keys_and_changes_nothing() -> None:
    net = Net()
    before = _snapshot(net)
    sd = {k: v * 0 for k, v in Net().state_dict().items() if k != "head.bias"}
    with pytest.raises(RuntimeError, match=r'Missing key\(s\) in state_dict: "head.bias"'):
        net.load_state_dict(sd)
    assert _unchanged(net, before)


def test_load_state_dict_strict_names_unexpected_keys_and_changes_nothing() -> None:
    net = Net()
    before = _snapshot(net)
    sd = {k: v * 0 for k, v in Net().state_dict().items()}
    sd["head.gamma"] = minigrad.ones(2)
    sd["body.0.mask"] = minigrad.ones(3)  # a non-persistent buffer is not a state-dict key
    with pytest.raises(RuntimeError) as err:
        net.load_state_dict(sd)
    assert 'Unexpected key(s) in state_dict: "head.gamma", "body.0.mask"' in str(err.value)
    assert "Net" in str(err.value)
    assert _unchanged(net, before)


def test_load_state_dict_names_mis_shaped_keys_even_when_not_strict() -> None:
    net = Net()
    before = _snapshot(net)
    sd = {k: v * 0 for k, v in Net().state_dict().items()}
    sd["head.weight"] = minigrad.zeros(3, 2)
    for strict in (True, False):
        with pytest.raises(RuntimeError) as err:
            net.load_state_dict(sd, strict=strict)
        msg = str(err.value)
        assert "size mismatch for head.weight" in msg
        assert "(3, 2)" in msg and "(2, 3)" in msg
        assert _unchanged(net, before)


def test_load_state_dict_lists_every_problem_at_once() -> None:
    net = Net()
    sd = {k: v for k, v in Net().state_dict().items() if k != "scale"}
    sd["extra"] = minigrad.ones(1)
    sd["head.bias"] = minigrad.ones(5)
    with pytest.raises(RuntimeError) as err:
        net.load_state_dict(sd)
    msg = str(err.value)
    assert msg.index("Missing") < msg.index("Unexpected") < msg.index("size mismatch")
    assert '"scale"' in msg and '"extra"' in msg and "head.bias" in msg


def test_load_state_dict_not_strict_returns_missing_and_unexpected_keys() -> None:
    net = Net()
    src = Net()
    sd = {k: v for k, v in src.state_dict().items() if not k.startswith("head.")}
    sd["unused.weight"] = minigrad.ones(1)
    result = net.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["head.weight", "head.bias"]
    assert result.unexpected_keys == ["unused.weight"]
    missing, unexpected = result
    assert missing == ["head.weight", "head.bias"] and unexpected == ["unused.weight"]
    np.testing.assert_array_equal(_np(net.body[1].fc.weight), _np(src.body[1].fc.weight))


def test_load_state_dict_accepts_numpy_arrays() -> None:
    lin = nn.Linear(2, 2)
    lin.load_state_dict({"weight": np.eye(2), "bias": np.array([1.0, 2.0])})
    np.testing.assert_array_equal(_np(lin.weight), np.eye(2, dtype=np.float32))
    assert _np(lin.bias).tolist() == [1.0, 2.0]
