// matmul_op: the matrix product A B.
#pragma once

#include "op_base.hpp"

namespace ctgrad {

/// A B for an (m x k) A and a (k x n) B. Denominator layout: dL/dA = G B^T, dL/dB = A^T G.
struct matmul_op {
    static constexpr std::size_t arity = 2;
    static constexpr std::string_view name = "*";
    static constexpr call_form call{.builder = "matmul", .signature = "A * B or matmul(A, B)", .arity = 2, .shape = call_shape::product};
    /// A (B C) keeps its parentheses, and a factor in the middle reads X^{T} (0.5 G), not X^{T} 0.5 G.
    static constexpr latex_form latex{
        .tex = "#1 #2", .text = "#1 #2", .level = precedence::product, .left = precedence::product, .right = precedence::fraction};

    template <class A, class B>
    static constexpr bool shapes_fit = detail::dims_fit(A::cols, B::rows);
    template <class A, class B>
    static constexpr int rows = A::rows;
    template <class A, class B>
    static constexpr int cols = B::cols;

    template <class A, class B>
    static constexpr void report() {
        static_assert(detail::always_false<A>, "ctgrad: A * B: columns of A must equal rows of B");
    }

    /// An outer product (inner size 1) is computed entry by entry, entry (i, j) being a_i b_j, so
    /// evaluation computes it inside the loop of its one reader instead of storing it.
    template <class A, class B>
    static constexpr bool entrywise_at = A::cols == 1 && A::rows != 1 && B::cols != 1;

    template <class Self, class A, class B>
    static auto value(const Self&, const A& a, const B& b) {
        if constexpr (entrywise_at<arg_t<0, Self>, arg_t<1, Self>>) {
            return detail::as_matrix(a).lazyProduct(detail::as_matrix(b));  // no GEMM-style kernel call
        } else {
            return detail::as_matrix(a) * detail::as_matrix(b);
        }
    }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self& self, const G& g) {
        if constexpr (I == 0) {
            return ctgrad::plain::matmul(g, ctgrad::plain::transpose(ctgrad::arg<1>(self)));
        } else {
            return ctgrad::plain::matmul(ctgrad::plain::transpose(ctgrad::arg<0>(self)), g);
        }
    }
};

}  // namespace ctgrad
