# Shared by .ci/test and .ci/main-job (sourced, not run): how a build directory
# is configured, so both use the same flags.

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=${CTGRAD_JOBS:-$(nproc)}
build_type=${CTGRAD_BUILD_TYPE:-Release}

# ccache keys on paths relative to the repo, so a fresh clone elsewhere still hits.
export CCACHE_BASEDIR="$repo_root"
export CCACHE_NOHASHDIR=1

# compiler_for gcc|clang: prints the C++ compiler to use.
compiler_for() {
  case "$1" in
    gcc) echo g++ ;;
    clang)
      local candidate
      for candidate in clang++-19 clang++-16 clang++; do
        if command -v "$candidate" >/dev/null; then
          echo "$candidate"
          return
        fi
      done
      echo "no clang++ found; run .ci/install-deps" >&2
      return 1 ;;
    *) echo "unknown compiler '$1' (gcc or clang)" >&2; return 1 ;;
  esac
}

# configure gcc|clang: configures build/<name> and sets build_dir.
configure() {
  local cxx cxx_path cached
  cxx=$(compiler_for "$1") || return 1
  cxx_path=$(command -v "$cxx") || return 1
  build_dir="$repo_root/build/$1"
  # A build dir made with another compiler (say clang 16 before clang 19 was
  # installed) cannot be reconfigured in place: start it afresh.
  if [[ -f "$build_dir/CMakeCache.txt" ]]; then
    cached=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build_dir/CMakeCache.txt")
    if [[ "$cached" != "$cxx_path" ]]; then
      rm -rf "$build_dir"
    fi
  fi
  cmake -S "$repo_root" -B "$build_dir" \
    -DCMAKE_CXX_COMPILER="$cxx_path" \
    -DCMAKE_BUILD_TYPE="$build_type" \
    -DCTGRAD_WERROR=ON || return 1
}
