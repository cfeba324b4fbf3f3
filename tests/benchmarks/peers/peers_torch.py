#!/usr/bin/python3
"""PyTorch's side of the peer benchmark: the nets of peers_bench.cpp on the values it dumped.

Usage: peers_torch.py DIR [--reps R] [--min-time SECONDS] [--out FILE.json]

DIR is what `peers_bench --prepare=DIR` wrote (manifest.json and one .bin per case: parameters,
X, Y, then ctgrad's loss and gradients, float64, row-major). For every case this program
  1. computes the loss and torch.autograd.grad of it with respect to every parameter, and aborts
     unless they agree with ctgrad's to 1e-10 (max |a - b| over a gradient / max |b|, as
     peers_bench.cpp does);
  2. measures the peak heap of one call, when libheap_peak.so is preloaded (LD_PRELOAD; the
     counter is read through ctypes);
  3. times calls: R repetitions, the cases shuffled in each, every repetition running one case
     for at least SECONDS of CPU time; each sample is CPU seconds per call (time.process_time).
One thread (torch.set_num_threads(1)), float64 throughout. Output: JSON
{"samples": {"NET/torch/N": [seconds per call, ...]}, "heap": {"NET/N": bytes}}.
"""
import argparse
import ctypes
import json
import os
import random
import sys
import time

import numpy as np
import torch

TOLERANCE = 1e-10


def board(p, x, y):
    w1, b1, w2, b2 = p
    yhat = torch.tanh(torch.relu(x @ w1 + b1.T) @ w2 + b2.T)
    return ((yhat - y) ** 2).mean()


def mlp3(p, x, y):
    w1, b1, w2, b2, w3, b3 = p
    h1 = torch.tanh(x @ w1 + b1.T)
    h2 = torch.tanh(h1 @ w2 + b2.T)
    return ((h2 @ w3 + b3.T - y) ** 2).mean()


def classifier(p, x, y):
    w, b = p
    # Probability targets (the one-hot rows peers_bench wrote): the mean over rows of
    # -sum_j y_ij log softmax_ij, ctgrad's cross_entropy.
    return torch.nn.functional.cross_entropy(x @ w + b.T, y)


def residual(p, x, y):
    w0, b0, w1, b1, w2, b2, w3, b3 = p
    h = torch.tanh(x @ w0 + b0.T)
    h = h + torch.tanh(h @ w1 + b1.T)
    h = h + torch.tanh(h @ w2 + b2.T)
    return ((h @ w3 + b3.T - y) ** 2).mean()


# The nets by the name peers_bench.cpp gives them; a new net of nets.hpp gets its twin here.
NETS = {"board": board, "mlp3": mlp3, "classifier": classifier, "residual": residual}


def load_case(directory, case):
    data = np.fromfile(os.path.join(directory, case["file"]), dtype=np.float64)
    n, at = case["n"], 0

    def take(rows, cols):
        nonlocal at
        block = data[at:at + rows * cols].reshape(rows, cols)
        at += rows * cols
        return torch.from_numpy(block.copy())

    params = [take(p["rows"], p["cols"]).requires_grad_(True) for p in case["params"]]
    x = take(n, case["x_cols"])
    y = take(n, case["y_cols"])
    reference = data[at:]
    return params, x, y, reference


def one_call(net, params, x, y):
    loss = net(params, x, y)
    grads = torch.autograd.grad(loss, params)
    return loss, grads


def worst_difference(loss, grads, reference, case):
    parts = [np.array([loss.item()])] + [g.detach().numpy().reshape(-1) for g in grads]
    at, worst = 0, 0.0
    for part in parts:
        ref = reference[at:at + part.size]
        at += part.size
        scale = np.max(np.abs(ref))
        diff = np.max(np.abs(part - ref))
        worst = max(worst, diff / scale if scale > 0 else diff)
    if at != reference.size:
        return float("inf")
    return worst


def heap_counter():
    """The preloaded counter's functions, or None when it is not preloaded."""
    for path in os.environ.get("LD_PRELOAD", "").split(":"):
        if path.endswith("libheap_peak.so"):
            lib = ctypes.CDLL(path)
            lib.heap_peak_bytes.restype = ctypes.c_longlong
            return lib
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--min-time", type=float, default=0.1)
    parser.add_argument("--out")
    args = parser.parse_args()

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    torch.set_default_dtype(torch.float64)
    cases = json.load(open(os.path.join(args.directory, "manifest.json")))
    loaded = {}
    for case in cases:
        key = f"{case['net']}/{case['n']}"
        params, x, y, reference = load_case(args.directory, case)
        net = NETS[case["net"]]
        loss, grads = one_call(net, params, x, y)
        worst = worst_difference(loss, grads, reference, case)
        if not worst <= TOLERANCE:
            sys.exit(f"peers_torch: {key}: PyTorch differs from ctgrad, relative difference {worst:g} > {TOLERANCE:g}")
        print(f"peers_torch: {key}: PyTorch agrees with ctgrad to {TOLERANCE:g}", file=sys.stderr)
        loaded[key] = (net, params, x, y, case)

    heap = {}
    counter = heap_counter()
    if counter is not None:
        for key, (net, params, x, y, _) in loaded.items():
            one_call(net, params, x, y)
            counter.heap_peak_reset()
            one_call(net, params, x, y)
            heap[key] = counter.heap_peak_bytes()

    samples = {f"{c['net']}/torch/{c['n']}": [] for _, (_, _, _, _, c) in loaded.items()}
    keys = list(loaded)
    rng = random.Random(14)
    for _ in range(args.reps):
        rng.shuffle(keys)
        for key in keys:
            net, params, x, y, case = loaded[key]
            calls, start = 0, time.process_time()
            while True:
                one_call(net, params, x, y)
                calls += 1
                spent = time.process_time() - start
                if spent >= args.min_time:
                    break
            samples[f"{case['net']}/torch/{case['n']}"].append(spent / calls)

    result = {"torch": torch.__version__, "threads": torch.get_num_threads(), "samples": samples, "heap": heap}
    text = json.dumps(result, indent=1)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    else:
        print(text)


if __name__ == "__main__":
    main()
