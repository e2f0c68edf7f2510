"""Matrix products."""

from __future__ import annotations

import string

import numpy as np

from minigrad.autograd.node import Op


class MatMul(Op):
    """a @ b with NumPy/PyTorch rules (1-D operands promoted, batch axes broadcast);
    d/da = g @ b^T,  d/db = a^T @ g (batch axes summed back by the engine)."""

    def forward(self, a, b):
        self.keep_inputs(0, 1)
        if a.ndim == 0 or b.ndim == 0:
            raise RuntimeError("matmul: both arguments need at least 1 dimension, got 0-d")
        if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
            raise RuntimeError(
                f"matmul: cannot multiply {tuple(a.shape)} by {tuple(b.shape)} "
                f"({a.shape[-1]} != {b.shape[-2 if b.ndim > 1 else 0]})"
            )
        try:
            return np.matmul(a, b)
        except ValueError:
            raise RuntimeError(
                f"matmul: batch dimensions of {tuple(a.shape)} and {tuple(b.shape)} "
                "do not broadcast"
            ) from None

    def backward(self, grad):
        a, b = self.saved_inputs
        da, db = self.needs_input_grad
        if a.ndim == 1 and b.ndim == 1:
            return (grad * b if da else None), (grad * a if db else None)
        if a.ndim == 1:  # (n,) @ (..., n, m) -> (..., m)
            g = grad.unsqueeze(-2)
            return ((g @ b.mT).squeeze(-2) if da else None), (a.unsqueeze(-1) @ g if db else None)
        if b.ndim == 1:  # (..., n, k) @ (k,) -> (..., n)
            g = grad.unsqueeze(-1)
            return (g @ b.unsqueeze(-2) if da else None), ((a.mT @ g).squeeze(-1) if db else None)
        return (grad @ b.mT if da else None), (a.mT @ grad if db else None)


class Linear(Op):
    """x @ W^T + b (PyTorch's nn.Linear in one op, no transposed copy);
    d/dx = g @ W,  d/dW = g^T @ x,  d/db = sum of g over the leading axes."""

    def forward(self, x, weight, bias=None):
        self.keep_inputs(0, 1)
        if x.shape[-1] != weight.shape[-1]:
            raise RuntimeError(
                f"linear: mat1 and mat2 shapes cannot be multiplied "
                f"({int(np.prod(x.shape[:-1]))}x{x.shape[-1]} and "
                f"{weight.shape[1]}x{weight.shape[0]}) (input {tuple(x.shape)}, "
                f"weight {tuple(weight.shape)})"
            )
        out = x @ weight.T
        if bias is not None:
            out += bias
        return out

    def backward(self, grad):
        x, weight = self.saved_inputs
        needs = self.needs_input_grad
        gx = grad @ weight if needs[0] else None
        gw = None
        if needs[1]:
            g2 = grad.reshape(-1, grad.data.shape[-1]) if grad.ndim != 2 else grad
            x2 = x.reshape(-1, x.data.shape[-1]) if x.ndim != 2 else x
            gw = g2.mT @ x2
        if len(needs) == 2:
            return gx, gw
        return gx, gw, grad  # the engine sums the bias gradient over the leading axes


def parse_einsum(equation: str, n_operands: int) -> tuple[list[str], str]:
    """Operand subscripts and output subscripts of an einsum equation (explicit or implicit)."""
    eq = equation.replace(" ", "")
    lhs, _, rhs = eq.partition("->")
    subs = lhs.split(",")
    if len(subs) != n_operands:
        raise RuntimeError(f"einsum: equation '{equation}' names {len(subs)} operands, "
                           f"got {n_operands}")
    if "->" not in eq:
        letters = "".join(subs).replace("...", "")
        singles = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
        rhs = ("..." if any("..." in s for s in subs) else "") + singles
    return subs, rhs


