// The formula parser: a tokenizer and a recursive-descent parser with an explicit depth limit.
#include "formula.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "diagnostic.hpp"

namespace ctgrad::gen {

std::string_view formula::source(int i) const {
    const auto& n = (*this)[i];
    return std::string_view(text).substr(n.begin, n.end - n.begin);
}

namespace {

enum class token_kind {
    end,
    identifier,
    number,
    open,       // (
    close,      // )
    open_brace, // {
    close_brace,
    comma,
    plus,
    minus,
    times,      // * or ·
    slash,
    hadamard,   // .* or ⊙
    power,      // ^
    transposed, // ᵀ
};

struct token {
    token_kind kind = token_kind::end;
    std::size_t begin = 0, end = 0;
};

bool is_ascii_letter(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char32_t c) { return c >= '0' && c <= '9'; }
bool is_greek(char32_t c) { return (c >= 0x391 && c <= 0x3A9) || (c >= 0x3B1 && c <= 0x3C9); }

std::string hex_byte(unsigned char b) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02X", b);
    return buf;
}

std::string code_point_name(char32_t c) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
    return buf;
}

class tokenizer {
public:
    explicit tokenizer(std::string_view text) : text_(text) {}

    token next() {
        skip_space();
        token t;
        t.begin = t.end = at_;
        if (at_ >= text_.size()) return t;
        const code_point cp = decode_utf8(text_, at_);
        if (cp.length == 0) {
            fail_at("invalid UTF-8: byte " + hex_byte(static_cast<unsigned char>(text_[at_])) +
                        " cannot start a character; formulas are text",
                    text_, at_);
        }
        const char32_t c = cp.value;
        if (is_ascii_letter(c) || is_greek(c) || c == 0x177 /* ŷ */) {
            at_ += cp.length;
            while (at_ < text_.size()) {
                const char d = text_[at_];
                if (is_ascii_letter(static_cast<unsigned char>(d)) || is_digit(static_cast<unsigned char>(d)) || d == '_') {
                    ++at_;
                } else {
                    break;
                }
            }
            if (at_ - t.begin > 64) fail_at("a name longer than 64 characters", text_, t.begin, at_, t.begin);
            return finish(t, token_kind::identifier);
        }
        if (is_digit(c) || (c == '.' && at_ + 1 < text_.size() && is_digit(static_cast<unsigned char>(text_[at_ + 1])))) {
            return number(t);
        }
        at_ += cp.length;
        switch (c) {
            case '(': return finish(t, token_kind::open);
            case ')': return finish(t, token_kind::close);
            case '{': return finish(t, token_kind::open_brace);
            case '}': return finish(t, token_kind::close_brace);
            case ',': return finish(t, token_kind::comma);
            case '+': return finish(t, token_kind::plus);
            case '-': case 0x2212: return finish(t, token_kind::minus);
            case '*': case 0xB7: case 0xD7: case 0x22C5: return finish(t, token_kind::times);
            case '/': return finish(t, token_kind::slash);
            case '^': return finish(t, token_kind::power);
            case 0x2299: case 0x2218: return finish(t, token_kind::hadamard);  // ⊙ ∘
            case 0x1D40: return finish(t, token_kind::transposed);          // ᵀ
            case '.':
                if (at_ < text_.size() && text_[at_] == '*') {
                    ++at_;
                    return finish(t, token_kind::hadamard);
                }
                fail_at("unexpected '.': write .* for the element-wise product, or a number such as 0.5", text_, t.begin);
            default: break;
        }
        if (c < 0x20 || c == 0x7F) {
            fail_at("unexpected control character " + code_point_name(c), text_, t.begin);
        }
        if (c == '_') fail_at("a name must start with a letter", text_, t.begin);
        if (c == '[' || c == ']') fail_at("unexpected '" + std::string(1, static_cast<char>(c)) + "': group with ( and )", text_, t.begin);
        if (c == '\'') fail_at("unexpected quote: write A^T for the transpose of A", text_, t.begin);
        if (c < 0x80) {
            fail_at("unexpected character '" + std::string(1, static_cast<char>(c)) + "'", text_, t.begin);
        }
        fail_at("unexpected character '" + std::string(text_.substr(t.begin, cp.length)) + "' (" + code_point_name(c) + ")",
                text_, t.begin);
    }

