"""Which module owns each graph node, and the modules' qualified names, for make_dot's clusters.

`Module.__call__` keeps a stack of running modules and `Op.apply` stores the innermost one
on each recorded node as `_module` (nothing else: no names, no weak references, so the hot path
pays one list check, and a module call one push and pop). Names are resolved here, lazily:
from `model.named_modules()` when a model is given, otherwise from the recorded modules
themselves: a recorded module found inside another one's `named_modules()` takes its name there
(`layers.0.linear1`), and the outermost recorded modules (a model whose forward records ops, a
loss module) are named by their class, or by their parameters' prefix in `params` (`0` for
`0.weight`: a Sequential's own forward records nothing, so without `model=` its layers are
separate roots).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class ModuleTree:
    """Qualified names, parents and parameter owners of the modules behind a graph."""

    def __init__(self, recorded: Iterable[Any], model: Any = None,
                 param_names: dict[int, str] | None = None) -> None:
        self.module: dict[int, Any] = {}  # id -> module
        self.root: dict[int, int] = {}  # id -> id of its root
        self.path: dict[int, str] = {}  # id -> dotted name under its root ("" for the root)
        self.by_path: dict[tuple[int, str], int] = {}
        self.param_owner: dict[int, tuple[int, str]] = {}  # id(param) -> (id(module), name)
        self.roots: dict[int, None] = {}  # ordered set of root ids
        if model is not None:
            self._adopt(model)
        for m in recorded:
            if id(m) not in self.module:
                self._adopt(m)
        self.root_name = self._root_names(param_names or {})

    def _adopt(self, root: Any) -> None:
        """Name every descendant of `root` under it (re-naming earlier roots found inside)."""
        rid = id(root)
        self.roots[rid] = None
        for name, sub in root.named_modules():
            sid = id(sub)
            if sid != rid:
                self.roots.pop(sid, None)
            self.module[sid], self.root[sid], self.path[sid] = sub, rid, name
            self.by_path[(rid, name)] = sid
            for pname, p in sub._parameters.items():
                if p is not None:
                    self.param_owner[id(p)] = (sid, pname)

    def _root_names(self, param_names: dict[int, str]) -> dict[int, str]:
        """A root's display name: the prefix of its parameters' names in `params` (`0` for
        `0.weight`, when the model itself recorded nothing), else its class name (`Sigmoid#2`
        for the second)."""
        names: dict[int, str] = {}
        seen: dict[str, int] = {}
        for rid in self.roots:
            module = self.module[rid]
            prefixes = {param_names[id(p)].rpartition(".")[0]
                        for p in module._parameters.values() if id(p) in param_names}
            if len(prefixes) == 1 and "" not in prefixes:
                names[rid] = prefixes.pop()
                continue
            cls = type(module).__name__
            seen[cls] = seen.get(cls, 0) + 1
            names[rid] = cls if seen[cls] == 1 else f"{cls}#{seen[cls]}"
        return names

    def parent(self, mid: int) -> int | None:
        path = self.path[mid]
        if not path:
            return None
        return self.by_path[(self.root[mid], path.rpartition(".")[0])]

    def depth(self, mid: int) -> int:
        path = self.path[mid]
        return path.count(".") + 1 if path else 0

    def name(self, mid: int) -> str:
        """Dotted name under its root, or the root's display name for a root."""
        return self.path[mid] or self.root_name[self.root[mid]]

    def label(self, mid: int) -> str:
        """`layers.0 (Block)` for a named module, the class name for an unnamed root."""
        name, cls = self.name(mid), type(self.module[mid]).__name__
        return name if name.partition("#")[0] == cls else f"{name} ({cls})"

    def param_name(self, param: Any) -> str | None:
        """`hidden.weight`-style name of a parameter owned by a known module, else None."""
        owner = self.param_owner.get(id(param))
        if owner is None:
            return None
        mid, pname = owner
        return f"{self.path[mid]}.{pname}" if self.path[mid] else pname

    def with_ancestors(self, mids: Iterable[int]) -> list[int]:
        """These modules and all their ancestors, each once, in first-seen order."""
        out: dict[int, None] = {}
        for mid in mids:
            while mid is not None and mid not in out:
                out[mid] = None
                mid = self.parent(mid)
        return list(out)
