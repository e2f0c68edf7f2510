"""Checkpoints cross the library boundary: a minigrad state dict written by `minigrad.save`
loads into the equivalent torch module through `safetensors.torch.load_file` (and gives the
same outputs), and a torch state dict written by `safetensors.torch.save_file` loads with
`minigrad.load` into minigrad's module (and gives the same outputs)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
safetensors_torch = pytest.importorskip("safetensors.torch")

import minigrad  # noqa: E402


def _model(lib):
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(nn.Flatten(), nn.Linear(12, 16), nn.GELU(),
                                          nn.Dropout(0.3), nn.Linear(16, 8))
            self.heads = nn.ModuleDict({"cls": nn.Linear(8, 3), "reg": nn.Linear(8, 1)})
            self.register_buffer("shift", lib.zeros(8))
            self.register_buffer("scratch", lib.ones(8), persistent=False)

        def forward(self, x):
            h = (self.features(x) + self.shift).tanh()
            return self.heads["cls"](h).log_softmax(-1), self.heads["reg"](h)

    return Net()


def _input(dtype=np.float32) -> np.ndarray:
    return np.random.default_rng(0).standard_normal((5, 3, 4)).astype(dtype)


def _outputs(model, lib, x: np.ndarray) -> list:
    model.eval()
    make = torch.from_numpy if lib is torch else minigrad.tensor
    with lib.no_grad():
        return [o.numpy() for o in model(make(x.copy()))]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_minigrad_save_loads_into_torch(tmp_path, dtype) -> None:
    minigrad.manual_seed(3)
    ours = _model(minigrad).to(getattr(minigrad, dtype))
    with minigrad.no_grad():
        ours.shift.copy_(minigrad.randn(8))
    path = tmp_path / "ours.safetensors"
    minigrad.save(ours.state_dict(), path)

    loaded = safetensors_torch.load_file(str(path))
    assert sorted(loaded) == sorted(ours.state_dict())  # same keys, no extras (a file
    # keeps no order: safetensors sorts its entries)
    theirs = _model(torch).to(getattr(torch, dtype))
    assert tuple(theirs.load_state_dict(loaded, strict=True)) == ([], [])
    for key, value in ours.state_dict().items():
        assert loaded[key].dtype == getattr(torch, dtype)
        np.testing.assert_array_equal(loaded[key].numpy(), value.numpy(), err_msg=key)
    x = _input(getattr(np, dtype))
    for a, b in zip(_outputs(ours, minigrad, x), _outputs(theirs, torch, x), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5 if dtype == "float32" else 1e-12,
                                   atol=1e-6 if dtype == "float32" else 1e-13)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_torch_save_file_loads_into_minigrad(tmp_path, dtype) -> None:
    torch.manual_seed(5)
    theirs = _model(torch).to(getattr(torch, dtype))
    with torch.no_grad():
        theirs.shift.normal_()
    path = tmp_path / "theirs.safetensors"
    safetensors_torch.save_file(theirs.state_dict(), str(path))

    loaded = minigrad.load(path)
    assert sorted(loaded) == sorted(theirs.state_dict())
    ours = _model(minigrad).to(getattr(minigrad, dtype))
    assert tuple(ours.load_state_dict(loaded)) == ([], [])
    for key, value in theirs.state_dict().items():
        assert loaded[key].dtype == getattr(minigrad, dtype)
        np.testing.assert_array_equal(ours.state_dict()[key].numpy(), value.numpy(),
                                      err_msg=key)
    x = _input(getattr(np, dtype))
    for a, b in zip(_outputs(ours, minigrad, x), _outputs(theirs, torch, x), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5 if dtype == "float32" else 1e-12,
                                   atol=1e-6 if dtype == "float32" else 1e-13)


def test_non_float_tensors_cross_both_ways(tmp_path) -> None:
    """int64, int32, bool and float16 tensors keep dtype and values in both directions."""
    arrays = {"steps": np.arange(5, dtype=np.int64), "ids": np.array([[1, -2]], dtype=np.int32),
              "mask": np.array([True, False, True]), "half": np.array([0.5, -2.0], np.float16),
              "scalar": np.array(3.25, dtype=np.float32)}
    path = tmp_path / "mixed.safetensors"
    minigrad.save({k: minigrad.tensor(v) for k, v in arrays.items()}, path)
    from_torch = safetensors_torch.load_file(str(path))
    for k, v in arrays.items():
        assert from_torch[k].numpy().dtype == v.dtype, k
        np.testing.assert_array_equal(from_torch[k].numpy(), v)
    path2 = tmp_path / "mixed_torch.safetensors"
    safetensors_torch.save_file(from_torch, str(path2))
    back = minigrad.load(path2)
    for k, v in arrays.items():
        assert back[k].numpy().dtype == v.dtype and back[k].shape == v.shape, k
        np.testing.assert_array_equal(back[k].numpy(), v)


def test_torch_pickle_checkpoint_is_refused(tmp_path) -> None:
    """torch.save's zip/pickle format is refused with a message saying how to convert it."""
    path = tmp_path / "model.pt"
    torch.save(_model(torch).state_dict(), path)
    with pytest.raises(RuntimeError, match="pickle or PyTorch zip"):
        minigrad.load(path)


def test_torch_save_file_loads_whatever_its_header_length(tmp_path) -> None:
    """The header length's low byte comes first; 128 (0x80, pickle's PROTO opcode) included."""
    tensors = {"w": torch.arange(6, dtype=torch.float32).reshape(2, 3),
               "steps": torch.tensor(9, dtype=torch.int64), "half": torch.ones(3).half(),
               "mask": torch.tensor([True, False])}
    seen = set()
    for pad in range(0, 256, 7):  # 37 files: the padded header length walks every residue of 8
        path = tmp_path / f"w{pad}.safetensors"
        safetensors_torch.save_file(tensors, str(path), metadata={"note": "x" * pad})
        seen.add(int.from_bytes(path.read_bytes()[:8], "little") % 256)
        loaded = minigrad.load(path)
        assert sorted(loaded) == sorted(tensors)
        for key, value in tensors.items():
            assert loaded[key].numpy().dtype == value.numpy().dtype, key
            assert loaded[key].shape == tuple(value.shape), key
            np.testing.assert_array_equal(loaded[key].numpy(), value.numpy(), err_msg=key)
    assert 128 in seen and len(seen) == 32