    std::size_t position() const { return at_; }
    void rewind(std::size_t at) { at_ = at; }

private:
    void skip_space() {
        while (at_ < text_.size()) {
            const char c = text_[at_];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                ++at_;
            } else if (static_cast<unsigned char>(c) == 0xC2 && at_ + 1 < text_.size() &&
                       static_cast<unsigned char>(text_[at_ + 1]) == 0xA0) {
                at_ += 2;  // no-break space
            } else {
                break;
            }
        }
    }

    token finish(token t, token_kind kind) {
        t.kind = kind;
        t.end = at_;
        return t;
    }

    token number(token t) {
        const auto digit_at = [&](std::size_t i) { return i < text_.size() && is_digit(static_cast<unsigned char>(text_[i])); };
        while (digit_at(at_)) ++at_;
        // "2.*X" is 2 .* X, as in MATLAB; "2.5" and "2." are numbers.
        if (at_ < text_.size() && text_[at_] == '.' && !(at_ + 1 < text_.size() && text_[at_ + 1] == '*')) {
            ++at_;
            while (digit_at(at_)) ++at_;
        }
        if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
            std::size_t e = at_ + 1;
            if (e < text_.size() && (text_[e] == '+' || text_[e] == '-')) ++e;
            if (digit_at(e)) {
                at_ = e;
                while (digit_at(at_)) ++at_;
            }
        }
        if (at_ - t.begin > 40) fail_at("a number longer than 40 characters", text_, t.begin, at_, t.begin);
        return finish(t, token_kind::number);
    }

    std::string_view text_;
    std::size_t at_ = 0;
};

std::string describe(const token& t, std::string_view text) {
    switch (t.kind) {
        case token_kind::end: return "the end of the formula";
        case token_kind::number: return "the number " + quote(text.substr(t.begin, t.end - t.begin));
        default: return "'" + quote(text.substr(t.begin, t.end - t.begin)) + "'";
    }
}

class parser {
public:
    parser(std::string_view text, const parse_limits& limits) : text_(text), tokens_(text), limits_(limits) {
        out_.text = std::string(text);
        advance();
    }

    formula run() {
        if (text_.size() > limits_.max_length) {
            fail_at("the formula is longer than " + std::to_string(limits_.max_length) + " characters", text_,
                    limits_.max_length);
        }
        if (current_.kind == token_kind::end) {
            fail_at("empty formula: write a loss such as mse(tanh(X*W1 + b1^T)*W2 + b2^T, Y)", text_, 0);
        }
        out_.root = expression();
        if (current_.kind != token_kind::end) unexpected_after_expression();
        return std::move(out_);
    }

private:
    // RAII depth counter for the recursive rules; the limit bounds the native stack.
    struct nesting {
        explicit nesting(parser& p) : p_(p) {
            if (++p_.depth_ > p_.limits_.max_depth) {
                fail_at("the formula nests deeper than " + std::to_string(p_.limits_.max_depth) + " levels",
                        p_.text_, p_.current_.begin);
            }
        }
        ~nesting() { --p_.depth_; }
        nesting(const nesting&) = delete;
        nesting& operator=(const nesting&) = delete;
        parser& p_;
    };

    void advance() {
        previous_end_ = current_.end;
        current_ = tokens_.next();
    }

    std::string_view spelled(const token& t) const { return text_.substr(t.begin, t.end - t.begin); }

    int add(formula_node n) {
        int deepest = 0;
        for (int a : n.args) deepest = std::max(deepest, out_[a].depth);
        n.depth = deepest + 1;
        if (n.depth > limits_.max_depth) {
            fail_at("the formula nests deeper than " + std::to_string(limits_.max_depth) + " levels", text_, n.begin,
                    n.end, n.at);
        }
        out_.nodes.push_back(std::move(n));
        return static_cast<int>(out_.nodes.size()) - 1;
    }

    int binary(op kind, int left, int right, std::size_t at) {
        formula_node n;
        n.kind = kind;
        n.args = {left, right};
        n.begin = out_[left].begin;
        n.end = out_[right].end;
        n.at = at;
        return add(std::move(n));
    }

    // expression := term (('+' | '-') term)*
    int expression() {
        nesting guard(*this);
        int left = term();
        while (current_.kind == token_kind::plus || current_.kind == token_kind::minus) {
            const token o = current_;
            advance();
            const int right = term();
            left = binary(o.kind == token_kind::plus ? op::add : op::subtract, left, right, o.begin);
        }
        return left;
    }

