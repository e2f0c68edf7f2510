"""The fuzz report: per-class table, top ops, error-message statistics, failure groups with
reproductions; the baseline file of known failure groups; single-case replay."""

from __future__ import annotations

import collections
import json
import pathlib
from collections.abc import Sequence

from parity.fuzz.generators import array_literal
from parity.fuzz.runner import CLASSES, FAILURES, Outcome, draw_case, run_call

BASELINE = pathlib.Path(__file__).with_name("baseline.json")
SNIPPET_MAX_ELEMENTS = 24
_STATEMENTS = ("+=", "-=", "*=", "/=")


def snippet(o: Outcome) -> str | None:
    """A `python -c` reproduction with the inputs as literals (None when they are too big)."""
    call = o.call
    if call is None or sum(i.array.size for i in call.inputs) > SNIPPET_MAX_ELEMENTS:
        return None
    lines = ["import numpy as np, minigrad as lib", "from math import inf, nan",
             "F = lib.nn.functional"]
    leaves = []
    for i, inp in enumerate(call.inputs):
        base = inp.array.swapaxes(-1, -2) if inp.transpose else inp.array
        text = f"a{i} = lib.tensor({array_literal(base)})"
        if inp.grad:
            text += ".requires_grad_()"
            leaves.append(i)
        if inp.transpose or inp.clone:
            lines.append(text)
            text = f"a{i} = a{i}" + (".transpose(-1, -2)" if inp.transpose else "") + (
                ".clone()" if inp.clone else "")
            if inp.grad:
                text = f"l{i} = a{i}; " + text
        lines.append(text)
    expr = call.expr()
    if call.kind == "setitem" or (call.kind == "op" and call.name in _STATEMENTS):
        lines += [expr, "y = a0"]
    else:
        lines.append(f"y = {expr}")
    lines.append("print(y)")
    if o.cls == "wrong" and "grad" in o.reason and leaves:
        names = [f"l{i}" if call.inputs[i].transpose or call.inputs[i].clone else f"a{i}"
                 for i in leaves]
        lines.append("y.sum().backward(); print(" + ", ".join(f"{n}.grad" for n in names) + ")")
    return 'python -c "' + "; ".join(lines) + '"'


def signature(o: Outcome) -> str:
    """The inputs in brief: `a0 float32(3, 0) grad T, a1 int64(2,)`."""
    if o.call is None:
        return ""
    parts = []
    for i, inp in enumerate(o.call.inputs):
        flags = "".join(f" {f}" for f, on in (("grad", inp.grad), ("T", inp.transpose),
                                               ("clone", inp.clone)) if on)
        parts.append(f"a{i} {inp.array.dtype}{inp.array.shape}{flags}")
    return ", ".join(parts)


def groups(results: Sequence[Outcome]) -> dict[tuple, list[Outcome]]:
    """Failures by (op, class, reason), in first-seen order."""
    out: dict[tuple, list[Outcome]] = {}
    for r in results:
        if r.cls in FAILURES:
            out.setdefault(r.key, []).append(r)
    return out


def _share(k: int, n: int) -> str:
    return f"{100 * k / n:5.1f}%" if n else "    -"


def message_stats(results: Sequence[Outcome]) -> list[str]:
    """Lines on minigrad's error messages (both_raise and missing cases)."""
    lines = []
    for label, classes in (("both_raise + missing", ("both_raise", "missing")),
                           ("both_raise", ("both_raise",)), ("missing", ("missing",))):
        msgs = [r for r in results if r.cls in classes and r.minigrad_error]
        n = len(msgs)
        op = sum(r.names_op for r in msgs)
        both = sum(r.names_op and r.names_value for r in msgs)
        val = sum(r.names_value for r in msgs)
        lines.append(f"  {label:<22} {n:6d} messages: name the op {_share(op, n)}, name the op "
                     f"and a shape/value {_share(both, n)}, name a shape/value {_share(val, n)}")
    both = [r for r in results if r.cls == "both_raise"]
    same = sum(r.torch_error.split(":")[0] == r.minigrad_error.split(":")[0] for r in both)
    lines.append(f"  both_raise with the same exception type as PyTorch: {_share(same, len(both))}")
    return lines


