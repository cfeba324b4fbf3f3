// Instructions: a stored value or an output rewritten in small types (slot numbers, bound variables, lazy operations).
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include "../derivation.hpp"
#include "../detail/compile_time.hpp"
#include "../detail/graph.hpp"
#include "../expression.hpp"
#include "fusion.hpp"

namespace ctgrad {
namespace detail {

// ---- instructions -------------------------------------------------------------------------
//
// What a stored value or an output is computed from, rewritten in small types: a stored node
// becomes its slot number, a variable its position among the bound ones, and only the operations
// evaluated on the spot keep their shape. Every function evaluation instantiates is keyed on
// these, so no function has a deep formula in its type (see "Compile time" in docs/design.md).

/// Stored value number I.
template <std::size_t I, int Rows, int Cols>
struct stored_ref {
    static constexpr std::size_t index = I;
    static constexpr int rows = Rows;
    static constexpr int cols = Cols;
};
/// Bound variable number K, bound to a `Matrix`.
template <std::size_t K, class Variable, class Matrix>
struct bound_ref {
    using variable_type = Variable;
    using matrix_type = Matrix;
    static constexpr std::size_t index = K;
    static constexpr int rows = Variable::rows;
    static constexpr int cols = Variable::cols;
};
/// The user's number number J of the eval's table (a number_leaf, see numbers.hpp).
template <std::size_t J>
struct number_ref {
    static constexpr std::size_t index = J;
    static constexpr int rows = 1;
    static constexpr int cols = 1;
};
/// Op applied on the spot to operands that are themselves instructions.
template <class Op, int Rows, int Cols, class... Args>
struct lazy_node {
    using op_type = Op;
    static constexpr int rows = Rows;
    static constexpr int cols = Cols;
};

template <class T>
struct is_stored_ref_test : std::bool_constant<false> {};
template <class T>
concept is_stored_ref_v = is_stored_ref_test<T>::value;
template <std::size_t I, int R, int C>
struct is_stored_ref_test<stored_ref<I, R, C>> : std::bool_constant<true> {};

template <class T>
struct is_number_ref_test : std::bool_constant<false> {};
template <class T>
concept is_number_ref_v = is_number_ref_test<T>::value;
template <std::size_t J>
struct is_number_ref_test<number_ref<J>> : std::bool_constant<true> {};

template <class T>
struct is_lazy_node_test : std::bool_constant<false> {};
template <class T>
concept is_lazy_node_v = is_lazy_node_test<T>::value;
template <class Op, int R, int C, class... Args>
struct is_lazy_node_test<lazy_node<Op, R, C, Args...>> : std::bool_constant<true> {};

}  // namespace detail

template <std::size_t I, class Op, int R, int C, class... Args>
struct arg_type<I, detail::lazy_node<Op, R, C, Args...>> : detail::nth_type<I, Args...> {};

namespace detail {

/// Whether a lazy node carries more instructions than its operation has operands: a helper.
template <class T>
struct reads_helper_test : std::bool_constant<false> {};
template <class T>
concept reads_helper_v = reads_helper_test<T>::value;
template <class Op, int R, int C, class... Args>
struct reads_helper_test<lazy_node<Op, R, C, Args...>> : std::bool_constant<(sizeof...(Args) > Op::arity)> {};

template <class T>
struct is_bound_ref_test : std::bool_constant<false> {};
template <class T>
concept is_bound_ref_v = is_bound_ref_test<T>::value;
template <std::size_t K, class V, class M>
struct is_bound_ref_test<bound_ref<K, V, M>> : std::bool_constant<true> {};

/// The number leaves of some outputs (type_list<Es...>), in the order of their graphs: the
/// eval's table of numbers holds entry J for leaf number J.
template <class Outputs>
struct number_leaves_of;
template <class... Es>
struct number_leaves_of<type_list<Es...>> {
    using list = filter_t<typename unite_all_lists<nodes_of_t<typename slot_source<Es>::type>...>::type, is_number_leaf>;
    using map = typename numbering_of<list>::type;
};

/// What the rewriting needs to know: which nodes are stored and which variables are bound.
template <class Stored, class Variables, class Bound, class Outputs>
struct layout;
template <class... Nodes, class... Variables, class Bound, class Outputs>
struct layout<type_list<Nodes...>, type_list<Variables...>, Bound, Outputs> {
    using stored = type_list<Nodes...>;
    using outputs = Outputs;
    using node_numbers = numbering<std::index_sequence_for<Nodes...>, Nodes...>;
    using variable_numbers = numbering<std::index_sequence_for<Variables...>, Variables...>;
    template <class V>
    using matrix_of = std::remove_cvref_t<decltype(std::declval<const Bound&>().template get<V>())>;
};

/// Whether E's value is read from its slot: stored, and not fused into its reader.
template <class E, class Layout>
CTGRAD_COMPILE_TIME bool is_kept() {
    if constexpr (member_v<typename Layout::stored, E>) {
        return !fused_v<typename Layout::stored, typename Layout::outputs>[detail::index_in<E, typename Layout::node_numbers>()];
    } else {
        return false;
    }
}

template <class E, class Layout, bool Stored = detail::is_kept<E, Layout>()>
struct instruction_of;
template <class E, class Layout>
using instruction_t = typename instruction_of<E, Layout>::type;

/// How a value is computed, ignoring that it may be stored (for filling its own slot).
template <class E, class Layout>
struct computation_of {
    using type = instruction_t<E, Layout>;
};
template <class Op, class... Args, class Layout>
struct computation_of<node<Op, Args...>, Layout> {
    using type = lazy_node<Op, node<Op, Args...>::rows, node<Op, Args...>::cols, instruction_t<Args, Layout>...>;
};
/// An operation whose value reads a helper too (helper_of): the helper comes after the operands.
template <class Op, class... Args, class Layout>
    requires has_helper_v<node<Op, Args...>>
struct computation_of<node<Op, Args...>, Layout> {
    using type = lazy_node<Op, node<Op, Args...>::rows, node<Op, Args...>::cols, instruction_t<Args, Layout>...,
                           instruction_t<helper_t<node<Op, Args...>>, Layout>>;
};
template <class F, class G, class Layout>
struct computation_of<adjoint<F, G>, Layout> {
    using type = instruction_t<definition_t<G>, Layout>;
};
template <class E, class Layout>
using computation_t = typename computation_of<E, Layout>::type;

template <class E, class Layout>
struct instruction_of<E, Layout, true> {
    using type = stored_ref<detail::index_in<E, typename Layout::node_numbers>(), E::rows, E::cols>;
};
/// Operations and adjoints evaluated on the spot.
template <class E, class Layout>
struct instruction_of<E, Layout, false> {
    static_assert(is_node_v<E> || is_adjoint_v<E>, "ctgrad: eval: this is not an expression ctgrad can evaluate");
    using type = computation_t<E, Layout>;
};
template <class E, class Layout>
    requires is_variable_v<E>
struct instruction_of<E, Layout, false> {
    using type = bound_ref<detail::index_in<E, typename Layout::variable_numbers>(), E, typename Layout::template matrix_of<E>>;
};
template <long long N, long long D, class Layout>
struct instruction_of<literal<N, D>, Layout, false> {
    using type = literal<N, D>;
};
/// A user's number: its place in the eval's table of numbers (the number leaves of the outputs).
template <std::size_t P, std::size_t K, class Layout>
struct instruction_of<number_leaf<P, K>, Layout, false> {
    using type = number_ref<detail::index_in<number_leaf<P, K>, typename number_leaves_of<typename Layout::outputs>::map>()>;
};
template <class L, class V, class X, class Layout>
struct instruction_of<gradient<L, V, X>, Layout, false> {
    using type = instruction_t<X, Layout>;
};

}  // namespace detail
}  // namespace ctgrad
