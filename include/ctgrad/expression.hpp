// Expression nodes: the data a formula is made of. Operations are described in ops/.
#pragma once

#include <cstddef>
#include <numeric>
#include <tuple>
#include <type_traits>

namespace ctgrad {

/// A size unknown until run time, like Eigen::Dynamic.
inline constexpr int dynamic = -1;

/// Tag base of everything that is an expression; lets concepts and ADL find the operators.
struct expression_base {};

template <class T>
concept expression = std::is_base_of_v<expression_base, std::remove_cvref_t<T>>;

/// `node<Op, Args...>`: Op applied to Args. Op is a descriptor from ops/ (name, shape rule,
/// value, derivative); it may carry data (a scale factor), the children are held by value so
/// whole formulas are constexpr and safe to return from functions.
template <class Op, class... Args>
struct node : expression_base {
    using op_type = Op;
    using args_type = std::tuple<Args...>;

    [[no_unique_address]] Op op{};
    std::tuple<Args...> args{};

    static constexpr int rows = Op::template rows<Args...>;
    static constexpr int cols = Op::template cols<Args...>;

};

/// An exact rational constant known at compile time (the 1, 2 and 1/n of derivative rules).
/// Simplification folds them, so `1 * A` and `A + 0` never survive.
template <long long Num, long long Den = 1>
struct literal : expression_base {
    static_assert(Den > 0);
    static constexpr int rows = 1;
    static constexpr int cols = 1;
    static constexpr long long num = Num;
    static constexpr long long den = Den;
    static constexpr double value = static_cast<double>(Num) / static_cast<double>(Den);
};

/// A constant known only as a double (what a user writes: `0.5 * X`, `1.0 - p`).
struct constant : expression_base {
    double value = 0;
    static constexpr int rows = 1;
    static constexpr int cols = 1;
};

/// What a failed static check returns: it absorbs every later use, so a misuse prints one
/// static_assert and not a cascade of follow-on errors.
struct invalid_expression : expression_base {
    static constexpr int rows = 1;
    static constexpr int cols = 1;
};

/// A derivative rule's answer when a path contributes nothing (d step / dz = 0).
struct no_contribution {};

/// A descriptor's `simplify` answers `keep` when no rewrite applies.
struct keep {};

/// The adjoint dL/dP of a forward node P, named so that evaluation materialises it once and
/// every gradient that passes through P reuses it (and so LaTeX can call it \partial L / \partial P).
template <class Forward, class Adjoint>
struct adjoint : expression_base {
    using forward_type = Forward;
    Forward forward{};
    Adjoint value{};
    static constexpr int rows = Forward::rows;
    static constexpr int cols = Forward::cols;
};

/// The result of grad(L, V): the derived expression, remembering its loss so evaluation can
/// share the forward intermediates and the adjoints.
template <class Loss, class Variable, class Expr>
struct gradient : expression_base {
    using loss_type = Loss;
    using variable_type = Variable;
    using expr_type = Expr;
    Loss loss{};
    Expr expr{};
    static constexpr int rows = Variable::rows;
    static constexpr int cols = Variable::cols;
};

// ---- classification ---------------------------------------------------------------------

namespace detail {

/// A false that depends on T, for static_asserts that fire only when a template is used.
template <class T>
inline constexpr bool always_false = false;

template <class T>
struct is_node : std::false_type {};
template <class Op, class... Args>
struct is_node<node<Op, Args...>> : std::true_type {};

template <class T>
struct is_literal : std::false_type {};
template <long long N, long long D>
struct is_literal<literal<N, D>> : std::true_type {};

template <class T>
struct is_adjoint : std::false_type {};
template <class F, class A>
struct is_adjoint<adjoint<F, A>> : std::true_type {};

template <class T>
struct is_gradient : std::false_type {};
template <class L, class V, class E>
struct is_gradient<gradient<L, V, E>> : std::true_type {};

}  // namespace detail

template <class T>
inline constexpr bool is_node_v = detail::is_node<T>::value;
template <class T>
inline constexpr bool is_literal_v = detail::is_literal<T>::value;
template <class T>
inline constexpr bool is_adjoint_v = detail::is_adjoint<T>::value;
template <class T>
inline constexpr bool is_gradient_v = detail::is_gradient<T>::value;
template <class T>
inline constexpr bool is_invalid_v = std::is_same_v<T, invalid_expression>;

/// Variables (declared with matrix<...>) mark themselves with this flag.
template <class T>
concept variable_expression = expression<T> && requires { std::remove_cvref_t<T>::is_variable; };

template <class T>
inline constexpr bool is_variable_v = variable_expression<T>;

template <class T>
inline constexpr bool is_scalar_v = T::rows == 1 && T::cols == 1;

template <class A, long long N, long long D = 1>
inline constexpr bool is_literal_value_v = [] {
    if constexpr (is_literal_v<A>) {
        return A::num * D == N * A::den;
    } else {
        return false;
    }
}();

template <class A>
inline constexpr bool is_zero_v = is_literal_value_v<A, 0>;
template <class A>
inline constexpr bool is_one_v = is_literal_value_v<A, 1>;

template <class Op, class... Args>
constexpr node<Op, Args...> make_node(Op op, Args... args) {
    return node<Op, Args...>{{}, op, std::tuple<Args...>{args...}};
}

template <std::size_t I, class Op, class... Args>
constexpr const auto& arg(const node<Op, Args...>& n) {
    return std::get<I>(n.args);
}

template <std::size_t I, class Node>
using arg_t = std::tuple_element_t<I, typename Node::args_type>;

/// Folds two literals through exact rational arithmetic.
template <long long N, long long D>
constexpr auto make_literal() {
    constexpr long long g = std::gcd(N < 0 ? -N : N, D < 0 ? -D : D);
    constexpr long long sign = D < 0 ? -1 : 1;
    return literal<sign * N / (g == 0 ? 1 : g), sign * D / (g == 0 ? 1 : g)>{};
}

}  // namespace ctgrad
