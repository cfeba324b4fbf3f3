// softmax_op and log_softmax_op: each row of an nxk Z made a distribution (softmax) or its log,
// computed stably through the row's largest entry.
#pragma once

#include "op_base.hpp"

namespace ctgrad {
namespace detail {

/// Each row of z minus its log-sum-exp, log softmax(z) row by row: the row's largest entry is
/// taken out first, so no exp overflows (logits of 1000) and the largest entry's term is exp(0).
template <class Z>
static auto log_softmax_rows(const Z& z) {
    auto out = entries(z).eval();
    const auto largest = out.rowwise().maxCoeff().eval();  // evaluated first: `out` changes below
    out.colwise() -= largest;
    const auto log_total = out.exp().rowwise().sum().log().eval();
    out.colwise() -= log_total;
    return out;
}

}  // namespace detail

/// softmax(Z): row i becomes exp(Z_i) / sum_j exp(Z_ij), a distribution over the k columns.
/// dL/dZ = S (.) (G - (G (.) S) 1_k), S the node itself: each row's Jacobian diag(s) - s s^T.
struct softmax_op {
    static constexpr std::size_t arity = 1;
    static constexpr std::string_view name = "softmax";
    static constexpr call_form call{.builder = "softmax", .signature = "softmax(Z)"};
    static constexpr latex_form latex{.tex = "\\operatorname{softmax}(#1)", .text = "softmax(#1)",
                                      .level = precedence::function, .activation = true};

    template <class A>
    static constexpr int rows = A::rows;
    template <class A>
    static constexpr int cols = A::cols;

    template <class Self, class A>
    static auto value(const Self&, const A& a) { return detail::owned(detail::log_softmax_rows(a).exp().eval()); }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self& self, const G& g) {
        return ctgrad::times(self, ctgrad::minus(g, ctgrad::row_sums(ctgrad::times(g, self))));
    }
};

/// log_softmax(Z): row i becomes Z_i - log sum_j exp(Z_ij), computed stably.
/// dL/dZ = G - softmax(Z) (.) (G 1_k).
struct log_softmax_op {
    static constexpr std::size_t arity = 1;
    static constexpr std::string_view name = "log_softmax";
    static constexpr call_form call{.builder = "log_softmax", .signature = "log_softmax(Z)"};
    static constexpr latex_form latex{.tex = "\\log\\operatorname{softmax}(#1)", .text = "log softmax(#1)",
                                      .level = precedence::function, .activation = true};

    template <class A>
    static constexpr int rows = A::rows;
    template <class A>
    static constexpr int cols = A::cols;

    template <class Self, class A>
    static auto value(const Self&, const A& a) { return detail::owned(detail::log_softmax_rows(a)); }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self& self, const G& g) {
        return ctgrad::minus(g, ctgrad::times(ctgrad::softmax(ctgrad::arg<0>(self)), ctgrad::row_sums(g)));
    }
};

}  // namespace ctgrad
