// The C++ programs ctgrad-gen compiles: a typed formula written with ctgrad's API, plus a main
// that prints what a command asks for. The library derives; the generator only writes code.
#pragma once

#include <string>
#include <vector>

#include "shapes.hpp"
#include "steps.hpp"

namespace ctgrad::gen {

/// The support code every program includes (generator/runtime/program_support.hpp).
const std::string& program_support();

/// Declarations of the formula inside `namespace generated`: one constexpr variable per
/// ctgrad variable (`matrix<"W_1", 3, 4>`), one constexpr per operation node, and `loss`.
std::string formula_code(const typed_formula& f);

/// What a derive program prints, fixed in its source (so in its cache key): a program prints
/// one form in one language, and its compile makes only that text (program_support.hpp,
/// derive_main). `format` is latex, markdown, text or json.
struct derive_output {
    std::string format = "latex";
    bool standalone = false;  ///< a complete LaTeX document (format latex)
    bool russian = false;
};

/// A program printing the derivation of dL/dV for `wrt` (LaTeX names) as `output` asks; it
/// takes no arguments.
std::string derive_program(const typed_formula& f, const std::vector<std::string>& wrt, const derive_output& output = {});

/// A program printing, for each line of a steps file, ctgrad's value of the line's quantity and
/// the claim's at check_draws random draws (plus the repairs and activation variants the plans
/// ask for), in the protocol judge.hpp reads: `T k j rows cols v...` lines after `D draw`.
std::string steps_program(const typed_formula& f, const std::vector<step_plan>& plans);

/// A program printing a self-contained C++ header for the loss and the gradients; argument:
/// the function's name.
std::string emit_program(const typed_formula& f, const std::vector<std::string>& wrt, const std::string& comment);

/// The batch size the programs use for random draws (the data's rows, `n`).
inline constexpr int draw_rows = 6;
/// Random draws `check` compares at, and its relative tolerance.
inline constexpr int check_draws = 5;
inline constexpr double check_tolerance = 1e-8;

}  // namespace ctgrad::gen
