"""A training loop over a DataLoader of a TensorDataset, shuffled with the global seed."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(2)
X = torch.randn(100, 3)
y = X @ torch.tensor([[1.5], [-2.0], [0.5]]) + 0.3 + 0.05 * torch.randn(100, 1)
loader = DataLoader(TensorDataset(X, y), batch_size=16, shuffle=True)
print("batches per epoch", len(loader))

model = nn.Linear(3, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
loss_fn = nn.MSELoss()
for epoch in range(5):
    total = 0.0
    for xb, yb in loader:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        total += loss.item() * len(xb)
    print(f"epoch {epoch} mean loss {total / len(X):.6f}")
weights = [round(v, 5) for v in model.weight.flatten().tolist()]
print("weights", weights, round(model.bias.item(), 5))
