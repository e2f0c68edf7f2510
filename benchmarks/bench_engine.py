"""Time one training step (forward, backward, SGD update) in minigrad and in PyTorch, same run.

    python benchmarks/bench_engine.py [--threads 2] [--repeat 5] [--rounds 3]

Workloads: the course's 2-4-1 sigmoid network on the XOR batch (4 rows) with BCE, and a
784-256-128-10 ReLU MLP on a batch of 128 with cross-entropy; both written with nn, the loss
module and optim.SGD, one function run under either library. Prints ms per step and ratios.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np


def xor_step_factory(lib):
    """The course's 2-4-1 sigmoid network on the XOR batch: nn.Linear, BCELoss, SGD."""
    lib.manual_seed(0)
    x = lib.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = lib.tensor([[0.0], [1.0], [1.0], [0.0]])
    model = lib.nn.Sequential(lib.nn.Linear(2, 4), lib.nn.Sigmoid(), lib.nn.Linear(4, 1),
                              lib.nn.Sigmoid())
    criterion = lib.nn.BCELoss()
    optimizer = lib.optim.SGD(model.parameters(), lr=0.5)

    def step():
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    return step


def mlp_step_factory(lib):
    """A 784-256-128-10 ReLU MLP on a batch of 128: nn.Linear, CrossEntropyLoss, SGD."""
    lib.manual_seed(0)
    x = lib.randn(128, 784)
    labels = lib.randint(0, 10, (128,))
    model = lib.nn.Sequential(lib.nn.Linear(784, 256), lib.nn.ReLU(), lib.nn.Linear(256, 128),
                              lib.nn.ReLU(), lib.nn.Linear(128, 10))
    criterion = lib.nn.CrossEntropyLoss()
    optimizer = lib.optim.SGD(model.parameters(), lr=0.01)

    def step():
        optimizer.zero_grad()
        loss = criterion(model(x), labels)
        loss.backward()
        optimizer.step()
        return loss

    return step


def numpy_xor_step_factory():
    """The same XOR step written by hand in NumPy (the course's Part 5 backprop): the floor."""
    rng = np.random.default_rng(0)
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([[0], [1], [1], [0]], dtype=np.float32)
    w1, b1 = rng.uniform(-0.7, 0.7, (4, 2)).astype(np.float32), np.zeros(4, np.float32)
    w2, b2 = rng.uniform(-0.5, 0.5, (1, 4)).astype(np.float32), np.zeros(1, np.float32)

    def step():
        h = 1 / (1 + np.exp(-(x @ w1.T + b1)))
        p = 1 / (1 + np.exp(-(h @ w2.T + b2)))
        loss = -np.mean(y * np.log(p) + (1 - y) * np.log1p(-p))
        dz2 = (p - y) / len(x)
        dz1 = (dz2 @ w2) * h * (1 - h)
        for param, grad in ((w2, dz2.T @ h), (b2, dz2.sum(0)), (w1, dz1.T @ x),
                            (b1, dz1.sum(0))):
            param -= 0.5 * grad
        return loss

    return step


def numpy_mlp_step_factory():
    """The same MLP step written by hand in NumPy: forward, backprop, SGD update."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((128, 784)).astype(np.float32)
    labels = rng.integers(0, 10, 128)
    sizes = [(256, 784), (128, 256), (10, 128)]
    ws = [rng.uniform(-1, 1, s).astype(np.float32) / np.float32(np.sqrt(s[1])) for s in sizes]
    bs = [np.zeros(s[0], np.float32) for s in sizes]

    def step():
        h1 = np.maximum(x @ ws[0].T + bs[0], 0)
        h2 = np.maximum(h1 @ ws[1].T + bs[1], 0)
        z = h2 @ ws[2].T + bs[2]
        z = z - z.max(1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(1, keepdims=True))
        loss = -logp[np.arange(128), labels].mean()
        dz = np.exp(logp)
        dz[np.arange(128), labels] -= 1
        dz /= 128
        grads = []
        for i, inp in ((2, h2), (1, h1), (0, x)):
            grads.append((i, dz.T @ inp, dz.sum(0)))
            if i:
                dz = (dz @ ws[i]) * (inp > 0)
        for i, gw, gb in grads:
            ws[i] -= 0.01 * gw
            bs[i] -= 0.01 * gb
        return loss

    return step


def time_step(step, repeat: int, min_time: float = 0.2) -> float:
    """Best-of-`repeat` mean seconds per call, each sample running at least min_time."""
    step()
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            step()
        if time.perf_counter() - t0 >= min_time:
            break
        n *= 2
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(n):
            step()
        best = min(best, (time.perf_counter() - t0) / n)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import torch

    import minigrad

    torch.set_num_threads(args.threads)
    rows = []
    for name, factory, by_hand in [
        ("2-4-1 sigmoid, batch 4", xor_step_factory, numpy_xor_step_factory),
        ("784-256-128-10 MLP, batch 128", mlp_step_factory, numpy_mlp_step_factory),
    ]:
        steps = {"minigrad": factory(minigrad), "torch": factory(torch), "numpy": by_hand()}
        best = {lib: float("inf") for lib in steps}
        for _ in range(args.rounds):  # alternate the libraries so load changes hit both alike
            for lib, step in steps.items():
                best[lib] = min(best[lib], time_step(step, args.repeat))
        rows.append((name, best["minigrad"] * 1e3, best["torch"] * 1e3, best["numpy"] * 1e3,
                     best["minigrad"] / best["torch"]))
    print(f"torch {torch.__version__}, {args.threads} threads, numpy {np.__version__}, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '-')}")
    print("| workload | minigrad ms/step | PyTorch ms/step | NumPy by hand ms/step "
          "| minigrad / PyTorch |")
    print("|---|---:|---:|---:|---:|")
    for name, mg, pt, hand, ratio in rows:
        print(f"| {name} | {mg:.3f} | {pt:.3f} | {hand:.3f} | {ratio:.2f}x |")


if __name__ == "__main__":
    main()
