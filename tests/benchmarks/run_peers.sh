#!/usr/bin/env bash
# Runs the peer benchmark (tests/benchmarks/peers/) and writes its table and plot into the docs.
#
# Usage: tests/benchmarks/run_peers.sh [path/to/peers_bench]
#   With no argument it compiles peers_bench itself into build-bench/ with
#   g++ -std=c++20 -O3 -march=native -DNDEBUG, the flags of the CMake target
#   (-DCTGRAD_BENCHMARKS=ON builds it as build/.../tests/benchmarks/peers_bench).
# Steps:
#   1. peers_bench --prepare: every implementation's loss and gradients against ctgrad's (aborts
#      on a relative difference above 1e-10), the peak heap of one call of each, and the inputs
#      and ctgrad's results for PyTorch;
#   2. ROUNDS rounds, each running peers_bench (REPS repetitions of every benchmark, Google
#      Benchmark's random interleaving) and then peers_torch.py (REPS repetitions, cases
#      shuffled), so the load of the machine falls on every implementation alike;
#   3. peers_bench --paired: ctgrad against the hand-written code in adjacent blocks of calls,
#      the ratio of each block pair (PAIRED_BLOCKS, default 301, of PAIRED_BLOCK_MS, default 2);
#   4. the median CPU time per call over all repetitions of all rounds, the ratios, and the peak
#      heap: a Markdown table between the peer-table markers of docs/performance.md, and the plot
#      docs/performance_peers.svg. DOCS=0 prints the table without touching the docs.
# Environment: CXX (default g++), ROUNDS (default 3), REPS (default 5), MIN_TIME (seconds per
#   repetition, default 0.1), OUT (default build-bench/peers).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cxx="${CXX:-g++}"
rounds="${ROUNDS:-3}"
reps="${REPS:-5}"
min_time="${MIN_TIME:-0.1}"
out="${OUT:-$root/build-bench/peers}"
mkdir -p "$out/data"
out="$(cd "$out" && pwd)"

# The allocation counter: linked into peers_bench, preloaded into python3.
gcc -O2 -shared -fPIC "$here/peers/heap_peak.c" -o "$out/libheap_peak.so"
bench="${1:-}"
if [[ -z "$bench" ]]; then
    bench="$out/peers_bench"
    echo "compiling: $cxx -std=c++20 -O3 -march=native -DNDEBUG peers_bench.cpp (about a minute)" >&2
    gcc -O2 -c "$here/peers/heap_peak.c" -o "$out/heap_peak.o"
    # TRILINOS_NO_CONFIG_H: Debian's Sacado_config.h asks for Kokkos headers that no Sacado package
    # installs; the reverse mode used here needs none of Kokkos.
    "$cxx" -std=c++20 -O3 -march=native -DNDEBUG -DTRILINOS_NO_CONFIG_H -I "$root/include" -I /usr/include/eigen3 \
        -I /usr/include/trilinos "$here/peers/peers_bench.cpp" "$out/heap_peak.o" -o "$bench" -ladolc -lbenchmark -lpthread
fi

# ADOL-C's fast path keeps the tape in memory; with its default buffers (524288 entries) the larger
# tapes (board at N = 512, mlp3 from N = 64) spill to ADOLC-*.tap files, read back on every sweep.
# Buffers sized for the largest tape here (mlp3 at N = 512: 6.7 MB of operations, 63 MB of
# locations, 18 MB of values, 37 MB of Taylor coefficients), read from .adolcrc in the working
# directory.
bench="$(cd "$(dirname "$bench")" && pwd)/$(basename "$bench")"
cd "$out"
printf '"OBUFSIZE" "10000000"\n"LBUFSIZE" "20000000"\n"VBUFSIZE" "4000000"\n"TBUFSIZE" "8000000"\n"TBUFNUM" "32"\n' >.adolcrc
"$bench" --prepare="$out/data"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
for ((round = 1; round <= rounds; round++)); do
    echo "round $round of $rounds: peers_bench" >&2
    "$bench" --benchmark_repetitions="$reps" --benchmark_enable_random_interleaving=true \
        --benchmark_min_time="$min_time" --benchmark_out="$out/cpp_$round.json" --benchmark_out_format=json >/dev/null
    echo "round $round of $rounds: PyTorch" >&2
    LD_PRELOAD="$out/libheap_peak.so" /usr/bin/python3 "$here/peers/peers_torch.py" "$out/data" \
        --reps "$reps" --min-time "$min_time" --out "$out/torch_$round.json"
done

echo "paired blocks: ctgrad against the hand-written code" >&2
"$bench" --paired="$out/paired.json"

python3 "$here/peers/report.py" --out "$out" --rounds "$rounds" \
    --commit "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo none)" \
    ${DOCS:+--docs "$DOCS"} --root "$root"
