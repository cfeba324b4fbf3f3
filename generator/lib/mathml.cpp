// LaTeX to MathML for ctgrad's subset, and the HTML page around it (see mathml.hpp).
#include "mathml.hpp"

#include <map>
#include <vector>

#include "diagnostic.hpp"

namespace ctgrad::gen {

std::string xml_escape(std::string_view text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

namespace {

const std::map<std::string_view, std::string_view>& symbols() {
    // Identifiers (<mi>): Greek letters and named constants.
    static const std::map<std::string_view, std::string_view> table{
        {"alpha", "α"}, {"beta", "β"},   {"gamma", "γ"}, {"delta", "δ"},  {"epsilon", "ε"}, {"zeta", "ζ"},
        {"eta", "η"},   {"theta", "θ"},  {"iota", "ι"},  {"kappa", "κ"},  {"lambda", "λ"},  {"mu", "μ"},
        {"nu", "ν"},    {"xi", "ξ"},     {"pi", "π"},    {"rho", "ρ"},    {"sigma", "σ"},   {"tau", "τ"},
        {"upsilon", "υ"}, {"phi", "φ"},  {"chi", "χ"},   {"psi", "ψ"},    {"omega", "ω"},   {"Gamma", "Γ"},
        {"Delta", "Δ"}, {"Theta", "Θ"},  {"Lambda", "Λ"}, {"Xi", "Ξ"},    {"Pi", "Π"},      {"Sigma", "Σ"},
        {"Phi", "Φ"},   {"Psi", "Ψ"},    {"Omega", "Ω"}, {"partial", "∂"}, {"infty", "∞"}, {"ell", "ℓ"},
    };
    return table;
}

const std::map<std::string_view, std::string_view>& operators() {
    static const std::map<std::string_view, std::string_view> table{
        {"cdot", "·"}, {"odot", "⊙"}, {"times", "×"}, {"cdots", "⋯"}, {"vdots", "⋮"}, {"ldots", "…"},
        {"{", "{"},    {"}", "}"},    {"leq", "≤"},   {"geq", "≥"},   {"neq", "≠"},   {"in", "∈"},
        {"to", "→"},   {"mid", "|"},  {"|", "‖"},
    };
    return table;
}

bool is_function_name(std::string_view name) {
    static const char* const names[] = {"tanh", "exp", "log", "ln", "sin", "cos", "max", "min", "sinh", "cosh"};
    for (const char* n : names) {
        if (name == n) return true;
    }
    return false;
}

class converter {
public:
    explicit converter(std::string_view tex) : s_(tex) {}

    std::string run() {
        std::string out = row({});
        if (at_ < s_.size()) fail("unexpected '" + std::string(1, s_[at_]) + "'");
        return out;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw tool_error("ctgrad-gen cannot write this LaTeX as MathML (" + what + " at " + std::to_string(at_) +
                         "): " + quote(s_, 80));
    }

    bool starts(std::string_view p) const { return s_.substr(at_, p.size()) == p; }

    void skip_spaces() {
        while (at_ < s_.size() && (s_[at_] == ' ' || s_[at_] == '\n' || s_[at_] == '\t')) ++at_;
    }

    /// The name of the command at at_ (after '\'), or one character for \{ \, \\ ...
    std::string command() {
        ++at_;  // '\'
        const std::size_t begin = at_;
        while (at_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[at_]))) ++at_;
        if (at_ == begin && at_ < s_.size()) ++at_;
        return std::string(s_.substr(begin, at_ - begin));
    }

    /// The raw text of a {...} group (braces balanced), for \text and \operatorname.
    std::string raw_group() {
        skip_spaces();
        if (at_ >= s_.size() || s_[at_] != '{') fail("expected '{'");
        int depth = 0;
        const std::size_t begin = at_ + 1;
        for (; at_ < s_.size(); ++at_) {
            if (s_[at_] == '\\' && at_ + 1 < s_.size()) {
                ++at_;
                continue;
            }
            if (s_[at_] == '{') ++depth;
            if (s_[at_] == '}' && --depth == 0) break;
        }
        if (at_ >= s_.size()) fail("a group is never closed");
        const std::string out(s_.substr(begin, at_ - begin));
        ++at_;
        return out;
    }

    /// One argument: a {...} group or a single token.
    std::string argument() {
        skip_spaces();
        if (at_ < s_.size() && s_[at_] == '{') {
            ++at_;
            std::string inner = row({"}"});
            if (at_ >= s_.size()) fail("a group is never closed");
            ++at_;
            return inner;
        }
        return atom();
    }

    static std::string text_node(std::string_view t) {
        std::string out;
        for (std::size_t i = 0; i < t.size(); ++i) {
            if (t.substr(i, 3) == "---") {
                out += "—";
                i += 2;
            } else if (t.substr(i, 2) == "--") {
                out += "–";
                ++i;
            } else if (t[i] == '\\' && i + 1 < t.size()) {
                out += t[++i];
            } else if (t[i] == ' ' && (i == 0 || i + 1 == t.size())) {
                out += "\xc2\xa0";  // MathML trims leading and trailing spaces of <mtext>
            } else {
                out += t[i];
            }
        }
        return "<mtext>" + xml_escape(out) + "</mtext>";
    }

    /// A delimiter after \left or \right: "" for '.'.
    std::string delimiter() {
        skip_spaces();
        if (at_ >= s_.size()) fail("a delimiter is missing");
        if (s_[at_] == '\\') {
            const std::string c = command();
            if (c == "{" || c == "}") return "<mo stretchy=\"true\">" + c + "</mo>";
            if (c == "|") return "<mo stretchy=\"true\">‖</mo>";
            fail("unknown delimiter \\" + c);
        }
        const char c = s_[at_++];
        if (c == '.') return "";
        return "<mo stretchy=\"true\">" + xml_escape(std::string(1, c)) + "</mo>";
    }

    std::string atom() {
        skip_spaces();
        if (at_ >= s_.size()) fail("an operand is missing");
        const char c = s_[at_];
        if (c == '{') return argument();
        if (std::isalpha(static_cast<unsigned char>(c))) {
            ++at_;
            return "<mi>" + std::string(1, c) + "</mi>";
        }
        if (std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && at_ + 1 < s_.size() && std::isdigit(static_cast<unsigned char>(s_[at_ + 1])))) {
            const std::size_t begin = at_;
            while (at_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[at_])) || s_[at_] == '.')) ++at_;
            return "<mn>" + std::string(s_.substr(begin, at_ - begin)) + "</mn>";
        }
        if (c == '\\') return command_atom();
        if (static_cast<unsigned char>(c) >= 0x80) {  // a UTF-8 character: an identifier
            const code_point cp = decode_utf8(s_, at_);
            if (cp.length == 0) fail("invalid UTF-8");
            const std::string ch(s_.substr(at_, cp.length));
            at_ += cp.length;
            return "<mi>" + ch + "</mi>";
        }
        ++at_;
        if (c == '\'') return "<mo>′</mo>";
        if (c == '-') return "<mo>−</mo>";
        if (c == ':' && starts("=")) {
            ++at_;
            return "<mo>≔</mo>";
        }
        // Parentheses without \left/\right keep their size, as in TeX.
        if (c == '(' || c == ')' || c == '[' || c == ']') return std::string("<mo stretchy=\"false\">") + c + "</mo>";
        return "<mo>" + xml_escape(std::string(1, c)) + "</mo>";
    }

    std::string command_atom() {
        const std::string name = command();
        if (name == "frac") {
            std::string top = argument();
            std::string bottom = argument();
            return "<mfrac>" + top + bottom + "</mfrac>";
        }
        if (name == "hat") return "<mover accent=\"true\">" + argument() + "<mo>^</mo></mover>";
        if (name == "operatorname" || name == "mathrm") {
            const std::string t = raw_group();
            return "<mi mathvariant=\"normal\">" + xml_escape(t) + "</mi>";
        }
        if (name == "mathit") return "<mi>" + xml_escape(raw_group()) + "</mi>";
        if (name == "mathbf") {
            const std::string t = raw_group();
            const bool digit = !t.empty() && std::isdigit(static_cast<unsigned char>(t[0]));
            return std::string(digit ? "<mn" : "<mi") + " mathvariant=\"bold\">" + xml_escape(t) + (digit ? "</mn>" : "</mi>");
        }
        if (name == "mathbb") {
            const std::string t = raw_group();
            const std::string letter = t == "R" ? "ℝ" : t == "N" ? "ℕ" : t == "Z" ? "ℤ" : t;
            return "<mi>" + xml_escape(letter) + "</mi>";
        }
        if (name == "mathcal") return "<mi mathvariant=\"script\">" + xml_escape(raw_group()) + "</mi>";
        if (name == "text") return text_node(raw_group());
        if (name == "sum") return "<mo largeop=\"true\" movablelimits=\"false\">∑</mo>";
        if (name == "left") {
            std::string out = "<mrow>" + delimiter();
            out += row({"\\right"});
            if (!starts("\\right")) fail("\\left without \\right");
            at_ += 6;
            return out + delimiter() + "</mrow>";
        }
        if (name == "," || name == ";" || name == ":" || name == " " || name == "quad") {
            return "<mspace width=\"" + std::string(name == "quad" ? "1em" : name == ";" ? "0.28em" : "0.17em") + "\"/>";
        }
        if (name == "begin") {
            const std::string env = raw_group();
            if (env != "aligned" && env != "align*") fail("unknown environment " + env);
            return table(env);
        }
        if (is_function_name(name)) return "<mi>" + name + "</mi>";
        if (const auto it = symbols().find(name); it != symbols().end()) return "<mi>" + std::string(it->second) + "</mi>";
        if (const auto it = operators().find(name); it != operators().end()) {
            const bool fence = name == "{" || name == "}";
            return std::string(fence ? "<mo stretchy=\"false\">" : "<mo>") + std::string(it->second) + "</mo>";
        }
        fail("unknown command \\" + name);
    }

    /// Rows separated by \\, cells by &, up to \end{env}.
    std::string table(const std::string& env) {
        std::string out = "<mtable displaystyle=\"true\">";
        while (true) {
            out += "<mtr>";
            while (true) {
                out += "<mtd>" + row({"&", "\\\\", "\\end"}) + "</mtd>";
                if (starts("&")) {
                    ++at_;
                    continue;
                }
                break;
            }
            out += "</mtr>";
            if (starts("\\\\")) {
                at_ += 2;
                skip_spaces();
                if (starts("\\end")) break;
                continue;
            }
            break;
        }
        if (!starts("\\end")) fail("\\begin{" + env + "} without \\end");
        at_ += 4;
        if (raw_group() != env) fail("\\end of another environment");
        return out + "</mtable>";
    }

    /// Atoms with their scripts up to one of `stops` (or the end).
    std::string row(std::vector<std::string_view> stops) {
        std::vector<std::string> items;
        while (true) {
            skip_spaces();
            if (at_ >= s_.size()) break;
            bool stop = false;
            for (std::string_view p : stops) stop = stop || starts(p);
            if (stop) break;
            if (s_[at_] == '}') fail("unbalanced '}'");
            std::string base = atom();
            const bool large = base.find("largeop") != std::string::npos;
            std::string sub, sup;
            for (int k = 0; k < 2; ++k) {
                skip_spaces();
                if (starts("_") && sub.empty()) {
                    ++at_;
                    sub = argument();
                } else if (starts("^") && sup.empty()) {
                    ++at_;
                    sup = argument();
                }
            }
            if (!sub.empty() && !sup.empty()) {
                base = (large ? "<munderover>" : "<msubsup>") + base + wrap(sub) + wrap(sup) + (large ? "</munderover>" : "</msubsup>");
            } else if (!sub.empty()) {
                base = (large ? "<munder>" : "<msub>") + base + wrap(sub) + (large ? "</munder>" : "</msub>");
            } else if (!sup.empty()) {
                base = (large ? "<mover>" : "<msup>") + base + wrap(sup) + (large ? "</mover>" : "</msup>");
            }
            items.push_back(std::move(base));
        }
        if (items.size() == 1) return items[0];
        std::string out = "<mrow>";
        for (const auto& i : items) out += i;
        return out + "</mrow>";
    }

    /// A script must be one element.
    static std::string wrap(const std::string& e) { return e.empty() ? "<mrow></mrow>" : e; }

    std::string_view s_;
    std::size_t at_ = 0;
};

