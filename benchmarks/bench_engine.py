"""Time one training step (forward, backward, SGD update) in minigrad and in PyTorch, same run.

    python benchmarks/bench_engine.py [--threads 2] [--repeat 7]

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

    import torch

    import minigrad

    torch.set_num_threads(args.threads)
    rows = []
    for name, factory in [("2-4-1 sigmoid, batch 4", xor_step_factory),
                          ("784-256-128-10 MLP, batch 128", mlp_step_factory)]:
        mg = time_step(factory(minigrad), args.repeat)
        pt = time_step(factory(torch), args.repeat)
        rows.append((name, mg * 1e3, pt * 1e3, mg / pt))
    print(f"torch {torch.__version__}, {args.threads} threads, numpy {np.__version__}, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '-')}")
    print("| workload | minigrad ms/step | PyTorch ms/step | minigrad / PyTorch |")
    print("|---|---:|---:|---:|")
    for name, mg, pt, ratio in rows:
        print(f"| {name} | {mg:.3f} | {pt:.3f} | {ratio:.2f}x |")


if __name__ == "__main__":
    main()
