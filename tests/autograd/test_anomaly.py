"""Anomaly mode (minigrad/autograd/anomaly.py): a NaN in backward names the op."""

import pytest

from minigrad import autograd
from tests.helpers import leaf


def test_detect_anomaly_names_the_op():
    x = leaf([0.0, 1.0])
    with autograd.detect_anomaly():
        y = (x.sqrt() * 0).sum()  # d sqrt at 0 is inf; inf * 0 = nan in SqrtBackward
        with pytest.raises(RuntimeError, match="SqrtBackward0"):
            y.backward()
