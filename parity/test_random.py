"""Bit-for-bit parity of minigrad.random with torch's CPU generator (needs torch installed)."""
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from minigrad import random as mrandom  # noqa: E402
from minigrad.random import Generator  # noqa: E402

SEEDS = [0, 1, 42, 12345, 2**32 + 7, 2**63 + 5, 2**64 - 1, -1, -(2**63)]
F32, F64 = (np.float32, torch.float32), (np.float64, torch.float64)


def _is_intel_mkl() -> bool:
    """torch's bernoulli_(p) uses an MKL stream (not mt19937 per element) on Intel CPUs."""
    try:
        with open("/proc/cpuinfo") as f:
            intel = "GenuineIntel" in f.read()
    except OSError:
        return True  # unknown platform: be conservative
    return intel and torch.backends.mkl.is_available()


def same(ours: np.ndarray, theirs) -> None:
    """Exact equality: dtype, shape and every bit (np.array_equal)."""
    theirs = theirs.numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    assert ours.dtype == theirs.dtype, (ours.dtype, theirs.dtype)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    bad = np.flatnonzero(ours.reshape(-1) != theirs.reshape(-1))
    assert np.array_equal(ours, theirs), f"{bad.size} mismatches, first at {bad[:5]}"


def seeded(seed: int) -> Generator:
    torch.manual_seed(seed)
    return Generator(seed)


@pytest.mark.parametrize("seed", SEEDS)
def test_seed_state_bytes_and_initial_seed(seed):
    g = seeded(seed)
    assert g.initial_seed() == torch.initial_seed()
    same(g.get_state(), torch.get_rng_state())
    g.uniform((1000,))
    torch.rand(1000)
    same(g.get_state(), torch.get_rng_state())  # twisted key and position agree too


def test_default_seed_matches_torch_generator():
    tg = torch.Generator()
    assert Generator().initial_seed() == tg.initial_seed() == mrandom.DEFAULT_SEED
    same(Generator().uniform((10,)), torch.rand(10, generator=tg))


@pytest.mark.parametrize("seed", [0, 7, 2**40 + 1])
@pytest.mark.parametrize("shape", [(1,), (3,), (2, 3, 4), (1000,), (625,), (1249,)])
@pytest.mark.parametrize("dtypes", [F32, F64])
def test_rand(seed, shape, dtypes):
    g = seeded(seed)
    same(g.uniform(shape, dtype=dtypes[0]), torch.rand(shape, dtype=dtypes[1]))
    same(g.get_state(), torch.get_rng_state())


@pytest.mark.parametrize("bounds", [(-0.3, 0.7), (-0.0357, 0.0357), (2.0, 2.5), (-1e3, 1e-3),
                                    (0.0, 5.0), (-2.5, 1.1)])
@pytest.mark.parametrize("dtypes", [F32, F64])
def test_uniform_bounds(bounds, dtypes):
    g = seeded(3)
    theirs = torch.empty(20000, dtype=dtypes[1]).uniform_(*bounds)
    same(g.uniform((20000,), *bounds, dtype=dtypes[0]), theirs)


@pytest.mark.parametrize("n", [0, 1, 2, 5, 15, 16, 17, 31, 32, 33, 100, 1000, 100003])
@pytest.mark.parametrize("params", [(0.0, 1.0), (0.5, 2.0), (-3.0, 0.01), (0.0, 0.02)])
@pytest.mark.parametrize("dtypes", [F32, F64])
def test_normal(n, params, dtypes):
    g = seeded(11)
    for _ in range(2):  # the second round starts from a non-fresh state (and maybe a cache)
        same(g.normal((n,), *params, dtype=dtypes[0]),
             torch.empty(n, dtype=dtypes[1]).normal_(*params))
        same(g.get_state(), torch.get_rng_state())


@pytest.mark.parametrize("shape", [(3, 5), (4, 4), (2, 3, 7), (64, 784)])
def test_randn_shapes(shape):
    g = seeded(5)
    same(g.normal(shape), torch.randn(shape))
    same(g.normal(shape, dtype=np.float64), torch.randn(shape, dtype=torch.float64))


def test_normal_cache_carries_across_calls_and_dtypes():
    g = seeded(2024)
    for n, dtypes, params in [(5, F32, (0, 1)), (1, F64, (0, 1)), (3, F32, (1.5, 0.5)),
                              (1, F32, (0, 1)), (100, F32, (0, 1)), (7, F64, (-1, 3)),
                              (2, F32, (0, 1)), (1, F64, (0, 1))]:
        same(g.normal((n,), *params, dtype=dtypes[0]),
             torch.empty(n, dtype=dtypes[1]).normal_(*params))
        same(g.get_state(), torch.get_rng_state())  # includes the cached double sample
    torch.manual_seed(2024)
    g.manual_seed(2024)  # manual_seed clears the cache, like torch
    same(g.get_state(), torch.get_rng_state())


@pytest.mark.parametrize("low,high", [(0, 2), (0, 10), (-5, 300), (0, 2**28 - 1), (0, 2**28),
                                      (-2**40, 2**40), (-2**62, 2**62), (10**9, 10**9 + 7)])
