"""Elementwise ops. Broadcasting happens in forward (NumPy); the engine sums each gradient back
to its input's shape, so the backward formulas below are plain calculus."""

from __future__ import annotations

import numpy as np

from minigrad import dtypes
from minigrad.autograd.node import Op, constant


class Add(Op):
    """a + b;  d/da = 1,  d/db = 1."""

    def forward(self, a, b):
        return a + b

    def backward(self, grad):
        return grad, grad


class AddScalar(Op):
    """x + c for a number c;  d/dx = 1."""

    def forward(self, x, c):
        return x + c

    def backward(self, grad):
        return (grad,)


class RSubScalar(Op):
    """c - x for a number c;  d/dx = -1."""

    def forward(self, x, c):
        return c - x

    def backward(self, grad):
        return (-grad,)


class MulScalar(Op):
    """x * c for a number c;  d/dx = c."""

    def forward(self, x, c):
        self.c = c
        return x * c

    def backward(self, grad):
        return (grad * self.c,)


class DivScalar(Op):
    """x / c for a number c;  d/dx = 1/c."""

    def forward(self, x, c):
        self.c = c
        return x / c

    def backward(self, grad):
        return (grad / self.c,)


class RDivScalar(Op):
    """c / x for a number c;  d/dx = -c/x^2 = -out/x."""

    def forward(self, x, c):
        self.keep_inputs(0)
        self.keep_output()
        return c / x

    def backward(self, grad):
        return (-grad * self.saved_output / self.saved_inputs[0],)


class Sub(Op):
    """a - b;  d/da = 1,  d/db = -1."""

    def forward(self, a, b):
        return a - b

    def backward(self, grad):
        return grad, (-grad if self.needs_input_grad[1] else None)


class Mul(Op):
    """a * b;  d/da = b,  d/db = a."""

    def forward(self, a, b):
        self.keep_inputs(0, 1)
        return a * b

    def backward(self, grad):
        a, b = self.saved_inputs
        da, db = self.needs_input_grad
        return (grad * b if da else None), (grad * a if db else None)


class Div(Op):
    """a / b;  d/da = 1/b,  d/db = -a/b^2."""

    def forward(self, a, b):
        self.keep_inputs(0, 1)
        if a.dtype.kind in "biu" and b.dtype.kind in "biu":
            return np.true_divide(a, b, dtype=np.float32)  # torch: int / int is float32
        return a / b

    def backward(self, grad):
        a, b = self.saved_inputs
        da, db = self.needs_input_grad
        return (grad / b if da else None), (-grad * a / (b * b) if db else None)


class Pow(Op):
    """a ** b (both tensors);  d/da = b a^(b-1),  d/db = a^b ln a (0 where a == 0 and b >= 0)."""

    def forward(self, a, b):
        self.keep_inputs(0, 1)
        self.keep_output()
        return int_pow(a, b)

    def backward(self, grad):
        a, b = self.saved_inputs
        da, db = self.needs_input_grad
        # b == 0: the gradient is 0, also at a == 0 (where the formula reads 0 * 0^-1)
        ga = (grad * (b * a ** (b - 1))).masked_fill(constant(b.data == 0), 0.0) if da else None
        gb = None
        if db:
            at_zero = constant((a.data == 0) & (b.data >= 0))
            safe_a = a.masked_fill(at_zero, 1.0)
            gb = (grad * self.saved_output * safe_a.log()).masked_fill(at_zero, 0.0)
        return ga, gb


def int_pow(a, b):
    """a ** b in NumPy, with PyTorch's integer a ** negative integer b (NumPy refuses it): 1 for
    a == 1, +-1 for a == -1, else 0."""
    if np.asarray(b).dtype.kind in "iu" and np.asarray(a).dtype.kind in "iu" and np.any(b < 0):
        out = np.power(a, np.where(b < 0, 0, b))
        odd = np.where(b % 2 == 0, 1, -1)
        return np.where(b < 0, np.where(a == 1, 1, np.where(a == -1, odd, 0)),
                        out).astype(out.dtype)
    return np.power(a, b)


