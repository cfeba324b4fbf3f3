// Fusion: which stored candidates are computed inside their one reader's loop instead of a slot (fused_v).
#pragma once

#include <array>
#include <cstddef>
#include <initializer_list>
#include <type_traits>

#include "../detail/graph.hpp"
#include "../detail/type_list.hpp"
#include "../expression.hpp"
#include "../operations.hpp"
#include "schedule.hpp"

namespace ctgrad::detail {

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
struct is_entrywise_test : std::bool_constant<false> {};
template <class E>
concept is_entrywise_v = is_entrywise_test<E>::value;
template <class Op, class... Args>
struct is_entrywise_test<node<Op, Args...>> :
    std::bool_constant<is_entrywise_op<Op> || entrywise_at_shapes<Op, shape_t<Args>...>()> {};
template <class F, class G>
struct is_entrywise_test<adjoint<F, G>> : std::bool_constant<is_entrywise_v<definition_t<G>>> {};

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
struct is_kernel_product_test : std::bool_constant<false> {};
template <class E>
concept is_kernel_product_v = is_kernel_product_test<E>::value;
template <class A, class B>
struct is_kernel_product_test<node<matmul_op, A, B>> :
    std::bool_constant<!is_entrywise_v<node<matmul_op, A, B>> && !(A::rows == 1 && B::cols == 1)> {};
template <class F, class G>
struct is_kernel_product_test<adjoint<F, G>> : std::bool_constant<is_kernel_product_v<definition_t<G>>> {};

struct no_product_operand {};

/// The operand of E, a sum or difference computed in its own slot, that is a stored matrix
/// product of E's shape, the left one first: the product is then computed into E's slot
/// (store_sum_with_product in detail/products.hpp). no_product_operand when there is none, and
/// for a node of another arity: the kernel adds one product to one other operand, so such a
/// node keeps its products in their slots (a missed optimisation, never a wrong value).
template <class E, class Stored>
struct product_operand {
    using type = no_product_operand;
};
/// Whether operand P of a sum of shape Rows x Cols is a stored product of that shape. A concept,
/// not a member of product_operand (which g++ would name for the linker).
template <class P, class Stored, int Rows, int Cols>
concept product_fits_v = member_v<Stored, P> && is_kernel_product_v<P> && P::rows == Rows && P::cols == Cols;
template <class Op, class A, class B, class Stored>
    requires requires { requires Op::adds_operands; }
struct product_operand<node<Op, A, B>, Stored> {
    using type = std::conditional_t<product_fits_v<A, Stored, node<Op, A, B>::rows, node<Op, A, B>::cols>, A,
                                    std::conditional_t<product_fits_v<B, Stored, node<Op, A, B>::rows, node<Op, A, B>::cols>,
                                                       B, no_product_operand>>;
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
        return detail::index_in<P, Map>();
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

}  // namespace ctgrad::detail
