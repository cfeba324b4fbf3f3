// derivation(L, V...): the chain-rule derivation of dL/dV step by step, as the lecture writes it
// on the board, in LaTeX (align*), Markdown ($$ blocks) and plain text.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "derivation.hpp"
#include "detail/naming.hpp"
#include "detail/text.hpp"
#include "lang.hpp"
#include "latex.hpp"

namespace ctgrad {
namespace detail {

/// One line of a derivation: `lhs rel rhs`, in LaTeX and in text. An empty lhs continues the
/// line above; `gap` marks steps left out of a long chain (\vdots).
struct derivation_line {
    text_buffer tex_lhs, tex_rhs, text_lhs, text_rhs;
    bool gap = false;
};

struct derivation_text {
    small_vector<derivation_line> forward, backward;
};

/// Lists longer than this fold: the first and last `fold_keep` items stay, \vdots between.
inline constexpr std::size_t fold_above = 12;
inline constexpr std::size_t fold_keep = 4;
/// A written-out chain keeps this many levels (and factors) at each end, \cdots between.
inline constexpr std::size_t chain_keep = 3;

template <class Node, class... V>
concept uses_any_v = detail::any_true({false, contains_v<variables_of_t<Node>, V>...});

template <class Table, class Vars>
struct needed_of;
/// Whether entry i lies on a path from a requested variable to the loss.
template <class... Es, class... V>
struct needed_of<name_table<name_list<Es...>>, variable_list<V...>> {
    static constexpr std::array<bool, sizeof...(Es)> value{uses_any_v<typename Es::node_type, V...>...};
};

/// How a derivation names things: entries by index, requested variables by -1 - v.
struct step_names {
    const name_context& names;
    const std::string_view* variables;  ///< LaTeX names of the requested variables

    constexpr std::size_t loss() const { return names.loss(); }

    constexpr text_buffer of(int who, bool text) const {
        if (who >= 0) return names.name(static_cast<std::size_t>(who), text);
        const std::string_view latex = variables[static_cast<std::size_t>(-1 - who)];
        if (!text) return text_buffer{latex};
        text_buffer out;
        append_text_of_latex(out, latex);
        return out;
    }

    /// \frac{\partial top}{\partial bottom} (∂top/∂bottom).
    constexpr text_buffer fraction(int top, int bottom, bool text) const {
        text_buffer out;
        out += text ? "∂" : "\\frac{\\partial ";
        out += of(top, text);
        out += text ? "/∂" : "}{\\partial ";
        out += of(bottom, text);
        if (!text) out += '}';
        return out;
    }

