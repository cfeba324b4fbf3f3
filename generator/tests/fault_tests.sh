#!/usr/bin/env bash
# ctgrad-gen under faults and load: one CTest case per function below (cli_tests.cmake registers
# them as cli.fault.<name>). Usage: fault_tests.sh <ctgrad-gen> <scratch dir> <case>
# Each case works in its own empty cache under <scratch dir>, so none depends on another or on
# the shared test cache, and compiles only tiny formulas (a few seconds each on 2 cores).
set -uo pipefail

gen=$1
scratch=$2
case_name=$3
rm -rf "$scratch"
mkdir -p "$scratch"
cd "$scratch" || exit 1

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# expect_exit <code> <stdout file> <stderr file> <command...>: runs it, checks the exit code.
expect_exit() {
  local want=$1 out=$2 err=$3
  shift 3
  "$@" >"$out" 2>"$err"
  local got=$?
  if [[ $got -ne $want ]]; then
    echo "--- stdout:" >&2; cat "$out" >&2
    echo "--- stderr:" >&2; cat "$err" >&2
    fail "exit $got, expected $want: $*"
  fi
}

# no_bug_report <stderr file>: the user's environment is never called a ctgrad bug, and the
# error is one line that names the compiler's variable.
environment_error() {
  local err=$1
  grep -q "bug" "$err" && fail "an environment failure is reported as a bug: $(cat "$err")"
  [[ $(grep -c "^error: " "$err") -eq 1 ]] || fail "expected one error line, got: $(cat "$err")"
  grep -q "CTGRAD_GEN_CXX" "$err" || fail "the error does not name CTGRAD_GEN_CXX: $(cat "$err")"
}

# The line of a derive of sum(X*W) that gives dL/dW.
gradient_line() {
  grep -m1 "∂L/∂W = " "$1"
}

# --- 8 processes on one empty cache: 4 with one formula, 4 with four others -----------------
concurrency() {
  local cache=$scratch/cache formulas=("sum(X*W)" "sum(X*W)" "sum(X*W)" "sum(X*W)"
    "sum(tanh(X*W))" "sum(exp(X*W))" "sum(relu(X*W))" "sum(sigmoid(X*W))")
  # A line of each derivation that only its own formula gives.
  local expected=("∂L/∂W = Xᵀ 𝟏_(n×H)" "∂L/∂W = Xᵀ 𝟏_(n×H)" "∂L/∂W = Xᵀ 𝟏_(n×H)" "∂L/∂W = Xᵀ 𝟏_(n×H)"
    "= ∂L/∂ŷ ⊙ (1 - tanh²(Z₁))" "= ∂L/∂ŷ ⊙ exp(Z₁)" "= ∂L/∂ŷ ⊙ I{Z₁ > 0}" "= ∂L/∂ŷ ⊙ σ(Z₁) ⊙ (1 - σ(Z₁))")
  local pids=() i
  for i in "${!formulas[@]}"; do
    CTGRAD_GEN_CACHE=$cache "$gen" derive "${formulas[$i]}" --format text >"out$i" 2>"err$i" &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { cat "err$i" >&2; fail "process $i (${formulas[$i]}) exited $?"; }
  done
  for i in "${!formulas[@]}"; do
    grep -qF "${expected[$i]}" "out$i" || fail "process $i (${formulas[$i]}) printed no '${expected[$i]}': $(cat "out$i")"
  done
  for i in 1 2 3; do
    cmp -s out0 "out$i" || fail "processes 0 and $i ran the same formula but printed different text"
  done
  local programs leftovers
  programs=$(find "$cache" -mindepth 2 -maxdepth 2 -name program | wc -l)
  leftovers=$(find "$cache" -mindepth 1 -maxdepth 1 -name 'tmp-*' | wc -l)
  [[ $programs -eq 5 ]] || fail "expected 5 programs in the cache (5 formulas), found $programs"
  [[ $leftovers -eq 0 ]] || fail "$leftovers build directories were left in the cache"
}

# --- SIGKILL: the compiler killed halfway, then ctgrad-gen itself killed halfway --------------
# Waits until the compiler runs (ctgrad-gen's child), prints its pid.
compiler_of() {
  local gen_pid=$1 child="" tries=0
  while [[ -z $child && $tries -lt 600 ]]; do
    child=$(ps -o pid= --ppid "$gen_pid" | head -n1 | tr -d ' ')
    sleep 0.05
    tries=$((tries + 1))
  done
  [[ -n $child ]] || fail "ctgrad-gen started no compiler within 30 s"
  echo "$child"
}

