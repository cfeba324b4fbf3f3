// Declarations of the builders (defined in operations.hpp), so derivative rules in ops/ can
// call them by qualified name: a qualified call skips argument-dependent lookup, which on the
// deep types of a large formula costs the compiler a walk over every template argument.
#pragma once

#include "expression.hpp"

namespace ctgrad {

template <expression A, expression B>
constexpr auto plus(const A& a, const B& b);
template <expression A, expression B>
constexpr auto minus(const A& a, const B& b);
template <expression A>
constexpr auto negate(const A& a);
template <expression A, expression B>
constexpr auto matmul(const A& a, const B& b);
template <expression S, expression A>
constexpr auto scale(const S& s, const A& a);
template <expression A, expression B>
constexpr auto divide(const A& a, const B& b);
template <expression A, expression B>
constexpr auto hadamard(const A& a, const B& b);
template <expression A>
constexpr auto transpose(const A& a);
template <expression A, expression B>
constexpr auto times(const A& a, const B& b);
template <expression A>
constexpr auto relu(const A& a);
template <expression A>
constexpr auto step(const A& a);
template <expression A>
constexpr auto tanh(const A& a);
template <expression A>
constexpr auto sigmoid(const A& a);
template <expression A>
constexpr auto exp(const A& a);
template <expression A>
constexpr auto log(const A& a);
template <expression A>
constexpr auto softplus(const A& a);
template <expression A>
constexpr auto square(const A& a);
template <expression A>
constexpr auto identity(const A& a);
template <expression A>
constexpr auto sum(const A& a);
template <expression A>
constexpr auto mean(const A& a);
template <expression A>
constexpr auto column_sums(const A& a);
template <expression P, expression Y>
constexpr auto mse(const P& yhat, const Y& y);
template <expression P, expression Y>
constexpr auto bce(const P& p, const Y& y);
template <expression G, expression A>
constexpr auto broadcast_like(const G& g, const A& a);
template <expression A>
constexpr auto count(const A& a);

}  // namespace ctgrad
