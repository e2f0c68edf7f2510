"""Gradients of gradients: Newton's method on a quartic, a gradient penalty, and the Hessian
diagonal of a small function, all through autograd.grad(create_graph=True)."""
import torch

torch.manual_seed(0)

# Newton's method: x <- x - f'(x) / f''(x), both from autograd.
x = torch.tensor(3.0, requires_grad=True)
for step in range(6):
    f = x ** 4 - 3 * x ** 2 + x
    (g,) = torch.autograd.grad(f, x, create_graph=True)
    (h,) = torch.autograd.grad(g, x)
    with torch.no_grad():
        x -= g / h
    print(step, round(f.item(), 6), round(g.item(), 6))

# A gradient penalty: the input-gradient norm of a tanh layer, differentiated w.r.t. the weights.
w = torch.randn(3, 2, requires_grad=True)
inp = torch.randn(4, 3, requires_grad=True)
out = torch.tanh(inp @ w).sum()
(gin,) = torch.autograd.grad(out, inp, create_graph=True)
penalty = (gin.norm(dim=1) - 1).pow(2).mean()
penalty.backward()
print("penalty", penalty.item())
print("w.grad", w.grad.tolist())

# Hessian diagonal of sum(exp(v) * sin(v)) by differentiating each gradient component.
v = torch.tensor([0.1, 0.5, -0.3], requires_grad=True)
(gv,) = torch.autograd.grad((v.exp() * v.sin()).sum(), v, create_graph=True)
diag = [torch.autograd.grad(gv[i], v, retain_graph=True)[0][i].item() for i in range(3)]
print("hessian diag", diag)
