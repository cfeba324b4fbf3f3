// log_op: log(z), natural; log'(z) = 1 / z (defined for z > 0).
#pragma once

#include "op_base.hpp"

namespace ctgrad {

/// log(z), natural; log'(z) = 1 / z (defined for z > 0).
struct log_op : elementwise_function {
    static constexpr std::string_view name = "log";
    static constexpr call_form call{.builder = "log", .aliases = "ln", .signature = "log(Z)", .first = operand_domain::positive};
    static constexpr latex_form latex{.tex = "\\log(#1)", .text = "log(#1)", .level = precedence::function};

    template <class A>
    static auto apply(const A& x) { return x.log(); }

    template <class Self, class A>
    static constexpr auto derivative([[maybe_unused]] const Self& self, [[maybe_unused]] const A& a) { return ctgrad::plain::divide(literal<1>{}, a); }
};

}  // namespace ctgrad
