// divide_op: A / B entry by entry, paired like A + B.
#pragma once

#include "add.hpp"

namespace ctgrad {

/// A / B entry by entry, paired like A + B (a 1x1, a row or a column side is spread).
/// dL/dA = G / B; dL/dB = -G (.) (A / B) / B, written with the node itself.
struct divide_op : detail::paired_operands {
    static constexpr std::string_view name = "/";
    static constexpr call_form call{.builder = "divide", .signature = "A / B or divide(A, B)", .arity = 2, .shape = call_shape::paired};
    static constexpr latex_form latex{.tex = "\\frac{#1}{#2}", .text = "#1/#2", .level = precedence::fraction,
                                      .left = precedence::fraction, .right = precedence::fraction,
                                      .text_level = precedence::product};

    template <class A, class B>
    static constexpr void report() {
        static_assert(detail::always_false<A>, "ctgrad: A / B needs equal shapes, a 1x1 side, or a 1xk row or an nx1 column broadcast over an nxk matrix");
    }

    template <class A, class B>
    static constexpr auto simplify(const A& a, const B&) {
        if constexpr (is_literal_v<A> && is_literal_v<B>) {
            static_assert(B::num != 0, "ctgrad: A / B: division by a literal zero");
            if constexpr (B::num == 0) {
                return a;  // after the error, no literal with a zero denominator to report again
            } else {
                return make_literal<A::num * B::den, A::den * B::num>();
            }
        } else if constexpr (is_one_v<B>) {
            return a;
        } else {
            return keep{};
        }
    }

    template <class Self, class A, class B>
    static auto value(const Self&, const A& a, const B& b) {
        return paired<Self>(a, b, [](const auto& x, const auto& y) { return x / y; });
    }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self& self, const G& g) {
        if constexpr (I == 0) {
            return detail::reduce_to<arg_t<0, Self>, Self>(ctgrad::plain::divide(g, ctgrad::arg<1>(self)));
        } else {
            return detail::reduce_to<arg_t<1, Self>, Self>(ctgrad::plain::negate(ctgrad::plain::times(g, ctgrad::plain::divide(self, ctgrad::arg<1>(self)))));
        }
    }
};

}  // namespace ctgrad
