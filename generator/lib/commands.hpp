// The commands of ctgrad-gen (derive, check, emit, lecture, shapes, cache, help): every decision
// the tool makes, callable from tests. main.cpp only turns argv into a request and prints.
#pragma once

#include <filesystem>
#include <string>

#include "options.hpp"
#include "output.hpp"
#include "toolchain.hpp"

namespace ctgrad::gen {

/// What to print and the exit code: 0 success, 1 a wrong claim, 2 an input error
/// (`error: ...`, the text, a caret), 3 a failure of the tool itself.
struct outcome {
    int exit_code = 0;
    std::string out, err;
};

outcome run(const request& r, const environment& env);


}  // namespace ctgrad::gen
