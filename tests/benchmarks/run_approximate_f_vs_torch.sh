#!/usr/bin/env bash
# Times examples/approximate_f (ctgrad, C++) and tests/benchmarks/approximate_f_torch.py (the
# same training in PyTorch) one after the other on this machine, and prints the ratio of their
# training times. A figure for docs/performance.md, not a CI test.
#
# Usage: tests/benchmarks/run_approximate_f_vs_torch.sh [epochs [binary]]
#   epochs  default 300, as the example
#   binary  an already built examples/approximate_f; without it the script configures build/gcc
#           (Release, through .ci/common.sh) and builds only that target
# Needs Debian's python3-torch (`apt-get install python3-torch`).
set -euo pipefail
source "$(dirname "$0")/../../.ci/common.sh"

epochs=${1:-300}
python=/usr/bin/python3   # Debian's python3-torch installs for the system interpreter
if ! "$python" -c "import torch" 2>/dev/null; then
  echo "PyTorch is missing: apt-get install python3-torch" >&2
  exit 1
fi

binary=${2:-}
if [[ -z "$binary" ]]; then
  configure gcc >/dev/null
  cmake --build "$build_dir" -j "$jobs" --target example_approximate_f >/dev/null
  binary="$build_dir/examples/approximate_f"
fi
binary=$(realpath "$binary")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# Each program times its own training loop only (not start-up, data or evaluation).
cpp_log=$(cd "$out" && "$binary" --quiet --epochs "$epochs")
torch_log=$("$python" "$repo_root/tests/benchmarks/approximate_f_torch.py" --epochs "$epochs" --threads 1)

seconds_of() { sed -n 's/^training time: \([0-9.]*\) s.*/\1/p' <<<"$1"; }
cpu_seconds_of() { sed -n 's/^training time: .*, \([0-9.]*\) s of CPU time$/\1/p' <<<"$1"; }
cpp_s=$(seconds_of "$cpp_log")
torch_s=$(seconds_of "$torch_log")
cpp_cpu=$(cpu_seconds_of "$cpp_log")
torch_cpu=$(cpu_seconds_of "$torch_log")

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(g++ --version | head -1)"
echo "--- ctgrad ($binary) ---"
grep -E '^(training time|approximate_f:)' <<<"$cpp_log"
echo "--- PyTorch (tests/benchmarks/approximate_f_torch.py) ---"
grep -E '^(torch|training time|approximate_f_torch:)' <<<"$torch_log"
echo "load average before: $load_before"
awk -v c="$cpp_s" -v t="$torch_s" -v cc="$cpp_cpu" -v tc="$torch_cpu" 'BEGIN {
  printf "CPU-time ratio PyTorch / ctgrad = %.1f (training %.3f s vs %.3f s of CPU time)\n", tc / cc, tc, cc
  printf "run-time ratio PyTorch / ctgrad = %.1f (training %.3f s vs %.3f s wall)\n", t / c, t, c }'