    constexpr text_buffer adjoint(int who, bool text) const { return fraction(static_cast<int>(loss()), who, text); }
};

/// The parents of `to` (the entries whose terms reach it), nearest the loss first.
constexpr small_vector<int> parents_of(const walk_state& st, int to, std::size_t entries) {
    small_vector<int> out;
    for (std::size_t from = entries; from-- > 0;) {
        for (const term_record& t : st.terms) {
            if (t.to == to && t.from == static_cast<int>(from)) {
                out.push_back(static_cast<int>(from));
                break;
            }
        }
    }
    return out;
}

constexpr text_buffer chain_rule(const step_names& names, const walk_state& st, int to, const small_vector<int>& parents,
                                 bool text) {
    text_buffer out;
    bool first = true;
    for (int p : parents) {
        if (!first) out += " + ";
        first = false;
        if (p == static_cast<int>(names.loss())) {
            // L's explicit dependence on `to`, the other quantities of its formula held fixed
            text_buffer fixed;
            for (const term_record& t : st.terms) {
                if (t.from != p || t.to == to || t.to < 0) continue;
                if (!fixed.empty()) fixed += ", ";
                fixed += names.of(t.to, text);
            }
            if (text) {
                out += names.adjoint(to, true);
                if (!fixed.empty()) {
                    out += "|(";
                    out += fixed;
                    out += " fixed)";
                }
            } else {
                out += "\\left.";
                out += names.adjoint(to, false);
                out += "\\right|_{";
                out += fixed;
                out += '}';
            }
        } else {
            out += names.adjoint(p, text);
            out += text ? " · " : " \\cdot ";
            out += names.fraction(p, to, text);
        }
    }
    return out;
}

/// A step: \frac{\partial L}{\partial to} = chain rule = result (the result alone when `to` is
/// used by the loss only).
constexpr derivation_line step_line(const step_names& names, const walk_state& st, int to) {
    const small_vector<int> parents = parents_of(st, to, names.names.size());
    derivation_line line;
    for (bool text : {false, true}) {
        text_buffer lhs = names.adjoint(to, text);
        text_buffer rhs;
        rhs += "= ";
        if (parents.size() == 0) {
            rhs += "0";  // every path from L is flat (a step's derivative): the gradient is zero
        } else {
            if (!(parents.size() == 1 && parents[0] == static_cast<int>(names.loss()))) {
                rhs += chain_rule(names, st, to, parents, text);
                rhs += " = ";
            }
            rhs += sum_of_terms(st, to, text).s;
        }
        (text ? line.text_lhs : line.tex_lhs) = std::move(lhs);
        (text ? line.text_rhs : line.tex_rhs) = std::move(rhs);
    }
    return line;
}

/// The only term reaching `to`, or nullptr.
constexpr const term_record* single_term(const walk_state& st, int to) {
    const term_record* found = nullptr;
    for (const term_record& t : st.terms) {
        if (t.to != to) continue;
        if (found != nullptr) return nullptr;
        found = &t;
    }
    return found;
}

/// Drops the middle levels of a nested chain: text inside \x01...\x02 marks nests one level
/// deeper; levels [keep, levels - keep) become \cdots.
constexpr text_buffer fold_levels(std::string_view s, std::size_t levels, bool text) {
    text_buffer out;
    const std::string_view dots = text ? "⋯" : "\\cdots";
    std::size_t depth = 0;
    const bool fold = levels >= 2 * chain_keep + 2;
    for (char c : s) {
        if (c == '\x01') {
            ++depth;
            if (fold && depth == chain_keep) {
                out += dots;
                out += ' ';
            }
        } else if (c == '\x02') {
            if (fold && depth == chain_keep) {
                out += ' ';
                out += dots;
            }
            --depth;
        } else if (!fold || depth < chain_keep || depth > levels - chain_keep) {
            out += c;
        }
    }
    return out;
}

/// For a variable reached through one long chain of intermediates (the 100-layer net's W_1):
/// the chain rule with every factor, and the result with every step put in, both folded.
constexpr bool chain_lines(const step_names& names, const walk_state& st, int variable,
                           small_vector<derivation_line>& lines) {
    const int loss = static_cast<int>(names.loss());
    small_vector<const term_record*> levels;
    int current = variable;
    while (true) {
        const term_record* t = single_term(st, current);
        if (t == nullptr || t->holes > 1) return false;
        if (t->from == loss) break;
        if (t->holes != 1) return false;
        levels.push_back(t);
        current = t->from;
    }
    if (levels.size() < 2) return false;
    const int top = current;  // the intermediate the loss uses: \hat{y}
    for (bool text : {false, true}) {
        // the factors: dL/dtop, dtop/d..., ..., d.../dvariable
        small_vector<text_buffer> factors;
        factors.push_back(names.adjoint(top, text));
        for (std::size_t k = levels.size(); k-- > 0;) factors.push_back(names.fraction(levels[k]->from, levels[k]->to, text));
        text_buffer chain;
        chain += "= ";
        const std::string_view dot = text ? " · " : " \\cdot ";
        const bool fold = factors.size() > 2 * chain_keep + 1;
        for (std::size_t i = 0; i < factors.size(); ++i) {
            if (fold && i >= chain_keep && i < factors.size() - chain_keep) {
                if (i == chain_keep) chain += text ? " ⋯ " : " \\cdots ";
                continue;
            }
            if (i > 0 && !(fold && i == factors.size() - chain_keep)) chain += dot;
            chain += factors[i];
        }
        // the result with each step put into the next: level k's hole holds level k + 1
        text_buffer nested = names.adjoint(top, text);
        int level = precedence::fraction;
        const text_buffer top_row = partial_symbol(names.names, static_cast<std::size_t>(top), text, true);
        for (std::size_t k = levels.size(); k-- > 0;) {
            const term_record& t = *levels[k];
            text_buffer inner;
            inner += '\x01';
            inner += nested;
            inner += '\x02';
            text_buffer row;
            if (k + 1 == levels.size()) {
                row = top_row;
            } else {
                append_parenthesised(row, inner.view(), text);
                row += text ? "ʲ" : "^{j}";
            }
            nested = fill_holes(text ? t.text.view() : t.tex.view(), inner.view(), level, row.view(), text);
            const int own = text ? t.text_level : t.tex_level;
            if (own != hole_level) level = own;
        }
        text_buffer result;
        result += "= ";
        result += fold_levels(nested.view(), levels.size(), text);
        if (!text) {
            lines.push_back({});
            lines[lines.size() - 1].tex_rhs = std::move(chain);
            lines.push_back({});
            lines[lines.size() - 1].tex_rhs = std::move(result);
        } else {
            lines[lines.size() - 2].text_rhs = std::move(chain);
            lines[lines.size() - 1].text_rhs = std::move(result);
        }
    }
    return true;
}

constexpr void update_line(const step_names& names, int variable, small_vector<derivation_line>& lines) {
    derivation_line line;
    for (bool text : {false, true}) {
        text_buffer v = names.of(variable, text);
        text_buffer rhs;
        rhs += ":= ";
        rhs += v;
        rhs += text ? " - η " : " - \\eta ";
        rhs += names.adjoint(variable, text);
        (text ? line.text_lhs : line.tex_lhs) = std::move(v);
        (text ? line.text_rhs : line.tex_rhs) = std::move(rhs);
    }
    lines.push_back(std::move(line));
}

constexpr derivation_line gap_line() {
    derivation_line line;
    line.gap = true;
    return line;
}

/// Which lines of `count` stay when a long list folds.
constexpr bool kept(std::size_t i, std::size_t count) {
    return count <= fold_above || i < fold_keep || i >= count - fold_keep;
}

template <class L, class... V>
static constexpr derivation_text build_derivation(const L& loss) {
    using vars = variable_list<V...>;
    constexpr auto needed = needed_of<names_for<L>, vars>::value;
    constexpr std::string_view variable_names[] = {V::name..., {}};
    const name_context context = names_of_loss<L>();
    const step_names names{context, variable_names};
    const std::size_t entries = context.size();
    const walk_state st = detail::walk_loss<vars>(loss, context, true, -1);

    derivation_text out;
    // 1. the forward pass, inputs first, the loss last
    for (std::size_t i = 0; i < entries; ++i) {
        if (!kept(i, entries)) {
            if (i == fold_keep) out.forward.push_back(gap_line());
            continue;
        }
        derivation_line line;
        line.tex_lhs = context.name(i, false);
        line.text_lhs = context.name(i, true);
        line.tex_rhs += "= ";
        line.tex_rhs += st.entries[i].tex;
        line.text_rhs += "= ";
        line.text_rhs += st.entries[i].text;
        out.forward.push_back(std::move(line));
    }

    // 2. and 3. the steps, from the loss back to the inputs: an intermediate, then the variables
    // whose last use (nearest the input) it is
    small_vector<int> steps;
    auto add_variables_of = [&](int parent) {
        for (std::size_t v = 0; v < sizeof...(V); ++v) {
            const small_vector<int> parents = parents_of(st, -1 - static_cast<int>(v), entries);
            if (parents.size() > 0 && parents[parents.size() - 1] == parent) steps.push_back(-1 - static_cast<int>(v));
        }
    };
    add_variables_of(static_cast<int>(context.loss()));
    for (std::size_t i = entries - 1; i-- > 0;) {
        if (!needed[i]) continue;
        steps.push_back(static_cast<int>(i));
        add_variables_of(static_cast<int>(i));
    }
    for (std::size_t v = 0; v < sizeof...(V); ++v) {  // asked for, but no path carries a gradient
        if (parents_of(st, -1 - static_cast<int>(v), entries).size() == 0) steps.push_back(-1 - static_cast<int>(v));
    }
    const bool folded = steps.size() > fold_above;
    for (std::size_t k = 0; k < steps.size(); ++k) {
        if (!kept(k, steps.size())) {
            if (k == fold_keep) out.backward.push_back(gap_line());
            continue;
        }
        const int who = steps[k];
        out.backward.push_back(step_line(names, st, who));
        if (who < 0) {
            if (folded && k >= fold_keep) chain_lines(names, st, who, out.backward);
            update_line(names, who, out.backward);
        }
    }
    return out;
}

/// `lhs &rhs` lines joined by \\ (LaTeX align* or aligned body).
constexpr void append_tex_lines(text_buffer& out, const small_vector<derivation_line>& lines, bool last_breaks) {
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const derivation_line& line = lines[i];
        if (line.gap) {
            out += "&\\vdots";
        } else {
            out += line.tex_lhs;
            if (!line.tex_lhs.empty()) out += ' ';
            out += '&';
            out += line.tex_rhs;
        }
        if (i + 1 < lines.size() || last_breaks) out += " \\\\";
        out += '\n';
    }
}

constexpr void append_text_lines(text_buffer& out, const small_vector<derivation_line>& lines) {
    std::size_t width = 0;
    for (const derivation_line& line : lines) {
        const std::size_t w = display_width(line.text_lhs.view());
        width = w > width ? w : width;
    }
    for (const derivation_line& line : lines) {
        out += "  ";
        const std::size_t w = display_width(line.text_lhs.view());
        out += line.text_lhs;
        for (std::size_t i = w; i < width; ++i) out += ' ';
        out += ' ';
        out += line.gap ? "⋮" : line.text_rhs.view();
        out += '\n';
    }
}

}  // namespace detail

