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
#include "../detail/type_set.hpp"
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
struct is_slot_candidate<node<Op, Args...>> :
    std::bool_constant<!is_view_op<Op> && is_stateless_v<node<Op, Args...>>> {};

/// The node an operation's value reads besides its operands (a descriptor's `also_reads`:
/// cross_entropy's loss reads softmax(Z), computed for its gradient anyway), or void. It is not
/// an operand: derivatives and printing never see it; evaluation stores it before its reader.
template <class E>
struct helper_of {
    using type = void;
};
template <class Op, class... Args>
    requires has_also_reads_v<Op>
struct helper_of<node<Op, Args...>> {
    using type = typename Op::template also_reads<Args...>;
};
template <class E>
using helper_t = typename helper_of<E>::type;
template <class E>
concept has_helper_v = !std::is_void_v<helper_t<E>>;

/// The stored candidates under E that are not in Forward (a type_set), children first; with
/// OnlyWhole, only those computed whole. The walk stops at Forward's nodes and at adjoints.
template <class E, class Forward, bool OnlyWhole>
struct new_nodes_in {
    using type = type_list<>;  // a leaf, an adjoint, or a forward node
};
template <class Op, class... Args, class Forward, bool OnlyWhole>
    requires(!contains_v<Forward, node<Op, Args...>>)
struct new_nodes_in<node<Op, Args...>, Forward, OnlyWhole> {
    static constexpr bool kept = (!OnlyWhole || writes_whole_op<Op>) && is_slot_candidate<node<Op, Args...>>::value;
    using type = concat_t<typename new_nodes_in<Args, Forward, OnlyWhole>::type..., std::conditional_t<kept, type_list<node<Op, Args...>>, type_list<>>>;
};

template <class... Nodes>
static type_set<Nodes...> set_of(type_list<Nodes...>);

/// Forward node N preceded by its helper and the helper's nodes that are not forward nodes. The
/// helper itself always: listed elsewhere in the forward graph, it could come after N (the
/// repeat is dropped later, the first kept).
template <class N, class Forward>
struct with_helper {
    using type = type_list<N>;
};
template <class N, class Forward>
    requires has_helper_v<N>
struct with_helper<N, Forward> {
    using helper = helper_t<N>;
    template <class Op, class... Args>
    static concat_t<typename new_nodes_in<Args, Forward, false>::type...> operands_of(const node<Op, Args...>&);
    using type = concat_t<decltype(operands_of(helper{})), type_list<helper, N>>;
};

/// The forward candidates with each one's helper inserted before it; unchanged (and at no cost
/// beyond one test per node) when none has a helper.
template <class Forward>
struct with_helpers;
template <class... Nodes>
struct with_helpers<type_list<Nodes...>> {
    using set = type_set<Nodes...>;
    using type = typename std::conditional_t<detail::sum_of({0, std::size_t{has_helper_v<Nodes>}...}) != 0, concat_lists<typename with_helper<Nodes, set>::type...>,
                                             std::type_identity<type_list<Nodes...>>>::type;
};

/// The slot candidates among E's nodes, children before parents, each once.
template <class E>
using forward_candidates_t = filter_t<nodes_of_t<E>, is_slot_candidate>;

/// Stored node candidates of a forward expression: forward_candidates_t with the helpers (which
/// may repeat).
template <class E>
struct slots_of {
    using type = typename with_helpers<forward_candidates_t<E>>::type;
};
template <class E>
using slots_of_t = typename slots_of<E>::type;

template <class F, class A>
struct slots_of<adjoint<F, A>> {
    using type = type_list<>;
};

/// The nodes computed whole (computed_whole in ops/op_base.hpp) that a derivative rule builds
/// beyond the forward graph: softmax(Z) in log_softmax's dL/dZ, embed_cols(G) in slice_cols's.
/// They get slots like forward nodes, so each is written in place once instead of into a matrix
/// on the heap where it is read. The walk stops at forward nodes and at adjoints, so it visits
/// only the rules' own nodes. Here: adjoint A preceded by those its definition builds.
template <class A, class Forward>
struct with_whole_nodes;
template <class F, class G, class Forward>
struct with_whole_nodes<adjoint<F, G>, Forward> {
    using whole = typename new_nodes_in<definition_t<G>, Forward, true>::type;
    using type = concat_t<whole, type_list<adjoint<F, G>>>;
};

