"""Recurrent layers: RNN, LSTM, GRU and their single-step cells, with PyTorch's constructor
arguments, parameter names and order (`weight_ih_l0`, ..., `bias_hh_l1_reverse`), default init
U(-1/sqrt(hidden), 1/sqrt(hidden)) drawn in PyTorch's order, shapes and error messages."""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np

from minigrad import dtypes
from minigrad.creation import zeros
from minigrad.nn import init
from minigrad.nn.functional import rnn as R
from minigrad.nn.modules.module import Module
from minigrad.nn.parameter import Parameter
from minigrad.tensor import Tensor

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


def _param(shape: tuple, dtype: Any) -> Parameter:
    np_dtype = dtypes.to_numpy_dtype(dtype) if dtype else np.float32
    return Parameter(Tensor._make(np.empty(shape, dtype=np_dtype)))


def _check_size(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be greater than zero")


def _refuse_kwargs(name: str, kwargs: dict) -> None:
    """RNN and GRU take **kwargs only to refuse proj_size with PyTorch's ValueError."""
    if "proj_size" in kwargs:
        raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
    if kwargs:
        raise TypeError(f"{name}.__init__() got an unexpected keyword argument "
                        f"'{next(iter(kwargs))}'")


class RNNBase(Module):
    """The stacked, optionally bidirectional recurrence shared by RNN, LSTM and GRU.

    Parameters per layer k and direction (suffix "" or "_reverse"): weight_ih_l{k}
    (gates * hidden_size, input size of the layer), weight_hh_l{k} (gates * hidden_size,
    hidden_size), bias_ih_l{k} and bias_hh_l{k} (gates * hidden_size,) when bias.
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        if mode not in R.MODES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self.mode = mode
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first = bias, batch_first
        self.dropout = float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool)
                or not 0 <= dropout <= 1):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=2)
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(f"batch_first should be of type bool, got: "
                            f"{type(batch_first).__name__}")
        _check_size("input_size", input_size)
        _check_size("hidden_size", hidden_size)
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size > 0:
            raise NotImplementedError("LSTM: proj_size > 0 is not supported by minigrad")
        gate_size = R.GATES[mode] * hidden_size
        dirs = 2 if bidirectional else 1
        self._flat_weights_names: list = []
        self._all_weights: list = []
        for layer in range(num_layers):
            for direction in range(dirs):
                layer_input = input_size if layer == 0 else hidden_size * dirs
                shapes = [(gate_size, layer_input), (gate_size, hidden_size)]
                names = ["weight_ih_l{}{}", "weight_hh_l{}{}"]
                if bias:
                    shapes += [(gate_size,), (gate_size,)]
                    names += ["bias_ih_l{}{}", "bias_hh_l{}{}"]
                suffix = "_reverse" if direction == 1 else ""
                names = [n.format(layer, suffix) for n in names]
                for name, shape in zip(names, shapes, strict=True):
                    setattr(self, name, _param(shape, dtype))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, n) for n in self._flat_weights_names]

    @property
    def all_weights(self) -> list:
        """The parameters per layer and direction: [[w_ih, w_hh, b_ih, b_hh], ...]."""
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """A no-op (cuDNN weight packing in PyTorch)."""

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    # -- checks, with PyTorch's messages ---------------------------------------------------------
    def check_input(self, input: Tensor) -> None:  # noqa: A002
        weight = self._flat_weights[0]
        if input.dtype != weight.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({weight.dtype}). Convert input: input.to({weight.dtype}), or "
                             f"convert model: model.to({input.dtype})")
        if input.dim() != 3:
            raise RuntimeError(f"input must have 3 dimensions, got {input.dim()}")
        if self.input_size != input.shape[-1]:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.shape[-1]}")

    def get_expected_hidden_size(self, input: Tensor) -> tuple[int, int, int]:  # noqa: A002
        batch = input.shape[0] if self.batch_first else input.shape[1]
        dirs = 2 if self.bidirectional else 1
        return (self.num_layers * dirs, batch, self.hidden_size)

    @staticmethod
    def check_hidden_size(hx: Tensor, expected: tuple,
                          msg: str = "Expected hidden size {}, got {}") -> None:
        if tuple(hx.shape) != expected:
            raise RuntimeError(msg.format(expected, list(hx.shape)))

    # -- forward ---------------------------------------------------------------------------------
    def _prepare(self, input: Tensor) -> tuple[Tensor, bool]:  # noqa: A002
        name = "RNN" if self.mode.startswith("RNN") else self.mode
        if input.dim() not in (2, 3):
            tail = " tensor instead" if name == "RNN" else " instead"
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D{tail}")
        batched = input.dim() == 3
        return (input if batched else input.unsqueeze(0 if self.batch_first else 1)), batched

    def _zeros(self, input: Tensor) -> Tensor:  # noqa: A002
        return zeros(self.get_expected_hidden_size(input), dtype=input.dtype)

    def _run(self, input: Tensor, hx: Tensor, cx: Tensor | None,  # noqa: A002
             batched: bool) -> tuple[Tensor, Tensor, Tensor | None]:
        x = input.transpose(0, 1) if self.batch_first else input  # (L, N, H_in)
        if x.shape[0] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        weights = self.all_weights
        out, h_n, c_n = R.rnn(self.mode, x, hx, cx, weights, self.num_layers, self.dropout,
                              self.training, self.bidirectional)
        if self.batch_first:
            out = out.transpose(0, 1)
        if not batched:
            out = out.squeeze(0 if self.batch_first else 1)
            h_n = h_n.squeeze(1)
            c_n = c_n.squeeze(1) if c_n is not None else None
        return out, h_n, c_n

    def _forward_single_state(self, input: Tensor, hx: Tensor | None  # noqa: A002
                              ) -> tuple[Tensor, Tensor]:
        """RNN and GRU: forward(input, h_0=None) -> (output, h_n)."""
        input, batched = self._prepare(input)
        if hx is not None:
            if not batched and hx.dim() != 2:
                raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got "
                                   f"{hx.dim()}-D tensor")
            if batched and hx.dim() != 3:
                raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got "
                                   f"{hx.dim()}-D tensor")
            hx = hx if batched else hx.unsqueeze(1)
        else:
            hx = self._zeros(input)
        self.check_input(input)
        self.check_hidden_size(hx, self.get_expected_hidden_size(input))
        out, h_n, _ = self._run(input, hx, None, batched)
        return out, h_n

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)


class RNN(RNNBase):
    """Elman RNN: h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), act tanh or relu.

    RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
    batch_first=False, dropout=0.0, bidirectional=False). forward(input, h_0=None) ->
    (output (L, N, D*H), h_n (D*num_layers, N, H)); batch_first swaps L and N of input and
    output; unbatched input (L, H_in) drops N everywhere.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device: Any = None,
                 dtype: Any = None, **kwargs: Any) -> None:
        _refuse_kwargs("RNN", kwargs)
        self.nonlinearity = nonlinearity
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' "
                             "or 'relu'.")
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:  # noqa: A002
        return self._forward_single_state(input, hx)


