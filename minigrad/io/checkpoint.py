"""`minigrad.save` / `minigrad.load` over safetensors: tensors are stored as tensors, and the
nesting around them (dicts, lists, numbers, strings: an optimizer state, an epoch) as JSON in
the file's metadata. No pickle, so loading a file never runs code. A flat state dict is stored
under its own keys, so `safetensors.torch.load_file` reads it straight into PyTorch.

The file's header is the truth for each array (dtype, shape, bytes); the structure entry only
says where the arrays sit, and one that disagrees with the header is refused, never reshaped.
Nesting is bounded: at most MAX_DEPTH levels of dicts, lists and tuples, on save and on load."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from minigrad.io.reader import CheckpointError, read_safetensors
from minigrad.tensor import Tensor

__all__ = ["CheckpointError", "MAX_DEPTH", "STRUCTURE_KEY", "load", "save"]

STRUCTURE_KEY = "minigrad.structure"
MAX_DEPTH = 100  # levels of nested containers; far beyond any real checkpoint, far below recursion


def save(obj: Any, f: str | os.PathLike, **_: Any) -> None:
    """Write obj (a tensor, or dicts/lists/tuples of tensors, numbers, strings, None) to f.
    The write is atomic: a failure leaves any existing file at f untouched."""
    from safetensors.numpy import save_file

    path = Path(f)
    if path.is_dir():
        raise CheckpointError(f"minigrad.save: '{path}' is a directory; give a file path to "
                              "write the checkpoint to")
    tensors: dict[str, np.ndarray] = {}
    structure = _encode(obj, "", tensors, path, 0)
    metadata = {STRUCTURE_KEY: json.dumps(structure)}
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    os.close(fd)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a checkpoint gets the usual mode
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
    path = Path(f)
    if not path.exists():
        raise FileNotFoundError(f"minigrad.load: no such file: '{path}'")
    if path.is_dir():
        raise CheckpointError(f"minigrad.load: '{path}' is a directory, not a checkpoint file")
    arrays, metadata = read_safetensors(path)
    if STRUCTURE_KEY not in metadata:
        return {key: Tensor._make(arr) for key, arr in arrays.items()}
    try:
        structure = json.loads(metadata[STRUCTURE_KEY])
    except RecursionError:
        raise _damaged(path, "it is nested too deeply to parse") from None
    except ValueError as err:
        raise _damaged(path, f"it is not valid JSON ({err})") from None
    return _Decoder(arrays, path).decode(structure, "", 0)


def _encode(obj: Any, key: str, tensors: dict, path: Path, depth: int) -> Any:
    """JSON-able description of obj; tensors go into `tensors` under their dotted key."""
    if isinstance(obj, Tensor):
        name = key or "tensor"
        if name in tensors:
            raise CheckpointError(f"minigrad.save: two tensors would share the key '{name}' "
                                  f"in '{path}'")
        # reshape: ascontiguousarray turns a 0-d array into shape (1,), which PyTorch would read
        tensors[name] = np.ascontiguousarray(obj.data).reshape(obj.data.shape)
        return {"__tensor__": name, "shape": list(obj.data.shape)}
    if isinstance(obj, (dict, list, tuple)) and depth >= MAX_DEPTH:
        raise CheckpointError(
            f"minigrad.save: cannot store '{path}': it nests dicts, lists and tuples deeper than "
            f"{MAX_DEPTH} levels (at '{_short(key)}'; does a container hold itself?)"
        )
    if isinstance(obj, dict):
        for k in obj:
            if not isinstance(k, (str, int)) or isinstance(k, bool):
                raise CheckpointError(f"minigrad.save: dict key {k!r} at '{key or '<root>'}' "
                                      "must be a str or an int")
        return {"__dict__": [[k, _encode(v, _join(key, str(k)), tensors, path, depth + 1)]
                             for k, v in obj.items()]}
    if isinstance(obj, (list, tuple)):
        items = [_encode(v, _join(key, str(i)), tensors, path, depth + 1)
                 for i, v in enumerate(obj)]
        return {"__tuple__": items} if isinstance(obj, tuple) else items
    if isinstance(obj, np.generic):
        return obj.item()
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise CheckpointError(
        f"minigrad.save: cannot store {type(obj).__name__} at '{key or '<root>'}' in '{path}': "
        "only tensors, dicts, lists, tuples, numbers, strings and None are saved (no pickle)"
    )


class _Decoder:
    """Rebuilds the saved object from the structure entry and the file's arrays."""

    def __init__(self, arrays: dict[str, np.ndarray], path: Path) -> None:
        self.arrays, self.path, self.used = arrays, path, set()

    def decode(self, node: Any, key: str, depth: int) -> Any:
        """The object that node (one JSON value of the structure entry) describes."""
        if isinstance(node, dict) and "__tensor__" in node:
            return self.tensor(node, key)
        if not isinstance(node, (dict, list)):
            return node  # JSON leaves: None, bool, int, float, str
        if depth >= MAX_DEPTH:
            raise _damaged(self.path, f"it nests deeper than {MAX_DEPTH} levels (at "
                                      f"'{_short(key)}')")
        if isinstance(node, list):
            return [self.decode(v, _join(key, str(i)), depth + 1) for i, v in enumerate(node)]
        if list(node) == ["__tuple__"] and isinstance(node["__tuple__"], list):
            return tuple(self.decode(v, _join(key, str(i)), depth + 1)
                         for i, v in enumerate(node["__tuple__"]))
        if list(node) == ["__dict__"] and isinstance(node["__dict__"], list):
            out = {}
            for pair in node["__dict__"]:
                if (not isinstance(pair, list) or len(pair) != 2 or isinstance(pair[0], bool)
                        or not isinstance(pair[0], (str, int))):
                    raise _damaged(self.path, f"the dict at '{key or '<root>'}' has the item "
                                              f"{_brief(pair)}, not a [str or int key, value] pair")
                out[pair[0]] = self.decode(pair[1], _join(key, str(pair[0])), depth + 1)
            return out
        raise _damaged(self.path, f"unexpected entry {_brief(node)} at '{key or '<root>'}'")

    def tensor(self, node: dict, key: str) -> Tensor:
        """The array a {"__tensor__": name, "shape": [...]} node names, its shape checked."""
        name = node["__tensor__"]
        if not isinstance(name, str) or name not in self.arrays:
            raise _damaged(self.path, f"'{key or '<root>'}' refers to tensor {_brief(name)}, "
                                      "which the file does not hold")
        array = self.arrays[name]
        claimed = node.get("shape", list(array.shape))
        if claimed != list(array.shape):
            shown = tuple(claimed) if isinstance(claimed, list) else _brief(claimed)
            raise CheckpointError(
                f"minigrad.load: '{self.path}': tensor '{name}' has shape {array.shape} in the "
                f"file's header but the structure entry says {shown}; the header holds the "
                "data, so the file was changed after it was saved or is damaged"
            )
        if name in self.used:  # two references to one stored tensor get two tensors
            array = array.copy()
        self.used.add(name)
        return Tensor._make(array)


def _damaged(path: Path, reason: str) -> CheckpointError:
    return CheckpointError(f"minigrad.load: '{path}' has a damaged structure entry: {reason}")


def _brief(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _short(key: str) -> str:
    return key if len(key) <= 60 else key[:28] + "..." + key[-28:]


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key
