// Running instructions: how a value is computed from its instruction (run) or its object (value_of), and stored into its slot (fill).
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <initializer_list>
#include <type_traits>
#include <utility>

#include "../detail/describe.hpp"
#include "../detail/inlining.hpp"
#include "../detail/products.hpp"
#include "../expression.hpp"
#include "../operations.hpp"
#include "frame.hpp"
#include "instructions.hpp"
#include "operands.hpp"
#include "size_checks.hpp"
#include "texts.hpp"

namespace ctgrad {
namespace detail {

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
template <class P>
CTGRAD_ALWAYS_INLINE static decltype(auto) run(const frame_view& f);

/// Op's value from the values of all its operands, each later operand's sizes checked against
/// the first's (K numbers the later ones).
template <class P, std::size_t... K, class First, class... Rest>
CTGRAD_ALWAYS_INLINE static auto value_of_operands(const frame_view& f, std::index_sequence<K...>, const First& first,
                                                   const Rest&... rest) {
    using Op = typename P::op_type;
    (void)std::initializer_list<int>{0, (detail::check_operand_sizes<Op, arg_t<0, P>, arg_t<K + 1, P>>(f, first, rest), 0)...};
    return Op::value(typename lazy_shape<P>::type{}, first, rest...);
}
/// An operation instruction P of any arity, from its operands' instructions.
template <class P, std::size_t... I>
CTGRAD_ALWAYS_INLINE static auto run_operands(const frame_view& f, std::index_sequence<I...>) {
    return detail::value_of_operands<P>(f, std::make_index_sequence<sizeof...(I) - 1>{}, detail::run<arg_t<I, P>>(f)...);
}

/// The value of an instruction: a double when it is 1x1; otherwise a reference to a bound
/// matrix or a slot, or a lazy Eigen expression (of matrix or array kind, see entries()).
/// Never a plain matrix by value, so nothing a caller keeps can dangle.
template <class P>
CTGRAD_ALWAYS_INLINE static decltype(auto) run(const frame_view& f) {
    if constexpr (is_literal_v<P>) {
        return static_cast<double>(P::value);
    } else if constexpr (is_number_ref_v<P>) {
        return f.numbers[P::index];
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
        if constexpr (reads_helper_v<P>) {
            // The helper is one more operand to the value (and to the size checks, which it passes:
            // helpers are built from the operands).
            return detail::run_operands<P>(f, std::make_index_sequence<Op::arity + 1>{});
        } else if constexpr (Op::arity == 2) {
            using left = arg_t<0, P>;
            using right = arg_t<1, P>;
            const auto& a = detail::run<left>(f);
            const auto& b = detail::run<right>(f);
            constexpr size_check check = detail::runtime_size_check<Op, left, right>();
            if constexpr (check != size_check::none) {
                const dims da = detail::dims_of(a), db = detail::dims_of(b);
                if (!detail::sizes_fit(check, da, db)) {
                    detail::throw_size_error(instruction_text<left>, instruction_text<right>, f.slot_texts, f.numbers, da, db, check);
                }
            }
            return Op::value(shape{}, a, b);
        } else if constexpr (is_elementwise_op<Op>) {
            return Op::apply(detail::entries(detail::run<arg_t<0, P>>(f)));
        } else if constexpr (Op::arity == 1) {
            return Op::value(shape{}, detail::run<arg_t<0, P>>(f));
        } else {
            // Three or more operands. One and two, the common cases, are inline above: each
            // function evaluation instantiates per node costs compile time.
            return detail::run_operands<P>(f, std::make_index_sequence<Op::arity>{});
        }
    }
}

/// Eigen's cost of an entry function (functor_traits::Cost) from which it gets a pass of its own:
/// tanh (detail/vector_tanh.hpp) and exp are above it, max and a product below.
inline constexpr int costly_entry_function = 10;

/// f(x) for an x that is computed (a sum, a broadcast), not read from memory, and an entry
/// function f that one loop over x would compute entry by entry: f has no packet path (a call of
/// std:: per entry), or f is costly and x has none (a broadcast row: tanh(X W + b^T)).
template <class T>
static constexpr bool is_costly_entry_function_of_computed_v = false;
template <class F, class X>
static constexpr bool is_costly_entry_function_of_computed_v<Eigen::CwiseUnaryOp<F, const X>> =
    !(int(Eigen::internal::traits<X>::Flags) & Eigen::DirectAccessBit) &&
    (!Eigen::internal::functor_traits<F>::PacketAccess ||
     (int(Eigen::internal::functor_traits<F>::Cost) >= costly_entry_function &&
      !(int(Eigen::internal::evaluator<Eigen::CwiseUnaryOp<F, const X>>::Flags) & Eigen::PacketAccessBit)));

/// dst = src, for a matrix or an array expression src.
template <class Dst, class Src>
CTGRAD_ALWAYS_INLINE static void store(Dst& dst, const Src& src) {
    if constexpr (is_costly_entry_function_of_computed_v<Src>) {
        // x in its own pass, then f in place and vectorised if f has a packet path, as hand-written
        // code does: in one loop, x's operands are reloaded around every call of f, and with
        // fixed sizes too the calls took longer (design.md, "A costly entry function over a computed value").
        detail::store(dst, src.nestedExpression());
        dst.array() = dst.array().unaryExpr(src.functor());
    } else if constexpr (is_eigen_product_v<Src>) {
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

/// Whether instruction P is an operation computed whole (computed_whole in ops/op_base.hpp),
/// which writes its slot itself.
template <class P>
struct writes_whole_test : std::bool_constant<false> {};
template <class P>
concept writes_whole_v = writes_whole_test<P>::value;
template <class Op, int R, int C, class... Args>
struct writes_whole_test<lazy_node<Op, R, C, Args...>> : std::bool_constant<writes_whole_op<Op>> {};

/// Op's value written into dst from its operands' values, each later operand's sizes checked
/// against the first's.
template <class P, class Dst, std::size_t... K, class First, class... Rest>
CTGRAD_ALWAYS_INLINE static void write_operands(Dst& dst, const frame_view& f, std::index_sequence<K...>, const First& first,
                                                const Rest&... rest) {
    using Op = typename P::op_type;
    (void)std::initializer_list<int>{0, (detail::check_operand_sizes<Op, arg_t<0, P>, arg_t<K + 1, P>>(f, first, rest), 0)...};
    Op::write_value(typename lazy_shape<P>::type{}, dst, first, rest...);
}
template <class P, class Dst, std::size_t... I>
CTGRAD_ALWAYS_INLINE static void write_whole(Dst& dst, const frame_view& f, std::index_sequence<I...>) {
    detail::write_operands<P>(dst, f, std::make_index_sequence<sizeof...(I) - 1>{}, detail::run<arg_t<I, P>>(f)...);
}

/// Computes stored value I into its slot, with the loop inline (Inline) or the shared one.
template <bool Inline, std::size_t I, int R, int C, class P>
CTGRAD_ALWAYS_INLINE static void compute_slot(const frame_view& f) {
    auto& dst = *static_cast<Eigen::Matrix<double, R, C>*>(f.slots[I]);
    if constexpr (R == 1 && C == 1) {
        dst(0, 0) = detail::run<P>(f);  // a scalar: no loop to share
    } else if constexpr (writes_whole_v<P>) {
        detail::write_whole<P>(dst, f, std::make_index_sequence<P::op_type::arity>{});
    } else if constexpr (Inline) {
        detail::store(dst, detail::run<P>(f));
    } else {
        detail::assign(dst, detail::run<P>(f));
    }
}

/// Computes stored value I. Out of line: one small function per stored node, named by its
/// slot and its instruction, keeps the compiler's per-function work linear in the net.
template <std::size_t I, int R, int C, class P>
CTGRAD_NOINLINE static void fill(const frame_view& f) {
    detail::compute_slot<false, I, R, C, P>(f);
}

/// Formulas with at most this many stored values are computed in one function, their loops
/// inline. Why: out of line, each value is written to memory by one call and read back by the
/// next, and the processor cannot overlap their work; at a one-row batch, where each loop is a
/// few vector instructions, that cost the board net 15 to 20 % with AVX-512 (design.md, "The
/// one-row batch"). A larger formula keeps one function per value: its compile time stays
/// linear in its size.
inline constexpr std::size_t inline_slot_limit = 24;

// ---- expressions holding a user's double ----------------------------------------------------
//
// Such nodes are never stored; they are computed from the expression object, and switch to
// instructions for their stateless parts.

template <class E, class Layout>
CTGRAD_ALWAYS_INLINE static decltype(auto) value_of(const E& e, const frame_view& f);

/// The value of a node n of three or more operands, holding a user's double, from its operands'
/// values, each later operand's sizes checked against the first's.
template <class Shape, class N, std::size_t... K, class First, class... Rest>
CTGRAD_ALWAYS_INLINE static auto stateful_operands(const N& n, std::index_sequence<K...>, const First& first, const Rest&... rest) {
    using Op = typename N::op_type;
    (void)std::initializer_list<int>{0, (detail::check_described_sizes<Op, 0, K + 1>(n, first, rest), 0)...};
    return Op::value(Shape{}, first, rest...);
}

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
    } else if constexpr (sizeof...(Args) == 1) {
        return Op::value(shape{}, detail::value_of<Args, Layout>(ctgrad::arg<I>(n), f)...);
    } else {
        return detail::stateful_operands<shape>(n, std::make_index_sequence<sizeof...(Args) - 1>{},
                                                detail::value_of<Args, Layout>(ctgrad::arg<I>(n), f)...);
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

}  // namespace detail
}  // namespace ctgrad
