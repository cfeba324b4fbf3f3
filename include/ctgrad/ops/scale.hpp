// scale_op: s A, a 1x1 factor times a matrix (what `0.5 * X` and the 2/n of MSE build).
#pragma once

#include "op_base.hpp"

namespace ctgrad {

/// s A with a 1x1 s. dL/dA = s G; dL/ds = sum(G (.) A).
struct scale_op {
    static constexpr std::size_t arity = 2;
    static constexpr bool entrywise = true;  // see paired_operands
    static constexpr std::string_view name = "scale";
    static constexpr call_form call{.builder = "scale", .signature = "scale(s, A) with a 1x1 s", .arity = 2, .shape = call_shape::scale};
    static constexpr latex_form latex{
        .tex = "#1 #2", .text = "#1 #2", .level = precedence::product, .left = precedence::fraction, .right = precedence::product};

    template <class S, class A>
    static constexpr bool shapes_fit = is_scalar_v<S>;
    template <class S, class A>
    static constexpr int rows = A::rows;
    template <class S, class A>
    static constexpr int cols = A::cols;

    template <class S, class A>
    static constexpr void report() {
        static_assert(detail::always_false<S>, "ctgrad: scale(s, A): the factor s must be 1x1");
    }

    template <class S, class A>
    static constexpr auto simplify([[maybe_unused]] const S& s, [[maybe_unused]] const A& a) {
        if constexpr (is_one_v<S>) {
            return a;
        } else if constexpr (is_one_v<A>) {
            return s;  // s 1 (A is 1x1, so the product is s)
        } else if constexpr (is_literal_v<S> && is_literal_v<A>) {
            return make_literal<S::num * A::num, S::den * A::den>();
        } else if constexpr (is_literal_v<S> && is_node_v<A>) {
            // Fold nested literal factors: 2 (3 A) = 6 A.
            if constexpr (ctgrad::detail::same_v<typename A::op_type, scale_op> && is_literal_v<arg_t<0, A>>) {
                using inner = arg_t<0, A>;
                return ctgrad::plain::scale(make_literal<S::num * inner::num, S::den * inner::den>(), ctgrad::arg<1>(a));
            } else {
                return keep{};
            }
        } else {
            return keep{};
        }
    }

    template <class Self, class S, class A>
    static auto value(const Self&, const S& s, const A& a) {
        return detail::entries(a) * detail::to_double(s);
    }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self& self, const G& g) {
        if constexpr (I == 0) {
            return ctgrad::plain::sum(ctgrad::plain::times(g, ctgrad::arg<1>(self)));
        } else {
            return ctgrad::plain::scale(ctgrad::arg<0>(self), g);
        }
    }
};

}  // namespace ctgrad
