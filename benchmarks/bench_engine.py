"""Time one training step (forward, backward, SGD update) in minigrad and in PyTorch, same run.

    python benchmarks/bench_engine.py [--threads 2] [--repeat 7]

Workloads: the course's 2-4-1 sigmoid network on the XOR batch (4 rows) with BCE, and a
784-256-128-10 ReLU MLP on a batch of 128 with cross-entropy; both written from raw tensors so
that the same function runs under either library. Prints ms per step and the ratio.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np


def xor_step_factory(lib):
    rng = np.random.default_rng(0)
    x = lib.tensor(np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32))
    y = lib.tensor(np.array([[0], [1], [1], [0]], dtype=np.float32))
    params = [lib.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True)
              for s in [(2, 4), (4,), (4, 1), (1,)]]
    w1, b1, w2, b2 = params

    def step():
        h = (x @ w1 + b1).sigmoid()
        p = (h @ w2 + b2).sigmoid()
        loss = -(y * p.log() + (1 - y) * (1 - p).log()).mean()
        loss.backward()
        with lib.no_grad():
            for w in params:
                w -= 0.5 * w.grad
                w.grad = None
        return loss

    return step


def mlp_step_factory(lib):
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((128, 784)).astype(np.float32))
    labels = lib.tensor(rng.integers(0, 10, size=(128, 1)))
    sizes = [(784, 256), (256, 128), (128, 10)]
    params = []
    for fan_in, fan_out in sizes:
        bound = 1 / np.sqrt(fan_in)
        params.append(lib.tensor(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32),
                                 requires_grad=True))
        params.append(lib.tensor(np.zeros(fan_out, dtype=np.float32), requires_grad=True))
    w1, b1, w2, b2, w3, b3 = params

    def step():
        h = (x @ w1 + b1).relu()
        h = (h @ w2 + b2).relu()
        logits = h @ w3 + b3
        loss = -logits.log_softmax(dim=1).gather(1, labels).mean()
        loss.backward()
        with lib.no_grad():
            for w in params:
                w -= 0.01 * w.grad
                w.grad = None
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
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    import minigrad
    import torch

    torch.set_num_threads(args.threads)
    rows = []
    for name, factory in [("2-4-1 sigmoid, batch 4", xor_step_factory),
                          ("784-256-128-10 MLP, batch 128", mlp_step_factory)]:
        mg = time_step(factory(minigrad), args.repeat)
        pt = time_step(factory(torch), args.repeat)
        rows.append((name, mg * 1e3, pt * 1e3, mg / pt))
    print(f"torch {torch.__version__}, {args.threads} threads, numpy {np.__version__}, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '-')}")
    print(f"| workload | minigrad ms/step | PyTorch ms/step | minigrad / PyTorch |")
    print("|---|---:|---:|---:|")
    for name, mg, pt, ratio in rows:
        print(f"| {name} | {mg:.3f} | {pt:.3f} | {ratio:.2f}x |")


if __name__ == "__main__":
    main()
