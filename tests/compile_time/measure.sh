#!/usr/bin/env bash
# Measures ctgrad's compile time and peak compiler memory, one translation unit at a time, for
# each compiler, and prints one Markdown table (for docs/performance.md) with the date and commit.
#
# Usage: tests/compile_time/measure.sh [PROBE ...]
# PROBE (default: headers board deep:10 deep:25 deep:50 deep:100 residual:10 residual:25
#        residual:50 residual:100 rnn:10 rnn:25 rnn:50 rnn:100):
#   headers        each public header include/ctgrad/*.hpp alone in a unit (its include cost,
#                  Eigen's included), next to <Eigen/Dense> alone
#   board          include_only (the umbrella header and Eigen, nothing instantiated),
#                  hand_board (hand_board_tu.cpp: the board net's gradients by hand in plain
#                  Eigen, no ctgrad), board (board_tu.cpp: eval(grads(L, W_1, b_1, W_2, b_2)), N at
#                  run time) and board_static (N = 64); hand_board and board are compiled
#                  alternately REPEAT times and the smallest CPU time of each is kept
#   deep:D         gen_deep_net.py D: a D-layer tanh chain of width 8, all D weight gradients
#   residual:D     gen_deep_net.py --kind residual D: H_k = H_(k-1) + tanh(H_(k-1) W_k + b_k^T)
#   rnn:D          gen_deep_net.py --kind rnn D: a recurrent cell unrolled D steps, a loss per step
#   D              (a bare number) deep:D, as the script's earlier interface
# Each compile: /usr/bin/time -v $CXX -std=c++20 -O2 -c -I include -I /usr/include/eigen3, at most
# TIMEOUT seconds of CPU time (ulimit -t; wall time 10 times that; then "timeout" in the table,
# and deeper nets of that kind are not compiled with that compiler), CPU seconds
# (user + system: the figure to read on a shared machine) and the compiler's peak RSS.
#
# Exit status: 1 when, for some compiler, the board unit takes more than 1.15 times the CPU
# time of hand_board (a regression visible on any machine, whatever its speed), or when a probe
# fails to compile (not a timeout); 0 otherwise.
#
# Environment: COMPILERS (default "g++ clang++-19"; not through ccache), TIMEOUT (default 120),
#   REPEAT (default 3), MEM_LIMIT_GIB address-space cap per compile (default 12, ulimit -v),
#   OUT (default build-compile-time/), CTGRAD_INCLUDE (default include/ of this checkout: the
#   headers to measure, e.g. a snapshot made with `git archive HEAD include | tar -x -C DIR`),
#   PHASES=1 also prints g++'s -ftime-report for the board unit.
# Output: the table on stdout and in $OUT/table.md.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
read -r -a compilers <<<"${COMPILERS:-g++ clang++-19}"
timeout_s="${TIMEOUT:-120}"
repeat="${REPEAT:-3}"
mem_gib="${MEM_LIMIT_GIB:-12}"
out="${OUT:-$root/build-compile-time}"
include="${CTGRAD_INCLUDE:-$root/include}"
probes=("$@")
[[ ${#probes[@]} -eq 0 ]] && probes=(headers board deep:10 deep:25 deep:50 deep:100 residual:10 residual:25 residual:50
    residual:100 rnn:10 rnn:25 rnn:50 rnn:100)
[[ -x /usr/bin/time ]] || { echo "measure.sh: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }
mkdir -p "$out"

# measure CXX NAME SOURCE [flags...] -> "cpu_s rss_mib" or "timeout" or "failed"; logs in $out.
measure() {
    local cxx="$1" name="$2" src="$3"
    shift 3
    local tag="${cxx##*/}_$name" status
    (
        ulimit -v $((mem_gib * 1024 * 1024))
        ulimit -t "$timeout_s"  # CPU seconds: a loaded machine must not turn a slow probe into a timeout
        exec /usr/bin/time -v -o "$out/$tag.time" timeout -k 5 $((timeout_s * 10)) \
            "$cxx" -std=c++20 -O2 -c -I "$include" -I /usr/include/eigen3 "$@" "$src" -o "$out/$tag.o"
    ) 2>"$out/$tag.stderr"
    status=$?
    if [[ $status -eq 124 || $status -eq 137 ]] ||
        { [[ $status -ne 0 ]] && grep -qiE "signal|CPU time limit" "$out/$tag.stderr"; }; then
        echo timeout
    elif [[ $status -ne 0 ]]; then
        echo failed
    else
        python3 - "$out/$tag.time" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def field(label):
    return float(re.search(re.escape(label) + r":\s*(\S+)", text).group(1))
cpu = field("User time (seconds)") + field("System time (seconds)")
print(f"{cpu:.2f} {field('Maximum resident set size (kbytes)') / 1024:.0f}")
PY
    fi
}

less() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

declare -A cell       # "probe|compiler" -> table cell
declare -A timed_out  # "compiler|kind" -> the smallest depth that ran out of time
rows=()
failed=0
record() {  # record PROBE COMPILER RESULT
    local key="$1|$2"
    [[ " ${rows[*]} " == *" $1 "* ]] || rows+=("$1")
    case "$3" in
        timeout) cell[$key]="timeout (> ${timeout_s} s CPU) | –" ;;
        failed) cell[$key]="failed | –"; failed=1 ;;
        *) read -r cpu rss <<<"$3"; cell[$key]="$cpu | $rss" ;;
    esac
}

