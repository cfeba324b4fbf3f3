// latex_form: the printing piece of an operation descriptor, how it reads in LaTeX and in plain text.
#pragma once

#include <string_view>

namespace ctgrad {

/// Precedence levels of printed formulas, loosest first. An operand is printed without
/// parentheses when its level is at least the level its slot asks for. Juxtaposition (the
/// matrix product, a scalar factor) binds tighter than \odot, as `a b + c` binds tighter than +.
namespace precedence {
inline constexpr int sum = 0;       ///< a + b, a - b
inline constexpr int negation = 1;  ///< -a, and big operators: \sum_{j=1}^{n} a^{j}
inline constexpr int hadamard = 2;  ///< a \odot b
inline constexpr int product = 3;   ///< a b: matrix product, scalar factor
inline constexpr int fraction = 4;  ///< \frac{a}{b}, \frac{\partial L}{\partial Z}
inline constexpr int function = 5;  ///< \tanh(a), I\{a > 0\}
inline constexpr int postfix = 6;   ///< a^{T}, a^{2}
inline constexpr int atom = 7;      ///< names and numbers
}  // namespace precedence

/// How one operation prints; every descriptor in ops/ has one as `latex` (or, when it depends on
/// the operands' shapes, as the variable template `latex_for<Args...>`). latex.hpp reads it.
///
/// Patterns: `#1`, `#2`, ... `#9` are the operands, parenthesised when their level is below `left`
/// (`right` for #2 and later), unless the pattern itself encloses them as `{#1}` or `(#1)`. Shape placeholders for
/// operand k: `#Rk` its rows (`n` when known only at run time), `#Ck` its columns (`m`), `#Nk` its
/// number of entries (`n`, `3n`), `#Jk` its row j (`Y^{j}`, `\frac{\partial L}{\partial Z^{j}}`);
/// in the text pattern `#rk`, `#ck` are rows and columns as Unicode subscripts (`_K` for a name
/// with no subscript letters) and `#sk` the shape as one subscript (`ₙₓ₃`, or `_(d×K)`).
/// Example: tanh_op's `{.tex = "\\tanh(#1)", .text = "tanh(#1)", .level = precedence::function}`.
struct latex_form {
    std::string_view tex;                ///< LaTeX pattern
    std::string_view text;               ///< plain-text (Unicode) pattern
    int level = precedence::atom;        ///< precedence of the result
    int left = 0;                        ///< least level of #1 outside enclosing braces
    int right = 0;                       ///< least level of #2 (and later operands) outside enclosing braces
    int text_level = -1;                 ///< precedence of the text result when it differs (a/b)
    bool activation = false;             ///< names: f(Z_k) is the activation A_k of layer k
    bool power = false;                  ///< raises a function's name: \tanh^{2}(Z), not \tanh(Z)^{2}
    bool loss = false;                   ///< names: operand #1 is the prediction \hat{y}
    bool logits = false;                 ///< names: operand #1 is a pre-activation Z_k (cross_entropy's logits)
};

namespace detail {

/// The name a program gives a static size, or empty: the number is printed. A program that
/// makes up sizes for dimensions it knows by name (ctgrad-gen: H for a hidden width it compiles
/// as 4) defines CTGRAD_SIZE_NAME(size) before including ctgrad, as a constant expression of
/// type std::string_view, so that printed formulas never show a made-up number. Its name for
/// `dynamic` (if any) replaces both n and m: for a program whose only run-time size is the batch.
constexpr std::string_view size_name([[maybe_unused]] int size) {
#ifdef CTGRAD_SIZE_NAME
    return CTGRAD_SIZE_NAME(size);
#else
    return {};
#endif
}

}  // namespace detail

}  // namespace ctgrad
