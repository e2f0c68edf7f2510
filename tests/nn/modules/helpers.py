"""Small modules shared by tests/nn/modules/test_module.py and test_module_state_dict.py:
`Block` holds a Linear, a ReLU, a persistent and a non-persistent buffer; `Net` holds a
parameter, a Sequential of two Blocks and a Linear head."""

from __future__ import annotations

import minigrad
from minigrad import nn


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(3, 3)
        self.act = nn.ReLU()
        self.register_buffer("running", minigrad.zeros(3))
        self.register_buffer("mask", minigrad.ones(3), persistent=False)

    def forward(self, x):
        return self.act(self.fc(x)) + self.running


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(minigrad.ones(1))
        self.body = nn.Sequential(Block(), Block())
        self.head = nn.Linear(3, 2)

    def forward(self, x):
        return self.head(self.body(x) * self.scale)
