// cross_entropy_op: the softmax classifier's loss on logits, -(1/n) sum Y (.) log softmax(Z).
#pragma once

#include <cmath>
#include <string>
#include <type_traits>
#include <utility>

#include "../errors.hpp"
#include "softmax.hpp"

namespace ctgrad {
namespace detail {

/// cross_entropy's error for targets outside its domain; not a template, so every use shares it.
[[noreturn]] CTGRAD_COLD inline void throw_target_error(long row, double total) {
    throw domain_error(concat_text("ctgrad: cross_entropy(Z, Y): row ", std::to_string(row + 1), " of Y sums to ",
                                   std::to_string(total), ", not 1: the targets must be probability rows (one-hot or a distribution)"));
}

/// Rows first, first + 1, ... of Y checked to sum to 1 within 1e-9 (totals: their row sums),
/// else throw_target_error.
template <class T>
static void check_target_totals(const T& totals, long first) {
    for (long i = 0; i < static_cast<long>(totals.rows()); ++i) {
        if (!(std::abs(totals(i) - 1.0) <= 1e-9)) detail::throw_target_error(first + i, totals(i));
    }
}

/// Y's rows checked to sum to 1 within 1e-9, else throw_target_error.
template <class T>
static void check_target_rows(const T& targets) {
    detail::for_row_chunks_of(targets, [&](auto rows_of, auto& totals, auto first) {
        totals = rows_of(targets).rowwise().sum();
        detail::check_target_totals(totals, static_cast<long>(first));
    });
}

/// -sum_ij Y_ij log softmax(Z)_ij, written as sum_i t_i lse_i - sum_ij Y_ij Z_ij with t_i row
/// i's total (checked to be 1) and lse_i its log-sum-exp of Z, which write_lse(rows_of, lse)
/// writes for a chunk of rows.
template <class Z, class Y, class WriteLse>
static double negative_log_likelihood_from(const WriteLse& write_lse, const Z& logits, const Y& targets) {
    double weighted_lse = 0.0;
    detail::for_row_chunks_of(targets, [&](auto rows_of, auto& totals, auto first) {
        totals = rows_of(targets).rowwise().sum();
        detail::check_target_totals(totals, static_cast<long>(first));
        std::remove_reference_t<decltype(totals)> lse(totals.rows());
        write_lse(rows_of, lse);
        weighted_lse += (lse * totals).sum();
    });
    return weighted_lse - (targets * logits).sum();
}

/// The same with lse_i = m_i + log sum_j exp(Z_ij - m_i), m_i row i's largest logit: one exp
/// pass over the shifted logits. Only for an expression holding a user's double (no softmax(Z)
/// at hand), so its whole-matrix temporaries are not worth chunking.
template <class Z, class Y>
static double negative_log_likelihood(const Z& logits, const Y& targets) {
    const auto largest = logits.rowwise().maxCoeff().eval();
    // Shifted in a pass of its own: exp over a broadcast subtraction is not vectorised (Eigen 3.4).
    const auto shifted = (logits.colwise() - largest.array()).eval();
    const auto whole_lse = (shifted.exp().rowwise().sum().log() + largest.array()).eval();
    return detail::negative_log_likelihood_from([&](auto rows_of, auto& lse) { lse = rows_of(whole_lse); }, logits, targets);
}

/// The same read off S = softmax(Z), computed already: no exp. S's largest entry in row i is
/// exp(0) / s_i = 1 / s_i exactly rounded (no other exp(Z_ij - m_i) exceeds exp(0) = 1), so
/// lse_i = m_i - log max_j S_ij, its log taken of a number in [1/k, 1].
template <class Z, class Y, class S>
static double negative_log_likelihood(const Z& logits, const Y& targets, const S& probabilities) {
    return detail::negative_log_likelihood_from(
        [&](auto rows_of, auto& lse) {
            lse = rows_of(logits).rowwise().maxCoeff();
            lse -= rows_of(probabilities).rowwise().maxCoeff().log();
        },
        logits, targets);
}

}  // namespace detail

/// probability_rows(Y): Y itself, once its rows are checked to be distributions (eval throws
/// domain_error otherwise). cross_entropy's derivative reads its targets through it, so a
/// gradient evaluated alone refuses targets off the loss's domain as the loss does. Prints as Y.
struct probability_rows_op {
    static constexpr std::size_t arity = 1;
    static constexpr std::string_view name = "probability_rows";
    /// Not in formulas: only derivative rules build it.
    static constexpr bool built_by_derivatives = true;
    static constexpr latex_form latex{.tex = "#1", .text = "#1", .level = precedence::atom};
    /// A view: evaluation reads the operand in place (the check runs where the value is read).
    static constexpr bool is_view = true;

