// The command line as a request: every option's syntax and every rule about which command takes
// which option, so later stages receive only well-formed requests.
#include "options.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "diagnostic.hpp"
#include "formula.hpp"

namespace ctgrad::gen {

// ---- --dims, --wrt, --data --------------------------------------------------------------------------------

namespace {

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

/// Splits `text` at spaces (and at commas when `commas`), keeping each item's offset.
std::vector<std::pair<std::size_t, std::string_view>> items_of(std::string_view text, bool commas) {
    std::vector<std::pair<std::size_t, std::string_view>> out;
    std::size_t at = 0;
    const auto separator = [&](char c) { return c == ' ' || c == '\t' || c == '\n' || (commas && c == ','); };
    while (at < text.size()) {
        while (at < text.size() && separator(text[at])) ++at;
        const std::size_t begin = at;
        while (at < text.size() && !separator(text[at])) ++at;
        if (at > begin) out.emplace_back(begin, text.substr(begin, at - begin));
    }
    return out;
}

/// One name of an option: a variable name as in formulas, returned as its LaTeX name.
std::string name_in_option(std::string_view whole, std::size_t begin, std::string_view item, std::string_view option) {
    formula f;
    try {
        f = parse(item);
    } catch (const input_error& e) {
        fail_at(std::string(option) + ": " + e.where.message, whole, begin + e.where.begin, begin + e.where.end,
                begin + e.where.caret);
    }
    if (f.top().kind != op::variable) {
        fail_at(std::string(option) + ": expected a variable name, found '" + quote(item) + "'", whole, begin,
                begin + item.size(), begin);
    }
    return f.top().latex;
}

}  // namespace

std::vector<option_name> parse_name_list(std::string_view text, std::string_view option) {
    std::vector<option_name> out;
    for (const auto& [begin, item] : items_of(text, true)) {
        std::string latex = name_in_option(text, begin, item, option);
        if (std::none_of(out.begin(), out.end(), [&](const option_name& o) { return o.latex == latex; })) {
            out.push_back({std::move(latex), begin, begin + item.size()});
        }
    }
    return out;
}

dims_option parse_dims(std::string_view text) {
    dims_option out;
    out.text = std::string(text);
    for (const auto& [begin, item] : items_of(text, false)) {
        const std::size_t equals = item.find('=');
        if (equals == std::string_view::npos || equals == 0) {
            fail_at("--dims: expected NAME=ROWS,COLS (such as W1=d,H or b1=H), found '" + quote(item) + "'", text, begin,
                    begin + item.size(), begin + (equals == std::string_view::npos ? 0 : equals));
        }
        dims_option::entry e;
        e.latex = name_in_option(text, begin, item.substr(0, equals), "--dims");
        e.begin = begin;
        e.end = begin + item.size();
        std::vector<dim_spec> specs;
        std::size_t at = equals + 1;
        while (true) {
            const std::size_t comma = std::min(item.find(',', at), item.size());
            const std::string_view piece = item.substr(at, comma - at);
            const std::size_t where = begin + at;
            dim_spec spec;
            if (piece.empty()) {
                fail_at("--dims: a dimension is missing in '" + quote(item) + "'", text, begin, begin + item.size(), where);
            } else if (std::all_of(piece.begin(), piece.end(), [](char c) { return c >= '0' && c <= '9'; })) {
                if (piece.size() > 6 || std::stol(std::string(piece)) == 0 || std::stol(std::string(piece)) > 100000) {
                    fail_at("--dims: a size must be between 1 and 100000", text, where, where + piece.size(), where);
                }
                spec.number = std::stol(std::string(piece));
            } else if (std::isalpha(static_cast<unsigned char>(piece[0])) &&
                       std::all_of(piece.begin(), piece.end(), is_name_char) && piece.size() <= 16) {
                spec.name = std::string(piece);
            } else {
                fail_at("--dims: a dimension is a size (3) or a name (d, H, n for the batch), found '" + quote(piece) + "'",
                        text, where, where + piece.size(), where);
            }
            specs.push_back(spec);
            if (comma >= item.size()) break;
            at = comma + 1;
        }
        if (specs.size() > 2) {
            fail_at("--dims: a variable has two dimensions, rows and columns", text, begin, begin + item.size(), begin);
        }
        e.rows = specs[0];
        if (specs.size() == 2) {
            e.cols = specs[1];
        } else {
            e.cols.number = 1;  // b1=H is a column vector
        }
        for (const auto& previous : out.entries) {
            if (previous.latex == e.latex) {
                fail_at("--dims: " + std::string(item.substr(0, equals)) + " is given twice", text, begin,
                        begin + item.size(), begin);
            }
        }
        out.entries.push_back(std::move(e));
    }
    return out;
}

// ---- the command line ----------------------------------------------------------------------

namespace {

/// The command line as one text, and where each argument starts in it, for carets.
struct command_line {
    std::string text;
    std::vector<std::size_t> starts;

