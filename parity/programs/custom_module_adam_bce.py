"""A custom Module with its own nn.Parameter, trained with Adam on BCEWithLogitsLoss."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class LogisticWithTemperature(nn.Module):
    def __init__(self, n_features):
        super().__init__()
        self.hidden = nn.Linear(n_features, 8)
        self.out = nn.Linear(8, 1)
        self.temperature = nn.Parameter(torch.ones(1))

    def forward(self, x):
        h = F.relu(self.hidden(x))
        return self.out(h).squeeze(-1) / self.temperature


torch.manual_seed(1)
X = torch.randn(128, 5)
y = ((X[:, 0] - 2 * X[:, 1] + 0.5 * X[:, 2]) > 0).float()

model = LogisticWithTemperature(5)
print(sorted(name for name, _ in model.named_parameters()))
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
loss_fn = nn.BCEWithLogitsLoss(pos_weight=torch.tensor(1.5))

for step in range(60):
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    if step % 10 == 0:
        print(step, round(loss.item(), 6), round(model.temperature.item(), 6))

with torch.no_grad():
    probs = torch.sigmoid(model(X))
    print("accuracy", ((probs > 0.5).float() == y).float().mean().item())
