#!/usr/bin/env bash
# Instructions per call of hand-written Eigen and ctgrad, static and dynamic, for every net and N
# of the peer benchmark, counted by valgrind (callgrind): independent of the machine's load.
#
# Usage: tests/benchmarks/peers/count_instructions.sh [NETS] [SIZES]   (default "board mlp3 classifier residual" "1 8 64")
# Builds one_call.cpp with -O3 -march=x86-64-v3 (valgrind cannot decode AVX-512), runs each
# implementation COUNT times and 0 times, and prints the difference / COUNT and the ratios
# ctgrad / hand. Environment: CXX (default g++), COUNT (default 200; 20 at N = 512).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
command -v valgrind >/dev/null || { echo "count_instructions.sh: valgrind is not installed" >&2; exit 1; }
mkdir -p "$root/build-bench"
bin="$root/build-bench/one_call"
"${CXX:-g++}" -std=c++20 -O3 -march=x86-64-v3 -DNDEBUG -I "$root/include" -I /usr/include/eigen3 "$here/one_call.cpp" -o "$bin"
refs() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$@" 2>&1 | sed -n 's/.*I[[:space:]]*refs:[[:space:]]*//p' | tr -d ,; }
printf '| net | N | hand static | ctgrad static | ratio | hand dynamic | ctgrad dynamic | ratio |\n|---|---:|---:|---:|---:|---:|---:|---:|\n'
for net in ${1:-board mlp3 classifier residual}; do
    for n in ${2:-1 8 64}; do
        count="${COUNT:-200}"
        [[ $n -ge 512 ]] && count=$((count / 10))
        declare -A per=()
        for impl in hand_static ctgrad_static hand_dynamic ctgrad_dynamic; do
            per[$impl]=$(( ($(refs "$net" "$n" "$impl" "$count") - $(refs "$net" "$n" "$impl" 0)) / count ))
        done
        awk -v net="$net" -v n="$n" -v hs="${per[hand_static]}" -v cs="${per[ctgrad_static]}" -v hd="${per[hand_dynamic]}" \
            -v cd="${per[ctgrad_dynamic]}" 'BEGIN { printf "| %s | %d | %d | %d | %.3f | %d | %d | %.3f |\n", net, n, hs, cs, cs / hs, hd, cd, cd / hd }'
    done
done