class PowScalar(Op):
    """x ** p for a number p;  d/dx = p x^(p-1) (0 for p == 0)."""

    def forward(self, x, exponent):
        self.keep_inputs(0)
        self.exponent = exponent
        if x.dtype == np.float16:  # PyTorch's half kernel is C pow (NumPy's ** takes sqrt...)
            out = np.power(x, exponent)
        elif exponent == -0.5 and x.dtype.kind == "f":  # PyTorch's float kernels: rsqrt
            with np.errstate(divide="ignore", invalid="ignore"):
                out = 1.0 / np.sqrt(x)
        else:
            out = x**exponent
        return out if out.dtype == x.dtype else out.astype(x.dtype)  # bool ** True is bool

    def backward(self, grad):
        (x,) = self.saved_inputs
        p = self.exponent
        if p == 0:
            return (grad * 0.0,)
        return (grad * (x ** (p - 1) * p),)  # PyTorch's order (float16 overflows alike)


class RPowScalar(Op):
    """c ** x for a number c;  d/dx = c^x ln c (for c == 0: 0 where x >= 0, as PyTorch)."""

    def forward(self, x, base):
        self.keep_output()
        self.log_base = float(np.log(base)) if base > 0 else -np.inf if base == 0 else np.nan
        # 0 ** x: 0 * log(0) is read as 0 where x >= 0; below, inf * log(0) = -inf stands
        self.zero_grad = constant(x >= 0) if base == 0 else None
        if x.dtype.kind == "f":
            with np.errstate(divide="ignore", invalid="ignore"):  # 0 ** -1 is inf, as PyTorch
                return np.power(x.dtype.type(base), x)
        return int_pow(dtypes.number_array(base, x.dtype), x)  # -1 ** uint8 is 255 ** x

    def backward(self, grad):
        g = grad * self.saved_output * self.log_base
        return (g if self.zero_grad is None else g.masked_fill(self.zero_grad, 0.0),)


class Neg(Op):
    """-x;  d/dx = -1."""

    def forward(self, x):
        return -x

    def backward(self, grad):
        return (-grad,)


class Exp(Op):
    """e^x;  d/dx = e^x (the kept output)."""

    def forward(self, x):
        self.keep_output()
        return np.exp(x)

    def backward(self, grad):
        return (grad * self.saved_output,)


class Log(Op):
    """ln x;  d/dx = 1/x."""

    def forward(self, x):
        self.keep_inputs(0)
        return np.log(x)

    def backward(self, grad):
        return (grad / self.saved_inputs[0],)


class Log1p(Op):
    """ln(1 + x), accurate near 0;  d/dx = 1/(1 + x)."""

    def forward(self, x):
        self.keep_inputs(0)
        return np.log1p(x)

    def backward(self, grad):
        return (grad / (self.saved_inputs[0] + 1.0),)


class Sqrt(Op):
    """sqrt(x);  d/dx = 1 / (2 sqrt(x))."""

    def forward(self, x):
        self.keep_output()
        return np.sqrt(x)

    def backward(self, grad):
        return (grad / (self.saved_output * 2.0),)


class Abs(Op):
    """|x|;  d/dx = sign(x) (0 at 0, as PyTorch)."""

    def forward(self, x):
        self.keep_inputs(0)
        return np.abs(x)

    def backward(self, grad):
        return (grad * constant(sign_array(self.saved_inputs[0].data)),)


def sign_array(x):
    """np.sign with PyTorch's sign(NaN) = 0 (so |x|'s gradient at NaN is 0)."""
    out = np.sign(x)
    return np.where(out != out, out.dtype.type(0), out) if out.dtype.kind == "f" else out


class Sin(Op):
    """sin x;  d/dx = cos x."""

    def forward(self, x):
        self.keep_inputs(0)
        return np.sin(x)

    def backward(self, grad):
        return (grad * self.saved_inputs[0].cos(),)


class Cos(Op):
    """cos x;  d/dx = -sin x."""

    def forward(self, x):
        self.keep_inputs(0)
        return np.cos(x)

    def backward(self, grad):
        return (-grad * self.saved_inputs[0].sin(),)


