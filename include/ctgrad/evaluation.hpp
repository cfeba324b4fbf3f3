// Evaluation on Eigen: bind(X = x, ...), eval(e, in), eval(grads(...), in), check_gradient.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <initializer_list>
#include <tuple>
#include <type_traits>
#include <utility>

#include "derivation.hpp"
#include "detail/describe.hpp"
#include "detail/flat_list.hpp"
#include "detail/inlining.hpp"
#include "detail/products.hpp"
#include "detail/type_list.hpp"
#include "detail/type_set.hpp"
#include "errors.hpp"
#include "expression.hpp"
#include "variables.hpp"


namespace ctgrad::detail {

/// I{z > 0} entry by entry with a packet path: Eigen 3.4 runs a bool-to-double cast one scalar
/// at a time, which made relu's backward pass the slowest loop of the board net (callgrind).
struct step_indicator {
    double operator()(double z) const { return z > 0.0 ? 1.0 : 0.0; }

    template <class Packet>
    Packet packetOp(const Packet& z) const {
        using namespace Eigen::internal;
        return pand(pcmp_lt(pzero(z), z), pset1<Packet>(1.0));
    }
};

}  // namespace ctgrad::detail

template <>
struct Eigen::internal::functor_traits<ctgrad::detail::step_indicator> {
    enum { Cost = 2, PacketAccess = 1 };
};

namespace ctgrad {
namespace detail {

// How operation values read their operands (declared in ops/op_base.hpp).

template <class X>
static decltype(auto) entries(const X& x) {
    if constexpr (std::is_arithmetic_v<X>) {
        // An expression holding the number (a plain 1x1 array would be nested by reference and
        // die with this call).
        return Eigen::Array<double, 1, 1>::Constant(x);
    } else if constexpr (std::is_base_of_v<Eigen::ArrayBase<X>, X>) {
        return x;  // a reference: the caller's expression copies what it keeps
    } else {
        return x.array();
    }
}

template <class X>
static decltype(auto) as_matrix(const X& x) {
    if constexpr (std::is_arithmetic_v<X> || std::is_base_of_v<Eigen::MatrixBase<X>, X>) {
        return x;
    } else {
        return x.matrix();
    }
}

/// A 1x1 value as a double: scalar steps (1/n, a sum, a loss) never build Eigen expressions,
/// which cost more to compile than the loops that use them.
template <class X>
static double to_double(const X& x) {
    if constexpr (std::is_arithmetic_v<X>) {
        return x;
    } else {
        return x.value();
    }
}

/// The few Eigen constructions operation values need (declared in ops/op_base.hpp).
template <class Any>
struct eigen_kit {
    template <class A>
    static auto step(const A& z) {
        return z.unaryExpr(step_indicator{});
    }

    template <int Rows, int Cols>
    static auto filled(Eigen::Index rows, Eigen::Index cols, double v) {
        return Eigen::Matrix<double, Rows, Cols>::Constant(rows, cols, v);
    }

    template <int Rows, class M>
    static auto repeat_rows(const M& row, Eigen::Index rows) {
        if constexpr (Rows != dynamic) {
            return row.template replicate<Rows, 1>();
        } else {
            return row.replicate(rows, 1);
        }
    }
};

// ---- bound variables ----------------------------------------------------------------------

template <class Variable, class Stored>
const auto& bound_matrix(const binding<Variable, Stored>& b) {
    return b.matrix;
}

}  // namespace detail

namespace detail {

/// bind's error for a variable whose matrix does not fit; not a template, so every binding
/// shares it.
[[noreturn]] CTGRAD_COLD inline void throw_binding_error(std::string_view name, long rows, long cols, long matrix_rows, long matrix_cols) {
    throw shape_error(detail::concat_text("ctgrad: bind: variable ", name, " is declared ", detail::shape_text(rows, cols),
                                          " but the matrix bound to it is ", detail::shape_text(matrix_rows, matrix_cols)));
}

/// bind's size check of one variable (a function of its own: a lambda inside bind would be
/// named after all of bind's arguments, once per variable).
template <class Variable, class Stored>
static void check_binding(const binding<Variable, Stored>& b) {
    // An empty matrix (a batch of no rows) has no mean and no value to differentiate.
    if ((Variable::rows != dynamic && b.matrix.rows() != Variable::rows) ||
        (Variable::cols != dynamic && b.matrix.cols() != Variable::cols) || b.matrix.size() == 0) {
        detail::throw_binding_error(Variable::name, Variable::rows, Variable::cols, b.matrix.rows(), b.matrix.cols());
    }
}

}  // namespace detail

/// The variables of a formula paired with Eigen matrices; made by bind(...).
template <class... Bindings>
struct bound : Bindings... {
    using variables = detail::type_list<typename Bindings::variable_type...>;

