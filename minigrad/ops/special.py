"""Special functions: erf and erfc in NumPy alone (NumPy has neither, and the core does not depend
on SciPy), and the ops built on them (Erf, Gelu).

`erf_array` / `erfc_array` follow fdlibm's `s_erf.c` (Sun Microsystems 1993, "permission to use,
copy, modify, and distribute this software is freely granted"; FreeBSD's and glibc's erf are the
same algorithm): the same ranges, the same rational approximations evaluated by Horner's rule in
the same order, and the same exp splitting, so float64 results agree with the C library's
`math.erf` to within 1 ulp (glibc regroups the polynomials, so about 1% of results differ by that
1 ulp; both are within 1 ulp of the true value). Each range is computed only on the elements that
fall in it (index arrays from comparisons), never with a Python loop over elements. fdlibm's erfc
is a few ulps off near |x| = 1.25 (true of every port of it).

  |x| < 0.84375           erf = x + x R(x^2),                      R = P/Q (pp/qq)
  0.84375 <= |x| < 1.25   erf = erx + P1(s)/Q1(s),  s = |x| - 1    (pa/qa; erx = erf(1) rounded
                                                                    to 24 bits)
  1.25 <= |x| < 1/0.35    erfc = exp(-x^2 - 0.5625 + R1/S1(1/x^2)) / x     (ra/sa)
  1/0.35 <= |x| < 6 (28)  erfc = exp(-x^2 - 0.5625 + R2/S2(1/x^2)) / x     (rb/sb)
  |x| >= 6                erf = sign(x)   (float32: from |x| >= 4; erfc: 0 or 2 from 28)

float32 (and float16) input is computed in float64 and rounded once at the end.
"""

from __future__ import annotations

import numpy as np

from minigrad.autograd.node import Op

# -- fdlibm s_erf.c coefficients (decimal forms of the hex words in the original) ----------------
_ERX = 8.45062911510467529297e-01  # erf(1) rounded to 24 bits: 0x3FEB0AC1 60000000
_EFX = 1.28379167095512586316e-01  # 2/sqrt(pi) - 1
_EFX8 = 1.02703333676410069053e00  # 8 * _EFX, for subnormal x (avoids spurious underflow)
# erf on [0, 0.84375]: x + x * PP(z)/QQ(z), z = x^2 (coefficients from degree 0 up)
_PP = (1.28379167095512558561e-01, -3.25042107247001499370e-01, -2.84817495755985104766e-02,
       -5.77027029648944159157e-03, -2.37630166566501626084e-05)
_QQ = (1.0, 3.97917223959155352819e-01, 6.50222499887672944485e-02, 5.08130628187576562776e-03,
       1.32494738004321644526e-04, -3.96022827877536812320e-06)
# erf on [0.84375, 1.25]: erx + PA(s)/QA(s), s = |x| - 1
_PA = (-2.36211856075265944077e-03, 4.14856118683748331666e-01, -3.72207876035701323847e-01,
       3.18346619901161753674e-01, -1.10894694282396677476e-01, 3.54783043256182359371e-02,
       -2.16637559486879084300e-03)
_QA = (1.0, 1.06420880400844228286e-01, 5.40397917702171048937e-01, 7.18286544141962662868e-02,
       1.26171219808761642112e-01, 1.36370839120290507362e-02, 1.19844998467991074170e-02)
# erfc on [1.25, 1/0.35]: RA(s)/SA(s), s = 1/x^2
_RA = (-9.86494403484714822705e-03, -6.93858572707181764372e-01, -1.05586262253232909814e01,
       -6.23753324503260060396e01, -1.62396669462573470355e02, -1.84605092906711035994e02,
       -8.12874355063065934246e01, -9.81432934416914548592e00)
_SA = (1.0, 1.96512716674392571292e01, 1.37657754143519042600e02, 4.34565877475229228821e02,
       6.45387271733267880336e02, 4.29008140027567833386e02, 1.08635005541779435134e02,
       6.57024977031928170135e00, -6.04244152148580987438e-02)
# erfc on [1/0.35, 28]: RB(s)/SB(s), s = 1/x^2
_RB = (-9.86494292470009928597e-03, -7.99283237680523006574e-01, -1.77579549177547519889e01,
       -1.60636384855821916062e02, -6.37566443368389627722e02, -1.02509513161107724954e03,
       -4.83519191608651397019e02)
_SB = (1.0, 3.03380607434824582924e01, 3.25792512996573918826e02, 1.53672958608443695994e03,
       3.19985821950859553908e03, 2.55305040643316442583e03, 4.74528541206955367215e02,
       -2.24409524465858183362e01)

