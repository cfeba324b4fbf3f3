// Where one eval keeps its values at run time: numbered slots and the frame_view that finds them.
#pragma once

#include <Eigen/Core>
#include <array>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <optional>
#include <utility>

#include "../detail/type_list.hpp"
#include "texts.hpp"

namespace ctgrad::detail {

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

template <int Rows, int Cols>
std::size_t heap_bytes_of(const Eigen::Matrix<double, Rows, Cols>& m) {
    return Rows == Eigen::Dynamic || Cols == Eigen::Dynamic ? sizeof(double) * static_cast<std::size_t>(m.size()) : 0;
}
template <int Rows, int Cols>
void release_matrix(Eigen::Matrix<double, Rows, Cols>& m) {
    if constexpr (Rows == Eigen::Dynamic || Cols == Eigen::Dynamic) m.resize(Rows == Eigen::Dynamic ? 0 : Rows, Cols == Eigen::Dynamic ? 0 : Cols);
}

template <class Indices, class... Shapes>
struct slots;
template <std::size_t... I, class... Shapes>
struct slots<std::index_sequence<I...>, Shapes...> : slot<I, Shapes::rows, Shapes::cols>... {
    /// Whether a slot's matrix is sized at run time (on the heap), not fixed (in the object).
    static constexpr bool sized_at_run_time =
        detail::any_true({false, (Shapes::rows == Eigen::Dynamic || Shapes::cols == Eigen::Dynamic)...});  // no fold: see any_true

    /// The bytes the run-time-sized slots hold on the heap.
    std::size_t heap_bytes() const {
        return detail::sum_of({0, detail::heap_bytes_of(static_cast<const slot<I, Shapes::rows, Shapes::cols>&>(*this).value)...});
    }
    /// Gives the run-time-sized slots' memory back to the heap.
    void release() {
        (void)std::initializer_list<int>{0, (detail::release_matrix(static_cast<slot<I, Shapes::rows, Shapes::cols>&>(*this).value), 0)...};
    }

    /// Where each value lives, by number: value i in the slot of owner[i] (buffers.hpp).
    std::array<void*, sizeof...(I) + 1> addresses(const std::array<std::size_t, sizeof...(I) + 1>& owner) {
        const std::array<void*, sizeof...(I) + 1> own{static_cast<void*>(&static_cast<slot<I, Shapes::rows, Shapes::cols>&>(*this).value)..., nullptr};
        std::array<void*, sizeof...(I) + 1> out{};
        for (std::size_t i = 0; i < sizeof...(I); ++i) out[i] = own[owner[i]];
        return out;
    }
};

/// Run-time-sized slots a thread keeps between evaluations of up to this many bytes; larger
/// ones go back to the heap at the end of the call. Why keep them: a call that allocates its
/// buffers and frees them again writes to fresh memory each time, which cost the softmax
/// classifier with a run-time batch 1.07 to 1.10 times the hand-written code's time at N = 1
/// and 64, against 0.97 and 1.03 with its slots kept (docs/design.md, "Buffers").
inline constexpr std::size_t kept_slot_bytes = std::size_t{16} << 20;

/// The slots of one evaluation with run-time sizes: the thread's own set of Slots, kept between
/// calls so that a training or inference loop at one batch size allocates nothing after its
/// first call. Slots are named by number and shape only, so formulas of the same shapes share a
/// set. An evaluation that starts while the set is in use (a descriptor whose value evaluates
/// another formula) gets a fresh set of its own.
template <class Slots>
class kept_slots {
    struct thread_set {
        Slots slots;
        bool in_use = false;
    };
    /// On the heap, allocated by the thread's first call: a thread_local object is part of every
    /// thread's static block, and a set's fixed-size slots can be large.
    static thread_set& of_thread() {
        thread_local const std::unique_ptr<thread_set> set = std::make_unique<thread_set>();
        return *set;
    }

    thread_set& kept_ = of_thread();
    std::optional<Slots> own_;  // when the thread's set is in use

public:
    kept_slots() {
        if (kept_.in_use) {
            own_.emplace();
        } else {
            kept_.in_use = true;
        }
    }
    kept_slots(const kept_slots&) = delete;
    kept_slots& operator=(const kept_slots&) = delete;
    ~kept_slots() {
        if (own_) return;
        if (kept_.slots.heap_bytes() > kept_slot_bytes) kept_.slots.release();
        kept_.in_use = false;
    }
    Slots& get() { return own_ ? *own_ : kept_.slots; }
};

/// Where evaluation finds values at run time. Not a template: nothing about the formula is in
/// its type, so it costs nothing in the names of the functions that take it.
struct frame_view {
    void* const* slots;
    const void* const* variables;
    const short_text* slot_texts;
    const double* numbers = nullptr;  // the user's numbers, by number_ref index (numbers.hpp)
};

}  // namespace ctgrad::detail