    explicit command_line(const std::vector<std::string>& args) {
        for (const auto& a : args) {
            if (!text.empty()) text += ' ';
            starts.push_back(text.size());
            text += a;
        }
    }

    [[noreturn]] void fail(const std::string& message, std::size_t arg) const {
        const std::size_t begin = arg < starts.size() ? starts[arg] : text.size();
        const std::size_t end = arg + 1 < starts.size() ? starts[arg + 1] - 1 : text.size();
        fail_at(message, text, begin, end, begin);
    }
};

}  // namespace

request parse_arguments(const std::vector<std::string>& args) {
    const command_line line(args);
    request r;
    if (args.empty()) {
        r.command = "help";
        return r;
    }
    r.command = args[0];
    const auto value = [&](std::size_t& i, const std::string& option, std::string& out) {
        const std::string& a = args[i];
        if (a.size() > option.size() && a[option.size()] == '=') {
            out = a.substr(option.size() + 1);
            return;
        }
        if (i + 1 >= args.size()) line.fail(option + " needs a value", i);
        out = args[++i];
    };
    const auto positional = [&](std::size_t i) {
        if (r.has_formula) line.fail("one formula at a time: quote it ('...') so the shell passes it as one argument", i);
        r.formula = args[i];
        r.has_formula = true;
    };
    // A second --claim, --name or --format would silently replace the first.
    const auto once = [&](std::size_t i, bool given_before) {
        if (given_before) line.fail(args[i].substr(0, args[i].find('=')) + " is given twice; give it once", i);
    };
    std::vector<std::pair<std::string, std::size_t>> options;  // as typed (without =value), and where
    // After `--`, as in POSIX tools, every argument is positional: a formula may start with '-'.
    bool options_ended = false;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (options_ended) {
            positional(i);
            continue;
        }
        if (a == "--") {
            options_ended = true;
            continue;
        }
        const auto is = [&](const char* option) {
            const std::string o = option;
            return a == o || (a.size() > o.size() && a.compare(0, o.size() + 1, o + "=") == 0);
        };
        if (a.rfind("--", 0) == 0 || a == "-v" || a == "-h") {
            options.emplace_back(a.substr(0, a.find('=')), i);
        }
        if (is("--wrt")) {
            std::string v;
            value(i, "--wrt", v);
            r.wrt += (r.has_wrt ? "," : "") + v;
            r.has_wrt = true;
        } else if (is("--data")) {
            std::string v;
            value(i, "--data", v);
            r.data += (r.has_data ? "," : "") + v;
            r.has_data = true;
        } else if (is("--dims")) {
            std::string v;
            value(i, "--dims", v);
            r.dims += (r.dims.empty() ? "" : " ") + v;
            // --dims X=n,d W1=d,H: the items after it, up to the next option.
            while (i + 1 < args.size() && args[i + 1].find('=') != std::string::npos && args[i + 1].rfind("--", 0) != 0) {
                r.dims += " " + args[++i];
            }
        } else if (is("--format")) {
            once(i, !r.format.empty());
            value(i, "--format", r.format);
            if (r.format.empty()) line.fail("--format needs a value", i);
        } else if (is("--claim")) {
            once(i, r.has_claim);
            value(i, "--claim", r.claim);
            r.has_claim = true;
        } else if (is("--steps")) {
            once(i, r.has_steps);
            value(i, "--steps", r.steps);
            r.has_steps = true;
        } else if (is("--lang")) {
            once(i, !r.lang.empty());
            value(i, "--lang", r.lang);
            if (r.lang.empty()) line.fail("--lang needs a value", i);
        } else if (is("--variants")) {
            once(i, r.has_variants);
            value(i, "--variants", r.variants);
            r.has_variants = true;
        } else if (is("--out")) {
            once(i, r.has_out);
            value(i, "--out", r.out);
            r.has_out = true;
        } else if (is("--seed")) {
            once(i, r.has_seed);
            value(i, "--seed", r.seed);
            r.has_seed = true;
        } else if (is("--name")) {
            once(i, r.has_name);
            value(i, "--name", r.name);
            r.has_name = true;
        } else if (a == "--standalone") {
            r.standalone = true;
        } else if (a == "--verbose" || a == "-v") {
            r.verbose = true;
        } else if (a == "--help" || a == "-h") {
            r.command = "help";
        } else if (a.rfind("--", 0) == 0 && a.size() > 2) {
            line.fail("unknown option " + quote(a) + " (see ctgrad-gen help)", i);
        } else {
            positional(i);
        }
    }
    // Once the command is known: an option it would ignore is an error, not a no-op.
    for (const auto& [option, at] : options) {
        const std::string misuse = option_misuse(r, option);
        if (!misuse.empty()) line.fail(misuse, at);
    }
    return r;
}


