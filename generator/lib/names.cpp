// Function names and variable names of the formula language.
#include "names.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <cctype>
#include <tuple>
#include <utility>

#include <ctgrad/ops/all.hpp>

namespace ctgrad::gen {

namespace {

// ---- the function table, from ctgrad's descriptors ------------------------------------------

template <class Op>
constexpr op_info info_of(std::size_t position) {
    op_info out{.kind = static_cast<op>(position + 2)};
    if constexpr (requires { Op::call; }) {
        constexpr call_form c = Op::call;
        out.builder = c.builder;
        out.arity = c.arity;
        out.signature = c.signature;
        out.aliases = c.aliases;
        out.shape = c.shape;
        out.first = c.first;
        out.second = c.second;
        out.template_numbers = c.template_numbers;
        out.size_only = c.size_only;
    }
    if constexpr (requires { Op::latex; }) {
        out.activation = Op::latex.activation;
        out.loss = Op::latex.loss;
        out.logits = Op::latex.logits;
    }
    return out;
}

template <class... Ops, std::size_t... I>
std::vector<op_info> table_of(std::tuple<Ops...>*, std::index_sequence<I...>) {
    std::vector<op_info> out{op_info{.kind = op::number, .signature = "a number"},
                             op_info{.kind = op::variable, .signature = "a variable"}};
    (out.push_back(info_of<Ops>(I)), ...);
    return out;
}

template <class Op>
constexpr op position_of() {
    return []<class... Ops, std::size_t... I>(std::tuple<Ops...>*, std::index_sequence<I...>) {
        std::size_t at = 0;
        const bool listed = ((ctgrad::detail::same_v<Op, Ops> ? (at = I, true) : false) || ...);
        return listed ? static_cast<op>(at + 2) : op::number;
    }(static_cast<ctgrad::all_operations*>(nullptr), std::make_index_sequence<std::tuple_size_v<ctgrad::all_operations>>{});
}
// The operators the parser builds by their syntax.
static_assert(position_of<ctgrad::add_op>() == op::add && position_of<ctgrad::subtract_op>() == op::subtract &&
                  position_of<ctgrad::negate_op>() == op::negate && position_of<ctgrad::matmul_op>() == op::matmul &&
                  position_of<ctgrad::scale_op>() == op::scale && position_of<ctgrad::hadamard_op>() == op::hadamard &&
                  position_of<ctgrad::divide_op>() == op::divide && position_of<ctgrad::transpose_op>() == op::transpose,
              "names.hpp: the numbers of the operators must follow ctgrad::all_operations");

const std::vector<op_info>& table() {
    static const std::vector<op_info> t = table_of(
        static_cast<ctgrad::all_operations*>(nullptr), std::make_index_sequence<std::tuple_size_v<ctgrad::all_operations>>{});
    return t;
}

/// Lower-case spellings: each operation's builder and aliases, and the lecture's ReLU.
const std::vector<std::pair<std::string, op>>& spellings() {
    static const std::vector<std::pair<std::string, op>> s = [] {
        std::vector<std::pair<std::string, op>> out;
        for (const op_info& o : table()) {
            if (o.builder.empty()) continue;
            out.emplace_back(std::string(o.builder), o.kind);
            std::string_view rest = o.aliases;
            while (!rest.empty()) {
                const std::size_t space = rest.find(' ');
                out.emplace_back(std::string(rest.substr(0, space)), o.kind);
                rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
            }
        }
        return out;
    }();
    return s;
}

// ---- ctgrad's shape rules, asked through canonical sizes -----------------------------------

/// Sizes 1..5 for each of up to four operand sizes: 5^4 cases for two operands.
constexpr int size_values = 5;

template <class Op, class... Shapes>
constexpr rule_answer answer_of() {
    if constexpr (requires { Op::template shapes_fit<Shapes...>; }) {
        if constexpr (!Op::template shapes_fit<Shapes...>) {
            return {true, false, 0, 0};
        } else {
            return {true, true, Op::template rows<Shapes...>, Op::template cols<Shapes...>};
        }
    } else {
        return {true, true, Op::template rows<Shapes...>, Op::template cols<Shapes...>};
    }
}

template <int Code>
using shape_of = ctgrad::detail::shape<Code / size_values + 1, Code % size_values + 1>;

template <class Op, int... Codes>
constexpr auto binary_rules(std::integer_sequence<int, Codes...>) {
    return std::array<rule_answer, sizeof...(Codes)>{
        answer_of<Op, shape_of<Codes / (size_values * size_values)>, shape_of<Codes % (size_values * size_values)>>()...};
}
template <class Op, int... Codes>
constexpr auto unary_rules(std::integer_sequence<int, Codes...>) {
    return std::array<rule_answer, sizeof...(Codes)>{answer_of<Op, shape_of<Codes>>()...};
}

/// The answers for every operand shape, or nothing for an operation whose rule has template
/// numbers of its own (slice_cols) or more operands.
struct rule_table {
    std::size_t arity = 0;
    const rule_answer* answers = nullptr;
};
template <class Op>
rule_table rule_table_of() {
    if constexpr (!requires { Op::arity; } || (requires { Op::call; } && Op::call.template_numbers > 0)) {
        return {};
    } else if constexpr (Op::arity == 1) {
        static constexpr auto answers = unary_rules<Op>(std::make_integer_sequence<int, size_values * size_values>{});
        return {1, answers.data()};
    } else if constexpr (Op::arity == 2) {
        static constexpr auto answers =
            binary_rules<Op>(std::make_integer_sequence<int, size_values * size_values * size_values * size_values>{});
        return {2, answers.data()};
    } else {
        return {};
    }
}

/// Only the operations of the language are asked about: the others' tables would cost compile
/// time for nothing.
template <class... Ops>
std::vector<rule_table> rule_tables_of(std::tuple<Ops...>*) {
    return {rule_table{}, rule_table{}, [] {
                if constexpr (requires { Ops::call; }) {
                    return rule_table_of<Ops>();
                } else {
                    return rule_table{};
                }
            }()...};
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
/// neighbours (tahn -> tanh) each cost one.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    // Three rows of the table, not a row per letter: the parser asks this for every unknown name
    // against every function name (most of a fuzzer's time on random text, in allocations).
    std::vector<std::size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) current[j] = std::min(current[j], before[j - 2] + 1);
        }
        std::swap(before, previous);
        std::swap(previous, current);
    }
    return previous[b.size()];
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