/// The derivation of dL/dV for each requested V, the lecture's way: (1) the forward pass with
/// named intermediates (Z_k, A_k, \hat{y}, named<"H">); (2) \frac{\partial L}{\partial \hat{y}}
/// from the loss; (3) from the output back to the input, for every intermediate and requested
/// variable, the chain rule, the result in named quantities, and for a variable the SGD update
/// V := V - \eta \frac{\partial L}{\partial V}; (4) the convention (denominator layout, batch rows).
/// Made by derivation(L, V...); every output is usable in constant expressions where
/// CTGRAD_CONSTEXPR_STRING is 1. Example: tests/golden/board_derivation.tex.
template <class L, class... V>
class derivation_steps {
public:

    constexpr explicit derivation_steps(const L& loss) : loss_(loss) {}

    /// An align* block, ready for a paper (needs amsmath) or a slide; lang::ru writes the
    /// convention in Russian (a document then needs Cyrillic fonts: T2A and babel).
    constexpr std::string latex(lang l = lang::en) const {
        if (l == lang::ru) return made<0, lang::ru>();
        return made<0, lang::en>();
    }
    /// Markdown with $$ blocks (GitHub renders them) and the convention as a sentence.
    constexpr std::string markdown(lang l = lang::en) const {
        if (l == lang::ru) return made<1, lang::ru>();
        return made<1, lang::en>();
    }
    /// Plain Unicode text for a terminal: ∂, ⊙, ᵀ.
    constexpr std::string text(lang l = lang::en) const {
        if (l == lang::ru) return made<2, lang::ru>();
        return made<2, lang::en>();
    }

