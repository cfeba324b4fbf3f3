// tanh_op: tanh(z); tanh'(z) = 1 - tanh(z)^2, written with the node itself so backprop reuses the forward value.
#pragma once

#include "op_base.hpp"

namespace ctgrad {

/// tanh(z); tanh'(z) = 1 - tanh(z)^2, written with the node itself so backprop reuses the forward value.
struct tanh_op : elementwise_function {
    static constexpr std::string_view name = "tanh";
    static constexpr call_form call{.builder = "tanh", .signature = "tanh(Z)"};
    static constexpr latex_form latex{
        .tex = "\\tanh(#1)", .text = "tanh(#1)", .level = precedence::function, .activation = true};

    template <class A>
    static auto apply(const A& x) { return detail::eigen_kit<A>::tanh(x); }

    template <class Self, class A>
    static constexpr auto derivative([[maybe_unused]] const Self& self, [[maybe_unused]] const A& a) { return ctgrad::plain::minus(literal<1>{}, ctgrad::plain::square(self)); }
};

}  // namespace ctgrad
