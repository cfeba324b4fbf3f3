// transpose_op: A^T.
#pragma once

#include "op_base.hpp"

namespace ctgrad {

/// A^T; its adjoint is the adjoint transposed. A view: evaluation never copies it.
struct transpose_op {
    static constexpr std::size_t arity = 1;
    static constexpr std::string_view name = "transpose";
    static constexpr call_form call{.builder = "transpose", .signature = "A^T or transpose(A)", .shape = call_shape::transposed};
    static constexpr latex_form latex{.tex = "#1^{T}", .text = "#1ᵀ", .level = precedence::postfix, .left = precedence::atom};
    static constexpr bool is_view = true;

    template <class A>
    static constexpr int rows = A::cols;
    template <class A>
    static constexpr int cols = A::rows;

    template <class A>
    static constexpr auto simplify(const A& a) {
        if constexpr (is_literal_v<A> || ctgrad::detail::same_v<A, constant> || is_number_leaf_v<A>) {
            return a;
        } else if constexpr (is_node_v<A>) {
            if constexpr (ctgrad::detail::same_v<typename A::op_type, transpose_op>) {
                return ctgrad::arg<0>(a);  // (A^T)^T = A
            } else {
                return keep{};
            }
        } else {
            return keep{};
        }
    }

    template <class Self, class A>
    static auto value(const Self&, const A& a) {
        if constexpr (std::is_arithmetic_v<A>) {
            return a;  // a 1x1 is its own transpose
        } else {
            return a.transpose();
        }
    }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self&, const G& g) { return ctgrad::plain::transpose(g); }
};

}  // namespace ctgrad