const op_info& info(op kind) { return table()[static_cast<std::size_t>(kind)]; }

const std::vector<op_info>& all_operations() { return table(); }

rule_answer descriptor_rule(op kind, int r1, int c1, int r2, int c2) {
    static const std::vector<rule_table> tables = rule_tables_of(static_cast<ctgrad::all_operations*>(nullptr));
    const rule_table& t = tables[static_cast<std::size_t>(kind)];
    const auto in_range = [](int v) { return v >= 1 && v <= size_values; };
    if (t.answers == nullptr || !in_range(r1) || !in_range(c1) || !in_range(r2) || !in_range(c2)) return {};
    const int first = (r1 - 1) * size_values + (c1 - 1);
    const int second = (r2 - 1) * size_values + (c2 - 1);
    return t.answers[t.arity == 1 ? first : first * size_values * size_values + second];
}

std::optional<op> function_named(std::string_view name) {
    const std::string key = lower(name);
    for (const auto& [spelling, kind] : spellings()) {
        if (key == spelling) return kind;
    }
    return std::nullopt;
}

op function_kind(std::string_view name) {
    const std::optional<op> kind = function_named(name);
    if (!kind) throw std::logic_error("ctgrad-gen: the language lost the function " + std::string(name));
    return *kind;
}

std::vector<std::string_view> function_names() {
    std::vector<std::string_view> names;
    for (const auto& [spelling, kind] : spellings()) names.push_back(spelling);
    return names;
}

std::string closest_function(std::string_view name) {
    const std::string key = lower(name);
    if (key.size() > 64) return {};
    // Short names are close to too many things: allow one edit up to four letters, two beyond.
    const std::size_t allowed = key.size() <= 4 ? 1 : 2;
    std::string best;
    std::size_t best_distance = allowed + 1;
    for (const auto& [spelling, kind] : spellings()) {
        // The distance is at least the difference in length.
        const std::size_t gap = key.size() > spelling.size() ? key.size() - spelling.size() : spelling.size() - key.size();
        if (gap >= best_distance) continue;
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
