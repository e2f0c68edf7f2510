"""PyTorch-compatible CPU random numbers in pure NumPy: mt19937 plus ATen's exact transforms.

``manual_seed(s)`` followed by rand/randn/randint/randperm draws reproduces torch bit for bit.
"""
from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any, Union

import numpy as np

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed",
           "get_rng_state", "set_rng_state"]

ShapeLike = Union[int, Sequence[int]]
DEFAULT_SEED = 67280421310721  # at::default_rng_seed_val
_N = 624  # mt19937 state words
_F32, _F64, _U64 = np.float32, np.float64, np.uint64
_RANDPERM_SMALL = (2**32 - 1) // 20  # torch: n below this uses the 32-bit swap shuffle
_TWO_PI = 2.0 * math.pi
_CHUNK = 1 << 17  # Box-Muller slab size (multiple of 16)
# Byte layout of torch.get_rng_state() (CPUGeneratorImplState on x86-64/aarch64: 5056 bytes).
_STATE = np.dtype({
    "names": ["seed", "left", "seeded", "next", "state", "normal_x", "normal_y", "normal_rho",
              "normal_is_valid", "float_sample", "float_valid"],
    "formats": ["<u8", "<i4", "<i4", "<u8", ("<u8", (_N,)), "<f8", "<f8", "<f8", "<i4",
                "<f4", "u1"],
    "offsets": [0, 8, 12, 16, 24, 5016, 5024, 5032, 5040, 5048, 5052],
    "itemsize": 5056})


def _shape(shape: ShapeLike) -> tuple:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)


def _float_dtype(dtype: Any) -> np.dtype:
    dt = np.dtype(dtype)
    if dt not in (np.dtype(_F32), np.dtype(_F64)):
        raise TypeError(f"only float32 and float64 are supported, got {dt}")
    return dt