    // term := unary (('*' | '/' | '.*') unary)*
    int term() {
        int left = unary();
        while (current_.kind == token_kind::times || current_.kind == token_kind::slash ||
               current_.kind == token_kind::hadamard) {
            const token o = current_;
            advance();
            const int right = unary();
            const op kind = o.kind == token_kind::times ? op::matmul : o.kind == token_kind::slash ? op::divide : op::hadamard;
            left = binary(kind, left, right, o.begin);
        }
        return left;
    }

    // unary := ('-' | '+') unary | postfix
    int unary() {
        nesting guard(*this);
        if (current_.kind == token_kind::minus) {
            const token o = current_;
            advance();
            const int operand = unary();
            formula_node n;
            n.kind = op::negate;
            n.args = {operand};
            n.begin = o.begin;
            n.end = out_[operand].end;
            n.at = o.begin;
            return add(std::move(n));
        }
        if (current_.kind == token_kind::plus) {
            advance();
            return unary();
        }
        return postfix();
    }

    // postfix := primary ('^' ('T' | '2' | '{T}' | '{2}') | 'ᵀ')*
    int postfix() {
        int operand = primary();
        while (current_.kind == token_kind::power || current_.kind == token_kind::transposed) {
            const token o = current_;
            advance();
            op kind = op::transpose;
            if (o.kind == token_kind::power) {
                const bool braced = current_.kind == token_kind::open_brace;
                if (braced) advance();
                const std::string_view exponent = spelled(current_);
                if ((current_.kind == token_kind::identifier && exponent == "T") ||
                    (current_.kind == token_kind::identifier && exponent == "\xe1\xb5\x80")) {
                    kind = op::transpose;
                } else if (current_.kind == token_kind::number && exponent == "2") {
                    kind = *function_named("square");
                } else {
                    fail_at("after '^' write T (transpose) or 2 (square), found " + describe(current_, text_), text_,
                            o.begin, current_.end, current_.begin);
                }
                advance();
                if (braced) {
                    if (current_.kind != token_kind::close_brace) {
                        fail_at("expected '}' to close '^{', found " + describe(current_, text_), text_, current_.begin);
                    }
                    advance();
                }
            }
            formula_node n;
            n.kind = kind;
            n.args = {operand};
            n.begin = out_[operand].begin;
            n.end = previous_end_;
            n.at = o.begin;
            operand = add(std::move(n));
        }
        return operand;
    }

    // primary := number | name | name '(' arguments ')' | '(' expression ')'
    int primary() {
        const token t = current_;
        switch (t.kind) {
            case token_kind::number: return number(t);
            case token_kind::identifier: return name(t);
            case token_kind::open: {
                advance();
                ++open_parens_;
                const int inner = expression();
                if (current_.kind != token_kind::close) unclosed(t);
                --open_parens_;
                advance();
                // The parentheses belong to the operand's span, so carets cover them.
                formula_node& n = out_.nodes[static_cast<std::size_t>(inner)];
                n.begin = std::min(n.begin, t.begin);
                n.end = std::max(n.end, previous_end_);
                return inner;
            }
            case token_kind::close:
                if (open_parens_ == 0) fail_at("unbalanced parenthesis: this ')' has no matching '('", text_, t.begin);
                fail_at("expected an operand (a variable, a number, a call or '(') before this ')'", text_, t.begin);
            case token_kind::end:
                fail_at("the formula ends where an operand (a variable, a number, a call or '(') is expected", text_,
                        t.begin);
            case token_kind::comma:
                fail_at("expected an operand, found ','", text_, t.begin);
            default:
                fail_at("expected an operand (a variable, a number, a call or '('), found " + describe(t, text_), text_,
                        t.begin);
        }
    }

    int number(const token& t) {
        const std::string spelling(spelled(t));
        char* stop = nullptr;
        const double value = std::strtod(spelling.c_str(), &stop);
        if (!std::isfinite(value)) {
            fail_at("the number " + spelling + " is out of range: a double is at most about 1.8e308", text_, t.begin,
                    t.end, t.begin);
        }
        // 1e-400 would silently be 0 (and 1/1e-400 a division by zero in the program).
        const bool nonzero_digits = spelling.substr(0, spelling.find_first_of("eE")).find_first_of("123456789") !=
                                    std::string::npos;
        if (value == 0 && nonzero_digits) {
            fail_at("the number " + spelling + " is out of range: it is too small for a double (about 4.9e-324 at least) "
                    "and would be 0",
                    text_, t.begin, t.end, t.begin);
        }
        formula_node n;
        n.kind = op::number;
        n.written = spelling;
        n.value = value;
        n.integer = spelling.find_first_of(".eE") == std::string::npos && value <= 1e15;
        n.begin = t.begin;
        n.end = t.end;
        n.at = t.begin;
        advance();
        if (current_.kind == token_kind::identifier || current_.kind == token_kind::open) {
            fail_at("expected an operator between " + spelling + " and " + describe(current_, text_) + ": write " +
                        spelling + "*" + quote(spelled(current_), 12) + " for a product",
                    text_, current_.begin);
        }
        return add(std::move(n));
    }

