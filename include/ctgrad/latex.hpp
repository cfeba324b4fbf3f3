// latex(e) and text(e): any expression, derived gradients included, as LaTeX or plain Unicode
// text, in constant expressions too. Each operation's notation comes from its descriptor's
// latex_form (ops/latex_form.hpp); this header only places parentheses and names.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "derivation.hpp"
#include "detail/flat_list.hpp"
#include "detail/naming.hpp"
#include "detail/text.hpp"
#include "expression.hpp"
#include "operations.hpp"
#include "variables.hpp"

/// 1 when std::string works in constant expressions here, so `static_assert(latex(e) == "...")`
/// compiles. Workaround: libstdc++ 12 under clang (16 and 19) fails with "assignment to member
/// '_M_local_buf' of union with no active member"; there, compare detail::latex_buffer(e) instead.
#if defined(__cpp_lib_constexpr_string) && __cpp_lib_constexpr_string >= 201907L && \
    !(defined(__clang__) && defined(_GLIBCXX_RELEASE) && _GLIBCXX_RELEASE < 13)
#define CTGRAD_CONSTEXPR_STRING 1
#else
#define CTGRAD_CONSTEXPR_STRING 0
#endif

namespace ctgrad {
namespace detail {

/// dL/dP for a named intermediate P: where a derivation step starts its local backward pass.
/// Printed as a hole that the step fills with \frac{\partial L}{\partial P} (or, when a long
/// chain is written out, with P's own step).
template <class Node>
struct partial : expression_base {
    using node_type = Node;
    static constexpr int rows = Node::rows;
    static constexpr int cols = Node::cols;
};

template <class T>
static constexpr bool is_partial_v = false;
template <class Node>
static constexpr bool is_partial_v<partial<Node>> = true;

/// In printed terms: a hole, followed by the character '0' + the least level of what goes there.
inline constexpr char hole_mark = '\x03';
/// In printed terms: row j of the hole (\frac{\partial L}{\partial Z^{j}}).
inline constexpr char row_hole_mark = '\x04';
/// The level of a term that is nothing but the hole.
inline constexpr int hole_level = -1;

struct print_options {
    bool text = false;                      ///< plain Unicode text instead of LaTeX
    const name_context* names = nullptr;    ///< named intermediates print as their names
    int expand = -1;                        ///< ...except this entry, printed as its definition
};

struct printed {
    text_buffer s;
    int level = precedence::atom;
};

constexpr bool is_tall(std::string_view s) {
    return s.find("\\frac") != std::string_view::npos || s.find("\\sum") != std::string_view::npos ||
           s.find("\\left") != std::string_view::npos;
}

/// (s), with \left( \right) around fractions and sums in LaTeX.
constexpr void append_parenthesised(text_buffer& out, std::string_view s, bool text) {
    const bool tall = !text && is_tall(s);
    out += tall ? "\\left(" : "(";
    out += s;
    out += tall ? "\\right)" : ")";
}

/// Whether `next`, written after `before` (a factor and a space), would run together with it:
/// "2 3" reads as 23, "s 2" as s2 and "3 \frac{1}{4}" as three and a quarter, so a number
/// after a factor, or a fraction after a number, gets a dot.
constexpr bool juxtaposes_numbers(std::string_view before, std::string_view next, bool text) {
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (before.size() < 2 || before.back() != ' ' || next.empty()) return false;
    const char last = before[before.size() - 2];
    const std::string_view word = before.substr(0, before.size() - 1);
    const std::size_t space = word.rfind(' ');
    const std::string_view last_word = word.substr(space == std::string_view::npos ? 0 : space + 1);
    const bool big_operator = last_word.starts_with("\\sum") || last_word.starts_with("Σ");
    const bool factor = !big_operator && last_word != "⊙" && (digit(last) || (last >= 'a' && last <= 'z') || (last >= 'A' && last <= 'Z') ||
                                          last == '}' || last == ')' || (text && static_cast<unsigned char>(last) >= 0x80));
    return (factor && digit(next[0])) || (digit(last) && !text && next.starts_with("\\frac"));
}

/// An operand in a slot asking for level `least`; `before_script`: a ^{...} follows, so a
/// LaTeX operand that has its own superscript gets braces (no double superscript).
constexpr void put_operand(text_buffer& out, const printed& p, int least, bool text, bool before_script) {
    if (p.level != hole_level && p.level >= least && juxtaposes_numbers(out.view(), p.s.view(), text)) {
        out += text ? "· " : "\\cdot ";
    }
    if (p.level == hole_level) {
        out += hole_mark;
        out += static_cast<char>('0' + least);
    } else if (p.level < least) {
        append_parenthesised(out, p.s.view(), text);
    } else if (before_script && !text && p.s.view().find('^') != std::string_view::npos) {
        out += '{';
        out += p.s;
        out += '}';
    } else {
        out += p.s;
    }
}

/// A size as written: a number (or its name, see size_name), or `Symbol` (n rows, m columns)
/// when known only at run time.
constexpr void append_plain_dim(text_buffer& out, int d, char symbol) {
    if (!size_name(d).empty()) {
        out += size_name(d);  // for dynamic: every run-time size is one quantity (the batch)
    } else if (d == dynamic) {
        out += symbol;
    } else {
        append_integer(out, d);
    }
}

/// Whether every character of `plain` has a Unicode subscript.
constexpr bool has_subscript(std::string_view plain) {
    for (char c : plain) {
        if (script_of<true>(c).empty()) return false;
    }
    return true;
}

/// `plain` as Unicode subscript letters (ₙₓ₃), or as _plain when some letter has none (_K, as
/// variable names are written: W_q).
constexpr void append_subscript(text_buffer& out, std::string_view plain) {
    if (!has_subscript(plain)) {
        out += '_';
        out += plain;
        return;
    }
    for (char c : plain) out += script_of<true>(c);
}

/// A size (see append_plain_dim), in text as a Unicode subscript when `subscript`.
constexpr void append_dim(text_buffer& out, int d, char symbol, bool subscript) {
    text_buffer plain;
    append_plain_dim(plain, d, symbol);
    if (subscript) {
        append_subscript(out, plain.view());
    } else {
        out += plain;  // LaTeX, inside _{...}
    }
}

/// Text: R x C as one subscript, ₙₓ₃, or _(d×K) when a name has no subscript letters.
constexpr void append_shape_subscript(text_buffer& out, int r, int c) {
    text_buffer plain;
    append_plain_dim(plain, r, 'n');
    plain += 'x';
    append_plain_dim(plain, c, 'm');
    if (has_subscript(plain.view())) {
        append_subscript(out, plain.view());
        return;
    }
    out += "_(";
    append_plain_dim(out, r, 'n');
    out += "×";
    append_plain_dim(out, c, 'm');
    out += ')';
}

/// The number of entries of an R x C operand: n, 3n, nm, Hn, dH, or a number.
constexpr void append_count(text_buffer& out, int r, int c, bool text) {
    const bool named_r = r != dynamic && !size_name(r).empty();
    const bool named_c = c != dynamic && !size_name(c).empty();
    if (r != dynamic && c != dynamic && !named_r && !named_c) {
        append_integer(out, static_cast<long long>(r) * c);
        return;
    }
    // numbers first, then names, then the run-time sizes: 3Hn
    long long number = 1;
    if (r != dynamic && !named_r) number *= r;
    if (c != dynamic && !named_c) number *= c;
    if (number != 1) append_integer(out, number);
    if (named_r) out += size_name(r);
    if (named_c) out += size_name(c);
    const std::string_view run_time = size_name(dynamic);
    if (!run_time.empty() && r == dynamic && c == dynamic) {  // one run-time size, squared
        out += run_time;
        out += text ? "²" : "^{2}";
    } else if (!run_time.empty()) {
        if (r == dynamic || c == dynamic) out += run_time;
    } else {
        if (r == dynamic) out += 'n';
        if (c == dynamic) out += 'm';
    }
}

/// Row j of an operand (Y^{j}, (X W)^{j}); the hole's row is left as a mark.
constexpr void append_row(text_buffer& out, const printed& p, bool text) {
    if (p.level == hole_level) {
        out += row_hole_mark;
        return;
    }
    if (p.level >= precedence::atom) {
        if (!text && p.s.view().find('^') != std::string_view::npos) {
            out += '{';
            out += p.s;
            out += '}';
        } else {
            out += p.s;
        }
    } else {
        append_parenthesised(out, p.s.view(), text);
    }
    out += text ? "ʲ" : "^{j}";
}

/// What a pattern needs to know of one operand: its printed form and its shape, and, when it
/// is a function applied to something (\tanh(Z)), how long the function's name is, so that a
/// square can raise the name: \tanh^{2}(Z).
struct operand {
    printed p;
    int rows = 1, cols = 1;
    std::size_t function_name = 0;  ///< length of "\tanh" (or "tanh" in text); 0: not a function
};

/// The length of a function's name in its pattern ("\\tanh" of "\\tanh(#1)"), or 0.
template <class E>
static constexpr std::size_t function_name_in(bool text) {
    if constexpr (is_node_v<E>) {
        constexpr latex_form f = node_form<E>;
        const std::string_view pattern = text ? f.text : f.tex;
        if (f.level == precedence::function && pattern.size() > 4 && pattern.ends_with("(#1)") && pattern[0] != '#') {
            return pattern.size() - 4;
        }
    }
    return 0;
}
template <class E>
static constexpr std::size_t function_name_length[2] = {function_name_in<E>(false), function_name_in<E>(true)};

template <class E>
static constexpr printed print(const E& e, const print_options& o);

template <class E>
static constexpr operand make_operand(const E& e, const print_options& o) {
    return {detail::print(e, o), E::rows, E::cols, function_name_length<E>[o.text ? 1 : 0]};
}

/// Fills a node's pattern (see latex_form) with its printed operands. Not a template, so the
/// work is compiled once, not once per node type.
constexpr printed render_pattern(const latex_form& f, const operand* ops, std::size_t count, bool text) {
    const std::string_view pattern = text ? f.text : f.tex;
    printed out;
    out.level = text && f.text_level >= 0 ? f.text_level : f.level;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c != '#' || i + 1 >= pattern.size()) {
            out.s += c;
            continue;
        }
        const char kind = pattern[i + 1];
        if (kind >= '1' && kind <= '9' && static_cast<std::size_t>(kind - '1') < count) {
            const std::size_t k = static_cast<std::size_t>(kind - '1');
            const bool enclosed = i > 0 && (pattern[i - 1] == '{' || pattern[i - 1] == '(') &&
                                  i + 2 < pattern.size() && (pattern[i + 2] == '}' || pattern[i + 2] == ')');
            const bool before_script = i + 2 < pattern.size() && pattern[i + 2] == '^';
            const printed& p = ops[k].p;
            int least = enclosed ? 0 : (k == 0 ? f.left : f.right);
            if (!enclosed && k == 1 && f.level == precedence::sum) {
                // a - (-b): a sign never follows + or - without parentheses
                if (p.level == hole_level && least < precedence::hadamard) least = precedence::hadamard;
                if (!p.s.empty() && p.s[0] == '-') least = precedence::atom;
            }
            if (f.power && ops[k].function_name > 0 && p.level == precedence::function) {
                // \tanh^{2}(Z): the power goes on the function's name
                out.s += p.s.view().substr(0, ops[k].function_name);
                out.s += pattern.substr(i + 2);
                out.s += p.s.view().substr(ops[k].function_name);
                out.level = precedence::function;
                return out;
            }
            put_operand(out.s, p, least, text, before_script);
            i += 1;
        } else if (i + 2 < pattern.size() && pattern[i + 2] >= '1' && pattern[i + 2] <= '9' &&
                   static_cast<std::size_t>(pattern[i + 2] - '1') < count) {
            const operand& op = ops[pattern[i + 2] - '1'];
            if (kind == 'J') {
                append_row(out.s, op.p, text);
            } else if (kind == 'R' || kind == 'r') {
                append_dim(out.s, op.rows, 'n', kind == 'r');
            } else if (kind == 'C' || kind == 'c') {
                append_dim(out.s, op.cols, 'm', kind == 'c');
            } else if (kind == 's') {
                append_shape_subscript(out.s, op.rows, op.cols);
            } else {
                append_count(out.s, op.rows, op.cols, text);
            }
            i += 2;
        } else {
            out.s += c;
        }
    }
    return out;
}

