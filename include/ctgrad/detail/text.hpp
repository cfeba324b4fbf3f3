// Text building blocks usable in constant expressions: a growable buffer, a small vector, number
// formatting, and the conversion of a LaTeX name (W_1, \hat{y}) to plain Unicode text (W₁, ŷ).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace ctgrad::detail {

/// A growable char buffer for building text in constant expressions.
/// Workaround: libstdc++ 12's std::string is not usable in constant expressions under clang
/// (16 and 19: "assignment to member '_M_local_buf' of union with no active member"), and GCC 12
/// evaluates its appends slowly; this buffer does plain loops. Never append a view of itself.
class text_buffer {
public:
    constexpr text_buffer() = default;
    constexpr text_buffer(std::string_view s) { append(s); }
    constexpr text_buffer(const text_buffer& other) { append(other.view()); }
    constexpr text_buffer(text_buffer&& other) noexcept
        : data_(std::exchange(other.data_, nullptr)),
          size_(std::exchange(other.size_, 0)),
          capacity_(std::exchange(other.capacity_, 0)) {}
    constexpr text_buffer& operator=(const text_buffer& other) {
        if (this != &other) {
            size_ = 0;
            append(other.view());
        }
        return *this;
    }
    constexpr text_buffer& operator=(text_buffer&& other) noexcept {
        if (this != &other) {
            delete[] data_;
            data_ = std::exchange(other.data_, nullptr);
            size_ = std::exchange(other.size_, 0);
            capacity_ = std::exchange(other.capacity_, 0);
        }
        return *this;
    }
    constexpr ~text_buffer() { delete[] data_; }

    constexpr void reserve(std::size_t wanted) {
        if (wanted <= capacity_) return;
        std::size_t grown = capacity_ == 0 ? 32 : capacity_;
        while (grown < wanted) grown *= 2;
        char* fresh = new char[grown];
        for (std::size_t i = 0; i < size_; ++i) fresh[i] = data_[i];
        delete[] data_;
        data_ = fresh;
        capacity_ = grown;
    }
    constexpr text_buffer& append(std::string_view s) {
        reserve(size_ + s.size());
        for (char c : s) data_[size_++] = c;
        return *this;
    }
    constexpr text_buffer& append(char c) {
        reserve(size_ + 1);
        data_[size_++] = c;
        return *this;
    }
    constexpr text_buffer& operator+=(std::string_view s) { return append(s); }
    constexpr text_buffer& operator+=(const text_buffer& s) { return append(s.view()); }
    constexpr text_buffer& operator+=(char c) { return append(c); }

    constexpr std::string_view view() const { return size_ == 0 ? std::string_view{} : std::string_view{data_, size_}; }
    constexpr std::size_t size() const { return size_; }
    constexpr bool empty() const { return size_ == 0; }
    constexpr char operator[](std::size_t i) const { return data_[i]; }
    constexpr void clear() { size_ = 0; }
    constexpr std::string str() const { return std::string(view()); }

    friend constexpr bool operator==(const text_buffer& a, std::string_view b) { return a.view() == b; }

private:
    char* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

/// A growable array for constant expressions (elements default-constructible and movable).
template <class T>
class small_vector {
public:
    constexpr small_vector() = default;
    constexpr explicit small_vector(std::size_t n) { resize(n); }
    small_vector(const small_vector&) = delete;
    small_vector& operator=(const small_vector&) = delete;
    constexpr small_vector(small_vector&& other) noexcept
        : data_(std::exchange(other.data_, nullptr)),
          size_(std::exchange(other.size_, 0)),
          capacity_(std::exchange(other.capacity_, 0)) {}
    constexpr ~small_vector() { delete[] data_; }

    constexpr void resize(std::size_t n) {
        reserve(n);
        size_ = n;
    }
    constexpr T& push_back(T value) {
        reserve(size_ + 1);
        data_[size_] = std::move(value);
        return data_[size_++];
    }
    constexpr T& operator[](std::size_t i) { return data_[i]; }
    constexpr const T& operator[](std::size_t i) const { return data_[i]; }
    constexpr std::size_t size() const { return size_; }
    constexpr T* begin() { return data_; }
    constexpr T* end() { return data_ + size_; }
    constexpr const T* begin() const { return data_; }
    constexpr const T* end() const { return data_ + size_; }

private:
    constexpr void reserve(std::size_t wanted) {
        if (wanted <= capacity_) return;
        std::size_t grown = capacity_ == 0 ? 8 : capacity_;
        while (grown < wanted) grown *= 2;
        T* fresh = new T[grown];
        for (std::size_t i = 0; i < size_; ++i) fresh[i] = std::move(data_[i]);
        delete[] data_;
        data_ = fresh;
        capacity_ = grown;
    }

