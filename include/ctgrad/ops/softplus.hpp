// softplus_op: softplus(z) = log(1 + e^z), computed without overflow; softplus' = sigma.
#pragma once

#include "op_base.hpp"

namespace ctgrad {

/// softplus(z) = log(1 + e^z), computed without overflow; softplus' = sigma.
struct softplus_op : elementwise_function {
    static constexpr std::string_view name = "softplus";
    static constexpr call_form call{.builder = "softplus", .signature = "softplus(Z)"};
    static constexpr latex_form latex{.tex = "\\operatorname{softplus}(#1)", .text = "softplus(#1)",
                                      .level = precedence::function, .activation = true};

    template <class A>
    static auto apply(const A& x) { return x.max(0.0) + (-x.abs()).exp().log1p(); }

    template <class Self, class A>
    static constexpr auto derivative([[maybe_unused]] const Self& self, [[maybe_unused]] const A& a) { return ctgrad::plain::sigmoid(a); }
};

}  // namespace ctgrad
