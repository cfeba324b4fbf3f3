// relu_op: relu(z) = max(z, 0); relu'(z) = step(z) (taking 0 at the kink).
#pragma once

#include "op_base.hpp"

namespace ctgrad {

/// relu(z) = max(z, 0); relu'(z) = step(z) (taking 0 at the kink).
struct relu_op : elementwise_function {
    static constexpr std::string_view name = "relu";
    static constexpr call_form call{.builder = "relu", .signature = "relu(Z)"};
    static constexpr latex_form latex{
        .tex = "\\operatorname{ReLU}(#1)", .text = "ReLU(#1)", .level = precedence::function, .activation = true};

    template <class A>
    static auto apply(const A& x) { return x.max(0.0); }

    template <class Self, class A>
    static constexpr auto derivative([[maybe_unused]] const Self& self, [[maybe_unused]] const A& a) { return ctgrad::plain::step(a); }
};

}  // namespace ctgrad
