// A user's numbers (`0.5 * X`, `Z + 1e-5`): outputs rewritten with number leaves keyed by their place, so they evaluate as a graph (number_plan, gather_numbers).
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "../derivation.hpp"
#include "../detail/graph.hpp"
#include "../detail/inlining.hpp"
#include "../detail/type_list.hpp"
#include "../expression.hpp"
#include "instructions.hpp"

namespace ctgrad::detail {

// ---- numbers as leaves ------------------------------------------------------------------------
//
// A formula holding a double (`constant`) has nodes that share a type but maybe not a value
// (`0.5 * X` and `0.25 * X`), so its nodes cannot be stored by type. Yet nearly always two nodes
// of one type are copies of one intermediate (read by the next layer and by a derivative rule,
// or reached by several gradients), with the same numbers. So before each eval:
//
// - every number is given a stateless leaf type keyed by where it sits, number_leaf<P, K>: operand
//   K of the node type numbered P among the distinct node types of the outputs. Two occurrences
//   of one leaf type are the same number in copies of one subtree. The rewritten outputs are
//   stateless (a gradient is derived again, by the graph, from its rewritten loss), so the
//   schedule stores each distinct node once, as for any formula without numbers;
// - the expression objects are walked once (gather_numbers), filling a table with each leaf's
//   value. Each leaf type must carry one number: a node's value is fixed by its type and its
//   leaves' values, so then every node type has one value and storing by type is exact;
// - if one leaf type carries two numbers (`0.5 * X + 0.25 * X`: one node type, two numbers),
//   the eval takes the tree walk instead (value_of in run.hpp), which computes each node from
//   its object: always right, and as fast as before.
//
// Compile time stays linear in the distinct nodes: one rewriting per node type, the loss's graph
// derived once; the walk of the objects costs run time in proportion to their size, with no
// heap (the table is an array on the stack).

/// Where an output's numbers are: in its own formula, or in a gradient's loss (the gradient is
/// derived again from the rewritten loss, so only the loss's numbers are read).
template <class E>
struct number_source {
    using type = E;
};
template <class L, class V, class E>
struct number_source<gradient<L, V, E>> {
    using type = L;
};
template <class E>
using number_source_t = typename number_source<E>::type;

/// Whether E can be rewritten with number leaves: made of stateless parts, numbers and nodes.
/// An adjoint or gradient held inside a formula (only a derivation makes those) is not rewritten:
/// such an eval keeps the tree walk.
template <class E>
struct rewritable : std::bool_constant<is_stateless_v<E> || ctgrad::detail::same_v<E, constant>> {};
template <class Op, class... Args>
struct rewritable<node<Op, Args...>> : std::bool_constant<(rewritable<Args>::value && ...)> {};

/// Whether an output can be evaluated as a graph through number leaves: a node (or a gradient
/// of one) whose numbers are all operands of nodes. A bare number or adjoint keeps the tree walk.
template <class E>
concept output_rewritable_v = is_stateless_v<E> || (is_node_v<number_source_t<E>> && rewritable<number_source_t<E>>::value);

template <class T>
struct is_stateful_node : std::bool_constant<is_node_v<T> && !is_stateless_v<T>> {};

/// Whether T is a node with a number among its operands.
template <class T>
struct holds_number_test : std::bool_constant<false> {};
template <class T>
concept holds_number_v = holds_number_test<T>::value;
template <class Op, class... Args>
struct holds_number_test<node<Op, Args...>> :
    std::bool_constant<(ctgrad::detail::same_v<Args, constant> || ...)> {};

/// The node types that hold numbers below them, numbered: a number leaf's place P.
template <class... Es>
struct number_places {
    using list = filter_t<typename unite_all_lists<nodes_of_t<number_source_t<Es>>...>::type, is_stateful_node>;
    using map = typename numbering_of<list>::type;
};

/// E with each number replaced by its leaf (itself when stateless). One instantiation per node type.
template <class E, class Places>
struct with_number_leaves {
    using type = E;
};
template <class A, std::size_t Place, std::size_t K, class Places>
using operand_with_leaves_t =
    typename std::conditional_t<ctgrad::detail::same_v<A, constant>, std::type_identity<number_leaf<Place, K>>,
                                with_number_leaves<A, Places>>::type;
template <class Op, class... Args, class Places>
    requires(!is_stateless_v<node<Op, Args...>>)
struct with_number_leaves<node<Op, Args...>, Places> {
    static constexpr std::size_t place = detail::index_in<node<Op, Args...>, Places>();
    template <std::size_t... K>
    static node<Op, operand_with_leaves_t<Args, place, K, Places>...> rewrite(std::index_sequence<K...>);
    using type = decltype(rewrite(std::index_sequence_for<Args...>{}));
};

/// An output rewritten: its formula with number leaves, or, for a gradient, the gradient of the
/// rewritten loss derived by the graph (the tree walk's own expression names its adjoints by
/// path, with the numbers inside).
template <class E, class Places>
struct rewritten_output {
    using type = typename with_number_leaves<E, Places>::type;
};
template <class L, class V, class E, class Places>
    requires(!is_stateless_v<gradient<L, V, E>>)
struct rewritten_output<gradient<L, V, E>, Places> {
    using loss = typename with_number_leaves<L, Places>::type;
    static_assert(is_stateless_v<loss>, "ctgrad: internal: a loss rewritten with number leaves still holds a number");
    using type = decltype(detail::derive_gradient(std::declval<const loss&>(), std::declval<const V&>()));
};

/// Everything one eval of outputs Es needs to evaluate them as a graph.
template <class... Es>
struct number_plan {
    using places = typename number_places<Es...>::map;
    template <class E>
    using output = typename rewritten_output<E, places>::type;
    using leaves = number_leaves_of<type_list<output<Es>...>>;
    static constexpr std::size_t count = leaves::list::size;
};

/// Whether a node holding a number is reached by two paths from Source's root: then its copies
/// may hold different numbers and the eval must be able to fall back to the tree walk. Path
/// counts (capped at 2) are carried from the root down the graph's edges, once per node: a
/// residual chain's `H` is read twice in every block, so its numbers are reached by many paths.
template <class Source>
struct numbers_repeat {
    using nodes = nodes_of_t<Source>;
    static constexpr bool value = []<class... Ts>(type_list<Ts...>) {
        constexpr std::size_t n = sizeof...(Ts);
        constexpr const auto& table = reader_table_v<nodes, is_stateful_node>;
        constexpr bool holds_number[] = {holds_number_v<Ts>..., false};
        std::array<int, n + 1> paths{};
        paths[n - 1] = 1;  // the root
        bool repeat = false;
        for (std::size_t i = n; i-- > 0;) {
            if (i + 1 < n) {
                int sum = 0;
                for (std::size_t k = table.first[i]; k < table.first[i + 1]; ++k) sum += paths[table.readers[k].parent];
                paths[i] = sum < 2 ? sum : 2;
            }
            if (holds_number[i] && paths[i] > 1) repeat = true;
        }
        return repeat;
    }(nodes{});
};

/// Whether the outputs' numbers can disagree, so the tree walk must be compiled as a fallback.
/// Outputs of one source (the gradients of one grads(...) call, and its loss in eval_with_loss)
/// are made from copies of one loss object, so their numbers are the same: one source type whose
/// numbers each sit on one path cannot disagree, and then the tree walk is not even instantiated.
template <class Sources>
struct sources_may_disagree : std::true_type {};  // outputs of several sources: not copies
template <class Source>
struct sources_may_disagree<type_list<Source>> : numbers_repeat<Source> {};
template <class... Es>
concept numbers_may_disagree_v = sources_may_disagree<distinct_t<type_list<number_source_t<Es>...>>>::value;

/// One eval's numbers: values[J] is leaf J's; `agree` stays true while no leaf has two.
template <std::size_t Count>
struct number_table {
    std::array<double, Count + 1> values{};  // one spare: no zero-length array
    std::array<bool, Count + 1> seen{};
    bool agree = true;

