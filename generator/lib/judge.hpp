// Verdicts of check: a line's claim against ctgrad's value over several random draws, and the
// diagnosis of a wrong one (a constant factor, a flipped sign, a transpose, a missing or exchanged
// activation derivative, a lost transpose that makes the shapes misfit, else the largest
// difference). Pure arithmetic on the numbers the check program prints, so it is unit-tested
// without compiling anything.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "steps.hpp"

namespace ctgrad::gen {

/// A matrix as the program prints it, column by column.
struct values {
    long rows = 0, cols = 0;
    std::vector<double> v;
    double at(long r, long c) const { return v[static_cast<std::size_t>(c * rows + r)]; }
};

/// Everything a check program printed: per (tag, line, j) the values at each draw; the texts
/// of ctgrad's expressions; symbolic equality; lines ctgrad names no value for.
struct program_values {
    int draws = 0;
    std::map<std::tuple<char, std::size_t, std::size_t>, std::vector<values>> by_tag;
    std::map<std::size_t, std::string> text;
    std::map<std::size_t, bool> symbolic;
    std::vector<std::size_t> unnamed;

    const std::vector<values>* find(char tag, std::size_t k, std::size_t j = 0) const;
};

/// Parses the check program's output (throws tool_error on a malformed line).
program_values read_program_values(std::string_view out);

/// The verdict on one line.
struct verdict {
    enum kind_t { correct, wrong, wrong_shape, not_a_quantity, not_finite } kind = correct;
    enum finding_t {
        none,
        symbolic,            ///< correct: the same expression as ctgrad's
        numeric,             ///< correct: equal at every draw
        constant_factor,     ///< wrong: claim = factor x truth everywhere
        sign,                ///< wrong: claim = -truth
        transpose,           ///< wrong: claim = truth^T
        activation_removed,  ///< wrong: the truth without f'(Z)
        activation_swapped,  ///< wrong: the truth with g'(Z) for f'(Z)
        lost_transpose,      ///< wrong shape: repair_from -> repair_to gives the truth
        largest_difference,
        shapes_differ,       ///< wrong shape: types, but not the quantity's shape
        misfit,              ///< wrong shape: the claim's shapes do not fit
        unnamed,             ///< ctgrad names no value for this intermediate
    } finding = none;
    std::string quantity;       ///< Z2, W1 (as the line wrote it, resolved)
    double factor = 1;
    std::string factor_text;    ///< "1/2", "0.37"
    std::string hint;           ///< a --dims suggestion for a factor that is a free size (English)
    /// The same hint's parts, for other languages: the variable, whether its columns (else rows)
    /// are the free size, the size's name and value, and the --dims to suggest.
    std::string hint_variable, hint_size_name, hint_dims;
    bool hint_columns = true;
    int hint_size = 0;
    std::string function, exchanged;  ///< the activation (relu) and what the claim used (tanh)
    std::string intermediate;   ///< Z1, whose f'(Z1) is at stake
    std::string repair_from, repair_to;
    std::string claim_shape, truth_shape, misfit_message;
    long row = 0, col = 0;
    int draw = 0;
    double claimed = 0, derived = 0, difference = 0;
    std::string correct_text;   ///< ctgrad's expression for the quantity
    int draws = 0;
};

/// Relative tolerance of a match: |c - g| <= tolerance * max(1, |c|, |g|) at every entry.
inline constexpr double judge_tolerance = 1e-8;

/// Judges plan `k` (plans[k]) from the program's values.
verdict judge(const typed_formula& f, const std::vector<step_plan>& plans, std::size_t k, const program_values& pv);

/// A factor as a short exact text where it is a simple fraction (2, 1/2, -3/4), else %.4g.
std::string factor_text(double x);

}  // namespace ctgrad::gen
