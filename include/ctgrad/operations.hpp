// The operations a formula is written with: operators, functions and the builders that check
// shapes and simplify while building, so derived expressions stay small.
#pragma once

#include <type_traits>

#include "builders.hpp"
#include "detail/compile_time.hpp"
#include "expression.hpp"
#include "ops/all.hpp"
#include "variables.hpp"

namespace ctgrad {
namespace detail {

/// Whether Op's descriptor refuses operands of these shapes (`shapes_fit`, when it has one).
template <class Op, class... Shapes>
concept shapes_refused = requires { Op::template shapes_fit<Shapes...>; } && !Op::template shapes_fit<Shapes...>;

/// Whether Op's descriptor simplifies these operands (its `simplify` answers something but `keep`).
template <class Op, class... Args>
concept simplifies =
    has_simplify_v<Op> && !__is_same(decltype(Op::simplify(std::declval<const Args&>()...)), keep);

/// Every builder goes through here: a misuse stops at one static_assert (the descriptor's
/// `report`), and what it returns absorbs later uses without further errors. Otherwise the
/// descriptor's `simplify` may answer, else make_node makes the node. One function, not a chain
/// of them: clang names every function it instantiates after types that spell the operands.
template <class Op, class... Args>
static constexpr auto build(const Args&... args) {
    if constexpr ((__is_base_of(hidden_base, Args) || ...)) {
        return detail::build<Op>(detail::as_plain(args)...);  // a builder written outside ctgrad
    } else if constexpr ((is_invalid_v<Args> || ...)) {
        return invalid_expression{};
    } else if constexpr (shapes_refused<Op, shape_t<Args>...>) {
        Op::template report<Args...>();
        return invalid_expression{};
    } else if constexpr (simplifies<Op, Args...>) {
        return detail::plain_value(Op::simplify(args...));
    } else {
        return ctgrad::make_node(Op{}, args...);
    }
}

template <class T>
CTGRAD_COMPILE_TIME bool is_reciprocal() {
    if constexpr (is_node_v<T>) {
        if constexpr (ctgrad::detail::same_v<typename T::op_type, divide_op>) {
            return is_one_v<arg_t<0, T>>;
        }
    }
    return false;
}

}  // namespace detail

// ---- builders: what derivative rules and the engine build with ------------------------------
//
// These return plain nodes: a node's children are type arguments of the node. The public names
// below return the same nodes hidden (expression.hpp, hide), for the user's code.

namespace plain {


/// A + B (see add_op for the shapes allowed).
template <expression A, expression B>
static constexpr auto plus(const A& a, const B& b) { return detail::build<add_op>(a, b); }
/// A - B.
template <expression A, expression B>
static constexpr auto minus(const A& a, const B& b) { return detail::build<subtract_op>(a, b); }
/// -A.
template <expression A>
static constexpr auto negate(const A& a) { return detail::build<negate_op>(a); }
/// The matrix product A B.
template <expression A, expression B>
static constexpr auto matmul(const A& a, const B& b) { return detail::build<matmul_op>(a, b); }
/// s A for a 1x1 s.
template <expression S, expression A>
static constexpr auto scale(const S& s, const A& a) { return detail::build<scale_op>(s, a); }
/// A / B entry by entry.
template <expression A, expression B>
static constexpr auto divide(const A& a, const B& b) { return detail::build<divide_op>(a, b); }
/// The element-wise product of equal shapes, written A (.) B.
template <expression A, expression B>
static constexpr auto hadamard(const A& a, const B& b) { return detail::build<hadamard_op>(a, b); }
/// A^T.
template <expression A>
static constexpr auto transpose(const A& a) { return detail::build<transpose_op>(a); }

/// Entry-by-entry product that also accepts a 1x1 side (then it is a scale) and drops factors
/// of one: the glue of the chain rule, G (.) f'(Z).
template <expression A, expression B>
static constexpr auto times(const A& a, const B& b) {
    if constexpr (is_one_v<A>) {
        return b;
    } else if constexpr (is_one_v<B>) {
        return a;
    } else if constexpr (is_literal_v<A> && is_literal_v<B>) {
        return make_literal<A::num * B::num, A::den * B::den>();
    } else if constexpr (detail::is_reciprocal<B>()) {
        return plain::divide(a, ctgrad::arg<1>(b));  // a (.) (1 / x) = a / x
    } else if constexpr (is_scalar_v<A> && !is_scalar_v<B>) {
        return plain::scale(a, b);
    } else if constexpr (is_scalar_v<B> && !is_scalar_v<A>) {
        return plain::scale(b, a);
    } else {
        return plain::hadamard(a, b);
    }
}

// ---- element-wise functions ---------------------------------------------------------------

/// relu(Z) = max(Z, 0) entry by entry.
template <expression A>
static constexpr auto relu(const A& a) { return detail::build<relu_op>(a); }
/// step(Z) = I{Z > 0} entry by entry (derivative 0).
template <expression A>
static constexpr auto step(const A& a) { return detail::build<step_op>(a); }
/// tanh(Z) entry by entry.
template <expression A>
static constexpr auto tanh(const A& a) { return detail::build<tanh_op>(a); }
/// sigma(Z) = 1 / (1 + e^{-Z}) entry by entry.
template <expression A>
static constexpr auto sigmoid(const A& a) { return detail::build<sigmoid_op>(a); }
/// e^Z entry by entry.
template <expression A>
static constexpr auto exp(const A& a) { return detail::build<exp_op>(a); }
/// log Z entry by entry (natural logarithm; Z > 0).
template <expression A>
static constexpr auto log(const A& a) { return detail::build<log_op>(a); }
/// log(1 + e^Z) entry by entry.
template <expression A>
static constexpr auto softplus(const A& a) { return detail::build<softplus_op>(a); }
/// Z^2 entry by entry.
template <expression A>
static constexpr auto square(const A& a) { return detail::build<square_op>(a); }
/// Z itself: the identity activation.
template <expression A>
static constexpr auto identity(const A& a) { return detail::build<identity_op>(a); }

/// sqrt(Z) entry by entry (Z >= 0).
template <expression A>
static constexpr auto sqrt(const A& a) { return detail::build<sqrt_op>(a); }
/// |Z| entry by entry.
template <expression A>
static constexpr auto abs(const A& a) { return detail::build<abs_op>(a); }
/// sign(Z) entry by entry: -1, 0 or 1 (the derivative of |Z|).
template <expression A>
static constexpr auto sign(const A& a) { return detail::build<sign_op>(a); }
/// GELU(Z) entry by entry, the tanh form (PyTorch's approximate='tanh').
template <expression A>
static constexpr auto gelu(const A& a) { return detail::build<gelu_op>(a); }
/// GELU'(Z) entry by entry; built by gelu's derivative.
template <expression A>
static constexpr auto gelu_derivative(const A& a) { return detail::build<gelu_derivative_op>(a); }

// ---- row-wise functions and column blocks -------------------------------------------------

/// softmax(Z): each row of Z made a distribution, exp(Z_ij) / sum_j exp(Z_ij), computed stably.
template <expression A>
static constexpr auto softmax(const A& a) { return detail::build<softmax_op>(a); }
/// log softmax(Z), row by row through log-sum-exp (stable for logits of any size).
template <expression A>
static constexpr auto log_softmax(const A& a) { return detail::build<log_softmax_op>(a); }
/// concat_cols(A, B): A and B side by side (equal rows; column counts known at compile time).
template <expression A, expression B>
static constexpr auto concat_cols(const A& a, const B& b) { return detail::build<concat_cols_op>(a, b); }
/// slice_cols<Begin, Count>(A): columns Begin..Begin+Count-1 of A, counted from 0.
template <int Begin, int Count, expression A>
static constexpr auto slice_cols(const A& a) { return detail::build<slice_cols_op<Begin, Count>>(a); }
/// embed_cols<Begin, Total>(G): G at columns Begin.. of Total zero columns; slice_cols's adjoint.
template <int Begin, int Total, expression G>
static constexpr auto embed_cols(const G& g) { return detail::build<embed_cols_op<Begin, Total>>(g); }

// ---- reductions and losses ----------------------------------------------------------------

/// The sum of all entries (1x1).
template <expression A>
static constexpr auto sum(const A& a) { return detail::build<sum_op>(a); }
/// The mean of all entries (1x1).
template <expression A>
static constexpr auto mean(const A& a) { return detail::build<mean_op>(a); }
/// The 1xk row of column sums of an nxk matrix (a sum over the batch).
template <expression A>
static constexpr auto column_sums(const A& a) { return detail::build<column_sums_op>(a); }
/// The 1xk row of column means of an nxk matrix (a mean over the batch).
template <expression A>
static constexpr auto column_means(const A& a) { return detail::build<column_means_op>(a); }
/// The nx1 column of row sums of an nxk matrix.
template <expression A>
static constexpr auto row_sums(const A& a) { return detail::build<row_sums_op>(a); }
/// The nx1 column of row means of an nxk matrix.
template <expression A>
static constexpr auto row_means(const A& a) { return detail::build<row_means_op>(a); }
/// -(1/n) sum Y (.) log softmax(Z): the softmax classifier's loss on nxk logits Z, for targets
/// Y whose rows are distributions (one-hot labels). dL/dZ = (1/n)(softmax(Z) - Y).
template <expression Z, expression Y>
static constexpr auto cross_entropy(const Z& z, const Y& y) { return detail::build<cross_entropy_op>(z, y); }
/// Y, its rows checked to be distributions when evaluated; built by cross_entropy's derivative.
template <expression A>
static constexpr auto probability_rows(const A& a) { return detail::build<probability_rows_op>(a); }
/// mean((yhat - Y)^2) over all entries.
template <expression P, expression Y>
static constexpr auto mse(const P& yhat, const Y& y) { return detail::build<mse_op>(yhat, y); }
/// -mean(Y (.) log p + (1 - Y) (.) log(1 - p)), binary cross-entropy of probabilities p.
template <expression P, expression Y>
static constexpr auto bce(const P& p, const Y& y) { return detail::build<bce_op>(p, y); }

/// A 1x1 (or 1xk) G spread over the shape of A; built by derivative rules.
template <expression G, expression A>
static constexpr auto broadcast_like(const G& g, const A& a) { return detail::build<broadcast_op>(g, a); }
/// The number of entries of A, 1x1; built by derivative rules.
template <expression A>
static constexpr auto count(const A& a) { return detail::build<count_op>(a); }
/// The number of rows of A, 1x1; built by derivative rules.
template <expression A>
static constexpr auto row_count(const A& a) { return detail::build<row_count_op>(a); }
/// The number of columns of A, 1x1; built by derivative rules.
template <expression A>
static constexpr auto column_count(const A& a) { return detail::build<column_count_op>(a); }

}  // namespace plain

// ---- the public names: the plain builders, their results hidden ------------------------------
//
// Each unwraps its operands, builds with the plain builder and hides the result, so a formula the
// user holds is always hidden and argument-dependent lookup on it stays cheap (expression.hpp).

template <expression A, expression B>
static constexpr auto plus(const A& a, const B& b) { return detail::hidden(plain::plus(detail::as_plain(a), detail::as_plain(b))); }
template <expression A, expression B>
static constexpr auto minus(const A& a, const B& b) { return detail::hidden(plain::minus(detail::as_plain(a), detail::as_plain(b))); }
template <expression A>
static constexpr auto negate(const A& a) { return detail::hidden(plain::negate(detail::as_plain(a))); }
template <expression A, expression B>
static constexpr auto matmul(const A& a, const B& b) { return detail::hidden(plain::matmul(detail::as_plain(a), detail::as_plain(b))); }
template <expression S, expression A>
static constexpr auto scale(const S& s, const A& a) { return detail::hidden(plain::scale(detail::as_plain(s), detail::as_plain(a))); }
template <expression A, expression B>
static constexpr auto divide(const A& a, const B& b) { return detail::hidden(plain::divide(detail::as_plain(a), detail::as_plain(b))); }
template <expression A, expression B>
static constexpr auto hadamard(const A& a, const B& b) { return detail::hidden(plain::hadamard(detail::as_plain(a), detail::as_plain(b))); }
template <expression A>
static constexpr auto transpose(const A& a) { return detail::hidden(plain::transpose(detail::as_plain(a))); }
template <expression A, expression B>
static constexpr auto times(const A& a, const B& b) { return detail::hidden(plain::times(detail::as_plain(a), detail::as_plain(b))); }
template <expression A>
static constexpr auto relu(const A& a) { return detail::hidden(plain::relu(detail::as_plain(a))); }
template <expression A>
static constexpr auto step(const A& a) { return detail::hidden(plain::step(detail::as_plain(a))); }
template <expression A>
static constexpr auto tanh(const A& a) { return detail::hidden(plain::tanh(detail::as_plain(a))); }
template <expression A>
static constexpr auto sigmoid(const A& a) { return detail::hidden(plain::sigmoid(detail::as_plain(a))); }
template <expression A>
static constexpr auto exp(const A& a) { return detail::hidden(plain::exp(detail::as_plain(a))); }
template <expression A>
static constexpr auto log(const A& a) { return detail::hidden(plain::log(detail::as_plain(a))); }
template <expression A>
static constexpr auto softplus(const A& a) { return detail::hidden(plain::softplus(detail::as_plain(a))); }
template <expression A>
static constexpr auto square(const A& a) { return detail::hidden(plain::square(detail::as_plain(a))); }
template <expression A>
static constexpr auto identity(const A& a) { return detail::hidden(plain::identity(detail::as_plain(a))); }
template <expression A>
static constexpr auto sqrt(const A& a) { return detail::hidden(plain::sqrt(detail::as_plain(a))); }
template <expression A>
static constexpr auto abs(const A& a) { return detail::hidden(plain::abs(detail::as_plain(a))); }
template <expression A>
static constexpr auto sign(const A& a) { return detail::hidden(plain::sign(detail::as_plain(a))); }
template <expression A>
static constexpr auto gelu(const A& a) { return detail::hidden(plain::gelu(detail::as_plain(a))); }
template <expression A>
static constexpr auto gelu_derivative(const A& a) { return detail::hidden(plain::gelu_derivative(detail::as_plain(a))); }
template <expression A>
static constexpr auto softmax(const A& a) { return detail::hidden(plain::softmax(detail::as_plain(a))); }
template <expression A>
static constexpr auto log_softmax(const A& a) { return detail::hidden(plain::log_softmax(detail::as_plain(a))); }
template <expression A, expression B>
static constexpr auto concat_cols(const A& a, const B& b) { return detail::hidden(plain::concat_cols(detail::as_plain(a), detail::as_plain(b))); }
template <int Begin, int Count, expression A>
static constexpr auto slice_cols(const A& a) { return detail::hidden(plain::slice_cols<Begin, Count>(detail::as_plain(a))); }
template <int Begin, int Total, expression G>
static constexpr auto embed_cols(const G& g) { return detail::hidden(plain::embed_cols<Begin, Total>(detail::as_plain(g))); }
template <expression A>
static constexpr auto sum(const A& a) { return detail::hidden(plain::sum(detail::as_plain(a))); }
template <expression A>
static constexpr auto mean(const A& a) { return detail::hidden(plain::mean(detail::as_plain(a))); }
template <expression A>
static constexpr auto column_sums(const A& a) { return detail::hidden(plain::column_sums(detail::as_plain(a))); }
template <expression A>
static constexpr auto column_means(const A& a) { return detail::hidden(plain::column_means(detail::as_plain(a))); }
template <expression A>
static constexpr auto row_sums(const A& a) { return detail::hidden(plain::row_sums(detail::as_plain(a))); }
template <expression A>
static constexpr auto row_means(const A& a) { return detail::hidden(plain::row_means(detail::as_plain(a))); }
template <expression Z, expression Y>
static constexpr auto cross_entropy(const Z& z, const Y& y) { return detail::hidden(plain::cross_entropy(detail::as_plain(z), detail::as_plain(y))); }
template <expression A>
static constexpr auto probability_rows(const A& a) { return detail::hidden(plain::probability_rows(detail::as_plain(a))); }
template <expression P, expression Y>
static constexpr auto mse(const P& yhat, const Y& y) { return detail::hidden(plain::mse(detail::as_plain(yhat), detail::as_plain(y))); }
template <expression P, expression Y>
static constexpr auto bce(const P& p, const Y& y) { return detail::hidden(plain::bce(detail::as_plain(p), detail::as_plain(y))); }
template <expression G, expression A>
static constexpr auto broadcast_like(const G& g, const A& a) { return detail::hidden(plain::broadcast_like(detail::as_plain(g), detail::as_plain(a))); }
template <expression A>
static constexpr auto count(const A& a) { return detail::hidden(plain::count(detail::as_plain(a))); }
template <expression A>
static constexpr auto row_count(const A& a) { return detail::hidden(plain::row_count(detail::as_plain(a))); }
template <expression A>
static constexpr auto column_count(const A& a) { return detail::hidden(plain::column_count(detail::as_plain(a))); }

// ---- operators ----------------------------------------------------------------------------

template <expression A, expression B>
static constexpr auto operator+(const A& a, const B& b) { return ctgrad::plus(a, b); }
template <expression A>
static constexpr auto operator+(const A& a, double c) { return ctgrad::plus(a, constant{{}, c}); }
template <expression B>
static constexpr auto operator+(double c, const B& b) { return ctgrad::plus(constant{{}, c}, b); }

template <expression A, expression B>
static constexpr auto operator-(const A& a, const B& b) { return ctgrad::minus(a, b); }
template <expression A>
static constexpr auto operator-(const A& a, double c) { return ctgrad::minus(a, constant{{}, c}); }
template <expression B>
static constexpr auto operator-(double c, const B& b) { return ctgrad::minus(constant{{}, c}, b); }
template <expression A>
static constexpr auto operator-(const A& a) { return ctgrad::negate(a); }

/// A * B is the matrix product; a double on either side scales.
template <expression A, expression B>
static constexpr auto operator*(const A& a, const B& b) { return ctgrad::matmul(a, b); }
template <expression A>
static constexpr auto operator*(const A& a, double c) { return ctgrad::scale(constant{{}, c}, a); }
template <expression B>
static constexpr auto operator*(double c, const B& b) { return ctgrad::scale(constant{{}, c}, b); }

template <expression A, expression B>
static constexpr auto operator/(const A& a, const B& b) { return ctgrad::divide(a, b); }
template <expression A>
static constexpr auto operator/(const A& a, double c) { return ctgrad::divide(a, constant{{}, c}); }
template <expression B>
static constexpr auto operator/(double c, const B& b) { return ctgrad::divide(constant{{}, c}, b); }

}  // namespace ctgrad
