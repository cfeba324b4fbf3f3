#!/usr/bin/env bash
# ctgrad-gen's latency on the board net (docs/performance.md, "The generator's latency"): the
# first derive of an empty cache (it prepares the precompiled headers), a new formula once they
# are prepared, the same command repeated, and the same three for check. Each line is what
# /usr/bin/time measures of ctgrad-gen and its children (the compiler, the program): wall, and
# CPU as user+system. On a loaded machine read the CPU column: wall grows with the load.
#
# Usage: tests/benchmarks/generator_latency.sh GEN [ROUNDS]
#   GEN     the ctgrad-gen to measure (e.g. build/gcc/generator/ctgrad-gen)
#   ROUNDS  new formulas measured for each command (default 3): the board with its target
#           renamed (Y to Q1, Q2, ...), each a program not yet in the cache.
# Environment: OTHER, a second ctgrad-gen (another build or branch); when set, each new formula
# is measured with OTHER then GEN, back to back, so that both see the same load.
set -euo pipefail

gen="${1:?usage: generator_latency.sh GEN [ROUNDS]}"
rounds="${2:-3}"
other="${OTHER:-}"
scratch="$(mktemp -d /tmp/ctgrad-gen-latency-XXXXXX)"
trap 'rm -rf "$scratch"' EXIT

board='mse(tanh(ReLU(X*W1 + b1^T)*W2 + b2^T), Y)'
claim='A1^T * ((2/n*(yhat - Y)) .* (1 - yhat^2))'

# timed LABEL CACHE GEN ARGS...: one line, "LABEL: 0.71 s wall, 0.62+0.07 s CPU".
timed() {
  local label=$1 cache=$2
  shift 2
  CTGRAD_GEN_CACHE="$cache" /usr/bin/time -f "$label: %e s wall, %U+%S s CPU" "$@" >/dev/null
}

gens=("$gen")
[[ -n $other ]] && gens=("$other" "$gen")
for g in "${gens[@]}"; do
  cache="$scratch/cache-${#g}-$(echo "$g" | md5sum | cut -c1-8)"
  timed "$g derive, first (prepares the headers)" "$cache" "$g" derive "$board" --format text
  timed "$g derive, repeated" "$cache" "$g" derive "$board" --format text
  timed "$g check, first (prepares the headers)" "$cache" "$g" check "$board" --dims Y=n,1 --wrt W2 --claim "$claim"
  timed "$g check, repeated" "$cache" "$g" check "$board" --dims Y=n,1 --wrt W2 --claim "$claim"
done
for command in derive check; do
  for k in $(seq 1 "$rounds"); do
    for g in "${gens[@]}"; do
      cache="$scratch/cache-${#g}-$(echo "$g" | md5sum | cut -c1-8)"
      formula="${board/Y)/Q$k)}"
      if [[ $command == derive ]]; then
        timed "$g derive, new formula" "$cache" "$g" derive "$formula" --format text
      else
        timed "$g check, new formula" "$cache" "$g" check "$formula" --dims "Q$k=n,1" --wrt W2 --claim "${claim/Y)/Q$k)}"
      fi
    done
  done
done
