#!/usr/bin/env bash
# Measures ctgrad's compile time and peak compiler memory, one translation unit at a time.
#
# Usage: tests/compile_time/measure.sh [D ...]        (default D list: 10 25 50 100)
# Probes, each compiled alone with
#   /usr/bin/time -v $CXX -std=c++20 -O2 -c -I include -I /usr/include/eigen3 <probe> -o <probe>.o
#   include_only   the umbrella header and Eigen, nothing instantiated (baseline)
#   board          board_tu.cpp: the board net, eval(grads(L, W_1, b_1, W_2, b_2)), N at run time
#   board_static   the same with N = 64 fixed (-DBOARD_ROWS=64)
#   deep D         gen_deep_net.py D: a D-layer tanh net of width 8, eval(grads(L, W_1..W_D))
# then board_tu.cpp once more with -ftime-report, keeping the phases that took the most wall time.
# Targets (g++ 12, -O2): board <= 5 s and <= 1 GiB; deep D=100 <= 60 s and <= 4 GiB.
#
# Environment: CXX (default g++; not through ccache), OUT (default build-compile-time/ in the
#   repository), TIMEOUT seconds per compile (default 900), MEM_LIMIT_GIB address-space cap per
#   compile (default 12, so a runaway instantiation fails instead of exhausting the machine).
# Output: a Markdown table on stdout (also written to $OUT/table.md) and $OUT/board.ftime-report.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cxx="${CXX:-g++}"
out="${OUT:-$root/build-compile-time}"
timeout_s="${TIMEOUT:-900}"
mem_gib="${MEM_LIMIT_GIB:-12}"
depths=("$@")
[[ ${#depths[@]} -eq 0 ]] && depths=(10 25 50 100)

mkdir -p "$out"
flags=(-std=c++20 -O2 -c -I "$root/include" -I /usr/include/eigen3)

# compile NAME SOURCE [extra flags...] -> prints one table row
compile() {
    local name="$1" src="$2"
    shift 2
    local log="$out/$name.time" err="$out/$name.stderr"
    (
        ulimit -v $((mem_gib * 1024 * 1024))
        /usr/bin/time -v -o "$log" timeout "$timeout_s" "$cxx" "${flags[@]}" "$@" "$src" -o "$out/$name.o"
    ) 2>"$err"
    local status=$?
    python3 - "$log" "$name" "$status" "$err" <<'PY'
import re, sys
log, name, status, err = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
text = open(log).read()
def field(label):
    m = re.search(re.escape(label) + r"\):?\s*(\S+)", text) or re.search(re.escape(label) + r":\s*(\S+)", text)
    return m.group(1) if m else None
wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss")
secs = 0.0
for part in wall.split(":"):
    secs = secs * 60 + float(part)
user = float(field("User time (seconds)") or 0)
rss_mib = int(field("Maximum resident set size (kbytes)") or 0) / 1024
if status == 0:
    note = "ok"
elif status == 124:
    note = "timed out"
else:
    lines = [l for l in open(err, errors="replace") if "error" in l]
    note = f"failed (exit {status})" + (f": {lines[0].strip()[:120]}" if lines else "")
print(f"| {name} | {secs:.2f} | {user:.2f} | {rss_mib:.0f} | {note} |")
PY
}

{
    echo "compiler: $("$cxx" --version | head -1); flags: -std=c++20 -O2 -c"
    echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)"
    echo "commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo none)"
    echo
    echo "| probe | wall s | user s | max RSS MiB | result |"
    echo "|---|---:|---:|---:|---|"
    compile include_only "$here/include_only.cpp"
    compile board "$here/board_tu.cpp"
    compile board_static "$here/board_tu.cpp" -DBOARD_ROWS=64
    for d in "${depths[@]}"; do
        python3 "$here/gen_deep_net.py" "$d" "$out/deep_$d.cpp"
        compile "deep D=$d" "$out/deep_$d.cpp"
    done
} | tee "$out/table.md"

# Where the board unit's time goes: g++'s own per-phase report, phases sorted by wall time.
"$cxx" "${flags[@]}" -ftime-report "$here/board_tu.cpp" -o "$out/board_report.o" 2>"$out/board.ftime-report"
echo
echo "board_tu.cpp -ftime-report, top phases by wall time (full report: $out/board.ftime-report):"
python3 - "$out/board.ftime-report" <<'PY'
import re, sys
# " phase parsing    :   0.61 ( 28%)   0.11 ( 38%)   0.73 ( 29%)   96M ( 40%)"
pattern = re.compile(r"\s*(.+?)\s*:\s*([\d.]+)\s*\(\s*\d+%\)\s*([\d.]+)\s*\(\s*\d+%\)"
                     r"\s*([\d.]+)\s*\(\s*\d+%\)\s*(\S+)")
phases, items, total = [], [], ""
for line in open(sys.argv[1]):
    if line.strip().startswith("TOTAL"):
        total = " ".join(line.split())
        continue
    m = pattern.match(line)
    if m:
        row = (float(m.group(4)), m.group(1), float(m.group(2)), m.group(5))
        (phases if m.group(1).startswith("phase ") else items).append(row)
def show(title, rows):
    print(f"{title:<40} {'wall s':>7} {'user s':>7} {'GGC mem':>9}")
    for wall, name, usr, mem in rows:
        print(f"{name:<40} {wall:>7.2f} {usr:>7.2f} {mem:>9}")
show("phase", phases)
print()
show("top items", sorted(items, reverse=True)[:12])
print(total)
PY
