"""Whole PyTorch programs run twice, under torch and under `import minigrad as torch`, and
their printed numbers compared (float32 tolerance)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")

PROGRAMS = sorted((Path(__file__).parent / "programs").glob("*.py"))
NUMBER = re.compile(r"-?\d+\.?\d*(?:[eE][-+]?\d+)?")


def run(source: str, tmp_path: Path, name: str) -> str:
    script = tmp_path / name
    script.write_text(source)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def as_minigrad(source: str) -> str:
    """Change only the imports: torch -> minigrad, torch.x -> minigrad.x."""
    source = re.sub(r"^import torch$", "import minigrad as torch", source, flags=re.M)
    source = re.sub(r"^import torch\.([\w.]+) as (\w+)$", r"import minigrad.\1 as \2", source,
                    flags=re.M)
    return re.sub(r"^from torch((?:\.\w+)*) import", r"from minigrad\1 import", source, flags=re.M)


def readme_example() -> str:
    """The README's 20-line example, written for minigrad, turned into a torch program."""
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    code = re.search(r"```python\n(.*?)```", readme, flags=re.S).group(1)
    return code.replace("import minigrad as torch", "import torch")


SOURCES = [(p.stem, p.read_text) for p in PROGRAMS] + [("readme_example", readme_example)]


@pytest.mark.parametrize("name,read", SOURCES, ids=[s[0] for s in SOURCES])
def test_program_prints_the_same_numbers_under_minigrad(name, read, tmp_path):
    source = read()
    assert "import torch" in source
    want = run(source, tmp_path, "with_torch.py")
    got = run(as_minigrad(source), tmp_path, "with_minigrad.py")
    want_lines, got_lines = want.splitlines(), got.splitlines()
    assert len(want_lines) == len(got_lines), (want, got)
    for w_line, g_line in zip(want_lines, got_lines):
        w_nums = [float(v) for v in NUMBER.findall(w_line)]
        g_nums = [float(v) for v in NUMBER.findall(g_line)]
        assert NUMBER.sub("#", w_line) == NUMBER.sub("#", g_line), (w_line, g_line)
        assert g_nums == pytest.approx(w_nums, rel=2e-4, abs=1e-5), (w_line, g_line)
