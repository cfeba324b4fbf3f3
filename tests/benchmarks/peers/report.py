#!/usr/bin/env python3
"""The peer benchmark's report: medians, ratios and peak heap as Markdown, and an SVG plot.

Called by tests/benchmarks/run_peers.sh with the directory it filled: cpp_K.json (Google
Benchmark, every repetition), torch_K.json (peers_torch.py) for each round K, data/heap.json
(peers_bench --prepare), paired.json (peers_bench --paired: ctgrad and the hand-written code
timed in adjacent blocks, the steadier measure of their ratio). Each figure is the median over every repetition of every round of the
CPU time per call. The table replaces what lies between the peer-table markers of
docs/performance.md, and the plot is docs/performance_peers.svg, unless --docs 0.
"""
import argparse
import datetime
import json
import math
import os
import statistics

IMPLS = ["hand_static", "hand_dynamic", "ctgrad_static", "ctgrad_dynamic", "adolc", "sacado", "torch"]
TITLES = {"hand_static": "hand static", "hand_dynamic": "hand dynamic", "ctgrad_static": "ctgrad static",
          "ctgrad_dynamic": "ctgrad dynamic", "adolc": "ADOL-C", "sacado": "Sacado", "torch": "PyTorch"}
COLORS = {"hand_static": "#000000", "hand_dynamic": "#777777", "ctgrad_static": "#d62728",
          "ctgrad_dynamic": "#ff9896", "adolc": "#1f77b4", "sacado": "#2ca02c", "torch": "#9467bd"}
BEGIN, END = "<!-- peer-table:begin (written by tests/benchmarks/run_peers.sh) -->", "<!-- peer-table:end -->"

UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def load_samples(directory, rounds):
    samples, context = {}, {}
    for k in range(1, rounds + 1):
        data = json.load(open(os.path.join(directory, f"cpp_{k}.json")))
        context = data["context"]
        for b in data["benchmarks"]:
            if b.get("run_type") != "iteration":
                continue
            seconds = b["cpu_time"] * UNIT_SECONDS[b["time_unit"]]
            samples.setdefault(b["run_name"], []).append(seconds)
        torch = json.load(open(os.path.join(directory, f"torch_{k}.json")))
        for name, values in torch["samples"].items():
            samples.setdefault(name, []).extend(values)
    return samples, context, torch


def split(name):
    net, impl, n = name.split("/")
    return net, impl, int(n)


def microseconds(s):
    us = s * 1e6
    return f"{us:.3g}" if us < 1000 else f"{us:,.0f}".replace(",", " ")


def kib(b):
    return "0" if b == 0 else f"{b / 1024:.1f}"


def paired_ratio(paired, net, n, ours):
    """The median and quartiles of the adjacent-block ratios of `ours` to its hand-written twin, as text."""
    p = paired.get((net, n, ours))
    return "–" if p is None else f"**{p['ratio_median']:.3f}** ({p['ratio_q25']:.3f}–{p['ratio_q75']:.3f})"


