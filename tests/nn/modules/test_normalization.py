"""LayerNorm, GroupNorm and RMSNorm modules (minigrad/nn/modules/normalization.py):
parameters, state dicts, reprs and forward against NumPy references."""

from __future__ import annotations

import numpy as np

import minigrad
from minigrad.nn.modules.normalization import GroupNorm, LayerNorm, RMSNorm
from tests.helpers import to_numpy as _np
from tests.nn.helpers import ref_group_norm, ref_layer_norm, ref_rms_norm


def _t(a, requires_grad=False):
    return minigrad.tensor(np.array(a), requires_grad=requires_grad)


def test_layer_norm_module_parameters_and_repr(rng) -> None:
    ln = LayerNorm((3, 4))
    assert ln.weight.shape == (3, 4) and np.all(_np(ln.weight) == 1) and np.all(_np(ln.bias) == 0)
    assert repr(ln) == "LayerNorm((3, 4), eps=1e-05, elementwise_affine=True, bias=True)"
    assert list(LayerNorm(5, bias=False).state_dict()) == ["weight"]
    assert repr(LayerNorm(5, bias=False)) == ("LayerNorm((5,), eps=1e-05, "
                                              "elementwise_affine=True, bias=False)")
    assert list(LayerNorm(5, elementwise_affine=False).state_dict()) == []
    x = rng.standard_normal((2, 3, 4))
    np.testing.assert_allclose(_np(ln.double()(_t(x))), ref_layer_norm(x, 2), rtol=1e-12,
                               atol=1e-12)


def test_group_norm_and_rms_norm_modules(rng) -> None:
    gn = GroupNorm(2, 4).double()
    assert repr(gn) == "GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)"
    assert list(GroupNorm(2, 4, affine=False).state_dict()) == []
    x = rng.standard_normal((3, 4, 5))
    np.testing.assert_allclose(_np(gn(_t(x))), ref_group_norm(x, 2), rtol=1e-12, atol=1e-12)
    rms = RMSNorm(5).double()
    assert repr(rms) == "RMSNorm((5,), eps=None, elementwise_affine=True)"
    assert repr(RMSNorm([5], eps=1e-3, elementwise_affine=False)) == \
        "RMSNorm((5,), eps=0.001, elementwise_affine=False)"
    np.testing.assert_allclose(_np(rms(_t(x))), ref_rms_norm(x, 1), rtol=1e-12, atol=1e-12)
