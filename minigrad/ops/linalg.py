"""Matrix products."""

from __future__ import annotations

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
    if "." in eq:
        raise NotImplementedError("einsum: ellipsis ('...') subscripts are not supported")
    lhs, _, rhs = eq.partition("->")
    subs = lhs.split(",")
    if len(subs) != n_operands:
        raise RuntimeError(f"einsum: equation '{equation}' names {len(subs)} operands, "
                           f"got {n_operands}")
    if "->" not in eq:
        letters = "".join(subs)
        rhs = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    for s in subs:
        if len(set(s)) != len(s):
            raise NotImplementedError(f"einsum: repeated subscripts within one operand ('{s}', "
                                      "a diagonal) are not supported")
    return subs, rhs


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
