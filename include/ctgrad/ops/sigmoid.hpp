// sigmoid_op: sigma(z) = 1 / (1 + e^{-z}); sigma' = sigma (1 - sigma), reusing the forward value.
#pragma once

#include "op_base.hpp"

namespace ctgrad {

/// sigma(z) = 1 / (1 + e^{-z}); sigma' = sigma (1 - sigma), reusing the forward value.
struct sigmoid_op : elementwise_function {
    static constexpr std::string_view name = "sigmoid";
    static constexpr call_form call{.builder = "sigmoid", .aliases = "sigma \xcf\x83 logistic", .signature = "sigmoid(Z)"};
    static constexpr latex_form latex{
        .tex = "\\sigma(#1)", .text = "σ(#1)", .level = precedence::function, .activation = true};

    template <class A>
    static auto apply(const A& x) { return x.logistic(); }

    template <class Self, class A>
    static constexpr auto derivative([[maybe_unused]] const Self& self, [[maybe_unused]] const A& a) { return ctgrad::plain::times(self, ctgrad::plain::minus(literal<1>{}, self)); }
};

}  // namespace ctgrad
