"""minigrad.nn and minigrad.nn.functional export the layers and functions defined in their
family files (minigrad/nn/__init__.py, nn/functional/__init__.py)."""

from __future__ import annotations

import minigrad
from minigrad.nn.modules.batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d
from minigrad.nn.modules.normalization import GroupNorm, LayerNorm, RMSNorm


def test_exports_are_the_norm_modules_and_functions() -> None:
    from minigrad.nn import functional as F
    from minigrad.nn.functional import norm as norm_functions
    from minigrad.nn.functional import sparse as sparse_functions
    from minigrad.nn.modules import sparse

    for name, obj in (("BatchNorm1d", BatchNorm1d), ("BatchNorm2d", BatchNorm2d),
                      ("BatchNorm3d", BatchNorm3d), ("LayerNorm", LayerNorm),
                      ("GroupNorm", GroupNorm), ("RMSNorm", RMSNorm),
                      ("Embedding", sparse.Embedding)):
        assert getattr(minigrad.nn, name) is obj
    for name in ("batch_norm", "layer_norm", "group_norm", "rms_norm"):
        assert getattr(F, name) is getattr(norm_functions, name)
    assert F.embedding is sparse_functions.embedding
