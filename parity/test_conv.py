"""Convolution and pooling against PyTorch: every function and option as a row of the parity
table (`parity.harness`: same inputs, output and every input's gradient in float64 and float32,
max-pool indices exactly), every layer through the module harness of parity.test_nn (same
weights via the state dict; output, input gradient and every parameter gradient), the default
initialisation after the same seed, and the reprs.

`python -m parity.test_conv` prints the worst relative error per case and dtype.
"""

from __future__ import annotations

import types

import numpy as np
import pytest

torch = pytest.importorskip("torch")
# torch's notice that it copies the input for padding='same' with an even kernel
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")

import minigrad  # noqa: E402
from minigrad.nn.functional import conv as conv_functions  # noqa: E402
from minigrad.nn.functional import pool as pool_functions  # noqa: E402
from minigrad.nn.modules import conv as conv_modules  # noqa: E402
from minigrad.nn.modules import pooling as pool_modules  # noqa: E402
from parity.harness import DTYPES, Case, distinct, run_case  # noqa: E402
from parity.test_nn import _same_after_seed, check_module  # noqa: E402

# minigrad's side of `lib.nn` / `lib.nn.functional`, read from this work's modules directly (so
# the table runs before the names are exported from minigrad.nn)
_MINI_NN = types.SimpleNamespace(**{
    name: getattr(mod, name) for mod in (conv_modules, pool_modules) for name in dir(mod)
    if name[0].isupper() and not name.startswith("_")})
for _name in ("Sequential", "ReLU", "Flatten", "Linear", "Tanh"):
    setattr(_MINI_NN, _name, getattr(minigrad.nn, _name))


_MINI_F = types.SimpleNamespace(**{
    name: getattr(mod, name) for mod in (conv_functions, pool_functions) for name in dir(mod)
    if not name.startswith("_")})


def F(lib):  # noqa: N802 - reads as F.conv2d in the table
    return _MINI_F if lib is minigrad else torch.nn.functional


def NN(lib):  # noqa: N802
    return _MINI_NN if lib is minigrad else torch.nn


def _f(name, **kw):
    """fn(lib, *inputs) = F.name(*inputs, **kw)."""
    return lambda lib, *t: getattr(F(lib), name)(*t, **kw)


