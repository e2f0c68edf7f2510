"""minigrad.nn: modules, parameters, functional API, initialisers and utilities, with
PyTorch's names and state-dict keys."""

from minigrad.nn import functional, init, utils
from minigrad.nn.modules import (
    BatchNorm1d, BatchNorm2d, BatchNorm3d, Embedding, GroupNorm, LayerNorm, RMSNorm,
    MultiheadAttention, Transformer, TransformerDecoder, TransformerDecoderLayer,
    TransformerEncoder, TransformerEncoderLayer, GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase,
    RNNCell, RNNCellBase,
    ELU, GELU, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, Dropout, Flatten, HuberLoss,
    Identity, KLDivLoss, L1Loss, LeakyReLU, Linear, LogSigmoid, LogSoftmax, Module, ModuleDict,
    ModuleList, MSELoss, NLLLoss, ReLU, Sequential, Sigmoid, SiLU, SmoothL1Loss, Softmax,
    Softplus, Tanh, Unflatten,
)
from minigrad.nn.parameter import Parameter

__all__ = [
    "Parameter", "functional", "init", "utils", "Module", "Sequential", "ModuleList",
    "ModuleDict", "Identity", "Linear", "Flatten", "Unflatten", "Dropout", "ReLU", "LeakyReLU",
    "Sigmoid", "Tanh", "GELU", "SiLU", "Softplus", "ELU", "Softmax", "LogSoftmax", "LogSigmoid",
    "MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss", "NLLLoss",
    "CrossEntropyLoss", "KLDivLoss", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LayerNorm",
    "GroupNorm", "RMSNorm", "Embedding", "MultiheadAttention", "Transformer",
    "TransformerEncoder", "TransformerDecoder", "TransformerEncoderLayer",
    "TransformerDecoderLayer", "RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell",
    "LSTMCell", "GRUCell",
]
