"""The examples run end to end and reach what their docstrings promise."""

import os
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


def _data_root():
    """The data folder: $MINIGRAD_DATA, else the shared/ folder CI lays beside the clone."""
    root = Path(os.environ.get("MINIGRAD_DATA", Path(__file__).parents[2] / "shared" / "data"))
    return root if (root / "mnist" / "t10k-labels-idx1-ubyte.gz").exists() else None


def test_mnist_mlp_learns_digits_from_local_files():
    root = _data_root()
    if root is None:
        pytest.skip("MNIST files not found: set MINIGRAD_DATA")
    done = subprocess.run([sys.executable, str(EXAMPLES / "mnist_mlp.py"), "--data", str(root),
                           "--epochs", "1", "--limit", "5000"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    accuracy = float(done.stdout.split("test accuracy")[1].split()[0])
    assert accuracy > 0.85, done.stdout
