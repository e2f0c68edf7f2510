"""The course's XOR network with minigrad.nn: Linear layers, Sigmoid, BCELoss and SGD.

    python examples/xor_nn.py [--epochs 2000] [--lr 1.0] [--seed 0]

Part 7 (hidden layers) shows that one neuron cannot separate XOR and that a hidden layer of
"specialists" can. This is that 2-4-1 network, written the way a PyTorch user would write it
(change the import to `torch` and it runs there too), with the course's Part 6 evaluation.
"""

from __future__ import annotations

import argparse

import minigrad as torch
from minigrad import nn
from minigrad.metrics import confusion_matrix, f1_score

# -- config ----------------------------------------------------------------------------------
EPOCHS, LR, SEED = 2000, 1.0, 0


class XORNet(nn.Module):
    """2 inputs -> 4 hidden sigmoid neurons -> 1 sigmoid output (a probability)."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = nn.Linear(2, 4)
        self.output = nn.Linear(4, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.sigmoid(self.hidden(x))  # (N, 4)
        return torch.sigmoid(self.output(h))  # (N, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description="Train the course's XOR network with nn.")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--lr", type=float, default=LR)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = torch.tensor([[0.0], [1.0], [1.0], [0.0]])
    model = XORNet()
    criterion = nn.BCELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    print(model)

    for epoch in range(1, args.epochs + 1):
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        if epoch == 1 or epoch % (args.epochs // 4) == 0:
            print(f"epoch {epoch:5d}  loss {loss.item():.5f}")

    model.eval()
    with torch.no_grad():
        probs = model(x).reshape(-1)
    predicted = (probs > 0.5).long()
    truth = y.reshape(-1).long()
    for row, p in zip(x.tolist(), probs.tolist()):
        print(f"  {row[0]:.0f} XOR {row[1]:.0f} -> {p:.3f}")
    accuracy = (predicted == truth).float().mean().item()
    print(f"accuracy {accuracy:.0%}  F1 {f1_score(truth, predicted):.2f}")
    print("confusion matrix (rows: true 0/1, columns: predicted 0/1):")
    print(confusion_matrix(truth, predicted))
    if accuracy < 1.0:
        raise SystemExit("XOR was not learned: try more epochs or another seed")


if __name__ == "__main__":
    main()
