// The schedule of one eval: which nodes get a slot (slots_of), in which order, and which of them an output needs (needed_nodes).
#pragma once

#include <array>
#include <cstddef>
#include <initializer_list>
#include <type_traits>
#include <utility>

#include "../derivation.hpp"
#include "../detail/graph.hpp"
#include "../detail/type_list.hpp"
#include "../expression.hpp"

namespace ctgrad {

// ---- what one eval stores -----------------------------------------------------------------
//
// Evaluation runs a schedule fixed at compile time: the nodes whose values are stored, in an
// order where every node comes after what it reads, each computed at most once and only when
// an output needs it. Everything else stays a lazy Eigen expression fused into the loop that
// consumes it.
//
// Why a schedule and not "compute on first use": on-demand filling needs one out-of-line
// function per stored node (inlined, each use would carry a copy of everything below it), and
// g++ names every such function after its whole expression type, at a cost that grows with the
// square of the name. For a 100-layer net that naming was most of the compile time. Here the
// per-node functions have internal linkage and are inlined into one loop-free sequence, so
// nothing with a deep type in its name is ever emitted.

namespace detail {

template <class Op>
static constexpr bool is_view_op = requires { requires Op::is_view; };  // a flag counts by its value

/// Whether T is a candidate for a slot of its own: an operation (not a view such as a
/// transpose, which Eigen reads in place) whose type says everything. A node holding a user's
/// double is never stored: two such nodes can share a type but not a value, so they are
/// computed where they are used.
template <class T>
struct is_slot_candidate : std::false_type {};
template <class Op, class... Args>
struct is_slot_candidate<node<Op, Args...>> : std::bool_constant<!is_view_op<Op> && is_stateless_v<node<Op, Args...>>> {};

/// Stored node candidates of a forward expression, children before parents, each once.
template <class E>
struct slots_of {
    using type = filter_t<nodes_of_t<E>, is_slot_candidate>;
};
template <class E>
using slots_of_t = typename slots_of<E>::type;

template <class F, class A>
struct slots_of<adjoint<F, A>> {
    using type = type_list<>;
};

/// The backward pass's named adjoints, each after the adjoint it is computed from.
template <class L>
using adjoint_slots_t = adjoints_of_t<L>;

/// What every gradient of L stores: L's forward nodes and its adjoints.
template <class L>
struct backward_pass_of {};
template <class L>
struct slots_of<backward_pass_of<L>> {
    using type = concat_t<slots_of_t<L>, adjoint_slots_t<L>>;
};
template <class L, class V, class E>
struct slots_of<gradient<L, V, E>> : slots_of<backward_pass_of<L>> {};

template <class L>
struct nodes_of<backward_pass_of<L>> : nodes_of<L> {};

template <class Sources>
struct slots_of_all;
template <class... Sources>
struct slots_of_all<type_list<Sources...>> {
    using type = concat_t<slots_of_t<Sources>...>;
};

/// Where an output's stored nodes come from; the gradients of one loss share one source, so
/// fifty gradients do not make a list fifty times the size of the net.
template <class E>
struct slot_source {
    using type = E;
};
template <class L, class V, class E>
struct slot_source<gradient<L, V, E>> {
    using type = backward_pass_of<L>;
};

/// Kept for code that names the stored nodes of an expression.
template <class E>
using forward_slots_t = slots_of_t<E>;

/// The position of the first T in Ts, computed once per T.
template <class T, class... Ts>
static constexpr std::size_t first_position_v = first_index<T, Ts...>();

/// The list without repeats, first occurrences kept in order.
template <class... Ts>
static constexpr auto first_occurrences(type_list<Ts...>) {
    constexpr std::size_t positions[] = {0, first_position_v<Ts, Ts...>...};
    constexpr std::size_t count = [&] {
        std::size_t c = 0;
        for (std::size_t i = 0; i < sizeof...(Ts); ++i) c += positions[i + 1] == i ? 1 : 0;
        return c;
    }();
    std::array<std::size_t, count> out{};
    std::size_t k = 0;
    for (std::size_t i = 0; i < sizeof...(Ts); ++i) {
        if (positions[i + 1] == i) out[k++] = i;
    }
    return out;
}
template <class List>
static constexpr auto distinct_indices = first_occurrences(List{});
template <class List>
using distinct_t = typename pick_list<List, distinct_indices<List>>::type;

/// The stored nodes that computing E reads directly (E itself excluded when E is stored).
template <class E, class Stored>
struct reads {
    using type = type_list<>;
};
template <class E, class Stored>
using reads_t = typename reads<E, Stored>::type;

template <class E, class Stored>
using read_t = std::conditional_t<member_v<Stored, E>, type_list<E>, reads_t<E, Stored>>;

template <class Op, class... Args, class Stored>
struct reads<node<Op, Args...>, Stored> {
    using type = concat_t<read_t<Args, Stored>...>;
};
template <class F, class G, class Stored>
struct reads<adjoint<F, G>, Stored> {
    using type = read_t<definition_t<G>, Stored>;
};
template <class L, class V, class E, class Stored>
struct reads<gradient<L, V, E>, Stored> {
    using type = read_t<E, Stored>;
};

template <class Map, class... R>
static constexpr std::array<std::size_t, sizeof...(R)> indices_in(type_list<R...>) {
    return {index_in<R, Map>...};
}

/// needed[i]: whether stored node i is read, directly or through other stored nodes, by an
/// output. One sweep from the last node to the first: a node is read only by later nodes.
template <class... Nodes, class... Outputs>
static constexpr auto needed_nodes(type_list<Nodes...>, type_list<Outputs...>) {
    using stored = type_list<Nodes...>;
    using map = numbering<std::index_sequence_for<Nodes...>, Nodes...>;
    constexpr std::size_t n = sizeof...(Nodes);
    constexpr std::size_t counts[] = {reads_t<Nodes, stored>::size..., 0};
    constexpr std::size_t total = detail::sum_of({0, reads_t<Nodes, stored>::size...});
    // Every node's reads, one after another: node i's start at first[i].
    constexpr auto all_reads = [] {
        std::array<std::size_t, total + 1> out{};
        std::size_t k = 0;
        [[maybe_unused]] auto append = [&](const auto& some) {
            for (std::size_t r : some) out[k++] = r;
        };
        (void)std::initializer_list<int>{0, (append(detail::indices_in<map>(reads_t<Nodes, stored>{})), 0)...};
        return out;
    }();
    std::array<bool, n + 1> needed{};  // one spare: no zero-length array when nothing is stored
    [[maybe_unused]] auto mark_all = [&](const auto& some) {
        for (std::size_t r : some) needed[r] = true;
    };
    (void)std::initializer_list<int>{0, (mark_all(detail::indices_in<map>(read_t<Outputs, stored>{})), 0)...};
    std::array<std::size_t, n + 1> first{};
    for (std::size_t i = 0; i < n; ++i) first[i + 1] = first[i] + counts[i];
    for (std::size_t i = n; i-- > 0;) {
        if (needed[i]) {
            for (std::size_t k = first[i]; k < first[i + 1]; ++k) needed[all_reads[k]] = true;
        }
    }
    return needed;
}

}  // namespace detail
}  // namespace ctgrad
