"""Error messages and mismatch lines: shortening, normalising into group reasons, and whether a
message names the op and a shape or value from the arguments."""

from __future__ import annotations

import math
import re
from typing import Any

from parity.fuzz.generators import Call


def short(err: BaseException) -> str:
    """`Type: first line of the message` (at most 200 characters)."""
    text = str(err).strip().splitlines()[0] if str(err).strip() else ""
    return f"{type(err).__name__}: {text}"[:200]


_TORCH_DTYPES = r"\b(Bool|Byte|Char|Short|Int|Long|Half|Float|Double|BFloat16)\b"


def normalise(text: str) -> str:
    """A message with its numbers, shapes, dtype names and argument lists blanked, so that
    failures of one kind fall into one group."""
    text = re.sub(r" - got .*", "", text)
    text = re.sub(r"-?\d+(\.\d+)?(e-?\d+)?", "#", text)
    text = re.sub(r"\[#(, #)*\]", "[#]", text)
    text = re.sub(r"\(#(, #)*,?\)", "(#)", text)
    text = re.sub(_TORCH_DTYPES, "<dtype>", text)
    text = re.sub(r"must be Tensor, not \w+", "must be Tensor, not <number>", text)
    return text[:110]


def reason_of(problem: str) -> str:
    """The group of a mismatch line: without the dtype, NaN/inf kinds merged."""
    problem = re.sub(r" \((u?int\d+|b?float\d+|bool)\)$", "", problem)
    problem = re.sub(r"\d+ items != torch \d+", "item count differs", problem)
    return problem.replace("nan/inf positions differ", "nan/inf differ").replace(
        "nan/inf values differ", "nan/inf differ")


def _numbers(v: Any, out: set) -> None:
    if isinstance(v, bool) or v is None:
        return
    if isinstance(v, int) or (isinstance(v, float) and math.isfinite(v)):
        out.add(repr(v))
    elif isinstance(v, (list, tuple)):
        for x in v:
            _numbers(x, out)
    elif isinstance(v, dict):
        _numbers(list(v.values()), out)
    elif isinstance(v, slice):
        _numbers([v.start, v.stop, v.step], out)


_SHAPE_RE = re.compile(r"\(\s*\d+\s*(,\s*\d+\s*)*,?\s*\)|\(\)|\[\s*-?\d+(\s*,\s*-?\d+)*\s*\]|"
                       r"Size\(")


def message_names(call: Call, msg: str) -> tuple[bool, bool]:
    """(names the op, names a shape or a value from the arguments) for an error message."""
    low = msg.lower()
    words = {call.op.removeprefix("F.").strip("_"), call.name.strip("_"), *call.names}
    low = low.replace("_", "")
    names_op = any(w and w.lower().replace("_", "") in low for w in words)
    nums: set[str] = set()
    _numbers((call.args[1:] if call.kind in ("method", "getitem", "setitem") else call.args,
              call.kwargs), nums)
    nums.discard("0")
    nums.discard("1")
    value = bool(_SHAPE_RE.search(msg)) or any(
        re.search(rf"(?<![\w.]){re.escape(n)}(?![\w.])", msg) for n in nums)
    return names_op, value