class GRU(RNNBase):
    """Gated recurrent unit, gates (reset r, update z, new n):
    r, z = sigmoid(W_i x + b_i + W_h h + b_h), n = tanh(W_in x + b_in + r (W_hn h + b_hn)),
    h' = (1 - z) n + z h. Arguments, shapes and outputs as RNN (no nonlinearity)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device: Any = None, dtype: Any = None,
                 **kwargs: Any) -> None:
        _refuse_kwargs("GRU", kwargs)
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:  # noqa: A002
        return self._forward_single_state(input, hx)


class LSTM(RNNBase):
    """Long short-term memory, gates (input i, forget f, cell g, output o):
    c' = f c + i g, h' = o tanh(c'). forward(input, (h_0, c_0)=None) ->
    (output, (h_n, c_n)), shapes as RNN (c has hidden_size too). proj_size is not supported."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device, dtype)

    def forward(self, input: Tensor, hx: tuple | None = None  # noqa: A002
                ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        input, batched = self._prepare(input)
        if hx is None:
            h0, c0 = self._zeros(input), self._zeros(input)
        else:
            h0, c0 = hx
            if batched and (h0.dim() != 3 or c0.dim() != 3):
                raise RuntimeError(f"For batched 3-D input, hx and cx should also be 3-D but "
                                   f"got ({h0.dim()}-D, {c0.dim()}-D) tensors")
            if not batched:
                if h0.dim() != 2 or c0.dim() != 2:
                    raise RuntimeError(f"For unbatched 2-D input, hx and cx should also be 2-D "
                                       f"but got ({h0.dim()}-D, {c0.dim()}-D) tensors")
                h0, c0 = h0.unsqueeze(1), c0.unsqueeze(1)
        self.check_input(input)
        expected = self.get_expected_hidden_size(input)
        self.check_hidden_size(h0, expected, "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(c0, expected, "Expected hidden[1] size {}, got {}")
        out, h_n, c_n = self._run(input, h0, c0, batched)
        return out, (h_n, c_n)


# -- cells -------------------------------------------------------------------------------------
class RNNCellBase(Module):
    """weight_ih (chunks * hidden, input), weight_hh (chunks * hidden, hidden), bias_ih and
    bias_hh (chunks * hidden,), all U(-1/sqrt(hidden), 1/sqrt(hidden)) in that order."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.weight_ih = _param((num_chunks * hidden_size, input_size), dtype)
        self.weight_hh = _param((num_chunks * hidden_size, hidden_size), dtype)
        if bias:
            self.bias_ih = _param((num_chunks * hidden_size,), dtype)
            self.bias_hh = _param((num_chunks * hidden_size,), dtype)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def _batch(self, name: str, input: Tensor, hx: Any) -> tuple[Tensor, bool]:  # noqa: A002
        """Unsqueeze unbatched input; check the input's and states' ranks and sizes."""
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        states = () if hx is None else (hx if isinstance(hx, (tuple, list)) else (hx,))
        for i, h in enumerate(states):
            if h.dim() not in (1, 2):
                which = f"hx[{i}]" if name == "LSTMCell" else "hidden"
                raise ValueError(f"{name}: Expected {which} to be 1D or 2D, got {h.dim()}D "
                                 "instead")
        batched = input.dim() == 2
        x = input if batched else input.unsqueeze(0)
        if x.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {x.shape[1]} expected "
                               f"{self.input_size}")
        for i, h in enumerate(states):
            h = h if batched else h.unsqueeze(0)
            suffix = str(i)  # PyTorch's words: hidden0, hidden1
            if h.shape[0] != x.shape[0]:
                raise RuntimeError(f"Input batch size {x.shape[0]} doesn't match hidden{suffix} "
                                   f"batch size {h.shape[0]}")
            if h.shape[1] != self.hidden_size:
                raise RuntimeError(f"hidden{suffix} has inconsistent hidden_size: got "
                                   f"{h.shape[1]}, expected {self.hidden_size}")
        return x, batched

    def _state(self, x: Tensor, h: Tensor | None, batched: bool) -> Tensor:
        if h is None:
            return zeros(x.shape[0], self.hidden_size, dtype=x.dtype)
        return h if batched else h.unsqueeze(0)


class RNNCell(RNNCellBase):
    """h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh); input (N, H_in) or (H_in), hx optional."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        x, batched = self._batch("RNNCell", input, hx)
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        h = R.rnn_cell(x, self._state(x, hx, batched), self.weight_ih, self.weight_hh,
                       self.bias_ih, self.bias_hh, self.nonlinearity)
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step: forward(input, (h, c)=None) -> (h', c')."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, dtype=dtype)

    def forward(self, input: Tensor, hx: tuple | None = None  # noqa: A002
                ) -> tuple[Tensor, Tensor]:
        x, batched = self._batch("LSTMCell", input, hx)
        h0, c0 = (None, None) if hx is None else hx
        h, c = R.lstm_cell(x, (self._state(x, h0, batched), self._state(x, c0, batched)),
                           self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step: forward(input, hx=None) -> h'."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        x, batched = self._batch("GRUCell", input, hx)
        h = R.gru_cell(x, self._state(x, hx, batched), self.weight_ih, self.weight_hh,
                       self.bias_ih, self.bias_hh)
        return h if batched else h.squeeze(0)