sigkill() {
  local cache=$scratch/cache formula="sum(tanh(X*W))"
  # The headers are precompiled once per cache (a killed header compile only falls back to
  # compiling without them): prepare them first, so the kill below hits the program's compile.
  CTGRAD_GEN_CACHE=$cache "$gen" derive "sum(X*W)" --format text >/dev/null 2>&1 || fail "preparing the headers failed"
  local prepared
  prepared=$(find "$cache" -mindepth 2 -maxdepth 2 -name program | wc -l)
  # 1. The compiler (its whole process group: driver, cc1plus, as, ld) dies of SIGKILL.
  CTGRAD_GEN_CACHE=$cache "$gen" derive "$formula" --format text >out1 2>err1 &
  local gen_pid=$! compiler
  compiler=$(compiler_of "$gen_pid")
  # At once: a derive program compiles in well under a second on an idle machine, so a pause
  # here would let it finish.
  kill -KILL -- "-$compiler" 2>/dev/null
  wait "$gen_pid"
  local code=$?
  [[ $code -eq 3 ]] || { cat err1 >&2; fail "a killed compiler: exit $code, expected 3"; }
  environment_error err1
  grep -q "killed by signal 9" err1 || fail "the error does not say the compiler was killed: $(cat err1)"
  [[ $(find "$cache" -mindepth 2 -maxdepth 2 -name program | wc -l) -eq $prepared ]] || fail "a killed compile left a program in the cache"

  # 2. ctgrad-gen itself dies of SIGKILL mid-compile; its orphaned compiler is stopped too.
  CTGRAD_GEN_CACHE=$cache "$gen" derive "$formula" --format text >out2 2>err2 &
  gen_pid=$!
  compiler=$(compiler_of "$gen_pid")
  kill -KILL "$gen_pid"
  kill -KILL -- "-$compiler" 2>/dev/null
  wait "$gen_pid" 2>/dev/null
  [[ $(find "$cache" -mindepth 2 -maxdepth 2 -name program | wc -l) -eq $prepared ]] || fail "a killed ctgrad-gen left a program in the cache"

  # 3. A later run builds the program afresh and prints the right derivation.
  expect_exit 0 out3 err3 env CTGRAD_GEN_CACHE="$cache" "$gen" derive "$formula" --format text
  grep -qF "= ∂L/∂ŷ ⊙ (1 - tanh²(Z₁))" out3 || fail "the run after the crashes printed: $(cat out3)"
}

# --- an unusable cache: read-only, or a file -------------------------------------------------
# Either way ctgrad-gen compiles without it: exit 0, the right output, one note with a hint.
works_without_cache() {
  local cache=$1
  # The scratch build directory goes to $TMPDIR: a private one, to check that it is removed.
  mkdir -p "$scratch/tmp"
  expect_exit 0 out err env CTGRAD_GEN_CACHE="$cache" TMPDIR="$scratch/tmp" "$gen" derive "sum(X*W)" --format text
  [[ -z $(ls -A "$scratch/tmp") ]] || fail "the scratch build directory was not removed: $(ls -A "$scratch/tmp")"
  [[ $(gradient_line out) == *"= Xᵀ 𝟏_(n×H)" ]] || fail "without a cache it printed: $(cat out)"
  grep -q "^ctgrad-gen: note: cannot use the cache directory $cache (.*); compiling without it (set CTGRAD_GEN_CACHE" err ||
    fail "no note with a hint about the cache: $(cat err)"
  [[ $(wc -l <err) -eq 1 ]] || fail "expected one line on stderr: $(cat err)"
}

cache_read_only() {
  # An existing directory nobody may create entries in: chmod 555 stops other users, and
  # /proc/self/fdinfo stops root too (CI runs as root).
  if [[ $(id -u) -eq 0 ]]; then
    works_without_cache /proc/self/fdinfo
  else
    mkdir ro && chmod 555 ro
    works_without_cache "$scratch/ro"
  fi
}

cache_is_file() {
  echo "not a directory" >file
  works_without_cache "$scratch/file"
  [[ $(cat file) == "not a directory" ]] || fail "the file standing for the cache was changed"
}

