// The output stage: what ctgrad-gen writes itself, in the language asked for (derivations are
// written by the programs, through ctgrad).
#pragma once

#include <string>
#include <vector>

#include "judge.hpp"
#include "options.hpp"

namespace ctgrad::gen {

/// The functions of the formula language, from ctgrad's descriptors, wrapped for the usage text.
std::string function_list();

/// The usage text of `ctgrad-gen help`.
std::string usage();

/// correct, wrong, wrong shape, not a quantity of this derivation (верно, неверно, ...).
std::string verdict_word(const verdict& v, language l);

/// What was found about a line, as a sentence: "the claim is 1/2× dL/dW2 at every entry: a lost
/// factor 2?"; `gradient` names the quantity (dL/dW2); `quantities` lists the derivation's.
std::string diagnosis_text(const verdict& v, language l, const std::string& gradient, const std::string& quantities);

/// check --steps: a line per step (`line 3, dL/dW2: wrong: ...`, ctgrad's value under a wrong
/// one) and a last line naming the first wrong line; or, with `json`, one object per step and
/// a summary object.
std::string steps_report(const std::vector<step_plan>& plans, const std::vector<verdict>& verdicts, const std::string& quantities,
                         language l, bool json);

}  // namespace ctgrad::gen
