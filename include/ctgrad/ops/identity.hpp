// identity_op: identity(z) = z, the activation of linear regression; kept as a node so formulas read like the lecture.
#pragma once

#include "op_base.hpp"

namespace ctgrad {

/// identity(z) = z, the activation of linear regression; kept as a node so formulas read like the lecture.
struct identity_op : elementwise_function {
    static constexpr std::string_view name = "identity";
    static constexpr call_form call{.builder = "identity", .aliases = "id", .signature = "identity(Z)"};
    static constexpr latex_form latex{
        .tex = "\\operatorname{id}(#1)", .text = "id(#1)", .level = precedence::function, .activation = true};

    template <class A>
    static auto apply(const A& x) { return x; }

    template <class Self, class A>
    static constexpr auto derivative([[maybe_unused]] const Self& self, [[maybe_unused]] const A& a) { return literal<1>{}; }
};

}  // namespace ctgrad