    template <class Variable>
    const auto& get() const {
        return detail::bound_matrix<Variable>(*this);
    }
};

/// bind(X = x, W1 = w1, ...): pairs each variable with an Eigen matrix. Lvalue plain matrices
/// are held by reference (keep them alive while evaluating); temporaries and Eigen expressions
/// are copied. A dynamic size that contradicts a static one throws shape_error.
template <class... Variables, class... Stored>
auto bind(binding<Variables, Stored>... bindings) {
    constexpr bool distinct = []<std::size_t... I>(std::index_sequence<I...>) {
        return detail::all_true({true, (detail::first_index<Variables, Variables...>() == I)...});
    }(std::index_sequence_for<Variables...>{});
    static_assert(distinct, "ctgrad: bind: a variable is bound twice");
    if constexpr (!distinct) {
        return bound<>{};  // a bound<> naming one variable twice would be a second error
    } else {
        (void)std::initializer_list<int>{0, (detail::check_binding(bindings), 0)...};  // no fold: see all_true
        return bound<binding<Variables, Stored>...>{std::move(bindings)...};
    }
}

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

// ---- values fused into their one reader -----------------------------------------------------
//
// A value computed entry by entry (tanh(Z + b), 2/n (yhat - Y)) that exactly one stored value
// reads, entry by entry at the same shape, is not stored: it is computed inside its reader's
// loop. One loop instead of two at run time, one Eigen assignment less to compile, and no entry
// is computed twice (a value spread over rows is never fused).

template <class Op>
static constexpr bool is_entrywise_op = requires { requires Op::entrywise; };

/// Whether Op computes its value entry by entry at these operand shapes only (an outer product).
template <class Op, class... Shapes>
static constexpr bool entrywise_at_shapes() {
    if constexpr (requires { Op::template entrywise_at<Shapes...>; }) {
        return Op::template entrywise_at<Shapes...>;
    } else {
        return false;
    }
}

/// Whether E's value is computed entry by entry, so it may be computed inside a reader's loop
/// (a product or a sum is computed whole, and stays stored).
template <class E>
static constexpr bool is_entrywise_v = false;
template <class Op, class... Args>
static constexpr bool is_entrywise_v<node<Op, Args...>> = is_entrywise_op<Op> || entrywise_at_shapes<Op, shape_t<Args>...>();
template <class F, class G>
static constexpr bool is_entrywise_v<adjoint<F, G>> = is_entrywise_v<definition_t<G>>;

/// The stored nodes that E's own computation reads entry by entry at E's shape (E excluded).
template <class E, class Stored>
struct entrywise_reads {
    using type = type_list<>;
};
/// Operand A of a node shaped Shape, read entry by entry: itself when stored, else its reads.
template <class A, class Shape, class Stored>
struct entrywise_operand {
    using type = type_list<>;
};
template <class A, class Shape, class Stored>
    requires(A::rows == Shape::rows && A::cols == Shape::cols)
struct entrywise_operand<A, Shape, Stored> {
    using type = std::conditional_t<member_v<Stored, A>, std::conditional_t<is_entrywise_v<A>, type_list<A>, type_list<>>,
                                    typename entrywise_reads<A, Stored>::type>;
};
template <class Op, class... Args, class Stored>
    requires is_entrywise_op<Op>
struct entrywise_reads<node<Op, Args...>, Stored> {
    using type = concat_t<typename entrywise_operand<Args, node<Op, Args...>, Stored>::type...>;
};
template <class F, class G, class Stored>
struct entrywise_reads<adjoint<F, G>, Stored> {
    using type = typename entrywise_operand<definition_t<G>, adjoint<F, G>, Stored>::type;
};

/// Whether E is a matrix product Eigen computes with a kernel (not an outer product, not 1x1).
template <class E>
static constexpr bool is_kernel_product_v = false;
template <class A, class B>
static constexpr bool is_kernel_product_v<node<matmul_op, A, B>> =
    !is_entrywise_v<node<matmul_op, A, B>> && !(A::rows == 1 && B::cols == 1);
template <class F, class G>
static constexpr bool is_kernel_product_v<adjoint<F, G>> = is_kernel_product_v<definition_t<G>>;

struct no_product_operand {};

/// The operand of E, a sum or difference computed in its own slot, that is a stored matrix
/// product of E's shape, the left one first: the product is then computed into E's slot
/// (store_sum_with_product in detail/products.hpp). no_product_operand when there is none.
template <class E, class Stored>
struct product_operand {
    using type = no_product_operand;
};
template <class Op, class A, class B, class Stored>
    requires requires { requires Op::adds_operands; }
struct product_operand<node<Op, A, B>, Stored> {
    template <class P>
    static constexpr bool fits = member_v<Stored, P> && is_kernel_product_v<P> && P::rows == node<Op, A, B>::rows &&
                                 P::cols == node<Op, A, B>::cols;
    using type = std::conditional_t<fits<A>, A, std::conditional_t<fits<B>, B, no_product_operand>>;
};
template <class F, class G, class Stored>
struct product_operand<adjoint<F, G>, Stored>
    : std::conditional_t<member_v<Stored, definition_t<G>>, product_operand<void, Stored>, product_operand<definition_t<G>, Stored>> {};

inline constexpr std::size_t no_index = static_cast<std::size_t>(-1);

template <class E, class Stored, class Map>
static constexpr std::size_t product_operand_index() {
    using P = typename product_operand<E, Stored>::type;
    if constexpr (ctgrad::detail::same_v<P, no_product_operand>) {
        return no_index;
    } else {
        return index_in<P, Map>;
    }
}

/// fused[i]: whether stored candidate i is computed inside its one reader instead.
template <class... Nodes, class... Outputs>
static constexpr auto fused_nodes(type_list<Nodes...>, type_list<Outputs...>) {
    using stored = type_list<Nodes...>;
    using map = numbering<std::index_sequence_for<Nodes...>, Nodes...>;
    // Per node, not one concatenated list: concatenating hundreds of lists costs the square.
    std::array<std::size_t, sizeof...(Nodes) + 1> readers{};  // one spare, as in needed_nodes
    [[maybe_unused]] auto count = [&](const auto& some) {
        for (std::size_t r : some) ++readers[r];
    };
    (void)std::initializer_list<int>{0, (count(detail::indices_in<map>(reads_t<Nodes, stored>{})), 0)...};
    (void)std::initializer_list<int>{0, (count(detail::indices_in<map>(read_t<Outputs, stored>{})), 0)...};
    std::array<bool, sizeof...(Nodes) + 1> fused{};
    [[maybe_unused]] auto mark = [&](const auto& some) {
        for (std::size_t r : some) fused[r] = readers[r] == 1;
    };
    (void)std::initializer_list<int>{0, (mark(detail::indices_in<map>(typename entrywise_reads<Nodes, stored>::type{})), 0)...};
    // A product read only by a sum that keeps its slot is computed into that slot.
    constexpr std::size_t product_of[] = {detail::product_operand_index<Nodes, stored, map>()..., no_index};
    for (std::size_t i = 0; i < sizeof...(Nodes); ++i) {
        if (product_of[i] != no_index && !fused[i] && readers[product_of[i]] == 1) fused[product_of[i]] = true;
    }
    return fused;
}

/// fused_v<Stored, Outputs>[i]: whether stored candidate i is computed inside its reader. The
/// candidates keep their numbers, so the schedule's lists and lookups are made once.
template <class Stored, class Outputs>
static constexpr auto fused_v = detail::fused_nodes(Stored{}, Outputs{});

/// The error of a run-time size check; out of line and not a template, so the checks of a
/// deep net share it.
[[noreturn]] CTGRAD_COLD inline void throw_shape_error(const std::string& left, const std::string& right, long ar, long ac, long br,
                                           long bc, const char* rule) {
    throw shape_error(concat_text("ctgrad: ", left, " ", shape_text(ar, ac), " and ", right, " ", shape_text(br, bc), ": ", rule));
}

template <class L>
struct nodes_of<backward_pass_of<L>> : nodes_of<L> {};

template <int Rows, int Cols>
struct shape_only {
    static constexpr int rows = Rows;
    static constexpr int cols = Cols;
};

/// Stored value number I. Slots are named by number and shape, not by node: the compiler names
/// every slot's constructor and destructor after its type.
template <std::size_t I, int Rows, int Cols>
struct slot {
    Eigen::Matrix<double, Rows, Cols> value;
};

template <class Indices, class... Shapes>
struct slots;
template <std::size_t... I, class... Shapes>
struct slots<std::index_sequence<I...>, Shapes...> : slot<I, Shapes::rows, Shapes::cols>... {
    /// Where each value lives, by number.
    std::array<void*, sizeof...(I) + 1> addresses() {
        return {static_cast<void*>(&static_cast<slot<I, Shapes::rows, Shapes::cols>&>(*this).value)..., nullptr};
    }
};

// ---- error texts --------------------------------------------------------------------------

/// A short plain text built at compile time (an error message's name for a stored value);
/// longer texts end in "..".
struct short_text {
    static constexpr std::size_t capacity = 72;
    char data[capacity]{};
    std::size_t size = 0;

