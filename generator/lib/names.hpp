// Names in formulas: the functions the formula language knows, and how an identifier such as
// W1 or yhat becomes the LaTeX name of a ctgrad variable (W_1, \hat{y}).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ctgrad::gen {

/// Every kind of formula node: the two leaves, then one per ctgrad builder.
enum class op {
    number,
    variable,
    add,
    subtract,
    matmul,
    scale,
    divide,
    hadamard,
    negate,
    transpose,
    relu,
    step,
    tanh,
    sigmoid,
    exp,
    log,
    softplus,
    square,
    identity,
    sum,
    mean,
    column_sums,
    count,
    mse,
    bce,
};

/// What the language knows about an operation.
struct op_info {
    op kind;
    std::string_view builder;  ///< ctgrad's C++ builder (`plus`, `tanh`, `mse`, ...)
    int arity;                 ///< number of operands
    bool elementwise;          ///< f applied entry by entry (an activation)
    std::string_view signature;  ///< how to call it, for error messages
};

const op_info& info(op kind);

/// The operation a function name stands for: the C++ API's names (`tanh`, `relu`, `sigmoid`,
/// `hadamard`, `transpose`, `mse`, ...), case-insensitively, plus the lecture's spellings
/// (`ReLU`, `σ`, `sigma`, `ln`). Nothing for an unknown name.
std::optional<op> function_named(std::string_view name);

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
