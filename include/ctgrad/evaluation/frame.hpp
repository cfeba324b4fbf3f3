// Where one eval keeps its values at run time: numbered slots and the frame_view that finds them.
#pragma once

#include <Eigen/Core>
#include <array>
#include <cstddef>
#include <utility>

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

template <class Indices, class... Shapes>
struct slots;
template <std::size_t... I, class... Shapes>
struct slots<std::index_sequence<I...>, Shapes...> : slot<I, Shapes::rows, Shapes::cols>... {
    /// Where each value lives, by number: value i in the slot of owner[i] (buffers.hpp).
    std::array<void*, sizeof...(I) + 1> addresses(const std::array<std::size_t, sizeof...(I) + 1>& owner) {
        const std::array<void*, sizeof...(I) + 1> own{static_cast<void*>(&static_cast<slot<I, Shapes::rows, Shapes::cols>&>(*this).value)..., nullptr};
        std::array<void*, sizeof...(I) + 1> out{};
        for (std::size_t i = 0; i < sizeof...(I); ++i) out[i] = own[owner[i]];
        return out;
    }
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
