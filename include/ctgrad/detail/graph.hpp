// The formula as a graph: its distinct nodes in topological order, numbered, with the edges
// from each node to the nodes that read it. Every pass over a formula walks this list instead of
// the expression tree, so a reused intermediate costs once, not once per path.
#pragma once

#include <array>
#include <boost/mp11/set.hpp>
#include <cstddef>
#include <initializer_list>
#include <type_traits>
#include <utility>

#include "../expression.hpp"
#include "compile_time.hpp"
#include "flat_list.hpp"
#include "type_list.hpp"

namespace ctgrad::detail {

// ---- numbering: a type's position in a list, in constant time -----------------------------

/// Distinct types numbered in order: detail::index_in<T, Map>() is T's position. A scan with the
/// compiler's identity builtin, not overload resolution against numbered bases: g++ compares a
/// type with each base structurally when deducing, which for a formula that reuses an
/// intermediate costs as much as its written form, doubling with every layer.
template <class Indices, class... Ts>
struct numbering {};

/// T's position among Ts (sizeof...(Ts) when absent).
///
/// The compile-time computations over formulas are functions (CTGRAD_COMPILE_TIME), not
/// variables: a variable instantiated on a formula's type is named after it (see
/// detail/compile_time.hpp), and a deep formula's many queries over its lists made those names
/// grow as the square of its size; as members of a class template, g++ named them for the
/// linker too (COMDAT), which grew as the cube.
template <class T, class... Ts>
CTGRAD_COMPILE_TIME std::size_t position_among() {
    constexpr bool same[] = {__is_same(T, Ts)..., false};
    for (std::size_t i = 0; i < sizeof...(Ts); ++i) {
        if (same[i]) return i;
    }
    return sizeof...(Ts);
}

template <class T, std::size_t... I, class... Ts>
CTGRAD_COMPILE_TIME std::size_t index_in_numbering(const numbering<std::index_sequence<I...>, Ts...>*) {
    return detail::position_among<T, Ts...>();
}
/// T's number in Map, a numbering.
template <class T, class Map>
CTGRAD_COMPILE_TIME std::size_t index_in() {
    return detail::index_in_numbering<T>(static_cast<const Map*>(nullptr));
}

template <class List>
struct numbering_of;
template <class... Ts>
struct numbering_of<type_list<Ts...>> {
    using type = numbering<std::index_sequence_for<Ts...>, Ts...>;
};

template <class List>
struct flat_of;
template <class... Ts>
struct flat_of<type_list<Ts...>> {
    using type = flat_list<Ts...>;
};

/// Membership in a list of distinct types in constant time: Boost.Mp11's inheritance set, one
/// class per list, asked with the compiler's base-class builtin (no instantiation per query).
template <class List>
struct membership;
template <class... Ts>
struct membership<type_list<Ts...>> {
    using type = boost::mp11::mp_inherit<boost::mp11::mp_identity<Ts>...>;
};
template <class List, class T>
concept member_v = __is_base_of(boost::mp11::mp_identity<T>, typename membership<List>::type);

/// type_list<Ts[Indices[K]]...>.
template <class List, auto Indices, class K = std::make_index_sequence<Indices.size()>>
struct pick_list;
template <class... Ts, auto Indices, std::size_t... K>
struct pick_list<type_list<Ts...>, Indices, std::index_sequence<K...>> {
    using type = type_list<type_at<Indices[K], flat_list<Ts...>>...>;
};

/// The positions of the set flags (one spare entry in `flags`, so a pack of none has an array).
template <std::size_t N, std::size_t Count>
CTGRAD_COMPILE_TIME std::array<std::size_t, Count> positions_of(const std::array<bool, N + 1>& flags) {
    std::array<std::size_t, Count> out{};
    std::size_t k = 0;
    for (std::size_t i = 0; i < N; ++i) {
        if (flags[i]) out[k++] = i;
    }
    return out;
}

/// The positions in Ts of the types for which Keep<T>::value holds. A function of internal
/// linkage, not members of filter: g++ names each instantiated class member for the linker
/// (numbering, above).
template <template <class> class Keep, class... Ts>
CTGRAD_COMPILE_TIME auto kept_positions() {
    constexpr std::array<bool, sizeof...(Ts) + 1> flags{Keep<Ts>::value..., false};
    constexpr std::size_t count = detail::sum_of({0, std::size_t{Keep<Ts>::value ? 1u : 0u}...});
    return detail::positions_of<sizeof...(Ts), count>(flags);
}

/// The types of List for which Keep<T>::value holds, in order.
template <class List, template <class> class Keep>
struct filter;
template <class... Ts, template <class> class Keep>
struct filter<type_list<Ts...>, Keep> {
    using type = typename pick_list<type_list<Ts...>, detail::kept_positions<Keep, Ts...>()>::type;
};
template <class List, template <class> class Keep>
using filter_t = typename filter<List, Keep>::type;

// ---- the distinct nodes, children first --------------------------------------------------

/// The test "T is not a base of Membership", as a template of T alone. Not a member template of
/// unite_lists: g++ substitutes a member template's enclosing arguments (both lists) again for
/// each test, which made the node list of a 100-layer residual chain cost 14 s and 6.8 GB.
template <class Membership>
struct absent_from {
    template <class T>
    struct test : std::bool_constant<!__is_base_of(boost::mp11::mp_identity<T>, Membership)> {};
};

/// A followed by the types of B that A lacks. Linear in both: one membership class for A.
template <class A, class B>
struct unite_lists;
template <class... As, class... Bs>
struct unite_lists<type_list<As...>, type_list<Bs...>> {
    template <class... Cs>
    static type_list<As..., Cs...> append(type_list<Cs...>);
    using type = decltype(append(
        filter_t<type_list<Bs...>, absent_from<typename membership<type_list<As...>>::type>::template test>{}));
};
template <class... As>
struct unite_lists<type_list<As...>, type_list<>> {
    using type = type_list<As...>;
};

template <class... Lists>
struct unite_all_lists;
template <>
struct unite_all_lists<> {
    using type = type_list<>;
};
template <class First, class... Rest>
struct unite_all_lists<First, Rest...> {
    using type = typename unite_lists<First, typename unite_all_lists<Rest...>::type>::type;
};

/// The distinct subexpressions of E (E included), every one after the ones it reads: the
/// order of a depth-first walk that visits each node once. Made once per node type, so the
/// cost follows the number of distinct nodes and edges, never the number of paths.
template <class E>
struct nodes_of {
    using type = type_list<E>;  // a leaf: a variable, a number
};
template <class E>
using nodes_of_t = typename nodes_of<E>::type;

template <class Op, class... Args>
struct nodes_of<node<Op, Args...>> {
    template <class... Cs>
    static type_list<Cs..., node<Op, Args...>> append(type_list<Cs...>);
    using type = decltype(append(typename unite_all_lists<nodes_of_t<Args>...>::type{}));
};
template <class F, class A>
struct nodes_of<adjoint<F, A>> : nodes_of<definition_t<A>> {};
template <class L, class V, class E>
struct nodes_of<gradient<L, V, E>> : nodes_of<L> {};

// ---- who reads whom -------------------------------------------------------------------------

/// One edge of the graph: operand `position` of node `parent` is node `child`.
struct edge {
    std::size_t child = 0, parent = 0, position = 0;
};

/// The edges from a node's operands to the node, and an empty one (a leaf has none). Functions
/// and variables of internal linkage: as class members, g++ named each one for the linker with
/// the node and the whole numbered list, a cost that grew as the cube of the formula's size.
template <class Map, class Op, class... Args, std::size_t... I>
CTGRAD_COMPILE_TIME std::array<edge, sizeof...(Args) + 1> edges_into(const node<Op, Args...>*, std::index_sequence<I...>) {
    constexpr std::size_t self = detail::index_in<node<Op, Args...>, Map>();
    return {edge{detail::index_in<Args, Map>(), self, I}..., edge{}};
}
template <class Map, class Leaf>
CTGRAD_COMPILE_TIME std::array<edge, 1> edges_into(const Leaf*, std::index_sequence<>) {
    return {};
}
template <class T>
struct operand_count : std::integral_constant<std::size_t, 0> {};
template <class Op, class... Args>
struct operand_count<node<Op, Args...>> : std::integral_constant<std::size_t, sizeof...(Args)> {};

/// The readers of every node of a list, as arrays: readers of node c are
/// parents[first[c] .. first[c + 1]), the nodes nearest the loss first (the order in which a
/// derivation sums them).
template <std::size_t N, std::size_t Edges>
struct reader_arrays {
    std::array<std::size_t, N + 1> first{};
    std::array<edge, Edges + 1> readers{};
};

/// The reader arrays of Ts, keeping only edges into a node that Keep accepts.
template <template <class> class Keep, class... Ts>
CTGRAD_COMPILE_TIME auto make_reader_table(type_list<Ts...>) {
    using map = numbering<std::index_sequence_for<Ts...>, Ts...>;
    constexpr std::size_t n = sizeof...(Ts);
    constexpr std::size_t edge_count = detail::sum_of({0, operand_count<Ts>::value...});
    std::array<edge, edge_count + 1> all{};
    std::size_t k = 0;
    auto append = [&](const auto& edges, std::size_t count) {
        for (std::size_t i = 0; i < count; ++i) all[k++] = edges[i];
    };
    (void)std::initializer_list<int>{
        0, (append(detail::edges_into<map>(static_cast<const Ts*>(nullptr), std::make_index_sequence<operand_count<Ts>::value>{}),
                   operand_count<Ts>::value),
            0)...};
    constexpr bool keep[] = {Keep<Ts>::value..., false};
    reader_arrays<n, edge_count> t;
    std::array<std::size_t, n + 1> count{};
    for (std::size_t i = 0; i < k; ++i) {
        if (keep[all[i].child]) ++count[all[i].child];
    }
    for (std::size_t c = 0; c < n; ++c) t.first[c + 1] = t.first[c] + count[c];
    std::array<std::size_t, n + 1> next = t.first;
    // Parents come after their children in the list: walking the edges from the last
    // parent to the first lists each node's readers nearest the loss first.
    for (std::size_t i = k; i-- > 0;) {
        if (keep[all[i].child]) t.readers[next[all[i].child]++] = all[i];
    }
    return t;
}

/// reader_table_v<List, Keep>: List's reader arrays (make_reader_table), computed once.
template <class List, template <class> class Keep>
static constexpr auto reader_table_v = detail::make_reader_table<Keep>(List{});

}  // namespace ctgrad::detail
