#!/usr/bin/env bash
# Times tests/benchmarks/board_bench.cpp and prints the median time ratio ctgrad / hand-written Eigen.
#
# Usage: tests/benchmarks/run_board_bench.sh [path/to/board_bench]
#   With no argument (and no BOARD_BENCH in the environment) it compiles the benchmark itself with
#   g++ -std=c++20 -O3 -march=native -DNDEBUG into build-bench/board_bench, the same flags the
#   CMake target (-DCTGRAD_BENCHMARKS=ON) uses, so it needs no configured build tree.
# Environment: CXX (default g++), CTGRAD_INCLUDE (headers, default include/ here),
#   REPETITIONS (default 15), TARGET (default 1.10),
#   MIN_TIME (seconds per repetition, default 0.5),
#   BENCH_CPU (pin to this CPU with taskset, unset = no pinning).
# The benchmarks run with random interleaving, so drift in machine load hits both routes alike;
# ratios are taken between medians of the repetitions, of real time (the target) and of CPU time
# (less sensitive to other processes on a busy machine).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cxx="${CXX:-g++}"
reps="${REPETITIONS:-15}"
target="${TARGET:-1.10}"

bench="${1:-${BOARD_BENCH:-}}"
if [[ -z "$bench" ]]; then
    mkdir -p "$root/build-bench"
    bench="$root/build-bench/board_bench"
    echo "compiling: $cxx -std=c++20 -O3 -march=native -DNDEBUG board_bench.cpp" >&2
    "$cxx" -std=c++20 -O3 -march=native -DNDEBUG -I "${CTGRAD_INCLUDE:-$root/include}" -I /usr/include/eigen3 \
        "$here/board_bench.cpp" -o "$bench" -lbenchmark -lpthread
fi

out="$(mktemp /tmp/board_bench.XXXXXX.json)"
trap 'rm -f "$out"' EXIT

runner=()
if [[ -n "${BENCH_CPU:-}" ]] && command -v taskset >/dev/null; then runner=(taskset -c "$BENCH_CPU"); fi

"${runner[@]}" "$bench" \
    --benchmark_repetitions="$reps" \
    --benchmark_report_aggregates_only=true \
    --benchmark_enable_random_interleaving=true \
    --benchmark_min_time="${MIN_TIME:-0.5}" \
    --benchmark_out="$out" --benchmark_out_format=json

python3 - "$out" "$target" <<'PY'
import json, sys
path, target = sys.argv[1], float(sys.argv[2])
data = json.load(open(path))
stats = {}  # (run_name, aggregate) -> (real, cpu)
for b in data["benchmarks"]:
    if b.get("run_type") == "aggregate":
        stats[(b["run_name"], b["aggregate_name"])] = (b["real_time"], b["cpu_time"])
unit = next(b["time_unit"] for b in data["benchmarks"])
ctx = data["context"]
print()
print(f"{ctx.get('num_cpus')} CPUs at {ctx.get('mhz_per_cpu')} MHz; load average {ctx.get('load_avg')}")
print("medians over the repetitions; ratio = ctgrad / hand")
print(f"{'pair':<14} {'hand real':>11} {'ctgrad real':>12} {'ratio real':>10}"
      f" {'hand cpu':>10} {'ctgrad cpu':>11} {'ratio cpu':>10}   cv real hand/ctgrad")
for pair in ("static", "static_grads", "dynamic", "dynamic_grads"):
    h, c = f"{pair}/hand/64", f"{pair}/ctgrad/64"
    if (h, "median") not in stats or (c, "median") not in stats:
        print(f"{pair:<14} not in the output")
        continue
    (hr, hc), (cr, cc) = stats[(h, "median")], stats[(c, "median")]
    cvh, cvc = stats.get((h, "cv"), (0, 0))[0], stats.get((c, "cv"), (0, 0))[0]
    print(f"{pair:<14} {hr:>8.0f} {unit} {cr:>9.0f} {unit} {cr / hr:>10.3f}"
          f" {hc:>7.0f} {unit} {cc:>8.0f} {unit} {cc / hc:>10.3f}   {100 * cvh:.1f}% / {100 * cvc:.1f}%")
    if pair.startswith("static"):
        ratio = cr / hr
        print(f"{'':<14} {pair}: real-time ratio {ratio:.3f} "
              f"{'meets' if ratio <= target else 'MISSES'} the target <= {target:.2f}")
PY
