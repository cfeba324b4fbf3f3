// sqrt_op: sqrt(z) entry by entry; sqrt'(z) = 1 / (2 sqrt(z)), written with the node itself.
#pragma once

#include "op_base.hpp"

namespace ctgrad {

/// sqrt(z) (z >= 0; differentiable for z > 0); sqrt'(z) = 1 / (2 sqrt(z)), reusing the forward value.
struct sqrt_op : elementwise_function {
    static constexpr std::string_view name = "sqrt";
    static constexpr call_form call{.builder = "sqrt", .signature = "sqrt(Z)", .first = operand_domain::positive};
    static constexpr latex_form latex{.tex = "\\sqrt{#1}", .text = "√(#1)", .level = precedence::function};

    template <class A>
    static auto apply(const A& x) { return x.sqrt(); }

    template <class Self, class A>
    static constexpr auto derivative(const Self& self, [[maybe_unused]] const A& a) {
        return ctgrad::plain::divide(literal<1>{}, ctgrad::plain::scale(literal<2>{}, self));
    }
};

}  // namespace ctgrad