def render(results: Sequence[Outcome], seed: int, seconds: float, show: int = 3,
           top: int = 25) -> str:
    """The whole text report."""
    n = len(results)
    counts = collections.Counter(r.cls for r in results)
    ops = collections.Counter(r.op for r in results)
    per_op: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for r in results:
        per_op[r.op][r.cls] += 1
    out = [f"minigrad vs PyTorch differential fuzz: seed {seed}, {n} calls over {len(ops)} ops, "
           f"{seconds:.1f} s ({1000 * seconds / max(n, 1):.2f} s per 1000 calls)", "",
           f"{'class':<12}{'calls':>8}{'share':>8}"]
    out += [f"{c:<12}{counts[c]:>8}{_share(counts[c], n):>8}" for c in CLASSES]
    head = "".join(f"{c:>11}" for c in CLASSES)
    out += ["", f"top {top} ops by calls:", f"  {'op':<36}{'calls':>7}{head}"]
    for op, k in ops.most_common(top):
        out.append(f"  {op:<36}{k:>7}" + "".join(f"{per_op[op][c]:>11}" for c in CLASSES))
    failing = sorted((op for op in per_op if any(per_op[op][c] for c in FAILURES)),
                     key=lambda op: -sum(per_op[op][c] for c in FAILURES))
    out += ["", f"ops with failures ({len(failing)} of {len(ops)}), most first:",
            f"  {'op':<36}{'calls':>7}{head}"]
    for op in failing:
        out.append(f"  {op:<36}{ops[op]:>7}" + "".join(f"{per_op[op][c]:>11}" for c in CLASSES))
    out += ["", "minigrad's error messages:", *message_stats(results)]
    grouped = groups(results)
    by_class = collections.Counter(k[1] for k in grouped)
    out += ["", f"failure groups: {len(grouped)} (" + ", ".join(
        f"{c} {by_class[c]}" for c in FAILURES) + f"); first {show} of each:"]
    order = sorted(grouped.items(), key=lambda kv: (FAILURES.index(kv[0][1]) if kv[0][1] != "wrong"
                                                    else -1, -len(kv[1]), kv[0]))
    for (op, cls, reason), rs in order:
        out.append(f"[{cls}] {op}: {reason}  -- {len(rs)} case{'s' * (len(rs) != 1)}")
        for r in rs[:show]:
            out.append(f"    {r.call.expr() if r.call else '?'}    "
                       f"# replay: python -m parity.fuzz --replay {r.seed}:{r.index}")
            if r.call and r.call.inputs:
                out.append(f"      inputs: {signature(r)}")
            if cls == "silent":
                out.append(f"      torch: {r.torch_error}")
            if cls == "missing":
                out.append(f"      minigrad: {r.minigrad_error}")
            if cls == "wrong":
                out.append(f"      found: {'; '.join(r.details[:4])}")
            snip = snippet(r)
            if snip:
                out.append(f"      {snip}")
    return "\n".join(out)


# -- baseline ----------------------------------------------------------------------------------
def baseline_groups(results: Sequence[Outcome]) -> list[dict]:
    """The failure groups as JSON rows, sorted."""
    rows = [{"op": op, "class": cls, "reason": reason, "count": len(rs)}
            for (op, cls, reason), rs in groups(results).items()]
    return sorted(rows, key=lambda r: (r["class"], r["op"], r["reason"]))


def write_baseline(results: Sequence[Outcome], seed: int, budget: int,
                   path: pathlib.Path = BASELINE) -> None:
    """Save the failure groups found at (seed, budget) as the accepted baseline."""
    doc = {"about": "Failure groups the fuzzer finds at the CI seed today; parity/test_fuzz.py "
                    "fails on any silent or wrong group not listed here. Fix bugs, then "
                    "regenerate with `python -m parity.fuzz --write-baseline`; the goal is an "
                    "empty list.",
           "seed": seed, "budget": budget, "groups": baseline_groups(results)}
    path.write_text(json.dumps(doc, indent=1) + "\n")


def load_baseline(path: pathlib.Path = BASELINE) -> dict:
    """The baseline document ({} when the file is absent)."""
    return json.loads(path.read_text()) if path.exists() else {}


def diff_baseline(results: Sequence[Outcome], doc: dict) -> tuple[list, list]:
    """(new groups, groups gone) as (op, class, reason) keys."""
    now = {k for k in groups(results)}
    before = {(g["op"], g["class"], g["reason"]) for g in doc.get("groups", [])}
    return sorted(now - before), sorted(before - now)


# -- replay ------------------------------------------------------------------------------------
def replay(seed: int, index: int) -> str:
    """Rebuild and rerun one case; describe inputs, both results, the class and the details."""
    import torch

    import minigrad
    from parity.fuzz.execute import attempt, build_inputs, execute

    call, rng = draw_case(seed, index)
    lines = [f"case {seed}:{index}  op {call.op}", f"  call: {call.expr()}"]
    for i, inp in enumerate(call.inputs):
        flags = [f for f, on in (("requires_grad", inp.grad), ("transposed", inp.transpose),
                                 ("cloned", inp.clone)) if on]
        lines.append(f"  a{i} = {array_literal(inp.array)}  {' '.join(flags)}")
    for lib in (torch, minigrad):
        _, views = build_inputs(lib, call)
        out, err = attempt(lambda lib=lib, views=views: execute(lib, call, views))
        lines.append(f"  {lib.__name__}: " + (f"raised {type(err).__name__}: {err}" if err
                                                else repr(out).replace("\n", "\n    ")))
    res = run_call(seed, index, call, rng)
    lines.append(f"  class: {res.cls}" + (f"  ({res.reason})" if res.reason else ""))
    lines += [f"    {d}" for d in res.details[1:]]
    snip = snippet(res)
    if snip:
        lines.append(f"  {snip}")
    return "\n".join(lines)
