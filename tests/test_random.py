"""Torch-free tests of minigrad.random: API, ranges, reproducibility, state, statistics."""

from fractions import Fraction

import numpy as np
import pytest

import minigrad
from minigrad import random as mrandom
from minigrad.random import Generator

# Reference values recorded from torch 2.13 (CPU, AVX2 kernels) after torch.manual_seed(0).
RAND3_BITS = [1056839000, 1061464623, 1035285416]  # torch.rand(3).view(int32)
RANDN3 = [1.5409960746765137, -0.293428897857666, -2.1787893772125244]  # torch.randn(3)
RANDN20_BITS = [3213892485, 3214114954, 3196079062, 3202229597]  # torch.randn(20)[:4]
RANDN16_F64 = [-2.310411800234176, -0.3732508612577643, -1.0608166785462863]
RANDINT_THEN_RANDPERM = ([4, 9, 3, 0, 3, 9, 7, 3], [7, 1, 0, 3, 4, 9, 8, 5, 6, 2])


def test_known_torch_values():
    g = Generator(0)
    assert g.uniform(3).view(np.uint32).tolist() == RAND3_BITS
    g.manual_seed(0)
    assert np.array_equal(g.normal(3), np.array(RANDN3, dtype=np.float32))
    g.manual_seed(0)
    assert g.normal(20)[:4].view(np.uint32).tolist() == RANDN20_BITS
    g.manual_seed(0)
    # float64 goes through the C library's log/sin/cos (via NumPy); allow 1 ulp elsewhere
    np.testing.assert_allclose(g.normal(16, dtype=np.float64)[:3], RANDN16_F64, rtol=3e-16)
    g.manual_seed(0)
    assert g.randint(0, 10, (8,)).tolist() == RANDINT_THEN_RANDPERM[0]
    assert g.randperm(10).tolist() == RANDINT_THEN_RANDPERM[1]


def test_raw_stream_is_standard_mt19937():
    g = Generator(12345)
    expected = np.random.RandomState(12345).randint(0, 2**32, size=2000, dtype=np.uint32)
    assert np.array_equal(g._raw32(2000).astype(np.uint32), expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_uniform_shape_dtype_range(dtype):
    g = Generator(1)
    x = g.uniform((3, 4, 5), dtype=dtype)
    assert x.shape == (3, 4, 5) and x.dtype == dtype
    assert x.min() >= 0 and x.max() < 1
    y = g.uniform(10000, -2.0, 3.0, dtype=dtype)
    assert y.shape == (10000,) and y.min() >= -2.0 and y.max() < 3.0
    assert g.uniform((0, 3), dtype=dtype).shape == (0, 3)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(), (1,), (5,), (15,), (16,), (17,), (4, 33)])
def test_normal_shape_dtype(dtype, shape):
    x = Generator(2).normal(shape, dtype=dtype)
    assert x.shape == shape and x.dtype == dtype and np.all(np.isfinite(x))


def test_randint_randperm_bernoulli_basics():
    g = Generator(3)
    r = g.randint(-5, 7, (50, 40))
    assert r.dtype == np.int64 and r.shape == (50, 40)
    assert r.min() == -5 and r.max() == 6
    big = g.randint(-2**62, 2**62, 1000)
    assert big.min() >= -2**62 and big.max() < 2**62
    assert g.randint(0, 100, (4,), dtype=np.int32).dtype == np.int32
    p = g.randperm(1000)
    assert p.dtype == np.int64 and np.array_equal(np.sort(p), np.arange(1000))
    assert g.randperm(0).shape == (0,) and g.randperm(1).tolist() == [0]
    assert g.randperm(7, dtype=np.int32).dtype == np.int32
    m = g.bernoulli((100, 10), 0.3)
    assert m.dtype == np.float32 and m.shape == (100, 10) and set(np.unique(m)) <= {0.0, 1.0}
    assert g.bernoulli(50, 0.0).sum() == 0 and g.bernoulli(50, 1.0).sum() == 50


def test_invalid_arguments():
    g = Generator()
    with pytest.raises(ValueError):
        g.uniform(3, 1.0, 0.0)
    with pytest.raises(ValueError):
        g.normal(3, 0.0, -1.0)
    with pytest.raises(ValueError):
        g.randint(5, 5, (2,))
    with pytest.raises(ValueError):
        g.randperm(-1)
    with pytest.raises(ValueError):
        g.bernoulli(3, 1.5)
    with pytest.raises(TypeError):
        g.normal(3, dtype=np.int32)
    with pytest.raises(ValueError):
        g.manual_seed(2**64)


def _draw_all(g: Generator) -> list:
    return [g.uniform((4, 3)), g.normal(5), g.normal(100), g.randint(0, 10, (6,)),
            g.randperm(20), g.normal(9, dtype=np.float64), g.bernoulli(8, 0.5), g.normal(3)]


def test_reproducible_after_manual_seed():
    a = _draw_all(mrandom.manual_seed(77))
    b = _draw_all(mrandom.manual_seed(77))
    c = _draw_all(Generator(77))
    for x, y, z in zip(a, b, c):
        assert np.array_equal(x, y) and np.array_equal(x, z)
    assert mrandom.initial_seed() == 77
    assert not np.array_equal(_draw_all(Generator(78))[0], a[0])


def test_manual_seed_makes_draws_repeatable():
    minigrad.manual_seed(3)
    a = minigrad.randn(5)
    minigrad.manual_seed(3)
    assert minigrad.equal(a, minigrad.randn(5))


