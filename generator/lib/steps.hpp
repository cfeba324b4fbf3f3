// check --steps: a hand derivation, one step per line (dL/dZ2 = ..., dW1 = ...), read and typed
// against the formula. Each line becomes a plan: the quantity it differentiates, its claim, and
// what the program must also compute to diagnose a wrong line (repairs of a lost transpose, the
// claim with an activation derivative removed or exchanged).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shapes.hpp"

namespace ctgrad::gen {

/// One line of a steps file as written.
struct step {
    int line = 0;               ///< 1-based line number in the file
    std::string text;           ///< the line, without its end of line
    std::string quantity;       ///< the name after d (Z2, yhat, W1), as written
    std::size_t quantity_at = 0;
    std::string claim;          ///< the right-hand side; dL/dV in it is written dV (padded, same offsets)
    std::size_t claim_at = 0;   ///< where the claim starts in `text`
};

/// Reads `dL/dV = expr` or `dV = expr` lines; blank lines and lines starting with # or % are
/// skipped. Throws input_error (quoting the line) for a line of another form.
std::vector<step> parse_steps(std::string_view text);

/// The activation derivatives a diagnosis tries in place of a layer's own: removed (the
/// identity's 1), then these, except the layer's own: identity, relu, tanh, sigmoid, softplus.
const std::vector<op>& activation_candidates();

/// What a line asks of the program, and what is known before running it.
struct step_plan {
    step source;
    int target = -1;            ///< formula node the quantity is (a variable's first occurrence); -1: none
    bool variable = false;
    std::string name;           ///< plain name of the quantity (Z2, W1)
    int rows = -1, cols = -1;   ///< the quantity's shape (dimension ids)
    std::optional<typed_claim> claim;  ///< absent when the claim's shapes do not fit
    std::string misfit;         ///< the shape error of a claim that does not type
    /// Claims with one transpose added or removed that have the quantity's shape: tried when
    /// the claim's own shape is wrong. `from` -> `to` says what changed (A1 -> A1^T).
    struct repair {
        std::string from, to;
        typed_claim claim;
    };
    std::vector<repair> repairs;
    /// The nearest activation above the quantity, A = f(Z) (formula nodes), or -1: the program
    /// computes dL/d(quantity) with f'(Z) removed or exchanged for each activation_candidates.
    int activation = -1, preactivation = -1;
    std::string activation_name, preactivation_name;  ///< A1 (or yhat), Z1
};

/// Plans every line: resolves the quantity (a variable or a named intermediate; else the plan's
/// target stays -1, "not a quantity of this derivation"), types the claim, in which the d-names
/// of earlier lines stand for ctgrad's true values, and prepares the diagnoses.
/// Throws input_error for a claim that is not a formula or uses an unknown name.
std::vector<step_plan> plan_steps(const typed_formula& f, const std::vector<step>& steps);

/// The quantities a steps file may differentiate, for messages: "yhat, Z2, A1, Z1, W1, b1, ...".
std::string quantities_of(const typed_formula& f);

}  // namespace ctgrad::gen