    constexpr short_text& operator<<(std::string_view piece) {
        for (char c : piece) {
            if (size + 1 >= capacity) {
                data[capacity - 3] = data[capacity - 2] = '.';
                size = capacity - 1;
                return *this;
            }
            data[size++] = c;
        }
        return *this;
    }
    constexpr short_text& operator<<(long long v) {
        char digits[24]{};
        int n = 0;
        const bool negative = v < 0;
        unsigned long long u = negative ? 0ull - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
        do {
            digits[n++] = static_cast<char>('0' + u % 10);
            u /= 10;
        } while (u != 0);
        if (negative) *this << "-";
        while (n > 0) {
            const char c[1] = {digits[--n]};
            *this << std::string_view(c, 1);
        }
        return *this;
    }
    std::string str() const { return std::string(data, size); }
};

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
/// Op applied on the spot to operands that are themselves instructions.
template <class Op, int Rows, int Cols, class... Args>
struct lazy_node {
    using op_type = Op;
    static constexpr int rows = Rows;
    static constexpr int cols = Cols;
};

template <class T>
static constexpr bool is_stored_ref_v = false;
template <std::size_t I, int R, int C>
static constexpr bool is_stored_ref_v<stored_ref<I, R, C>> = true;

template <class T>
static constexpr bool is_lazy_node_v = false;
template <class Op, int R, int C, class... Args>
static constexpr bool is_lazy_node_v<lazy_node<Op, R, C, Args...>> = true;

}  // namespace detail

template <std::size_t I, class Op, int R, int C, class... Args>
struct arg_type<I, detail::lazy_node<Op, R, C, Args...>> : detail::nth_type<I, Args...> {};

