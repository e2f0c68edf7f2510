"""Conversion methods (minigrad/methods/conversion.py): casts with .long()/.double()/.to(),
the dtype they give, and the CPU-only device and cuda stand-ins."""

import numpy as np
import pytest

import minigrad


def test_casts_float_long_to_and_type_promotion():
    x = minigrad.tensor([1.7, -2.2])
    assert x.long().tolist() == [1, -2]
    assert x.double().dtype == minigrad.float64
    assert x.to(minigrad.float64).dtype == minigrad.float64
    assert x.to("cpu") is x
    i = minigrad.tensor([1, 2])
    assert (i + 0.5).dtype == minigrad.float32  # int tensor + Python float -> float32
    assert (i * 2).dtype == minigrad.int64
    assert (i / i).dtype == minigrad.float32
    assert (x + minigrad.tensor(1.0, dtype=minigrad.float64)).dtype == minigrad.float32
    assert (x + minigrad.ones(2, dtype=minigrad.float64)).dtype == minigrad.float64
    assert (x * 0.1).dtype == minigrad.float32  # no silent float64 upcast
    assert (x * np.float64(0.1)).dtype == minigrad.float32


def test_device_and_cuda_stand_ins():
    assert not minigrad.cuda.is_available()
    x = minigrad.ones(2, device="cpu")
    assert x.device == "cpu" and x.to(minigrad.device("cpu")) is x
    with pytest.raises(RuntimeError, match="CPU only"):
        x.to("cuda")
