// gelu_op: GELU in its tanh form (PyTorch's approximate='tanh'), and gelu_derivative_op, GELU'.
#pragma once


#include "op_base.hpp"

namespace ctgrad {
namespace detail {

/// sqrt(2/pi) and the cubic coefficient of the tanh form.
inline constexpr double gelu_scale = 0.7978845608028654;
inline constexpr double gelu_cubic = 0.044715;

}  // namespace detail

/// GELU'(z) = 0.5 (1 + t) + 0.5 z (1 - t^2) sqrt(2/pi) (1 + 3 0.044715 z^2), t = tanh(u),
/// u = sqrt(2/pi) (z + 0.044715 z^3): one node, so a derivation prints GELU'(Z) and not the
/// formula. Built only by gelu's derivative.
struct gelu_derivative_op : elementwise_function {
    static constexpr std::string_view name = "gelu_derivative";
    /// Not in formulas: only derivative rules build it.
    static constexpr bool built_by_derivatives = true;
    static constexpr latex_form latex{
        .tex = "\\operatorname{GELU}'(#1)", .text = "GELU'(#1)", .level = precedence::function};

    template <class A>
    static auto apply(const A& x) {
        using detail::gelu_cubic, detail::gelu_scale;
        const auto t = detail::eigen_kit<A>::tanh(gelu_scale * (x + gelu_cubic * x.cube()));
        return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t.square()) * gelu_scale * (1.0 + 3.0 * gelu_cubic * x.square());
    }

    template <class Self, class A>
    static constexpr auto derivative([[maybe_unused]] const Self& self, [[maybe_unused]] const A& a) {
        // Gradients are first derivatives: the backward pass never differentiates an adjoint.
        static_assert(detail::always_false<A>, "ctgrad: GELU'(Z) comes only from the derivative of gelu and has no derivative of its own");
        return no_contribution{};
    }
};

/// gelu(z) = 0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3))), as PyTorch's
/// gelu(approximate='tanh'); gelu'(z) is the node GELU'(z).
struct gelu_op : elementwise_function {
    static constexpr std::string_view name = "gelu";
    static constexpr call_form call{.builder = "gelu", .signature = "gelu(Z)"};
    static constexpr latex_form latex{
        .tex = "\\operatorname{GELU}(#1)", .text = "GELU(#1)", .level = precedence::function, .activation = true};

    template <class A>
    static auto apply(const A& x) {
        using detail::gelu_cubic, detail::gelu_scale;
        return 0.5 * x * (1.0 + detail::eigen_kit<A>::tanh(gelu_scale * (x + gelu_cubic * x.cube())));
    }

    template <class Self, class A>
    static constexpr auto derivative([[maybe_unused]] const Self& self, const A& a) {
        return ctgrad::plain::gelu_derivative(a);
    }
};

}  // namespace ctgrad