namespace detail {

/// Where evaluation finds values at run time. Not a template: nothing about the formula is in
/// its type, so it costs nothing in the names of the functions that take it.
struct frame_view {
    void* const* slots;
    const void* const* variables;
    const short_text* slot_texts;
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
static constexpr bool is_kept() {
    if constexpr (member_v<typename Layout::stored, E>) {
        return !fused_v<typename Layout::stored, typename Layout::outputs>[index_in<E, typename Layout::node_numbers>];
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
template <class F, class G, class Layout>
struct computation_of<adjoint<F, G>, Layout> {
    using type = instruction_t<definition_t<G>, Layout>;
};
template <class E, class Layout>
using computation_t = typename computation_of<E, Layout>::type;

template <class E, class Layout>
struct instruction_of<E, Layout, true> {
    using type = stored_ref<index_in<E, typename Layout::node_numbers>, E::rows, E::cols>;
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
    using type = bound_ref<index_in<E, typename Layout::variable_numbers>, E, typename Layout::template matrix_of<E>>;
};
template <long long N, long long D, class Layout>
struct instruction_of<literal<N, D>, Layout, false> {
    using type = literal<N, D>;
};
template <class L, class V, class X, class Layout>
struct instruction_of<gradient<L, V, X>, Layout, false> {
    using type = instruction_t<X, Layout>;
};

// ---- evaluating instructions ----------------------------------------------------------------

template <class T>
static constexpr bool is_bound_ref_v = false;
template <std::size_t K, class V, class M>
static constexpr bool is_bound_ref_v<bound_ref<K, V, M>> = true;

/// Marks a stored value's number inside an instruction's text (see write_text).
inline constexpr char slot_mark = '\x01';

/// The compile-time counterpart of describe(e), for error messages (depth-limited in the same
/// way). Also writes instructions: a bound variable by its name, and a stored value as its
/// number between two slot_marks, replaced by that value's own text when a message is made.
template <class E, int Depth = 3>
static constexpr void write_text(short_text& out) {
    if constexpr (is_variable_v<E>) {
        out << E::name;
    } else if constexpr (is_bound_ref_v<E>) {
        out << E::variable_type::name;
    } else if constexpr (is_stored_ref_v<E>) {
        out << std::string_view(&slot_mark, 1) << static_cast<long long>(E::index) << std::string_view(&slot_mark, 1);
    } else if constexpr (is_literal_v<E>) {
        out << E::num;
        if constexpr (E::den != 1) out << "/" << E::den;
    } else if constexpr (Depth < 0) {
        out << "..";
    } else if constexpr (is_adjoint_v<E>) {
        out << "dL/d(";
        write_text<typename E::forward_type, Depth - 1>(out);
        out << ")";
    } else if constexpr (is_node_v<E> || is_lazy_node_v<E>) {
        using op = typename E::op_type;
        if constexpr (op::arity == 2 && (op::name == "+" || op::name == "-" || op::name == "*" || op::name == "/")) {
            out << "(";
            write_text<arg_t<0, E>, Depth - 1>(out);
            out << " " << op::name << " ";
            write_text<arg_t<1, E>, Depth - 1>(out);
            out << ")";
        } else if constexpr (op::arity == 2) {
            out << op::name << "(";
            write_text<arg_t<0, E>, Depth - 1>(out);
            out << ", ";
            write_text<arg_t<1, E>, Depth - 1>(out);
            out << ")";
        } else {
            out << op::name << "(";
            write_text<arg_t<0, E>, Depth - 1>(out);
            out << ")";
        }
    } else {
        out << "?";
    }
}
template <class E>
static constexpr short_text text_of() {
    short_text out;
    detail::write_text<E>(out);
    return out;
}
/// An instruction's text, made once per instruction and only where a check may fail.
template <class P>
static constexpr short_text instruction_text = detail::text_of<P>();

/// `text` with each stored value's number replaced by that value's text. Not a template, so
/// every size check of every formula shares it.
CTGRAD_COLD inline std::string expand_text(const short_text& text, const short_text* slot_texts) {
    std::string out;
    for (std::size_t i = 0; i < text.size; ++i) {
        if (text.data[i] != slot_mark) {
            out += text.data[i];
            continue;
        }
        std::size_t slot = 0;
        std::size_t k = i + 1;
        for (; k < text.size && text.data[k] >= '0' && text.data[k] <= '9'; ++k) slot = slot * 10 + static_cast<std::size_t>(text.data[k] - '0');
        if (k >= text.size || text.data[k] != slot_mark) {  // cut short by the text's capacity
            out += "..";
            break;
        }
        out += slot_texts[slot].str();
        i = k;
    }
    return out;
}

/// Which sizes of Op's operands, shaped Left and Right, only run time can check (static sizes
/// were checked when building).
enum class size_check { none, inner, all, columns, rows };

template <class Op, class Left, class Right>
static constexpr size_check runtime_size_check() {
    if constexpr (ctgrad::detail::same_v<Op, matmul_op>) {
        return (Left::cols == dynamic || Right::rows == dynamic) ? size_check::inner : size_check::none;
    } else if constexpr (requires { requires Op::pairs_rows; }) {
        return (Left::rows == dynamic || Right::rows == dynamic) ? size_check::rows : size_check::none;
    } else if constexpr (requires { requires Op::pairs_operands; }) {
        constexpr pairing p = __is_base_of(paired_operands, Op) ? pairing_of<Left, Right>() : pairing::same;
        constexpr bool rows_dynamic = Left::rows == dynamic || Right::rows == dynamic;
        constexpr bool cols_dynamic = Left::cols == dynamic || Right::cols == dynamic;
        if constexpr (p == pairing::same && (rows_dynamic || cols_dynamic)) {
            return size_check::all;
        } else if constexpr ((p == pairing::row_right || p == pairing::row_left) && cols_dynamic) {
            return size_check::columns;
        } else if constexpr ((p == pairing::column_right || p == pairing::column_left) && rows_dynamic) {
            return size_check::rows;
        }
    }
    return size_check::none;
}

/// An operand's sizes at run time.
struct dims {
    long rows, cols;
};
template <class X>
CTGRAD_ALWAYS_INLINE static dims dims_of(const X& x) {
    if constexpr (std::is_arithmetic_v<X>) {
        return {1, 1};  // a 1x1 value is a double
    } else {
        return {static_cast<long>(x.rows()), static_cast<long>(x.cols())};
    }
}

/// Whether operands sized a and b pass `check`. Not a template, nor is the error below: every
/// check of every formula shares them.
inline bool sizes_fit(size_check check, dims a, dims b) {
    switch (check) {
        case size_check::inner: return a.cols == b.rows;
        case size_check::all: return a.rows == b.rows && a.cols == b.cols;
        case size_check::columns: return a.cols == b.cols;
        case size_check::rows: return a.rows == b.rows;
        default: return true;
    }
}
[[noreturn]] CTGRAD_COLD inline void throw_size_error(const std::string& left, const std::string& right, dims a, dims b,
                                          size_check check) {
    detail::throw_shape_error(left, right, a.rows, a.cols, b.rows, b.cols,
                              check == size_check::inner ? "columns of the left operand must equal rows of the right operand"
                                                         : check == size_check::rows ? "the rows must be equal (a column spread over columns, or blocks side by side)"
                                                         : "the shapes must be equal (or a row broadcast over rows)");
}
/// The same for two instructions' texts, with the stored values' texts filled in.
[[noreturn]] CTGRAD_COLD inline void throw_size_error(const short_text& left, const short_text& right, const short_text* slot_texts,
                                          dims a, dims b, size_check check) {
    detail::throw_size_error(detail::expand_text(left, slot_texts), detail::expand_text(right, slot_texts), a, b, check);
}

/// What an operation's value may ask of its node: its shape and its operands' shapes
/// (arg_t<I, node_shape>).
template <class Op, int Rows, int Cols, class... ArgShapes>
struct node_shape {
    using op_type = Op;
    static constexpr int rows = Rows;
    static constexpr int cols = Cols;
};

}  // namespace detail

template <std::size_t I, class Op, int R, int C, class... ArgShapes>
struct arg_type<I, detail::node_shape<Op, R, C, ArgShapes...>> : detail::nth_type<I, ArgShapes...> {};

namespace detail {

template <class P>
struct lazy_shape;
template <class Op, int R, int C, class... Args>
struct lazy_shape<lazy_node<Op, R, C, Args...>> {
    using type = node_shape<Op, R, C, shape_only<Args::rows, Args::cols>...>;
};

template <class P>
CTGRAD_ALWAYS_INLINE static decltype(auto) run_operation(const frame_view& f);

/// The value of an instruction: a double when it is 1x1; otherwise a reference to a bound
/// matrix or a slot, or a lazy Eigen expression (of matrix or array kind, see entries()).
/// Never a plain matrix by value, so nothing a caller keeps can dangle.
template <class P>
CTGRAD_ALWAYS_INLINE static decltype(auto) run(const frame_view& f) {
    if constexpr (is_literal_v<P>) {
        return static_cast<double>(P::value);
    } else if constexpr (P::rows == 1 && P::cols == 1) {
        return detail::to_double(detail::run_operation<P>(f));
    } else {
        return detail::run_operation<P>(f);
    }
}

/// run() without the 1x1 rule: a variable, a slot or an operation. One function for the three
/// kinds: each function the evaluation instantiates costs the compiler work before it is inlined.
template <class P>
CTGRAD_ALWAYS_INLINE static decltype(auto) run_operation(const frame_view& f) {
    if constexpr (is_bound_ref_v<P>) {
        return *static_cast<const typename P::matrix_type*>(f.variables[P::index]);
    } else if constexpr (is_stored_ref_v<P>) {
        return *static_cast<const Eigen::Matrix<double, P::rows, P::cols>*>(f.slots[P::index]);
    } else {
        using Op = typename P::op_type;
        using shape = typename lazy_shape<P>::type;
        if constexpr (Op::arity == 2) {
            using left = arg_t<0, P>;
            using right = arg_t<1, P>;
            const auto& a = detail::run<left>(f);
            const auto& b = detail::run<right>(f);
            constexpr size_check check = detail::runtime_size_check<Op, left, right>();
            if constexpr (check != size_check::none) {
                const dims da = detail::dims_of(a), db = detail::dims_of(b);
                if (!detail::sizes_fit(check, da, db)) {
                    detail::throw_size_error(instruction_text<left>, instruction_text<right>, f.slot_texts, da, db, check);
                }
            }
            return Op::value(shape{}, a, b);
        } else if constexpr (is_elementwise_op<Op>) {
            return Op::apply(detail::entries(detail::run<arg_t<0, P>>(f)));
        } else {
            return Op::value(shape{}, detail::run<arg_t<0, P>>(f));
        }
    }
}

/// dst = src, for a matrix or an array expression src.
template <class Dst, class Src>
CTGRAD_ALWAYS_INLINE static void store(Dst& dst, const Src& src) {
    if constexpr (is_eigen_product_v<Src>) {
        detail::store_product(dst, src);  // see detail/products.hpp
    } else if constexpr (is_outer_product_v<Src>) {
        detail::store_outer_product(dst, src);
    } else if constexpr (is_sum_with_product_v<Src>) {
        detail::store_sum_with_product(dst, src);
    } else if constexpr (std::is_base_of_v<Eigen::ArrayBase<Src>, Src>) {
        dst.array() = src;  // element-wise: nothing aliases, no temporary
    } else {
        dst.noalias() = src;
    }
}

/// The Eigen loop that stores a value. Its instantiation depends only on Eigen types, so the
/// layers of a deep net share one copy instead of each inlining its own.
template <class Dst, class Src>
CTGRAD_NOINLINE void assign(Dst& dst, const Src& src) {
    detail::store(dst, src);
}

/// Computes stored value I. Out of line: one small function per stored node, named by its
/// slot and its instruction, keeps the compiler's per-function work linear in the net.
template <std::size_t I, int R, int C, class P>
CTGRAD_NOINLINE static void fill(const frame_view& f) {
    auto& dst = *static_cast<Eigen::Matrix<double, R, C>*>(f.slots[I]);
    if constexpr (R == 1 && C == 1) {
        dst(0, 0) = detail::run<P>(f);  // a scalar: no loop to share
    } else {
        detail::assign(dst, detail::run<P>(f));
    }
}

// ---- expressions holding a user's double ----------------------------------------------------
//
// Such nodes are never stored; they are computed from the expression object, and switch to
// instructions for their stateless parts.

template <class E, class Layout>
CTGRAD_ALWAYS_INLINE static decltype(auto) value_of(const E& e, const frame_view& f);

template <class Op, class... Args, class Layout, std::size_t... I>
CTGRAD_ALWAYS_INLINE static auto compute_stateful(const node<Op, Args...>& n, const frame_view& f, Layout,
                                                  std::index_sequence<I...>) {
    using shape = node_shape<Op, node<Op, Args...>::rows, node<Op, Args...>::cols, shape_only<Args::rows, Args::cols>...>;
    if constexpr (sizeof...(Args) == 2) {
        const auto& a = detail::value_of<arg_t<0, node<Op, Args...>>, Layout>(ctgrad::arg<0>(n), f);
        const auto& b = detail::value_of<arg_t<1, node<Op, Args...>>, Layout>(ctgrad::arg<1>(n), f);
        constexpr size_check check = detail::runtime_size_check<Op, arg_t<0, node<Op, Args...>>, arg_t<1, node<Op, Args...>>>();
        if constexpr (check != size_check::none) {
            const dims da = detail::dims_of(a), db = detail::dims_of(b);
            if (!detail::sizes_fit(check, da, db)) {
                detail::throw_size_error(detail::describe(ctgrad::arg<0>(n)), detail::describe(ctgrad::arg<1>(n)), da, db, check);
            }
        }
        return Op::value(shape{}, a, b);
    } else if constexpr (is_elementwise_op<Op>) {
        return Op::apply(detail::entries(detail::value_of<Args..., Layout>(ctgrad::arg<0>(n), f)));
    } else {
        return Op::value(shape{}, detail::value_of<Args, Layout>(ctgrad::arg<I>(n), f)...);
    }
}

template <class E, class Layout>
CTGRAD_ALWAYS_INLINE static decltype(auto) value_of(const E& e, const frame_view& f) {
    if constexpr (is_stateless_v<E>) {
        return detail::run<instruction_t<E, Layout>>(f);
    } else if constexpr (ctgrad::detail::same_v<E, constant>) {
        return e.value;
    } else if constexpr (is_gradient_v<E>) {
        return detail::value_of<typename E::expr_type, Layout>(e.expr, f);
    } else if constexpr (is_adjoint_v<E>) {
        return detail::value_of<typename E::value_type, Layout>(e.value, f);
    } else {
        static_assert(is_node_v<E>, "ctgrad: eval: this is not an expression ctgrad can evaluate");
        if constexpr (is_scalar_v<E>) {
            return detail::to_double(detail::compute_stateful(e, f, Layout{}, std::make_index_sequence<E::op_type::arity>{}));
        } else {
            return detail::compute_stateful(e, f, Layout{}, std::make_index_sequence<E::op_type::arity>{});
        }
    }
}

// ---- one evaluation -----------------------------------------------------------------------------

template <class Sources>
struct variables_of_all;
template <class... Sources>
struct variables_of_all<type_list<Sources...>> {
    using type = concat_t<variables_of_t<Sources>...>;
};

template <class E>
using result_t = std::conditional_t<is_scalar_v<E>, double, Eigen::Matrix<double, E::rows, E::cols>>;

/// An output that holds a user's double: computed from its object (see above).
template <class E, class Layout>
struct stateful_output {
    using layout = Layout;
};
template <class T>
static constexpr bool is_stateful_output_v = false;
template <class E, class Layout>
static constexpr bool is_stateful_output_v<stateful_output<E, Layout>> = true;

/// What an output is computed from: its instruction, or, holding a double, its object.
template <class E, class Layout>
using output_instruction_t = typename std::conditional_t<is_stateless_v<E>, instruction_of<E, Layout>,
                                                         std::type_identity<stateful_output<E, Layout>>>::type;
/// The object an output is computed from: none (its base) when its type says everything, so
/// the function that reads it is named after its instruction only.
template <class E>
using output_object_t = std::conditional_t<is_stateless_v<E>, expression_base, E>;

template <class P, class Object>
CTGRAD_ALWAYS_INLINE static decltype(auto) output_source(const frame_view& f, const Object& object) {
    if constexpr (is_stateful_output_v<P>) {
        return detail::value_of<Object, typename P::layout>(object, f);
    } else {
        (void)object;
        return detail::run<P>(f);
    }
}

/// Writes an output into its element of the result tuple. In place, not returned: a tuple built
/// from returned values copies each one into it, and a fixed-size matrix moves by copying (two
/// 64 x 64 gradients were 4 copies of 32 KiB per call, more than the rest of a one-row batch).
template <int R, int C, class P, class Object>
static void output_into(result_t<shape_only<R, C>>& out, const frame_view& f, const Object& object) {
    if constexpr (R == 1 && C == 1) {
        out = detail::output_source<P>(f, object);  // a double already
    } else {
        detail::store(out, detail::output_source<P>(f, object));
    }
}

/// Fills stored node I when an output needs it; an unneeded node is not even instantiated.
template <bool Needed, std::size_t I, int R, int C, class P>
CTGRAD_ALWAYS_INLINE static void fill_if(const frame_view& f) {
    if constexpr (Needed) detail::fill<I, R, C, P>(f);
}

// The needed flags are computed here from the outputs' types, not passed as a std::array
// template argument: g++ 12 can take two such instantiations that differ only in the array for
// one, and then fills the wrong slots.
template <class Layout, class... Nodes, class Outputs, std::size_t... I>
CTGRAD_ALWAYS_INLINE static void run_schedule(const frame_view& f, type_list<Nodes...>, Outputs, std::index_sequence<I...>) {
    [[maybe_unused]] constexpr auto needed = detail::needed_nodes(type_list<Nodes...>{}, Outputs{});
    [[maybe_unused]] constexpr const auto& fused = fused_v<type_list<Nodes...>, Outputs>;
    // In order, without a fold (hundreds of nodes pass clang's nesting limit; see all_true).
    // A fused node is needed (its reads are) but computed by its reader.
    (void)std::initializer_list<int>{
        0, (detail::fill_if<needed[I] && !fused[I], I, Nodes::rows, Nodes::cols, computation_t<Nodes, Layout>>(f), 0)...};
}

template <class... Nodes>
static constexpr std::array<short_text, sizeof...(Nodes) + 1> texts_of(type_list<Nodes...>) {
    return {detail::text_of<Nodes>()..., short_text{}};
}

template <class Bound, class... Variables>
static std::array<const void*, sizeof...(Variables) + 1> variable_addresses(const Bound& in, type_list<Variables...>) {
    return {static_cast<const void*>(&in.template get<Variables>())..., nullptr};
}

/// The values of several expressions from one schedule: every stored node they share is
/// computed once. A std::tuple in the order given.
template <class Bound, class... Es>
static auto evaluate_together(const Bound& in, const Es&... es) {
    using sources = distinct_t<type_list<typename slot_source<Es>::type...>>;
    using stored = distinct_t<typename slots_of_all<sources>::type>;
    using variables = distinct_t<typename variables_of_all<sources>::type>;
    using lay = layout<stored, variables, Bound, type_list<Es...>>;
    static constexpr auto texts = detail::texts_of(stored{});
    return [&]<class... Nodes>(type_list<Nodes...>) {
        // A fused node's slot is empty.
        slots<std::index_sequence_for<Nodes...>, std::conditional_t<detail::is_kept<Nodes, lay>(), shape_only<Nodes::rows, Nodes::cols>,
                                                                    shape_only<0, 0>>...>
            storage;
        const auto slot_addresses = storage.addresses();
        const auto variable_table = detail::variable_addresses(in, variables{});
        const frame_view f{slot_addresses.data(), variable_table.data(), texts.data()};
        detail::run_schedule<lay>(f, stored{}, type_list<Es...>{}, std::index_sequence_for<Nodes...>{});
        std::tuple<result_t<Es>...> results;
        [&]<std::size_t... K>(std::index_sequence<K...>) {
            (void)std::initializer_list<int>{0, (detail::output_into<Es::rows, Es::cols, output_instruction_t<Es, lay>>(
                                                     std::get<K>(results), f, static_cast<const output_object_t<Es>&>(es)),
                                                 0)...};
        }(std::index_sequence_for<Es...>{});
        return results;
    }(stored{});
}

template <class Bound, class... Es>
static constexpr bool check_bound() {
    // Each loss's variables once, not once per gradient (a 100-layer net asks for 100).
    using sources = distinct_t<type_list<typename slot_source<Es>::type...>>;
    using needed = typename variables_of_all<sources>::type;
    constexpr bool all_bound = []<class... Vs>(type_list<Vs...>) {
        return detail::all_true({true, contains_v<typename Bound::variables, Vs>...});
    }(needed{});
    static_assert(all_bound, "ctgrad: eval: the expression uses a variable that bind(...) does not bind");
    return all_bound;
}

}  // namespace detail

/// The value of `e` with the variables bound in `in`: a double for a 1x1 expression, else an
/// Eigen::Matrix<double, R, C> with the expression's static sizes. Each forward intermediate
/// and each adjoint is computed once per call.
template <expression E, class Bound>
auto eval(const E& e, const Bound& in) {
    if constexpr (is_invalid_v<E>) {
        return 0.0;  // the static_assert that made it has already been reported
    } else if constexpr (!(is_node_v<E> || is_variable_v<E> || is_literal_v<E> || is_gradient_v<E> ||
                           is_adjoint_v<E> || ctgrad::detail::same_v<E, constant>)) {
        // A type that derives from expression_base but is none of ctgrad's: stop at the entry,
        // before the evaluator's tables report it again in several places.
        static_assert(detail::always_false<E>, "ctgrad: eval: this is not an expression ctgrad can evaluate");
        return 0.0;
    } else if constexpr (!detail::check_bound<Bound, E>()) {
        return 0.0;
    } else {
        return std::get<0>(detail::evaluate_together(in, e));
    }
}

/// eval(grads(L, W1, b1, ...), in): every gradient in one pass sharing forward values and
/// adjoints; a std::tuple in the order asked.
template <class... Gradients, class Bound>
auto eval(const gradient_list<Gradients...>& list, const Bound& in) {
    if constexpr (!detail::check_bound<Bound, Gradients...>()) {
        return std::tuple<detail::result_t<Gradients>...>{};
    } else {
        return list.apply([&](const auto&... g) { return detail::evaluate_together(in, g...); });
    }
}

/// eval_with_loss(grads(L, W1, b1, ...), in): the loss and every gradient from one forward and
/// one backward pass, as a std::tuple (L, dL/dW1, dL/db1, ...). What a training step needs.
template <class... Gradients, class Bound>
auto eval_with_loss(const gradient_list<Gradients...>& list, const Bound& in) {
    // An empty list comes only from grads(...) whose error is already reported.
    using results = std::tuple<double, detail::result_t<Gradients>...>;
    if constexpr (sizeof...(Gradients) == 0 || !detail::check_bound<Bound, Gradients...>()) {
        return results{};
    } else {
        return list.apply([&](const auto& first, const auto&... rest) {
            return detail::evaluate_together(in, ctgrad::loss_of(first), first, rest...);
        });
    }
}

namespace detail {

/// `in` with one variable rebound to `m`, for perturbing it in finite differences.
template <class Bound, class Variable, class M>
struct rebound {
    using variables = typename Bound::variables;
    const Bound& base;
    const M& replacement;

    template <class V>
    const auto& get() const {
        if constexpr (ctgrad::detail::same_v<V, Variable>) {
            return replacement;
        } else {
            return base.template get<V>();
        }
    }
};

}  // namespace detail

/// Compares grad(L, V) with central finite differences of L in double precision, entry by
/// entry; returns the worst of |g - fd| / max(|g|, |fd|, s), where s is the largest |g| of the
/// whole gradient (1 when the gradient is zero). Relative to the gradient's own scale, so a
/// gradient of 1e8 or of 1e-8 reports the same figure for the same relative mistake, and an
/// entry far smaller than the others is not judged alone (its finite difference carries the
/// rounding of the large ones). NaN when an entry of either side is NaN.
template <expression L, class V, class Bound>
double check_gradient(const L& loss, const V& v, const Bound& in) {
    static_assert(is_variable_v<V>, "ctgrad: check_gradient(L, V, in): V must be a variable");
    if constexpr (!is_variable_v<V>) {
        return 0.0;  // stop here: grad(L, V) and in.get<V>() would each report V again
    } else {
        Eigen::Matrix<double, V::rows, V::cols> g;
        if constexpr (is_scalar_v<V>) {
            g(0, 0) = eval(grad(loss, v), in);
        } else {
            g = eval(grad(loss, v), in);
        }
        Eigen::Matrix<double, V::rows, V::cols> x = in.template get<V>();
        const detail::rebound<Bound, V, decltype(x)> moved{in, x};
        double scale = 0;
        for (Eigen::Index i = 0; i < g.size(); ++i) scale = std::max(scale, std::abs(g(i)));
        if (scale == 0) scale = 1;  // a zero gradient: differences are judged absolutely
        double worst = 0;
        for (Eigen::Index i = 0; i < x.size(); ++i) {
            const double original = x(i);
            const double h = 1e-5 * std::max(1.0, std::abs(original));
            x(i) = original + h;
            const double up = eval(loss, moved);
            x(i) = original - h;
            const double down = eval(loss, moved);
            x(i) = original;
            const double fd = (up - down) / (2 * h);
            const double err = std::abs(g(i) - fd) / std::max({scale, std::abs(g(i)), std::abs(fd)});
            // Not std::max: it would drop a NaN error and report a NaN gradient as exact.
            if (std::isnan(err) || err > worst) worst = err;
            if (std::isnan(worst)) break;
        }
        return worst;
    }
}

}  // namespace ctgrad
