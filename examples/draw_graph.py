"""Seeing the graph: the course's XOR network drawn before and after training, and a deep
sigmoid net whose early layers' gradients vanish next to the same net with ReLU.

    python examples/draw_graph.py [--out graphs] [--format svg] [--depth 12]

Renders <name>.<format> with Graphviz's `dot` program (`apt-get install graphviz`); without it
writes the DOT text to <name>.dot instead. Needs the graphviz Python package (`pip install
graphviz`). `--out docs` regenerates the pictures in docs/ and the README.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from xor_nn import XORNet  # the 2-4-1 sigmoid network of examples/xor_nn.py

import minigrad as torch
from minigrad import nn
from minigrad.nn import init
from minigrad.viz import DotNotFoundError, gradient_report, make_dot

# -- config ----------------------------------------------------------------------------------
OUT, FORMAT, SEED = "graphs", "svg", 0
EPOCHS, LR = 2000, 1.0  # examples/xor_nn.py's training: SGD with momentum 0.9
DEPTH, WIDTH, BATCH = 12, 32, 64  # the deep nets: DEPTH hidden layers of WIDTH units


def save(graph, out: Path, name: str, fmt: str) -> None:
    """Render with Graphviz's dot program; without it, write the DOT text instead."""
    try:
        print(f"wrote {graph.render(out / name, format=fmt, cleanup=True)}")
    except DotNotFoundError as err:
        print(f"wrote {graph.save(out / f'{name}.dot')}; picture skipped: {err}")


def xor_graphs(out: Path, fmt: str) -> None:
    """The XOR network's graph at initialisation and after training, gradients included."""
    torch.manual_seed(SEED)
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = torch.tensor([[0.0], [1.0], [1.0], [0.0]])
    model, criterion = XORNet(), nn.BCELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9)
    params = dict(model.named_parameters())
    for epoch in range(EPOCHS + 1):
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward(retain_graph=epoch in (0, EPOCHS))  # keep the graphs we draw
        if epoch in (0, EPOCHS):
            stage = "before" if epoch == 0 else "after"
            print(f"\nXOR {stage} training, loss {loss.item():.4f}")
            print(gradient_report(model))
            name = "xor_graph" if epoch == 0 else "xor_graph_trained"
            save(make_dot(loss, params=params, model=model), out, name, fmt)
        optimizer.step()


def deep_net(activation: type, depth: int) -> nn.Sequential:
    """depth x (Linear, activation), then Linear to one logit; He init for every layer."""
    layers: list = []
    for i in range(depth):
        layers += [nn.Linear(2 if i == 0 else WIDTH, WIDTH), activation()]
    layers.append(nn.Linear(WIDTH, 1))
    for layer in layers:
        if isinstance(layer, nn.Linear):
            init.kaiming_normal_(layer.weight, nonlinearity="relu")
            init.zeros_(layer.bias)
    return nn.Sequential(*layers)


def deep_graphs(out: Path, fmt: str, depth: int) -> None:
    """The same deep net with Sigmoid and with ReLU, side by side, one node per module."""
    nets, losses = nn.ModuleDict(), []
    for activation in (nn.Sigmoid, nn.ReLU):
        torch.manual_seed(SEED)
        name = activation.__name__.lower()
        nets[name] = model = deep_net(activation, depth)
        x = torch.randn(BATCH, 2)  # (B, 2)
        y = ((x[:, 0] * x[:, 1]) > 0).float().unsqueeze(1)  # (B, 1): XOR of the signs
        loss = nn.BCEWithLogitsLoss()(model(x), y)
        loss.backward(retain_graph=True)
        losses.append(loss)
        print(f"\n{depth}-layer {activation.__name__} net, loss {loss.item():.4f}")
        print(gradient_report(model))
    graph = make_dot(tuple(losses), params=dict(nets.named_parameters()), model=nets,
                     collapse="module")
    save(graph, out, "deep_sigmoid_vs_relu", fmt)


def main() -> None:
    parser = argparse.ArgumentParser(description="Draw minigrad graphs with gradient colours.")
    parser.add_argument("--out", default=OUT)
    parser.add_argument("--format", default=FORMAT)
    parser.add_argument("--depth", type=int, default=DEPTH)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    xor_graphs(out, args.format)
    deep_graphs(out, args.format, args.depth)


if __name__ == "__main__":
    main()
