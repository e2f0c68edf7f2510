"""Time make_dot on a 3,000-layer chain (Linear + Tanh per layer): DOT source, then SVG.

    python benchmarks/bench_viz.py [--layers 3000] [--render]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time

import minigrad
from minigrad import nn
from minigrad.viz import make_dot


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", type=int, default=3000)
    parser.add_argument("--render", action="store_true", help="also render SVG with dot")
    args = parser.parse_args()

    minigrad.manual_seed(0)
    layers = []
    for _ in range(args.layers):
        layers += [nn.Linear(2, 2), nn.Tanh()]
    model = nn.Sequential(*layers)
    out = model(minigrad.randn(1, 2)).sum()
    params = dict(model.named_parameters())
    for label, kwargs in [("before backward", {}), ("collapse='module'", {"collapse": "module"})]:
        t0 = time.perf_counter()
        source = make_dot(out, params=params, model=model, **kwargs).source
        print(f"{args.layers}-layer chain, {label}: DOT source of {len(source):,} characters "
              f"in {time.perf_counter() - t0:.2f} s")
    out.backward(retain_graph=True)
    t0 = time.perf_counter()
    dot = make_dot(out, params=params, model=model)
    print(f"{args.layers}-layer chain, after backward (gradient colours): "
          f"{time.perf_counter() - t0:.2f} s")
    if args.render:
        if shutil.which("dot") is None:
            print("dot is not installed: skipping the SVG render")
            return
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            dot.render(f"{tmp}/chain", format="svg")
        print(f"rendered SVG with dot in {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
