"""`minigrad.save` / `minigrad.load` over safetensors: tensors are stored as tensors, and the
nesting around them (dicts, lists, numbers, strings: an optimizer state, an epoch) as JSON in
the file's metadata. No pickle, so loading a file never runs code. A flat state dict is stored
under its own keys, so `safetensors.torch.load_file` reads it straight into PyTorch."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from minigrad.tensor import Tensor

STRUCTURE_KEY = "minigrad.structure"
_PICKLE_MAGIC = (b"\x80", b"PK\x03\x04")


class CheckpointError(RuntimeError):
    """A checkpoint that cannot be written or read, with the path and the reason."""


def save(obj: Any, f: str | os.PathLike, **_: Any) -> None:
    """Write obj (a tensor, or dicts/lists/tuples of tensors, numbers, strings, None) to f.
    The write is atomic: a failure leaves any existing file at f untouched."""
    from safetensors.numpy import save_file

    path = Path(f)
    tensors: dict[str, np.ndarray] = {}
    structure = _encode(obj, "", tensors, path)
    metadata = {STRUCTURE_KEY: json.dumps(structure)}
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a checkpoint gets ordinary permissions
    try:
        save_file(tensors, tmp, metadata=metadata)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def load(f: str | os.PathLike, map_location: Any = None, weights_only: Any = None,
         **_: Any) -> Any:
    """Read what `save` wrote (or any safetensors file: a plain file gives a dict of tensors).
    Pickle and PyTorch zip files are refused, never unpickled."""
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    path = Path(f)
    if not path.exists():
        raise FileNotFoundError(f"minigrad.load: no such file: '{path}'")
    with open(path, "rb") as handle:
        head = handle.read(8)
    if any(head.startswith(magic) for magic in _PICKLE_MAGIC):
        raise CheckpointError(
            f"minigrad.load: '{path}' is a pickle or PyTorch zip checkpoint. minigrad reads only "
            "safetensors files (unpickling can run arbitrary code). In PyTorch, convert it with "
            "safetensors.torch.save_file(state_dict, path)."
        )
    try:
        arrays = load_file(str(path))
        from safetensors import safe_open

        with safe_open(str(path), framework="numpy") as handle:
            metadata = handle.metadata() or {}
    except (SafetensorError, OSError, ValueError) as err:
        raise CheckpointError(
            f"minigrad.load: '{path}' is not a valid safetensors file (truncated or corrupt): "
            f"{err}"
        ) from None
    if STRUCTURE_KEY not in metadata:
        return {key: Tensor._make(np.array(arr)) for key, arr in arrays.items()}
    try:
        structure = json.loads(metadata[STRUCTURE_KEY])
        return _decode(structure, arrays)
    except (KeyError, ValueError, TypeError) as err:
        raise CheckpointError(f"minigrad.load: '{path}' has a damaged structure entry: "
                              f"{err}") from None


def _encode(obj: Any, key: str, tensors: dict, path: Path) -> Any:
    """JSON-able description of obj; tensors go into `tensors` under their dotted key."""
    if isinstance(obj, Tensor):
        name = key or "tensor"
        if name in tensors:
            raise CheckpointError(f"minigrad.save: two tensors would share the key '{name}' "
                                  f"in '{path}'")
        # reshape: ascontiguousarray turns a 0-d array into shape (1,), which PyTorch would read
        tensors[name] = np.ascontiguousarray(obj.data).reshape(obj.data.shape)
        return {"__tensor__": name, "shape": list(obj.data.shape)}
    if isinstance(obj, dict):
        if all(isinstance(k, str) for k in obj):
            return {"__dict__": [[k, _encode(v, _join(key, k), tensors, path)]
                                 for k, v in obj.items()]}
        for k in obj:
            if not isinstance(k, (str, int)) or isinstance(k, bool):
                raise CheckpointError(f"minigrad.save: dict key {k!r} at '{key or '<root>'}' "
                                      "must be a str or an int")
        return {"__dict__": [[k, _encode(v, _join(key, str(k)), tensors, path)]
                             for k, v in obj.items()]}
    if isinstance(obj, (list, tuple)):
        items = [_encode(v, _join(key, str(i)), tensors, path) for i, v in enumerate(obj)]
        return {"__tuple__": items} if isinstance(obj, tuple) else items
    if isinstance(obj, np.generic):
        return obj.item()
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise CheckpointError(
        f"minigrad.save: cannot store {type(obj).__name__} at '{key or '<root>'}' in '{path}': "
        "only tensors, dicts, lists, tuples, numbers, strings and None are saved (no pickle)"
    )


def _decode(node: Any, arrays: dict) -> Any:
    if isinstance(node, dict):
        if "__tensor__" in node:
            array = np.array(arrays[node["__tensor__"]])
            return Tensor._make(array.reshape(node.get("shape", array.shape)))
        if "__tuple__" in node:
            return tuple(_decode(v, arrays) for v in node["__tuple__"])
        return {k: _decode(v, arrays) for k, v in node["__dict__"]}
    if isinstance(node, list):
        return [_decode(v, arrays) for v in node]
    return node


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key
