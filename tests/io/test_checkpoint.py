"""minigrad.save / minigrad.load (minigrad/io/checkpoint.py): round trips of state dicts and
nested checkpoints, refusal of anything that is not safetensors (and nothing is ever
unpickled), atomic writes, and errors that name what could not be saved."""

from __future__ import annotations

import json
import math
import os
import pickle
import re
import zipfile

import numpy as np
import pytest
import safetensors.numpy

import minigrad
from minigrad import nn
from minigrad.io.checkpoint import MAX_DEPTH, STRUCTURE_KEY, CheckpointError
from tests.helpers import to_numpy as _np


def _model() -> nn.Module:
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    model.register_buffer("steps", minigrad.tensor(np.array([7], dtype=np.int64)))
    model.register_buffer("scratch", minigrad.ones(3), persistent=False)
    return model


def _same_tensor(a, b) -> None:
    assert isinstance(a, minigrad.Tensor) and isinstance(b, minigrad.Tensor)
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(_np(a), _np(b))


def test_state_dict_round_trip(tmp_path) -> None:
    model = _model()
    path = tmp_path / "model.safetensors"
    minigrad.save(model.state_dict(), path)
    loaded = minigrad.load(path)
    assert list(loaded) == list(model.state_dict())  # order kept by the structure entry
    for key, value in model.state_dict().items():
        _same_tensor(loaded[key], value)
        assert not loaded[key].requires_grad
    fresh = _model()
    fresh.load_state_dict(loaded)
    x = minigrad.randn(3, 4)
    np.testing.assert_array_equal(_np(fresh(x)), _np(model(x)))


def test_the_file_is_plain_safetensors_under_the_state_dict_keys(tmp_path) -> None:
    model = _model()
    path = tmp_path / "model.safetensors"
    minigrad.save(model.state_dict(), str(path))  # a str path works too
    arrays = safetensors.numpy.load_file(str(path))
    assert sorted(arrays) == sorted(model.state_dict())
    np.testing.assert_array_equal(arrays["0.weight"], _np(model[0].weight))
    assert arrays["steps"].dtype == np.int64


def test_zero_dim_tensors_are_stored_as_zero_dim(tmp_path) -> None:
    """Other readers (safetensors.torch) see the stored shape, not the structure entry."""
    path = tmp_path / "scalars.safetensors"
    minigrad.save({"step": minigrad.tensor(np.float32(3.0)), "n": minigrad.tensor(4)}, path)
    arrays = safetensors.numpy.load_file(str(path))
    assert arrays["step"].shape == () and arrays["n"].shape == ()


def test_a_plain_safetensors_file_loads_as_a_dict_of_tensors(tmp_path) -> None:
    path = tmp_path / "plain.safetensors"
    arrays = {"w": np.arange(6, dtype=np.float32).reshape(2, 3), "n": np.array(5, np.int64)}
    safetensors.numpy.save_file(arrays, str(path))
    loaded = minigrad.load(path)
    assert sorted(loaded) == ["n", "w"]
    assert loaded["n"].shape == () and int(loaded["n"]) == 5
    np.testing.assert_array_equal(_np(loaded["w"]), arrays["w"])