# --- the compiler missing, killed by a signal, or reporting an internal error ----------------
compiler_missing() {
  expect_exit 3 out err env CTGRAD_GEN_CACHE="$scratch/cache" CTGRAD_GEN_CXX="$scratch/no-such-c++" \
    "$gen" derive "sum(X*W)"
  environment_error err
  grep -q "no-such-c++" err || fail "the error does not name the compiler: $(cat err)"
}

compiler_crash() {
  printf '#!/bin/sh\nkill -SEGV $$\n' >segv-c++
  printf '#!/bin/sh\necho "program.cpp:1: internal compiler error: Segmentation fault" >&2\nexit 4\n' >ice-c++
  chmod +x segv-c++ ice-c++
  expect_exit 3 out err env CTGRAD_GEN_CACHE="$scratch/cache" CTGRAD_GEN_CXX="$scratch/segv-c++" \
    "$gen" derive "sum(X*W)"
  environment_error err
  grep -q "segv-c++ was killed by signal 11" err || fail "the error does not name the crash: $(cat err)"
  expect_exit 3 out err env CTGRAD_GEN_CACHE="$scratch/cache" CTGRAD_GEN_CXX="$scratch/ice-c++" \
    "$gen" derive "sum(X*W)"
  environment_error err
  grep -q "ice-c++ crashed (exit 4, an internal compiler error)" err || fail "the error does not name the ICE: $(cat err)"
}

# --- bad bytes: each rejected (exit 2, one error with a caret) or handled, within 1 s and 512 MB -
# Linux caps one argument at 128 KiB (MAX_ARG_STRLEN), so the longest formula a command line
# can carry is 131,071 bytes; the library's own tests feed longer text (test_generator_errors).
# A NUL byte cannot be in an argument at all (it ends the C string): those tests cover it too.
# quick <exit code> <what> <arguments...>
quick() {
  local want=$1 what=$2
  shift 2
  local start end
  start=$(date +%s%N)
  # 512 MB of address space, unless ctgrad-gen is built with ASan (which reserves terabytes of
  # shadow memory; the sanitizer leg checks leaks and overflows instead).
  local limit=524288
  grep -q __asan_init "$gen" && limit=unlimited
  (ulimit -v $limit; exec env CTGRAD_GEN_CACHE="$scratch/cache" "$gen" "$@") >out 2>err
  local code=$?
  end=$(date +%s%N)
  local ms=$(((end - start) / 1000000))
  [[ $code -eq $want ]] || fail "$what: exit $code, expected $want: $(head -c 300 err)"
  if [[ $want -eq 2 ]]; then
    [[ $(grep -c "^error: " err) -eq 1 ]] || fail "$what: not one error line: $(head -c 300 err)"
  fi
  [[ $ms -lt 1000 ]] || fail "$what took $ms ms (limit 1000)"
  echo "$what: exit $code in $ms ms: $(head -n1 err | cut -c1-120)"
}

bad_bytes() {
  local long repeated=() i
  long=$(head -c 131071 /dev/zero | tr '\0' 'X')
  quick 2 "a 131,071-byte formula" derive "$long"
  quick 2 "a 131,071-byte formula of one deep nesting" derive "$(head -c 131070 /dev/zero | tr '\0' '(')X"
  quick 2 "invalid UTF-8" derive $'sum(X\xff\xfe*W)'
  quick 2 "a lone continuation byte" derive $'sum(\x80)'
  quick 2 "control bytes" derive $'sum(X\x01*W\x7f)'
  for ((i = 0; i < 10000; i++)); do repeated+=(--dims X=n,d); done
  quick 2 "--dims X=n,d repeated 10,000 times" shapes "sum(X*W)" "${repeated[@]}"
  repeated=()
  for ((i = 0; i < 10000; i++)); do repeated+=(--verbose); done
  quick 2 "--verbose repeated 10,000 times, then a bad formula" derive "sum(X*" "${repeated[@]}"
  # A repeated --wrt names the same variable: handled (the program, one per output form, is
  # compiled first, outside the time limit, so the timing is of the command line's handling).
  expect_exit 0 out err env CTGRAD_GEN_CACHE="$scratch/cache" "$gen" derive "sum(X*W)" --wrt W --format text
  repeated=()
  for ((i = 0; i < 10000; i++)); do repeated+=(--wrt W); done
  quick 0 "--wrt W repeated 10,000 times" derive "sum(X*W)" "${repeated[@]}" --format text
  [[ $(gradient_line out) == *"= Xᵀ 𝟏_(n×H)" ]] || fail "repeated --wrt printed: $(head -c 300 out)"
}

"$case_name"
echo "PASS: $case_name"