class Clamp(Op):
    """min(max(x, lo), hi), the bounds numbers (options min, max) or tensors (the inputs after x,
    `which` naming them);  d/dx = 1 where lo <= x <= hi (a tie keeps it all, as PyTorch),
    d/dlo = 1 where x < lo < hi,  d/dhi = 1 where x > hi or hi < lo (hi wins a crossed pair)."""

    def forward(self, x, *bounds, min=None, max=None, which=""):  # noqa: A002 - PyTorch's names
        if which:
            self.keep_inputs(*range(1 + len(bounds)))
            min = bounds[0] if which.startswith("min") else None
            max = bounds[-1] if which.endswith("max") else None
        else:
            self.keep_inputs(0)
            if x.dtype.kind == "f":  # bounds take x's precision (a NumPy float64 would upcast)
                min, max = (None if v is None else x.dtype.type(v) for v in (min, max))
            self.bounds = (min, max)
        self.which = which
        out = x
        if min is not None:
            out = np.maximum(out, min)
        if max is not None:
            out = np.minimum(out, max)
        return out if out is not x else x.copy()

    def backward(self, grad):
        saved = [t.data for t in self.saved_inputs]
        x = saved[0]
        if self.which:
            lo = saved[1] if self.which.startswith("min") else None
            hi = saved[-1] if self.which.endswith("max") else None
        else:
            lo, hi = self.bounds
        inside = True
        if lo is not None:
            inside = inside & (x >= lo)
        if hi is not None:
            inside = inside & (x <= hi)
        dtype = grad.data.dtype
        grads = [grad * constant(np.asarray(inside, dtype=dtype))]
        if lo is not None and self.which:
            at_lo = (x < lo) & (lo < hi) if hi is not None else x < lo
            grads.append(grad * constant(at_lo.astype(dtype)))
        if hi is not None and self.which:
            at_hi = (x > hi) | (hi < lo) if lo is not None else x > hi
            grads.append(grad * constant(at_hi.astype(dtype)))
        return tuple(grads)


class Maximum(Op):
    """max(a, b) elementwise;  the gradient goes to the larger input, split in half on ties."""

    def forward(self, a, b):
        self.keep_inputs(0, 1)
        return np.maximum(a, b)

    def backward(self, grad):
        a, b = (t.data for t in self.saved_inputs)
        return _split(grad, a < b, a > b, a == b)


class Minimum(Op):
    """min(a, b) elementwise;  the gradient goes to the smaller input, split in half on ties."""

    def forward(self, a, b):
        self.keep_inputs(0, 1)
        return np.minimum(a, b)

    def backward(self, grad):
        a, b = (t.data for t in self.saved_inputs)
        return _split(grad, a > b, a < b, a == b)


def _split(grad, a_loses, b_loses, tie):
    """Gradients of max/min: all to the winner, half each on a tie, and all to both where the
    pair is unordered (a NaN: the output is that NaN), as PyTorch."""
    dtype = grad.data.dtype
    half = 0.5 * tie
    return (grad * constant((1.0 - a_loses - half).astype(dtype)),
            grad * constant((1.0 - b_loses - half).astype(dtype)))


class Where(Op):
    """cond ? a : b (cond is a fixed boolean array);  d/da = cond,  d/db = not cond."""

    def forward(self, a, b, cond):
        self.cond = cond
        return np.where(cond, a, b)

    def backward(self, grad):
        zero = constant(np.zeros((), dtype=grad.data.dtype))
        da, db = self.needs_input_grad
        return (
            Where.apply(grad, zero, cond=self.cond) if da else None,
            Where.apply(zero, grad, cond=self.cond) if db else None,
        )


class Cast(Op):
    """x converted to another dtype;  the gradient is converted back to x's dtype."""

    def forward(self, x, dtype):
        self.in_dtype = x.dtype
        return x.astype(dtype)

    def backward(self, grad):
        return (Cast.apply(grad, dtype=self.in_dtype),)


class Clone(Op):
    """a copy of x with its own memory;  d/dx = 1."""

    def forward(self, x):
        return x.copy()

    def backward(self, grad):
        return (grad,)


class Fill(Op):
    """x filled with one value (fill_, zero_);  d/dx = 0 (the old values are gone)."""

    def forward(self, x, value):
        return np.full(x.shape, value, dtype=x.dtype)

    def backward(self, grad):
        return (constant(np.zeros(grad.data.shape, dtype=grad.data.dtype)),)


class PiecewiseConstant(Op):
    """a piecewise-constant f(x) (sign, floor, ceil, round, trunc);  d/dx = 0, as PyTorch,
    whose results still require grad."""

    def forward(self, x, fn):
        return fn(x)

    def backward(self, grad):
        return (constant(np.zeros(grad.data.shape, dtype=grad.data.dtype)),)
