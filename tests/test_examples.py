"""The examples run end to end and reach what their docstrings promise."""

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parent.parent / "examples"


@pytest.mark.parametrize("script", ["xor_from_tensors.py", "xor_nn.py"])
def test_xor_examples_learn_xor(script):
    done = subprocess.run([sys.executable, str(EXAMPLES / script)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "accuracy 100%" in done.stdout