X = (2, 4, 7, 6)  # (N, C, H, W)
X1 = (2, 4, 9)  # (N, C, L)
CASES = [
    # conv2d: input, weight (C_out, C_in/groups, kH, kW), bias
    Case("conv2d", _f("conv2d"), (X, (3, 4, 3, 3), (3,))),
    Case("conv2d-stride", _f("conv2d", stride=2), (X, (3, 4, 3, 2), (3,))),
    Case("conv2d-stride-tuple", _f("conv2d", stride=(2, 3)), (X, (3, 4, 2, 2), (3,))),
    Case("conv2d-padding", _f("conv2d", padding=1), (X, (3, 4, 3, 3), (3,))),
    Case("conv2d-padding-tuple", _f("conv2d", padding=(2, 1)), (X, (3, 4, 3, 2), (3,))),
    Case("conv2d-same-odd", _f("conv2d", padding="same"), (X, (3, 4, 3, 5), (3,))),
    Case("conv2d-same-even", _f("conv2d", padding="same"), (X, (3, 4, 2, 4), (3,))),
    Case("conv2d-same-even-dilation", _f("conv2d", padding="same", dilation=(3, 2)),
         (X, (3, 4, 2, 2), (3,))),
    Case("conv2d-valid", _f("conv2d", padding="valid"), (X, (3, 4, 3, 3), (3,))),
    Case("conv2d-dilation", _f("conv2d", dilation=(2, 3), padding=1), (X, (3, 4, 2, 2), (3,))),
    Case("conv2d-groups", _f("conv2d", groups=2, padding=1), (X, (6, 2, 3, 3), (6,))),
    Case("conv2d-depthwise", _f("conv2d", groups=4, padding=1), (X, (8, 1, 3, 3), (8,))),
    Case("conv2d-nobias", _f("conv2d", stride=2, padding=1), (X, (3, 4, 3, 3))),
    Case("conv2d-1x1", _f("conv2d"), (X, (5, 4, 1, 1), (5,))),
    Case("conv2d-unbatched", _f("conv2d", padding=1), (X[1:], (3, 4, 3, 3), (3,))),
    Case("conv2d-all-options", _f("conv2d", stride=(2, 1), padding=(1, 2), dilation=(1, 2),
                                  groups=2), (X, (4, 2, 3, 2), (4,))),
    Case("conv2d-input-grad-only", _f("conv2d", padding=1), (X, (3, 4, 3, 3)), grad=(0,)),
    Case("conv2d-weight-grad-only", _f("conv2d", padding=1), (X, (3, 4, 3, 3)), grad=(1,)),
    # conv1d
    Case("conv1d", _f("conv1d"), (X1, (3, 4, 3), (3,))),
    Case("conv1d-stride-padding", _f("conv1d", stride=2, padding=2), (X1, (3, 4, 3), (3,))),
    Case("conv1d-same-even-dilation", _f("conv1d", padding="same", dilation=3),
         (X1, (3, 4, 4), (3,))),
    Case("conv1d-depthwise", _f("conv1d", groups=4), (X1, (8, 1, 3), (8,))),
    Case("conv1d-nobias-unbatched", _f("conv1d", dilation=2), (X1[1:], (3, 4, 3))),
    # conv_transpose2d: weight (C_in, C_out/groups, kH, kW)
    Case("conv_transpose2d", _f("conv_transpose2d"), (X, (4, 3, 3, 3), (3,))),
    Case("conv_transpose2d-stride-padding", _f("conv_transpose2d", stride=2, padding=1),
         (X, (4, 3, 3, 3), (3,))),
    Case("conv_transpose2d-output-padding", _f("conv_transpose2d", stride=(2, 3), padding=1,
                                               output_padding=(1, 2)), (X, (4, 2, 3, 3), (2,))),
    Case("conv_transpose2d-dilation", _f("conv_transpose2d", dilation=(2, 3), stride=2,
                                         output_padding=(1, 2)), (X, (4, 2, 2, 2), (2,))),
    Case("conv_transpose2d-groups", _f("conv_transpose2d", groups=2, stride=2),
         (X, (4, 3, 2, 3), (6,))),
    Case("conv_transpose2d-depthwise", _f("conv_transpose2d", groups=4, padding=1),
         (X, (4, 2, 3, 3), (8,))),
    Case("conv_transpose2d-nobias-unbatched", _f("conv_transpose2d", stride=2),
         (X[1:], (4, 3, 3, 2))),
    Case("conv_transpose1d", _f("conv_transpose1d", stride=3, padding=1, output_padding=2,
                                groups=2), (X1, (4, 2, 3), (4,))),
    # max pooling (distinct values: ties are where correct implementations may differ)
    Case("max_pool2d", _f("max_pool2d", kernel_size=2), (distinct(*X),)),
    Case("max_pool2d-k3-s2-pad1", _f("max_pool2d", kernel_size=3, stride=2, padding=1),
         (distinct(*X),)),
    Case("max_pool2d-rect", _f("max_pool2d", kernel_size=(3, 2), stride=(1, 2)),
         (distinct(*X),)),
    Case("max_pool2d-overlap", _f("max_pool2d", kernel_size=3, stride=1, padding=1),
         (distinct(*X),)),
    Case("max_pool2d-dilation", _f("max_pool2d", kernel_size=2, stride=1, dilation=(2, 3)),
         (distinct(*X),)),
    Case("max_pool2d-ceil", _f("max_pool2d", kernel_size=3, stride=2, ceil_mode=True),
         (distinct(*X),)),
    Case("max_pool2d-ceil-pad", _f("max_pool2d", kernel_size=(2, 3), stride=2, padding=1,
                                   ceil_mode=True), (distinct(*X),)),
    Case("max_pool2d-return-indices", _f("max_pool2d", kernel_size=3, stride=2, padding=1,
                                         dilation=(1, 2), ceil_mode=True, return_indices=True),
         (distinct(*X),)),
    Case("max_pool2d-unbatched", _f("max_pool2d", kernel_size=2, return_indices=True),
         (distinct(*X[1:]),)),
    Case("max_pool1d", _f("max_pool1d", kernel_size=2), (distinct(*X1),)),
    Case("max_pool1d-return-indices", _f("max_pool1d", kernel_size=3, stride=2, padding=1,
                                         ceil_mode=True, return_indices=True), (distinct(*X1),)),
    Case("max_pool1d-dilation", _f("max_pool1d", kernel_size=2, stride=1, dilation=3,
                                   return_indices=True), (distinct(*X1),)),
    # average pooling
    Case("avg_pool2d", _f("avg_pool2d", kernel_size=2), (X,)),
    Case("avg_pool2d-rect-stride", _f("avg_pool2d", kernel_size=(3, 2), stride=(2, 1)), (X,)),
    Case("avg_pool2d-pad", _f("avg_pool2d", kernel_size=3, stride=2, padding=1), (X,)),
    Case("avg_pool2d-pad-exclude", _f("avg_pool2d", kernel_size=3, stride=2, padding=1,
                                      count_include_pad=False), (X,)),
    Case("avg_pool2d-ceil", _f("avg_pool2d", kernel_size=(3, 2), stride=2, padding=1,
                               ceil_mode=True), (X,)),
    Case("avg_pool2d-ceil-exclude", _f("avg_pool2d", kernel_size=(3, 2), stride=2, padding=1,
                                       ceil_mode=True, count_include_pad=False), (X,)),
    Case("avg_pool2d-divisor-override", _f("avg_pool2d", kernel_size=(2, 3), stride=1,
                                           padding=1, divisor_override=5), (X,)),
    Case("avg_pool2d-unbatched", _f("avg_pool2d", kernel_size=2), (X[1:],)),
    Case("avg_pool1d", _f("avg_pool1d", kernel_size=3, stride=2, padding=1, ceil_mode=True,
                          count_include_pad=False), (X1,)),
    # adaptive average pooling: window i covers [floor(i*H/OH), ceil((i+1)*H/OH))
    Case("adaptive_avg_pool2d-1", _f("adaptive_avg_pool2d", output_size=1), (X,)),
    Case("adaptive_avg_pool2d-divisible", _f("adaptive_avg_pool2d", output_size=(7, 3)), (X,)),
    Case("adaptive_avg_pool2d-non-divisible", _f("adaptive_avg_pool2d", output_size=(5, 4)),
         (X,)),
    Case("adaptive_avg_pool2d-none", _f("adaptive_avg_pool2d", output_size=(None, 4)), (X,)),
    Case("adaptive_avg_pool2d-larger", _f("adaptive_avg_pool2d", output_size=(9, 8)), (X,)),
    Case("adaptive_avg_pool2d-unbatched", _f("adaptive_avg_pool2d", output_size=3), (X[1:],)),
    Case("adaptive_avg_pool1d", _f("adaptive_avg_pool1d", output_size=4), (X1,)),
    # pad, unfold, fold
    Case("pad-constant", _f("pad", pad=(1, 2, 0, 3), value=1.5), (X,)),
    Case("pad-constant-negative", _f("pad", pad=(-1, 2, 1, -2)), (X,)),
    Case("pad-reflect", _f("pad", pad=(2, 1, 1, 3), mode="reflect"), (X,)),
    Case("pad-replicate", _f("pad", pad=(2, 1, 1, 3), mode="replicate"), (X,)),
    Case("pad-circular", _f("pad", pad=(2, 1, 1, 3), mode="circular"), (X,)),
    Case("pad-reflect-1d", _f("pad", pad=(3, 2), mode="reflect"), (X1,)),
    Case("pad-replicate-3d", _f("pad", pad=(1, 2, 0, 1, 2, 0), mode="replicate"),
         ((2, 3, 4, 5, 3),)),
    Case("unfold", _f("unfold", kernel_size=(2, 3)), (X,)),
    Case("unfold-options", _f("unfold", kernel_size=(2, 3), dilation=(2, 1), padding=1,
                              stride=(1, 2)), (X,)),
    Case("fold", _f("fold", output_size=(4, 5), kernel_size=2), ((2, 12, 12),)),
    Case("fold-options", _f("fold", output_size=(7, 6), kernel_size=(2, 3), dilation=(2, 1),
                            padding=1, stride=(1, 2)), ((2, 24, 21),)),
]


