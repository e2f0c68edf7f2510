"""Two-layer LSTM, GRU and RNN sequence classifiers (batch_first; the last layer's final hidden
state -> Linear -> CrossEntropyLoss), each trained a few Adam steps on random sequences."""
import torch
import torch.nn as nn


class SequenceClassifier(nn.Module):
    def __init__(self, recurrent, n_features, hidden, n_classes):
        super().__init__()
        self.rnn = recurrent(n_features, hidden, num_layers=2, batch_first=True)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x):  # x: (batch, time, features)
        _, h_n = self.rnn(x)
        if isinstance(h_n, tuple):  # LSTM returns (h_n, c_n)
            h_n = h_n[0]
        return self.head(h_n[-1])  # (batch, n_classes) from the last layer's final state


torch.manual_seed(0)
X = torch.randn(24, 10, 5)
y = torch.randint(0, 3, (24,))

for recurrent in (nn.LSTM, nn.GRU, nn.RNN):
    model = SequenceClassifier(recurrent, 5, 16, 3)
    print(recurrent.__name__, [name for name, _ in model.named_parameters()][:4])
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    criterion = nn.CrossEntropyLoss()
    for step in range(10):
        optimizer.zero_grad()
        logits = model(X)
        loss = criterion(logits, y)
        loss.backward()
        optimizer.step()
        if step % 3 == 0 or step == 9:
            acc = (logits.argmax(1) == y).float().mean()
            print(f"{recurrent.__name__} step {step} loss {loss.item():.6f} acc {acc.item():.4f}")
