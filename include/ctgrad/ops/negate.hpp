// negate_op: -A.
#pragma once

#include "op_base.hpp"

namespace ctgrad {

/// -A; d(-A)/dA passes the adjoint back negated.
struct negate_op {
    static constexpr std::size_t arity = 1;
    static constexpr bool entrywise = true;  // see paired_operands
    static constexpr std::string_view name = "neg";
    static constexpr call_form call{.builder = "negate", .signature = "-A or negate(A)"};
    static constexpr latex_form latex{.tex = "-#1", .text = "-#1", .level = precedence::negation, .left = precedence::hadamard};

    template <class A>
    static constexpr int rows = A::rows;
    template <class A>
    static constexpr int cols = A::cols;

    template <class A>
    static constexpr auto simplify(const A& a) {
        if constexpr (is_literal_v<A>) {
            return make_literal<-A::num, A::den>();
        } else if constexpr (is_node_v<A>) {
            if constexpr (ctgrad::detail::same_v<typename A::op_type, negate_op>) {
                return ctgrad::arg<0>(a);  // -(-x) = x
            } else {
                return keep{};
            }
        } else {
            return keep{};
        }
    }

    template <class Self, class A>
    static auto value(const Self&, const A& a) { return -detail::entries(a); }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self&, const G& g) { return ctgrad::plain::negate(g); }
};

}  // namespace ctgrad