    template <class A>
    static constexpr int rows = A::rows;
    template <class A>
    static constexpr int cols = A::cols;

    template <class Self, class A>
    static auto value(const Self&, const A& a) {
        detail::check_target_rows(detail::entries(a));
        return detail::entries(a);
    }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self&, const G& g) { return g; }
};

/// cross_entropy(Z, Y) = -(1/n) sum_ij Y_ij log softmax(Z)_ij for nxk logits Z and targets Y whose
/// rows are distributions (one-hot in the usual case): the mean over the n examples of each
/// one's negative log-likelihood. Stable for any logits (log-sum-exp). On that domain
/// dL/dZ = G/n (softmax(Z) - Y), the textbook form, so eval refuses rows of Y that do not sum
/// to 1 (within 1e-9) instead of silently giving the gradient of another loss: the loss checks
/// them, and dL/dZ reads them through probability_rows. dL/dY = -G/n log softmax(Z).
struct cross_entropy_op {
    static constexpr std::size_t arity = 2;
    static constexpr bool pairs_operands = true;
    static constexpr std::string_view name = "cross_entropy";
    static constexpr call_form call{.builder = "cross_entropy", .signature = "cross_entropy(Z, Y)", .arity = 2, .shape = call_shape::loss, .second = operand_domain::probability_rows};
    static constexpr latex_form latex{.tex = "\\operatorname{CE}(#1, #2)", .text = "CE(#1, #2)",
                                      .level = precedence::function, .logits = true};

    template <class Z, class Y>
    static constexpr bool shapes_fit = detail::dims_fit(Z::rows, Y::rows) && detail::dims_fit(Z::cols, Y::cols);
    template <class Z, class Y>
    static constexpr int rows = 1;
    template <class Z, class Y>
    static constexpr int cols = 1;

    template <class Z, class Y>
    static constexpr void report() {
        static_assert(detail::always_false<Z>, "ctgrad: cross_entropy(Z, Y) needs logits Z and targets Y of equal shapes");
    }

    /// What the value reads besides Z and Y: softmax(Z), which dL/dZ needs anyway. Evaluation
    /// computes it before the loss (docs/design.md), so one exp pass serves the loss and the
    /// gradient, as in hand-written code.
    template <class Z, class Y>
    using also_reads = decltype(ctgrad::plain::softmax(std::declval<const Z&>()));

    template <class Self, class Z, class Y, class S>
    static double value(const Self&, const Z& z, const Y& y, const S& s) {
        const auto& targets = detail::entries_read_often(y);
        return detail::negative_log_likelihood(detail::entries_read_often(z), targets, detail::entries_read_often(s)) /
               static_cast<double>(targets.rows());
    }
    /// Without softmax(Z) at hand (an expression holding a user's double is computed by a tree walk).
    template <class Self, class Z, class Y>
    static double value(const Self&, const Z& z, const Y& y) {
        const auto& targets = detail::entries_read_often(y);
        return detail::negative_log_likelihood(detail::entries_read_often(z), targets) / static_cast<double>(targets.rows());
    }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self& self, const G& g) {
        const auto& z = ctgrad::arg<0>(self);
        auto per_example = ctgrad::plain::divide(g, ctgrad::plain::row_count(z));
        if constexpr (I == 0) {
            return ctgrad::plain::scale(per_example, ctgrad::plain::minus(ctgrad::plain::softmax(z), ctgrad::plain::probability_rows(ctgrad::arg<1>(self))));
        } else {
            return ctgrad::plain::negate(ctgrad::plain::scale(per_example, ctgrad::plain::log_softmax(z)));
        }
    }
};

}  // namespace ctgrad