/// Inline text with $...$ math, escaped.
std::string inline_text(std::string_view line) {
    std::string out;
    std::size_t at = 0;
    while (at < line.size()) {
        const std::size_t open = line.find('$', at);
        if (open == std::string_view::npos) {
            out += xml_escape(line.substr(at));
            break;
        }
        const std::size_t close = line.find('$', open + 1);
        if (close == std::string_view::npos) {
            out += xml_escape(line.substr(at));
            break;
        }
        out += xml_escape(line.substr(at, open - at));
        out += mathml(line.substr(open + 1, close - open - 1), false);
        at = close + 1;
    }
    return out;
}

}  // namespace

std::string mathml(std::string_view latex, bool display) {
    return std::string("<math xmlns=\"http://www.w3.org/1998/Math/MathML\"") + (display ? " display=\"block\"" : "") + ">" +
           converter(latex).run() + "</math>";
}

std::string markdown_to_xhtml(std::string_view markdown) {
    std::string out;
    std::vector<std::string> lines;
    for (std::size_t at = 0; at <= markdown.size();) {
        const std::size_t end = std::min(markdown.find('\n', at), markdown.size());
        lines.emplace_back(markdown.substr(at, end - at));
        at = end + 1;
    }
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        if (line.empty()) continue;
        if (line == "$$") {
            std::string block;
            for (++i; i < lines.size() && lines[i] != "$$"; ++i) block += lines[i] + "\n";
            out += mathml(block, true) + "\n";
        } else if (line.rfind("```", 0) == 0) {
            std::string block;
            for (++i; i < lines.size() && lines[i].rfind("```", 0) != 0; ++i) block += lines[i] + "\n";
            out += "<pre>" + xml_escape(block) + "</pre>\n";
        } else if (line.rfind("## ", 0) == 0) {
            out += "<h2>" + inline_text(std::string_view(line).substr(3)) + "</h2>\n";
        } else if (line.rfind("# ", 0) == 0) {
            out += "<h1>" + inline_text(std::string_view(line).substr(2)) + "</h1>\n";
        } else {
            out += "<p>" + inline_text(line) + "</p>\n";
        }
    }
    return out;
}

std::string html_page(std::string_view title, std::string_view body, std::string_view lang) {
    std::string out = "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"" + std::string(lang) +
                      "\" xml:lang=\"" + std::string(lang) + "\">\n<head>\n<meta charset=\"UTF-8\"/>\n<title>" +
                      xml_escape(title) + "</title>\n";
    // Aligned derivations: the left side right-aligned, the right side left-aligned, as align*.
    out += "<style>\nbody { font-family: serif; max-width: 60em; margin: 2em auto; padding: 0 1em; line-height: 1.5; }\n"
           "math[display=\"block\"] { margin: 1em 0; overflow-x: auto; overflow-y: hidden; font-size: 1.15em; }\n"
           "mtd { text-align: left; padding: 0.25em 0; }\nmtd:first-child { text-align: right; }\n"
           "pre { background: #f4f4f4; padding: 0.5em; overflow-x: auto; }\n"
           "section.variant { border-top: 1px solid #999; margin-top: 2em; }\n</style>\n</head>\n<body>\n";
    out += body;
    out += "</body>\n</html>\n";
    return out;
}

}  // namespace ctgrad::gen
