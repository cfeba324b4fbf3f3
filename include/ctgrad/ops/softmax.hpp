// softmax_op and log_softmax_op: each row of an nxk Z made a distribution (softmax) or its log,
// computed stably through the row's largest entry.
#pragma once

#include <utility>

#include "op_base.hpp"

namespace ctgrad {
namespace detail {

/// Runs f(rows_of, column, first) over the rows of m in chunks (eigen_kit::for_row_chunks):
/// per-row values stay on the stack with static or run-time rows.
template <class M, class F>
static void for_row_chunks_of(const M& m, F&& f) {
    detail::eigen_kit<M>::template for_row_chunks<M::RowsAtCompileTime>(m.rows(), std::forward<F>(f));
}

/// A chunk's rows of out = the same rows of z, each with its largest entry taken out (kept in
/// `largest`), so no exp of them overflows (logits of 1000) and each row's largest term is
/// exp(0) = 1.
template <class RowsOf, class Out, class Z, class Column>
static void shift_rows_to_zero_max(const RowsOf& rows_of, Out& out, const Z& z, Column& largest) {
    largest = rows_of(z).rowwise().maxCoeff();
    rows_of(out).array() = rows_of(z).colwise() - largest;
}

/// out = softmax of z's rows: the rows shifted as they are copied, one exp pass, and each row
/// divided by its sum (at least 1). Per-row values are kept 256 rows at a time on the stack
/// (eigen_kit::for_row_chunks), so run-time rows need no heap here either.
template <class Out, class Z>
static void softmax_rows(Out& out, const Z& z) {
    out.resize(z.rows(), z.cols());
    detail::for_row_chunks_of(out, [&](auto rows_of, auto& column, auto) {
        detail::shift_rows_to_zero_max(rows_of, out, z, column);
        auto&& rows = rows_of(out);
        rows.array() = rows.array().exp();  // a pass of its own: exp over a broadcast is not vectorised (Eigen 3.4)
        column = rows.array().rowwise().sum().inverse();
        rows.array().colwise() *= column;
    });
}

/// out = log softmax of z's rows: each shifted row minus the log of its exps' sum.
template <class Out, class Z>
static void log_softmax_rows(Out& out, const Z& z) {
    out.resize(z.rows(), z.cols());
    detail::for_row_chunks_of(out, [&](auto rows_of, auto& column, auto) {
        detail::shift_rows_to_zero_max(rows_of, out, z, column);
        auto&& rows = rows_of(out);
        column = rows.array().exp().rowwise().sum().log();
        rows.array().colwise() -= column;
    });
}

}  // namespace detail

/// softmax(Z): row i becomes exp(Z_i) / sum_j exp(Z_ij), a distribution over the k columns.
/// dL/dZ = S (.) (G - (G (.) S) 1_k), S the node itself: each row's Jacobian diag(s) - s s^T.
struct softmax_op : computed_whole<softmax_op> {
    static constexpr std::size_t arity = 1;
    static constexpr std::string_view name = "softmax";
    static constexpr call_form call{.builder = "softmax", .signature = "softmax(Z)"};
    static constexpr latex_form latex{.tex = "\\operatorname{softmax}(#1)", .text = "softmax(#1)",
                                      .level = precedence::function, .activation = true};

    template <class A>
    static constexpr int rows = A::rows;
    template <class A>
    static constexpr int cols = A::cols;

    template <class Self, class Out, class A>
    static void write_value(const Self&, Out& out, const A& a) { detail::softmax_rows(out, detail::entries(a)); }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self& self, const G& g) {
        return ctgrad::plain::times(self, ctgrad::plain::minus(g, ctgrad::plain::row_sums(ctgrad::plain::times(g, self))));
    }
};

/// log_softmax(Z): row i becomes Z_i - log sum_j exp(Z_ij), computed stably.
/// dL/dZ = G - softmax(Z) (.) (G 1_k).
struct log_softmax_op : computed_whole<log_softmax_op> {
    static constexpr std::size_t arity = 1;
    /// Its derivative builds softmax(Z), computed whole: evaluation gives it a slot.
    static constexpr bool backward_builds_whole = true;
    static constexpr std::string_view name = "log_softmax";
    static constexpr call_form call{.builder = "log_softmax", .signature = "log_softmax(Z)"};
    static constexpr latex_form latex{.tex = "\\log\\operatorname{softmax}(#1)", .text = "log softmax(#1)",
                                      .level = precedence::function, .activation = true};

    template <class A>
    static constexpr int rows = A::rows;
    template <class A>
    static constexpr int cols = A::cols;

    template <class Self, class Out, class A>
    static void write_value(const Self&, Out& out, const A& a) { detail::log_softmax_rows(out, detail::entries(a)); }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self& self, const G& g) {
        return ctgrad::plain::minus(g, ctgrad::plain::times(ctgrad::plain::softmax(ctgrad::arg<0>(self)), ctgrad::plain::row_sums(g)));
    }
};

}  // namespace ctgrad