/// The name of a named intermediate, when names are in use and it is not the one being defined.
constexpr bool print_name(const void* key, const print_options& o, printed& out) {
    if (o.names == nullptr) return false;
    const int index = o.names->index_of(key);
    if (index < 0 || index == o.expand) return false;
    out = {o.names->name(static_cast<std::size_t>(index), o.text), precedence::atom};
    return true;
}

template <class Op, class... Args>
static constexpr printed print_node(const node<Op, Args...>& n, const print_options& o) {
    using N = node<Op, Args...>;
    printed named;
    if (print_name(&type_key<N>, o, named)) return named;
    if constexpr (is_named_node<N>) {
        return detail::print(ctgrad::arg<0>(n), o);  // a name without a table: just its operand
    } else if constexpr (ctgrad::detail::same_v<Op, transpose_op> && is_scalar_v<N> && !is_variable_v<arg_t<0, N>>) {
        return detail::print(ctgrad::arg<0>(n), o);  // a 1x1 is its own transpose; a variable keeps the ^T it was written with
    } else if constexpr (sizeof...(Args) == 1) {
        const operand ops[] = {detail::make_operand(ctgrad::arg<0>(n), o)};
        return render_pattern(node_form<N>, ops, 1, o.text);
    } else if constexpr (sizeof...(Args) == 2) {
        const operand ops[] = {detail::make_operand(ctgrad::arg<0>(n), o), detail::make_operand(ctgrad::arg<1>(n), o)};
        return render_pattern(node_form<N>, ops, 2, o.text);
    } else {
        return [&]<std::size_t... I>(std::index_sequence<I...>) {
            const operand ops[] = {detail::make_operand(ctgrad::arg<I>(n), o)...};
            return render_pattern(node_form<N>, ops, sizeof...(I), o.text);
        }(std::index_sequence_for<Args...>{});
    }
}

