// square_op: square(z) = z^2 entry by entry; square'(z) = 2z.
#pragma once

#include "op_base.hpp"

namespace ctgrad {

/// square(z) = z^2 entry by entry; square'(z) = 2z.
struct square_op : elementwise_function {
    static constexpr std::string_view name = "square";
    static constexpr call_form call{.builder = "square", .signature = "square(Z) or Z^2"};
    static constexpr latex_form latex{
        .tex = "#1^{2}", .text = "#1²", .level = precedence::postfix, .left = precedence::atom, .power = true};

    template <class A>
    static auto apply(const A& x) { return x.square(); }

    template <class Self, class A>
    static constexpr auto derivative([[maybe_unused]] const Self& self, [[maybe_unused]] const A& a) { return ctgrad::plain::scale(literal<2>{}, a); }
};

}  // namespace ctgrad
