// abs_op and sign_op: |z| entry by entry, and its derivative sign(z).
#pragma once

#include "op_base.hpp"

namespace ctgrad {

/// sign(z): -1, 0 or 1 entry by entry; the derivative of |z| (taking 0 at the kink). Its own
/// derivative is 0 almost everywhere.
struct sign_op : elementwise_function {
    static constexpr std::string_view name = "sign";
    static constexpr call_form call{.builder = "sign", .signature = "sign(Z)"};
    static constexpr latex_form latex{
        .tex = "\\operatorname{sign}(#1)", .text = "sign(#1)", .level = precedence::function};

    template <class A>
    static auto apply(const A& x) { return x.sign(); }

    template <class Self, class A>
    static constexpr auto derivative([[maybe_unused]] const Self& self, [[maybe_unused]] const A& a) { return no_contribution{}; }
};

/// |z| entry by entry; |z|' = sign(z).
struct abs_op : elementwise_function {
    static constexpr std::string_view name = "abs";
    static constexpr call_form call{.builder = "abs", .signature = "abs(Z)"};
    static constexpr latex_form latex{.tex = "\\lvert #1 \\rvert", .text = "|#1|", .level = precedence::function};

    template <class A>
    static auto apply(const A& x) { return x.abs(); }

    template <class Self, class A>
    static constexpr auto derivative([[maybe_unused]] const Self& self, const A& a) { return ctgrad::plain::sign(a); }
};

}  // namespace ctgrad
