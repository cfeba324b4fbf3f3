// hadamard_op: the element-wise product A (.) B, paired like A + B.
#pragma once

#include "add.hpp"

namespace ctgrad {

/// A (.) B for equal shapes, or with a 1xk row or an nx1 column spread over an nxk matrix (a
/// gate, a normalisation: hadamard(N, transpose(g))). dL/dA = G (.) B, dL/dB = G (.) A, each summed
/// back over what was spread.
struct hadamard_op : detail::paired_operands {
    static constexpr std::string_view name = "hadamard";
    static constexpr call_form call{.builder = "hadamard", .signature = "A .* B or hadamard(A, B)", .arity = 2, .shape = call_shape::paired};
    static constexpr latex_form latex{.tex = "#1 \\odot #2", .text = "#1 ⊙ #2", .level = precedence::hadamard,
                                      .left = precedence::hadamard, .right = precedence::hadamard};

    template <class A, class B>
    static constexpr void report() {
        static_assert(detail::always_false<A>,
                      "ctgrad: hadamard(A, B) needs equal shapes, or a 1xk row or an nx1 column broadcast over an nxk matrix");
    }

    template <class Self, class A, class B>
    static auto value(const Self&, const A& a, const B& b) {
        return paired<Self>(a, b, [](const auto& x, const auto& y) { return x * y; });
    }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self& self, const G& g) {
        return detail::reduce_to<arg_t<I, Self>, Self>(ctgrad::plain::times(g, ctgrad::arg<1 - I>(self)));
    }
};

}  // namespace ctgrad
