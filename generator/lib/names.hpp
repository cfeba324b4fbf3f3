// Names in formulas: the functions the formula language knows, and how an identifier such as
// W1 or yhat becomes the LaTeX name of a ctgrad variable (W_1, \hat{y}).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <ctgrad/ops/call_form.hpp>

namespace ctgrad::gen {

/// Every kind of formula node: the two leaves, then one per operation of ctgrad, numbered as
/// ctgrad::all_operations lists them (ops/all.hpp), plus 2. The operators with a syntax of their
/// own have names here (their numbers are checked against the list in names.cpp); every other
/// operation is known only through its descriptor, found by function_named and described by info.
enum class op : int {
    number = 0,
    variable = 1,
    add = 2,
    subtract = 3,
    negate = 4,
    matmul = 5,
    scale = 6,
    hadamard = 7,
    divide = 8,
    transpose = 9,
};

/// What the language knows about an operation, read from its descriptor: its call_form (name,
/// spellings, operands, domains, shape inference) and its printing flags.
struct op_info {
    op kind;
    std::string_view builder{};  ///< ctgrad's C++ builder (`plus`, `tanh`, `mse`, ...); empty: not in the language
    int arity = 0;               ///< number of operands
    bool activation = false;     ///< f(Z) names an activation A_k and its operand Z_k (latex_form)
    std::string_view signature{};  ///< how to call it, for error messages
    std::string_view aliases{};  ///< other spellings, space-separated
    call_shape shape = call_shape::entrywise;
    operand_domain first = operand_domain::any;
    operand_domain second = operand_domain::any;
    int template_numbers = 0;    ///< trailing operands that are whole numbers (slice_cols)
    bool size_only = false;      ///< reads only its operand's size (count)
    bool loss = false;           ///< operand 1 is the prediction \hat{y} (latex_form)
    bool logits = false;         ///< operand 1 is a pre-activation Z_k (latex_form: cross_entropy)
};

/// Every operation of ctgrad, in_language or not (the nodes only derivative rules build).
const std::vector<op_info>& all_operations();

/// ctgrad's own shape rule of an operation (its descriptor's shapes_fit, rows and cols), asked
/// about operands whose sizes are given as small numbers: 1 for a size of 1 and 2, 3, 4, 5 for
/// the distinct other sizes (equal sizes, equal numbers). `rows`/`cols` answer in those numbers
/// (or a number the operands do not have, for a size the rule computes, as concat_cols's sum).
struct rule_answer {
    bool known = false;  ///< the rule could be asked (one or two operands, no template numbers)
    bool fits = false;
    int rows = 0, cols = 0;
};
rule_answer descriptor_rule(op kind, int r1, int c1, int r2 = 1, int c2 = 1);

const op_info& info(op kind);

/// The operation a function name stands for: the C++ API's names (`tanh`, `relu`, `sigmoid`,
/// `hadamard`, `transpose`, `mse`, ...), case-insensitively, plus the lecture's spellings
/// (`ReLU`, `σ`, `sigma`, `ln`). Nothing for an unknown name.
std::optional<op> function_named(std::string_view name);

/// The kind of a function the generator itself names (the teaching features' relu, tanh, ...):
/// function_named for a name that is surely in the language (std::logic_error otherwise).
op function_kind(std::string_view name);

/// The known function names, for "did you mean" and for help.
std::vector<std::string_view> function_names();

/// The known name closest to `name` (edit distance at most 2), or empty.
std::string closest_function(std::string_view name);

/// The LaTeX name ctgrad gives the variable an identifier denotes: W1 -> W_1, W_1 -> W_1,
/// W12 -> W_{12}, b2 -> b_2, yhat / y_hat / ŷ -> \hat{y}, theta -> \theta, Wout -> \mathit{Wout},
/// W_out -> W_{out}. Two identifiers with one LaTeX name are one variable (W1 and W_1).
std::string latex_name(std::string_view identifier);

/// A C++ identifier for a LaTeX name, for the generated programs: letters, digits and '_'.
std::string cpp_identifier(std::string_view latex);

/// A plain name for messages and default sizes: W_1 -> W1, \hat{y} -> yhat, W_{12} -> W12.
std::string plain_name(std::string_view latex);

}  // namespace ctgrad::gen