    /// The same three, in a language chosen while compiling: `latex<lang::ru>()`. A small
    /// formula's text is made while compiling (see `made`), and the forms above make it in both
    /// languages, a runtime choice; these make only the one asked for, which halves that cost
    /// for a program that prints one (ctgrad-gen's derive programs).
    template <lang Lang>
    constexpr std::string latex() const {
        return made<0, Lang>();
    }
    template <lang Lang>
    constexpr std::string markdown() const {
        return made<1, Lang>();
    }
    template <lang Lang>
    constexpr std::string text() const {
        return made<2, Lang>();
    }

    constexpr detail::text_buffer latex_buffer(lang l = lang::en) const {
        const detail::derivation_text d = detail::build_derivation<L, V...>(loss_);
        detail::text_buffer out;
        out += "\\begin{align*}\n";
        detail::append_tex_lines(out, d.forward, true);
        detail::append_tex_lines(out, d.backward, true);
        out += detail::prose_of(l).convention_latex;
        out += "\n\\end{align*}\n";
        return out;
    }

    constexpr detail::text_buffer markdown_buffer(lang l = lang::en) const {
        const detail::derivation_text d = detail::build_derivation<L, V...>(loss_);
        const detail::prose& words = detail::prose_of(l);
        detail::text_buffer out;
        out += words.forward;
        out += "\n\n$$\n\\begin{aligned}\n";
        detail::append_tex_lines(out, d.forward, false);
        out += "\\end{aligned}\n$$\n\n";
        out += words.backward_markdown;
        out += "\n\n$$\n\\begin{aligned}\n";
        detail::append_tex_lines(out, d.backward, false);
        out += "\\end{aligned}\n$$\n\n";
        out += words.convention_markdown;
        out += '\n';
        return out;
    }