constexpr printed print_literal(long long num, long long den, bool text) {
    printed out;
    const long long magnitude = num < 0 ? -num : num;
    if (num < 0) out.s += '-';
    if (den == 1) {
        append_integer(out.s, magnitude);
        out.level = precedence::atom;
    } else if (text) {
        append_integer(out.s, magnitude);
        out.s += '/';
        append_integer(out.s, den);
        out.level = precedence::product;
    } else {
        out.s += "\\frac{";
        append_integer(out.s, magnitude);
        out.s += "}{";
        append_integer(out.s, den);
        out.s += '}';
        out.level = precedence::fraction;
    }
    if (num < 0) out.level = precedence::negation;
    return out;
}

template <class L, class V, class X>
static constexpr printed print_gradient(const gradient<L, V, X>& g, bool text);

constexpr printed print_variable(std::string_view name, bool text) {
    printed out;
    if (text) {
        append_text_of_latex(out.s, name);
    } else {
        out.s += name;
    }
    return out;
}

constexpr printed print_constant(double value, bool text) {
    printed out;
    append_number(out.s, value, text);
    out.level = value < 0 ? precedence::negation : precedence::atom;
    return out;
}

template <class E>
static constexpr printed print(const E& e, const print_options& o) {
    if constexpr (is_variable_v<E>) {
        return print_variable(E::name, o.text);
    } else if constexpr (is_literal_v<E>) {
        return print_literal(E::num, E::den, o.text);
    } else if constexpr (ctgrad::detail::same_v<E, constant>) {
        return print_constant(e.value, o.text);
    } else if constexpr (is_partial_v<E>) {
        return {text_buffer{std::string_view{&hole_mark, 1}}, hole_level};
    } else if constexpr (is_adjoint_v<E>) {
        return detail::print(ctgrad::adjoint_value_of(e), o);  // without the derivation's names: the adjoint's formula
    } else if constexpr (is_gradient_v<E>) {
        return detail::print_gradient(e, o.text);
    } else if constexpr (is_node_v<E>) {
        return detail::print_node(e, o);
    } else {
        static_assert(always_false<E>, "ctgrad: latex(e): e is not an expression ctgrad can print");
        return {};
    }
}

