// The commands of ctgrad-gen (derive, check, emit, lecture, shapes, cache, help): every decision
// the tool makes, callable from tests. main.cpp only turns argv into a request and prints.
#pragma once

#include <filesystem>
#include <string>

#include "toolchain.hpp"

namespace ctgrad::gen {

/// One invocation. The option texts are kept as typed so errors can point into them.
struct request {
    std::string command;            ///< derive, check, emit, lecture, shapes, cache, help
    std::string formula;            ///< or the lecture's name, or `clear` for cache
    bool has_formula = false;
    std::string wrt, data, dims;    ///< --wrt W1,b1   --data X,Y   --dims "X=n,d W1=d,H"
    bool has_wrt = false, has_data = false;
    std::string format;             ///< latex, markdown, text, json (empty: the command's default)
    bool standalone = false;
    std::string claim;
    bool has_claim = false;
    std::string name;               ///< emit --name
    bool has_name = false;
    bool verbose = false;           ///< report compile times and cache hits on stderr
    bool progress = false;          ///< say on stderr, before it starts, that a compile is needed
};

/// What to print and the exit code: 0 success, 1 a wrong claim, 2 an input error
/// (`error: ...`, the text, a caret), 3 a failure of the tool itself.
struct outcome {
    int exit_code = 0;
    std::string out, err;
};

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

outcome run(const request& r, const environment& env);

/// Why `option` (as typed: `--claim`, `-v`) does not apply to `r`'s command, or "" when it does:
/// an option the command would ignore (derive --claim, shapes --verbose, lecture --dims, cache
/// --wrt, --standalone without --format latex) is an input error naming both, not a no-op.
/// Unknown commands and help answer "" (they are reported, or ignore everything, elsewhere).
std::string option_misuse(const request& r, std::string_view option);

/// The usage text of `ctgrad-gen help`.
std::string usage();

}  // namespace ctgrad::gen