def test_randint_int64(low, high):
    g = seeded(99)
    same(g.randint(low, high, (2000,)), torch.randint(low, high, (2000,)))
    same(g.get_state(), torch.get_rng_state())


@pytest.mark.parametrize("np_dt,t_dt,low,high", [
    (np.int32, torch.int32, -5, 300), (np.int16, torch.int16, -100, 100),
    (np.int8, torch.int8, -128, 128), (np.uint8, torch.uint8, 0, 256),
    (np.float32, torch.float32, 0, 1000), (np.float64, torch.float64, -7, 2**30),
    (np.bool_, torch.bool, 0, 2)])
def test_randint_dtypes(np_dt, t_dt, low, high):
    g = seeded(8)
    same(g.randint(low, high, (3, 50), dtype=np_dt), torch.randint(low, high, (3, 50), dtype=t_dt))


@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 1000, 60000])
def test_randperm(n):
    g = seeded(17)
    same(g.randperm(n), torch.randperm(n))
    same(g.randperm(n, dtype=np.int32), torch.randperm(n, dtype=torch.int32))
    same(g.get_state(), torch.get_rng_state())


@pytest.mark.skipif(_is_intel_mkl(), reason="torch bernoulli_ uses MKL on Intel CPUs")
@pytest.mark.parametrize("p", [0.0, 0.1, 0.5, 0.9, 1.0])
def test_bernoulli_and_dropout_non_mkl(p):
    g = seeded(4)
    same(g.bernoulli((300, 7), p), torch.empty(300, 7).bernoulli_(p))
    same(g.get_state(), torch.get_rng_state())
    if 0.0 < p < 1.0:  # F.dropout on CPU is input * bernoulli_(1 - p) / (1 - p)
        x = torch.ones(50, 40)
        theirs = torch.nn.functional.dropout(x, p, training=True)
        ours = g.bernoulli((50, 40), 1 - p) / np.float32(1 - p)
        same(ours, theirs)


@pytest.mark.parametrize("seed", [0, 123])
def test_mixed_sequence_stays_in_lockstep(seed):
    g = seeded(seed)
    same(g.uniform((3, 4)), torch.rand(3, 4))
    same(g.normal((5,)), torch.randn(5))
    same(g.normal((100,)), torch.randn(100))
    same(g.randint(0, 10, (7,)), torch.randint(0, 10, (7,)))
    same(g.randperm(20), torch.randperm(20))
    same(g.normal((9,), dtype=np.float64), torch.randn(9, dtype=torch.float64))
    same(g.normal((33,), dtype=np.float64), torch.randn(33, dtype=torch.float64))
    same(g.normal((1,)), torch.randn(1))
    same(g.uniform((17,), -2, 2, dtype=np.float64),
         torch.empty(17, dtype=torch.float64).uniform_(-2, 2))
    same(g.randint(-3, 2**31, (4,)), torch.randint(-3, 2**31, (4,)))
    same(g.normal((2, 2), 1.0, 0.5), torch.empty(2, 2).normal_(1.0, 0.5))
    same(g.get_state(), torch.get_rng_state())


def test_module_level_functions_follow_torch():
    gen = mrandom.manual_seed(31)
    torch.manual_seed(31)
    assert gen is mrandom.default_generator and mrandom.initial_seed() == torch.initial_seed()
    same(mrandom.default_generator.normal((40,)), torch.randn(40))
    same(mrandom.get_rng_state(), torch.get_rng_state())


def test_state_interchange_with_torch():
    torch.manual_seed(5)
    torch.randn(3)  # leaves a cached normal in torch's state
    g = Generator()
    g.set_state(torch.get_rng_state())
    same(g.normal((3,)), torch.randn(3))
    same(g.uniform((700,)), torch.rand(700))
    torch.set_rng_state(torch.from_numpy(g.get_state()))
    same(g.normal((4,)), torch.randn(4))
    same(g.get_state(), torch.get_rng_state())


def test_linear_init_matches_nn_linear():
    g = seeded(0)
    layer = torch.nn.Linear(784, 256)
    fan_in = 784
    # kaiming_uniform_(w, a=sqrt(5)): gain = sqrt(2 / (1 + a^2)), bound = sqrt(3) * gain / sqrt(fan)
    gain = math.sqrt(2.0 / (1 + math.sqrt(5) ** 2))
    w_bound = math.sqrt(3.0) * (gain / math.sqrt(fan_in))
    same(g.uniform((256, 784), -w_bound, w_bound), layer.weight.detach())
    b_bound = 1 / math.sqrt(fan_in)
    same(g.uniform((256,), -b_bound, b_bound), layer.bias.detach())
    # the simplified bound 1/sqrt(fan_in) rounds to the same float32 bounds here
    g2 = seeded(0)
    same(g2.uniform((256, 784), -b_bound, b_bound), torch.nn.Linear(784, 256).weight.detach())


def test_init_helpers():
    g = seeded(6)
    w = torch.empty(128, 64)
    torch.nn.init.normal_(w, 0.0, 0.02)
    same(g.normal((128, 64), 0.0, 0.02), w)
    torch.nn.init.xavier_uniform_(w)
    a = math.sqrt(3.0) * (1.0 * math.sqrt(2.0 / float(64 + 128)))
    same(g.uniform((128, 64), -a, a), w)