    T* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

// ---- numbers -------------------------------------------------------------------------------

constexpr void append_integer(text_buffer& out, long long v) {
    if (v < 0) {
        out += '-';
        v = -v;
    }
    char digits[24]{};
    int n = 0;
    do {
        digits[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v > 0);
    while (n > 0) out += digits[--n];
}

/// A double with at most 6 significant digits and no trailing zeros: 0.5, 3, 0.001, 1.5e-07 as
/// 1.5 \cdot 10^{-7} in LaTeX (1.5e-7 in text). Enough for the constants people write in
/// formulas (0.5 * X, 1.0 - p); not a round-trip format.
constexpr void append_number(text_buffer& out, double v, bool text) {
    if (v != v) {
        out += text ? "NaN" : "\\mathrm{NaN}";
        return;
    }
    if (v < 0) {
        out += '-';
        v = -v;
    }
    if (v > 1e300) {
        out += text ? "∞" : "\\infty";
        return;
    }
    if (v == 0) {
        out += '0';
        return;
    }
    int exponent = 0;  // v = m * 10^exponent with 1 <= m < 10
    double m = v;
    while (m >= 10) {
        m /= 10;
        ++exponent;
    }
    while (m < 1) {
        m *= 10;
        --exponent;
    }
    long long digits = static_cast<long long>(m * 100000 + 0.5);  // 6 significant digits
    if (digits >= 1000000) {
        digits /= 10;
        ++exponent;
    }
    int shown = 6;
    while (shown > 1 && digits % 10 == 0) {
        digits /= 10;
        --shown;
    }
    char d[8]{};
    for (int i = shown - 1; i >= 0; --i) {
        d[i] = static_cast<char>('0' + digits % 10);
        digits /= 10;
    }
    if (exponent >= -4 && exponent < 15) {
        if (exponent < 0) {
            out += "0.";
            for (int i = -1; i > exponent; --i) out += '0';
            for (int i = 0; i < shown; ++i) out += d[i];
        } else {
            for (int i = 0; i <= exponent; ++i) out += i < shown ? d[i] : '0';
            if (shown > exponent + 1) {
                out += '.';
                for (int i = exponent + 1; i < shown; ++i) out += d[i];
            }
        }
        return;
    }
    out += d[0];
    if (shown > 1) {
        out += '.';
        for (int i = 1; i < shown; ++i) out += d[i];
    }
    out += text ? "e" : " \\cdot 10^{";
    append_integer(out, exponent);
    if (!text) out += '}';
}

// ---- LaTeX names to Unicode text -----------------------------------------------------------

/// The Unicode subscript (Sub) or superscript of an ASCII character, or an empty view.
template <bool Sub>
static constexpr std::string_view script_of(char c) {
    if (c >= '0' && c <= '9') {
        constexpr std::string_view sub[] = {"₀", "₁", "₂", "₃", "₄", "₅", "₆", "₇", "₈", "₉"};
        constexpr std::string_view sup[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
        return Sub ? sub[c - '0'] : sup[c - '0'];
    }
    if constexpr (Sub) {
        switch (c) {
            case 'a': return "ₐ"; case 'e': return "ₑ"; case 'h': return "ₕ"; case 'i': return "ᵢ";
            case 'j': return "ⱼ"; case 'k': return "ₖ"; case 'l': return "ₗ"; case 'm': return "ₘ";
            case 'n': return "ₙ"; case 'o': return "ₒ"; case 'p': return "ₚ"; case 'r': return "ᵣ";
            case 's': return "ₛ"; case 't': return "ₜ"; case 'u': return "ᵤ"; case 'v': return "ᵥ";
            case 'x': return "ₓ"; case '+': return "₊"; case '-': return "₋"; case '=': return "₌";
            case '(': return "₍"; case ')': return "₎"; case ',': return ",";
            default: return {};
        }
    } else {
        switch (c) {
            case 'T': return "ᵀ"; case 'i': return "ⁱ"; case 'j': return "ʲ"; case 'n': return "ⁿ";
            case 'k': return "ᵏ"; case 'm': return "ᵐ"; case '+': return "⁺"; case '-': return "⁻";
            case '(': return "⁽"; case ')': return "⁾"; case '=': return "⁼"; case ',': return "˒";
            default: return {};
        }
    }
}

/// Unicode for a LaTeX command's name (Greek letters, a few symbols), or an empty view.
constexpr std::string_view unicode_of_command(std::string_view name) {
    constexpr std::pair<std::string_view, std::string_view> table[] = {
        {"alpha", "α"}, {"beta", "β"},   {"gamma", "γ"},   {"delta", "δ"},   {"epsilon", "ε"}, {"varepsilon", "ε"},
        {"zeta", "ζ"},  {"eta", "η"},    {"theta", "θ"},   {"kappa", "κ"},   {"lambda", "λ"},  {"mu", "μ"},
        {"nu", "ν"},    {"xi", "ξ"},     {"pi", "π"},      {"rho", "ρ"},     {"sigma", "σ"},   {"tau", "τ"},
        {"phi", "φ"},   {"varphi", "φ"}, {"chi", "χ"},     {"psi", "ψ"},     {"omega", "ω"},   {"Gamma", "Γ"},
        {"Delta", "Δ"}, {"Theta", "Θ"},  {"Lambda", "Λ"},  {"Sigma", "Σ"},   {"Phi", "Φ"},     {"Psi", "Ψ"},
        {"Omega", "Ω"}, {"partial", "∂"}, {"ell", "ℓ"},    {"odot", "⊙"},    {"cdot", "·"},    {"cdots", "⋯"},
        {"infty", "∞"}};
    for (const auto& [latex, unicode] : table) {
        if (latex == name) return unicode;
    }
    return {};
}

/// The group starting at s[i]: `{...}` (without braces) or a single character; advances i.
constexpr std::string_view take_group(std::string_view s, std::size_t& i) {
    if (i >= s.size()) return {};
    if (s[i] != '{') return s.substr(i++, 1);
    std::size_t depth = 0, start = i + 1;
    for (; i < s.size(); ++i) {
        if (s[i] == '{') ++depth;
        if (s[i] == '}' && --depth == 0) break;
    }
    std::string_view group = s.substr(start, i - start);
    ++i;
    return group;
}

constexpr void append_text_of_latex(text_buffer& out, std::string_view s);

/// `_{...}` or `^{...}` as Unicode sub/superscripts when every character has one, else `_x`.
template <bool Sub>
static constexpr void append_script(text_buffer& out, std::string_view group) {
    bool all = !group.empty();
    for (char c : group) all = all && !script_of<Sub>(c).empty();
    if (all) {
        for (char c : group) out += script_of<Sub>(c);
    } else {
        out += Sub ? '_' : '^';
        text_buffer inner;
        append_text_of_latex(inner, group);
        const bool single = group.size() == 1;
        if (!single) out += '(';
        out += inner;
        if (!single) out += ')';
    }
}

/// Plain Unicode text for a LaTeX name: W_1 -> W₁, Z_{10} -> Z₁₀, \hat{y} -> ŷ, \eta -> η,
/// \operatorname{ReLU} -> ReLU. Unknown commands lose their backslash.
constexpr void append_text_of_latex(text_buffer& out, std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const char c = s[i];
        if (c == '_' || c == '^') {
            ++i;
            std::string_view group = take_group(s, i);
            if (c == '_') {
                append_script<true>(out, group);
            } else {
                append_script<false>(out, group);
            }
        } else if (c == '{' || c == '}') {
            ++i;
        } else if (c == '\\' && i + 1 < s.size()) {
            std::size_t j = i + 1;
            while (j < s.size() && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z'))) ++j;
            if (j == i + 1) {  // \{ \} \, and other one-character commands
                if (s[j] != ',' && s[j] != ';' && s[j] != '!') out += s[j];
                i = j + 1;
                continue;
            }
            std::string_view command = s.substr(i + 1, j - i - 1);
            i = j;
            if (command == "hat" || command == "bar" || command == "tilde" || command == "dot") {
                std::string_view base = take_group(s, i);
                if (command == "hat" && base == "y") {
                    out += "ŷ";
                    continue;
                }
                append_text_of_latex(out, base);
                out += command == "hat" ? "\u0302" : command == "bar" ? "\u0304" : command == "tilde" ? "\u0303" : "\u0307";
            } else if (command == "operatorname" || command == "mathrm" || command == "text" || command == "mathbf" ||
                       command == "mathit" || command == "boldsymbol") {
                std::string_view body = take_group(s, i);
                if (command == "mathbf" && body == "1") {
                    out += "𝟏";
                } else {
                    append_text_of_latex(out, body);
                }
            } else if (std::string_view u = unicode_of_command(command); !u.empty()) {
                out += u;
            } else {
                out += command;
            }
        } else {
            out += c;
            ++i;
        }
    }
}

/// Display width of UTF-8 text in a terminal: code points, less combining marks.
constexpr std::size_t display_width(std::string_view s) {
    std::size_t width = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto byte = static_cast<unsigned char>(s[i]);
        if ((byte & 0xC0) == 0x80) continue;  // continuation byte
        // U+0300..U+036F combining diacritics: 0xCC 0x80 .. 0xCD 0xAF
        if ((byte == 0xCC || (byte == 0xCD && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0xAF)))
            continue;
        ++width;
    }
    return width;
}

}  // namespace ctgrad::detail
