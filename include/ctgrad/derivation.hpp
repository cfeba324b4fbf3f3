// Derivation: grad(L, V) and grads(L, V...) build the reverse-mode gradient as an expression
// type at compile time; no run-time tape.
#pragma once

#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "detail/flat_list.hpp"
#include "detail/type_list.hpp"
#include "detail/type_set.hpp"
#include "expression.hpp"
#include "operations.hpp"

namespace ctgrad {

template <class... Gradients>
struct gradient_list;

namespace detail {

// ---- which variables an expression uses ---------------------------------------------------

/// The variables of E as a type_list (a variable used twice appears twice).
template <class E>
struct variables_of {
    using type = type_list<>;
};
template <class E>
    requires is_variable_v<E>
struct variables_of<E> {
    using type = type_list<E>;
};
template <class Op, class... Args>
struct variables_of<node<Op, Args...>> {
    using type = concat_t<typename variables_of<Args>::type...>;
};
template <class F, class A>
struct variables_of<adjoint<F, A>> {
    using type = typename variables_of<A>::type;
};
template <class L, class V, class E>
struct variables_of<gradient<L, V, E>> {
    using type = typename variables_of<L>::type;
};

template <class E>
using variables_of_t = typename variables_of<E>::type;

template <class E>
struct has_variables : std::bool_constant<is_variable_v<E>> {};
template <class Op, class... Args>
struct has_variables<node<Op, Args...>> : std::bool_constant<(has_variables<Args>::value || ...)> {};
template <class F, class A>
struct has_variables<adjoint<F, A>> : has_variables<A> {};
template <class L, class V, class E>
struct has_variables<gradient<L, V, E>> : has_variables<L> {};

/// Whether any variable occurs in E (whole subtrees without one are skipped by backprop).
template <class E>
static constexpr bool has_variables_v = has_variables<E>::value;

// ---- the backward pass --------------------------------------------------------------------

/// One path's share of dL/dV.
template <class Variable, class Expr>
struct contribution {
    using variable_type = Variable;
    Expr expr;
};

/// Names dL/dF as an adjoint node unless it is already cheap to read (a leaf, a constant,
/// another adjoint), so evaluation materialises each adjoint once and LaTeX can name it.
template <class F, class G>
static constexpr auto name_adjoint(const F& forward, const G& g) {
    if constexpr (is_variable_v<F> || is_variable_v<G> || is_adjoint_v<G> || is_literal_v<G> ||
                  ctgrad::detail::same_v<G, constant>) {
        return g;
    } else {
        return make_adjoint(forward, g);
    }
}

/// What the backward pass collects: one contribution per path that reaches a variable (a
/// value), and the adjoint nodes it named on the way (a type_list, for evaluation's slots).
template <class Contributions, class Markers>
struct backprop_result {
    using markers = Markers;
    Contributions contributions;
};

template <class C, class M>
static constexpr auto make_backprop_result(const C& contributions, M) {
    return backprop_result<C, M>{contributions};
}

template <class R1, class R2>
static constexpr auto merge(const R1& a, const R2& b) {
    return detail::make_backprop_result(detail::concat(a.contributions, b.contributions),
                                concat_t<typename R1::markers, typename R2::markers>{});
}

inline constexpr backprop_result<flat_list<>, type_list<>> nothing_collected{};

template <class P, class G>
static constexpr auto backprop(const P& p, const G& g);

template <std::size_t I, class P, class G>
static constexpr auto backprop_child(const P& p, const G& g) {
    if constexpr (!has_variables_v<arg_t<I, P>>) {
        return nothing_collected;
    } else {
        auto local = P::op_type::template backward<I>(p, g);
        if constexpr (ctgrad::detail::same_v<decltype(local), no_contribution>) {
            return nothing_collected;
        } else {
            const auto named = detail::name_adjoint(ctgrad::arg<I>(p), local);
            const auto below = detail::backprop(ctgrad::arg<I>(p), named);
            using named_t = std::remove_cvref_t<decltype(named)>;
            if constexpr (!ctgrad::detail::same_v<named_t, decltype(local)>) {  // a new adjoint node
                return detail::make_backprop_result(below.contributions,
                                            concat_t<typename decltype(below)::markers, type_list<named_t>>{});
            } else {
                return below;
            }
        }
    }
}

/// Walks from the loss to the leaves, handing each child its adjoint by the operation's rule;
/// collects one contribution per path that reaches a variable. Linear in the formula's size.
template <class P, class G>
static constexpr auto backprop(const P& p, const G& g) {
    if constexpr (is_variable_v<P>) {
        return detail::make_backprop_result(detail::make_single(contribution<P, G>{g}), type_list<>{});
    } else if constexpr (!has_variables_v<P>) {
        return nothing_collected;
    } else {
        static_assert(is_node_v<P>, "ctgrad: internal: backprop reached an expression it cannot differentiate");
        if constexpr (P::op_type::arity == 1) {
            return detail::backprop_child<0>(p, g);
        } else {
            return detail::merge(detail::backprop_child<0>(p, g), detail::backprop_child<1>(p, g));
        }
    }
}

/// The adjoint nodes that evaluating any gradient of L may need.
template <class L>
using adjoints_of_t = typename decltype(detail::backprop(std::declval<const L&>(), literal<1>{}))::markers;

template <class Variable, class List, std::size_t... I>
static constexpr auto matching_indices(std::index_sequence<I...>) {
    constexpr bool matches[] = {false, ctgrad::detail::same_v<typename type_at<I, List>::variable_type, Variable>...};
    constexpr std::size_t count = detail::sum_of({0, std::size_t{matches[I + 1] ? 1u : 0u}...});
    std::array<std::size_t, count> out{};
    std::size_t k = 0;
    for (std::size_t i = 0; i < sizeof...(I); ++i) {
        if (matches[i + 1]) out[k++] = i;
    }
    return out;
}

template <class First, class... Rest>
static constexpr auto sum_all(const First& first, const Rest&... rest) {
    if constexpr (sizeof...(Rest) == 0) {
        return first;
    } else {
        return plus(first, detail::sum_all(rest...));
    }
}

/// dL/dV: the sum of V's contributions over all paths, or zeros when every path is flat.
template <class Variable, class List>
static constexpr auto collect_gradient(const Variable& v, const List& all) {
    constexpr auto indices = detail::matching_indices<Variable, List>(std::make_index_sequence<List::size>{});
    if constexpr (indices.size() == 0) {
        return broadcast_like(literal<0>{}, v);
    } else {
        return [&]<std::size_t... K>(std::index_sequence<K...>) {
            return detail::sum_all(detail::get<indices[K]>(all).expr...);
        }(std::make_index_sequence<indices.size()>{});
    }
}

template <class L, class V>
static constexpr auto derive_gradient(const L& loss, const V& v) {
    auto expr = detail::collect_gradient(v, detail::backprop(loss, literal<1>{}).contributions);
    static_assert(decltype(expr)::rows == V::rows && decltype(expr)::cols == V::cols,
                  "ctgrad: internal: a derived gradient does not have its variable's shape");
    return make_gradient<V>(loss, expr);
}

template <class L, class... V>
static constexpr auto derive_gradients(const L& loss, const V&... v) {
    const auto all = detail::backprop(loss, literal<1>{}).contributions;
    return [&]<class... E>(const E&... exprs) {
        using list = gradient_list<gradient<L, V, E>...>;
        if constexpr (list::stateless) {
            return list{};
        } else {
            return list{{make_gradient<V>(loss, exprs)...}};
        }
    }(detail::collect_gradient(v, all)...);
}

/// The checks at the entry of grad/grads; true when the request is well formed.
template <class L, class V>
static constexpr bool check_gradient_request() {
    if constexpr (!is_variable_v<V>) {
        static_assert(always_false<V>, "ctgrad: grad(L, V): V must be a variable declared with matrix<...> or vector<...>");
        return false;
    } else if constexpr (!is_scalar_v<L>) {
        static_assert(always_false<L>, "ctgrad: grad(L, V): the loss L must be 1x1 (a scalar)");
        return false;
    } else if constexpr (!in_list_v<variables_of_t<L>, V>) {
        static_assert(always_false<V>, "ctgrad: grad(L, V): the variable V does not occur in L");
        return false;
    } else {
        return true;
    }
}

}  // namespace detail

/// dL/dV as an expression of the shape of V (denominator layout), derived at compile time by
/// reverse-mode chain rule. L must be 1x1 and use V. Example: examples/board_exercise.cpp.
template <expression L, class V>
static constexpr auto grad(const L& loss, const V& v) {
    if constexpr (is_invalid_v<L>) {
        return invalid_expression{};
    } else if constexpr (!detail::check_gradient_request<L, V>()) {
        return invalid_expression{};
    } else if constexpr (is_stateless_v<L>) {
        // The type says everything: derive inside decltype, so the compiler instantiates the
        // derivation's functions for their types only and never keeps (or names) them.
        return decltype(detail::derive_gradient(loss, v)){};
    } else {
        return detail::derive_gradient(loss, v);
    }
}

/// Several gradients of one loss; eval(grads(...), in) shares every forward value and adjoint
/// among them and returns a std::tuple in the order asked.
/// Stateless gradients (the usual case) are not stored at all: a std::tuple of deep formula
/// types would make the compiler instantiate and name its machinery once per element.
template <class... Gradients>
struct gradient_list {
    static constexpr bool stateless = detail::all_true({true, is_stateless_v<Gradients>...});
    struct nothing {};
    std::conditional_t<stateless, nothing, std::tuple<Gradients...>> items{};

    /// f(g1, g2, ...), the gradients in the order asked.
    template <class F>
    constexpr decltype(auto) apply(F&& f) const {
        if constexpr (stateless) {
            return f(Gradients{}...);
        } else {
            return std::apply(f, items);
        }
    }
};

/// grads(L, W1, b1, ...): the gradients of L with respect to each variable, in that order.
template <expression L, class... V>
static constexpr auto grads(const L& loss, const V&... v) {
    static_assert(sizeof...(V) > 0, "ctgrad: grads(L, V...): name at least one variable");
    if constexpr (is_invalid_v<L>) {
        return gradient_list<>{};  // L's own error is reported; checking V against it would add false ones
    } else if constexpr (!detail::all_true({true, detail::check_gradient_request<L, V>()...})) {
        return gradient_list<>{};
    } else {
        if constexpr (is_stateless_v<L>) {
            return decltype(detail::derive_gradients(loss, v...)){};  // as in grad
        } else {
            return detail::derive_gradients(loss, v...);
        }
    }
}

}  // namespace ctgrad
