"""Loss modules (minigrad/nn/modules/loss.py): they pass their options through to the
functions, and their weights are buffers."""

from __future__ import annotations

import numpy as np

import minigrad
from minigrad import nn
from minigrad.nn import functional as F
from tests.helpers import to_numpy as _np


def _t(a, dtype=np.float64, requires_grad=False) -> minigrad.Tensor:
    return minigrad.tensor(np.asarray(a, dtype=dtype), requires_grad=requires_grad)


def test_loss_modules_pass_their_options_through(rng) -> None:
    x, y = rng.standard_normal((4, 3)), rng.uniform(0.05, 0.95, (4, 3))
    p = rng.uniform(0.05, 0.95, (4, 3))
    w, pw = rng.uniform(0.5, 2, 3), rng.uniform(0.5, 2, 3)
    t = rng.integers(0, 3, 4)
    pairs = [
        (nn.MSELoss(reduction="sum")(_t(x), _t(y)), F.mse_loss(_t(x), _t(y), reduction="sum")),
        (nn.L1Loss(reduction="none")(_t(x), _t(y)), F.l1_loss(_t(x), _t(y), reduction="none")),
        (nn.SmoothL1Loss(beta=0.3)(_t(x), _t(y)), F.smooth_l1_loss(_t(x), _t(y), beta=0.3)),
        (nn.HuberLoss(delta=0.4)(_t(x), _t(y)), F.huber_loss(_t(x), _t(y), delta=0.4)),
        (nn.BCELoss(weight=_t(w))(_t(p), _t(y)),
         F.binary_cross_entropy(_t(p), _t(y), weight=_t(w))),
        (nn.BCEWithLogitsLoss(weight=_t(w), pos_weight=_t(pw), reduction="sum")(_t(x), _t(y)),
         F.binary_cross_entropy_with_logits(_t(x), _t(y), _t(w), reduction="sum",
                                            pos_weight=_t(pw))),
        (nn.NLLLoss(weight=_t(w), ignore_index=1)(_t(x), _t(t, np.int64)),
         F.nll_loss(_t(x), _t(t, np.int64), weight=_t(w), ignore_index=1)),
        (nn.CrossEntropyLoss(weight=_t(w), ignore_index=2, label_smoothing=0.1)(
            _t(x), _t(t, np.int64)),
         F.cross_entropy(_t(x), _t(t, np.int64), weight=_t(w), ignore_index=2,
                         label_smoothing=0.1)),
        (nn.KLDivLoss(reduction="batchmean", log_target=True)(_t(x), _t(y)),
         F.kl_div(_t(x), _t(y), reduction="batchmean", log_target=True)),
    ]
    for i, (a, b) in enumerate(pairs):
        np.testing.assert_array_equal(_np(a), _np(b), err_msg=str(i))


def test_loss_weights_are_buffers() -> None:
    loss = nn.CrossEntropyLoss(weight=_t([1.0, 2.0]))
    assert list(loss.state_dict()) == ["weight"]
    assert list(nn.BCEWithLogitsLoss(pos_weight=_t([2.0])).state_dict()) == ["pos_weight"]
    assert list(nn.MSELoss().state_dict()) == []