def test_generators_are_independent():
    g = Generator(5)
    g.uniform(10)
    mrandom.manual_seed(5)
    mrandom.default_generator.normal(1000)  # draws on another generator do not move g
    ref = Generator(5)
    ref.uniform(10)
    assert np.array_equal(g.normal(50), ref.normal(50))


def test_get_set_state_round_trip_with_pending_normal():
    g = Generator(9)
    g.normal(5)  # odd count on the serial path leaves a cached sample in the state
    state = g.get_state()
    assert state.dtype == np.uint8 and state.shape == (5056,)
    first = _draw_all(g)
    h = Generator(1)
    h.set_state(state)
    for x, y in zip(first, _draw_all(h)):
        assert np.array_equal(x, y)
    g.set_state(state)  # state is a copy: restoring the same generator works too
    assert np.array_equal(g.uniform((4, 3)), first[0])
    assert h.initial_seed() == 9
    mrandom.set_rng_state(state)
    assert np.array_equal(mrandom.get_rng_state(), state)
    with pytest.raises(ValueError):
        g.set_state(state[:100])


def test_seed_is_nondeterministic_and_recorded():
    s1, s2 = mrandom.seed(), Generator().seed()
    assert 0 <= s1 < 2**53 and s1 != s2
    assert mrandom.initial_seed() == s1


def test_negative_seed_wraps_like_torch():
    assert Generator(-1).initial_seed() == 2**64 - 1
    assert np.array_equal(Generator(-1).normal(40), Generator(2**64 - 1).normal(40))
    assert np.array_equal(Generator(2**32 + 3).uniform(9), Generator(3).uniform(9))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_statistics(dtype):
    g = Generator(2718)
    n = np.asarray(g.normal(1_000_000, dtype=dtype), dtype=np.float64)
    assert abs(n.mean()) < 5e-3 and abs(n.std() - 1) < 5e-3
    assert abs(np.mean(np.abs(n) < 1) - 0.6827) < 3e-3
    s = np.asarray(g.normal(200_000, 3.0, 0.5, dtype=dtype), dtype=np.float64)
    assert abs(s.mean() - 3) < 1e-2 and abs(s.std() - 0.5) < 1e-2
    u = np.asarray(g.uniform(1_000_000, dtype=dtype), dtype=np.float64)
    assert abs(u.mean() - 0.5) < 3e-3 and abs(u.var() - 1 / 12) < 2e-3
    small = np.concatenate([g.normal(3, dtype=dtype) for _ in range(20000)]).astype(np.float64)
    assert abs(small.mean()) < 2e-2 and abs(small.std() - 1) < 2e-2
    counts = np.bincount(g.randint(0, 10, 100_000), minlength=10)
    assert counts.min() > 9500 and counts.max() < 10500
    assert abs(g.bernoulli(100_000, 0.3, dtype=dtype).mean() - 0.3) < 1e-2
    first = np.array([g.randperm(5)[0] for _ in range(5000)])
    assert np.bincount(first, minlength=5).min() > 850


def test_fma_emulation_against_exact_rationals():
    rng = np.random.default_rng(0)
    a = (rng.standard_normal(3000) * np.exp2(rng.integers(-30, 30, 3000))).astype(np.float32)
    b = (rng.standard_normal(3000) * np.exp2(rng.integers(-30, 30, 3000))).astype(np.float32)
    c = (rng.standard_normal(3000) * np.exp2(rng.integers(-60, 60, 3000))).astype(np.float32)
    # double-rounding trap: RN64 lands exactly on a float32 midpoint
    a = np.append(a, np.float32(2**-12 * (1 + 2**-23)))
    b = np.append(b, np.float32(2**-12 * (1 - 2**-23)))
    c = np.append(c, np.float32(1 + 2**-23))
    got = mrandom._fma32(a, b, c)
    for x, y, z, r in zip(a, b, c, got):
        exact = Fraction(float(x)) * Fraction(float(y)) + Fraction(float(z))
        lo, hi = np.nextafter(r, np.float32(-np.inf)), np.nextafter(r, np.float32(np.inf))
        err = abs(Fraction(float(r)) - exact)
        assert err <= abs(Fraction(float(lo)) - exact) and err <= abs(Fraction(float(hi)) - exact)
    assert got[-1] == np.float32(1 + 2**-23)
    a64 = rng.standard_normal(2000) * np.exp2(rng.integers(-30, 30, 2000))
    for bv, cv in [(0.3, 0.37), (-1.7e5, -2.0**-40), (3.0000000000000004, 1e10)]:
        got = mrandom._fma64(a64, bv, cv)
        ref = [float(Fraction(x) * Fraction(bv) + Fraction(cv)) for x in a64]
        assert np.array_equal(got, np.array(ref))


def test_box_muller_fast_fma_is_exact_for_every_float32_uniform(monkeypatch):
    """_log_avx2/_sincos_avx2 use a plain float64 fma; compare with the correctly rounded
    _fma32 (itself checked against exact rationals above) on all 2**24 possible inputs."""
    fast, exact = mrandom._fmaf, mrandom._fma32
    for start in range(0, 1 << 24, 1 << 21):
        k = np.arange(start, start + (1 << 21)).astype(np.float32) * np.float32(2.0**-24)
        u1, theta = np.float32(1) - k, np.float32(2 * np.pi) * k
        outs = []
        for fma in (fast, exact):
            monkeypatch.setattr(mrandom, "_fmaf", fma)
            outs.append((mrandom._log_avx2(u1),) + mrandom._sincos_avx2(theta))
        for x, y in zip(*outs):
            assert np.array_equal(x, y)
