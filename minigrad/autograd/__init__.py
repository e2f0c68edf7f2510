"""minigrad.autograd: the backward engine's public face (`backward`, `grad`), grad modes,
gradcheck and anomaly detection, with PyTorch's names."""

from __future__ import annotations

from minigrad.autograd.anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from minigrad.autograd.custom_function import Function, FunctionCtx
from minigrad.autograd.engine import backward, grad
from minigrad.autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from minigrad.autograd.gradcheck import gradcheck, gradgradcheck

__all__ = [
    "Function", "FunctionCtx", "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled",
    "inference_mode", "is_grad_enabled", "gradcheck", "gradgradcheck", "detect_anomaly",
    "set_detect_anomaly", "is_anomaly_enabled",
]