def _init_genrand(seed32: int) -> np.ndarray:
    """mt19937 init_genrand, as at::mt19937_engine::init_with_uint32."""
    key = [seed32 & 0xFFFFFFFF]
    for i in range(1, _N):
        prev = key[-1]
        key.append((1812433253 * (prev ^ (prev >> 30)) + i) & 0xFFFFFFFF)
    return np.array(key, dtype=np.uint32)


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple:
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _round_odd_add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a + b in float64 with round-to-odd (exact-rounding helper for emulated FMA)."""
    s, err = _two_sum(a, b)
    fix = (err != 0) & ((s.view(np.int64) & 1) == 0)
    return np.where(fix, np.nextafter(s, np.copysign(np.inf, err)), s)


def _fma32(a: Any, b: Any, c: Any) -> np.ndarray:
    """Correctly rounded float32 fma(a, b, c): the float32 product is exact in float64.

    RN32(RN64(x)) only differs from RN32(x) when RN64(x) is a float32 tie or lies in float32's
    subnormal range; those (rare) elements are recomputed with round-to-odd.
    """
    s = np.multiply(a, b, dtype=_F64)
    s += c
    out = s.astype(_F32)
    bits = s.view(np.uint64)
    bad = (bits & _U64(0x1FFFFFFF)) == _U64(0x10000000)
    bad |= (bits & _U64(0x7FF0000000000000)) < _U64(897 << 52)
    if bad.any():
        idx = np.nonzero(bad)
        pa, pb, pc = (np.broadcast_to(v, s.shape)[idx].astype(_F64) for v in (a, b, c))
        out[idx] = _round_odd_add(pa * pb, pc).astype(_F32)
    return out


def _fmaf(a: Any, b: Any, c: Any) -> np.ndarray:
    """fma via float64 with one final rounding: exact for every call in _log_avx2/_sincos_avx2
    over all 2**24 possible uniform inputs (checked exhaustively in tests/test_random.py)."""
    s = np.multiply(a, b, dtype=_F64)
    s += c
    return s.astype(_F32)


def _fma64(a: np.ndarray, b: float, c: float) -> np.ndarray:
    """Correctly rounded float64 fma(a, b, c) (Boldo-Melquiond, via round-to-odd)."""
    if b == 1.0 or c == 0.0:  # fma is then a single rounded op
        return a * b + c
    split = 134217729.0  # 2**27 + 1, Veltkamp splitting
    p = a * b
    ta, tb = a * split, b * split
    ah = ta - (ta - a)
    bh = tb - (tb - b)
    al, bl = a - ah, b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    th, tl = _two_sum(np.full_like(p, c), p)
    return th + _round_odd_add(tl, e)


# ---- ATen's AVX2 float32 Box-Muller (avx_mathfun.h, as compiled by GCC with FMA contraction) ----
# x86-64 torch runs this kernel on AVX2 and AVX512 CPUs alike (normal_stub has no AVX512 build);
# aarch64/no-AVX2 builds use scalar libm logf/cosf/sinf instead, which is not reproduced here.
_LOG_P = [7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1,
          1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1,
          3.3333331174e-1]


def _log_avx2(x: np.ndarray) -> np.ndarray:
    """log256_ps for x > 0 (Cephes logf polynomial)."""
    bits = np.maximum(x, _F32(1.17549435e-38)).view(np.int32)
    e = ((bits >> 23) - 127).astype(_F32) + _F32(1)
    m = ((bits & ~0x7F800000) | 0x3F000000).view(_F32)  # mantissa in [0.5, 1)
    small = m < _F32(0.707106781186547524)
    e -= small.astype(_F32)
    x = (m - _F32(1)) + np.where(small, m, _F32(0))
    z = x * x
    y = _fmaf(_F32(_LOG_P[0]), x, _F32(_LOG_P[1]))
    for p in _LOG_P[2:]:
        y = _fmaf(y, x, _F32(p))
    y = _fmaf(y * x, z, e * _F32(-2.12194440e-4))
    y = y - z * _F32(0.5)
    return _fmaf(e, _F32(0.693359375), x + y)


def _sincos_avx2(x: np.ndarray) -> tuple:
    """sincos256_ps for x >= 0 (Cephes sinf/cosf with 3-part pi/4 reduction)."""
    j = ((x * _F32(1.27323954473516)).astype(np.int32) + 1) & ~1
    y = j.astype(_F32)
    x = _fmaf(y, _F32(-0.78515625), x)
    x = _fmaf(y, _F32(-2.4187564849853515625e-4), x)
    x = _fmaf(y, _F32(-3.77489497744594108e-8), x)
    z = x * x
    yc = _fmaf(_F32(2.443315711809948e-5), z, _F32(-1.388731625493765e-3))
    yc = _fmaf(yc, z, _F32(4.166664568298827e-2))
    yc = _fmaf(yc * z, z, -(z * _F32(0.5))) + _F32(1)
    ys = _fmaf(_F32(-1.9515295891e-4), z, _F32(8.3321608736e-3))
    ys = _fmaf(ys, z, _F32(-1.6666654611e-1))
    ys = _fmaf(ys * z, x, x)
    poly = (j & 2) == 0
    sin = np.where(poly, ys, yc)
    cos = np.where(poly, yc, ys)
    np.negative(sin, out=sin, where=(j & 4) != 0)
    np.negative(cos, out=cos, where=((j - 2) & 4) == 0)
    return sin, cos


def _libm(fn: Any) -> Any:
    """fn (from `math`, i.e. the C library) applied elementwise, returning float64. PyTorch's
    float64 normal kernels call the C library's log/sin/cos, while NumPy dispatches its own
    SIMD versions on AVX-512 machines, which differ in the last bit for ~0.3% of inputs."""
    ufunc = np.frompyfunc(fn, 1, 1)
    return lambda x: ufunc(x).astype(_F64)


_log, _log1p, _cos, _sin = (_libm(f) for f in (math.log, math.log1p, math.cos, math.sin))


def _box_muller16(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """NormalFill16 on consecutive blocks of 16 uniforms: u1 = 1 - u[j], u2 = u[j + 8]."""
    blocks = u.reshape(-1, 2, 8)
    out = np.empty_like(blocks)
    if u.dtype == _F32:
        radius = np.sqrt(_F32(-2) * _log_avx2(_F32(1) - blocks[:, 0]))
        sin, cos = _sincos_avx2(_F32(_TWO_PI) * blocks[:, 1])
        m, s = _F32(mean), _F32(std)
        for k, trig in ((0, cos), (1, sin)):
            n = radius * trig
            out[:, k] = n * s + m if (s == 1 or m == 0) else _fma32(n, s, m)
    else:
        radius = np.sqrt(-2.0 * _log(1.0 - blocks[:, 0]))
        theta = _TWO_PI * blocks[:, 1]
        out[:, 0] = _fma64(radius * _cos(theta), float(std), float(mean))
        out[:, 1] = _fma64(radius * _sin(theta), float(std), float(mean))
    return out.reshape(-1)


class Generator:
    """mt19937 generator whose draws match torch's CPU generator (``torch.Generator``)."""

    def __init__(self, seed: int = DEFAULT_SEED) -> None:
        self._bg = np.random.MT19937()
        self.manual_seed(seed)

    # ------------------------------------------------------------------ state
    def manual_seed(self, seed: int) -> Generator:
        """Seed like ``torch.manual_seed`` (negative seeds wrap to uint64); returns self."""
        seed = int(seed)
        if not -(2**63) <= seed < 2**64:
            raise ValueError(f"seed must be in [-2**63, 2**64), got {seed}")
        self._seed = seed & (2**64 - 1)
        self._set_key(_init_genrand(self._seed), _N)
        self._fresh = True  # torch reports left=1, next=0 until the first draw
        self._normal_cache: float | None = None  # next_double_normal_sample_
        self._float_cache: float | None = None  # next_float_normal_sample_ (unused on CPU)
        return self

    def seed(self) -> int:
        """Reseed from OS entropy (53 bits, like torch) and return the new seed."""
        new = int.from_bytes(os.urandom(8), "little") & ((1 << 53) - 1)
        self.manual_seed(new)
        return new

    def initial_seed(self) -> int:
        """Seed last given to manual_seed/seed."""
        return self._seed

    def _set_key(self, key: np.ndarray, pos: int) -> None:
        self._bg.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}

    def get_state(self) -> np.ndarray:
        """Snapshot as a uint8 array with the same bytes as ``torch.get_rng_state()``."""
        st = self._bg.state["state"]
        rec = np.zeros((), dtype=_STATE)
        pos = int(st["pos"])
        rec["seed"], rec["seeded"], rec["state"] = self._seed, 1, st["key"]
        rec["left"], rec["next"] = (1, 0) if self._fresh else (_N + 1 - pos, pos)
        if self._normal_cache is not None:
            rec["normal_is_valid"], rec["normal_y"] = 1, self._normal_cache
        if self._float_cache is not None:
            rec["float_valid"], rec["float_sample"] = 1, self._float_cache
        return np.frombuffer(rec.tobytes(), dtype=np.uint8).copy()

    def set_state(self, state: Any) -> None:
        """Restore a snapshot from get_state (torch.get_rng_state() bytes are accepted too)."""
        raw = np.ascontiguousarray(np.asarray(state), dtype=np.uint8).reshape(-1)
        if raw.size != _STATE.itemsize:
            raise ValueError(f"expected {_STATE.itemsize} state bytes, got {raw.size}")
        rec = raw.view(_STATE)[0]
        left, nxt = int(rec["left"]), int(rec["next"])
        fresh = left == 1 and nxt == 0
        if not rec["seeded"] or not (fresh or (0 < left <= _N and left + nxt == _N + 1)):
            raise ValueError("invalid mt19937 state")
        self._set_key(rec["state"].astype(np.uint32), _N if left == 1 else nxt)
        self._seed, self._fresh = int(rec["seed"]), fresh
        self._normal_cache = float(rec["normal_y"]) if rec["normal_is_valid"] else None
        self._float_cache = float(rec["float_sample"]) if rec["float_valid"] else None

    # ------------------------------------------------------------ raw draws
    def _raw32(self, n: int) -> np.ndarray:
        """n consecutive engine outputs (uint32, as uint64 array)."""
        if n > 0:
            self._fresh = False
        return self._bg.random_raw(n)

    def _raw64(self, n: int) -> np.ndarray:
        """n random64() values: (first draw << 32) | second draw."""
        r = self._raw32(2 * n)
        return (r[0::2] << _U64(32)) | r[1::2]

    def _unit(self, n: int, dtype: np.dtype) -> np.ndarray:
        """uniform_real_distribution(0, 1): 24 bits of random() / 53 bits of random64()."""
        if dtype == _F32:
            return (self._raw32(n) & 0xFFFFFF).astype(_F32) * _F32(2.0**-24)
        r = self._raw32(2 * n)
        return (((r[0::2] & 0x1FFFFF) << _U64(32)) | r[1::2]).astype(_F64) * 2.0**-53

    # ------------------------------------------------------- distributions
    def uniform(self, shape: ShapeLike, low: float = 0.0, high: float = 1.0,
                dtype: Any = np.float32) -> np.ndarray:
        """Uniform [low, high): same values as ``torch.empty(shape).uniform_(low, high)``."""
        dt, shape = _float_dtype(dtype), _shape(shape)
        frm, to = dt.type(low), dt.type(high)
        if not frm <= to or not np.isfinite(to - frm):
            raise ValueError(f"uniform expects low <= high with finite range, got {low}, {high}")
        x = self._unit(math.prod(shape), dt)
        if dt == _F32:  # float opmath: GCC contracts x * (to - from) + from into an fma
            v = _fma32(x, to - frm, frm) if frm != 0 else x * (to - frm)
        else:
            v = _fma64(x, float(to - frm), float(frm))
        v[v == to] = frm  # torch's clamp when rounding hits the upper bound
        return v.reshape(shape)

    def normal(self, shape: ShapeLike, mean: float = 0.0, std: float = 1.0,
               dtype: Any = np.float32) -> np.ndarray:
        """Gaussian samples: same values as ``torch.empty(shape).normal_(mean, std)``."""
        dt, shape = _float_dtype(dtype), _shape(shape)
        if not std >= 0:
            raise ValueError(f"normal expects std >= 0.0, got {std}")
        n = math.prod(shape)
        if n < 16:  # torch's serial path: at::normal_distribution<double> with a cached sample
            return self._normal_serial(n, float(mean), float(std)).astype(dt).reshape(shape)
        out = self._unit(n, dt)  # fill with uniforms, then Box-Muller in blocks of 16
        full = n - n % 16
        for i in range(0, full, _CHUNK):  # cache-sized slabs, each a whole number of blocks
            stop = min(i + _CHUNK, full)
            out[i:stop] = _box_muller16(out[i:stop], mean, std)
        if n % 16:  # torch redraws 16 uniforms for the last 16 outputs
            out[n - 16:] = _box_muller16(self._unit(16, dt), mean, std)
        return out.reshape(shape)

    def _normal_serial(self, n: int, mean: float, std: float) -> np.ndarray:
        head = []
        if n and self._normal_cache is not None:
            head, self._normal_cache = [self._normal_cache], None
        need = n - len(head)
        pairs = (need + 1) // 2
        u = self._unit(2 * pairs, np.dtype(_F64)).reshape(pairs, 2)
        r = np.sqrt(-2.0 * _log1p(-u[:, 1]))
        theta = _TWO_PI * u[:, 0]
        seq = np.stack([r * _cos(theta), r * _sin(theta)], axis=1).reshape(-1)
        if need % 2:
            self._normal_cache = float(seq[-1])
        vals = np.concatenate([np.array(head, dtype=_F64), seq[:need]])
        return _fma64(vals, std, mean)  # val * std + mean, FMA-contracted in the AVX2 build

    def randint(self, low: int, high: int, shape: ShapeLike, dtype: Any = np.int64) -> np.ndarray:
        """Integers in [low, high): same values as ``torch.randint(low, high, shape)``."""
        shape, low, high = _shape(shape), int(low), int(high)
        if low >= high:
            raise ValueError(f"randint expects low < high, got {low}, {high}")
        rng, n = high - low, math.prod(shape)
        if rng >= 2**64:
            raise ValueError("randint range must be below 2**64")
        raw = self._raw64(n) if rng >= 2**28 else self._raw32(n)  # torch's 2**28 threshold
        v = (raw % _U64(rng) + _U64(low % 2**64)).view(np.int64)  # uint64 wrap-around
        return v.astype(np.dtype(dtype)).reshape(shape)

    def randperm(self, n: int, dtype: Any = np.int64) -> np.ndarray:
        """Random permutation of range(n): same as ``torch.randperm(n)``."""
        n = int(n)
        if n < 0:
            raise ValueError(f"randperm expects n >= 0, got {n}")
        perm = list(range(n))
        if n < _RANDPERM_SMALL:  # swap i with i + random() % (n - i): sequential, stays a loop
            z = self._raw32(max(n - 1, 0)) % np.arange(n, 1, -1, dtype=_U64)
            for i, j in enumerate((z + np.arange(z.size, dtype=_U64)).tolist()):
                perm[i], perm[j] = perm[j], perm[i]
        else:  # inside-out Fisher-Yates with random64()
            for i, k in enumerate((self._raw64(n) % np.arange(1, n + 1, dtype=_U64)).tolist()):
                perm[i] = perm[k]
                perm[k] = i
        return np.array(perm, dtype=np.int64).astype(np.dtype(dtype))

    def bernoulli(self, shape: ShapeLike, p: float, dtype: Any = np.float32) -> np.ndarray:
        """0/1 mask with P(1) = p, drawn like torch's non-MKL kernel (random64 53-bit < p).

        Matches ``torch.empty(shape).bernoulli_(p)`` where torch does not use MKL (e.g. AMD
        CPUs); Intel+MKL builds instead take one 32-bit seed and use an MKL stream.
        """
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"bernoulli expects 0 <= p <= 1, got {p}")
        shape = _shape(shape)
        u = self._unit(math.prod(shape), np.dtype(_F64))
        return (u < p).astype(np.dtype(dtype)).reshape(shape)


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the default generator (like ``torch.manual_seed``) and return it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Reseed the default generator non-deterministically; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """Initial seed of the default generator."""
    return default_generator.initial_seed()


def get_rng_state() -> np.ndarray:
    """State of the default generator as uint8 bytes (same layout as torch.get_rng_state)."""
    return default_generator.get_state()


def set_rng_state(state: Any) -> None:
    """Restore the default generator from get_rng_state() (or torch.get_rng_state()) bytes."""
    default_generator.set_state(state)