    int name(const token& t) {
        const std::string spelling(spelled(t));
        advance();
        const auto function = function_named(spelling);
        if (current_.kind == token_kind::open) {
            if (!function) {
                const std::string guess = closest_function(spelling);
                fail_at("unknown function '" + quote(spelling) + "'" +
                            (guess.empty() ? std::string("; see `ctgrad-gen help` for the functions")
                                           : "; did you mean '" + guess + "'?"),
                        text_, t.begin, t.end, t.begin);
            }
            return call(t, *function);
        }
        if (function) {
            fail_at("'" + spelling + "' is a function: write " + std::string(info(*function).signature), text_, t.begin,
                    t.end, t.begin);
        }
        formula_node n;
        n.kind = op::variable;
        n.written = spelling;
        n.latex = latex_name(spelling);
        n.begin = t.begin;
        n.end = t.end;
        n.at = t.begin;
        return add(std::move(n));
    }

    int call(const token& name_token, op function) {
        const token open = current_;
        advance();
        ++open_parens_;
        formula_node n;
        n.kind = function;
        n.called = true;
        n.begin = name_token.begin;
        n.at = name_token.begin;
        if (current_.kind != token_kind::close) {
            while (true) {
                n.args.push_back(expression());
                if (current_.kind == token_kind::comma) {
                    if (n.args.size() >= 8) fail_at("too many arguments", text_, current_.begin);
                    advance();
                    continue;
                }
                break;
            }
        }
        if (current_.kind != token_kind::close) {
            if (current_.kind == token_kind::end) unclosed(open);
            fail_at("expected ',' or ')' in the call of " + std::string(spelled(name_token)) + ", found " +
                        describe(current_, text_),
                    text_, current_.begin);
        }
        --open_parens_;
        advance();
        n.end = previous_end_;
        const op_info& what = info(function);
        if (static_cast<int>(n.args.size()) != what.arity) {
            fail_at(std::string(spelled(name_token)) + " takes " + std::to_string(what.arity) + " argument" +
                        (what.arity == 1 ? "" : "s") + " (" + std::string(what.signature) + "), found " +
                        std::to_string(n.args.size()) +
                        (static_cast<int>(n.args.size()) > what.arity ? "; is a ')' missing before a ','?" : ""),
                    text_, n.begin, n.end, n.at);
        }
        // slice_cols(A, begin, count): the numbers become C++ template arguments.
        for (std::size_t k = n.args.size() - static_cast<std::size_t>(what.template_numbers); k < n.args.size(); ++k) {
            const formula_node& a = out_.nodes[static_cast<std::size_t>(n.args[k])];
            if (a.kind != op::number || !a.integer || a.value > 1000000) {
                fail_at(std::string(spelled(name_token)) + " needs whole numbers for its last " +
                            std::to_string(what.template_numbers) + " arguments (" + std::string(what.signature) + ")",
                        text_, a.begin, a.end, a.at);
            }
        }
        return add(std::move(n));
    }

    [[noreturn]] void unclosed(const token& open) {
        fail_at("unbalanced parenthesis: this '(' is never closed", text_, open.begin, text_.size(), open.begin);
    }

    [[noreturn]] void unexpected_after_expression() {
        const token t = current_;
        switch (t.kind) {
            case token_kind::close:
                fail_at("unbalanced parenthesis: this ')' has no matching '('", text_, t.begin);
            case token_kind::comma:
                fail_at("',' outside a function call", text_, t.begin);
            case token_kind::identifier:
            case token_kind::number:
            case token_kind::open:
                fail_at("expected an operator before " + describe(t, text_) +
                            " (a product is written with *: X*W1)",
                        text_, t.begin);
            default:
                fail_at("unexpected " + describe(t, text_), text_, t.begin);
        }
    }

    std::string_view text_;
    tokenizer tokens_;
    parse_limits limits_;
    token current_;
    std::size_t previous_end_ = 0;
    int depth_ = 0;
    int open_parens_ = 0;
    formula out_;
};

}  // namespace

formula parse(std::string_view text, const parse_limits& limits) { return parser(text, limits).run(); }

}  // namespace ctgrad::gen
