"""Containers (minigrad/nn/modules/container.py): Sequential / ModuleList / ModuleDict as
lists and dicts of modules."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import minigrad
from minigrad import nn
from tests.helpers import to_numpy as _np


def _seq() -> nn.Sequential:
    return nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 4), nn.Tanh())


def test_sequential_runs_its_modules_in_order() -> None:
    seq = _seq()
    x = minigrad.randn(5, 2)
    expected = seq[3](seq[2](seq[1](seq[0](x))))
    np.testing.assert_array_equal(_np(seq(x)), _np(expected))


def test_sequential_indexing_slicing_len_and_iteration() -> None:
    seq = _seq()
    mods = list(seq._modules.values())
    assert len(seq) == 4 and list(seq) == mods
    assert seq[0] is mods[0] and seq[-1] is mods[3] and seq[-4] is mods[0]
    part = seq[1:3]
    assert isinstance(part, nn.Sequential) and list(part) == mods[1:3]
    assert list(part._modules) == ["1", "2"]  # slicing keeps the keys, as PyTorch
    assert list(seq[::-1]) == mods[::-1]
    with pytest.raises(IndexError, match="out of range"):
        seq[4]
    with pytest.raises(IndexError, match="out of range"):
        seq[-5]


def test_sequential_from_an_ordered_dict_keeps_the_names() -> None:
    seq = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert list(seq._modules) == ["fc", "act"] and seq.fc is seq[0]
    assert list(seq.state_dict()) == ["fc.weight", "fc.bias"]


def test_sequential_append_extend_insert_setitem() -> None:
    seq = nn.Sequential(nn.ReLU())
    a, b, c, d, e = nn.Tanh(), nn.Sigmoid(), nn.GELU(), nn.SiLU(), nn.ELU()
    assert seq.append(a) is seq
    assert seq.extend([b, c]) is seq
    assert seq.insert(0, d) is seq
    seq.insert(-1, e)  # before the last, as list.insert
    assert [type(m).__name__ for m in seq] == ["SiLU", "ReLU", "Tanh", "Sigmoid", "ELU", "GELU"]
    assert list(seq._modules) == ["0", "1", "2", "3", "4", "5"]
    seq[1] = nn.Identity()
    assert isinstance(seq[1], nn.Identity)
    with pytest.raises(IndexError):
        seq.insert(10, nn.ReLU())
    combined = nn.Sequential(nn.ReLU()) + nn.Sequential(nn.Tanh())
    assert [type(m).__name__ for m in combined] == ["ReLU", "Tanh"]


def test_sequential_delete_and_pop_renumber_the_keys() -> None:
    seq = _seq()
    mods = list(seq)
    del seq[1]
    assert list(seq._modules) == ["0", "1", "2"] and list(seq) == [mods[0], mods[2], mods[3]]
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert seq.pop(-1) is mods[3]
    del seq[0:1]
    assert list(seq._modules) == ["0"] and seq[0] is mods[2]


def test_modulelist_indexing_slicing_and_growth() -> None:
    layers = [nn.Linear(i + 1, i + 2) for i in range(4)]
    ml = nn.ModuleList(layers[:2])
    ml.append(layers[2])
    ml.extend([layers[3]])
    assert len(ml) == 4 and list(ml) == layers and ml[-1] is layers[3]
    part = ml[1:3]
    assert isinstance(part, nn.ModuleList) and list(part) == layers[1:3]
    assert list(part._modules) == ["0", "1"]  # a ModuleList slice renumbers
    relu = nn.ReLU()
    ml.insert(1, relu)
    assert list(ml) == [layers[0], relu, *layers[1:]]
    assert list(ml._modules) == ["0", "1", "2", "3", "4"]
    del ml[1]
    assert list(ml) == layers and list(ml._modules) == ["0", "1", "2", "3"]
    ml[0] = relu
    assert ml[0] is relu
    ml += [nn.Tanh()]
    assert len(ml) == 5
    with pytest.raises(IndexError):
        ml[5]


def test_modulelist_parameters_register_in_the_parent() -> None:
    class Stack(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    stack = Stack()
    assert len(list(stack.parameters())) == 6
    assert list(stack.state_dict())[:2] == ["layers.0.weight", "layers.0.bias"]
    stack(minigrad.randn(3, 2)).sum().backward()
    assert all(p.grad is not None for p in stack.parameters())


def test_moduledict_behaves_like_a_dict_of_modules() -> None:
    enc, act, dec = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 2)
    md = nn.ModuleDict({"enc": enc, "act": act})
    md["dec"] = dec
    assert len(md) == 3 and list(md) == ["enc", "act", "dec"]
    assert "act" in md and "nope" not in md
    assert md["enc"] is enc and list(md.values()) == [enc, act, dec]
    assert list(md.keys()) == ["enc", "act", "dec"]
    assert list(md.items())[2] == ("dec", dec)
    assert list(md.state_dict()) == ["enc.weight", "enc.bias", "dec.weight", "dec.bias"]
    del md["act"]
    assert list(md) == ["enc", "dec"]
    assert md.pop("enc") is enc and list(md) == ["dec"]
    md.update([("x", nn.Tanh()), ("y", nn.Sigmoid())])
    md.update(OrderedDict([("z", nn.GELU())]))
    assert list(md) == ["dec", "x", "y", "z"]
    with pytest.raises(KeyError):
        md["missing"]
