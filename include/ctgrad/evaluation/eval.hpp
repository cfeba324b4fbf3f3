// One evaluation: eval(e, in), eval(grads(...), in) and eval_with_loss run the schedule and read the outputs.
#pragma once

#include <Eigen/Core>
#include <array>
#include <cstddef>
#include <initializer_list>
#include <tuple>
#include <type_traits>
#include <utility>

#include "../derivation.hpp"
#include "../detail/graph.hpp"
#include "../detail/inlining.hpp"
#include "../detail/type_list.hpp"
#include "../detail/type_set.hpp"
#include "../expression.hpp"
#include "buffers.hpp"
#include "frame.hpp"
#include "fusion.hpp"
#include "instructions.hpp"
#include "numbers.hpp"
#include "run.hpp"
#include "schedule.hpp"
#include "texts.hpp"

namespace ctgrad {
namespace detail {

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
struct is_stateful_output_test : std::bool_constant<false> {};
template <class T>
concept is_stateful_output_v = is_stateful_output_test<T>::value;
template <class E, class Layout>
struct is_stateful_output_test<stateful_output<E, Layout>> : std::bool_constant<true> {};

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
template <bool Needed, bool Inline, std::size_t I, int R, int C, class P>
CTGRAD_ALWAYS_INLINE static void fill_if(const frame_view& f) {
    if constexpr (Needed && Inline) {
        detail::compute_slot<true, I, R, C, P>(f);
    } else if constexpr (Needed) {
        detail::fill<I, R, C, P>(f);
    }
}

/// One step of an evaluation: compute stored value I (when Compute), or write output K. Named by
/// numbers, shapes and instructions only, never by a formula (see "Compile time" in design.md).
template <bool Compute, bool Inline, std::size_t I, int R, int C, class P>
struct value_step {};
template <std::size_t K, int R, int C, class P, class Object>
struct output_step {};

template <bool Compute, bool Inline, std::size_t I, int R, int C, class P, class Results>
CTGRAD_ALWAYS_INLINE static void run_step(const frame_view& f, Results&, const void* const*, value_step<Compute, Inline, I, R, C, P>) {
    detail::fill_if<Compute, Inline, I, R, C, P>(f);
}
template <std::size_t K, int R, int C, class P, class Object, class Results>
CTGRAD_ALWAYS_INLINE static void run_step(const frame_view& f, Results& results, const void* const* objects,
                                          output_step<K, R, C, P, Object>) {
    detail::output_into<R, C, P>(std::get<K>(results), f, *static_cast<const Object*>(objects[K]));
}

/// The steps' order: values in schedule order, each output right after the values it reads
/// (output_positions in buffers.hpp); step Values + k is output k. A counting sort, linear.
template <std::size_t Values, std::size_t Outputs>
static constexpr std::array<std::size_t, Values + Outputs> step_order(const std::array<std::size_t, Outputs + 1>& position) {
    std::array<std::size_t, Values + 2> first{};  // outputs at position p: by_position[first[p], first[p + 1])
    for (std::size_t k = 0; k < Outputs; ++k) ++first[position[k] + 1];
    for (std::size_t p = 0; p <= Values; ++p) first[p + 1] += first[p];
    std::array<std::size_t, Outputs + 1> by_position{};
    std::array<std::size_t, Values + 2> next = first;
    for (std::size_t k = 0; k < Outputs; ++k) by_position[next[position[k]]++] = k;
    std::array<std::size_t, Values + Outputs> order{};
    std::size_t at = 0;
    for (std::size_t p = 0; p <= Values; ++p) {
        for (std::size_t j = first[p]; j < first[p + 1]; ++j) order[at++] = Values + by_position[j];
        if (p < Values) order[at++] = p;
    }
    return order;
}

// The needed flags are computed here from the outputs' types, not passed as a std::array
// template argument: g++ 12 can take two such instantiations that differ only in the array for
// one, and then fills the wrong slots. Only the steps' order is such an argument, of pick_list,
// whose result names every step in full.
template <class Layout, class... Nodes, class... Outputs, std::size_t... I, std::size_t... K>
static auto ordered_steps(type_list<Nodes...>, type_list<Outputs...>, std::index_sequence<I...>, std::index_sequence<K...>) {
    using stored = type_list<Nodes...>;
    [[maybe_unused]] constexpr auto needed = detail::needed_nodes(stored{}, type_list<Outputs...>{});
    [[maybe_unused]] constexpr const auto& fused = fused_v<stored, type_list<Outputs...>>;
    // A fused node is needed (its reads are) but computed by its reader.
    using steps = type_list<value_step<needed[I] && !fused[I], (sizeof...(Nodes) <= inline_slot_limit), I, Nodes::rows, Nodes::cols,
                                       computation_t<Nodes, Layout>>...,
                            output_step<K, Outputs::rows, Outputs::cols, output_instruction_t<Outputs, Layout>, output_object_t<Outputs>>...>;
    return typename pick_list<steps, detail::step_order<sizeof...(Nodes), sizeof...(Outputs)>(
                                         output_positions_v<stored, type_list<Outputs...>>)>::type{};
}

/// Runs the steps in order, without a fold (hundreds of nodes pass clang's nesting limit; see all_true).
template <class... Steps, class Results>
CTGRAD_ALWAYS_INLINE static void run_steps(const frame_view& f, Results& results, const void* const* objects, type_list<Steps...>) {
    (void)std::initializer_list<int>{0, (detail::run_step(f, results, objects, Steps{}), 0)...};
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
/// computed once. A std::tuple in the order given. `numbers` is the table of the outputs'
/// number leaves (numbers.hpp), or null when they have none.
template <class Bound, class... Es>
static auto evaluate_graph(const Bound& in, const double* numbers, const Es&... es) {
    using sources = distinct_t<type_list<typename slot_source<Es>::type...>>;
    using stored = distinct_t<typename slots_of_all<sources>::type>;
    using variables = distinct_t<typename variables_of_all<sources>::type>;
    using lay = layout<stored, variables, Bound, type_list<Es...>>;
    static constexpr auto texts = detail::texts_of(stored{});
    return [&]<class... Nodes>(type_list<Nodes...>) {
        // A fused node's slot is empty, and so is that of a value computed into another's buffer.
        using frame_slots = slots<std::index_sequence_for<Nodes...>,
                                  std::conditional_t<detail::owns_buffer<Nodes, lay>(), shape_only<Nodes::rows, Nodes::cols>, shape_only<0, 0>>...>;
        auto run_in = [&](frame_slots& storage) {
            const auto slot_addresses = storage.addresses(buffer_owners_v<stored, type_list<Es...>>);
            const auto variable_table = detail::variable_addresses(in, variables{});
            const frame_view f{slot_addresses.data(), variable_table.data(), texts.data(), numbers};
            const void* const objects[] = {static_cast<const void*>(&static_cast<const output_object_t<Es>&>(es))...};
            std::tuple<result_t<Es>...> results;
            using steps = decltype(detail::ordered_steps<lay>(stored{}, type_list<Es...>{}, std::index_sequence_for<Nodes...>{},
                                                              std::index_sequence_for<Es...>{}));
            detail::run_steps(f, results, objects, steps{});
            return results;
        };
        if constexpr (frame_slots::sized_at_run_time) {
            kept_slots<frame_slots> kept;  // the thread's buffers, allocated by its first call (frame.hpp)
            return run_in(kept.get());
        } else {
            frame_slots storage;  // fixed sizes: on the stack, no heap
            return run_in(storage);
        }
    }(stored{});
}

/// The values of several expressions. Outputs holding a user's number are rewritten with
/// number leaves and evaluated as a graph when each leaf carries one number (numbers.hpp);
/// otherwise, or when they cannot be rewritten, by the tree walk from their objects.
template <class Bound, class... Es>
static auto evaluate_together(const Bound& in, const Es&... es) {
    if constexpr ((is_stateless_v<Es> && ...) || !(output_rewritable_v<Es> && ...)) {
        return detail::evaluate_graph(in, nullptr, es...);
    } else {
        using plan = number_plan<Es...>;
        number_table<plan::count> table;
        if constexpr (numbers_may_disagree_v<Es...>) {
            (void)std::initializer_list<int>{0, (detail::gather_numbers<plan>(es, table), 0)...};
            if (table.agree) {
                return detail::evaluate_graph(in, table.values.data(), typename plan::template output<Es>{}...);
            }
            return detail::evaluate_graph(in, nullptr, es...);
        } else {
            // Every number sits on one path of one source, and the outputs are copies of it
            // (numbers_may_disagree_v): the first output has them all, and the tree walk is
            // never instantiated.
            [&](const auto& first, const auto&...) { detail::gather_numbers<plan>(first, table); }(es...);
            return detail::evaluate_graph(in, table.values.data(), typename plan::template output<Es>{}...);
        }
    }
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
auto eval(const E& hidden_e, const Bound& in) {
    using P = plain_t<E>;
    const P& e = hidden_e;
    if constexpr (is_invalid_v<P>) {
        return 0.0;  // the static_assert that made it has already been reported
    } else if constexpr (!(is_node_v<P> || is_variable_v<P> || is_literal_v<P> || is_gradient_v<P> ||
                           is_adjoint_v<P> || ctgrad::detail::same_v<P, constant>)) {
        // A type that derives from expression_base but is none of ctgrad's: stop at the entry,
        // before the evaluator's tables report it again in several places.
        static_assert(detail::always_false<P>, "ctgrad: eval: this is not an expression ctgrad can evaluate");
        return 0.0;
    } else if constexpr (!detail::check_bound<Bound, P>()) {
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

}  // namespace ctgrad
