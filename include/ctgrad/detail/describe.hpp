// describe(e): a short plain-text form of an expression for error messages.
#pragma once

#include <string>
#include <type_traits>
#include <utility>

#include "../errors.hpp"
#include "../expression.hpp"
#include "inlining.hpp"

namespace ctgrad::detail {

/// Nodes deeper than Depth below the described one print as "..": the message stays short,
/// and a deep formula does not instantiate one describe per node.
template <int Depth = 3, class E>
static std::string describe(const E& e) {
    if constexpr (is_variable_v<E>) {
        return std::string(E::name);
    } else if constexpr (is_literal_v<E>) {
        return E::den == 1 ? std::to_string(E::num) : concat_text(std::to_string(E::num), "/", std::to_string(E::den));
    } else if constexpr (ctgrad::detail::same_v<E, constant>) {
        return std::to_string(e.value);
    } else if constexpr (Depth < 0) {
        return "..";
    } else if constexpr (is_adjoint_v<E>) {
        return concat_text("dL/d(", detail::describe<Depth - 1>(ctgrad::forward_of(e)), ")");
    } else if constexpr (is_gradient_v<E>) {
        return detail::describe<Depth>(ctgrad::expr_of(e));
    } else if constexpr (is_node_v<E>) {
        using op = typename E::op_type;
        if constexpr (op::arity == 2 && (op::name == "+" || op::name == "-" || op::name == "*" || op::name == "/")) {
            return concat_text("(", detail::describe<Depth - 1>(ctgrad::arg<0>(e)), " ", op::name, " ", detail::describe<Depth - 1>(ctgrad::arg<1>(e)), ")");
        } else if constexpr (op::arity == 1) {
            return concat_text(op::name, "(", detail::describe<Depth - 1>(ctgrad::arg<0>(e)), ")");
        } else {
            // name(a, b, ...): every operand, whatever the arity
            std::string out = concat_text(op::name, "(");
            [&]<std::size_t... I>(std::index_sequence<I...>) {
                ((out += (I == 0 ? "" : ", "), out += detail::describe<Depth - 1>(ctgrad::arg<I>(e))), ...);
            }(std::make_index_sequence<op::arity>{});
            return out + ")";
        }
    } else {
        return "?";
    }
}

}  // namespace ctgrad::detail