probe_source() {  # probe_source KIND D -> path of the generated unit
    local file="$out/${1}_$2.cpp"
    python3 "$here/gen_deep_net.py" --kind "$1" "$2" "$file"
    echo "$file"
}

over=()
for cxx in "${compilers[@]}"; do
    for probe in "${probes[@]}"; do
        [[ "$probe" =~ ^[0-9]+$ ]] && probe="deep:$probe"
        case "$probe" in
            headers)
                echo '#include <Eigen/Dense>' >"$out/header_eigen.cpp"
                record "<Eigen/Dense> alone" "$cxx" "$(measure "$cxx" header_eigen "$out/header_eigen.cpp")"
                for h in "$include"/ctgrad/*.hpp; do
                    local_name="$(basename "$h" .hpp)"
                    echo "#include <ctgrad/$local_name.hpp>" >"$out/header_$local_name.cpp"
                    record "ctgrad/$local_name.hpp" "$cxx" "$(measure "$cxx" "header_$local_name" "$out/header_$local_name.cpp")"
                done
                ;;
            board)
                record include_only "$cxx" "$(measure "$cxx" include_only "$here/include_only.cpp")"
                best_hand_board="" best_board=""
                for ((k = 1; k <= repeat; k++)); do
                    for unit in hand_board board; do
                        src="$here/board_tu.cpp"
                        [[ $unit == hand_board ]] && src="$here/hand_board_tu.cpp"
                        result="$(measure "$cxx" "$unit" "$src")"
                        best="best_$unit"
                        # Keep the smallest CPU time; a timeout or failure only when nothing compiled.
                        if [[ ! "${!best}" =~ ^[0-9] ]] || { [[ "$result" =~ ^[0-9] ]] && less "${result% *}" "${!best% *}"; }; then
                            printf -v "$best" '%s' "$result"
                        fi
                    done
                done
                record hand_board "$cxx" "$best_hand_board"
                record board "$cxx" "$best_board"
                if [[ "$best_hand_board" =~ ^[0-9] && "$best_board" =~ ^[0-9] ]]; then
                    ratio="$(awk -v b="${best_board% *}" -v h="${best_hand_board% *}" 'BEGIN { printf "%.3f", b / h }')"
                    rows_ratio="board / hand_board (CPU)"
                    [[ " ${rows[*]} " == *" $rows_ratio "* ]] || rows+=("$rows_ratio")
                    cell["$rows_ratio|$cxx"]="**$ratio** | "
                    less 1.15 "$ratio" && over+=("$cxx: board / hand_board = $ratio > 1.15")
                fi
                record board_static "$cxx" "$(measure "$cxx" board_static "$here/board_tu.cpp" -DBOARD_ROWS=64)"
                ;;
            deep:* | residual:* | rnn:*)
                kind="${probe%%:*}" depth="${probe#*:}"
                # A net at least as deep as one that ran out of time is not compiled again.
                if [[ -n "${timed_out[$cxx|$kind]:-}" ]] && ((depth >= ${timed_out[$cxx|$kind]})); then
                    cell["$kind D=$depth|$cxx"]="timeout (not run: D=${timed_out[$cxx|$kind]} timed out) | –"
                    [[ " ${rows[*]} " == *" $kind D=$depth "* ]] || rows+=("$kind D=$depth")
                    continue
                fi
                src="$(probe_source "$kind" "$depth")"
                result="$(measure "$cxx" "${kind}_$depth" "$src")"
                [[ $result == timeout ]] && timed_out[$cxx|$kind]="$depth"
                record "$kind D=$depth" "$cxx" "$result"
                ;;
            *) echo "measure.sh: unknown probe '$probe'" >&2; exit 2 ;;
        esac
    done
done

commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo none)"
dirty="$(git -C "$root" status --porcelain -- include tests/compile_time 2>/dev/null | head -1)"
{
    echo "Compile time, $(date -u '+%Y-%m-%d %H:%M') UTC, commit $commit${dirty:+ (with uncommitted changes)}:" \
        "\`tests/compile_time/measure.sh ${probes[*]}\`, -std=c++20 -O2 -c, best of $repeat for hand_board and board;" \
        "$(nproc) cores, $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end."
    echo
    header="| probe |" rule="|---|"
    for cxx in "${compilers[@]}"; do
        version="$("$cxx" --version | head -1 | sed "s/ (.*)//; s/Debian //; s/ version//")"
        header+=" $version CPU s | peak MiB |"
        rule+="---:|---:|"
    done
    echo "$header"
    echo "$rule"
    for row in "${rows[@]}"; do
        line="| $row |"
        for cxx in "${compilers[@]}"; do line+=" ${cell[$row|$cxx]:-– | –} |"; done
        echo "$line"
    done
} | tee "$out/table.md"

if [[ "${PHASES:-0}" == 1 ]]; then
    g++ -std=c++20 -O2 -c -I "$include" -I /usr/include/eigen3 -ftime-report "$here/board_tu.cpp" -o "$out/board_report.o" \
        2>"$out/board.ftime-report"
    echo
    echo "g++ -ftime-report of board_tu.cpp, the largest items:"
    grep -E '^ [a-zA-Z]' "$out/board.ftime-report" | sort -t: -k2 -rn | head -15
fi

for line in "${over[@]}"; do echo "measure.sh: $line" >&2; done
[[ $failed -eq 1 ]] && echo "measure.sh: a probe failed to compile (logs in $out)" >&2
[[ ${#over[@]} -eq 0 && $failed -eq 0 ]]
