"""An MLP classifier trained with SGD (momentum, nesterov, weight decay) and CrossEntropyLoss."""
import torch
import torch.nn as nn

torch.manual_seed(0)
X = torch.randn(256, 20)
true_w = torch.randn(20, 4)
y = (X @ true_w).argmax(dim=1)

model = nn.Sequential(
    nn.Linear(20, 64),
    nn.ReLU(),
    nn.Linear(64, 32),
    nn.Tanh(),
    nn.Linear(32, 4),
)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True,
                            weight_decay=1e-4)

for epoch in range(40):
    optimizer.zero_grad()
    logits = model(X)
    loss = criterion(logits, y)
    loss.backward()
    optimizer.step()
    if epoch % 5 == 0:
        acc = (logits.argmax(1) == y).float().mean()
        print(f"epoch {epoch} loss {loss.item():.6f} acc {acc.item():.4f}")

model.eval()
with torch.no_grad():
    print("final", criterion(model(X), y).item())
