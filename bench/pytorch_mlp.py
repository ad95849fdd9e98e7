#!/usr/bin/python3
"""Plain-PyTorch counterpart of `submit.sh throughput`: the same MLP shape, batch size, optimizer
(Adam, lr 1e-3, MSE) and row count, 1 thread. Each epoch reshuffles the rows (randperm + index) and
steps through mini-batches. The first epoch is warm-up; prints the median samples/s of the rest as
one JSON line. Needs Debian's python3-torch; never a dependency of NeuralRate itself."""
import argparse
import json
import statistics
import time

import torch


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=200_000)
    p.add_argument("--features", type=int, default=20)
    p.add_argument("--hidden", default="32")
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--epochs", type=int, default=6)
    a = p.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(1)
    hidden = [int(h) for h in a.hidden.split(",")]
    x = torch.randn(a.rows, a.features)
    y = torch.tanh(x[:, ::3].sum(1) - 0.5 * x.sum(1)) + 0.1 * torch.randn(a.rows)
    layers, width = [], a.features
    for h in hidden:
        layers += [torch.nn.Linear(width, h), torch.nn.ReLU()]
        width = h
    model = torch.nn.Sequential(*layers, torch.nn.Linear(width, 1))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.MSELoss()
    rates = []
    for epoch in range(a.epochs):
        start = time.perf_counter()
        perm = torch.randperm(a.rows)
        xs, ys = x[perm], y[perm]
        for b in range(0, a.rows, a.batch):
            opt.zero_grad()
            loss = loss_fn(model(xs[b:b + a.batch]).squeeze(1), ys[b:b + a.batch])
            loss.backward()
            opt.step()
        if epoch > 0:
            rates.append(a.rows / (time.perf_counter() - start))
    print("PYTORCH " + json.dumps({"shape": f"{a.features}-{'-'.join(map(str, hidden))}-1", "rows": a.rows,
                                   "batch": a.batch, "pytorch_samples_per_s": round(statistics.median(rates)),
                                   "torch": torch.__version__}))


if __name__ == "__main__":
    main()
