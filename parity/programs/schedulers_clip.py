"""Learning-rate schedulers with gradient clipping (the course's exploding-gradient remedy)."""
import torch
import torch.nn as nn

torch.manual_seed(3)
X = torch.randn(64, 10)
y = torch.randn(64, 1) * 3
model = nn.Sequential(nn.Linear(10, 32), nn.Sigmoid(), nn.Linear(32, 1))
opt = torch.optim.AdamW(model.parameters(), lr=0.05, weight_decay=0.01)
warmup = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=5)
cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=20)
sched = torch.optim.lr_scheduler.SequentialLR(opt, [warmup, cosine], milestones=[5])

for step in range(25):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(X), y)
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    opt.step()
    sched.step()
    print(step, f"{loss.item():.6f}", f"{norm.item():.6f}", f"{sched.get_last_lr()[0]:.8f}")

opt2 = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.5)
step_lr = torch.optim.lr_scheduler.StepLR(opt2, step_size=3, gamma=0.5)
for _ in range(8):
    opt2.zero_grad()
    nn.functional.mse_loss(model(X), y).backward()
    torch.nn.utils.clip_grad_value_(model.parameters(), 0.1)
    opt2.step()
    step_lr.step()
    print("step_lr", step_lr.get_last_lr())
