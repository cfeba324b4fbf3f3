// sum_op, mean_op and column_sums_op: reductions.
#pragma once

#include "op_base.hpp"

namespace ctgrad {

/// sum(A): the sum of all entries, 1x1. Its adjoint spreads G over every entry of A.
struct sum_op {
    static constexpr std::size_t arity = 1;
    static constexpr std::string_view name = "sum";
    /// A column sums over the batch, \sum_{j=1}^{n} A^{j}; a wider A is 1^T A 1.
    template <class A>
    static constexpr latex_form latex_for =
        A::cols == 1   ? latex_form{.tex = "\\sum_{j=1}^{#R1} #J1", .text = "Σ(j=1..#R1) #J1", .level = precedence::negation}
        : A::rows == 1 ? latex_form{.tex = "#1 \\mathbf{1}_{#C1}", .text = "#1 𝟏#c1", .level = precedence::product,
                                    .left = precedence::product}
                       : latex_form{.tex = "\\mathbf{1}_{#R1}^{T} #1 \\mathbf{1}_{#C1}", .text = "𝟏#r1ᵀ #1 𝟏#c1",
                                    .level = precedence::product, .left = precedence::product};

    template <class A>
    static constexpr int rows = 1;
    template <class A>
    static constexpr int cols = 1;

    template <class A>
    static constexpr auto simplify(const A& a) {
        if constexpr (is_scalar_v<A>) {
            return a;
        } else {
            return keep{};
        }
    }

    template <class Self, class A>
    static auto value(const Self&, const A& a) { return detail::entries(a).sum(); }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self& self, const G& g) { return ctgrad::broadcast_like(g, ctgrad::arg<0>(self)); }
};

/// mean(A): the mean of all entries, 1x1; its adjoint is G / (number of entries) on every entry.
struct mean_op {
    static constexpr std::size_t arity = 1;
    static constexpr std::string_view name = "mean";
    static constexpr latex_form latex{.tex = "\\operatorname{mean}(#1)", .text = "mean(#1)", .level = precedence::function};

    template <class A>
    static constexpr int rows = 1;
    template <class A>
    static constexpr int cols = 1;

    template <class A>
    static constexpr auto simplify(const A& a) {
        if constexpr (is_scalar_v<A>) {
            return a;
        } else {
            return keep{};
        }
    }

    template <class Self, class A>
    static auto value(const Self&, const A& a) { return detail::entries(a).mean(); }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self& self, const G& g) {
        return ctgrad::broadcast_like(ctgrad::divide(g, ctgrad::count(ctgrad::arg<0>(self))), ctgrad::arg<0>(self));
    }
};

/// column_sums(A): the 1xk row of column sums of an nxk A (the sum over the batch, sum_{j=1}^{n}).
/// It is what the bias of `X W + b^T` receives in the backward pass.
struct column_sums_op {
    static constexpr std::size_t arity = 1;
    static constexpr std::string_view name = "column_sums";
    static constexpr latex_form latex{
        .tex = "\\sum_{j=1}^{#R1} #J1", .text = "Σ(j=1..#R1) #J1", .level = precedence::negation};

    template <class A>
    static constexpr int rows = 1;
    template <class A>
    static constexpr int cols = A::cols;

    template <class A>
    static constexpr auto simplify(const A& a) {
        if constexpr (A::rows == 1) {
            return a;
        } else {
            return keep{};
        }
    }

    template <class Self, class A>
    static auto value(const Self&, const A& a) { return detail::entries(a).colwise().sum(); }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self& self, const G& g) { return ctgrad::broadcast_like(g, ctgrad::arg<0>(self)); }
};

}  // namespace ctgrad