/// --format, or the command's default: LaTeX for derive, text for the lecture.
std::string format_requested(const request& r) {
    if (!r.format.empty()) return r.format;
    return r.command == "lecture" || r.command == "check" ? "text" : "latex";
}

std::string format_of(const request& r) {
    const std::string f = format_requested(r);
    if (r.command == "check") {
        if (f != "text" && f != "json") fail_at("--format: check writes text or json", r.format, 0, r.format.size(), 0);
        return f;
    }
    static const std::set<std::string> known{"latex", "markdown", "text", "json", "html"};
    if (!known.count(f)) fail_at("--format: expected latex, markdown, text, json or html", r.format, 0, r.format.size(), 0);
    return f;
}

language language_of(const request& r) {
    if (r.lang.empty() || r.lang == "en") return language::en;
    if (r.lang == "ru") return language::ru;
    fail_at("--lang: expected en or ru", r.lang, 0, r.lang.size(), 0);
}

std::string option_misuse(const request& r, std::string_view option) {
    // The options each command reads; lecture's formulas come with their own --dims.
    static const std::map<std::string, std::vector<std::string>, std::less<>> takes{
        {"derive", {"--wrt", "--data", "--dims", "--format", "--standalone", "--lang", "--verbose"}},
        {"check", {"--wrt", "--data", "--dims", "--claim", "--steps", "--format", "--lang", "--verbose"}},
        {"emit", {"--wrt", "--data", "--dims", "--name", "--verbose"}},
        {"shapes", {"--data", "--dims"}},
        {"lecture", {"--wrt", "--data", "--format", "--standalone", "--lang", "--verbose"}},
        {"exercise", {"--wrt", "--data", "--dims", "--variants", "--seed", "--out", "--lang", "--verbose"}},
        {"cache", {}},
        {"config", {}},
    };
    const auto it = takes.find(r.command);
    if (it == takes.end()) return "";
    const std::string given(option);
    if (r.command == "lecture" && !r.has_formula) {
        return given + " does not apply to lecture without a NAME, which lists the formulas and takes no options";
    }
    const std::vector<std::string>& known = it->second;
    if (std::find(known.begin(), known.end(), given == "-v" ? "--verbose" : given) == known.end()) {
        std::string list;
        for (const auto& o : known) list += (list.empty() ? "" : ", ") + o;
        return given + " does not apply to " + r.command + "; " + r.command +
               (list.empty() ? std::string(" takes no options") : " takes " + list);
    }
    if (given == "--standalone" && format_requested(r) != "latex") {
        return "--standalone makes a LaTeX document: it applies to " + r.command + " --format latex only";
    }
    return "";
}

}  // namespace ctgrad::gen
