// broadcast_op and count_op: nodes the derivative rules build, never written by users.
#pragma once

#include "add.hpp"

namespace ctgrad {

/// broadcast_like(G, A): a 1x1 G spread over every entry of A, a 1xk G over every row of A, or
/// an nx1 G over every column of A. Only A's shape is used. The adjoint of sum, mean,
/// column_sums, row_sums and the row and column means.
struct broadcast_op {
    static constexpr std::size_t arity = 2;
    static constexpr std::string_view name = "broadcast";
    /// Not in formulas: only derivative rules build it.
    static constexpr bool built_by_derivatives = true;
    /// A 1x1 G over A is G times a matrix of ones, G \mathbf{1}_{n} (just \mathbf{1}_{n} when G is
    /// the number 1); a row G is \mathbf{1}_{n} G.
    template <class G, class A>
    static constexpr latex_form latex_for =
        is_one_v<G> ? (A::cols == 1   ? latex_form{.tex = "\\mathbf{1}_{#R2}", .text = "𝟏#r2", .level = precedence::atom}
                       : A::rows == 1 ? latex_form{.tex = "\\mathbf{1}_{#C2}^{T}", .text = "𝟏#c2ᵀ", .level = precedence::postfix}
                                      : latex_form{.tex = "\\mathbf{1}_{#R2 \\times #C2}", .text = "𝟏#s2",
                                                   .level = precedence::atom})
        : G::rows == 1 && !is_scalar_v<G>
            ? latex_form{.tex = "\\mathbf{1}_{#R2} #1", .text = "𝟏#r2 #1", .level = precedence::product,
                         .right = precedence::product}
        : !is_scalar_v<G> ? latex_form{.tex = "#1 \\mathbf{1}_{#C2}^{T}", .text = "#1 𝟏#c2ᵀ", .level = precedence::product,
                                     .left = precedence::fraction}
        : A::cols == 1  ? latex_form{.tex = "#1 \\mathbf{1}_{#R2}", .text = "#1 𝟏#r2", .level = precedence::product,
                                     .left = precedence::fraction}
        : A::rows == 1  ? latex_form{.tex = "#1 \\mathbf{1}_{#C2}^{T}", .text = "#1 𝟏#c2ᵀ", .level = precedence::product,
                                     .left = precedence::fraction}
                        : latex_form{.tex = "#1 \\mathbf{1}_{#R2 \\times #C2}", .text = "#1 𝟏#s2",
                                     .level = precedence::product, .left = precedence::fraction};

    template <class G, class A>
    static constexpr bool shapes_fit = is_scalar_v<G> || (G::rows == 1 && detail::dims_fit(G::cols, A::cols)) ||
                                       (G::cols == 1 && detail::dims_fit(G::rows, A::rows));
    template <class G, class A>
    static constexpr int rows = A::rows;
    template <class G, class A>
    static constexpr int cols = A::cols;

    template <class G, class A>
    static constexpr void report() {
        static_assert(detail::always_false<G>, "ctgrad: broadcast_like(G, A): G must be 1x1, a row as wide as A or a column as tall as A");
    }

    template <class G, class A>
    static constexpr auto simplify(const G& g, const A&) {
        if constexpr (G::rows == A::rows && G::cols == A::cols && G::rows != dynamic && G::cols != dynamic) {
            return g;
        } else {
            return keep{};
        }
    }

    template <class Self, class G, class A>
    static auto value(const Self&, const G& g, const A& a) {
        using kit = detail::eigen_kit<A>;
        if constexpr (is_scalar_v<arg_t<0, Self>>) {
            return kit::template filled<Self::rows, Self::cols>(detail::entries(a).rows(), detail::entries(a).cols(), detail::to_double(g));
        } else if constexpr (arg_t<0, Self>::rows == 1) {
            return kit::template repeat_rows<Self::rows>(g, detail::entries(a).rows());
        } else {
            return detail::repeat_cols<Self::cols>(detail::entries(g), detail::entries(a).cols());
        }
    }

    template <std::size_t I, class Self, class Gr>
    static constexpr auto backward(const Self&, const Gr& g) {
        if constexpr (I == 0) {
            return detail::reduce_to<arg_t<0, Self>, Self>(g);
        } else {
            return no_contribution{};
        }
    }
};

/// count(A): the number of entries of A, 1x1 (the n of 1/n). A constant: no derivative.
struct count_op {
    static constexpr std::size_t arity = 1;
    static constexpr std::string_view name = "count";
    static constexpr call_form call{.builder = "count", .signature = "count(A)", .shape = call_shape::scalar, .size_only = true};
    /// n for an n x 1 A whose rows are known at run time, 3n for n x 3; a static count is a literal.
    template <class A>
    static constexpr latex_form latex_for{
        .tex = "#N1", .text = "#N1",
        .level = (A::rows == 1 || A::cols == 1) ? precedence::atom : precedence::product};

    template <class A>
    static constexpr int rows = 1;
    template <class A>
    static constexpr int cols = 1;

    template <class A>
    static constexpr auto simplify(const A&) {
        // A size with a name (see detail::size_name) stays a count, so it prints as its name.
        if constexpr (A::rows != dynamic && A::cols != dynamic && detail::size_name(A::rows).empty() &&
                      detail::size_name(A::cols).empty()) {
            return make_literal<static_cast<long long>(A::rows) * A::cols, 1>();
        } else {
            return keep{};
        }
    }

    template <class Self, class A>
    static auto value(const Self&, const A& a) {
        return static_cast<double>(detail::entries(a).size());
    }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self&, const G&) { return no_contribution{}; }
};

/// The number of rows (row_count) or columns (column_count) of A, 1x1: the n of the per-row
/// mean in cross_entropy and column_means, the k of row_means. A constant: no derivative.
template <bool Rows>
struct dimension_count_op {
    static constexpr std::size_t arity = 1;
    static constexpr std::string_view name = Rows ? "row_count" : "column_count";
    /// Not in formulas: only derivative rules build it.
    static constexpr bool built_by_derivatives = true;
    static constexpr latex_form latex{.tex = Rows ? "#R1" : "#C1", .text = Rows ? "#R1" : "#C1", .level = precedence::atom};

    template <class A>
    static constexpr int rows = 1;
    template <class A>
    static constexpr int cols = 1;

    template <class A>
    static constexpr auto simplify(const A&) {
        constexpr int size = Rows ? A::rows : A::cols;
        // A size with a name (see detail::size_name) stays a count, so it prints as its name.
        if constexpr (size != dynamic && detail::size_name(size).empty()) {
            return make_literal<size, 1>();
        } else {
            return keep{};
        }
    }

    template <class Self, class A>
    static auto value(const Self&, const A& a) {
        return static_cast<double>(Rows ? detail::entries(a).rows() : detail::entries(a).cols());
    }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self&, const G&) { return no_contribution{}; }
};
using row_count_op = dimension_count_op<true>;
using column_count_op = dimension_count_op<false>;

}  // namespace ctgrad
