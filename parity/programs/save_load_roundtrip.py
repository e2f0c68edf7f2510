"""Save a model's state dict, load it into a fresh model, and continue identically."""
import os
import tempfile

import torch
import torch.nn as nn

torch.manual_seed(4)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
x = torch.randn(10, 4)
before = model(x)

path = os.path.join(tempfile.mkdtemp(), "model.pt")
torch.save(model.state_dict(), path)

clone = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
print("different before loading:", not torch.allclose(clone(x), before))
result = clone.load_state_dict(torch.load(path))
print(result)
after = clone(x)
print("identical after loading:", torch.equal(after, before))
print([round(v, 6) for v in after.sum(dim=0).tolist()])
print(list(clone.state_dict().keys()))
