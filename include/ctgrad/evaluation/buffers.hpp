// Buffers: which stored values share one matrix, because the first is read for the last time before the second is computed (buffer_owners_v).
#pragma once

#include <array>
#include <cstddef>
#include <initializer_list>

#include "../detail/compile_time.hpp"
#include "../detail/type_list.hpp"
#include "fusion.hpp"
#include "instructions.hpp"
#include "schedule.hpp"

namespace ctgrad::detail {

// ---- one buffer for values whose lives do not overlap ------------------------------------------
//
// Hand-written backpropagation overwrites a layer's pre-activation with its activation and turns
// each activation's buffer into its adjoint: a net of any depth runs in a few buffers. Evaluation
// stores every distinct value, so without sharing a deep net's values would take as many buffers
// as it has values: for N = 512, a 2 MB working set instead of 0.8 MB (cache misses, with static
// shapes) and, with a batch known at run time, twice the allocations and the page faults of the
// hand-written code. So a value computed after the last read of an earlier value of the same
// shape takes that value's buffer, as a register allocator reuses a register.
//
// The time of a value is the place in the schedule where it is computed: its own place, or, for
// a value fused into its one reader (fusion.hpp), its reader's time, since that is when the fused
// value's operands are read. A value's life ends at the latest time of its readers, an output
// reading its values right after the last of them is computed (output_positions). A buffer is taken only when its current value's life ended
// strictly before the new value's time, so no computation writes a buffer it reads.

/// position[k]: how many stored values are computed before output k is written. One past the
/// last value it reads (0 when it reads none): a weight's gradient is written as soon as its
/// adjoint is known, which then gives its buffer to later values, as hand-written code computes
/// dW right after dZ. An output holding a user's double, computed from its object, comes last.
template <class... Nodes, class... Outputs>
static constexpr auto output_positions(type_list<Nodes...>, type_list<Outputs...>) {
    using stored = type_list<Nodes...>;
    using map = numbering<std::index_sequence_for<Nodes...>, Nodes...>;
    std::array<std::size_t, sizeof...(Outputs) + 1> position{};
    std::size_t k = 0;
    [[maybe_unused]] auto place = [&](const auto& reads, bool last) {
        std::size_t p = 0;
        for (std::size_t r : reads) p = r + 1 > p ? r + 1 : p;
        position[k++] = last ? sizeof...(Nodes) : p;
    };
    (void)std::initializer_list<int>{0, (place(detail::indices_in<map>(read_t<Outputs, stored>{}), !is_stateless_v<Outputs>), 0)...};
    return position;
}
template <class Stored, class Outputs>
static constexpr auto output_positions_v = detail::output_positions(Stored{}, Outputs{});

/// owner[i]: the stored value whose buffer value i uses (i itself when it has a buffer of its
/// own). Values that are fused or that no output needs keep their own numbers; they are never
/// computed into a slot.
template <class... Nodes, class... Outputs>
static constexpr auto buffer_owners(type_list<Nodes...>, type_list<Outputs...>) {
    using stored = type_list<Nodes...>;
    using map = numbering<std::index_sequence_for<Nodes...>, Nodes...>;
    constexpr std::size_t n = sizeof...(Nodes);
    constexpr auto needed = detail::needed_nodes(stored{}, type_list<Outputs...>{});
    constexpr const auto& fused = fused_v<stored, type_list<Outputs...>>;
    constexpr int rows[] = {Nodes::rows..., 0};
    constexpr int cols[] = {Nodes::cols..., 0};
    constexpr const auto& reads = read_table_v<stored>;  // value i's reads: reads.all[first[i], first[i + 1])
    constexpr const auto& first = reads.first;
    constexpr const auto& all_reads = reads.all;

    // A fused value's time is its one reader's; readers come later, so one sweep from the end.
    std::array<std::size_t, n + 1> time{};
    for (std::size_t i = 0; i < n; ++i) time[i] = i;
    for (std::size_t k = n; k-- > 0;) {
        for (std::size_t j = first[k]; j < first[k + 1]; ++j) {
            if (fused[all_reads[j]]) time[all_reads[j]] = time[k];
        }
    }
    // The end of each value's life: its last reader's time, or past the end for an output's.
    std::array<std::size_t, n + 1> last_read{};
    for (std::size_t k = 0; k < n; ++k) {
        if (!needed[k]) continue;
        for (std::size_t j = first[k]; j < first[k + 1]; ++j) {
            if (last_read[all_reads[j]] < time[k]) last_read[all_reads[j]] = time[k];
        }
    }
    // An output written after value p - 1 reads its values then (output_positions).
    constexpr const auto& position = output_positions_v<stored, type_list<Outputs...>>;
    std::size_t output = 0;
    [[maybe_unused]] auto read_by_output = [&](const auto& some) {
        for (std::size_t r : some) last_read[r] = last_read[r] < position[output] - 1 ? position[output] - 1 : last_read[r];
        ++output;
    };
    (void)std::initializer_list<int>{0, (read_by_output(detail::indices_in<map>(read_t<Outputs, stored>{})), 0)...};

    // Each computed value takes a free buffer of its shape, or a new one. Linear in the values
    // times their distinct shapes (a few), so clang's budget of constant-evaluation steps holds
    // for nets of hundreds of layers: free buffers are kept in a stack per shape, and a buffer
    // goes back on its stack at the time its value's life ends (a list per time).
    constexpr std::size_t none = n;
    std::array<std::size_t, n + 1> shape{};  // an id per distinct (rows, cols)
    std::array<std::size_t, n + 1> example{};  // a value of each shape id
    std::size_t shapes = 0;
    for (std::size_t i = 0; i < n; ++i) {
        std::size_t id = 0;
        while (id < shapes && !(rows[example[id]] == rows[i] && cols[example[id]] == cols[i])) ++id;
        if (id == shapes) example[shapes++] = i;
        shape[i] = id;
    }
    std::array<std::size_t, n + 1> free_top{}, next_free{}, ending_first{}, ending_next{};
    for (std::size_t i = 0; i <= n; ++i) free_top[i] = ending_first[i] = none;
    std::array<std::size_t, n + 1> owner{};
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0) {
            for (std::size_t b = ending_first[i - 1]; b != none; b = ending_next[b]) {
                next_free[b] = free_top[shape[b]];
                free_top[shape[b]] = b;
            }
        }
        owner[i] = i;
        if (!needed[i] || fused[i]) continue;
        std::size_t buffer = i;
        if (free_top[shape[i]] != none) {
            buffer = free_top[shape[i]];
            free_top[shape[i]] = next_free[buffer];
            owner[i] = buffer;
        }
        if (last_read[i] < n) {
            const std::size_t end = last_read[i] < i ? i : last_read[i];
            ending_next[buffer] = ending_first[end];
            ending_first[end] = buffer;
        }
    }
    return owner;
}

