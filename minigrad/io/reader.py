"""Reading safetensors files without trusting them. The format: an 8-byte little-endian header
length N, N bytes of UTF-8 JSON (an object: tensor name -> dtype, shape, data_offsets, plus an
optional "__metadata__" of strings), then the tensors' bytes packed back to back. Every field is
checked before a byte of data is read, so a damaged or hostile file raises `CheckpointError`
saying what is wrong; a pickle or PyTorch zip file is recognised and refused, never unpickled."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np

# The dtypes a minigrad tensor can hold, by their safetensors names (all little-endian).
DTYPES = {"BOOL": np.dtype(np.bool_), "U8": np.dtype(np.uint8), "I8": np.dtype(np.int8),
          "I16": np.dtype("<i2"), "I32": np.dtype("<i4"), "I64": np.dtype("<i8"),
          "F16": np.dtype("<f2"), "F32": np.dtype("<f4"), "F64": np.dtype("<f8")}
_ZIP_MAGIC = b"PK\x03\x04"  # torch.save's default format is a zip archive holding a pickle
_PICKLE_PROTOCOLS = range(2, 6)  # a pickle of protocol 2-5 starts with PROTO (0x80), version


class CheckpointError(RuntimeError):
    """A checkpoint that cannot be written or read, with the path and the reason."""


def read_safetensors(path: Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """The arrays (sorted by name) and the metadata of the safetensors file at path."""
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        head = handle.read(9)
        reason = _not_safetensors(head, size)
        if reason is not None:
            if head.startswith(_ZIP_MAGIC) or (head[:1] == b"\x80" and len(head) > 1
                                               and head[1] in _PICKLE_PROTOCOLS):
                raise CheckpointError(
                    f"minigrad.load: '{path}' is a pickle or PyTorch zip checkpoint. minigrad "
                    "reads only safetensors files (unpickling can run arbitrary code). In "
                    "PyTorch, convert it with safetensors.torch.save_file(state_dict, path)."
                )
            raise _invalid(path, reason)
        n = int.from_bytes(head[:8], "little")
        raw = head[8:] + handle.read(n - 1)
        if len(raw) != n:
            raise _invalid(path, f"its header is cut short ({len(raw)} of {n} bytes)")
        header = _parse_header(raw, path)
        metadata = _metadata(header.pop("__metadata__", None), path)
        entries = _entries(header, size - 8 - n, path)
        arrays = {}
        for name, dtype, shape, begin, end in entries:
            handle.seek(8 + n + begin)
            buffer = bytearray(end - begin)
            if handle.readinto(buffer) != len(buffer):
                raise _invalid(path, f"the data of tensor '{name}' is cut short")
            if dtype == np.bool_ and buffer and np.frombuffer(buffer, np.uint8).max() > 1:
                raise _invalid(path, f"tensor '{name}' (BOOL) holds bytes other than 0 and 1")
            arrays[name] = np.frombuffer(buffer, dtype=dtype).reshape(shape)
    return {name: arrays[name] for name in sorted(arrays)}, metadata


def _not_safetensors(head: bytes, size: int) -> str | None:
    """Why a size-byte file starting with head cannot be safetensors, or None if it may be."""
    if len(head) < 9:
        return (f"it is {size} bytes long, too short for the 8-byte header length and a JSON "
                "header")
    n = int.from_bytes(head[:8], "little")
    if not 0 < n <= size - 8:
        return f"its header length {n} does not fit in its {size} bytes"
    if head[8:9] != b"{":
        return f"its header starts with {head[8:9]!r}, not with '{{'"
    return None


def _parse_header(raw: bytes, path: Path) -> dict:
    """The header's JSON object, from its raw bytes."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise _invalid(path, f"its header is not UTF-8 text ({err})") from None
    try:
        header = json.loads(text)
    except RecursionError:
        raise _invalid(path, "its header JSON is nested too deeply to parse") from None
    except ValueError as err:
        raise _invalid(path, f"its header is not valid JSON ({err})") from None
    return header  # an object: the text starts with '{' (checked by _not_safetensors)


def _metadata(value: object, path: Path) -> dict[str, str]:
    """The header's "__metadata__": a JSON object of strings, or absent."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise _invalid(path, "its __metadata__ is not an object of strings")
    return value


def _entries(header: dict, data_size: int, path: Path) -> list[tuple]:
    """(name, dtype, shape, begin, end) for each tensor, in data order, all checked."""
    entries = sorted((_entry(name, info, path) for name, info in header.items()),
                     key=lambda e: (e[3], e[4]))
    expected = 0
    for name, dtype, shape, begin, end in entries:
        if begin != expected:
            raise _invalid(path, f"tensor '{name}' starts at byte {begin} of the data, expected "
                                 f"{expected}: tensors must be packed without gaps or overlaps")
        need = math.prod(shape) * dtype.itemsize
        if end - begin != need:
            raise _invalid(path, f"tensor '{name}' ({dtype}, shape {shape}) needs {need} bytes "
                                 f"but its data_offsets [{begin}, {end}] hold {end - begin}")
        if end > data_size:
            raise _invalid(path, f"tensor '{name}' ends at byte {end} of the data, which holds "
                                 f"only {data_size} bytes (a truncated file?)")
        expected = end
    if expected != data_size:
        raise _invalid(path, f"its data holds {data_size} bytes but its tensors cover "
                             f"{expected}")
    return entries


def _entry(name: str, info: object, path: Path) -> tuple:
    """One header entry, its fields checked for type and range."""
    if not isinstance(info, dict):
        raise _invalid(path, f"tensor '{name}' has the entry {info!r:.80}, not an object with "
                             "dtype, shape and data_offsets")
    dtype, shape, offsets = info.get("dtype"), info.get("shape"), info.get("data_offsets")
    if dtype not in DTYPES:
        raise _invalid(path, f"tensor '{name}' has dtype {dtype!r:.40}, which minigrad cannot "
                             f"hold (it reads {', '.join(DTYPES)})")
    if not isinstance(shape, list) or not all(_is_count(d) for d in shape):
        raise _invalid(path, f"tensor '{name}' has shape {shape!r:.80}, not a list of sizes")
    if (not isinstance(offsets, list) or len(offsets) != 2
            or not all(_is_count(o) for o in offsets) or offsets[0] > offsets[1]):
        raise _invalid(path, f"tensor '{name}' has data_offsets {offsets!r:.80}, not "
                             "[begin, end] with 0 <= begin <= end")
    return name, DTYPES[dtype], tuple(shape), offsets[0], offsets[1]


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _invalid(path: Path, reason: str) -> CheckpointError:
    return CheckpointError(f"minigrad.load: '{path}' is not a valid safetensors file: {reason}")
