// Function names and variable names of the formula language.
#include "names.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace ctgrad::gen {

namespace {

constexpr std::array<op_info, 25> operations{{
    {op::number, "", 0, false, "a number"},
    {op::variable, "", 0, false, "a variable"},
    {op::add, "plus", 2, false, "A + B or plus(A, B)"},
    {op::subtract, "minus", 2, false, "A - B or minus(A, B)"},
    {op::matmul, "matmul", 2, false, "A * B or matmul(A, B)"},
    {op::scale, "scale", 2, false, "scale(s, A) with a 1x1 s"},
    {op::divide, "divide", 2, false, "A / B or divide(A, B)"},
    {op::hadamard, "hadamard", 2, false, "A .* B or hadamard(A, B)"},
    {op::negate, "negate", 1, false, "-A or negate(A)"},
    {op::transpose, "transpose", 1, false, "A^T or transpose(A)"},
    {op::relu, "relu", 1, true, "relu(Z)"},
    {op::step, "step", 1, true, "step(Z)"},
    {op::tanh, "tanh", 1, true, "tanh(Z)"},
    {op::sigmoid, "sigmoid", 1, true, "sigmoid(Z)"},
    {op::exp, "exp", 1, true, "exp(Z)"},
    {op::log, "log", 1, true, "log(Z)"},
    {op::softplus, "softplus", 1, true, "softplus(Z)"},
    {op::square, "square", 1, true, "square(Z) or Z^2"},
    {op::identity, "identity", 1, true, "identity(Z)"},
    {op::sum, "sum", 1, false, "sum(A)"},
    {op::mean, "mean", 1, false, "mean(A)"},
    {op::column_sums, "column_sums", 1, false, "column_sums(A)"},
    {op::count, "count", 1, false, "count(A)"},
    {op::mse, "mse", 2, false, "mse(yhat, Y)"},
    {op::bce, "bce", 2, false, "bce(p, Y)"},
}};

// Lower-case spellings; the lookup lower-cases ASCII letters first.
constexpr std::array<std::pair<std::string_view, op>, 31> spellings{{
    {"plus", op::add},
    {"minus", op::subtract},
    {"matmul", op::matmul},
    {"scale", op::scale},
    {"divide", op::divide},
    {"hadamard", op::hadamard},
    {"negate", op::negate},
    {"transpose", op::transpose},
    {"relu", op::relu},
    {"step", op::step},
    {"heaviside", op::step},
    {"tanh", op::tanh},
    {"sigmoid", op::sigmoid},
    {"sigma", op::sigmoid},
    {"\xcf\x83", op::sigmoid},  // σ
    {"logistic", op::sigmoid},
    {"exp", op::exp},
    {"log", op::log},
    {"ln", op::log},
    {"softplus", op::softplus},
    {"square", op::square},
    {"identity", op::identity},
    {"id", op::identity},
    {"sum", op::sum},
    {"mean", op::mean},
    {"column_sums", op::column_sums},
    {"colsum", op::column_sums},
    {"colsums", op::column_sums},
    {"count", op::count},
    {"mse", op::mse},
    {"bce", op::bce},
}};

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
/// neighbours (tahn -> tanh) each cost one.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

// Greek letters: the word (theta) and the UTF-8 letter (θ) both name \theta.
constexpr std::array<std::pair<std::string_view, std::string_view>, 22> greek{{
    {"alpha", "\xce\xb1"},   {"beta", "\xce\xb2"},  {"gamma", "\xce\xb3"}, {"delta", "\xce\xb4"},
    {"epsilon", "\xce\xb5"}, {"zeta", "\xce\xb6"},  {"eta", "\xce\xb7"},   {"theta", "\xce\xb8"},
    {"iota", "\xce\xb9"},    {"kappa", "\xce\xba"}, {"lambda", "\xce\xbb"}, {"mu", "\xce\xbc"},
    {"nu", "\xce\xbd"},      {"xi", "\xce\xbe"},    {"pi", "\xcf\x80"},    {"rho", "\xcf\x81"},
    {"tau", "\xcf\x84"},     {"upsilon", "\xcf\x85"}, {"phi", "\xcf\x86"}, {"chi", "\xcf\x87"},
    {"psi", "\xcf\x88"},     {"omega", "\xcf\x89"},
}};

bool is_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// The LaTeX of a base name: a letter stays, a Greek word or letter becomes its command,
/// anything longer is set upright-italic as one word.
std::string latex_base(std::string_view base) {
    for (const auto& [word, letter] : greek) {
        if (base == word || base == letter) return "\\" + std::string(word);
    }
    if (base.size() >= 2 && base.front() >= 'A' && base.front() <= 'Z') {
        const std::string rest = lower(base);
        for (const auto& [word, letter] : greek) {
            if (rest == word) {
                std::string command(word);
                command[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(command[0])));
                return "\\" + command;
            }
        }
    }
    if (base.size() == 1) return std::string(base);
    return "\\mathit{" + std::string(base) + "}";
}

