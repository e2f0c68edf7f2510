"""minigrad/io/reader.py: every damaged or hostile safetensors header raises CheckpointError
naming the file and what is wrong (never a raw ValueError, KeyError, IndexError, json or
recursion error), and pickle files are told apart from safetensors by the whole header, not by
the first byte."""

from __future__ import annotations

import json
import pickle
import struct

import numpy as np
import pytest
import safetensors.numpy

import minigrad
from minigrad.io.checkpoint import CheckpointError

_W = np.arange(6, dtype=np.float32).reshape(2, 3)
_N = np.array([5, -7], dtype=np.int64)
_GOOD = {"w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
         "n": {"dtype": "I64", "shape": [2], "data_offsets": [24, 40]}}
_DATA = _W.tobytes() + _N.tobytes()


def _file(header: object, data: bytes = _DATA) -> bytes:
    """A file with this header (a dict or list dumped as JSON, or raw bytes) and data."""
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + data


def _with(name: str, **fields) -> dict:
    """The good header with some fields of tensor `name` replaced."""
    return {**_GOOD, name: {**_GOOD[name], **fields}}


def test_the_hand_written_good_file_loads_in_both_readers(tmp_path) -> None:
    path = tmp_path / "good.safetensors"
    path.write_bytes(_file(_GOOD))
    reference = safetensors.numpy.load_file(str(path))
    loaded = minigrad.load(path)
    assert list(loaded) == ["n", "w"]
    for key, value in reference.items():
        assert loaded[key].numpy().dtype == value.dtype and loaded[key].shape == value.shape
        np.testing.assert_array_equal(loaded[key].numpy(), value)


_MALFORMED = {
    "header length beyond the file": (struct.pack("<Q", 10_000) + b'{"a": 1}', "does not fit"),
    "header length zero": (struct.pack("<Q", 0) + b"{}" + bytes(8), "header length 0"),
    "header length near 2**64": (b"\xff" * 8 + b"{}", "does not fit"),
    "header not starting with {": (_file(b" " + json.dumps(_GOOD).encode()), "not with '{'"),
    "header not UTF-8": (_file(b'{"w\xff": 1}'), "not UTF-8"),
    "header not JSON": (_file(b'{"w": {"dtype": "F32",'), "not valid JSON"),
    "header JSON nested too deeply": (_file(b'{"a": ' + b"[" * 100_000), "nested too deeply"),
    "entry not an object": (_file({**_GOOD, "w": [1, 2]}), "'w' has the entry [1, 2]"),
    "dtype missing": (_file(_with("w", dtype=None)), "'w' has dtype None"),
    "dtype unknown": (_file(_with("w", dtype="F99")), "'w' has dtype 'F99', which minigrad"),
    "dtype minigrad cannot hold": (_file(_with("w", dtype="BF16")), "dtype 'BF16'"),
    "shape not a list": (_file(_with("w", shape="2x3")), "'w' has shape '2x3'"),
    "shape negative": (_file(_with("w", shape=[-2, -3])), "not a list of sizes"),
    "shape with a bool": (_file(_with("w", shape=[True, 6])), "not a list of sizes"),
    "offsets of three": (_file(_with("w", data_offsets=[0, 12, 24])), "not [begin, end]"),
    "offsets reversed": (_file(_with("w", data_offsets=[24, 0])), "not [begin, end]"),
    "offsets not ints": (_file(_with("w", data_offsets=[0.0, 24.0])), "not [begin, end]"),
    "offsets beyond the data": (_file(_GOOD, _DATA[:-4]), "'n' ends at byte 40 of the data, "
                                "which holds only 36"),
    "offsets far beyond the data": (
        _file({"w": {"dtype": "U8", "shape": [2**40], "data_offsets": [0, 2**40]}}),
        "which holds only 40"),
    "gap between tensors": (_file(_with("n", data_offsets=[28, 44]), _DATA + bytes(4)),
                            "'n' starts at byte 28 of the data, expected 24"),
    "overlapping tensors": (_file(_with("n", data_offsets=[16, 32])), "expected 24"),
    "first tensor not at 0": (_file({"n": {**_GOOD["n"], "data_offsets": [8, 24]}}),
                              "'n' starts at byte 8"),
    "size not matching shape": (_file(_with("w", shape=[2, 2])), "needs 16 bytes but its "
                                "data_offsets [0, 24] hold 24"),
    "bytes after the last tensor": (_file(_GOOD, _DATA + b"junk"), "holds 44 bytes but its "
                                    "tensors cover 40"),
    "metadata not strings": (_file({**_GOOD, "__metadata__": {"epoch": 3}}),
                             "__metadata__ is not an object of strings"),
    "metadata a list": (_file({**_GOOD, "__metadata__": ["a"]}), "__metadata__"),
    "bool bytes other than 0 and 1": (
        _file({"m": {"dtype": "BOOL", "shape": [2], "data_offsets": [0, 2]}}, b"\x01\x07"),
        "'m' (BOOL) holds bytes other than 0 and 1"),
}


