// hadamard_op: the element-wise product A (.) B.
#pragma once

#include "op_base.hpp"

namespace ctgrad {

/// A (.) B for equal shapes. dL/dA = G (.) B, dL/dB = G (.) A.
struct hadamard_op {
    static constexpr std::size_t arity = 2;
    static constexpr std::string_view name = "hadamard";
    static constexpr latex_form latex{.tex = "#1 \\odot #2", .text = "#1 ⊙ #2", .level = precedence::hadamard,
                                      .left = precedence::hadamard, .right = precedence::hadamard};

    template <class A, class B>
    static constexpr bool shapes_fit = detail::dims_fit(A::rows, B::rows) && detail::dims_fit(A::cols, B::cols);
    template <class A, class B>
    static constexpr int rows = detail::common_dim(A::rows, B::rows);
    template <class A, class B>
    static constexpr int cols = detail::common_dim(A::cols, B::cols);
    static constexpr bool pairs_operands = true;
    static constexpr bool entrywise = true;  // see paired_operands

    template <class A, class B>
    static constexpr void report() {
        static_assert(detail::always_false<A>, "ctgrad: hadamard(A, B) needs equal shapes");
    }

    template <class Self, class A, class B>
    static auto value(const Self&, const A& a, const B& b) { return detail::entries(a) * detail::entries(b); }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self& self, const G& g) {
        return ctgrad::times(g, ctgrad::arg<1 - I>(self));
    }
};

}  // namespace ctgrad
