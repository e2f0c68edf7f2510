"""minigrad.nn.functional: the stateless layer API, with PyTorch's names, arguments and formulas.

One module per family, as PyTorch's documentation groups them: activation, linear, dropout,
sparse (embedding, one_hot), distance, loss, norm, conv (with pad, unfold and fold), pool,
attention, and rnn (the recurrences behind nn.RNN/LSTM/GRU, not re-exported here). The public
functions are re-exported below, so `F.conv2d` and `minigrad.nn.functional.conv.conv2d` are
the same object. `F.linear` and `F.dropout` are the functions, not their modules of the same
name: reach those with `from minigrad.nn.functional.linear import ...`.
"""

from minigrad.nn.functional.activation import (
    elu,
    gelu,
    leaky_relu,
    log_sigmoid,
    log_softmax,
    logsigmoid,
    relu,
    sigmoid,
    silu,
    softmax,
    softplus,
    tanh,
)
from minigrad.nn.functional.attention import (
    multi_head_attention_forward,
    scaled_dot_product_attention,
)
from minigrad.nn.functional.conv import (
    conv1d,
    conv2d,
    conv_transpose1d,
    conv_transpose2d,
    fold,
    pad,
    unfold,
)
from minigrad.nn.functional.distance import cosine_similarity
from minigrad.nn.functional.dropout import dropout
from minigrad.nn.functional.linear import linear
from minigrad.nn.functional.loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from minigrad.nn.functional.norm import batch_norm, group_norm, layer_norm, normalize, rms_norm
from minigrad.nn.functional.pool import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)
from minigrad.nn.functional.sparse import embedding, one_hot

__all__ = [
    # activation
    "relu", "leaky_relu", "elu", "sigmoid", "tanh", "gelu", "silu", "softplus", "log_sigmoid",
    "logsigmoid", "softmax", "log_softmax",
    # linear, dropout, sparse, distance
    "linear", "dropout", "embedding", "one_hot", "cosine_similarity",
    # loss
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "nll_loss", "cross_entropy", "kl_div",
    # norm
    "batch_norm", "layer_norm", "group_norm", "rms_norm", "normalize",
    # conv, pool
    "conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "pad", "unfold", "fold",
    "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    # attention
    "scaled_dot_product_attention", "multi_head_attention_forward",
]
