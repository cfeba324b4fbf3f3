// Expression nodes: the data a formula is made of. Operations are described in ops/.
#pragma once

#include <cstddef>
#include <numeric>
#include <tuple>
#include <type_traits>

#include "detail/compile_time.hpp"

namespace ctgrad {

/// A size unknown until run time, like Eigen::Dynamic.
inline constexpr int dynamic = -1;

/// Tag base of everything that is an expression; lets concepts and ADL find the operators.
struct expression_base {};

template <class T>
concept expression = __is_base_of(expression_base, std::remove_cvref_t<T>);

/// Tag base of variables (matrix<...>). A base-class test, not a member lookup: clang writes
/// the text of every failed requirement into its cache, naming the whole type, and a formula
/// that reuses intermediates has a type whose written form doubles with every layer.
struct variable_base : expression_base {};

namespace detail {

/// std::is_same_v as a concept. The tests of a formula's types below are concepts, not variable
/// templates: a compiler names (mangles) every variable it instantiates, and the name of a deep
/// formula's type has thousands of parts; clang spent a fifth of a 100-layer residual net's
/// compile writing such names. A concept-id is a value with no name.
template <class A, class B>
concept same_v = __is_same(A, B);

/// An expression is stateless when its value is fixed by its type alone (no user double
/// inside). Stateless expressions keep no data members: copying them is free, and the
/// compiler's constant evaluator never walks a deep formula's object tree, which would
/// otherwise grow with the square of the depth (an adjoint holds its forward subtree).
template <class T>
struct is_stateless : std::true_type {};

// Why the members below live in small bases and stateless nodes keep no static members:
// g++ names (mangles) every static data member, member template and function it instantiates
// with external linkage, even those used only at compile time, and naming costs the square of
// the number of parts in the name. A member of node<Op, Args...> is named after the whole
// formula below it; a member of shape<8, 8> is named once, whatever the formula.

/// A shape alone. Descriptors' shape rules (rows, cols, shapes_fit) are asked about the
/// operands' shapes, not their types, so their instantiations are shared by every formula.
template <int Rows, int Cols>
struct shape {
    static constexpr int rows = Rows;
    static constexpr int cols = Cols;
};
template <class E>
using shape_t = shape<E::rows, E::cols>;

/// A node's descriptor and shape.
template <class Op, int Rows, int Cols>
struct node_facts : shape<Rows, Cols> {
    static constexpr Op op{};
};

template <bool Stateless, class T>
struct stored_args {};  // stateless: the children are in the type; arg<I>(n) makes them
template <class... Args>
struct stored_args<false, std::tuple<Args...>> {
    std::tuple<Args...> args{};
};

/// Type I of Ts, without std::tuple_element (whose checks g++ names after the whole tuple).
template <std::size_t I, class T, class... Ts>
struct nth_type : nth_type<I - 1, Ts...> {};
template <class T, class... Ts>
struct nth_type<0, T, Ts...> {
    using type = T;
};

}  // namespace detail

/// `node<Op, Args...>`: Op applied to Args. Op is a descriptor from ops/ (name, LaTeX, shape
/// rule, value, derivative); the children are held by value (nothing dangles, formulas can be
/// constexpr and returned from functions), or only in the type when they are stateless.
/// Read children with arg<I>(n).
template <class Op, class... Args>
struct node : expression_base,
              detail::stored_args<(detail::is_stateless<Args>::value && ...), std::tuple<Args...>>,
              detail::node_facts<Op, Op::template rows<detail::shape_t<Args>...>,
                                 Op::template cols<detail::shape_t<Args>...>> {
    using op_type = Op;
    using args_type = std::tuple<Args...>;
};

/// What the user's code holds: `hide<N>::type`, a class local to a function template and derived
/// from the plain node N, whose children stay plain. Why: argument-dependent lookup of every
/// operator and unqualified call on a formula visits the template arguments of the argument's
/// type, and clang walks them once per path through the type, before checking whether it has
/// seen a class (clang 19, SemaLookup.cpp). A formula that reads an intermediate twice (a
/// residual block) has a type with twice the paths of the one below it. For a local class,
/// lookup visits the class and its bases, none with their template arguments, so it is constant
/// per call; every walker still matches the plain N (plain_t). Local, not nested in a class
/// template: clang names the IR type of an object after its class, and the name of a nested
/// class spells its enclosing class's arguments out in full, once per path.
/// Builders return hidden values and unwrap their operands; the engine builds plain nodes with
/// the builders in namespace `plain` (builders.hpp) and never sees a hidden one.
struct hidden_base {};

namespace detail {
template <class N>
CTGRAD_COMPILE_TIME auto make_hidden_type() {
    struct type : N, hidden_base {
        using plain_type [[maybe_unused]] = N;  // read by plain_t (g++ warns of local typedefs)
    };
    return type{};
}
}  // namespace detail

template <class N>
struct hide {
    using type = decltype(detail::make_hidden_type<N>());
};

namespace detail {
template <bool Hidden, class T>
struct plain_of {
    using type = T;
};
template <class T>
struct plain_of<true, T> {
    using type = typename T::plain_type;
};
/// The builtin inside a class: g++ 12 cannot name (mangle) a builtin in a function's signature.
template <class T>
struct plain_type_of {
    using type = typename plain_of<__is_base_of(hidden_base, T), T>::type;
};
}  // namespace detail

/// The plain node behind a hidden formula; T itself for everything else.
template <class T>
using plain_t = typename detail::plain_type_of<T>::type;

namespace detail {

/// A formula as the engine reads it: the plain node behind a hidden one.
template <class T>
static constexpr const plain_t<T>& as_plain(const T& t) {
    return t;
}

/// The same, as a value: what the engine keeps of a rule's result (a descriptor written outside
/// ctgrad may build with the public, hiding builders).
template <class T>
static constexpr plain_t<T> plain_value(const T& t) {
    return t;
}

}  // namespace detail

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

/// A user's number as evaluation sees a formula: a leaf whose type says where the number sits,
/// operand K of the node numbered Place among the distinct nodes of the formula being evaluated
/// (evaluation/numbers.hpp). Its value is read from a table filled from the expression objects
/// before each eval, so the formula is stateless and its nodes can be stored once by type.
template <std::size_t Place, std::size_t K>
struct number_leaf : expression_base {
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

namespace detail {

template <bool Stateless, class Forward, class Adjoint>
struct adjoint_data {};  // stateless: forward_of(a) and adjoint_value_of(a) make the parts
template <class Forward, class Adjoint>
struct adjoint_data<false, Forward, Adjoint> {
    Forward forward{};
    Adjoint value{};
};

template <bool Stateless, class Loss, class Expr>
struct gradient_data {};  // stateless: loss_of(g) and expr_of(g) make the parts
template <class Loss, class Expr>
struct gradient_data<false, Loss, Expr> {
    Loss loss{};
    Expr expr{};
};

}  // namespace detail

/// The adjoint dL/dF of a forward node F (`.forward`), with its expression (`.value`), named so
/// that evaluation materialises it once and every gradient that passes through F reuses it
/// (and so LaTeX can call it \partial L / \partial F).
template <class Forward, class Adjoint>
struct adjoint : expression_base,
                 detail::adjoint_data<detail::is_stateless<Forward>::value && detail::is_stateless<Adjoint>::value,
                                      Forward, Adjoint>,
                 detail::shape<Forward::rows, Forward::cols> {
    using forward_type = Forward;
    using value_type = Adjoint;
};

/// What a named adjoint made by the graph's backward pass holds in place of its expression: node C
/// of loss L's graph, whose expression derivation.hpp gives (definition_t). Only the handle is in
/// the adjoint's type, so no adjoint's type spells out another's expression: with a reused
/// intermediate, spelled-out types double in size with every layer.
template <class L, std::size_t C>
struct graph_definition {};

/// The expression an adjoint's second part stands for (itself, or what a handle refers to).
template <class G>
struct definition_of {
    using type = G;
};
template <class G>
using definition_t = typename definition_of<G>::type;

/// The result of grad(L, V): the derived expression (`.expr`), remembering its loss (`.loss`)
/// so evaluation can share the forward intermediates and the adjoints.
template <class Loss, class Variable, class Expr>
struct gradient : expression_base,
                  detail::gradient_data<detail::is_stateless<Loss>::value && detail::is_stateless<Expr>::value, Loss,
                                        Expr>,
                  detail::shape<Variable::rows, Variable::cols> {
    using loss_type = Loss;
    using variable_type = Variable;
    using expr_type = Expr;
};

namespace detail {

template <>
struct is_stateless<constant> : std::false_type {};
template <class Op, class... Args>
struct is_stateless<node<Op, Args...>> : std::bool_constant<(is_stateless<Args>::value && ...)> {};
template <class F, class A>
struct is_stateless<adjoint<F, A>> : std::bool_constant<is_stateless<F>::value && is_stateless<A>::value> {};
template <class L, class V, class E>
struct is_stateless<gradient<L, V, E>> :
    std::bool_constant<is_stateless<L>::value && is_stateless<E>::value> {};

}  // namespace detail

template <class T>
concept is_stateless_v = detail::is_stateless<plain_t<T>>::value;

/// Builds adjoint<F, G>, storing the parts only when they carry run-time data.
template <class F, class G>
static constexpr adjoint<F, G> make_adjoint(const F& forward, const G& value) {
    if constexpr (is_stateless_v<F> && is_stateless_v<G>) {
        return {};
    } else {
        return adjoint<F, G>{{}, {forward, value}, {}};
    }
}

/// Builds gradient<L, V, E>.
template <class V, class L, class E>
static constexpr gradient<L, V, E> make_gradient(const L& loss, const E& expr) {
    if constexpr (is_stateless_v<L> && is_stateless_v<E>) {
        return {};
    } else {
        return gradient<L, V, E>{{}, {loss, expr}, {}};
    }
}

namespace detail {

/// A part of `whole`: a fresh Part when the whole is stateless (its type says everything and it
/// has no members), else `read(whole)`, a reference into it. `read` is generic, so it is not
/// instantiated for a stateless whole.
template <class Part, class Whole, class Read>
static constexpr decltype(auto) part_of(const Whole& whole, Read read) {
    if constexpr (is_stateless_v<Whole>) {
        return Part{};
    } else {
        return read(whole);
    }
}

}  // namespace detail

/// The parts of an adjoint (its forward node and its expression) and of a gradient (its loss and
/// its derived expression).
template <class F, class A>
static constexpr decltype(auto) forward_of(const adjoint<F, A>& a) {
    return detail::part_of<F>(a, [](const auto& w) -> const auto& { return w.forward; });
}
template <class F, class A>
static constexpr decltype(auto) adjoint_value_of(const adjoint<F, A>& a) {
    return detail::part_of<definition_t<A>>(a, [](const auto& w) -> const auto& { return w.value; });
}
template <class L, class V, class E>
static constexpr decltype(auto) loss_of(const gradient<L, V, E>& g) {
    return detail::part_of<L>(g, [](const auto& w) -> const auto& { return w.loss; });
}
template <class L, class V, class E>
static constexpr decltype(auto) expr_of(const gradient<L, V, E>& g) {
    return detail::part_of<E>(g, [](const auto& w) -> const auto& { return w.expr; });
}

// ---- classification ---------------------------------------------------------------------

namespace detail {

/// A false that depends on T, for static_asserts that fire only when a template is used.
template <class T>
static constexpr bool always_false = false;

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
struct is_number_leaf : std::false_type {};
template <std::size_t P, std::size_t K>
struct is_number_leaf<number_leaf<P, K>> : std::true_type {};

template <class T>
struct is_gradient : std::false_type {};
template <class L, class V, class E>
struct is_gradient<gradient<L, V, E>> : std::true_type {};

}  // namespace detail

// Tests of a formula's types: concepts, so that they name nothing (detail::same_v).
template <class T>
concept is_node_v = detail::is_node<plain_t<T>>::value;
template <class T>
concept is_literal_v = detail::is_literal<T>::value;
template <class T>
concept is_adjoint_v = detail::is_adjoint<plain_t<T>>::value;
template <class T>
concept is_gradient_v = detail::is_gradient<plain_t<T>>::value;
template <class T>
concept is_number_leaf_v = detail::is_number_leaf<T>::value;
template <class T>
concept is_invalid_v = __is_same(T, invalid_expression);

/// Variables (declared with matrix<...>) mark themselves with this flag.
template <class T>
concept variable_expression = __is_base_of(variable_base, std::remove_cvref_t<T>);

template <class T>
concept is_variable_v = variable_expression<T>;

template <class T>
concept is_scalar_v = T::rows == 1 && T::cols == 1;

/// A is the literal N / D.
template <class A, long long N, long long D = 1>
concept is_literal_value_v = is_literal_v<A> && A::num * D == N * A::den;

template <class A>
concept is_zero_v = is_literal_value_v<A, 0>;
template <class A>
concept is_one_v = is_literal_value_v<A, 1>;

/// Op applied to args: a plain node, whose operands are plain (a hidden operand is unwrapped).
template <class Op, class... Args>
static constexpr node<Op, plain_t<Args>...> make_node(Op, const Args&... args) {
    if constexpr ((is_stateless_v<Args> && ...)) {
        return {};
    } else {
        return node<Op, plain_t<Args>...>{{}, {std::tuple<plain_t<Args>...>{detail::as_plain(args)...}}, {}};
    }
}

template <std::size_t I, class Node>
struct arg_type {
    using type = std::tuple_element_t<I, typename Node::args_type>;
};
template <std::size_t I, class Op, class... Args>
struct arg_type<I, node<Op, Args...>> : detail::nth_type<I, Args...> {};
template <std::size_t I, class Node>
using arg_t = typename arg_type<I, plain_t<std::remove_cv_t<Node>>>::type;

/// Child I of a node: a fresh value when the node is stateless (its type says everything, and
/// reading the shared static member would make the compiler emit one variable per node type),
/// else a reference into the node.
template <std::size_t I, class Op, class... Args>
static constexpr decltype(auto) arg(const node<Op, Args...>& n) {
    if constexpr (is_stateless_v<node<Op, Args...>>) {
        return arg_t<I, node<Op, Args...>>{};
    } else {
        return (std::get<I>(n.args));
    }
}

/// Folds two literals through exact rational arithmetic.
template <long long N, long long D>
static constexpr auto make_literal() {
    constexpr long long g = std::gcd(N < 0 ? -N : N, D < 0 ? -D : D);
    constexpr long long sign = D < 0 ? -1 : 1;
    return literal<sign * N / (g == 0 ? 1 : g), sign * D / (g == 0 ? 1 : g)>{};
}

namespace detail {

/// T's value, hidden (see hide).
template <class T>
static constexpr auto hide_value(const T& t) {
    return typename hide<T>::type{t, {}};
}

/// A builder's result as the user receives it: a node, adjoint or gradient hidden, a leaf as it is.
template <class T>
static constexpr auto hidden(const T& t) {
    if constexpr (is_node_v<T> || is_adjoint_v<T> || is_gradient_v<T>) {
        return detail::hide_value(detail::as_plain(t));
    } else {
        return t;
    }
}

}  // namespace detail

}  // namespace ctgrad
