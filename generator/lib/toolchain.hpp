// Compiling and running the generated programs: the compiler recorded at configure time, a
// cache of built programs keyed by a hash of everything that affects them, and process spawning.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace ctgrad::gen {

/// How programs are compiled: the compiler and flags CMake recorded (generator/config.hpp.in),
/// with ctgrad's headers from the installed tree when ctgrad-gen runs installed.
/// Environment overrides: CTGRAD_GEN_CXX (the compiler).
struct toolchain {
    std::string compiler;
    std::vector<std::string> flags;         ///< -std=c++20 -O0 ..., -I..., -D...
    std::filesystem::path ctgrad_include;   ///< the directory holding ctgrad/ (hashed into keys)
    std::vector<std::string> link_flags;

    static toolchain configured();
};

/// $CTGRAD_GEN_CACHE, else $XDG_CACHE_HOME/ctgrad, else ~/.cache/ctgrad.
std::filesystem::path default_cache_directory();

struct process_result {
    int exit_code = 0;  ///< the exit status, 128 + signal when killed, 127 when it could not start
    std::string out, err;
    bool timed_out = false;
};

/// Runs `argv` without a shell, stdin from /dev/null, capturing both outputs; kills it after
/// `timeout_seconds`.
process_result run_process(const std::vector<std::string>& argv, double timeout_seconds = 600);

/// A program ready to run.
struct built_program {
    std::filesystem::path executable;
    bool from_cache = false;
    double compile_seconds = 0;
    std::string key;
    /// Set when the cache could not be written: the program was built in this directory, which
    /// the caller removes after running it.
    std::filesystem::path scratch;
    /// A line for stderr saying why the cache was not used (empty when it was).
    std::string note;
};

/// A 128-bit hex digest of the program text, the toolchain, and every header under
/// ctgrad_include/ctgrad: a changed header or compiler is a different program.
std::string program_key(const toolchain& tools, const std::string& source);

/// Builds `source` into `cache/<key>/program` unless it is there already. Concurrent calls for
/// one key are safe (each builds in its own directory and renames it into place). Throws
/// tool_error with the compiler's messages when the program does not compile.
/// `before_compiling`, when given, is called only when the program must be compiled.
built_program build_program(const toolchain& tools, const std::string& source, const std::filesystem::path& cache,
                            const std::function<void()>& before_compiling = {});

/// Where programs are compiled and cached.
struct environment {
    toolchain tools;
    std::filesystem::path cache;
    /// For the fuzz target of the whole request path (tests/fuzz/): throw program_written where
    /// a program would be compiled, so every input check runs and nothing touches the disk.
    bool stop_before_compiling = false;

    static environment configured();
};

/// Thrown instead of compiling when environment::stop_before_compiling is set.
struct program_written {
    std::string source;
};

/// Builds (or finds in the cache) and runs `source` with `args`. With `verbose`, a line saying
/// where the program came from is appended to `log`; with `progress`, a note goes to stderr
/// before a compile. A crash or timeout is the tool's failure (tool_error); a damaged cache
/// entry is rebuilt once.
process_result run_program(const environment& env, const std::string& source, const std::vector<std::string>& args,
                           std::string& log, bool verbose, bool progress);

}  // namespace ctgrad::gen
