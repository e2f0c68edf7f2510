"""AdamW (minigrad/optim/adamw.py): Adam with decoupled weight decay, against the algorithm in
float64; the same as Adam(decoupled_weight_decay=True); its defaults, state dict and errors."""

from __future__ import annotations

import numpy as np
import pytest

from minigrad import optim
from tests.optim.helpers import GRADS, INVALID_OPTIONS, P0, reference, run


def test_adamw_decouples_weight_decay():
    p, opt = run(GRADS, cls=optim.AdamW, lr=0.1, weight_decay=0.3)
    np.testing.assert_allclose(p.data, reference(GRADS, lr=0.1, weight_decay=0.3,
                                                 decoupled=True)[0], rtol=1e-13)
    assert opt.param_groups[0]["decoupled_weight_decay"] is True
    # With a zero gradient AdamW still shrinks p; Adam's L2 decay moves it by about lr.
    q, _ = run([np.zeros(3)], cls=optim.AdamW, lr=0.1, weight_decay=0.5)
    np.testing.assert_allclose(q.data, P0 * (1 - 0.05), rtol=1e-15)


def test_adam_with_decoupled_weight_decay_is_adamw():
    p, _ = run(GRADS, lr=0.1, weight_decay=0.3, decoupled_weight_decay=True)
    q, _ = run(GRADS, cls=optim.AdamW, lr=0.1, weight_decay=0.3)
    np.testing.assert_array_equal(p.data, q.data)


def test_adamw_defaults_and_state_dict_keep_decay_decoupled():
    _, opt = run([], cls=optim.AdamW)
    assert opt.defaults["weight_decay"] == 0.01 and opt.defaults["lr"] == 1e-3
    sd = opt.state_dict()
    sd["param_groups"][0]["decoupled_weight_decay"] = False
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["decoupled_weight_decay"] is True


@pytest.mark.parametrize("options,message", INVALID_OPTIONS)
def test_invalid_options_are_errors(options, message):
    with pytest.raises(ValueError, match=message):
        run([], cls=optim.AdamW, **options)