std::string subscript(std::string_view sub) {
    if (sub.empty()) return "";
    for (const auto& [word, letter] : greek) {
        if (sub == word || sub == letter) return "_{\\" + std::string(word) + "}";
    }
    if (sub.size() == 1) return "_" + std::string(sub);
    return "_{" + std::string(sub) + "}";
}

}  // namespace

const op_info& info(op kind) { return operations[static_cast<std::size_t>(kind)]; }

std::optional<op> function_named(std::string_view name) {
    const std::string key = lower(name);
    for (const auto& [spelling, kind] : spellings) {
        if (key == spelling) return kind;
    }
    return std::nullopt;
}

std::vector<std::string_view> function_names() {
    std::vector<std::string_view> names;
    for (const auto& [spelling, kind] : spellings) names.push_back(spelling);
    return names;
}

std::string closest_function(std::string_view name) {
    const std::string key = lower(name);
    if (key.size() > 64) return {};
    // Short names are close to too many things: allow one edit up to four letters, two beyond.
    const std::size_t allowed = key.size() <= 4 ? 1 : 2;
    std::string best;
    std::size_t best_distance = allowed + 1;
    for (const auto& [spelling, kind] : spellings) {
        const std::size_t d = edit_distance(key, spelling);
        if (d < best_distance) {
            best_distance = d;
            best = std::string(spelling);
        }
    }
    return best;
}

std::string latex_name(std::string_view id) {
    if (id == "\xc5\xb7") return "\\hat{y}";  // ŷ
    std::string_view base = id;
    std::string_view sub;
    if (const auto underscore = id.find('_'); underscore != std::string_view::npos) {
        base = id.substr(0, underscore);
        sub = id.substr(underscore + 1);
    } else {
        std::size_t digits = id.size();
        while (digits > 0 && id[digits - 1] >= '0' && id[digits - 1] <= '9') --digits;
        if (digits > 0 && digits < id.size()) {
            base = id.substr(0, digits);
            sub = id.substr(digits);
        }
    }
    bool hat = false;
    if (sub == "hat") {
        hat = true;
        sub = {};
    } else if (base.size() > 3 && base.substr(base.size() - 3) == "hat") {
        hat = true;
        base = base.substr(0, base.size() - 3);
    }
    std::string out = latex_base(base);
    if (hat) out = "\\hat{" + out + "}";
    if (!sub.empty() && !is_digits(sub) && sub.find('_') != std::string_view::npos) {
        // W_a_b: keep the rest verbatim in braces.
        return out + "_{" + std::string(sub) + "}";
    }
    return out + subscript(sub);
}

std::string cpp_identifier(std::string_view latex) {
    std::string out;
    for (char c : latex) {
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
            out += c;
        } else if (!out.empty() && out.back() != '_') {
            out += '_';
        }
    }
    while (!out.empty() && out.back() == '_') out.pop_back();
    return out.empty() ? "v" : out;
}

std::string plain_name(std::string_view latex) {
    std::string out;
    std::string_view s = latex;
    bool hat = false;
    if (s.starts_with("\\hat{")) {
        hat = true;
        s.remove_prefix(5);
    }
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '\\') {
            // \mathit{...} keeps its word; \theta its name.
            std::size_t j = i + 1;
            while (j < s.size() && std::isalpha(static_cast<unsigned char>(s[j]))) ++j;
            const std::string_view command = s.substr(i + 1, j - i - 1);
            if (command != "mathit") out += command;
            i = j - 1;
        } else if (c == '{' || c == '}' || (c == '_' && !hat)) {
            continue;
        } else if (c == '_') {
            continue;
        } else {
            out += c;
        }
    }
    if (hat) {
        // \hat{y}_1 -> yhat1: the hat goes after the base letter.
        std::size_t digits = out.size();
        while (digits > 0 && std::isdigit(static_cast<unsigned char>(out[digits - 1]))) --digits;
        out = out.substr(0, digits) + "hat" + out.substr(digits);
    }
    return out;
}

}  // namespace ctgrad::gen