def prepare_einsum(equation: str, operands: list) -> tuple[str, list]:
    """Rewrite an equation with '...' and repeated subscripts into one `Einsum` handles: the
    ellipsis becomes fresh letters (operands expanded to their broadcast shape, so gradients
    sum back), and an operand's repeated letters ('ii') become its diagonal (`Diagonal`)."""
    subs, out = parse_einsum(equation, len(operands))
    used = set("".join(subs) + out)
    fresh = [c for c in string.ascii_letters if c not in used]
    ranks = []
    for sub, x in zip(subs, operands):
        named = len(sub.replace("...", ""))
        if sub.count("...") > 1 or (out.count("...") > 1) or "." in sub.replace("...", ""):
            raise RuntimeError(f"einsum: invalid subscripts '{sub}' in '{equation}'")
        if ("..." in sub and x.ndim < named) or ("..." not in sub and x.ndim != named):
            raise RuntimeError(f"einsum: subscripts '{sub}' do not match an operand of shape "
                               f"{tuple(x.shape)} in '{equation}'")
        ranks.append(x.ndim - named if "..." in sub else 0)
    if "..." in out and not any("..." in s for s in subs):
        raise RuntimeError(f"einsum: output subscript '...' with no '...' operand in '{equation}'")
    width = max(ranks, default=0)
    ell = "".join(fresh[:width])
    starts = [s.find("...") for s in subs]  # letters before '...' = its first dim
    lead = [tuple(x.shape[p: p + r]) if p >= 0 else ()
            for p, x, r in zip(starts, operands, ranks)]
    try:
        bshape = np.broadcast_shapes(*lead)
    except ValueError:
        raise RuntimeError(f"einsum: the '...' dims of shapes {[tuple(x.shape) for x in operands]}"
                           f" do not broadcast in '{equation}'") from None
    new_subs, new_ops = [], []
    for sub, x, r, p in zip(subs, operands, ranks, starts):
        if p >= 0:
            shape = tuple(x.shape)
            if shape[p: p + r] != bshape or r < width:
                x = x.reshape(shape[:p] + (1,) * (width - r) + shape[p:]).expand(
                    shape[:p] + bshape + shape[p + r:])
            sub = sub.replace("...", ell)
        if len(set(sub)) != len(sub):
            unique = "".join(dict.fromkeys(sub))
            x = Diagonal.apply(x, sub=sub, out=unique)
            sub = unique
        new_subs.append(sub)
        new_ops.append(x)
    return ",".join(new_subs) + "->" + out.replace("...", ell), new_ops


def _diagonal_index(sub: str, out: str, shape: tuple) -> tuple:
    """Index arrays selecting x[sub] at the positions of out (repeated letters share one)."""
    sizes = dict(zip(sub, shape))
    grids = np.ix_(*[np.arange(sizes[c]) for c in out]) if out else ()
    return tuple(grids[out.index(c)] for c in sub)


class Diagonal(Op):
    """x's elements where repeated subscripts agree ('iij' -> 'ij');  the gradient is placed
    back on those positions (DiagonalEmbed, its adjoint)."""

    def forward(self, x, sub, out):
        self.sub, self.out, self.shape = sub, out, x.shape
        for c in set(sub):
            sizes = {n for a, n in zip(sub, x.shape) if a == c}
            if len(sizes) > 1:
                raise RuntimeError(f"einsum: subscript '{c}' is repeated for dims of different "
                                   f"sizes {sorted(sizes)} in '{sub}'")
        return x[_diagonal_index(sub, out, x.shape)]

    def backward(self, grad):
        return (DiagonalEmbed.apply(grad, sub=self.sub, out=self.out, shape=self.shape),)


class DiagonalEmbed(Op):
    """zeros(shape) with g on the positions where the repeated subscripts agree;  d/dg is the
    Diagonal of the gradient."""

    def forward(self, g, sub, out, shape):
        self.sub, self.out = sub, out
        full = np.zeros(shape, dtype=g.dtype)
        full[_diagonal_index(sub, out, shape)] = g
        return full

    def backward(self, grad):
        return (Diagonal.apply(grad, sub=self.sub, out=self.out),)


class Einsum(Op):
    """Sum of products over the repeated subscripts (np.einsum);  d/d(operand k) is the einsum
    of the output gradient with the other operands, broadcast over letters only k carries."""

    def forward(self, *arrays, equation):
        self.keep_inputs(*range(len(arrays)))
        self.equation = equation
        self.subs, self.out = parse_einsum(equation, len(arrays))
        for s, a in zip(self.subs, arrays):
            if len(s) != a.ndim:
                raise RuntimeError(f"einsum: subscripts '{s}' do not match an operand of shape "
                                   f"{tuple(a.shape)} in '{equation}'")
        return np.asarray(np.einsum(equation, *arrays, optimize=len(arrays) > 2))

    def backward(self, grad):
        operands = self.saved_inputs
        grads = []
        for k, (sub, x) in enumerate(zip(self.subs, operands)):
            if not self.needs_input_grad[k]:
                grads.append(None)
                continue
            others = [s for j, s in enumerate(self.subs) if j != k]
            seen = set(self.out).union(*others)
            kept = "".join(c for c in sub if c in seen)
            eq = ",".join([self.out, *others]) + "->" + kept
            g = Einsum.apply(grad, *[o for j, o in enumerate(operands) if j != k], equation=eq)
            if kept != sub:  # letters only this operand had were summed: spread over them
                shape = tuple(x.data.shape[i] if c in seen else 1 for i, c in enumerate(sub))
                g = g.reshape(shape).expand(x.data.shape)
            grads.append(g)
        return tuple(grads)
