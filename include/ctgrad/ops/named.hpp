// named_op: named<"H">(e) gives an intermediate a name for printed derivations; value and
// derivative pass straight through.
#pragma once

#include <cstddef>
#include <string_view>

#include "../detail/fixed_string.hpp"
#include "op_base.hpp"

namespace ctgrad {

/// A name for the quantity its operand computes, `H` in `H = \operatorname{ReLU}(X W_1)`. It
/// changes no value and no derivative (dL/de = dL/dH); derivations (derivation_steps.hpp) and
/// latex(grad(...)) call the quantity by this name instead of an automatic Z_k, A_k or \hat{y}.
template <detail::fixed_string Name>
struct named_op {
    static constexpr std::size_t arity = 1;
    static constexpr std::string_view name = "named";
    /// The user's name, LaTeX (plain text is derived from it: "h_1" prints as h₁).
    static constexpr std::string_view label = Name.view();
    /// Printed as its label where names are in use, else as its operand (see latex.hpp).
    static constexpr latex_form latex{.tex = "#1", .text = "#1", .level = precedence::atom};
    /// A view: evaluation stores the operand, never a copy of it.
    static constexpr bool is_view = true;

    template <class A>
    static constexpr int rows = A::rows;
    template <class A>
    static constexpr int cols = A::cols;

    /// The operand itself, as a lazy Eigen view (it holds a plain matrix by reference).
    template <class Self, class A>
    static auto value(const Self&, const A& a) { return detail::entries(a); }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self&, const G& g) { return g; }
};

/// named<"H">(e): e, called H in derivations. Example: `named<"H">(relu(X * W1 + transpose(b1)))`.
template <detail::fixed_string Name, expression E>
static constexpr auto named(const E& e) {
    if constexpr (is_invalid_v<E>) {
        return invalid_expression{};
    } else {
        return detail::hidden(ctgrad::make_node(named_op<Name>{}, detail::as_plain(e)));
    }
}

}  // namespace ctgrad