def tables(medians, heap, torch_heap, nets, sizes, paired):
    out = []
    for net in nets:
        out.append(f"**{net}**, CPU µs per call (median):\n")
        out.append("| N | " + " | ".join(TITLES[i] for i in IMPLS) + " |")
        out.append("|---:|" + "---:|" * len(IMPLS))
        for n in sizes:
            cells = [microseconds(medians[(net, i, n)]) if (net, i, n) in medians else "–" for i in IMPLS]
            out.append(f"| {n} | " + " | ".join(cells) + " |")
        out.append("")
        out.append(f"**{net}**, ratios: ctgrad over hand-written (≤ 1 is at least as fast), and each peer over ctgrad static "
                   "(how many times slower the peer is):\n")
        out.append("| N | static / hand static, paired blocks (quartiles) | dynamic / hand dynamic, paired blocks (quartiles) | "
                   "ctgrad static / hand static | ctgrad dynamic / hand dynamic | ctgrad static / best hand | "
                   "ADOL-C / ctgrad | Sacado / ctgrad | PyTorch / ctgrad |")
        out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for n in sizes:
            m = lambda i: medians.get((net, i, n), math.nan)  # noqa: E731
            best_hand = min(m("hand_static"), m("hand_dynamic"))
            ct = m("ctgrad_static")
            out.append(f"| {n} | {paired_ratio(paired, net, n, 'ctgrad_static')} | {paired_ratio(paired, net, n, 'ctgrad_dynamic')} | "
                       f"{ct / m('hand_static'):.3f} | {m('ctgrad_dynamic') / m('hand_dynamic'):.3f} | "
                       f"{ct / best_hand:.3f} | {m('adolc') / ct:.0f}× | {m('sacado') / ct:.0f}× | {m('torch') / ct:.0f}× |")
        out.append("")
    out.append("Peak heap of one call (after a first call), KiB:\n")
    out.append("| net | N | " + " | ".join(TITLES[i] for i in IMPLS) + " |")
    out.append("|---|---:|" + "---:|" * len(IMPLS))
    for net in nets:
        for n in sizes:
            row = heap.get(f"{net}/{n}", {})
            cells = [kib(row[i]) if i in row else "–" for i in IMPLS[:-1]]
            t = torch_heap.get(f"{net}/{n}")
            cells.append(kib(t) if t is not None else "–")
            out.append(f"| {net} | {n} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def svg(medians, nets, sizes):
    """One log-log panel per net: time per call against N, a line per implementation."""
    pw, ph, ml, mr, mt, mb = 330, 260, 58, 10, 28, 40
    width, height = len(nets) * pw + 150, ph
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
             f'<rect width="{width}" height="{height}" fill="white"/>']
    xs = [math.log10(n) for n in sizes]
    for p, net in enumerate(nets):
        values = [v for (nn, _, _), v in medians.items() if nn == net]
        lo, hi = math.floor(math.log10(min(values) * 1e6)), math.ceil(math.log10(max(values) * 1e6))
        x0, y0, w, h = p * pw + ml, mt, pw - ml - mr, ph - mt - mb

        def px(x):
            return x0 + (x - xs[0]) / (xs[-1] - xs[0]) * w

        def py(us):
            return y0 + h - (math.log10(us) - lo) / (hi - lo) * h

        parts.append(f'<text x="{x0 + w / 2}" y="16" text-anchor="middle" font-weight="bold">{net}</text>')
        parts.append(f'<rect x="{x0}" y="{y0}" width="{w}" height="{h}" fill="none" stroke="#999"/>')
        for e in range(lo, hi + 1):
            y = py(10 ** e)
            parts.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + w}" y2="{y:.1f}" stroke="#eee"/>')
            parts.append(f'<text x="{x0 - 4}" y="{y + 4:.1f}" text-anchor="end">{10 ** e:g} µs</text>')
        for n in sizes:
            x = px(math.log10(n))
            parts.append(f'<text x="{x:.1f}" y="{y0 + h + 14}" text-anchor="middle">{n}</text>')
        parts.append(f'<text x="{x0 + w / 2}" y="{y0 + h + 30}" text-anchor="middle">batch size N (CPU time per call)</text>')
        for impl in IMPLS:
            points = [(px(math.log10(n)), py(medians[(net, impl, n)] * 1e6)) for n in sizes if (net, impl, n) in medians]
            if not points:
                continue
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{COLORS[impl]}" stroke-width="1.8"/>')
            for x, y in points:
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{COLORS[impl]}"/>')
    lx = len(nets) * pw + 10
    for k, impl in enumerate(IMPLS):
        y = mt + 10 + 18 * k
        parts.append(f'<line x1="{lx}" y1="{y}" x2="{lx + 20}" y2="{y}" stroke="{COLORS[impl]}" stroke-width="2"/>')
        parts.append(f'<text x="{lx + 26}" y="{y + 4}">{TITLES[impl]}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--rounds", type=int, required=True)
    parser.add_argument("--commit", default="none")
    parser.add_argument("--docs", default="1")
    parser.add_argument("--root", required=True)
    args = parser.parse_args()

    samples, context, torch = load_samples(args.out, args.rounds)
    medians = {split(name): statistics.median(values) for name, values in samples.items()}
    manifest = json.load(open(os.path.join(args.out, "data", "manifest.json")))
    nets = list(dict.fromkeys(case["net"] for case in manifest))  # peers_bench's order
    sizes = sorted({n for _, _, n in medians})
    heap = json.load(open(os.path.join(args.out, "data", "heap.json")))
    paired = {(p["net"], p["n"], p["ours"]): p for p in json.load(open(os.path.join(args.out, "paired.json")))}
    blocks = min((p["blocks"] for p in paired.values()), default=0)
    count = min(len(v) for v in samples.values())
    header = (f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC at commit {args.commit} by "
              f"`tests/benchmarks/run_peers.sh` ({args.rounds} rounds, at least {count} repetitions of each figure; "
              f"{context.get('num_cpus')} CPUs at {context.get('mhz_per_cpu')} MHz, load average "
              f"{', '.join(f'{x:.1f}' for x in context.get('load_avg', []))} at the last round; PyTorch {torch['torch']}, "
              f"{torch['threads']} thread). The paired columns: ctgrad and the hand-written code timed in {blocks} "
              f"adjacent blocks of about 2 ms of CPU each, the order alternating; the median of the block ratios and its "
              f"quartiles (a shared machine's drift, which moves separate medians by several percent, cancels in a "
              f"block pair).\n\n![time per call against N](performance_peers.svg)\n")
    text = header + "\n" + tables(medians, heap, torch.get("heap", {}), nets, sizes, paired)
    print(text)
    if args.docs != "0":
        doc = os.path.join(args.root, "docs", "performance.md")
        content = open(doc).read()
        if BEGIN not in content or END not in content:
            raise SystemExit(f"report.py: {doc} has no peer-table markers")
        before, rest = content.split(BEGIN, 1)
        after = rest.split(END, 1)[1]
        open(doc, "w").write(before + BEGIN + "\n" + text + "\n" + END + after)
        open(os.path.join(args.root, "docs", "performance_peers.svg"), "w").write(svg(medians, nets, sizes))
        print(f"\nwrote {doc} and docs/performance_peers.svg")


if __name__ == "__main__":
    main()