/// The backward pass's named adjoints, each after the adjoint it is computed from, with the
/// nodes computed whole that their definitions read (each before the first adjoint reading it).
template <class Adjoints, class Forward>
struct adjoint_slots;
template <class... As, class Forward>
struct adjoint_slots<type_list<As...>, Forward> {
    static constexpr bool any_whole = detail::sum_of({0, with_whole_nodes<As, Forward>::whole::size...}) > 0;
    using type = typename std::conditional_t<any_whole, concat_lists<typename with_whole_nodes<As, Forward>::type...>,
                                             std::type_identity<type_list<As...>>>::type;
};
/// Whether a derivative rule of E's operation builds a node computed whole (the descriptor's
/// `backward_builds_whole`). Only then are the adjoints' definitions walked: a deep net of other
/// operations pays one test per node.
template <class E>
struct backward_builds_whole_test : std::bool_constant<false> {};
template <class E>
concept backward_builds_whole_v = backward_builds_whole_test<E>::value;
template <class Op, class... Args>
struct backward_builds_whole_test<node<Op, Args...>> :
    std::bool_constant<requires { requires Op::backward_builds_whole; }> {};
template <class... Nodes>
static constexpr bool any_backward_builds_whole(type_list<Nodes...>) {
    return detail::sum_of({0, std::size_t{backward_builds_whole_v<Nodes>}...}) > 0;  // no fold: see all_true
}

template <class L>
using adjoint_slots_t =
    typename std::conditional_t<detail::any_backward_builds_whole(nodes_of_t<L>{}),
                                adjoint_slots<adjoints_of_t<L>, decltype(detail::set_of(forward_candidates_t<L>{}))>,
                                std::type_identity<adjoints_of_t<L>>>::type;

/// What every gradient of L stores: L's forward nodes, its adjoints and the nodes computed
/// whole that they read.
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

/// The list without repeats, first occurrences kept in order.
template <class... Ts>
static constexpr auto first_occurrences(type_list<Ts...>) {
    constexpr std::size_t positions[] = {0, detail::first_index<Ts, Ts...>()...};
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
static constexpr auto distinct_indices = detail::first_occurrences(List{});
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
template <class Op, class... Args, class Stored>
    requires has_helper_v<node<Op, Args...>>
struct reads<node<Op, Args...>, Stored> {
    using type = concat_t<read_t<Args, Stored>..., read_t<helper_t<node<Op, Args...>>, Stored>>;
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
    return {detail::index_in<R, Map>()...};
}

/// The stored nodes' reads as one table, named by sizes only: node i reads all[first[i]] to
/// all[first[i + 1] - 1], by number. Made once per schedule, for needed_nodes and buffer_owners.
template <std::size_t N, std::size_t Total>
struct read_table {
    std::array<std::size_t, N + 1> first{};
    std::array<std::size_t, Total + 1> all{};  // one spare: no zero-length array
};

template <class... Nodes>
static constexpr auto make_read_table(type_list<Nodes...>) {
    using stored = type_list<Nodes...>;
    using map = numbering<std::index_sequence_for<Nodes...>, Nodes...>;
    constexpr std::size_t counts[] = {reads_t<Nodes, stored>::size..., 0};
    read_table<sizeof...(Nodes), detail::sum_of({0, reads_t<Nodes, stored>::size...})> table{};
    for (std::size_t i = 0; i < sizeof...(Nodes); ++i) table.first[i + 1] = table.first[i] + counts[i];
    std::size_t k = 0;
    [[maybe_unused]] auto append = [&](const auto& some) {
        for (std::size_t r : some) table.all[k++] = r;
    };
    (void)std::initializer_list<int>{0, (append(detail::indices_in<map>(reads_t<Nodes, stored>{})), 0)...};
    return table;
}
template <class Stored>
static constexpr auto read_table_v = detail::make_read_table(Stored{});

/// needed[i]: whether stored node i is read, directly or through other stored nodes, by an
/// output. One sweep from the last node to the first: a node is read only by later nodes.
template <class... Nodes, class... Outputs>
static constexpr auto needed_nodes(type_list<Nodes...>, type_list<Outputs...>) {
    using stored = type_list<Nodes...>;
    using map = numbering<std::index_sequence_for<Nodes...>, Nodes...>;
    constexpr std::size_t n = sizeof...(Nodes);
    constexpr const auto& reads = read_table_v<stored>;
    std::array<bool, n + 1> needed{};  // one spare: no zero-length array when nothing is stored
    [[maybe_unused]] auto mark_all = [&](const auto& some) {
        for (std::size_t r : some) needed[r] = true;
    };
    (void)std::initializer_list<int>{0, (mark_all(detail::indices_in<map>(read_t<Outputs, stored>{})), 0)...};
    for (std::size_t i = n; i-- > 0;) {
        if (needed[i]) {
            for (std::size_t k = reads.first[i]; k < reads.first[i + 1]; ++k) needed[reads.all[k]] = true;
        }
    }
    return needed;
}

}  // namespace detail
}  // namespace ctgrad
