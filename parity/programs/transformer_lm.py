"""A tiny character-level Transformer language model (token + position embeddings, one causal
TransformerEncoderLayer, a linear head) trained for 10 Adam steps on a fixed random sequence."""
import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB, D_MODEL, N_HEAD, D_FF, BLOCK, BATCH = 11, 16, 2, 32, 8, 4


class TinyLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, D_MODEL)
        self.pos = nn.Embedding(BLOCK, D_MODEL)
        self.block = nn.TransformerEncoderLayer(D_MODEL, N_HEAD, D_FF, dropout=0.0,
                                                batch_first=True)
        self.head = nn.Linear(D_MODEL, VOCAB)

    def forward(self, idx):  # (B, T) token ids -> (B, T, VOCAB) logits
        t = idx.shape[1]
        x = self.tok(idx) + self.pos(torch.arange(t))  # (B, T, C)
        mask = nn.Transformer.generate_square_subsequent_mask(t)  # (T, T): -inf above diagonal
        x = self.block(x, src_mask=mask, is_causal=True)
        return self.head(x)


torch.manual_seed(0)
data = torch.randint(0, VOCAB, (BATCH, BLOCK + 1))
inputs, targets = data[:, :-1], data[:, 1:]

model = TinyLM()
print("parameters", sum(p.numel() for p in model.parameters()))
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)

for step in range(10):
    logits = model(inputs)
    loss = F.cross_entropy(logits.reshape(-1, VOCAB), targets.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print(step, round(loss.item(), 6))