def test_nested_checkpoint_round_trip(tmp_path) -> None:
    model = _model()
    ckpt = {
        "model": model.state_dict(),
        "optimizer": {
            "state": {0: {"step": minigrad.tensor(3.0), "exp_avg": minigrad.randn(8, 4)},
                      2: {"step": minigrad.tensor(3.0), "exp_avg": minigrad.zeros(2, 8)}},
            "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8,
                              "weight_decay": 0.0, "amsgrad": False, "maximize": False,
                              "foreach": None, "params": [0, 1, 2, 3]}],
        },
        "epoch": 3,
        "best": float("nan"),
        "bounds": (float("-inf"), float("inf")),
        "name": "mlp",
        "history": [0.5, 0.25, None],
        "scalar": minigrad.tensor(np.float64(2.5)),
        "mask": minigrad.tensor(np.array([True, False])),
        "half": minigrad.tensor(np.array([1.5, -2.0], dtype=np.float16)),
        "empty": {},
    }
    path = tmp_path / "ckpt.safetensors"
    minigrad.save(ckpt, path)
    back = minigrad.load(path)
    assert list(back) == list(ckpt)
    for key, value in ckpt["model"].items():
        _same_tensor(back["model"][key], value)
    state = back["optimizer"]["state"]
    assert list(state) == [0, 2] and all(isinstance(k, int) for k in state)  # int keys stay ints
    _same_tensor(state[0]["exp_avg"], ckpt["optimizer"]["state"][0]["exp_avg"])
    _same_tensor(state[2]["step"], ckpt["optimizer"]["state"][2]["step"])
    assert state[0]["step"].shape == ()
    group = back["optimizer"]["param_groups"][0]
    assert group == ckpt["optimizer"]["param_groups"][0]
    assert isinstance(group["betas"], tuple) and group["foreach"] is None
    assert isinstance(group["amsgrad"], bool) and group["params"] == [0, 1, 2, 3]
    assert back["epoch"] == 3 and isinstance(back["epoch"], int)
    assert math.isnan(back["best"])
    assert back["bounds"] == (float("-inf"), float("inf")) and isinstance(back["bounds"], tuple)
    assert back["name"] == "mlp" and back["history"] == [0.5, 0.25, None]
    for key in ("scalar", "mask", "half"):
        _same_tensor(back[key], ckpt[key])
    assert back["empty"] == {}


def test_a_single_tensor_and_numpy_scalars_round_trip(tmp_path) -> None:
    path = tmp_path / "t.safetensors"
    t = minigrad.randn(3, 2, dtype=minigrad.float64)
    minigrad.save(t, path)
    _same_tensor(minigrad.load(path), t)
    minigrad.save({"lr": np.float32(0.5), "n": np.int64(4)}, path)
    assert minigrad.load(path) == {"lr": 0.5, "n": 4}


def test_a_non_contiguous_tensor_saves_its_values(tmp_path) -> None:
    path = tmp_path / "t.safetensors"
    t = minigrad.tensor(np.arange(12.0).reshape(3, 4)).T
    minigrad.save({"t": t}, path)
    _same_tensor(minigrad.load(path)["t"], t)