@pytest.mark.parametrize(("case", "dtype"), [pytest.param(c, d, id=f"{c.name}-{d}")
                                             for c in CASES for d in c.dtypes])
def test_function_matches_torch(case, dtype) -> None:
    result = run_case(case, dtype, raise_errors=True)
    assert result.passed, f"{case.name} [{dtype}]:\n  " + "\n  ".join(result.failures)


def _cnn(lib):
    nn = NN(lib)
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 8, 3, padding="same", groups=2), nn.ReLU(),
                         nn.AvgPool2d(2, ceil_mode=True), nn.AdaptiveAvgPool2d((2, 1)),
                         nn.Flatten(), nn.Linear(16, 3))


# (id, constructor, input shape)
MODULES = [
    ("Conv2d", lambda lib: NN(lib).Conv2d(4, 6, 3), X),
    ("Conv2d-options", lambda lib: NN(lib).Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 2),
                                                  dilation=(1, 2), groups=2), X),
    ("Conv2d-same-even-nobias", lambda lib: NN(lib).Conv2d(4, 3, (2, 4), padding="same",
                                                           dilation=2, bias=False), X),
    ("Conv2d-depthwise", lambda lib: NN(lib).Conv2d(4, 8, 3, padding=1, groups=4), X),
    ("Conv2d-reflect", lambda lib: NN(lib).Conv2d(4, 3, 3, padding=(1, 2),
                                                  padding_mode="reflect"), X),
    ("Conv2d-replicate", lambda lib: NN(lib).Conv2d(4, 3, 3, padding=1,
                                                    padding_mode="replicate"), X),
    ("Conv2d-circular-same", lambda lib: NN(lib).Conv2d(4, 3, 4, padding="same",
                                                        padding_mode="circular"), X),
    ("Conv1d", lambda lib: NN(lib).Conv1d(4, 6, 3, stride=2, padding=1, groups=2), X1),
    ("Conv1d-same-reflect", lambda lib: NN(lib).Conv1d(4, 2, 4, padding="same",
                                                       padding_mode="reflect"), X1),
    ("ConvTranspose2d", lambda lib: NN(lib).ConvTranspose2d(4, 6, 3, stride=2, padding=1,
                                                            output_padding=1, groups=2), X),
    ("ConvTranspose2d-dilation-nobias", lambda lib: NN(lib).ConvTranspose2d(
        4, 3, (2, 3), dilation=(2, 1), bias=False), X),
    ("ConvTranspose1d", lambda lib: NN(lib).ConvTranspose1d(4, 3, 3, stride=2), X1),
    ("MaxPool2d", lambda lib: NN(lib).MaxPool2d(3, 2, 1, ceil_mode=True), X),
    ("MaxPool1d", lambda lib: NN(lib).MaxPool1d(2, dilation=2), X1),
    ("AvgPool2d", lambda lib: NN(lib).AvgPool2d(3, 2, 1, count_include_pad=False), X),
    ("AvgPool2d-divisor", lambda lib: NN(lib).AvgPool2d(2, 1, divisor_override=3), X),
    ("AvgPool1d", lambda lib: NN(lib).AvgPool1d(3, 2, 1, ceil_mode=True), X1),
    ("AdaptiveAvgPool2d", lambda lib: NN(lib).AdaptiveAvgPool2d((3, None)), X),
    ("AdaptiveAvgPool1d", lambda lib: NN(lib).AdaptiveAvgPool1d(4), X1),
    ("cnn", _cnn, (2, 3, 8, 8)),
]
WORST: dict = {}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("make", "shape"), [pytest.param(m, s, id=i) for i, m, s in MODULES])
def test_module_matches_torch(make, shape, dtype, request) -> None:
    WORST[(request.node.callspec.id, dtype)] = check_module(make, shape, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_conv_transpose2d_output_size_matches_torch(dtype) -> None:
    x = np.random.default_rng(0).standard_normal((1, 4, 5, 5)).astype(dtype)
    outs = []
    for lib, make in ((minigrad, minigrad.tensor), (torch, torch.from_numpy)):
        lib.manual_seed(0)
        layer = NN(lib).ConvTranspose2d(4, 2, 3, stride=3, padding=1).to(getattr(lib, dtype))
        outs.append(layer(make(x.copy()), output_size=[15, 14]).detach().numpy())
    assert outs[0].shape == outs[1].shape == (1, 2, 15, 14)
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-5 if dtype == "float32" else 1e-12)


