// Diagnostics: rendering an error with its caret, and the UTF-8 handling that lines the caret up.
#include "diagnostic.hpp"

#include <algorithm>
#include <vector>

namespace ctgrad::gen {

void fail_at(std::string message, std::string_view text, std::size_t begin, std::size_t end, std::size_t caret) {
    diagnostic d;
    d.message = std::move(message);
    d.text = std::string(text);
    d.begin = std::min(begin, text.size());
    d.end = std::max(d.begin, std::min(end, text.size()));
    d.caret = std::min(caret, text.size());
    throw input_error(std::move(d));
}

code_point decode_utf8(std::string_view text, std::size_t at) {
    if (at >= text.size()) return {0, 0};
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(at);
    if (lead < 0x80) return {lead, 1};
    std::size_t length = 0;
    char32_t value = 0;
    char32_t minimum = 0;
    if ((lead & 0xE0) == 0xC0) {
        length = 2, value = lead & 0x1F, minimum = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3, value = lead & 0x0F, minimum = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4, value = lead & 0x07, minimum = 0x10000;
    } else {
        return {0, 0};
    }
    if (at + length > text.size()) return {0, 0};
    for (std::size_t i = 1; i < length; ++i) {
        const unsigned char next = byte(at + i);
        if ((next & 0xC0) != 0x80) return {0, 0};
        value = (value << 6) | (next & 0x3F);
    }
    if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return {0, 0};
    return {value, length};
}

namespace {

/// The text cut into display cells, one per code point (or invalid byte), with the byte
/// offset where each cell starts.
struct cells {
    std::vector<std::string> shown;
    std::vector<std::size_t> offset;
    std::size_t total = 0;

    explicit cells(std::string_view text) : total(text.size()) {
        std::size_t at = 0;
        while (at < text.size()) {
            const code_point cp = decode_utf8(text, at);
            offset.push_back(at);
            if (cp.length == 0) {
                shown.emplace_back("?");
                at += 1;
                continue;
            }
            if (cp.value == '\n' || cp.value == '\t' || cp.value == '\r') {
                shown.emplace_back(" ");
            } else if (cp.value < 0x20 || cp.value == 0x7F || (cp.value >= 0x80 && cp.value < 0xA0) ||
                       cp.value == 0xFEFF || (cp.value >= 0x200B && cp.value <= 0x200F) ||
                       (cp.value >= 0x202A && cp.value <= 0x202E) || (cp.value >= 0x2066 && cp.value <= 0x2069)) {
                // Controls and invisible or direction-changing marks would misplace the caret.
                shown.emplace_back("?");
            } else {
                shown.emplace_back(text.substr(at, cp.length));
            }
            at += cp.length;
        }
    }

    /// The cell that contains byte `at` (the end position when `at` is past the text).
    std::size_t column_of(std::size_t at) const {
        if (at >= total) return shown.size();
        const auto it = std::upper_bound(offset.begin(), offset.end(), at);
        return static_cast<std::size_t>(it - offset.begin()) - 1;
    }
};

}  // namespace

std::string printable(std::string_view text) {
    std::string out;
    for (const auto& cell : cells(text).shown) out += cell;
    return out;
}

std::string quote(std::string_view text, std::size_t limit) {
    const cells c(text);
    std::string out;
    const std::size_t n = c.shown.size();
    if (n <= limit) {
        for (const auto& cell : c.shown) out += cell;
        return out;
    }
    for (std::size_t i = 0; i + 3 < limit; ++i) out += c.shown[i];
    return out + "...";
}

std::string render(const diagnostic& d) {
    const cells c(d.text);
    const std::size_t width = c.shown.size();
    std::size_t caret = c.column_of(d.caret);
    std::size_t begin = std::min(c.column_of(d.begin), caret);
    std::size_t end = d.end > d.begin ? c.column_of(d.end - 1) + 1 : begin + 1;
    end = std::max(end, caret + 1);

    // Long texts (a 100-layer net, a garbage file) are shown in a window around the caret.
    constexpr std::size_t window = 76;
    std::size_t first = 0;
    std::size_t last = width;
    if (width > window + 4) {
        first = caret > window / 2 ? caret - window / 2 : 0;
        last = std::min(width, first + window);
        if (last == width) first = width > window ? width - window : 0;
    }
    std::string line = "  ";
    std::string marks = "  ";
    if (first > 0) {
        line += "...";
        marks += "   ";
    }
    for (std::size_t i = first; i < last; ++i) line += c.shown[i];
    if (last < width) line += "...";
    for (std::size_t i = first; i <= std::min(std::max(end, caret + 1), last); ++i) {
        if (i == caret) {
            marks += '^';
        } else if (i >= begin && i < end && i < last) {
            marks += '~';
        } else if (i < caret) {
            marks += ' ';
        }
    }
    // Trailing blanks carry nothing.
    while (!marks.empty() && marks.back() == ' ') marks.pop_back();
    return "error: " + d.message + "\n" + line + "\n" + marks + "\n";
}

}  // namespace ctgrad::gen
