"""BatchNorm1d/2d/3d (minigrad/nn/modules/batchnorm.py): running statistics over several
steps against the hand formulas, eval vs train, gradchecks, state dicts and buffers,
reprs, bad inputs, and a small program that trains with norm layers."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.autograd import gradcheck, gradgradcheck
from minigrad.nn.functional.norm import group_norm
from minigrad.nn.modules.batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d
from tests.helpers import to_numpy as _np
from tests.nn.helpers import batch_stats, ref_batch_norm


def _t(a, requires_grad=False):
    return minigrad.tensor(np.array(a), requires_grad=requires_grad)


@pytest.mark.parametrize(("cls", "shape"), [(BatchNorm1d, (8, 3)), (BatchNorm1d, (4, 3, 5)),
                                            (BatchNorm2d, (4, 3, 2, 3)),
                                            (BatchNorm3d, (2, 3, 2, 2, 2))])
@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
def test_running_statistics_follow_the_hand_formulas(cls, shape, momentum, rng) -> None:
    bn = cls(3, momentum=momentum).double()
    rm, rv = np.zeros(3), np.ones(3)
    for step in range(1, 5):
        x = rng.standard_normal(shape) * step + step
        out = bn(_t(x))
        mean, var, unbiased = batch_stats(x)
        factor = 1.0 / step if momentum is None else momentum
        rm = (1 - factor) * rm + factor * mean
        rv = (1 - factor) * rv + factor * unbiased
        np.testing.assert_allclose(_np(out), ref_batch_norm(x, mean, var), rtol=1e-12,
                                   atol=1e-12)
        np.testing.assert_allclose(_np(bn.running_mean), rm, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(_np(bn.running_var), rv, rtol=1e-12)
        assert bn.num_batches_tracked.item() == step
        assert bn.num_batches_tracked.dtype == minigrad.int64
    bn.eval()
    x = rng.standard_normal(shape)
    np.testing.assert_allclose(_np(bn(_t(x))), ref_batch_norm(x, rm, rv), rtol=1e-12,
                               atol=1e-12)
    np.testing.assert_allclose(_np(bn.running_mean), rm, rtol=1e-12, atol=1e-14)  # unchanged
    assert bn.num_batches_tracked.item() == 4


def test_cumulative_average_equals_the_mean_of_batch_statistics(rng) -> None:
    bn = BatchNorm1d(2, momentum=None).double()
    xs = [rng.standard_normal((5, 2)) + i for i in range(6)]
    for x in xs:
        bn(_t(x))
    np.testing.assert_allclose(_np(bn.running_mean), np.mean([x.mean(0) for x in xs], axis=0),
                               rtol=1e-12)
    np.testing.assert_allclose(_np(bn.running_var),
                               np.mean([x.var(0, ddof=1) for x in xs], axis=0), rtol=1e-12)


def test_without_running_stats_eval_uses_batch_statistics(rng) -> None:
    bn = BatchNorm2d(3, track_running_stats=False).double()
    assert bn.running_mean is None and bn.num_batches_tracked is None
    assert list(bn.state_dict()) == ["weight", "bias"]
    x = rng.standard_normal((2, 3, 2, 2)) + 3
    mean, var, _ = batch_stats(x)
    for mode in (True, False):
        bn.train(mode)
        np.testing.assert_allclose(_np(bn(_t(x))), ref_batch_norm(x, mean, var), rtol=1e-12,
                                   atol=1e-12)


def test_batch_norm_module_gradcheck_in_train_and_eval(rng) -> None:
    bn = BatchNorm1d(3).double()
    with minigrad.no_grad():
        bn.weight.copy_(_t(rng.standard_normal(3)))
        bn.running_var.copy_(_t(rng.uniform(0.5, 2, 3)))
    x = _t(rng.standard_normal((4, 3, 2)), True)
    # in train mode each call updates the buffers, which the output does not depend on
    assert gradcheck(lambda x, w, b: bn(x), (x, bn.weight, bn.bias))
    bn.eval()
    assert gradcheck(lambda x, w, b: bn(x), (x, bn.weight, bn.bias))
    assert gradgradcheck(lambda x, w, b: bn(x) ** 2, (x, bn.weight, bn.bias))


def test_eval_backward_uses_the_statistics_of_its_forward(rng) -> None:
    bn = BatchNorm1d(2).double().eval()
    x = _t(rng.standard_normal((3, 2)), True)
    out = bn(x)
    with minigrad.no_grad():
        bn.running_var.fill_(100.0)  # changed after forward: backward must not see it
    out.backward(_t(np.ones((3, 2))))
    np.testing.assert_allclose(_np(x.grad), np.ones((3, 2)) / np.sqrt(1 + 1e-5), rtol=1e-12)


def test_batch_norm_state_dict_buffers_dtypes_and_repr() -> None:
    bn = BatchNorm2d(16)
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                     "num_batches_tracked"]
    assert [n for n, _ in bn.named_parameters()] == ["weight", "bias"]
    assert repr(bn) == ("BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, bias=True, "
                        "track_running_stats=True)")
    bn.double()
    assert bn.running_mean.dtype == minigrad.float64
    assert bn.num_batches_tracked.dtype == minigrad.int64
    plain = BatchNorm1d(4, affine=False, momentum=None)
    assert list(plain.state_dict()) == ["running_mean", "running_var", "num_batches_tracked"]
    assert repr(plain) == ("BatchNorm1d(4, eps=1e-05, momentum=None, affine=False, bias=False, "
                           "track_running_stats=True)")
    no_bias = BatchNorm1d(4, bias=False)
    assert no_bias.bias is None and list(no_bias.state_dict())[:1] == ["weight"]


def test_batch_norm_state_dict_round_trip_and_reset(rng) -> None:
    a, b = BatchNorm1d(3), BatchNorm1d(3)
    for _ in range(2):
        a(minigrad.tensor(rng.standard_normal((4, 3)).astype(np.float32)))
    b.load_state_dict(a.state_dict())
    for (k, va), vb in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        np.testing.assert_array_equal(_np(va), _np(vb), err_msg=k)
    b.reset_running_stats()
    assert b.num_batches_tracked.item() == 0 and np.all(_np(b.running_var) == 1)


def test_batch_of_one_value_per_channel_raises_in_training_only() -> None:
    bn = BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"Expected more than 1 value per channel when "
                                         r"training, got input size \[1, 3\]"):
        bn(minigrad.ones(1, 3))
    assert bn.num_batches_tracked.item() == 1  # as PyTorch: counted before the check
    bn.eval()
    assert bn(minigrad.ones(1, 3)).shape == (1, 3)
    with pytest.raises(ValueError, match="per channel"):
        BatchNorm2d(3)(minigrad.ones(1, 3, 1, 1))
    with pytest.raises(ValueError, match="per channel"):
        group_norm(minigrad.ones(1, 2), 2)


@pytest.mark.parametrize(("layer", "shape", "match"), [
    (BatchNorm1d(3), (2, 3, 4, 5), r"BatchNorm1d: expected 2D or 3D input \(got 4D input of "
                                   r"shape \(2, 3, 4, 5\)\)"),
    (BatchNorm2d(3), (2, 3, 4), r"BatchNorm2d: expected 4D input \(got 3D input"),
    (BatchNorm3d(3), (2, 3, 4, 4), r"BatchNorm3d: expected 5D input"),
])
def test_batch_norm_rank_errors_name_the_shape(layer, shape, match) -> None:
    with pytest.raises(ValueError, match=match):
        layer(minigrad.zeros(*shape))


def test_batch_norm_updates_buffers_in_place_and_bumps_versions(rng) -> None:
    bn = BatchNorm1d(2)
    buffers = (bn.running_mean, bn.running_var, bn.num_batches_tracked)
    versions = [b._version for b in buffers]
    bn(minigrad.tensor(rng.standard_normal((4, 2)).astype(np.float32)))
    assert all(a is b for a, b in zip(buffers, (bn.running_mean, bn.running_var,
                                                bn.num_batches_tracked), strict=True))
    assert all(b._version > v for b, v in zip(buffers, versions, strict=True))
    assert not bn.running_mean.requires_grad


def test_a_pytorch_style_program_trains_with_norm_layers(rng) -> None:
    nn = minigrad.nn
    minigrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.LayerNorm(16),
                          nn.Linear(16, 2))
    opt = minigrad.optim.SGD(model.parameters(), lr=0.1)
    x = minigrad.tensor(rng.standard_normal((64, 4)).astype(np.float32))
    y = minigrad.tensor((x.numpy()[:, 0] > 0).astype(np.int64))
    losses = []
    for _ in range(30):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    model.eval()
    assert model(x).shape == (64, 2) and model[1].num_batches_tracked.item() == 30