// ---- walking a loss: definitions and local terms of every named intermediate ---------------


/// One term of a chain rule: what the named intermediate `from` hands to `to`.
struct term_record {
    int from = -1;  ///< entry index (the loss included)
    int to = -1;    ///< entry index, or -1 - v for requested variable v
    text_buffer tex, text;
    int tex_level = 0, text_level = 0;
    int holes = 0;  ///< how many times \frac{\partial L}{\partial from} occurs
};

struct entry_record {
    bool visited = false;
    text_buffer tex, text;  ///< the definition, in the names of other entries
};

struct walk_state {
    const name_context* names = nullptr;
    small_vector<entry_record> entries;
    small_vector<term_record> terms;
    bool definitions = true;  ///< print every entry's definition
    int only_variable = -1;   ///< record only the terms of this requested variable
};

constexpr int count_holes(std::string_view s) {
    int n = 0;
    for (char c : s) n += (c == hole_mark || c == row_hole_mark) ? 1 : 0;
    return n;
}

/// A whole term that is just the hole still carries the level its place asks for (none).
constexpr void finish_term(printed& p) {
    if (p.level == hole_level) {
        p.s.clear();
        p.s += hole_mark;
        p.s += '0';
    }
}

template <class G>
static constexpr void record_term(const G& g, int from, int to, walk_state& st) {
    if (st.only_variable >= 0 && to != -1 - st.only_variable) return;
    term_record r;
    r.from = from;
    r.to = to;
    print_options o{.text = false, .names = st.names, .expand = from};
    printed tex = detail::print(g, o);
    o.text = true;
    printed text = detail::print(g, o);
    finish_term(tex);
    finish_term(text);
    r.tex_level = tex.level;
    r.text_level = text.level;
    r.holes = count_holes(tex.s.view());
    r.tex = std::move(tex.s);
    r.text = std::move(text.s);
    st.terms.push_back(std::move(r));
}

