#!/usr/bin/env python3
"""The training of examples/approximate_f.cpp, done in PyTorch, for a run-time comparison.

Same data (2000 evenly spaced points of [-0.05, 1.05], target f), same net
y = tanh(x W_1 + b_1^T) W_2 + b_2 with 64 hidden units, same initialisation scheme (its own
random numbers), float64, minibatches of 32 in a fresh random order each epoch, Adam with
PyTorch's defaults (betas 0.9, 0.999, eps 1e-8, as ctgrad's), the same cosine learning-rate
schedule, the same number of epochs and so of steps. Only the training loop is timed, in wall
and in CPU time (the process's, all threads).

Prints the training time, the steps, and the max |f - net| on 1001 points of [0, 1].
Needs Debian's python3-torch (run it with /usr/bin/python3).

Usage: approximate_f_torch.py [--epochs N] [--threads T] [--seed S]
Run by tests/benchmarks/run_approximate_f_vs_torch.sh next to the C++ example.
"""
import argparse
import math
import time

import torch


def f(x):
    return 0.2 + 0.4 * x ** 2 + 0.3 * x * torch.sin(15 * x) + 0.1 * torch.cos(50 * x)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (the C++ example uses one)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    dtype = torch.float64
    hidden, n, batch = 64, 2000, 32
    lr_start, lr_end = 0.01, 1e-5

    x = torch.linspace(-0.05, 1.05, n, dtype=dtype).reshape(-1, 1)
    y = f(x)

    g = torch.Generator().manual_seed(args.seed)
    sign = torch.where(torch.rand(1, hidden, generator=g) < 0.5, -1.0, 1.0).to(dtype)
    slope = (5 + 55 * torch.rand(1, hidden, generator=g, dtype=dtype)) * sign
    centre = (torch.arange(hidden, dtype=dtype) + torch.rand(hidden, generator=g, dtype=dtype)) / hidden
    W1 = slope.clone().requires_grad_()
    b1 = (-slope[0] * centre).clone().requires_grad_()
    W2 = (0.1 * torch.randn(hidden, 1, generator=g, dtype=dtype)).requires_grad_()
    b2 = torch.zeros(1, dtype=dtype, requires_grad=True)

    def net(inputs):
        return torch.tanh(inputs @ W1 + b1) @ W2 + b2

    optimizer = torch.optim.Adam([W1, b1, W2, b2], lr=lr_start)
    steps = 0
    start = time.perf_counter()
    cpu_start = time.process_time()
    for epoch in range(1, args.epochs + 1):
        lr = lr_end + 0.5 * (lr_start - lr_end) * (1 + math.cos(math.pi * (epoch - 1) / args.epochs))
        for group in optimizer.param_groups:
            group["lr"] = lr
        order = torch.randperm(n, generator=g)
        for first in range(0, n, batch):
            rows = order[first:first + batch]
            loss = torch.mean((net(x[rows]) - y[rows]) ** 2)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            steps += 1
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start

    with torch.no_grad():
        grid = torch.linspace(0, 1, 1001, dtype=dtype).reshape(-1, 1)
        worst = (net(grid) - f(grid)).abs().max().item()
    print(f"torch {torch.__version__}, {args.threads} thread(s), float64")
    print(f"training time: {seconds:.3f} s for {steps} steps ({1e6 * seconds / steps:.1f} us per step), "
          f"{cpu_seconds:.3f} s of CPU time")
    print(f"approximate_f_torch: max |f - net| on 1001 points of [0, 1] = {worst:.4f}")


if __name__ == "__main__":
    main()
