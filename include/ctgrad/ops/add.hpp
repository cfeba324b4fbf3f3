// add_op and subtract_op: A + B and A - B, with the lecture's row broadcast (X W + b^T) and column broadcast.
#pragma once

#include "op_base.hpp"

namespace ctgrad {
namespace detail {

/// Undoes a broadcast in the backward pass: an operand that was spread over the rows (or over
/// every entry) of the result receives the sum of the adjoint over those rows (entries).
template <class Target, class Result, class G>
static constexpr auto reduce_to(const G& g) {
    if constexpr (is_scalar_v<Target> && !is_scalar_v<Result>) {
        return ctgrad::plain::sum(g);
    } else if constexpr (Target::rows == 1 && Result::rows != 1) {
        return ctgrad::plain::column_sums(g);
    } else if constexpr (Target::cols == 1 && Result::cols != 1) {
        return ctgrad::plain::row_sums(g);
    } else {
        return g;
    }
}

/// The shape rule and values shared by the operations that pair operands entry by entry.
struct paired_operands {
    static constexpr std::size_t arity = 2;
    static constexpr bool pairs_operands = true;
    /// Entry (i, j) of the value needs only entry (i, j) of each operand of the same shape, so
    /// evaluation may compute such an operand inside this node's loop.
    static constexpr bool entrywise = true;

    template <class A, class B>
    static constexpr bool shapes_fit = pairing_of<A, B>() != pairing::invalid;
    template <class A, class B>
    static constexpr int rows = paired_rows<A, B>();
    template <class A, class B>
    static constexpr int cols = paired_cols<A, B>();

    /// Applies `f` to the two operands as Eigen arrays of the result's shape (as doubles when
    /// both are 1x1).
    template <class Self, class A, class B, class F>
    static auto paired(const A& a, const B& b, F f) {
        using kit = eigen_kit<A>;
        using left = arg_t<0, Self>;
        using right = arg_t<1, Self>;
        constexpr pairing p = pairing_of<left, right>();
        if constexpr (std::is_arithmetic_v<A> && std::is_arithmetic_v<B>) {
            return f(a, b);
        } else if constexpr (p == pairing::scalar_left) {
            return f(to_double(a), entries(b));
        } else if constexpr (p == pairing::scalar_right) {
            return f(entries(a), to_double(b));
        } else if constexpr (p == pairing::row_right) {
            return f(entries(a), entries(kit::template repeat_rows<Self::rows>(b, a.rows())));
        } else if constexpr (p == pairing::row_left) {
            return f(entries(kit::template repeat_rows<Self::rows>(a, b.rows())), entries(b));
        } else if constexpr (p == pairing::column_right) {
            return f(entries(a), detail::repeat_cols<Self::cols>(entries(b), a.cols()));
        } else if constexpr (p == pairing::column_left) {
            return f(detail::repeat_cols<Self::cols>(entries(a), b.cols()), entries(b));
        } else {
            return f(entries(a), entries(b));
        }
    }
};

}  // namespace detail

/// A + B: equal shapes, a 1xk row added to every row of an nxk matrix, an nx1 column added to
/// every column, or a 1x1 added to every entry.
struct add_op : detail::paired_operands {
    static constexpr std::string_view name = "+";
    static constexpr call_form call{.builder = "plus", .signature = "A + B or plus(A, B)", .arity = 2, .shape = call_shape::paired};
    /// A matrix product operand may be added into this node's value by the product's kernel.
    static constexpr bool adds_operands = true;
    static constexpr latex_form latex{.tex = "#1 + #2", .text = "#1 + #2", .level = precedence::sum};

    template <class A, class B>
    static constexpr void report() {
        static_assert(detail::always_false<A>,
                      "ctgrad: A + B and A - B need equal shapes, or a 1xk row or an nx1 column broadcast over an nxk matrix");
    }

    template <class A, class B>
    static constexpr auto simplify(const A& a, const B& b) {
        if constexpr (is_literal_v<A> && is_literal_v<B>) {
            return make_literal<A::num * B::den + B::num * A::den, A::den * B::den>();
        } else if constexpr (is_zero_v<A> && is_scalar_v<A>) {
            return b;
        } else if constexpr (is_zero_v<B>) {
            return a;
        } else {
            return keep{};
        }
    }

    template <class Self, class A, class B>
    static auto value(const Self&, const A& a, const B& b) {
        return paired<Self>(a, b, [](const auto& x, const auto& y) { return x + y; });
    }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self&, const G& g) {
        return detail::reduce_to<arg_t<I, Self>, Self>(g);
    }
};

/// A - B, shaped like A + B.
struct subtract_op : detail::paired_operands {
    static constexpr std::string_view name = "-";
    static constexpr call_form call{.builder = "minus", .signature = "A - B or minus(A, B)", .arity = 2, .shape = call_shape::paired};
    static constexpr bool adds_operands = true;  // as in add_op
    static constexpr latex_form latex{
        .tex = "#1 - #2", .text = "#1 - #2", .level = precedence::sum, .right = precedence::negation};

    template <class A, class B>
    static constexpr void report() {
        static_assert(detail::always_false<A>,
                      "ctgrad: A + B and A - B need equal shapes, or a 1xk row or an nx1 column broadcast over an nxk matrix");
    }

    template <class A, class B>
    static constexpr auto simplify(const A& a, const B& b) {
        if constexpr (is_literal_v<A> && is_literal_v<B>) {
            return make_literal<A::num * B::den - B::num * A::den, A::den * B::den>();
        } else if constexpr (is_zero_v<B>) {
            return a;
        } else if constexpr (is_zero_v<A>) {
            return ctgrad::plain::negate(b);
        } else {
            return keep{};
        }
    }

    template <class Self, class A, class B>
    static auto value(const Self&, const A& a, const B& b) {
        return paired<Self>(a, b, [](const auto& x, const auto& y) { return x - y; });
    }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self&, const G& g) {
        if constexpr (I == 0) {
            return detail::reduce_to<arg_t<0, Self>, Self>(g);
        } else {
            return ctgrad::plain::negate(detail::reduce_to<arg_t<1, Self>, Self>(g));
        }
    }
};

}  // namespace ctgrad