# Range limits. fdlibm compares the high 32 bits of |x|; "high word < H" is "|x| < H << 32".
_TINY = 2.0**-28  # 0x3e300000: erf(x) = x + efx x below this
_SUBNORMALISH = 2.848094538889218e-306  # 0x00800000: the (8x + efx8 x)/8 form below this
_ERF_RA_RB = 2.8571434020996094  # 0x4006DB6E: ~1/0.35, erf switches from ra/sa to rb/sb
_ERFC_RA_RB = 2.8571414947509766  # 0x4006DB6D: the same switch in erfc (one word lower)

# GELU constants, as PyTorch spells them (M_SQRT1_2, M_2_SQRTPI, M_SQRT2 from <cmath>).
_SQRT1_2 = 0.70710678118654752440
_2_SQRTPI = 1.12837916709551257390
_PDF_SCALE = _2_SQRTPI * _SQRT1_2 * 0.5  # 1/sqrt(2 pi)
_TANH_BETA = 1.41421356237309504880 * _2_SQRTPI * 0.5  # sqrt(2/pi)
_TANH_KAPPA = 0.044715


def _horner(z: np.ndarray, coeffs: tuple) -> np.ndarray:
    """c0 + z*(c1 + z*(c2 + ...)): Horner's rule in fdlibm's order, in place on one buffer."""
    acc = z * coeffs[-1]
    for c in coeffs[-2:0:-1]:
        acc += c
        acc *= z
    acc += coeffs[0]
    return acc


def _erfc_tail(ax: np.ndarray, split: float) -> np.ndarray:
    """erfc(|x|) for |x| >= 1.25: exp(-x^2 - 0.5625 + R/S(1/x^2)) / |x|, with R/S from ra/sa
    below `split` and from rb/sb above it."""
    s = 1.0 / (ax * ax)
    ratio = np.empty_like(ax)
    for i, (r, q) in ((np.flatnonzero(ax < split), (_RA, _SA)),
                      (np.flatnonzero(ax >= split), (_RB, _SB))):
        if i.size:
            si = s.take(i)
            ratio[i] = _horner(si, r) / _horner(si, q)
    # -x^2 = -z^2 + (z - x)(z + x) with z = |x| cut to its top 21 bits, so z^2 is exact and the
    # large exponent keeps full accuracy (fdlibm's SET_LOW_WORD(z, 0))
    z = (ax.view(np.uint64) & np.uint64(0xFFFFFFFF00000000)).view(np.float64)
    r = np.exp(-z * z - 0.5625) * np.exp((z - ax) * (z + ax) + ratio)
    return r / ax


def _setup(x: np.ndarray) -> tuple:
    """(x as flat float64, |x|, an output buffer, the dtype and shape to return)."""
    x = np.asarray(x)
    out_dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    a = np.ascontiguousarray(x, dtype=np.float64).reshape(-1)
    return a, np.abs(a), np.empty_like(a), out_dtype, x.shape


def _where(mask: np.ndarray) -> np.ndarray:
    # index arrays: take/put by index is several times faster than boolean-mask indexing
    return np.flatnonzero(mask)


def erf_array(x: np.ndarray) -> np.ndarray:
    """erf(x) elementwise, same dtype out as a floating input (float64 for others); within 1 ulp
    of the C library's erf in float64, float32 rounded once from the float64 result."""
    a, ax, out, out_dtype, shape = _setup(x)

    i = _where(ax < _TINY)  # erf(x) = x + efx x (scaled by 8 where x is near the underflow)
    if i.size:
        v = a.take(i)
        out[i] = np.where(np.abs(v) < _SUBNORMALISH, (8.0 * v + _EFX8 * v) * 0.125, v + _EFX * v)

    i = _where((ax >= _TINY) & (ax < 0.84375))
    if i.size:
        v = a.take(i)
        z = v * v
        out[i] = v + v * (_horner(z, _PP) / _horner(z, _QQ))

    i = _where((ax >= 0.84375) & (ax < 1.25))
    if i.size:
        s = ax.take(i) - 1.0
        out[i] = np.copysign(_ERX + _horner(s, _PA) / _horner(s, _QA), a.take(i))

    # erf rounds to +-1 from |x| >= 6 in float64, and from |x| >= 4 in float32 (erfc(4) = 1.5e-8
    # is below half a float32 ulp of 1), so narrower dtypes skip the costly tail sooner
    one = 6.0 if out_dtype.itemsize >= 8 else 4.0
    i = _where((ax >= 1.25) & (ax < one))
    if i.size:
        out[i] = np.copysign(1.0 - _erfc_tail(ax.take(i), _ERF_RA_RB), a.take(i))

    i = _where(~(ax < one))  # erf = +-1, or nan
    if i.size:
        v = a.take(i)
        out[i] = np.where(np.isnan(v), v, np.copysign(1.0, v))
    return out.reshape(shape).astype(out_dtype, copy=False)


