// Declarations of the plain builders (defined in operations.hpp), which derivative rules in ops/
// and the engine call by qualified name: a qualified call skips argument-dependent lookup, which on
// the deep types of a large formula costs the compiler a walk over every template argument. They
// return plain nodes; the user's builders of the same names (ctgrad::tanh, ...) hide theirs.
#pragma once

#include "expression.hpp"

namespace ctgrad::plain {

template <expression A, expression B>
static constexpr auto plus(const A& a, const B& b);
template <expression A, expression B>
static constexpr auto minus(const A& a, const B& b);
template <expression A>
static constexpr auto negate(const A& a);
template <expression A, expression B>
static constexpr auto matmul(const A& a, const B& b);
template <expression S, expression A>
static constexpr auto scale(const S& s, const A& a);
template <expression A, expression B>
static constexpr auto divide(const A& a, const B& b);
template <expression A, expression B>
static constexpr auto hadamard(const A& a, const B& b);
template <expression A>
static constexpr auto transpose(const A& a);
template <expression A, expression B>
static constexpr auto times(const A& a, const B& b);
template <expression A>
static constexpr auto relu(const A& a);
template <expression A>
static constexpr auto step(const A& a);
template <expression A>
static constexpr auto tanh(const A& a);
template <expression A>
static constexpr auto sigmoid(const A& a);
template <expression A>
static constexpr auto exp(const A& a);
template <expression A>
static constexpr auto log(const A& a);
template <expression A>
static constexpr auto softplus(const A& a);
template <expression A>
static constexpr auto square(const A& a);
template <expression A>
static constexpr auto identity(const A& a);
template <expression A>
static constexpr auto sum(const A& a);
template <expression A>
static constexpr auto mean(const A& a);
template <expression A>
static constexpr auto column_sums(const A& a);
template <expression P, expression Y>
static constexpr auto mse(const P& yhat, const Y& y);
template <expression P, expression Y>
static constexpr auto bce(const P& p, const Y& y);
template <expression A>
static constexpr auto sqrt(const A& a);
template <expression A>
static constexpr auto abs(const A& a);
template <expression A>
static constexpr auto sign(const A& a);
template <expression A>
static constexpr auto gelu(const A& a);
template <expression A>
static constexpr auto gelu_derivative(const A& a);
template <expression A>
static constexpr auto softmax(const A& a);
template <expression A>
static constexpr auto log_softmax(const A& a);
template <expression Z, expression Y>
static constexpr auto cross_entropy(const Z& z, const Y& y);
template <expression A>
static constexpr auto probability_rows(const A& a);
template <expression A>
static constexpr auto row_sums(const A& a);
template <expression A>
static constexpr auto row_means(const A& a);
template <expression A>
static constexpr auto column_means(const A& a);
template <expression A, expression B>
static constexpr auto concat_cols(const A& a, const B& b);
template <int Begin, int Count, expression A>
static constexpr auto slice_cols(const A& a);
template <int Begin, int Total, expression G>
static constexpr auto embed_cols(const G& g);
template <expression A>
static constexpr auto row_count(const A& a);
template <expression A>
static constexpr auto column_count(const A& a);
template <expression G, expression A>
static constexpr auto broadcast_like(const G& g, const A& a);
template <expression A>
static constexpr auto count(const A& a);

}  // namespace ctgrad::plain
