"""The parity table: every op against PyTorch, with its options, a few compositions, gradients
of gradients, and the in-place update idiom. Each row is a `Case` run by `parity.harness` in
float64 and float32; `fn(lib, ...)` is written once for both libraries wherever the APIs agree.

Inputs are kept off the points where two correct implementations may differ: kinks (relu, abs,
clamp: `off(...)`), ties (max/min/argmax/maximum: `distinct(...)` or independent normals, where
ties have probability zero), and domains (log, sqrt, fractional powers: `positive(...)`).
"""

from __future__ import annotations

import numpy as np

from parity.harness import TOLERANCES, Case, const, distinct, normal, off, positive, uniform

INF = float("inf")
# For cases that cast to float32 on purpose: their float64 run computes in float32, so it is
# held to float32's tolerance (the float32 run is unchanged).
IN_FLOAT32 = {"float64": TOLERANCES["float32"]}


def mask(*shape: int, p: float = 0.5):
    """A boolean mask with about a fraction p of True."""
    return lambda rng: rng.random(shape) < p


def ints(high: int, *shape: int):
    """int64 indices in [0, high)."""
    return lambda rng: rng.integers(0, high, shape)


def _grad2(lib, y, x):
    """d(sum y)/dx, itself differentiable (create_graph=True)."""
    return lib.autograd.grad(y.sum(), x, create_graph=True)[0]


def _mlp_xent(lib, x, w1, b1, w2, b2, target):
    """Tiny MLP (B, 4) -> (B, 8) -> (B, 3) and cross-entropy from log_softmax + gather."""
    h = (x @ w1.T + b1).tanh()  # (B, 8)
    logits = h @ w2.T + b2  # (B, 3)
    logp = logits.log_softmax(dim=-1)
    return -logp.gather(1, target.unsqueeze(1)).mean()


def _bce(lib, x, w, y):
    """Logistic regression by hand: sigmoid, then binary cross-entropy."""
    p = (x @ w).sigmoid()
    return -(y * p.log() + (1 - y) * (1 - p).log()).mean()


def _attention(lib, q, k, v):
    """Causal single-head attention: (B, T, C) -> (B, T, C)."""
    t = q.shape[-2]
    att = q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5  # (B, T, T)
    causal = lib.ones(t, t, dtype=lib.bool).triu(1)
    return att.masked_fill(causal, float("-inf")).softmax(dim=-1) @ v


def _layer_norm(lib, x, w, b):
    """LayerNorm by hand (biased variance, as nn.LayerNorm)."""
    mu = x.mean(-1, keepdim=True)
    var = x.var(-1, keepdim=True, unbiased=False)
    return (x - mu) / (var + 1e-5).sqrt() * w + b


def _sgd_steps(lib, w, b, x, y):
    """Three steps of the in-place update idiom; the weights after each step are the outputs."""
    history = []
    for _ in range(3):
        loss = ((x @ w + b - y) ** 2).mean()
        loss.backward()
        with lib.no_grad():
            w -= 0.1 * w.grad
            b -= 0.1 * b.grad
            w.grad.zero_()
            b.grad.zero_()
        history += [w.detach().clone(), b.detach().clone(), loss.detach()]
    return history


def _inplace_chain(lib, x, b):
    y = x * 2.0
    y.add_(b)
    y.mul_(0.5)
    y += 1.0
    y -= b
    y /= 3.0
    return y.exp()



def _setitem(x, v):
    y = x * 1.0
    y[1] = v
    y[:, 0] = 0.0
    return y * x


def _accumulate_twice(lib, x):
    """A first backward (retain_graph) fills x.grad; the harness's backward adds to it."""
    y = (x**2).sin()
    y.sum().backward(retain_graph=True)
    return y


def _hooked(lib, x):
    x.register_hook(lambda g: g * 2)
    y = x.tanh()
    y.register_hook(lambda g: g + 1)
    return y * 3


def _no_grad_part(lib, x, b):
    with lib.no_grad():
        scale = (x * b).exp()
    return scale * x + b


def _backward_inputs(lib, x, y):
    """backward(inputs=[x]) fills x.grad only; the output then backpropagates to both."""
    z = x * y.exp()
    z.sum().backward(inputs=[x], retain_graph=True)
    return z


C = Case
M34 = mask(3, 4)

