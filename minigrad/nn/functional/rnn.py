"""Recurrences of nn.RNN, nn.LSTM and nn.GRU and their cells, written with Tensor ops so that
autograd (and double backward) comes for free.

Per layer and direction the input projection x W_ih^T + b_ih is one matmul over the whole
sequence, split into its steps by `unbind_steps` (O(L) backward, see minigrad/ops/rnn.py); the
time loop then does one matmul h W_hh^T (+ b_hh) for all gates at once and splits the gates by
slicing. Gate orders are PyTorch's: LSTM (input, forget, cell, output),
GRU (reset, update, new) with the reset gate applied after the hidden matmul:
n = tanh(W_in x + b_in + r * (W_hn h + b_hn)).
"""

from __future__ import annotations

from collections.abc import Sequence

from minigrad.creation import cat
from minigrad.nn.functional.dropout import dropout
from minigrad.nn.functional.linear import linear
from minigrad.ops.rnn import stack_steps, unbind_steps
from minigrad.tensor import Tensor

MODES = ("RNN_TANH", "RNN_RELU", "LSTM", "GRU")
GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# -- one time step, given the input projection gx = x W_ih^T + b_ih --------------------------------
def _rnn_step(gx: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None, relu: bool) -> Tensor:
    """h' = act(gx + h W_hh^T + b_hh)."""
    pre = linear(h, w_hh, b_hh) + gx
    return pre.relu() if relu else pre.tanh()


def _lstm_step(gx: Tensor, h: Tensor, c: Tensor, w_hh: Tensor,
               b_hh: Tensor | None) -> tuple[Tensor, Tensor]:
    """i, f, o = sigmoid, g = tanh of the four gate slices; c' = f c + i g, h' = o tanh(c')."""
    hs = h.data.shape[-1]
    gates = linear(h, w_hh, b_hh) + gx  # (N, 4H)
    sig = gates.sigmoid()  # one op for i, f and o (the cell slice of it is unused)
    i, f, o = sig[..., :hs], sig[..., hs:2 * hs], sig[..., 3 * hs:]
    g = gates[..., 2 * hs:3 * hs].tanh()
    c = f * c + i * g
    return o * c.tanh(), c


def _gru_step(gx_rz: Tensor, gx_n: Tensor, h: Tensor, w_hh: Tensor,
              b_hh: Tensor | None) -> Tensor:
    """r, z = sigmoid(gx_rz + gh_rz), n = tanh(gx_n + r gh_n), h' = n + z (h - n) (PyTorch's
    form of (1 - z) n + z h); gx_rz and gx_n are the input projection's first 2H and last H."""
    hs = h.data.shape[-1]
    gh = linear(h, w_hh, b_hh)  # (N, 3H), b_hh inside: b_hn is multiplied by r
    rz = (gx_rz + gh[..., :2 * hs]).sigmoid()
    r, z = rz[..., :hs], rz[..., hs:]
    n = (gx_n + r * gh[..., 2 * hs:]).tanh()
    return n + z * (h - n)


# -- cells -------------------------------------------------------------------------------------
def rnn_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,  # noqa: A002
             b_ih: Tensor | None = None, b_hh: Tensor | None = None,
             nonlinearity: str = "tanh") -> Tensor:
    """One Elman step, (N, H_in) input and (N, H) state: act(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    return _rnn_step(linear(input, w_ih, b_ih), hx, w_hh, b_hh, nonlinearity == "relu")


def lstm_cell(input: Tensor, hx: Sequence[Tensor], w_ih: Tensor, w_hh: Tensor,  # noqa: A002
              b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """One LSTM step: returns (h', c')."""
    return _lstm_step(linear(input, w_ih, b_ih), hx[0], hx[1], w_hh, b_hh)


def gru_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,  # noqa: A002
             b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """One GRU step: returns h'."""
    gx = linear(input, w_ih, b_ih)
    hs = hx.data.shape[-1]
    return _gru_step(gx[..., :2 * hs], gx[..., 2 * hs:], hx, w_hh, b_hh)


# -- whole sequences ---------------------------------------------------------------------------
def _direction(mode: str, x: Tensor, h: Tensor, c: Tensor | None, weights: Sequence,
               reverse: bool) -> tuple[Tensor, Tensor, Tensor | None]:
    """Run one layer in one direction over x (L, N, H_in): returns (outputs (L, N, H), h_n,
    c_n). The loop over time is the only Python loop."""
    w_ih, w_hh = weights[0], weights[1]
    b_ih, b_hh = (weights[2], weights[3]) if len(weights) == 4 else (None, None)
    # the input projection of every step in one matmul, (L, N, G), split into its steps
    proj = linear(x, w_ih, b_ih)
    if mode == "GRU":  # the (r, z) and n parts split once here, not in every step
        hs = h.data.shape[-1]
        gx, gx_n = unbind_steps(proj[..., :2 * hs]), unbind_steps(proj[..., 2 * hs:])
    else:
        gx = unbind_steps(proj)
    steps = len(gx)
    outs: list = [None] * steps
    for t in (range(steps - 1, -1, -1) if reverse else range(steps)):
        if mode == "LSTM":
            h, c = _lstm_step(gx[t], h, c, w_hh, b_hh)
        elif mode == "GRU":
            h = _gru_step(gx[t], gx_n[t], h, w_hh, b_hh)
        else:
            h = _rnn_step(gx[t], h, w_hh, b_hh, mode == "RNN_RELU")
        outs[t] = h
    return stack_steps(outs), h, c


def rnn(mode: str, input: Tensor, hx: Tensor, cx: Tensor | None,  # noqa: A002
        weights: Sequence[Sequence[Tensor]], num_layers: int, dropout_p: float, train: bool,
        bidirectional: bool) -> tuple[Tensor, Tensor, Tensor | None]:
    """A stack of recurrent layers over time-major input (L, N, H_in) with initial states
    hx (and cx for LSTM) of shape (D * num_layers, N, H). `weights[k]` are the parameters of
    layer k // D, direction k % D: (w_ih, w_hh[, b_ih, b_hh]). Dropout (train mode only)
    follows every layer but the last. Returns (output (L, N, D * H), h_n, c_n or None)."""
    dirs = 2 if bidirectional else 1
    layer_input = input
    h_n: list = []
    c_n: list = []
    for layer in range(num_layers):
        outs = []
        for d in range(dirs):
            k = layer * dirs + d
            c0 = cx[k] if cx is not None else None
            out, h, c = _direction(mode, layer_input, hx[k], c0, weights[k], d == 1)
            outs.append(out)
            h_n.append(h)
            c_n.append(c)
        layer_input = outs[0] if dirs == 1 else cat(outs, dim=2)
        if dropout_p > 0 and train and layer < num_layers - 1:
            layer_input = dropout(layer_input, dropout_p, True)
    return layer_input, stack_steps(h_n), (stack_steps(c_n) if cx is not None else None)
