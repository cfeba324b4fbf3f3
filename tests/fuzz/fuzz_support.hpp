// Shared by the libFuzzer targets: the input cut into fields, and the one way a target may
// reject input (input_error, which ctgrad-gen prints with a caret and exit 2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "generator.hpp"

namespace ctgrad_fuzz {

/// The input as `count` fields separated by '\n' (the last field takes the rest, newlines and
/// all), so one byte string drives a formula and its options together.
inline std::vector<std::string> fields(const std::uint8_t* data, std::size_t size, std::size_t count) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::vector<std::string> out;
    std::size_t at = 0;
    for (std::size_t i = 0; i + 1 < count; ++i) {
        const std::size_t end = text.find('\n', at);
        if (end == std::string_view::npos) break;
        out.emplace_back(text.substr(at, end - at));
        at = end + 1;
    }
    out.emplace_back(at <= text.size() ? text.substr(at) : std::string_view{});
    out.resize(count);
    return out;
}

/// Checks the promise of every error: one message, the text, a caret line, none empty.
inline void check_rendering(const ctgrad::gen::input_error& e) {
    const std::string shown = ctgrad::gen::render(e.where);
    if (shown.rfind("error: ", 0) != 0 || shown.back() != '\n') __builtin_trap();
}

}  // namespace ctgrad_fuzz
