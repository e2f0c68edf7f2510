"""The package's import graph: acyclic, with the Tensor class reaching the layers below it only
through the one documented break (`minigrad.autograd.node.Tensor`, set by minigrad/tensor.py)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import minigrad

ROOT = Path(minigrad.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _is_type_checking(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.If) and "TYPE_CHECKING" in ast.unparse(stmt.test)


def _imported(stmt: ast.stmt, module: str) -> list[str]:
    """The minigrad modules one import statement loads (a submodule if it names one)."""
    if isinstance(stmt, ast.Import):
        return [a.name for a in stmt.names if a.name.split(".")[0] == "minigrad"]
    if not isinstance(stmt, ast.ImportFrom):
        return []
    if stmt.level:  # relative import
        package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
        for _ in range(stmt.level - 1):
            package = package.rpartition(".")[0]
        base = package + ("." + stmt.module if stmt.module else "")
    else:
        base = stmt.module or ""
    if base.split(".")[0] != "minigrad":
        return []
    names = [f"{base}.{a.name}" for a in stmt.names]
    return [n for n in names if n in MODULES] or [base]


def _module_level_imports(module: str) -> set[str]:
    tree = ast.parse(MODULES[module].read_text())
    found: set[str] = set()
    stack = list(tree.body)
    while stack:
        stmt = stack.pop()
        if _is_type_checking(stmt):
            continue
        found.update(_imported(stmt, module))
        if isinstance(stmt, (ast.If, ast.Try)):  # still module level
            stack.extend(stmt.body)
            stack.extend(getattr(stmt, "orelse", []))
            for handler in getattr(stmt, "handlers", []):
                stack.extend(handler.body)
    return found - {module}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            v, children = work[-1]
            for w in children:
                if w not in graph:
                    continue
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    component = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        component.append(w)
                        if w == v:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_module_level_imports_form_no_cycle():
    graph = {m: _module_level_imports(m) for m in MODULES}
    assert _cycles(graph) == []


def test_cycle_finder_sees_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_function_imports_minigrad_inside_a_function():
    """Dependencies are visible at the top of each file (the break below is the one exception)."""
    local = []
    for module, path in MODULES.items():
        for fn in ast.walk(ast.parse(path.read_text())):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for stmt in ast.walk(fn):
                    if _imported(stmt, module):
                        local.append(f"{module}.{fn.name}")
    assert local == []


def test_the_tensor_class_is_handed_down_in_exactly_one_place():
    setters = [m for m, p in MODULES.items() if "_node.Tensor = Tensor" in p.read_text()]
    assert setters == ["minigrad.tensor"]
    from minigrad.autograd import node

    assert node.Tensor is minigrad.Tensor


def test_every_module_imports_alone_in_a_fresh_interpreter():
    """Each module imports first in its own interpreter (partial-initialisation cycles show)."""
    procs = {}
    failures = {}
    names = sorted(MODULES)
    for start in range(0, len(names), 8):  # a few interpreters at a time
        for name in names[start : start + 8]:
            procs[name] = subprocess.Popen([sys.executable, "-c", f"import {name}"],
                                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                           text=True)
        for name in names[start : start + 8]:
            _, err = procs[name].communicate(timeout=120)
            if procs[name].returncode:
                failures[name] = err.strip().splitlines()[-1]
    assert failures == {}
