"""Memory stays flat over training steps (the graph is freed after backward), and a long chain
backpropagates without recursion.

    python benchmarks/memory_check.py [--size 1500] [--steps 20] [--chain 100000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import minigrad


def rss_mib() -> float:
    """Resident set size of this process, from /proc (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1500)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--chain", type=int, default=100_000)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    n = args.size
    x = minigrad.tensor(rng.standard_normal((n, n)).astype(np.float32))
    w = minigrad.tensor((rng.standard_normal((n, n)) / np.sqrt(n)).astype(np.float32),
                        requires_grad=True)
    readings = []
    for step in range(1, args.steps + 1):
        h = (x @ w).tanh()
        loss = ((h @ w).sigmoid() * h).mean()
        loss.backward()
        with minigrad.no_grad():
            w -= 0.1 * w.grad
        w.grad = None
        readings.append(rss_mib())
        print(f"step {step:2d}  loss {loss.item():.6f}  rss {readings[-1]:.0f} MiB")
    growth = readings[-1] - readings[1]
    print(f"rss growth from step 2 to step {args.steps}: {growth:+.1f} MiB "
          f"(one {n}x{n} float32 array is {n * n * 4 / 2**20:.1f} MiB)")

    t0 = time.perf_counter()
    a = minigrad.tensor(1.0, requires_grad=True)
    y = a
    for _ in range(args.chain):
        y = y * 1.0001
    y.backward()
    print(f"{args.chain}-op chain: backward ok in {time.perf_counter() - t0:.2f} s, "
          f"grad {a.grad.item():.4f} "
          f"(expected {float(np.float32(1.0001)) ** args.chain:.4f} in float32)")


if __name__ == "__main__":
    main()