# -- refusing what is not safetensors, without unpickling ------------------------------------------
class _Payload:
    """Unpickling this creates `path`: proof that loading ran code."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_a_pickle_file_is_refused_and_never_unpickled(tmp_path, protocol) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"weight": _Payload(str(marker))}, protocol=protocol))
    with pytest.raises(CheckpointError, match="evil.pt") as err:
        minigrad.load(path)
    assert "pickle" in str(err.value) or "not a valid safetensors" in str(err.value)
    assert not marker.exists()


def test_a_torch_style_zip_checkpoint_is_refused(tmp_path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "model.pt"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", pickle.dumps(_Payload(str(marker))))
    with pytest.raises(CheckpointError, match="pickle or PyTorch zip"):
        minigrad.load(path)
    assert not marker.exists()


def test_a_truncated_file_raises_a_clear_error(tmp_path) -> None:
    path = tmp_path / "model.safetensors"
    minigrad.save(_model().state_dict(), path)
    data = path.read_bytes()
    for cut in (len(data) - 10, len(data) // 2, 20, 4, 0):
        path.write_bytes(data[:cut])
        with pytest.raises(CheckpointError, match="not a valid safetensors file"):
            minigrad.load(path)


def test_random_bytes_raise_a_clear_error(tmp_path) -> None:
    path = tmp_path / "noise.bin"
    rng = np.random.default_rng(0)
    for n in (3, 64, 5000):
        path.write_bytes(rng.integers(0, 256, n, dtype=np.uint8).tobytes())
        with pytest.raises(CheckpointError, match="noise.bin"):
            minigrad.load(path)


def test_a_missing_file_raises_file_not_found(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="no such file"):
        minigrad.load(tmp_path / "nope.safetensors")


# -- atomic writes ---------------------------------------------------------------------------------
def test_a_failing_write_leaves_the_previous_file_and_no_temp_file(tmp_path, monkeypatch) -> None:
    path = tmp_path / "model.safetensors"
    good = _model().state_dict()
    minigrad.save(good, path)
    before = path.read_bytes()

    real_save_file = safetensors.numpy.save_file

    def failing_save_file(tensors, filename, metadata=None):
        real_save_file(tensors, filename, metadata=metadata)  # a full temp file exists...
        with open(filename, "r+b") as f:  # ...is partly overwritten...
            f.write(b"\0" * 16)
        raise OSError("disk full")  # ...and the write fails

    monkeypatch.setattr(safetensors.numpy, "save_file", failing_save_file)
    with pytest.raises(OSError, match="disk full"):
        minigrad.save({"other": minigrad.zeros(100)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.safetensors"]
    monkeypatch.undo()
    loaded = minigrad.load(path)
    for key, value in good.items():
        _same_tensor(loaded[key], value)


def test_an_interrupted_write_leaves_no_temp_file(tmp_path, monkeypatch) -> None:
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(safetensors.numpy, "save_file", interrupted)
    with pytest.raises(KeyboardInterrupt):
        minigrad.save({"w": minigrad.ones(2)}, tmp_path / "new.safetensors")
    assert os.listdir(tmp_path) == []


# -- what cannot be saved --------------------------------------------------------------------------
def test_unsupported_objects_name_their_key_path(tmp_path) -> None:
    path = tmp_path / "ckpt.safetensors"
    minigrad.save({"epoch": 1}, path)
    before = path.read_bytes()
    bad = {"model": {"w": minigrad.ones(2)},
           "optimizer": {"param_groups": [{"lr": 0.1, "schedule": lambda step: 0.1}]}}
    where = r"function at 'optimizer\.param_groups\.0\.schedule'"
    with pytest.raises(CheckpointError, match=where):
        minigrad.save(bad, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["ckpt.safetensors"]
    with pytest.raises(CheckpointError, match=r"set at 'tags'"):
        minigrad.save({"tags": {"a", "b"}}, path)
    with pytest.raises(CheckpointError, match=r"ndarray at '<root>'"):
        minigrad.save(np.zeros(3), path)


def test_bad_dict_keys_and_colliding_names_are_refused(tmp_path) -> None:
    path = tmp_path / "ckpt.safetensors"
    with pytest.raises(CheckpointError, match=r"dict key 1\.5 at 'state'"):
        minigrad.save({"state": {1.5: minigrad.ones(1)}}, path)
    with pytest.raises(CheckpointError, match=r"dict key True"):
        minigrad.save({"state": {True: 1}}, path)
    with pytest.raises(CheckpointError, match=r"share the key 'a\.b'"):
        minigrad.save({"a.b": minigrad.ones(1), "a": {"b": minigrad.zeros(1)}}, path)
    assert not path.exists()


# -- directories -----------------------------------------------------------------------------------
def test_a_directory_path_is_refused_on_save_and_load(tmp_path) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep")
    with pytest.raises(CheckpointError, match=r"'.*run' is a directory"):
        minigrad.save({"w": minigrad.ones(2)}, folder)
    with pytest.raises(CheckpointError, match=r"'.*run' is a directory"):
        minigrad.save({"w": minigrad.ones(2)}, str(folder))
    assert folder.is_dir() and os.listdir(folder) == ["notes.txt"]
    assert os.listdir(tmp_path) == ["run"]
    with pytest.raises(CheckpointError, match=r"'.*run' is a directory, not a checkpoint file"):
        minigrad.load(folder)


# -- the header is the truth for each array --------------------------------------------------------
def _with_structure(path, arrays: dict, structure: object) -> None:
    text = structure if isinstance(structure, str) else json.dumps(structure)
    safetensors.numpy.save_file(arrays, str(path), metadata={STRUCTURE_KEY: text})


@pytest.mark.parametrize("header, claimed", [((6,), [2, 3]), ((1,), []), ((), [1]),
                                             ((2, 3), [3, 2])])
def test_a_structure_shape_that_disagrees_with_the_header_is_refused(tmp_path, header,
                                                                     claimed) -> None:
    path = tmp_path / "ckpt.safetensors"
    arrays = {"model.w": np.zeros(header, np.float32)}
    _with_structure(path, arrays, {"__dict__": [["model", {"__dict__": [
        ["w", {"__tensor__": "model.w", "shape": claimed}]]}]]})
    shown = re.escape(f"tensor 'model.w' has shape {header} in the file's header but the "
                      f"structure entry says {tuple(claimed)}")
    with pytest.raises(CheckpointError, match=shown):
        minigrad.load(path)


_DAMAGED = {
    "not JSON": ("{'w': 1", "not valid JSON"),
    "a missing tensor": ({"__dict__": [["w", {"__tensor__": "v"}]]},
                         "'w' refers to tensor 'v', which the file does not hold"),
    "a tensor name not a string": ({"__tensor__": 3}, "refers to tensor 3"),
    "an unknown node": ({"__dict__": [["w", {"__set__": [1]}]]},
                        "unexpected entry {'__set__': [1]} at 'w'"),
    "a dict item not a pair": ({"__dict__": [["w"]]}, "has the item ['w'], not a [str"),
    "a float dict key": ({"__dict__": [[1.5, 2]]}, "has the item [1.5, 2]"),
    "a tuple not a list": ({"__tuple__": 3}, "unexpected entry {'__tuple__': 3}"),
    "nesting too deep to parse": ("[" * 100_000 + "]" * 100_000, "nested too deeply to parse"),
    "nesting deeper than the bound": ("[" * 150 + "]" * 150, f"deeper than {MAX_DEPTH} levels"),
}


@pytest.mark.parametrize("case", list(_DAMAGED))
def test_a_damaged_structure_entry_raises_checkpoint_error(tmp_path, case) -> None:
    structure, expected = _DAMAGED[case]
    path = tmp_path / "ckpt.safetensors"
    _with_structure(path, {"w": np.ones(2, np.float32)}, structure)
    with pytest.raises(CheckpointError, match="damaged structure entry") as err:
        minigrad.load(path)
    assert expected in str(err.value) and str(path) in str(err.value)


# -- nesting depth ---------------------------------------------------------------------------------
def _nested(levels: int, leaf: object) -> dict:
    obj = leaf
    for _ in range(levels - 1):
        obj = {"a": obj}
    return {"a": obj}


def test_nesting_up_to_the_bound_round_trips_and_deeper_is_refused(tmp_path) -> None:
    path = tmp_path / "ckpt.safetensors"
    minigrad.save(_nested(MAX_DEPTH, minigrad.ones(2)), path)
    back = minigrad.load(path)
    for _ in range(MAX_DEPTH):
        back = back["a"]
    np.testing.assert_array_equal(_np(back), np.ones(2))
    before = path.read_bytes()
    for levels in (MAX_DEPTH + 1, 10_000):
        with pytest.raises(CheckpointError, match=f"deeper than {MAX_DEPTH} levels"):
            minigrad.save(_nested(levels, 1), path)
    loop: list = [1]
    loop.append(loop)
    with pytest.raises(CheckpointError, match="does a container hold itself"):
        minigrad.save({"history": loop}, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["ckpt.safetensors"]


def test_a_tensor_stored_twice_loads_as_two_tensors(tmp_path) -> None:
    path = tmp_path / "ckpt.safetensors"
    _with_structure(path, {"w": np.ones(2, np.float32)},
                    [{"__tensor__": "w", "shape": [2]}, {"__tensor__": "w"}])
    a, b = minigrad.load(path)
    a.data[0] = 5.0
    np.testing.assert_array_equal(_np(b), np.ones(2))