INITS = [
    lambda lib: NN(lib).Conv2d(3, 16, 3),
    lambda lib: NN(lib).Conv2d(4, 8, (3, 2), groups=2, bias=False),
    lambda lib: NN(lib).Conv1d(5, 7, 4, dtype=lib.float64),
    lambda lib: NN(lib).ConvTranspose2d(4, 6, 3, groups=2),
    lambda lib: NN(lib).ConvTranspose1d(3, 5, 2),
    _cnn,
]


@pytest.mark.parametrize("make", INITS, ids=["Conv2d", "Conv2d-groups-nobias", "Conv1d-float64",
                                             "ConvTranspose2d", "ConvTranspose1d", "cnn"])
def test_default_initialisation_matches_torch_after_seed(make) -> None:
    _same_after_seed(lambda: make(minigrad), lambda: make(torch))


@pytest.mark.parametrize("make", [m for _, m, _ in MODULES] + [
    lambda lib: NN(lib).Conv2d(3, 4, 3, padding="valid"),
    lambda lib: NN(lib).MaxPool2d((2, 3), 1, 1, 2, True, True),
    lambda lib: NN(lib).AvgPool2d((2, 3), 1, 1, True, False, 3),
    lambda lib: NN(lib).AdaptiveAvgPool2d(1),
], ids=[i for i, _, _ in MODULES] + ["valid", "MaxPool2d-all", "AvgPool2d-all", "Adaptive-1"])
def test_repr_and_state_dict_keys_match_torch(make) -> None:
    ours, theirs = make(minigrad), make(torch)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())


def report() -> None:
    """Every function case and module, worst relative error (output, gradients) per dtype."""
    print(f"{'case':<40}{'dtype':<9}{'fwd rel':>10}{'grad rel':>10}")
    for case in CASES:
        for dtype in case.dtypes:
            r = run_case(case, dtype)
            status = "" if r.passed else "  FAIL " + r.failures[0]
            print(f"{case.name:<40}{dtype:<9}{r.fwd_rel:10.2e}{r.grad_rel:10.2e}{status}")
    for name, make, shape in MODULES:
        for dtype in DTYPES:
            print(f"{'module ' + name:<40}{dtype:<9}{check_module(make, shape, dtype):20.2e}")


if __name__ == "__main__":
    report()
