// step_op: step(z) = I{z > 0}, the lecture's threshold neuron; its derivative is 0 almost everywhere.
#pragma once

#include "op_base.hpp"

namespace ctgrad {

/// step(z) = I{z > 0}, the lecture's threshold neuron; its derivative is 0 almost everywhere.
struct step_op : elementwise_function {
    static constexpr std::string_view name = "step";
    static constexpr call_form call{.builder = "step", .aliases = "heaviside", .signature = "step(Z)"};
    static constexpr latex_form latex{
        .tex = "I\\{#1 > 0\\}", .text = "I{#1 > 0}", .level = precedence::function, .activation = true};

    template <class A>
    static auto apply(const A& x) { return detail::eigen_kit<A>::step(x); }

    template <class Self, class A>
    static constexpr auto derivative([[maybe_unused]] const Self& self, [[maybe_unused]] const A& a) { return no_contribution{}; }
};

}  // namespace ctgrad