/// The requested variables of a derivation, by position.
template <class... V>
struct variable_list {
    static constexpr std::size_t size = sizeof...(V);
    template <class T>
    static constexpr int index_of = [] {
        const bool same[] = {false, ctgrad::detail::same_v<V, T>...};
        for (int i = 0; i < int(sizeof...(V)); ++i) {
            if (same[i + 1]) return i;
        }
        return -1;
    }();
};

// ---- local backward passes: a named intermediate's adjoint handed to the names it uses -------

/// Where a local pass surely stops, known from the types (operand I of Parent is E): a user's
/// name; an activation, unless a user's name wraps it and so replaces its own; the operand of an
/// activation (a pre-activation Z_k) or a loss's prediction (\hat{y}) when it is computed. Other
/// named intermediates are recognised from the table of names as the pass goes; these are
/// known early so the compiler does not derive through them for nothing.
template <class Parent, std::size_t I, class E>
static constexpr bool surely_named =
    is_named_node<E> || (is_activation_node<E> && !is_named_node<Parent>) ||
    (is_node_v<E> && (is_activation_node<Parent> || ((node_form<Parent>.loss || node_form<Parent>.logits) && I == 0)));

template <class Vars, class Parent, std::size_t I, class E, class G>
static constexpr void local_walk(const E& e, const G& g, int from, walk_state& st);

template <class Vars, std::size_t I, class P, class G>
static constexpr void local_child(const P& p, const G& g, int from, walk_state& st) {
    if constexpr (has_variables_v<arg_t<I, P>>) {
        auto local = P::op_type::template backward<I>(p, g);
        if constexpr (!ctgrad::detail::same_v<decltype(local), no_contribution>) {
            detail::local_walk<Vars, P, I>(ctgrad::arg<I>(p), local, from, st);
        }
    }
}

template <class Vars, class P, class G, std::size_t... I>
static constexpr void local_operands(const P& p, const G& g, int from, walk_state& st, std::index_sequence<I...>) {
    (detail::local_child<Vars, I>(p, g, from, st), ...);
}

