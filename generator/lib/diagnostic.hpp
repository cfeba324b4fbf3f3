// Diagnostics of ctgrad-gen: `error: <what>`, the offending text on one line, a caret under it.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace ctgrad::gen {

/// Where an error points: byte offsets into the text it quotes (the formula, a claim, an option).
/// `begin`..`end` is underlined with '~', `caret` gets the '^'.
struct diagnostic {
    std::string message;
    std::string text;
    std::size_t begin = 0;
    std::size_t end = 0;
    std::size_t caret = 0;
};

/// Thrown by every stage that rejects user input; the command turns it into exit code 2.
struct input_error : std::runtime_error {
    explicit input_error(diagnostic d) : std::runtime_error(d.message), where(std::move(d)) {}
    diagnostic where;
};

/// A formula whose shapes do not fit (X * W1 with cols(X) != rows(W1)): an input error in a
/// formula, but in a claim a wrong answer (check's "wrong shape"), so it is told apart.
struct shape_mismatch : input_error {
    using input_error::input_error;
};

/// Thrown when ctgrad-gen itself fails (no compiler, a program that does not build): exit 3.
struct tool_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Throws input_error pointing at `caret` inside `begin`..`end` of `text`.
[[noreturn]] void fail_at(std::string message, std::string_view text, std::size_t begin, std::size_t end,
                          std::size_t caret);
[[noreturn]] inline void fail_at(std::string message, std::string_view text, std::size_t at) {
    fail_at(std::move(message), text, at, at + 1, at);
}

/// Throws input_error quoting `text` with a caret at its end: for what is missing.
[[noreturn]] inline void fail_missing(std::string message, std::string_view text) {
    fail_at(std::move(message), text, text.size());
}

/// Three lines: `error: <message>`, the text (made printable, windowed around the caret when
/// long) indented by two spaces, and the caret line under it. Always ends with a newline.
std::string render(const diagnostic& d);

// ---- UTF-8 --------------------------------------------------------------------------------

/// One decoded code point: its value and its length in bytes; length 0 marks an invalid byte.
struct code_point {
    char32_t value = 0;
    std::size_t length = 0;
};

/// Decodes the code point starting at `text[at]` (strict UTF-8: no overlongs, no surrogates).
code_point decode_utf8(std::string_view text, std::size_t at);

/// `text` as one printable line: control characters and invalid bytes become '?', newlines and
/// tabs a space; every code point takes one column.
std::string printable(std::string_view text);

/// A short quote of a piece of user text for messages: printable, at most `limit` columns.
std::string quote(std::string_view text, std::size_t limit = 40);

}  // namespace ctgrad::gen