/// buffer_owners_v<Stored, Outputs>[i]: the stored value whose buffer value i uses.
template <class Stored, class Outputs>
static constexpr auto buffer_owners_v = detail::buffer_owners(Stored{}, Outputs{});

struct buffer_count {
    std::size_t values;   // stored values computed into a slot
    std::size_t buffers;  // the slots they take
};

/// How many values an evaluation of Es computes into slots, and how many buffers they take (for
/// tests and measurements; evaluate_graph in eval.hpp makes the same lists).
template <class... Es>
static constexpr buffer_count buffer_use_of() {
    using sources = distinct_t<type_list<typename slot_source<Es>::type...>>;
    using stored = distinct_t<typename slots_of_all<sources>::type>;
    constexpr auto needed = detail::needed_nodes(stored{}, type_list<Es...>{});
    constexpr const auto& fused = fused_v<stored, type_list<Es...>>;
    constexpr const auto& owner = buffer_owners_v<stored, type_list<Es...>>;
    buffer_count count{0, 0};
    for (std::size_t i = 0; i < stored::size; ++i) {
        if (!needed[i] || fused[i]) continue;
        ++count.values;
        if (owner[i] == i) ++count.buffers;
    }
    return count;
}

/// Whether stored value E has a slot of its own in an evaluation laid out by Layout: it is
/// computed into a slot (not fused) and into no earlier value's buffer.
template <class E, class Layout>
CTGRAD_COMPILE_TIME bool owns_buffer() {
    if constexpr (detail::is_kept<E, Layout>()) {
        constexpr std::size_t i = detail::index_in<E, typename Layout::node_numbers>();
        return buffer_owners_v<typename Layout::stored, typename Layout::outputs>[i] == i;
    } else {
        return false;
    }
}

}  // namespace ctgrad::detail
