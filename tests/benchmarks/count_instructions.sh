#!/usr/bin/env bash
# Instructions per call of each board_bench route, counted by valgrind (callgrind): a figure that,
# unlike time, does not move with the load of a shared machine.
#
# Usage: tests/benchmarks/count_instructions.sh
# Builds build-bench/board_bench_v3 with -march=x86-64-v3 (AVX2 + FMA: valgrind 3.19 cannot
# decode AVX-512, which -march=native may choose), runs each route COUNT times (default 1000)
# and 0 times under callgrind, and prints (difference / COUNT) per route and the ratio
# ctgrad / hand per pair. Environment: CXX, COUNT, CTGRAD_INCLUDE (headers, default include/ here).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cxx="${CXX:-g++}"
count="${COUNT:-1000}"
command -v valgrind >/dev/null || { echo "count_instructions.sh: valgrind is not installed" >&2; exit 1; }

mkdir -p "$root/build-bench"
bench="$root/build-bench/board_bench_v3"
echo "compiling: $cxx -std=c++20 -O3 -march=x86-64-v3 -DNDEBUG board_bench.cpp" >&2
"$cxx" -std=c++20 -O3 -march=x86-64-v3 -DNDEBUG -I "${CTGRAD_INCLUDE:-$root/include}" -I /usr/include/eigen3 \
    "$here/board_bench.cpp" -o "$bench" -lbenchmark -lpthread 2>/dev/null

refs() {  # refs ROUTE COUNT -> total instructions executed by the program
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bench" --run-once="$1:$2" 2>&1 |
        sed -n 's/.*I[[:space:]]*refs:[[:space:]]*//p' | tr -d ,
}

printf '%-14s %12s %12s %8s\n' pair hand ctgrad ratio
for pair in static static_grads dynamic dynamic_grads; do
    declare -A per
    for r in hand ctgrad; do
        base=$(refs "$pair/$r" 0)
        full=$(refs "$pair/$r" "$count")
        per[$r]=$(( (full - base) / count ))
    done
    printf '%-14s %12d %12d %8.3f\n' "$pair" "${per[hand]}" "${per[ctgrad]}" \
        "$(python3 -c "print(${per[ctgrad]} / ${per[hand]})")"
done
