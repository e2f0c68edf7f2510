"""The course's XOR network (Part 7, hidden layers) trained from raw minigrad tensors.

    python examples/xor_from_tensors.py [--epochs 3000] [--lr 1.0] [--seed 0]

A 2-4-1 network, sigmoid activations, binary cross-entropy loss and plain gradient descent:
the backprop that Part 5 derived by hand is done here by `loss.backward()`, and the script
checks it against the hand-derived gradients once before training.
"""

from __future__ import annotations

import argparse

import numpy as np

import minigrad

# -- config ----------------------------------------------------------------------------------
EPOCHS, LR, SEED, HIDDEN = 3000, 1.0, 0, 4


def forward(x, w1, b1, w2, b2):
    hidden = (x @ w1 + b1).sigmoid()  # (4, HIDDEN): the specialist analysts
    return (hidden @ w2 + b2).sigmoid(), hidden  # (4, 1): probability of "1"


def bce(p, y):
    """Binary cross-entropy, Part 5: -mean(y log p + (1 - y) log(1 - p))."""
    return -(y * p.log() + (1 - y) * (1 - p).log()).mean()


def hand_derived_grads(x, y, w1, b1, w2, b2):
    """Part 5's backprop by hand (NumPy): sigmoid + BCE gives dL/dz2 = (p - y) / n."""
    h = 1 / (1 + np.exp(-(x @ w1 + b1)))
    p = 1 / (1 + np.exp(-(h @ w2 + b2)))
    dz2 = (p - y) / len(x)
    dh = dz2 @ w2.T
    dz1 = dh * h * (1 - h)
    return x.T @ dz1, dz1.sum(0), h.T @ dz2, dz2.sum(0)


def main() -> None:
    parser = argparse.ArgumentParser(description="Train the course's XOR network.")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--lr", type=float, default=LR)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()

    minigrad.manual_seed(args.seed)
    x = minigrad.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = minigrad.tensor([[0.0], [1.0], [1.0], [0.0]])
    w1 = minigrad.randn(2, HIDDEN, requires_grad=True)
    b1 = minigrad.zeros(HIDDEN, requires_grad=True)
    w2 = minigrad.randn(HIDDEN, 1, requires_grad=True)
    b2 = minigrad.zeros(1, requires_grad=True)
    params = [w1, b1, w2, b2]

    # Autograd against the hand-derived backprop of Part 5, before any training.
    p, _ = forward(x, *params)
    bce(p, y).backward()
    by_hand = hand_derived_grads(x.numpy(), y.numpy(), *(t.detach().numpy() for t in params))
    worst = max(float(np.abs(t.grad.numpy() - g).max()) for t, g in zip(params, by_hand))
    print(f"autograd vs hand-derived backprop: max abs difference {worst:.2e}")
    for t in params:
        t.grad = None

    for epoch in range(1, args.epochs + 1):
        p, _ = forward(x, *params)
        loss = bce(p, y)
        loss.backward()
        with minigrad.no_grad():
            for t in params:
                t -= args.lr * t.grad
                t.grad = None
        if epoch % (args.epochs // 5) == 0 or epoch == 1:
            print(f"epoch {epoch:5d}  loss {loss.item():.4f}")

    with minigrad.no_grad():
        p, _ = forward(x, *params)
    predictions = (p > 0.5).long().reshape(-1)
    accuracy = (predictions == y.long().reshape(-1)).float().mean().item()
    for row, prob in zip(x.tolist(), p.reshape(-1).tolist()):
        print(f"  {row[0]:.0f} XOR {row[1]:.0f} -> {prob:.3f}")
    print(f"accuracy {accuracy:.0%}")
    if accuracy < 1.0:
        raise SystemExit("XOR was not learned: try more epochs or another seed")


if __name__ == "__main__":
    main()
