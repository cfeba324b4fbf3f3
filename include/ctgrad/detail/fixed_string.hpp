// fixed_string: a string literal usable as a template argument (variable names live in types).
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace ctgrad::detail {

template <std::size_t N>
struct fixed_string {
    char data[N]{};

    constexpr fixed_string(const char (&text)[N]) { std::copy_n(text, N, data); }

    constexpr std::string_view view() const { return {data, N - 1}; }
    constexpr bool operator==(const fixed_string&) const = default;
};

}  // namespace ctgrad::detail