@pytest.mark.parametrize("case", list(_MALFORMED))
def test_a_malformed_header_raises_checkpoint_error_saying_what_is_wrong(tmp_path, case) -> None:
    data, expected = _MALFORMED[case]
    path = tmp_path / "bad.safetensors"
    path.write_bytes(data)
    with pytest.raises(CheckpointError) as err:
        minigrad.load(path)
    message = str(err.value)
    assert "'" + str(path) + "' is not a valid safetensors file" in message
    assert expected in message, message


def test_every_truncation_of_a_checkpoint_raises_checkpoint_error(tmp_path) -> None:
    path = tmp_path / "ckpt.safetensors"
    minigrad.save({"w": minigrad.ones(2, 3), "epoch": 4}, path)
    data = path.read_bytes()
    for cut in range(len(data)):
        path.write_bytes(data[:cut])
        with pytest.raises(CheckpointError, match="not a valid safetensors file"):
            minigrad.load(path)


def test_every_single_byte_change_to_a_header_loads_or_raises_checkpoint_error(tmp_path) -> None:
    """A byte changed anywhere in the length or the JSON: a clean error, or a file that loads."""
    path = tmp_path / "ckpt.safetensors"
    minigrad.save({"w": minigrad.ones(2, 3), "steps": [minigrad.tensor(3), 1.5]}, path)
    data = path.read_bytes()
    end = 8 + struct.unpack("<Q", data[:8])[0]
    with open(path, "r+b") as handle:  # changed in place: rewriting whole files is slow on ext4
        for at in range(end):
            for value in (0x00, 0x22, 0x5B, 0x7B, 0x7D, 0x80, 0xFF, data[at] ^ 0x01, data[at]):
                handle.seek(at)
                handle.write(bytes([value]))
                handle.flush()
                try:
                    minigrad.load(path)
                except CheckpointError:
                    pass
    assert path.read_bytes() == data


@pytest.mark.parametrize("protocol", range(2, pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_protocol_2_and_up_is_named_as_pickle(tmp_path, protocol) -> None:
    path = tmp_path / "state.pt"
    path.write_bytes(pickle.dumps({"w": [1.0, 2.0]}, protocol=protocol))
    with pytest.raises(CheckpointError, match=r"state\.pt' is a pickle or PyTorch zip"):
        minigrad.load(path)


# -- telling safetensors from pickle by the header, not the first byte -------------------------
def _header_length(path) -> int:
    return int.from_bytes(path.read_bytes()[:8], "little")


_ARRAYS = {"w": np.arange(6, dtype=np.float32).reshape(2, 3), "n": np.array(-3, np.int64),
           "mask": np.array([True, False]), "half": np.array([0.5, -2.0], np.float16)}


def _check_loads(path) -> None:
    reference = safetensors.numpy.load_file(str(path))
    loaded = minigrad.load(path)
    assert sorted(loaded) == sorted(reference)
    for key, value in reference.items():
        assert loaded[key].numpy().dtype == value.dtype and loaded[key].shape == value.shape
        np.testing.assert_array_equal(loaded[key].numpy(), value)


def test_every_header_length_residue_mod_256_loads(tmp_path) -> None:
    """The header length's low byte comes first in the file; 0x80 is pickle's PROTO opcode.
    safetensors pads its header to a multiple of 8, so its own writer reaches the 32 residues
    0, 8, ..., 248; spec-valid files with unpadded JSON headers (which safetensors also reads)
    reach the other 224."""
    library = set()
    for pad in range(256):
        path = tmp_path / f"library{pad}.safetensors"
        safetensors.numpy.save_file(_ARRAYS, str(path), metadata={"pad": "x" * pad})
        library.add(_header_length(path) % 256)
        _check_loads(path)
    assert library == set(range(0, 256, 8))
    spec = set()
    data, entries = b"", {}
    names = {"float32": "F32", "int64": "I64", "bool": "BOOL", "float16": "F16"}
    for key in sorted(_ARRAYS):
        raw = _ARRAYS[key].tobytes()
        entries[key] = {"dtype": names[str(_ARRAYS[key].dtype)],
                        "shape": list(_ARRAYS[key].shape),
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    for pad in range(256):
        path = tmp_path / f"spec{pad}.safetensors"
        header = json.dumps({**entries, "__metadata__": {"pad": "x" * pad}}).encode()
        path.write_bytes(len(header).to_bytes(8, "little") + header + data)
        spec.add(_header_length(path) % 256)
        _check_loads(path)
    assert spec == set(range(256))


def test_minigrad_save_files_load_whatever_their_header_length(tmp_path) -> None:
    seen = set()
    for pad in range(256):
        path = tmp_path / f"ckpt{pad}.safetensors"
        minigrad.save({"model": {"w": minigrad.ones(2)}, "name": "x" * pad}, path)
        seen.add(_header_length(path) % 256)
        back = minigrad.load(path)
        assert back["name"] == "x" * pad
        np.testing.assert_array_equal(back["model"]["w"].numpy(), np.ones(2))
    assert seen == set(range(0, 256, 8))
