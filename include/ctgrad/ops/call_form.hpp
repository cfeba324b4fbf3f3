// call_form: the language piece of an operation descriptor, how it is written as a function: the
// C++ builder's name, the other spellings ctgrad-gen accepts, its operands and their domains, and
// how ctgrad-gen infers its shape from symbolic sizes. ctgrad-gen's function table is made from
// these (generator/lib/names.cpp), so an operation with a call_form is in its language.
#pragma once

#include <string_view>

namespace ctgrad {

/// What values an operand takes, so ctgrad-gen's `check` draws data inside an operation's domain.
enum class operand_domain {
    any,
    positive,           ///< log, sqrt: entries > 0
    probability_rows,   ///< cross_entropy's targets: rows of nonnegative entries summing to 1
};

/// How ctgrad-gen infers the shape of a call from its operands' symbolic sizes (it unifies names
/// such as n and H, which ctgrad's own rules cannot); it then checks the result with the
/// descriptor's rule (shapes_fit, rows, cols).
enum class call_shape {
    entrywise,    ///< the operand's shape: tanh(Z), -A
    transposed,   ///< A^T
    paired,       ///< A + B, A - B, A / B, hadamard(A, B): equal shapes, or a 1x1, a row or a column spread
    product,      ///< A * B
    scale,        ///< scale(s, A): A's shape, s 1x1
    scalar,       ///< 1x1: sum(A), mean(A), count(A)
    row,          ///< 1 x columns of A: column_sums(A), column_means(A)
    column,       ///< rows of A x 1: row_sums(A), row_means(A)
    loss,         ///< 1x1 from two operands of equal shape: mse, bce, cross_entropy
    concat,       ///< [A | B]: equal rows, numeric column counts added
    slice,        ///< slice_cols(A, begin, count): count columns of A, whose column count is a number
};

struct call_form {
    std::string_view builder{};   ///< the C++ builder, also the function's name in formulas
    std::string_view aliases{};   ///< other spellings in formulas, lower case, space-separated
    std::string_view signature{}; ///< how to call it, for messages: "softmax(Z)"
    int arity = 1;                ///< operands in a formula, numbers included
    call_shape shape = call_shape::entrywise;
    operand_domain first = operand_domain::any;   ///< what operand 1 takes
    operand_domain second = operand_domain::any;  ///< what operand 2 takes
    int template_numbers = 0;     ///< trailing operands that are whole numbers, C++ template arguments
    bool size_only = false;       ///< reads only its operand's size (count): no gradient reaches it
};

}  // namespace ctgrad