/// The rules of derivation.hpp's backprop from P's adjoint g, down to the variables and the
/// named intermediates P's formula uses; each one's term is recorded. Every operand, whatever
/// P's arity.
template <class Vars, class P, class G>
static constexpr void local_from(const P& p, const G& g, int from, walk_state& st) {
    detail::local_operands<Vars>(p, g, from, st, std::make_index_sequence<P::op_type::arity>{});
}

template <class Vars, class Parent, std::size_t I, class E, class G>
static constexpr void local_walk(const E& e, const G& g, int from, walk_state& st) {
    if constexpr (is_variable_v<E>) {
        constexpr int v = Vars::template index_of<E>;
        if constexpr (v >= 0) detail::record_term(g, from, -1 - v, st);
    } else if constexpr (is_node_v<E> && has_variables_v<E>) {
        const int index = st.names->index_of(&type_key<E>);
        if (index >= 0) {
            detail::record_term(g, from, index, st);
        } else if constexpr (!surely_named<Parent, I, E>) {
            detail::local_from<Vars>(e, g, from, st);
        }
    }
}

// ---- walking a loss: definitions and local terms of every named intermediate ---------------


template <class Vars, class E>
static constexpr void record_entry(const E& e, int index, walk_state& st) {
    if (st.definitions) {
        print_options o{.text = false, .names = st.names, .expand = index};
        st.entries[index].tex = detail::print(e, o).s;
        o.text = true;
        st.entries[index].text = detail::print(e, o).s;
    }
    if constexpr (is_scalar_v<E>) {
        if (static_cast<std::size_t>(index) == st.names->loss()) {
            detail::local_from<Vars>(e, literal<1>{}, index, st);  // dL/dL = 1
            return;
        }
    }
    detail::local_from<Vars>(e, partial<E>{}, index, st);
}

template <class Vars, class E>
static constexpr void visit(const E& e, walk_state& st);
template <class Vars, class E, std::size_t... I>
static constexpr void visit_operands(const E& e, walk_state& st, std::index_sequence<I...>) {
    (detail::visit<Vars>(ctgrad::arg<I>(e), st), ...);
}

/// Visits every named intermediate of a loss once, children first (every operand, whatever the
/// arity).
template <class Vars, class E>
static constexpr void visit(const E& e, walk_state& st) {
    if constexpr (is_node_v<E>) {
        const int index = st.names->index_of(&type_key<E>);
        if (index >= 0) {
            if (st.entries[index].visited) return;
            st.entries[index].visited = true;
        }
        detail::visit_operands<Vars>(e, st, std::make_index_sequence<E::op_type::arity>{});
        if (index >= 0) detail::record_entry<Vars>(e, index, st);
    }
}

/// The definitions and terms of every named intermediate of `loss`.
template <class Vars, class L>
static constexpr walk_state walk_loss(const L& loss, const name_context& names, bool definitions, int only_variable) {
    walk_state st;
    st.names = &names;
    st.entries.resize(names.size());
    st.definitions = definitions;
    st.only_variable = only_variable;
    detail::visit<Vars>(loss, st);
    return st;
}

/// \frac{\partial L}{\partial P} (or its row j), what fills the holes of P's terms.
constexpr text_buffer partial_symbol(const name_context& names, std::size_t of, bool text, bool row) {
    text_buffer out;
    const text_buffer l = names.name(names.loss(), text), p = names.name(of, text);
    if (text) {
        out += "∂";
        out += l;
        out += "/∂";
        out += p;
        if (row) out += "ʲ";
    } else {
        out += "\\frac{\\partial ";
        out += l;
        out += "}{\\partial ";
        if (row && p.view().find('^') != std::string_view::npos) {
            out += '{';
            out += p;
            out += '}';
        } else {
            out += p;
        }
        if (row) out += "^{j}";
        out += '}';
    }
    return out;
}

