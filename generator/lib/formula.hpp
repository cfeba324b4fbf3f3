// Formulas as typed by users: the syntax tree and the parser (with positions for carets).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "names.hpp"

namespace ctgrad::gen {

/// One node of a formula. Children are indices into formula::nodes, so the tree has no
/// recursive ownership and destroying a deep tree cannot overflow the stack.
struct formula_node {
    op kind = op::number;
    std::vector<int> args;
    std::string written;   ///< the identifier or number as typed
    std::string latex;     ///< a variable's LaTeX name (W_1 for W1)
    double value = 0;      ///< a number's value
    bool integer = false;  ///< a number written without '.' or exponent
    bool called = false;   ///< written as a call (matmul(A, B)) rather than an operator (A * B)
    std::size_t begin = 0, end = 0, at = 0;  ///< byte span in the text and the caret position
    int depth = 1;         ///< 1 for a leaf, else 1 + the deepest child
};

/// A parsed formula. `root` indexes `nodes`; children always precede their parents.
struct formula {
    std::string text;
    std::vector<formula_node> nodes;
    int root = -1;

    const formula_node& operator[](int i) const { return nodes[static_cast<std::size_t>(i)]; }
    const formula_node& top() const { return (*this)[root]; }
    /// The text of node i as typed.
    std::string_view source(int i) const;
};

/// Limits that keep every later pass (shape inference, program writing, the C++ compiler)
/// bounded; input beyond them is an error, never a crash.
struct parse_limits {
    std::size_t max_length = 100000;  ///< bytes
    int max_depth = 400;              ///< nesting of the syntax tree (a 100-layer net needs ~300)
};

/// Parses a formula of the language: + - * / .* (or ⊙), unary -, postfix ^T (or ᵀ) and ^2,
/// numbers, variables, function calls (see names.hpp), parentheses.
/// Throws input_error with a caret position on any malformed input.
formula parse(std::string_view text, const parse_limits& limits = {});

}  // namespace ctgrad::gen
