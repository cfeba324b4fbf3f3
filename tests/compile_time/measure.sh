#!/usr/bin/env bash
# Measures ctgrad's compile time and peak compiler memory, one translation unit at a time.
#
# Usage: tests/compile_time/measure.sh [D ...]        (default D list: 10 25 50 100)
# Probes, each compiled alone with
#   /usr/bin/time -v $CXX -std=c++20 -O2 -c -I include -I /usr/include/eigen3 <probe> -o <probe>.o
#   include_only   the umbrella header and Eigen, nothing instantiated (baseline)
#   hand_board     hand_board_tu.cpp: the board net's gradients written in plain Eigen, no ctgrad
#                  (what the same work costs without the library)
#   board          board_tu.cpp: the board net, eval(grads(L, W_1, b_1, W_2, b_2)), N at run time
#   board_static   the same with N = 64 fixed (-DBOARD_ROWS=64)
#   deep_D         gen_deep_net.py D: a D-layer tanh net of width 8, eval(grads(L, W_1..W_D))
# then board_tu.cpp once more with -ftime-report, keeping the phases that took the most wall time.
# Targets (g++ 12, -O2): board <= 5 s and <= 1 GiB; deep D=100 <= 60 s and <= 4 GiB.
#
# Environment: CXX (default g++; not through ccache), OUT (default build-compile-time/ in the
#   repository), CPU_LIMIT seconds of CPU per compile (default 900, ulimit -t), MEM_LIMIT_GIB
#   address-space cap per compile (default 12, ulimit -v), so a runaway instantiation fails
#   instead of exhausting the machine. CTGRAD_INCLUDE (default include/ of this checkout): the
#   headers to measure, e.g. a snapshot of a commit made with `git archive HEAD include | tar -x -C DIR`.
# "cpu s" (user + system) is the figure to read on a shared machine: wall time grows with the
#   load of other processes, CPU time hardly does.
# Output: a Markdown table on stdout (also written to $OUT/table.md) and $OUT/board.ftime-report.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cxx="${CXX:-g++}"
out="${OUT:-$root/build-compile-time}"
cpu_limit="${CPU_LIMIT:-900}"
mem_gib="${MEM_LIMIT_GIB:-12}"
depths=("$@")
[[ ${#depths[@]} -eq 0 ]] && depths=(10 25 50 100)

mkdir -p "$out"
include="${CTGRAD_INCLUDE:-$root/include}"
flags=(-std=c++20 -O2 -c -I "$include" -I /usr/include/eigen3)

# compile NAME SOURCE [extra flags...] -> prints one table row
compile() {
    local name="$1" src="$2"
    shift 2
    local log="$out/$name.time" err="$out/$name.stderr"
    (
        ulimit -v $((mem_gib * 1024 * 1024))
        ulimit -t "$cpu_limit"
        /usr/bin/time -v -o "$log" "$cxx" "${flags[@]}" "$@" "$src" -o "$out/$name.o"
    ) 2>"$err"
    local status=$?
    python3 - "$log" "$name" "$status" "$err" "$cpu_limit" <<'PY'
import re, sys
log, name, status, err, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], float(sys.argv[5])
text = open(log).read()
def field(label):
    m = re.search(re.escape(label) + r"\):?\s*(\S+)", text) or re.search(re.escape(label) + r":\s*(\S+)", text)
    return m.group(1) if m else None
wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss")
secs = 0.0
for part in wall.split(":"):
    secs = secs * 60 + float(part)
cpu = float(field("User time (seconds)") or 0) + float(field("System time (seconds)") or 0)
rss_mib = int(field("Maximum resident set size (kbytes)") or 0) / 1024
if status == 0:
    note = "ok"
elif cpu >= 0.9 * limit and "Killed signal" in open(err, errors="replace").read():
    note = f"stopped at the CPU limit ({limit:.0f} s): at least this much"
else:
    lines = [l for l in open(err, errors="replace") if "error" in l]
    note = f"failed (exit {status})" + (f": {lines[0].strip()[:120]}" if lines else "")
print(f"| {name} | {secs:.2f} | {cpu:.2f} | {rss_mib:.0f} | {note} |")
PY
}

{
    echo "compiler: $("$cxx" --version | head -1); flags: -std=c++20 -O2 -c"
    echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)"
    echo "commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo none); headers: $include"
    echo
    echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "| probe | wall s | cpu s | max RSS MiB | result |"
    echo "|---|---:|---:|---:|---|"
    compile include_only "$here/include_only.cpp"
    compile hand_board "$here/hand_board_tu.cpp"
    compile board "$here/board_tu.cpp"
    compile board_static "$here/board_tu.cpp" -DBOARD_ROWS=64
    for d in "${depths[@]}"; do
        python3 "$here/gen_deep_net.py" "$d" "$out/deep_$d.cpp"
        compile "deep_$d" "$out/deep_$d.cpp"
    done
} | tee "$out/table.md"

# Where the board unit's time goes: g++'s own per-phase report, items sorted by CPU time.
"$cxx" "${flags[@]}" -ftime-report "$here/board_tu.cpp" -o "$out/board_report.o" 2>"$out/board.ftime-report"
echo
echo "board_tu.cpp -ftime-report, phases and the items with most CPU time (full report: $out/board.ftime-report):"
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
        row = (float(m.group(2)) + float(m.group(3)), m.group(1), float(m.group(4)), m.group(5))
        (phases if m.group(1).startswith("phase ") else items).append(row)
def show(title, rows):
    print(f"{title:<40} {'cpu s':>7} {'wall s':>7} {'GGC mem':>9}")
    for cpu, name, wall, mem in rows:
        print(f"{name:<40} {cpu:>7.2f} {wall:>7.2f} {mem:>9}")
show("phase", phases)
print()
show("top items", sorted(items, reverse=True)[:12])
print("usr / sys / wall / GGC:", total)
PY
