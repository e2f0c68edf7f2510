"""The one shared fixture: `rng`, a NumPy generator seeded with SEED, fresh for every test.

Helper functions (gradchecks, leaves, reference gradients, input samplers) are plain functions
in tests/helpers.py, imported where they are used. tests/ never imports torch: NumPy is the
reference here; parity/ compares with PyTorch.
"""

from __future__ import annotations

import numpy as np
import pytest

SEED = 20240611


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(SEED)