/// Fills the holes of a term with `content` (of level `level`) and its rows with `row`.
constexpr text_buffer fill_holes(std::string_view term, std::string_view content, int level, std::string_view row,
                                 bool text) {
    text_buffer out;
    for (std::size_t i = 0; i < term.size(); ++i) {
        if (term[i] == hole_mark && i + 1 < term.size()) {
            const int least = term[++i] - '0';
            if (level < least) {
                append_parenthesised(out, content, text);
            } else {
                out += content;
            }
        } else if (term[i] == row_hole_mark) {
            out += row;
        } else {
            out += term[i];
        }
    }
    return out;
}

/// A term in the names of the derivation: its holes filled with \frac{\partial L}{\partial from}.
constexpr printed named_term(const name_context& names, const term_record& t, bool text) {
    const std::string_view body = text ? t.text.view() : t.tex.view();
    const int level = text ? t.text_level : t.tex_level;
    if (t.holes == 0) return {text_buffer{body}, level};
    const text_buffer symbol = partial_symbol(names, static_cast<std::size_t>(t.from), text, false);
    const text_buffer row = partial_symbol(names, static_cast<std::size_t>(t.from), text, true);
    return {fill_holes(body, symbol.view(), precedence::fraction, row.view(), text),
            level == hole_level ? precedence::fraction : level};
}

/// The sum of the terms handed to `to`, the parents nearest the loss first: a - b, not a + -b.
constexpr printed sum_of_terms(const walk_state& st, int to, bool text) {
    printed out;
    int count = 0;
    for (std::size_t from = st.names->size(); from-- > 0;) {
        for (const term_record& t : st.terms) {
            if (t.to != to || t.from != static_cast<int>(from)) continue;
            printed p = named_term(*st.names, t, text);
            if (count == 0) {
                out = std::move(p);
            } else if (p.level == precedence::negation && !p.s.empty() && p.s[0] == '-') {
                out.s += " - ";
                out.s += p.s.view().substr(1);
            } else {
                out.s += " + ";
                if (p.level < precedence::negation) {
                    append_parenthesised(out.s, p.s.view(), text);
                } else {
                    out.s += p.s;
                }
            }
            ++count;
        }
    }
    if (count > 1) out.level = precedence::sum;
    return out;
}

/// dL/dV in the names a derivation gives the intermediates of L: A_1^{T} \frac{\partial L}{\partial Z_2}.
template <class L, class V, class X>
static constexpr printed print_gradient(const gradient<L, V, X>& g, bool text) {
    const name_context names = names_of_loss<L>();
    const walk_state st = detail::walk_loss<variable_list<V>>(ctgrad::loss_of(g), names, false, 0);
    return sum_of_terms(st, -1, text);
}

template <class E>
static constexpr text_buffer latex_buffer(const E& e) {
    return detail::print(e, print_options{}).s;
}

template <class E>
static constexpr text_buffer text_buffer_of(const E& e) {
    return detail::print(e, print_options{.text = true}).s;
}

// ---- printing while compiling ------------------------------------------------------------

/// Whether E holds a `constant`, a double whose value is in the object, not in the type.
template <class E>
struct has_constant_test : std::bool_constant<ctgrad::detail::same_v<E, constant>> {};
template <class E>
concept has_constant_v = has_constant_test<E>::value;
template <class Op, class... Args>
struct has_constant_test<node<Op, Args...>> : std::bool_constant<(has_constant_v<Args> || ...)> {};
template <class F, class A>
struct has_constant_test<adjoint<F, A>> :
    std::bool_constant<has_constant_v<F> || has_constant_v<definition_t<A>>> {};
template <class L, class V, class X>
struct has_constant_test<gradient<L, V, X>> : std::bool_constant<has_constant_v<L>> {};

template <class E>
static constexpr std::size_t node_count_v = 1;
template <class Op, class... Args>
static constexpr std::size_t node_count_v<node<Op, Args...>> = (std::size_t{1} + ... + node_count_v<Args>);
template <class F, class A>
static constexpr std::size_t node_count_v<adjoint<F, A>> = node_count_v<definition_t<A>>;
template <class L, class V, class X>
static constexpr std::size_t node_count_v<gradient<L, V, X>> = node_count_v<L>;