CASES: list[Case] = [
    # -- arithmetic: + - * / with broadcasting and numbers on either side ---------------------
    C("add", lambda lib, a, b: a + b, ((3, 4), (3, 4))),
    C("add_broadcast", lambda lib, a, b: a + b, ((3, 1, 4), (2, 4))),
    C("add_scalar_tensor", lambda lib, a, b: a + b, ((3, 4), ())),
    C("add_number_right", lambda lib, a: a + 2.5, ((3, 4),)),
    C("add_number_left", lambda lib, a: 2.5 + a, ((3, 4),)),
    C("add_int_number", lambda lib, a: a + 2, ((3, 4),)),
    C("add_alpha", lambda lib, a, b: lib.add(a, b, alpha=0.5), ((3, 4), (4,))),
    C("sub", lambda lib, a, b: a - b, ((3, 4), (4,))),
    C("sub_number_right", lambda lib, a: a - 1.5, ((3, 4),)),
    C("sub_number_left", lambda lib, a: 1.5 - a, ((3, 4),)),
    C("sub_method_alpha", lambda lib, a, b: a.sub(b, alpha=2), ((2, 3), (2, 1))),
    C("mul", lambda lib, a, b: a * b, ((4, 1), (1, 5))),
    C("mul_number_left", lambda lib, a: 3 * a, ((3, 4),)),
    C("mul_number_right", lambda lib, a: a * -2.5, ((3, 4),)),
    C("mul_self", lambda lib, a: a * a, ((3, 4),)),
    C("mul_functional", lambda lib, a, b: lib.mul(a, b), ((2, 3, 4), (3, 1))),
    C("div", lambda lib, a, b: a / b, ((3, 4), off(3, 4, gap=0.3))),
    C("div_broadcast", lambda lib, a, b: a / b, ((2, 3, 4), positive(4))),
    C("div_number_right", lambda lib, a: a / 4, ((3, 4),)),
    C("div_number_left", lambda lib, b: 2.0 / b, (positive(3, 4),)),
    C("div_functional", lambda lib, a, b: lib.div(a, b), ((3,), positive(3))),
    C("neg", lambda lib, a: -a, ((3, 4),)),
    C("neg_functional", lambda lib, a: lib.neg(a), ((3, 4),)),
    C("neg_method", lambda lib, a: a.neg(), ((2, 5),)),
    # -- powers ---------------------------------------------------------------------------------
    C("pow_int", lambda lib, a: a**2, ((3, 4),)),
    C("pow_int3", lambda lib, a: a**3, ((3, 4),)),
    C("pow_float", lambda lib, a: a**2.5, (positive(3, 4),)),
    C("pow_sqrt", lambda lib, a: a**0.5, (positive(3, 4),)),
    C("pow_negative_float", lambda lib, a: a**-1.5, (positive(3, 4),)),
    C("pow_zero", lambda lib, a: a**0, ((3, 4),)),
    C("pow_negative_base", lambda lib, a: (a**2.0, a**-2, a**3.0), (off(3, 4, gap=0.3),)),
    C("pow_tensor", lambda lib, a, b: a**b, (positive(3, 4), (3, 4))),
    C("pow_tensor_broadcast", lambda lib, a, b: a**b, (positive(3, 4), (4,))),
    C("pow_method", lambda lib, a, b: a.pow(b), (positive(2, 3), (2, 3))),
    C("pow_functional_float", lambda lib, a: lib.pow(a, 1.5), (positive(2, 3),)),
    C("rpow_number", lambda lib, a: 2.0**a, ((3, 4),)),
    C("rpow_int_number", lambda lib, a: 3**a, ((3, 4),)),
    # -- matmul -----------------------------------------------------------------------------------
    C("matmul_2d", lambda lib, a, b: a @ b, ((3, 4), (4, 5))),
    C("matmul_1d_1d", lambda lib, a, b: a @ b, ((4,), (4,))),
    C("matmul_1d_2d", lambda lib, a, b: a @ b, ((4,), (4, 5))),
    C("matmul_2d_1d", lambda lib, a, b: a @ b, ((3, 4), (4,))),
    C("matmul_batched", lambda lib, a, b: a @ b, ((2, 3, 4), (2, 4, 5))),
    C("matmul_batched_2d", lambda lib, a, b: a @ b, ((2, 3, 4), (4, 5))),
    C("matmul_2d_batched", lambda lib, a, b: lib.matmul(a, b), ((3, 4), (2, 4, 5))),
    C("matmul_broadcast_batch", lambda lib, a, b: a @ b, ((2, 1, 3, 4), (5, 4, 2))),
    C("matmul_1d_batched", lambda lib, a, b: a @ b, ((4,), (2, 4, 3))),
    C("matmul_batched_1d", lambda lib, a, b: a @ b, ((2, 3, 4), (4,))),
    C("mm", lambda lib, a, b: lib.mm(a, b), ((3, 4), (4, 2))),
    C("bmm", lambda lib, a, b: lib.bmm(a, b), ((2, 3, 4), (2, 4, 2))),
    C("dot", lambda lib, a, b: lib.dot(a, b), ((5,), (5,))),
    C("matmul_method", lambda lib, a, b: a.matmul(b), ((3, 4), (4, 2))),
    # -- unary elementwise ----------------------------------------------------------------------
    C("exp", lambda lib, a: a.exp(), ((3, 4),)),
    C("exp_functional", lambda lib, a: lib.exp(a), ((2, 3, 2),)),
    C("log", lambda lib, a: a.log(), (positive(3, 4, lo=0.1, hi=5.0),)),
    C("log_functional", lambda lib, a: lib.log(a), (positive(3, 4),)),
    C("log1p", lambda lib, a: a.log1p(), (uniform(-0.5, 2.0, 3, 4),)),
    C("log1p_small", lambda lib, a: lib.log1p(a), (normal(3, 4, scale=1e-4),)),
    C("sqrt", lambda lib, a: a.sqrt(), (positive(3, 4, lo=0.1, hi=4.0),)),
    C("sqrt_functional", lambda lib, a: lib.sqrt(a), (positive(3, 4),)),
    C("rsqrt", lambda lib, a: a.rsqrt(), (positive(3, 4),)),
    C("abs", lambda lib, a: a.abs(), (off(3, 4),)),
    C("abs_functional", lambda lib, a: lib.abs(a), (off(3, 4),)),
    C("abs_builtin", lambda lib, a: abs(a), (off(3, 4),)),
    C("sin", lambda lib, a: a.sin(), ((3, 4),)),
    C("cos", lambda lib, a: lib.cos(a), ((3, 4),)),
    C("tanh", lambda lib, a: a.tanh(), (normal(3, 4, scale=2.0),)),
    C("sigmoid", lambda lib, a: a.sigmoid(), (normal(3, 4, scale=3.0),)),
    C("sigmoid_functional", lambda lib, a: lib.sigmoid(a), (normal(3, 4),)),
    # Large |x|: saturation (e^-x overflows for x << 0) must still give 0/1 and tiny gradients.
    C("sigmoid_saturated", lambda lib, a: a.sigmoid(), (const([-50.0, -20.0, 20.0, 50.0]),)),
    C("relu", lambda lib, a: a.relu(), (off(3, 4),)),
    C("relu_functional", lambda lib, a: lib.relu(a), (off(2, 3, 4),)),
    C("square", lambda lib, a: a.square(), ((3, 4),)),
    C("reciprocal", lambda lib, a: a.reciprocal(), (off(3, 4, gap=0.3),)),
    # -- clamp: inputs off the bounds (at a bound the subgradient is a convention) ---------------
    C("clamp_min", lambda lib, a: a.clamp(min=-0.5), (off(3, 4, points=(-0.5,)),)),
    C("clamp_max", lambda lib, a: a.clamp(max=0.5), (off(3, 4, points=(0.5,)),)),
    C("clamp_both", lambda lib, a: a.clamp(-0.5, 0.5), (off(3, 4, points=(-0.5, 0.5)),)),
    C("clamp_functional", lambda lib, a: lib.clamp(a, min=0.0, max=1.0),
      (off(3, 4, points=(0.0, 1.0)),)),
    C("clip", lambda lib, a: a.clip(-1, 1), (off(3, 4, points=(-1.0, 1.0)),)),
    C("clamp_tensor_bounds", lambda lib, a, lo, hi: a.clamp(min=lo, max=hi),
      ((3, 4), const([-1.0, -0.3, 0.1, -2.0]), const([1.0, 0.5, 0.2, 2.0]))),
    # -- maximum / minimum (independent normals: ties have probability zero) --------------------
    C("maximum", lambda lib, a, b: lib.maximum(a, b), ((3, 4), (3, 4))),
    C("maximum_broadcast", lambda lib, a, b: lib.maximum(a, b), ((3, 4), (4,))),
    C("minimum", lambda lib, a, b: lib.minimum(a, b), ((3, 4), (3, 4))),
    C("minimum_method", lambda lib, a, b: a.minimum(b), ((2, 3, 1), (3, 4))),
    C("max_binary", lambda lib, a, b: a.max(b), ((3, 4), (3, 4))),
    C("min_binary", lambda lib, a, b: lib.min(a, b), ((3, 4), (3, 4))),
    # -- where / masked_fill ----------------------------------------------------------------------
    C("where", lambda lib, a, b, m: lib.where(m, a, b), ((3, 4), (3, 4)), extras=(M34,)),
    C("where_broadcast", lambda lib, a, b, m: lib.where(m, a, b), ((3, 1), (4,)),
      extras=(M34,)),
    C("where_number_other", lambda lib, a, m: lib.where(m, a, 0.0), ((3, 4),), extras=(M34,)),
    C("where_number_input", lambda lib, a, m: lib.where(m, 1.5, a), ((3, 4),), extras=(M34,)),
    C("where_method", lambda lib, a, b, m: a.where(m, b), ((3, 4), (3, 4)), extras=(M34,)),
    C("masked_fill", lambda lib, a, m: a.masked_fill(m, -1.0), ((3, 4),), extras=(M34,)),
    C("masked_fill_broadcast", lambda lib, a, m: a.masked_fill(m, 2.0), ((2, 3, 4),),
      extras=(mask(3, 1),)),
    C("masked_fill_functional", lambda lib, a, m: lib.masked_fill(a, m, 0.0), ((3, 4),),
      extras=(M34,)),
    # -- softmax family ---------------------------------------------------------------------------
    C("softmax_last", lambda lib, x: x.softmax(dim=-1), ((3, 4),)),
    C("softmax_dim0", lambda lib, x: x.softmax(0), ((3, 4),)),
    C("softmax_3d_mid", lambda lib, x: lib.softmax(x, dim=1), ((2, 3, 4),)),
    C("softmax_large", lambda lib, x: x.softmax(-1), (normal(3, 5, scale=30.0),)),
    C("log_softmax_last", lambda lib, x: x.log_softmax(dim=-1), ((3, 4),)),
    C("log_softmax_dim0", lambda lib, x: x.log_softmax(0), ((3, 4),)),
    C("log_softmax_3d", lambda lib, x: lib.log_softmax(x, dim=1), ((2, 3, 4),)),
    C("log_softmax_neg2", lambda lib, x: x.log_softmax(-2), ((2, 3, 4),)),
    C("log_softmax_large", lambda lib, x: x.log_softmax(-1), (normal(3, 5, scale=30.0),)),
    # -- sum / mean -------------------------------------------------------------------------------
    C("sum_all", lambda lib, x: x.sum(), ((3, 4),)),
    C("sum_dim0", lambda lib, x: x.sum(0), ((3, 4),)),
    C("sum_dim_neg", lambda lib, x: x.sum(dim=-1), ((2, 3, 4),)),
    C("sum_dim_tuple", lambda lib, x: x.sum((0, 2)), ((2, 3, 4),)),
    C("sum_keepdim", lambda lib, x: x.sum(1, keepdim=True), ((2, 3, 4),)),
    C("sum_tuple_keepdim", lambda lib, x: lib.sum(x, (-1, 0), keepdim=True), ((2, 3, 4),)),
    C("sum_dtype", lambda lib, x: x.sum(dtype=lib.float64), ((3, 4),)),
    C("sum_0d", lambda lib, x: x.sum(), ((),)),
    C("mean_all", lambda lib, x: x.mean(), ((3, 4),)),
    C("mean_dim", lambda lib, x: x.mean(1), ((2, 3, 4),)),
    C("mean_dim_neg_keepdim", lambda lib, x: x.mean(-1, keepdim=True), ((2, 3, 4),)),
    C("mean_tuple", lambda lib, x: lib.mean(x, dim=(0, 1)), ((2, 3, 4),)),
    # -- var / std (correction=1 by default) ----------------------------------------------------
    C("var_all", lambda lib, x: x.var(), ((3, 4),)),
    C("var_dim", lambda lib, x: x.var(1), ((3, 4),)),
    C("var_dim_neg_keepdim", lambda lib, x: x.var(-1, keepdim=True), ((2, 3, 4),)),
    C("var_tuple", lambda lib, x: x.var((0, 2)), ((2, 3, 4),)),
    C("var_correction0", lambda lib, x: x.var(dim=1, correction=0), ((3, 4),)),
    C("var_correction2", lambda lib, x: x.var(dim=0, correction=2), ((5, 3),)),
    C("var_unbiased_false", lambda lib, x: x.var(1, unbiased=False), ((3, 4),)),
    C("var_positional_unbiased", lambda lib, x: x.var(False), ((3, 4),)),
    C("var_functional", lambda lib, x: lib.var(x, 0, keepdim=True), ((3, 4),)),
    C("std_all", lambda lib, x: x.std(), ((3, 4),)),
    C("std_dim", lambda lib, x: x.std(dim=0), ((3, 4),)),
    C("std_correction0_keepdim", lambda lib, x: x.std(-1, keepdim=True, correction=0),
      ((2, 3, 4),)),
    C("std_unbiased_false", lambda lib, x: lib.std(x, (0, 1), unbiased=False), ((2, 3, 4),)),
    # -- max / min / amax / amin (distinct values: no ties) -------------------------------------
    C("max_all", lambda lib, x: x.max(), (distinct(3, 4),)),
    C("min_all", lambda lib, x: lib.min(x), (distinct(3, 4),)),
    C("max_dim", lambda lib, x: x.max(dim=1), (distinct(3, 4),)),
    C("max_dim_keepdim", lambda lib, x: x.max(0, keepdim=True), (distinct(3, 4),)),
    C("max_dim_neg", lambda lib, x: lib.max(x, -1), (distinct(2, 3, 4),)),
    C("max_dim_fields", lambda lib, x: (x.max(1).values * 2, x.max(1).indices),
      (distinct(3, 4),)),
    C("min_dim", lambda lib, x: x.min(dim=0), (distinct(3, 4),)),
    C("min_dim_keepdim_neg", lambda lib, x: x.min(-2, keepdim=True), (distinct(2, 3, 4),)),
    C("amax_all", lambda lib, x: x.amax(), (distinct(3, 4),)),
    C("amax_dim", lambda lib, x: x.amax(1), (distinct(3, 4),)),
    C("amax_tuple_keepdim", lambda lib, x: lib.amax(x, (0, 2), keepdim=True), (distinct(2, 3, 4),)),
    C("amin_dim_neg", lambda lib, x: x.amin(-1), (distinct(2, 3, 4),)),
    C("amin_tuple", lambda lib, x: lib.amin(x, dim=(0, 1)), (distinct(2, 3, 4),)),
    # Ties: torch.amax/amin split the gradient evenly among equal maxima; keep that convention.
    C("amax_ties_even_split", lambda lib, x: x.amax(1),
      (const([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]),)),
    C("argmax_all", lambda lib, x: x.argmax(), (distinct(3, 4),)),
    C("argmax_dim", lambda lib, x: x.argmax(dim=1), (distinct(3, 4),)),
    C("argmax_dim_keepdim", lambda lib, x: lib.argmax(x, 0, keepdim=True), (distinct(3, 4),)),
    C("argmin_all", lambda lib, x: lib.argmin(x), (distinct(3, 4),)),
    C("argmin_dim_neg", lambda lib, x: x.argmin(-1), (distinct(2, 3, 4),)),
    # -- logsumexp / prod -------------------------------------------------------------------------
    C("logsumexp_dim", lambda lib, x: x.logsumexp(1), ((3, 4),)),
    C("logsumexp_neg_keepdim", lambda lib, x: x.logsumexp(-1, keepdim=True), ((2, 3, 4),)),
    C("logsumexp_tuple", lambda lib, x: lib.logsumexp(x, (0, 2)), ((2, 3, 4),)),
    C("logsumexp_large", lambda lib, x: x.logsumexp(0), (normal(4, 3, scale=50.0),)),
    C("prod_all", lambda lib, x: x.prod(), (uniform(0.5, 1.5, 3, 4),)),
    C("prod_dim", lambda lib, x: x.prod(1), ((3, 4),)),
    C("prod_dim_neg_keepdim", lambda lib, x: lib.prod(x, -1, keepdim=True), ((2, 3, 4),)),
    C("prod_with_zero", lambda lib, x: x.prod(1),
      (const([[1.5, 0.0, 2.0, -1.0], [0.5, 2.0, -3.0, 1.0], [0.0, 0.0, 2.0, 1.0]]),)),
    # -- norm -------------------------------------------------------------------------------------
    C("norm_default", lambda lib, x: x.norm(), ((3, 4),)),
    C("norm_dim", lambda lib, x: x.norm(dim=1), ((3, 4),)),
    C("norm_p1", lambda lib, x: x.norm(p=1), (off(3, 4),)),
    C("norm_inf_dim", lambda lib, x: x.norm(p=INF, dim=-1, keepdim=True), (distinct(3, 4),)),
    C("norm_p3", lambda lib, x: lib.norm(x, p=3, dim=0), (off(3, 4),)),
    C("norm_dim_tuple", lambda lib, x: x.norm(dim=(0, 2), keepdim=True), ((2, 3, 4),)),
    C("logsumexp_with_neg_inf", lambda lib, x: x.logsumexp(1),
      (const([[-INF, 0.0, 1.0], [2.0, -INF, -1.0]]),)),
    C("norm_fro", lambda lib, x: x.norm(p="fro"), ((3, 4),)),
    # -- shape ------------------------------------------------------------------------------------
    C("reshape", lambda lib, x: x.reshape(4, 3), ((3, 4),)),
    C("reshape_infer", lambda lib, x: x.reshape(2, -1), ((2, 3, 4),)),
    C("reshape_tuple", lambda lib, x: lib.reshape(x, (-1,)), ((2, 3, 4),)),
    C("view", lambda lib, x: x.view(6, 4), ((2, 3, 4),)),
    C("view_as", lambda lib, x, y: x.view_as(y), ((2, 6), (3, 4)), grad=(0,)),
    C("flatten", lambda lib, x: x.flatten(), ((2, 3, 4),)),
    C("flatten_start", lambda lib, x: x.flatten(1), ((2, 3, 4, 2),)),
    C("flatten_range", lambda lib, x: lib.flatten(x, 1, 2), ((2, 3, 4, 2),)),
    C("transpose", lambda lib, x: x.transpose(0, 2), ((2, 3, 4),)),
    C("transpose_neg", lambda lib, x: lib.transpose(x, -1, -2) * 2, ((2, 3, 4),)),
    C("permute", lambda lib, x: x.permute(2, 0, 1), ((2, 3, 4),)),
    C("permute_tuple_neg", lambda lib, x: x.permute((-1, 0, 1)), ((2, 3, 4),)),
    C("t", lambda lib, x: x.t(), ((3, 4),)),
    C("t_1d", lambda lib, x: lib.t(x) * 1, ((3,),)),
    C("T", lambda lib, x: x.T, ((3, 4),)),
    C("mT", lambda lib, x: x.mT, ((2, 3, 4),)),
    C("squeeze_all", lambda lib, x: x.squeeze(), ((1, 3, 1, 4),)),
    C("squeeze_dim", lambda lib, x: x.squeeze(2), ((1, 3, 1, 4),)),
    C("squeeze_dim_not_one", lambda lib, x: x.squeeze(1) * 1, ((1, 3, 1, 4),)),
    C("squeeze_tuple", lambda lib, x: lib.squeeze(x, (0, -2)), ((1, 3, 1, 4),)),
    C("unsqueeze", lambda lib, x: x.unsqueeze(0), ((3, 4),)),
    C("unsqueeze_neg", lambda lib, x: lib.unsqueeze(x, -1), ((3, 4),)),
    C("unsqueeze_mid", lambda lib, x: x.unsqueeze(1), ((3, 4),)),
    C("expand", lambda lib, x: x.expand(3, 4), ((1, 4),)),
    C("expand_new_dims", lambda lib, x: x.expand(2, -1, 4), ((3, 1),)),
    C("expand_as", lambda lib, x, y: x.expand_as(y), ((3, 1), (3, 4)), grad=(0,)),
    C("contiguous", lambda lib, x: x.transpose(0, 1).contiguous(), ((3, 4),)),
    C("contiguous_noop", lambda lib, x: (x * 1).contiguous(), ((3, 4),)),
    C("repeat", lambda lib, x: x.repeat(2, 3), ((2, 3),)),
    C("repeat_new_dims", lambda lib, x: x.repeat(2, 1, 2), ((2, 3),)),
    C("flip", lambda lib, x: x.flip(0), ((3, 4),)),
    C("flip_dims", lambda lib, x: lib.flip(x, (0, -1)), ((2, 3, 4),)),
    C("clone", lambda lib, x: x.clone(), ((3, 4),)),
    C("clone_functional", lambda lib, x: lib.clone(x * 2), ((3, 4),)),
    C("triu", lambda lib, x: x.triu(), ((4, 4),)),
    C("triu_diag", lambda lib, x: x.triu(1), ((3, 5),)),
    C("tril", lambda lib, x: lib.tril(x), ((4, 4),)),
    C("tril_neg_diag_batched", lambda lib, x: x.tril(-1), ((2, 4, 3),)),
    # -- indexing ---------------------------------------------------------------------------------
    C("getitem_int", lambda lib, x: x[1], ((3, 4),)),
    C("getitem_neg_int", lambda lib, x: x[-1, 2], ((3, 4),)),
    C("getitem_slice", lambda lib, x: x[1:3], ((4, 5),)),
    C("getitem_slice_steps", lambda lib, x: x[::2, 1::2], ((5, 6),)),
    C("getitem_ellipsis", lambda lib, x: x[..., 1], ((2, 3, 4),)),
    C("getitem_none", lambda lib, x: x[None, :, 2], ((3, 4),)),
    C("getitem_mixed", lambda lib, x: x[1, ::2, None, ...], ((3, 5, 4),)),
    C("getitem_int_tensor_repeats", lambda lib, x, i: x[i], ((4, 3),),
      extras=(np.array([0, 2, 2, 1, 0, 2]),)),
    C("getitem_int_tensor_dim1", lambda lib, x, i: x[:, i], ((3, 4),),
      extras=(np.array([3, 3, 0]),)),
    C("getitem_two_int_tensors", lambda lib, x, i, j: x[i, j], ((3, 4),),
      extras=(np.array([0, 2, 2, 1]), np.array([1, 3, 3, 0]))),
    C("getitem_int_tensor_2d", lambda lib, x, i: x[i], ((4, 3),),
      extras=(np.array([[0, 1], [1, 3]]),)),
    C("getitem_bool_mask", lambda lib, x, m: x[m], ((3, 4),), extras=(M34,)),
    C("getitem_bool_rows", lambda lib, x, m: x[m], ((4, 3),),
      extras=(np.array([True, False, True, True]),)),
    C("getitem_list", lambda lib, x: x[[0, 0, 2]], ((3, 4),)),
    C("getitem_slice_then_tensor", lambda lib, x, i: x[1:, i], ((3, 4),),
      extras=(np.array([0, 0, 3]),)),
    C("index_select", lambda lib, x, i: x.index_select(1, i), ((3, 4),),
      extras=(np.array([2, 0, 2]),)),
    C("gather_dim1_repeats", lambda lib, x, i: x.gather(1, i), ((3, 4),),
      extras=(np.array([[0, 0], [3, 1], [2, 2]]),)),
    C("gather_dim0", lambda lib, x, i: lib.gather(x, 0, i), ((3, 4),),
      extras=(np.array([[2, 0, 1, 1], [0, 0, 2, 1]]),)),
    C("gather_neg_dim_3d", lambda lib, x, i: x.gather(-1, i), ((2, 3, 4),),
      extras=(ints(4, 2, 3, 5),)),
    # -- joining and splitting --------------------------------------------------------------------
    C("cat", lambda lib, a, b: lib.cat([a, b]), ((2, 3), (4, 3))),
    C("cat_dim_neg", lambda lib, a, b, c: lib.cat((a, b, c), dim=-1), ((2, 3), (2, 1), (2, 2))),
    C("cat_partial_grad", lambda lib, a, b: lib.cat([a, b], 1), ((2, 3), (2, 2)), grad=(1,)),
    C("stack", lambda lib, a, b: lib.stack([a, b]), ((2, 3), (2, 3))),
    C("stack_dim1", lambda lib, a, b, c: lib.stack((a, b, c), dim=1), ((2, 3), (2, 3), (2, 3))),
    C("stack_dim_neg", lambda lib, a, b: lib.stack([a, b], -1), ((2, 3), (2, 3))),
    C("split_int", lambda lib, x: x.split(2), ((5, 3),)),
    C("split_sizes_dim1", lambda lib, x: lib.split(x, [1, 3, 2], dim=1), ((2, 6),)),
    C("split_partial_use", lambda lib, x: x.split(2, dim=-1)[1] * 3, ((2, 5),)),
    C("chunk", lambda lib, x: x.chunk(3), ((6, 2),)),
    C("chunk_uneven_dim1", lambda lib, x: lib.chunk(x, 3, dim=1), ((2, 7),)),
    C("unbind", lambda lib, x: x.unbind(1), ((2, 3),)),
    # -- comparisons and logic (forward only) ---------------------------------------------------
    C("lt", lambda lib, a, b: a < b, ((3, 4), (3, 4))),
    C("le_number", lambda lib, a: a <= 0.25, ((3, 4),)),
    C("gt_broadcast", lambda lib, a, b: a > b, ((3, 4), (4,))),
    C("ge_functional", lambda lib, a, b: lib.ge(a, b), ((3, 4), (3, 4))),
    # integer-valued floats so that == and != see real ties
    C("eq", lambda lib, a, b: a == b, (const([[1.0, 2.0], [3.0, 4.0]]), const([[1.0, 0.0],
                                                                                [3.0, 5.0]]))),
    C("ne_number", lambda lib, a: a != 2.0, (const([[1.0, 2.0], [2.0, 4.0]]),)),
    C("logical_and_or_not", lambda lib, a, b: (lib.logical_and(a, b), a.logical_or(b),
                                               lib.logical_not(a)),
      extras=(M34, mask(3, 4))),
    C("bitwise_bool_ops", lambda lib, a, b: (a & b, a | b, a ^ b, ~a), extras=(M34, mask(3, 4))),
    C("all_any", lambda lib, a: (a.all(), a.any(), a.all(dim=1), lib.any(a, 0)),
      extras=(mask(3, 4, p=0.8),)),
    C("compare_to_mask_use", lambda lib, x: x.masked_fill(x < 0, 0.0) * 2, ((3, 4),)),
    # -- casts ------------------------------------------------------------------------------------
    C("to_float64", lambda lib, x: x.to(lib.float64) * 2, ((3, 4),)),
    C("to_float32", lambda lib, x: x.to(lib.float32) * 2, ((3, 4),)),
    C("double", lambda lib, x: x.double().exp(), ((3, 4),)),
    C("float", lambda lib, x: x.float().exp(), ((3, 4),), tol=IN_FLOAT32),
    C("half_roundtrip", lambda lib, x: x.half().float(), (const([0.5, -1.25, 3.0, 1024.0]),)),
    C("long", lambda lib, x: x.long(), (const([[1.7, -1.7], [2.2, -0.4]]),)),
    C("int_bool", lambda lib, x: (x.int(), x.bool()), (const([0.0, 1.5, -2.0]),)),
    C("to_dtype_same", lambda lib, x: x.to(x.dtype), ((3, 4),)),
    # -- dtype promotion --------------------------------------------------------------------------
    C("promote_float32_float64", lambda lib, a, b: a.float() + b.double(), ((3, 4), (3, 4))),
    # float32 (3, 4) times a 0-d float64: the dimensioned tensor's dtype wins (float32)
    C("promote_0d_float64", lambda lib, a, b: a.float() * b.double().sum(), ((3, 4), (2,)),
      tol=IN_FLOAT32),
    C("promote_int_tensor", lambda lib, a, n: a * n, ((3, 4),), extras=(ints(5, 3, 4),)),
    C("promote_int_plus_float", lambda lib, n: n + 0.5, extras=(ints(5, 3, 4),)),
    C("promote_int_div_int", lambda lib, n, m: n / (m + 1), extras=(ints(5, 3), ints(5, 3))),
    C("promote_bool_plus_float", lambda lib, a, m: a + m, ((3, 4),), extras=(M34,)),
    # -- in-place on non-leaves (recorded out of place) -----------------------------------------
    C("inplace_chain", _inplace_chain, ((3, 4), (4,))),
    C("setitem_nonleaf", lambda lib, x, v: _setitem(x, v), ((3, 4), (4,))),
    # -- compositions -----------------------------------------------------------------------------
    C("mlp_cross_entropy", _mlp_xent, ((5, 4), (8, 4), (8,), (3, 8), (3,)),
      extras=(np.array([0, 2, 1, 1, 2]),)),
    C("sigmoid_bce_by_hand", _bce, ((6, 3), (3,), const([0, 1, 1, 0, 1, 0])), grad=(0, 1)),
    C("causal_attention", _attention, ((2, 4, 3), (2, 4, 3), (2, 4, 3))),
    C("layer_norm_by_hand", _layer_norm, ((2, 3, 5), (5,), (5,))),
    C("softmax_of_matmul", lambda lib, x, w: (x @ w).softmax(-1).log().sum(-1), ((4, 3), (3, 5))),
    C("shared_input_twice", lambda lib, x: x * x.exp() + x.sin() * x, ((3, 4),)),
    # -- gradients of gradients (create_graph=True, then backward again) ------------------------
    C("grad2_cube", lambda lib, x: _grad2(lib, x**3, x), ((3, 4),)),
    C("grad2_tanh", lambda lib, x: _grad2(lib, x.tanh(), x), ((3, 4),)),
    C("grad2_sigmoid", lambda lib, x: _grad2(lib, x.sigmoid(), x), ((3, 4),)),
    C("grad2_exp_log", lambda lib, x: _grad2(lib, x.exp() + x.log(), x), (positive(3, 4),)),
    C("grad2_log1p_sqrt", lambda lib, x: _grad2(lib, x.log1p() * x.sqrt(), x), (positive(3, 4),)),
    C("grad2_sin_cos", lambda lib, x: _grad2(lib, x.sin() * x.cos(), x), ((3, 4),)),
    C("grad2_div", lambda lib, a, b: _grad2(lib, a / b, b), ((3, 4), positive(3, 4))),
    C("grad2_mul_both", lambda lib, a, b: lib.autograd.grad((a * b * a).sum(), (a, b),
                                                            create_graph=True), ((3, 4), (3, 4))),
    C("grad2_pow_tensor", lambda lib, a, b: lib.autograd.grad((a**b).sum(), (a, b),
                                                              create_graph=True),
      (positive(3, 4), (3, 4))),
    C("grad2_pow_float", lambda lib, x: _grad2(lib, x**2.5, x), (positive(3, 4),)),
    C("grad2_rpow", lambda lib, x: _grad2(lib, 2.0**x, x), ((3, 4),)),
    C("grad2_softmax", lambda lib, x: _grad2(lib, x.softmax(-1) * x, x), ((3, 4),)),
    C("grad2_log_softmax", lambda lib, x, w: _grad2(lib, x.log_softmax(-1) * w, x),
      ((3, 4), (3, 4))),
    C("grad2_logsumexp", lambda lib, x: _grad2(lib, x.logsumexp(1) ** 2, x), ((3, 4),)),
    C("grad2_var_std", lambda lib, x: _grad2(lib, x.var(1) * x.std(0).sum(), x), ((3, 4),)),
    C("grad2_mean_sum", lambda lib, x: _grad2(lib, (x.mean(0) ** 2).sum(-1) * x.sum(), x),
      ((3, 4),)),
    C("grad2_prod", lambda lib, x: _grad2(lib, x.prod(1), x), (uniform(0.5, 1.5, 3, 4),)),
    C("grad2_matmul", lambda lib, a, b: lib.autograd.grad(((a @ b) ** 2).sum(), (a, b),
                                                          create_graph=True), ((3, 4), (4, 2))),
    C("grad2_where_getitem", lambda lib, x, m: _grad2(lib, lib.where(m, x**2, x**3)[1:, ::2], x),
      ((3, 4),), extras=(M34,)),
    C("grad2_gather", lambda lib, x, i: _grad2(lib, x.gather(1, i) ** 3, x), ((3, 4),),
      extras=(np.array([[0, 0], [3, 1], [2, 2]]),)),
    C("grad2_index_repeats", lambda lib, x, i: _grad2(lib, x[i] ** 2, x), ((4,),),
      extras=(np.array([0, 2, 2, 1]),)),
    C("grad2_cat_stack_shape", lambda lib, a, b: _grad2(
        lib, lib.stack([lib.cat([a, b]).T ** 2, lib.cat([b, a]).T], 0).permute(1, 2, 0), a),
      ((2, 3), (2, 3))),
    C("grad2_max_relu_clamp", lambda lib, x: _grad2(
        lib, x.relu() ** 2 + x.clamp(-0.5, 0.5) ** 3 + x.amax(1, keepdim=True) ** 2, x),
      (off(3, 4, points=(0.0, -0.5, 0.5)),)),
    C("grad2_maximum", lambda lib, a, b: _grad2(lib, lib.maximum(a, b) ** 2, a), ((3, 4), (3, 4))),
    C("grad2_abs_norm", lambda lib, x: _grad2(lib, x.abs() * x.norm(dim=1, keepdim=True), x),
      (off(3, 4),)),
    C("grad2_gradient_penalty", lambda lib, x, w: (_grad2(lib, (x @ w).tanh(), x) ** 2).sum(),
      ((4, 3), (3, 2))),
    C("grad3_cube", lambda lib, x: _grad2(lib, _grad2(lib, x**4, x), x), ((5,),)),
    # -- PyTorch's conventions exactly at kinks and ties (documented behaviour, pinned here) ----
    C("relu_at_zero", lambda lib, x: x.relu(), (const([-1.0, 0.0, 0.0, 2.0]),)),
    C("abs_at_zero", lambda lib, x: x.abs(), (const([-1.0, 0.0, 2.0]),)),
    C("clamp_at_bounds", lambda lib, x: x.clamp(-0.5, 0.5), (const([-0.5, 0.5, 0.0, 1.0]),)),
    C("maximum_ties_split", lambda lib, a, b: lib.maximum(a, b),
      (const([1.0, 2.0, 3.0]), const([1.0, 1.0, 3.0]))),
    C("minimum_ties_split", lambda lib, a, b: lib.minimum(a, b),
      (const([1.0, 2.0, 3.0]), const([1.0, 1.0, 3.0]))),
    C("norm_at_zero", lambda lib, x: x.norm(dim=1), (const([[0.0, 0.0], [3.0, 4.0]]),)),
    C("norm_p3_at_zero", lambda lib, x: x.norm(p=3, dim=1), (const([[0.0, 0.0], [1.0, -2.0]]),)),
    C("norm_all_zero", lambda lib, x: x.norm(), (const([0.0, 0.0, 0.0]),)),
    C("pow_tensor_zero_base", lambda lib, a, b: a**b,
      (const([0.0, 0.0, 1.5, 2.0]), const([2.0, 1.0, 0.5, -1.0]))),
    C("grad2_prod_with_zero", lambda lib, x: _grad2(lib, x.prod(1), x),
      (const([[1.5, 0.0, 2.0, -1.0], [0.5, 2.0, -3.0, 1.0], [0.0, 0.0, 2.0, 1.0]]),)),
    C("grad2_prod_all_with_zero", lambda lib, x: _grad2(lib, x.prod() * x, x),
      (const([[1.5, 0.0], [2.0, -1.0]]),)),
    # piecewise-constant functions: zero gradient, but the result requires grad in PyTorch
    C("sign_floor_ceil", lambda lib, x: (x.sign(), x.floor(), lib.ceil(x), x.trunc()),
      (normal(3, 4, scale=3.0),)),
    C("round", lambda lib, x: x.round() * x, (const([0.3, 1.7, -2.2, 4.6]),)),
    # -- one input without grad: each op's needs_input_grad paths -----------------------------
    C("sub_rhs_only", lambda lib, a, b: a - b, ((3, 4), (4,)), grad=(1,)),
    C("div_rhs_only", lambda lib, a, b: a / b, ((3, 4), positive(3, 1)), grad=(1,)),
    C("pow_exponent_only", lambda lib, a, b: a**b, (positive(3, 4), (3, 4)), grad=(1,)),
    C("pow_base_only", lambda lib, a, b: a**b, (positive(3, 4), (3, 4)), grad=(0,)),
    C("matmul_rhs_only", lambda lib, a, b: a @ b, ((4,), (2, 4, 3)), grad=(1,)),
    C("matmul_lhs_only", lambda lib, a, b: a @ b, ((2, 3, 4), (4,)), grad=(0,)),
    C("where_one_branch", lambda lib, a, b, m: lib.where(m, a, b), ((3, 4), (3, 4)), grad=(1,),
      extras=(M34,)),
    C("maximum_one_side", lambda lib, a, b: lib.maximum(a, b), ((3, 4), (3, 4)), grad=(0,)),
    # -- dtypes of joins, wheres and reductions ------------------------------------------------
    C("cat_int_float", lambda lib, x, n: lib.cat([x, n]), ((2, 3),), extras=(ints(5, 2, 3),)),
    C("stack_int_float", lambda lib, x, n: lib.stack([n, x], 1), ((2, 3),),
      extras=(ints(5, 2, 3),)),
    C("cat_bool_int", lambda lib, m, n: lib.cat([m, n]), extras=(mask(2, 3), ints(5, 2, 3))),
    C("where_numbers", lambda lib, m: (lib.where(m, 1.0, 0.0), lib.where(m, 1, 0)),
      extras=(M34,)),
    C("where_nonzero", lambda lib, m: lib.where(m), extras=(M34,)),
    C("sum_bool_int", lambda lib, m, n: (m.sum(), m.sum(1), n.sum(0), n.prod(1)),
      extras=(M34, ints(4, 3, 4))),
    C("compare_int_float", lambda lib, n: (n > 1.5, n == 2, n <= n.float() * 0.5),
      extras=(ints(4, 3, 4),)),
    C("softmax_dtype", lambda lib, x: x.softmax(-1, dtype=lib.float64), ((3, 4),)),
    C("log_softmax_dtype", lambda lib, x: x.log_softmax(0, dtype=lib.float64), ((3, 4),)),
    C("sum_mean_dtype", lambda lib, x: (x.sum(1, dtype=lib.float64), x.mean(dtype=lib.float64)),
      ((3, 4),)),
    # int inputs: the float results are float32 in both runs (NumPy's and PyTorch's float32 exp
    # may differ by an ulp)
    C("int_unary_to_float", lambda lib, n: (n.exp(), lib.sqrt(n), n.sigmoid(), n.log1p(),
                                             n.float().mean(), n.abs(), -n, n * 2, n.relu()),
      extras=(ints(5, 3, 4),), tol=IN_FLOAT32),
    C("where_0d_tensor_other", lambda lib, a, m: lib.where(m, a, lib.tensor(0.5)), ((3, 4),),
      extras=(M34,)),
    C("argmax_keepdim_no_dim", lambda lib, x: (x.argmax(keepdim=True), x.argmin(keepdim=True)),
      (distinct(3, 4),)),
    # -- 0-d and empty tensors -----------------------------------------------------------------
    C("scalar_ops", lambda lib, s, x: (s.exp() * x, s.softmax(0), s.unsqueeze(0), s.flatten(),
                                       s.reshape(1, 1), s.expand(2, 3), s.sum(0), s.max()),
      ((), (2, 3))),
    C("scalar_log_softmax_mean", lambda lib, s: (s.log_softmax(-1), s.mean(), s[None]), ((),)),
    C("empty_reductions", lambda lib, e: (e.sum(), e.sum(0), e.sum(1), e.prod(1)), ((0, 3),)),
    C("empty_cat_reshape", lambda lib, e, x: lib.cat([e, x]).reshape(-1, 2), ((0, 4), (2, 4))),
    # -- more indexing --------------------------------------------------------------------------
    C("getitem_nonadjacent_tensors", lambda lib, x, i, j: x[i, :, j], ((3, 2, 4),),
      extras=(np.array([0, 2, 2]), np.array([3, 1, 3]))),
    C("getitem_negative_int_tensor", lambda lib, x, i: x[i], ((4, 3),),
      extras=(np.array([-1, 0, -1, -4]),)),
    C("getitem_chained", lambda lib, x, i: x[i][:, 1:][::2], ((4, 3),),
      extras=(np.array([3, 1, 1, 0]),)),
    C("getitem_ellipsis_none_tensor", lambda lib, x, i: x[..., None, i], ((2, 3, 4),),
      extras=(np.array([1, 1]),)),
    C("getitem_mask_after_slice", lambda lib, x, m: x[:, 1:][m], ((3, 5),), extras=(M34,)),
    C("split_bigger_than_dim", lambda lib, x: x.split(5), ((3, 2),)),
    C("chunk_more_than_size", lambda lib, x: x.chunk(5), ((3, 2),)),
    C("unflatten", lambda lib, x: x.unflatten(1, (2, 3)), ((2, 6),)),
    C("masked_fill_tensor_value", lambda lib, x, v, m: x.masked_fill(m, v), ((3, 4), ()),
      extras=(M34,)),
    # -- autograd behaviour --------------------------------------------------------------------
    C("grad_accumulates", _accumulate_twice, ((3, 4),)),
    C("hook_doubles_grad", _hooked, ((3, 4),)),
    C("detach_blocks_grad", lambda lib, x: x.detach() * x + x.detach().exp(), ((3, 4),)),
    C("no_grad_block", _no_grad_part, ((3, 4), (4,))),
    C("backward_inputs_subset", _backward_inputs, ((3, 4), (3, 4))),
    C("autograd_grad_two_outputs", lambda lib, x, y: lib.autograd.grad(
        [(x * y).sum(), (x.exp() * y).sum()], [x, y], create_graph=True), ((3,), (3,))),
    # -- the in-place update idiom: a few SGD steps under no_grad -------------------------------
    C("sgd_inplace_steps", _sgd_steps, ((3, 2), (2,), (5, 3), (5, 2)), grad=(0, 1)),
]

