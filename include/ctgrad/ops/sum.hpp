// Reductions: sum_op, mean_op, column_sums_op, column_means_op, row_sums_op and row_means_op.
#pragma once

#include "op_base.hpp"

namespace ctgrad {

/// sum(A): the sum of all entries, 1x1. Its adjoint spreads G over every entry of A.
struct sum_op {
    static constexpr std::size_t arity = 1;
    static constexpr std::string_view name = "sum";
    static constexpr call_form call{.builder = "sum", .signature = "sum(A)", .shape = call_shape::scalar};
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
    static constexpr auto backward(const Self& self, const G& g) { return ctgrad::plain::broadcast_like(g, ctgrad::arg<0>(self)); }
};

/// mean(A): the mean of all entries, 1x1; its adjoint is G / (number of entries) on every entry.
struct mean_op {
    static constexpr std::size_t arity = 1;
    static constexpr std::string_view name = "mean";
    static constexpr call_form call{.builder = "mean", .signature = "mean(A)", .shape = call_shape::scalar};
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
        return ctgrad::plain::broadcast_like(ctgrad::plain::divide(g, ctgrad::plain::count(ctgrad::arg<0>(self))), ctgrad::arg<0>(self));
    }
};

/// column_sums(A): the 1xk row of column sums of an nxk A (the sum over the batch, sum_{j=1}^{n}).
/// It is what the bias of `X W + b^T` receives in the backward pass.
struct column_sums_op {
    static constexpr std::size_t arity = 1;
    static constexpr std::string_view name = "column_sums";
    static constexpr call_form call{.builder = "column_sums", .aliases = "colsum colsums", .signature = "column_sums(A)", .shape = call_shape::row};
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
    static constexpr auto backward(const Self& self, const G& g) { return ctgrad::plain::broadcast_like(g, ctgrad::arg<0>(self)); }
};

/// column_means(A): the 1xk row of column means of an nxk A, (1/n) 1^T A: a mean over the batch.
/// Its adjoint spreads G / n over every row.
struct column_means_op {
    static constexpr std::size_t arity = 1;
    static constexpr std::string_view name = "column_means";
    static constexpr call_form call{.builder = "column_means", .signature = "column_means(A)", .shape = call_shape::row};
    static constexpr latex_form latex{.tex = "\\frac{1}{#R1} \\mathbf{1}_{#R1}^{T} #1", .text = "𝟏#r1ᵀ #1/#R1",
                                      .level = precedence::product, .right = precedence::product};

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
    static auto value(const Self&, const A& a) { return detail::entries(a).colwise().mean(); }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self& self, const G& g) {
        const auto& a = ctgrad::arg<0>(self);
        return ctgrad::plain::broadcast_like(ctgrad::plain::divide(g, ctgrad::plain::row_count(a)), a);
    }
};

/// row_sums(A): the nx1 column of row sums of an nxk A, A 1_k (a sum over the classes or
/// features of each example). Its adjoint spreads G over every column.
struct row_sums_op {
    static constexpr std::size_t arity = 1;
    static constexpr std::string_view name = "row_sums";
    static constexpr call_form call{.builder = "row_sums", .signature = "row_sums(A)", .shape = call_shape::column};
    static constexpr latex_form latex{.tex = "#1 \\mathbf{1}_{#C1}", .text = "#1 𝟏#c1", .level = precedence::product,
                                      .left = precedence::product};

    template <class A>
    static constexpr int rows = A::rows;
    template <class A>
    static constexpr int cols = 1;

    template <class A>
    static constexpr auto simplify(const A& a) {
        if constexpr (A::cols == 1) {
            return a;
        } else {
            return keep{};
        }
    }

    template <class Self, class A>
    static auto value(const Self&, const A& a) { return detail::entries(a).rowwise().sum(); }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self& self, const G& g) { return ctgrad::plain::broadcast_like(g, ctgrad::arg<0>(self)); }
};

/// row_means(A): the nx1 column of row means of an nxk A, (1/k) A 1_k (a layer norm's mean).
/// Its adjoint spreads G / k over every column.
struct row_means_op {
    static constexpr std::size_t arity = 1;
    static constexpr std::string_view name = "row_means";
    static constexpr call_form call{.builder = "row_means", .signature = "row_means(A)", .shape = call_shape::column};
    static constexpr latex_form latex{.tex = "\\frac{1}{#C1} #1 \\mathbf{1}_{#C1}", .text = "#1 𝟏#c1/#C1",
                                      .level = precedence::product, .left = precedence::product};

    template <class A>
    static constexpr int rows = A::rows;
    template <class A>
    static constexpr int cols = 1;

    template <class A>
    static constexpr auto simplify(const A& a) {
        if constexpr (A::cols == 1) {
            return a;
        } else {
            return keep{};
        }
    }

    template <class Self, class A>
    static auto value(const Self&, const A& a) { return detail::entries(a).rowwise().mean(); }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self& self, const G& g) {
        const auto& a = ctgrad::arg<0>(self);
        return ctgrad::plain::broadcast_like(ctgrad::plain::divide(g, ctgrad::plain::column_count(a)), a);
    }
};

}  // namespace ctgrad
