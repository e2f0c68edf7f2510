"""Convolution modules (minigrad/nn/modules/conv.py): attributes, reprs, state dicts and
init, padding modes, output_size, bad arguments, and a float64 gradcheck."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad
from minigrad.autograd import gradcheck
from minigrad.nn.modules.conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from tests.helpers import to_numpy as _np
from tests.nn.helpers import ref_conv2d


def _t(a, requires_grad=False):
    return minigrad.tensor(np.array(a), requires_grad=requires_grad)



def test_conv2d_module_attributes_state_dict_and_forward(rng):
    layer = Conv2d(3, 16, 3, stride=2, padding=1)
    assert (layer.kernel_size, layer.stride, layer.padding, layer.dilation) == \
        ((3, 3), (2, 2), (1, 1), (1, 1))
    assert layer.weight.shape == (16, 3, 3, 3) and layer.bias.shape == (16,)
    assert list(layer.state_dict()) == ["weight", "bias"]
    x = rng.standard_normal((2, 3, 8, 8)).astype(np.float32)
    out = layer(_t(x))
    assert out.shape == (2, 16, 4, 4) and out.dtype == minigrad.float32
    want = ref_conv2d(x.astype(float), _np(layer.weight).astype(float),
                      _np(layer.bias).astype(float), (2, 2), ((1, 1), (1, 1)))
    np.testing.assert_allclose(_np(out), want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("make,expected", [
    (lambda: Conv2d(3, 16, 3, padding=1),
     "Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"),
    (lambda: Conv2d(3, 16, (3, 2), padding="same", dilation=2, bias=False),
     "Conv2d(3, 16, kernel_size=(3, 2), stride=(1, 1), padding=same, dilation=(2, 2), "
     "bias=False)"),
    (lambda: Conv1d(4, 8, 3, groups=4, padding="valid"),
     "Conv1d(4, 8, kernel_size=(3,), stride=(1,), padding=valid, groups=4)"),
    (lambda: Conv2d(2, 2, 3, padding_mode="reflect"),
     "Conv2d(2, 2, kernel_size=(3, 3), stride=(1, 1), padding_mode=reflect)"),
    (lambda: ConvTranspose2d(4, 6, 3, stride=2, output_padding=1, groups=2),
     "ConvTranspose2d(4, 6, kernel_size=(3, 3), stride=(2, 2), output_padding=(1, 1), "
     "groups=2)"),
    (lambda: ConvTranspose1d(2, 3, 4), "ConvTranspose1d(2, 3, kernel_size=(4,), stride=(1,))"),
], ids=range(6))
def test_conv_module_reprs(make, expected):
    assert repr(make()) == expected


@pytest.mark.parametrize("make,fan_in", [
    (lambda: Conv2d(3, 8, (3, 2)), 3 * 6), (lambda: Conv2d(4, 8, 3, groups=2), 2 * 9),
    (lambda: Conv1d(5, 2, 4), 5 * 4), (lambda: ConvTranspose2d(4, 6, 3, groups=2), 3 * 9),
])
def test_conv_default_init_is_uniform_within_one_over_sqrt_fan_in(make, fan_in):
    minigrad.manual_seed(0)
    layer = make()
    bound = 1 / math.sqrt(fan_in)
    for p in (layer.weight, layer.bias):
        assert np.abs(_np(p)).max() <= bound and np.abs(_np(p)).max() > 0.5 * bound


@pytest.mark.parametrize("mode,np_mode", [("reflect", "reflect"), ("replicate", "edge"),
                                          ("circular", "wrap")])
def test_conv_padding_modes_pad_then_convolve(mode, np_mode, rng):
    layer = Conv2d(2, 3, (3, 2), padding=(1, 2), padding_mode=mode).double()
    x = rng.standard_normal((1, 2, 5, 6))
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (2, 2)), mode=np_mode)
    want = ref_conv2d(xp, _np(layer.weight), _np(layer.bias))
    np.testing.assert_allclose(_np(layer(_t(x))), want, rtol=1e-12, atol=1e-12)
    same = Conv1d(2, 2, 4, padding="same", padding_mode=mode).double()
    assert same(_t(x[:, :, 0])).shape == (1, 2, 6)


def test_conv_transpose2d_output_size_chooses_output_padding(rng):
    layer = ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    x = _t(rng.standard_normal((1, 2, 4, 4)).astype(np.float32))
    assert layer(x).shape == (1, 3, 7, 7)
    assert layer(x, output_size=[8, 8]).shape == (1, 3, 8, 8)
    assert layer(x, output_size=(1, 3, 8, 7)).shape == (1, 3, 8, 7)
    with pytest.raises(ValueError, match=r"valid sizes range from \[7, 7\] to \[8, 8\]"):
        layer(x, output_size=(9, 9))


@pytest.mark.parametrize("call,message", [
    (lambda: Conv2d(3, 4, 3, groups=2), "in_channels must be divisible by groups"),
    (lambda: Conv2d(4, 3, 3, groups=2), "out_channels must be divisible by groups"),
    (lambda: Conv2d(4, 4, 3, groups=0), "groups must be a positive integer"),
    (lambda: Conv2d(4, 4, 3, padding="full"), "Invalid padding string 'full'"),
    (lambda: Conv2d(4, 4, 3, stride=2, padding="same"), "not supported for strided"),
    (lambda: Conv2d(4, 4, 3, padding_mode="mirror"), "padding_mode must be one of"),
    (lambda: ConvTranspose2d(4, 4, 3, padding_mode="reflect"), 'Only "zeros" padding mode'),
])
def test_conv_module_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_conv_modules_train_in_float64_with_gradcheck(rng):
    layer = Conv2d(2, 2, 2, stride=(1, 2), dilation=(2, 1), groups=2).double()
    x = minigrad.tensor(rng.standard_normal((1, 2, 4, 5)), requires_grad=True)
    assert gradcheck(lambda x, w, b: layer(x), (x, layer.weight, layer.bias))
