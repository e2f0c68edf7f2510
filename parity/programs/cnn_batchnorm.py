"""A small CNN (Conv2d, BatchNorm2d, ReLU, MaxPool2d, AdaptiveAvgPool2d, Flatten, Linear) trained
a few SGD steps on random images; prints the loss each step, then the eval-mode loss (BatchNorm
on its running statistics)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
X = torch.randn(16, 3, 12, 12)  # (N, C, H, W)
y = torch.randint(0, 4, (16,))

model = nn.Sequential(
    nn.Conv2d(3, 8, kernel_size=3, padding=1),  # (N, 8, 12, 12)
    nn.BatchNorm2d(8),
    nn.ReLU(),
    nn.MaxPool2d(2),  # (N, 8, 6, 6)
    nn.Conv2d(8, 16, kernel_size=3, padding=1, bias=False),
    nn.BatchNorm2d(16),
    nn.ReLU(),
    nn.AdaptiveAvgPool2d(1),  # (N, 16, 1, 1)
    nn.Flatten(),
    nn.Linear(16, 4),
)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

for step in range(8):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(X), y)
    loss.backward()
    optimizer.step()
    print(f"step {step} loss {loss.item():.6f}")

model.eval()
with torch.no_grad():
    print(f"eval loss {F.cross_entropy(model(X), y).item():.6f}")
    print(f"running mean {model[1].running_mean.mean().item():.6f}")