    void put(std::size_t j, double v) {
        // Compared bit for bit: 0.0 and -0.0 are different numbers (1 / (0.0 * x)), and a NaN is
        // the same NaN only when it is the same bits.
        if (seen[j] && std::bit_cast<std::uint64_t>(values[j]) != std::bit_cast<std::uint64_t>(v)) agree = false;
        values[j] = v;
        seen[j] = true;
    }
};

template <class Plan, class E, class Table>
static void gather_numbers(const E& e, Table& table);

template <class Plan, std::size_t Place, std::size_t K, class A, class Table>
CTGRAD_ALWAYS_INLINE static void gather_operand(const A& a, Table& table) {
    if constexpr (ctgrad::detail::same_v<A, constant>) {
        constexpr std::size_t j = detail::index_in<number_leaf<Place, K>, typename Plan::leaves::map>();
        static_assert(j < Plan::count, "ctgrad: internal: a number's leaf is missing from the eval's table");
        table.put(j, a.value);
    } else if constexpr (!is_stateless_v<A>) {
        detail::gather_numbers<Plan>(a, table);
    }
}

/// Puts every number of e into the table, at its leaf. One function per node type holding a
/// number; the run-time walk visits every object once.
template <class Plan, class E, class Table>
static void gather_numbers(const E& e, Table& table) {
    if constexpr (is_gradient_v<E>) {
        if constexpr (!is_stateless_v<E>) detail::gather_numbers<Plan>(ctgrad::loss_of(e), table);
    } else if constexpr (is_node_v<E> && !is_stateless_v<E>) {
        constexpr std::size_t place = detail::index_in<E, typename Plan::places>();
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (detail::gather_operand<Plan, place, I>(ctgrad::arg<I>(e), table), ...);
        }(std::make_index_sequence<E::op_type::arity>{});
    }
}

}  // namespace ctgrad::detail
