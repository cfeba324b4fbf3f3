// Derivation: grad(L, V) and grads(L, V...) build the reverse-mode gradient as an expression
// type at compile time; no run-time tape.
#pragma once

#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "detail/compile_time.hpp"
#include "detail/flat_list.hpp"
#include "detail/graph.hpp"
#include "detail/type_list.hpp"
#include "detail/type_set.hpp"
#include "expression.hpp"
#include "operations.hpp"

namespace ctgrad {

template <class... Gradients>
struct gradient_list;

namespace detail {

// ---- which variables an expression uses ---------------------------------------------------

template <class E>
struct is_variable_type : std::bool_constant<is_variable_v<E>> {};

/// The distinct variables of E, in the order the graph lists them.
template <class E>
using variables_of_t = filter_t<nodes_of_t<E>, is_variable_type>;

template <class E>
struct has_variables : std::bool_constant<is_variable_v<E>> {};
template <class Op, class... Args>
struct has_variables<node<Op, Args...>> : std::bool_constant<(has_variables<Args>::value || ...)> {};
template <class F, class A>
struct has_variables<adjoint<F, A>> : has_variables<definition_t<A>> {};
template <class L, class V, class E>
struct has_variables<gradient<L, V, E>> : has_variables<L> {};

/// Whether any variable occurs in E (whole subgraphs without one are skipped by backprop).
template <class E>
concept has_variables_v = has_variables<E>::value;

// ---- the backward pass --------------------------------------------------------------------
//
// Over the distinct nodes of the loss (detail/graph.hpp), from the loss to the leaves: a node's
// adjoint is the sum of what each of its readers hands it by that reader's rule, formed once and
// named once. The cost is linear in nodes plus edges. Everything here is a type: it runs for
// formulas whose type says everything (stateless); a formula holding a user's double takes the
// tree walk further below.

/// Names dL/dF as an adjoint node unless it is already cheap to read (a leaf, a constant,
/// another adjoint), so evaluation materialises each adjoint once and LaTeX can name it.
template <class F, class G>
static constexpr auto name_adjoint(const F& forward, const G& g) {
    if constexpr (is_variable_v<F> || is_variable_v<G> || is_adjoint_v<G> || is_literal_v<G> ||
                  ctgrad::detail::same_v<G, constant> || is_number_leaf_v<G>) {
        return g;
    } else {
        return ctgrad::make_adjoint(forward, g);
    }
}

template <class T>
struct has_variables_type : has_variables<T> {};

/// The graph of a loss L: its nodes, their numbers, and who reads whom.
template <class L>
struct loss_graph {
    using nodes = nodes_of_t<L>;
    using map = typename numbering_of<nodes>::type;
    static constexpr std::size_t loss_index = nodes::size - 1;
    static constexpr const auto& table = reader_table_v<nodes, has_variables_type>;
    template <std::size_t I>
    using node_at = type_at<I, typename flat_of<nodes>::type>;
};

template <class First, class... Rest>
static constexpr auto sum_all(const First& first, const Rest&... rest) {
    if constexpr (sizeof...(Rest) == 0) {
        return first;
    } else {
        return ctgrad::plain::plus(first, detail::sum_all(rest...));
    }
}

/// The sum of the terms that are not no_contribution (no_contribution when none is).
template <class... Terms>
CTGRAD_COMPILE_TIME auto sum_terms(const Terms&... terms);

template <class Acc>
CTGRAD_COMPILE_TIME auto sum_terms_from(const Acc& acc) {
    return acc;
}
template <class Acc, class T, class... Rest>
CTGRAD_COMPILE_TIME auto sum_terms_from(const Acc& acc, const T& t, const Rest&... rest) {
    if constexpr (ctgrad::detail::same_v<T, no_contribution>) {
        return detail::sum_terms_from(acc, rest...);
    } else if constexpr (ctgrad::detail::same_v<Acc, no_contribution>) {
        return detail::sum_terms_from(t, rest...);
    } else {
        return detail::sum_terms_from(ctgrad::plain::plus(acc, t), rest...);
    }
}
template <class... Terms>
CTGRAD_COMPILE_TIME auto sum_terms(const Terms&... terms) {
    return detail::sum_terms_from(no_contribution{}, terms...);
}

template <class L, std::size_t C>
struct adjoint_in_graph;

/// What operand Position of node Parent hands to that operand: its rule applied to the parent's
/// named adjoint.
template <class L, std::size_t Parent, std::size_t Position>
CTGRAD_COMPILE_TIME auto contribution_of() {
    using graph = loss_graph<L>;
    using parent = typename graph::template node_at<Parent>;
    using g = typename adjoint_in_graph<L, Parent>::named;
    if constexpr (ctgrad::detail::same_v<g, no_contribution>) {
        return no_contribution{};
    } else {
        return detail::plain_value(parent::op_type::template backward<Position>(parent{}, g{}));
    }
}

/// The sum of node C's readers' contributions to dL/dC (adjoint_in_graph::sum). Namespace-scope
/// functions of internal linkage, not members of adjoint_in_graph: g++ names (mangles) every
/// instantiated member of a class template for the linker, each name spelling the loss.
template <class L, std::size_t C>
CTGRAD_COMPILE_TIME auto adjoint_sum() {
    using graph = loss_graph<L>;
    if constexpr (C == graph::loss_index) {
        return literal<1>{};
    } else {
        constexpr std::size_t first = graph::table.first[C], last = graph::table.first[C + 1];
        return []<std::size_t... K>(std::index_sequence<K...>) {
            return detail::sum_terms(detail::contribution_of<L, graph::table.readers[first + K].parent,
                                                             graph::table.readers[first + K].position>()...);
        }(std::make_index_sequence<last - first>{});
    }
}

/// dL/dC as evaluation stores it and LaTeX names it (adjoint_in_graph::named).
template <class L, std::size_t C, class Sum>
CTGRAD_COMPILE_TIME auto adjoint_named() {
    using forward = typename loss_graph<L>::template node_at<C>;
    if constexpr (ctgrad::detail::same_v<Sum, no_contribution>) {
        return no_contribution{};
    } else if constexpr (ctgrad::detail::same_v<decltype(detail::name_adjoint(forward{}, Sum{})), Sum>) {
        return Sum{};  // cheap to read: not named
    } else {
        return ctgrad::make_adjoint(forward{}, graph_definition<L, C>{});
    }
}

/// dL/dC for node number C of L's graph: `sum`, the sum of its readers' contributions, and
/// `named`, the same as the node the evaluation stores and LaTeX names. One instantiation per
/// node: the compiler's memory of class templates is the backward pass's memo.
template <class L, std::size_t C>
struct adjoint_in_graph {
    using sum = decltype(detail::adjoint_sum<L, C>());
    using named = decltype(detail::adjoint_named<L, C, sum>());
};

}  // namespace detail

template <class L, std::size_t C>
struct definition_of<graph_definition<L, C>> {
    using type = typename detail::adjoint_in_graph<L, C>::sum;
};

namespace detail {

template <class T>
struct is_named_adjoint : std::bool_constant<is_adjoint_v<T>> {};

/// Node C's own named adjoint, or no_contribution when C has none of its own (its adjoint is
/// unnamed, or is its reader's adjoint handed on unchanged, as through X W + b^T): listing that
/// reader's adjoint again would count it twice.
template <class L, std::size_t C>
CTGRAD_COMPILE_TIME auto pick_own_adjoint() {
    using named = typename adjoint_in_graph<L, C>::named;
    if constexpr (is_adjoint_v<named>) {
        if constexpr (ctgrad::detail::same_v<typename named::forward_type, typename loss_graph<L>::template node_at<C>>) {
            return named{};
        } else {
            return no_contribution{};
        }
    } else {
        return no_contribution{};
    }
}
template <class L, std::size_t C>
struct own_adjoint {
    using type = decltype(detail::pick_own_adjoint<L, C>());
};

/// The adjoint nodes that evaluating any gradient of L may need, each after the adjoints it is
/// computed from (the loss's end of the graph first).
template <class L, class Indices = std::make_index_sequence<nodes_of_t<L>::size>>
struct graph_adjoints;
template <class L, std::size_t... I>
struct graph_adjoints<L, std::index_sequence<I...>> {
    static constexpr std::size_t n = sizeof...(I);
    using type = filter_t<type_list<typename own_adjoint<L, n - 1 - I>::type...>, is_named_adjoint>;
};

// ---- the tree walk, for formulas that hold a user's double --------------------------------
//
// Two such nodes can share a type but not a value, so the graph (which merges nodes by type)
// does not apply; the walk goes path by path, as before the graph.

/// One path's share of dL/dV.
template <class Variable, class Expr>
struct contribution {
    using variable_type = Variable;
    Expr expr;
};

/// What the tree walk collects: one contribution per path that reaches a variable (a value),
/// and the adjoint nodes it named on the way (a type_list, for evaluation's slots).
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
        auto local = detail::plain_value(P::op_type::template backward<I>(p, g));
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

static constexpr auto merge_all() { return nothing_collected; }
template <class R, class... Rs>
static constexpr auto merge_all(const R& first, const Rs&... rest) {
    if constexpr (sizeof...(Rs) == 0) {
        return first;
    } else {
        return detail::merge(first, detail::merge_all(rest...));
    }
}

/// Walks from the loss to the leaves, handing each child its adjoint by the operation's rule;
/// collects one contribution per path that reaches a variable.
template <class P, class G>
static constexpr auto backprop(const P& p, const G& g) {
    if constexpr (is_variable_v<P>) {
        return detail::make_backprop_result(detail::make_single(contribution<P, G>{g}), type_list<>{});
    } else if constexpr (!has_variables_v<P>) {
        return nothing_collected;
    } else {
        static_assert(is_node_v<P>, "ctgrad: internal: backprop reached an expression it cannot differentiate");
        return [&]<std::size_t... I>(std::index_sequence<I...>) {
            return detail::merge_all(detail::backprop_child<I>(p, g)...);
        }(std::make_index_sequence<P::op_type::arity>{});
    }
}

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

/// dL/dV from the tree walk: the sum of V's contributions over all paths, or zeros when every
/// path is flat.
template <class Variable, class List>
static constexpr auto collect_gradient(const Variable& v, const List& all) {
    constexpr auto indices = detail::matching_indices<Variable, List>(std::make_index_sequence<List::size>{});
    if constexpr (indices.size() == 0) {
        return ctgrad::plain::broadcast_like(literal<0>{}, v);
    } else {
        return [&]<std::size_t... K>(std::index_sequence<K...>) {
            return detail::sum_all(detail::get<indices[K]>(all).expr...);
        }(std::make_index_sequence<indices.size()>{});
    }
}

/// dL/dV from the graph (stateless L), or zeros when no path carries a gradient.
template <class L, class V>
static constexpr auto graph_gradient(const V& v) {
    // Every adjoint first, the loss's end first, so each one finds its readers' adjoints made:
    // asked for directly, a leaf's adjoint would recurse through every layer above it, past the
    // compilers' instantiation depth for a deep net.
    static_assert(graph_adjoints<L>::n > 0);
    (void)sizeof(typename graph_adjoints<L>::type);
    using sum = typename adjoint_in_graph<L, detail::index_in<V, typename loss_graph<L>::map>()>::sum;
    if constexpr (ctgrad::detail::same_v<sum, no_contribution>) {
        return ctgrad::plain::broadcast_like(literal<0>{}, v);
    } else {
        return sum{};
    }
}

/// The adjoint nodes that evaluating any gradient of L may need, the loss's end first, without
/// those that hold a user's double (evaluation computes those where they are read).
template <class L>
struct adjoints_of {
    using type = typename graph_adjoints<L>::type;
};
template <class L>
    requires(!is_stateless_v<L>)
struct adjoints_of<L> {
    template <class T>
    struct stateless_type : std::bool_constant<is_stateless_v<T>> {};
    template <class... As>
    static auto reversed(type_list<As...>) {
        constexpr std::size_t n = sizeof...(As);
        return []<std::size_t... I>(std::index_sequence<I...>) {
            return type_list<type_at<n - 1 - I, flat_list<As...>>...>{};
        }(std::make_index_sequence<n>{});
    }
    using walked = typename decltype(detail::backprop(std::declval<const L&>(), literal<1>{}))::markers;
    using type = filter_t<decltype(reversed(walked{})), stateless_type>;
};
template <class L>
using adjoints_of_t = typename adjoints_of<L>::type;

template <class L, class V>
static constexpr auto derive_gradient(const L& loss, const V& v) {
    if constexpr (is_stateless_v<L>) {
        auto expr = detail::graph_gradient<L>(v);
        static_assert(decltype(expr)::rows == V::rows && decltype(expr)::cols == V::cols,
                      "ctgrad: internal: a derived gradient does not have its variable's shape");
        return ctgrad::make_gradient<V>(loss, expr);
    } else {
        auto expr = detail::collect_gradient(v, detail::backprop(loss, literal<1>{}).contributions);
        static_assert(decltype(expr)::rows == V::rows && decltype(expr)::cols == V::cols,
                      "ctgrad: internal: a derived gradient does not have its variable's shape");
        return ctgrad::make_gradient<V>(loss, expr);
    }
}

template <class L, class... V>
static constexpr auto derive_gradients(const L& loss, const V&... v) {
    auto make = [&]<class... E>(const E&... exprs) {
        using list = gradient_list<gradient<L, V, E>...>;
        if constexpr (list::stateless) {
            return list{};
        } else {
            return list{{ctgrad::make_gradient<V>(loss, exprs)...}};
        }
    };
    if constexpr (is_stateless_v<L>) {
        return make(detail::graph_gradient<L>(v)...);
    } else {
        const auto all = detail::backprop(loss, literal<1>{}).contributions;
        return make(detail::collect_gradient(v, all)...);
    }
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
    } else if constexpr (!member_v<variables_of_t<L>, V>) {
        static_assert(always_false<V>, "ctgrad: grad(L, V): the variable V does not occur in L");
        return false;
    } else {
        return true;
    }
}

/// grad on the plain loss.
template <class L, class V>
static constexpr auto plain_grad(const L& loss, const V& v) {
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

}  // namespace detail

/// dL/dV as an expression of the shape of V (denominator layout), derived at compile time by
/// reverse-mode chain rule. L must be 1x1 and use V. Example: examples/board_exercise.cpp.
template <expression L, class V>
static constexpr auto grad(const L& loss, const V& v) {
    return detail::hidden(detail::plain_grad(detail::as_plain(loss), v));
}

/// Several gradients of one loss; eval(grads(...), in) shares every forward value and adjoint
/// among them and returns a std::tuple in the order asked.
/// Stateless gradients (the usual case) are not stored at all: a std::tuple of deep formula
/// types would make the compiler instantiate and name its machinery once per element.
namespace detail {
/// What a stateless gradient_list holds. Not a class nested in gradient_list: clang names the IR
/// type of a nested class after its enclosing class's arguments, written out once per path
/// through them (exponential for a loss that reuses a node).
struct no_items {};
}  // namespace detail

template <class... Gradients>
struct gradient_list {
    static constexpr bool stateless = detail::all_true({true, is_stateless_v<Gradients>...});
    std::conditional_t<stateless, detail::no_items, std::tuple<Gradients...>> items{};

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

namespace detail {

/// grads on the plain loss.
template <class L, class... V>
static constexpr auto plain_grads(const L& loss, const V&... v) {
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

}  // namespace detail

/// grads(L, W1, b1, ...): the gradients of L with respect to each variable, in that order,
/// hidden as a formula is (see hide).
template <expression L, class... V>
static constexpr auto grads(const L& loss, const V&... v) {
    return detail::hide_value(detail::plain_grads(detail::as_plain(loss), v...));
}

}  // namespace ctgrad
