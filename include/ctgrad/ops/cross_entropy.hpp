// cross_entropy_op: the softmax classifier's loss on logits, -(1/n) sum Y (.) log softmax(Z).
#pragma once

#include <cmath>
#include <string>

#include "../errors.hpp"
#include "softmax.hpp"

namespace ctgrad {
namespace detail {

/// cross_entropy's error for targets outside its domain; not a template, so every use shares it.
[[noreturn]] CTGRAD_COLD inline void throw_target_error(long row, double total) {
    throw domain_error(concat_text("ctgrad: cross_entropy(Z, Y): row ", std::to_string(row + 1), " of Y sums to ",
                                   std::to_string(total), ", not 1: the targets must be probability rows (one-hot or a distribution)"));
}

/// Y's rows checked to sum to 1 within 1e-9, else throw_target_error.
template <class T>
static void check_target_rows(const T& targets) {
    const auto totals = targets.rowwise().sum().eval();
    for (long i = 0; i < static_cast<long>(totals.rows()); ++i) {
        if (!(std::abs(totals(i) - 1.0) <= 1e-9)) detail::throw_target_error(i, totals(i));
    }
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

    template <class Self, class Z, class Y>
    static double value(const Self&, const Z& z, const Y& y) {
        const auto targets = detail::entries(y).eval();
        detail::check_target_rows(targets);
        return -(targets * detail::log_softmax_rows(z)).sum() / static_cast<double>(targets.rows());
    }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self& self, const G& g) {
        const auto& z = ctgrad::arg<0>(self);
        auto per_example = ctgrad::divide(g, ctgrad::row_count(z));
        if constexpr (I == 0) {
            return ctgrad::scale(per_example, ctgrad::minus(ctgrad::softmax(z), ctgrad::probability_rows(ctgrad::arg<1>(self))));
        } else {
            return ctgrad::negate(ctgrad::scale(per_example, ctgrad::log_softmax(z)));
        }
    }
};

}  // namespace ctgrad