/// Formulas up to this many nodes, and without `constant`s, print while compiling: their text
/// depends on their type alone, so it is computed once in a constant expression and the program
/// only copies it. The printer's code is then never generated, which keeps the compile-time cost
/// of a derivation of the board network (15 nodes) under a second. Larger formulas print at run
/// time: their constant evaluation would be slow (GCC), or stop at clang's step limit
/// (-fconstexpr-steps, 1048576 by default: a 7-layer chain's derivation of 7 weights, 24 nodes,
/// exceeds it with clang 19).
#if defined(__clang__)
inline constexpr std::size_t compile_time_print_limit = 16;
#else
inline constexpr std::size_t compile_time_print_limit = 40;
#endif

template <class E>
static constexpr bool print_while_compiling = !has_constant_v<E> && node_count_v<E> <= compile_time_print_limit;

/// F's text in a constant expression, copied into an array of Bound chars when it fits.
template <std::size_t Bound>
struct bounded_text {
    std::array<char, Bound> chars{};
    std::size_t size = 0;
    bool fits = false;
};
template <class F, std::size_t Bound>
static constexpr bounded_text<Bound> bake_bounded() {
    bounded_text<Bound> out;
    const text_buffer text = F{}();
    out.size = text.size();
    out.fits = out.size < Bound;
    for (std::size_t i = 0; out.fits && i < out.size; ++i) out.chars[i] = text[i];
    return out;
}

/// The text a stateless functor F makes, as an array of its exact size built in a constant
/// expression. Why the bounded first try: an array's size must be known before it is filled,
/// and asking F for its size first evaluates F twice, most of the constant evaluation of a
/// derivation (about 0.1 s of the board's 0.6 s compile with g++ 12).
template <class F>
static constexpr auto bake() {
    constexpr auto first = bake_bounded<F, 8192>();
    constexpr std::size_t size = first.fits ? first.size : F{}().size();
    std::array<char, size + 1> out{};
    if constexpr (first.fits) {
        for (std::size_t i = 0; i < size; ++i) out[i] = first.chars[i];
    } else {
        const text_buffer text = F{}();
        for (std::size_t i = 0; i < size; ++i) out[i] = text[i];
    }
    return out;
}
template <class F>
static constexpr auto baked = bake<F>();

/// std::string of F's text, made while compiling.
template <class F>
static constexpr std::string baked_string() {
    return std::string(baked<F>.data(), baked<F>.size() - 1);
}

template <class E, bool Text>
struct expression_text {
    constexpr text_buffer operator()() const {
        if constexpr (Text) {
            return detail::text_buffer_of(E{});
        } else {
            return detail::latex_buffer(E{});
        }
    }
};

}  // namespace detail

/// The LaTeX of an expression, with the lecture's notation: \tanh, \operatorname{ReLU}, \sigma,
/// \odot, ^{T}, I\{Z > 0\}, \frac{2}{n}, and parentheses only where precedence needs them.
/// A gradient grad(L, V) prints in the names a derivation gives L's intermediates (Z_k, A_k,
/// \hat{y}, named<"H">), as its last step: latex(grad(L, W2)) is
/// "A_1^{T} \frac{\partial L}{\partial Z_2}" for the board network. Usable in constant
/// expressions where CTGRAD_CONSTEXPR_STRING is 1 (GCC). Example: tests/unit/test_latex.cpp.
template <expression E>
static constexpr std::string latex(const E& e) {
    using P = plain_t<E>;
    if constexpr (detail::print_while_compiling<P>) {
        return detail::baked_string<detail::expression_text<P, false>>();
    } else {
        return detail::latex_buffer(detail::as_plain(e)).str();
    }
}

/// The plain-text (Unicode) form of an expression: tanh(Z₂), ∂L/∂ŷ ⊙ (1 - tanh²(Z₂)), Wᵀ.
template <expression E>
static constexpr std::string text(const E& e) {
    using P = plain_t<E>;
    if constexpr (detail::print_while_compiling<P>) {
        return detail::baked_string<detail::expression_text<P, true>>();
    } else {
        return detail::text_buffer_of(detail::as_plain(e)).str();
    }
}

}  // namespace ctgrad
