// exp_op: exp(z); exp' = exp, the forward value itself.
#pragma once

#include "op_base.hpp"

namespace ctgrad {

/// exp(z); exp' = exp, the forward value itself.
struct exp_op : elementwise_function {
    static constexpr std::string_view name = "exp";
    static constexpr call_form call{.builder = "exp", .signature = "exp(Z)"};
    static constexpr latex_form latex{
        .tex = "\\exp(#1)", .text = "exp(#1)", .level = precedence::function, .activation = true};

    template <class A>
    static auto apply(const A& x) { return x.exp(); }

    template <class Self, class A>
    static constexpr auto derivative([[maybe_unused]] const Self& self, [[maybe_unused]] const A& a) { return self; }
};

}  // namespace ctgrad
