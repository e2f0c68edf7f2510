"""Handwritten digits (MNIST) with an MLP: the course's network at real-data scale.

    python examples/mnist_mlp.py --data ../shared/data [--epochs 2] [--limit 0]

Reads the four idx `.gz` files from `<data>/mnist/` (or `$MINIGRAD_DATA/mnist/`); if they are
missing it downloads them there first. Trains 784-128-10 (ReLU, dropout) with Adam and
cross-entropy, then reports test accuracy, macro F1 and the confusion matrix (Part 6).
"""

from __future__ import annotations

import argparse
import gzip
import os
import urllib.request
from pathlib import Path

import numpy as np

import minigrad as torch
from minigrad import nn
from minigrad.metrics import confusion_matrix, f1_score
from minigrad.utils.data import DataLoader, TensorDataset

# -- config ----------------------------------------------------------------------------------
EPOCHS, BATCH_SIZE, LR, HIDDEN, DROPOUT, SEED = 2, 128, 1e-3, 128, 0.1, 0
MIRROR = "https://ossci-datasets.s3.amazonaws.com/mnist/"
FILES = {"train_x": "train-images-idx3-ubyte.gz", "train_y": "train-labels-idx1-ubyte.gz",
         "test_x": "t10k-images-idx3-ubyte.gz", "test_y": "t10k-labels-idx1-ubyte.gz"}
MEAN, STD = 0.1307, 0.3081  # training-set pixel statistics (x / 255)


def load_mnist(root: Path) -> dict[str, np.ndarray]:
    """The four MNIST arrays, read from root/mnist, downloading a missing file first."""
    folder = root / "mnist"
    arrays = {}
    for key, name in FILES.items():
        path = folder / name
        if not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            print(f"downloading {name} to {folder}")
            urllib.request.urlretrieve(MIRROR + name, path)
        offset = 16 if key.endswith("_x") else 8  # idx header: images 16 bytes, labels 8
        data = np.frombuffer(gzip.open(path).read(), np.uint8, offset=offset)
        arrays[key] = data.reshape(-1, 784) if key.endswith("_x") else data.astype(np.int64)
    return arrays


def as_tensors(images: np.ndarray, labels: np.ndarray) -> tuple:
    x = (images.astype(np.float32) / 255 - MEAN) / STD  # (N, 784), normalised
    return torch.from_numpy(x), torch.from_numpy(labels)


def main() -> None:
    parser = argparse.ArgumentParser(description="Train an MLP on MNIST.")
    parser.add_argument("--data", default=os.environ.get("MINIGRAD_DATA", "data"))
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--limit", type=int, default=0, help="use only this many train images")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    mnist = load_mnist(Path(args.data))
    n = args.limit or len(mnist["train_y"])
    train_x, train_y = as_tensors(mnist["train_x"][:n], mnist["train_y"][:n])
    test_x, test_y = as_tensors(mnist["test_x"], mnist["test_y"])
    loader = DataLoader(TensorDataset(train_x, train_y), batch_size=BATCH_SIZE, shuffle=True)

    model = nn.Sequential(nn.Linear(784, HIDDEN), nn.ReLU(), nn.Dropout(DROPOUT),
                          nn.Linear(HIDDEN, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    criterion = nn.CrossEntropyLoss()
    print(f"{n} training images, {len(test_y)} test images; "
          f"{sum(p.numel() for p in model.parameters())} parameters")

    for epoch in range(1, args.epochs + 1):
        model.train()
        total = 0.0
        for xb, yb in loader:  # xb: (B, 784), yb: (B,)
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(yb)
        model.eval()
        with torch.no_grad():
            predicted = model(test_x).argmax(dim=1)
        accuracy = (predicted == test_y).float().mean().item()
        print(f"epoch {epoch}  train loss {total / n:.4f}  test accuracy {accuracy:.4f}")

    print(f"macro F1 {f1_score(test_y, predicted, average='macro'):.4f}")
    print("confusion matrix (rows: true digit, columns: predicted):")
    print(confusion_matrix(test_y, predicted))


if __name__ == "__main__":
    main()