def erfc_array(x: np.ndarray) -> np.ndarray:
    """erfc(x) = 1 - erf(x) elementwise without the cancellation (fdlibm's erfc), dtype as
    erf_array."""
    a, ax, out, out_dtype, shape = _setup(x)

    i = _where(ax < 0.84375)
    if i.size:
        v = a.take(i)
        z = v * v
        y = _horner(z, _PP) / _horner(z, _QQ)
        # below 1/4 (negatives included) 1 - erf loses nothing; above, split off the 0.5
        out[i] = np.where(v < 0.25, 1.0 - (v + v * y), 0.5 - (v * y + (v - 0.5)))

    i = _where((ax >= 0.84375) & (ax < 1.25))
    if i.size:
        v = a.take(i)
        s = np.abs(v) - 1.0
        pq = _horner(s, _PA) / _horner(s, _QA)
        out[i] = np.where(v > 0, (1.0 - _ERX) - pq, 1.0 + (_ERX + pq))

    i = _where((ax >= 1.25) & (ax < 28.0) & (a > -6.0))
    if i.size:
        v = a.take(i)
        r = _erfc_tail(np.abs(v), _ERFC_RA_RB)
        out[i] = np.where(v > 0, r, 2.0 - r)

    i = _where(~(ax < 28.0) | (a <= -6.0))  # erfc = 0 (x >= 28) or 2 (x <= -6); nan stays nan
    if i.size:
        v = a.take(i)
        out[i] = np.where(np.isnan(v), v, np.where(v > 0, 0.0, 2.0))
    return out.reshape(shape).astype(out_dtype, copy=False)


class Erf(Op):
    """erf(x) = 2/sqrt(pi) int_0^x exp(-t^2) dt;  d/dx = 2/sqrt(pi) exp(-x^2)."""

    def forward(self, x):
        self.keep_inputs(0)
        return erf_array(x)

    def backward(self, grad):
        (x,) = self.saved_inputs
        # PyTorch's order: (2/sqrt(pi) * exp(-x^2)) * grad; Python floats keep float32 float32
        return ((-(x * x)).exp() * _2_SQRTPI * grad,)


class Gelu(Op):
    """gelu(x) = x Phi(x) = x/2 (1 + erf(x/sqrt2)); tanh form x/2 (1 + tanh(k (x + 0.044715 x^3)));
    d/dx = Phi(x) + x phi(x);  tanh form: (1 + t)/2 + x/2 (1 - t^2) k (1 + 3 0.044715 x^2)."""

    def forward(self, x, approximate="none"):
        if x.dtype.kind != "f":
            raise RuntimeError(f"gelu: expected a floating point tensor, got {x.dtype}")
        if approximate not in ("none", "tanh"):
            raise RuntimeError(
                f"gelu: approximate argument must be either none or tanh (got {approximate!r})"
            )
        self.keep_inputs(0)
        self.approximate = approximate
        # PyTorch's CPU kernel, operation for operation, in the input's dtype
        if approximate == "tanh":
            inner = (x + _TANH_KAPPA * (x * x * x)) * _TANH_BETA
            # tanh rounded once from float64: NumPy's float32 tanh is up to ~1 ulp off in a third
            # of cases, PyTorch's (Sleef) almost never, and 1 + tanh amplifies the difference
            return 0.5 * x * (1.0 + np.tanh(inner.astype(np.float64)).astype(x.dtype))
        return x * 0.5 * (1.0 + erf_array(x * _SQRT1_2))

    def backward(self, grad):
        (x,) = self.saved_inputs
        if self.approximate == "tanh":
            # PyTorch's GeluBackward (tanh), with 3 * kappa rounded in the dtype as its kernel does
            kappa3 = float(x.data.dtype.type(3.0) * x.data.dtype.type(_TANH_KAPPA))
            x_sq = x * x
            t = ((x + x_sq * x * _TANH_KAPPA) * _TANH_BETA).tanh()
            left_derivative = (t + 1.0) * 0.5
            inner_derivative = (x_sq * kappa3 + 1.0) * _TANH_BETA
            right_derivative = x * 0.5 * (1.0 - t * t) * inner_derivative
            return (grad * (left_derivative + right_derivative),)
        cdf = (Erf.apply(x * _SQRT1_2) + 1.0) * 0.5
        pdf = (x * x * -0.5).exp() * _PDF_SCALE
        return (grad * (cdf + x * pdf),)