    constexpr detail::text_buffer plain_buffer(lang l = lang::en) const {
        const detail::derivation_text d = detail::build_derivation<L, V...>(loss_);
        const detail::prose& words = detail::prose_of(l);
        detail::text_buffer out;
        out += words.forward;
        out += '\n';
        detail::append_text_lines(out, d.forward);
        out += words.backward_text;
        out += '\n';
        detail::append_text_lines(out, d.backward);
        out += words.convention_text;
        out += '\n';
        return out;
    }

private:
    // Workaround: GCC 12 frees twice in constant evaluation when the buffers are chosen with ?:
    // ("deallocation of already deallocated storage"); if constexpr picks one.
    template <int Form, lang Lang>
    constexpr detail::text_buffer buffer() const {
        if constexpr (Form == 0) {
            return latex_buffer(Lang);
        } else if constexpr (Form == 1) {
            return markdown_buffer(Lang);
        } else {
            return plain_buffer(Lang);
        }
    }

    template <int Form, lang Lang>
    struct form_of_type {
        constexpr detail::text_buffer operator()() const { return derivation_steps{L{}}.template buffer<Form, Lang>(); }
    };

    /// Small formulas without `constant`s are printed while compiling (see latex.hpp).
    template <int Form, lang Lang>
    constexpr std::string made() const {
        if constexpr (detail::print_while_compiling<L>) {
            return detail::baked_string<form_of_type<Form, Lang>>();
        } else {
            return buffer<Form, Lang>().str();
        }
    }

    L loss_;
};

/// derivation(L, W1, b1, ...): the step-by-step derivation of the gradients of the 1x1 loss L
/// with respect to the named variables, each of which must occur in L (the same checks and
/// messages as grad). Example: `derivation(L, W1, b1, W2, b2).latex()`.
template <expression L, class... V>
static constexpr auto derivation(const L& loss, const V&...) {
    static_assert(sizeof...(V) > 0, "ctgrad: derivation(L, V...): name at least one variable");
    using P = plain_t<L>;
    if constexpr (is_invalid_v<P> || !detail::all_true({true, detail::check_gradient_request<P, V>()...})) {
        return derivation_steps<invalid_expression>{invalid_expression{}};
    } else {
        return derivation_steps<P, V...>{detail::as_plain(loss)};
    }
}

}  // namespace ctgrad
