// The commands: parse and type the formula here (for precise errors), then let a program
// compiled against ctgrad derive, check or emit.
#include "commands.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <cstdio>
#include <new>
#include <iostream>
#include <set>

#include "diagnostic.hpp"
#include "formula.hpp"
#include "lecture.hpp"
#include "program.hpp"
#include "shapes.hpp"

namespace ctgrad::gen {

namespace fs = std::filesystem;

environment environment::configured() { return {toolchain::configured(), default_cache_directory()}; }

std::string usage() {
    return R"(ctgrad-gen: derive, check and export gradients of network formulas with ctgrad

usage:
  ctgrad-gen derive '<formula>' [--wrt W1,b1,...] [--format latex|markdown|text|json] [--standalone]
  ctgrad-gen check  '<formula>' --wrt W2 --claim '<expression>'
  ctgrad-gen emit   '<formula>' --name NAME [--wrt ...]
  ctgrad-gen lecture [NAME] [--format ...] [--standalone] [--wrt ...]
                                                the lecture's formulas (board, linear, logistic, ...)
  ctgrad-gen shapes '<formula>'                 the inferred shapes, without compiling
  ctgrad-gen cache [clear]                      where compiled programs are kept
  ctgrad-gen config                             the compiler, flags and headers programs use
options for formulas (an option the command does not use is an error):
  --dims 'X=n,d W1=d,H b1=H'   shapes: sizes (3), names (d, H) or n, the batch; b1=H is H x 1
                               (not for lecture: its formulas come with their shapes)
  --data X,Y                   the data variables (default X and Y): their rows are the batch n,
                               and derive/emit differentiate every other variable by default
  --verbose                    report compiling and cache hits on stderr (not for shapes)
  --standalone                 a complete LaTeX document (with --format latex)
  --                           ends the options: a formula after it may start with '-'
formulas:
  + - * / (* is the matrix product; a number or 1x1 factor scales), .* or hadamard(A, B),
  A^T or transpose(A), Z^2 or square(Z), relu/ReLU, tanh, sigmoid/sigma/σ, exp, log, softplus,
  step, identity, sum, mean, column_sums, count, mse(yhat, Y), bce(p, Y).
  Names: W1 is W_1, b2 is b_2, yhat is \hat{y}; in claims also Z1, A1, Z2, yhat (the
  intermediates derive names) and n (the batch size).
  Example: ctgrad-gen derive 'mse(tanh(relu(X*W1 + b1^T)*W2 + b2^T), Y)' --format text
exit codes: 0 done (a correct claim), 1 a wrong claim, 2 an error in the input, 3 a failure of
  the tool (the compiler, the cache)
)";
}

namespace {

/// Throws input_error quoting the formula with a caret at its end: for what is missing.
[[noreturn]] void fail_missing(const std::string& message, const std::string& formula) {
    fail_at(message, formula, formula.size());
}

std::vector<std::string> latex_names(const std::vector<option_name>& names) {
    std::vector<std::string> out;
    for (const auto& n : names) out.push_back(n.latex);
    return out;
}

std::string variables_written(const typed_formula& t) {
    std::string known;
    for (const auto& v : t.variables) known += (known.empty() ? "" : ", ") + v.written;
    return known;
}

typed_formula type_formula(const std::string& text, const request& r) {
    formula f = parse(text);
    shape_options options;
    std::vector<option_name> data;
    if (r.has_data) {
        data = parse_name_list(r.data, "--data");
        if (data.empty()) fail_at("--data: name at least one variable", r.data, 0);
        options.data = latex_names(data);
    }
    options.dims = parse_dims(r.dims);
    typed_formula t = infer_shapes(std::move(f), options);
    for (const auto& n : data) {
        if (t.find_variable(n.latex) == nullptr) {
            fail_at("--data: " + plain_name(n.latex) + " does not occur in the formula (its variables: " +
                        variables_written(t) + ")",
                    r.data, n.begin, n.end, n.begin);
        }
    }
    // A variable may not take a name the derivation gives the loss, the learning rate or an
    // intermediate (Z1 = X W): the derivation would print two different things under one name.
    std::vector<std::pair<std::string, std::string>> owned{{"L", "the loss"}, {"\\eta", "the learning rate"}};
    for (const auto& [latex, node] : name_intermediates(t)) owned.emplace_back(latex, quote(std::string(t.source.source(node)), 40));
    for (const auto& [latex, meaning] : owned) {
        if (const variable_info* v = t.find_variable(latex)) {
            const formula_node& at = t.source[v->node];
            fail_at("the variable " + v->written + " has the name the derivation gives " + meaning + "; rename the variable",
                    t.source.text, at.begin, at.end, at.at);
        }
    }
    return t;
}

void require_loss(const typed_formula& t) {
    const formula& f = t.source;
    if (t.variables.empty()) fail_at("the formula has no variables to differentiate", f.text, 0, f.text.size(), 0);
    if (!t.is_scalar(f.root)) {
        fail_at("the formula is " + t.shape_text_of(f.root) +
                    ", not a loss: wrap it in mse(..., Y), bce(..., Y), sum(...) or mean(...) to get 1 x 1",
                f.text, f.top().begin, f.top().end, f.top().at);
    }
}

/// The variables L depends on through their values: every occurrence except those inside
/// count(...), which reads only a shape. ctgrad cannot differentiate with respect to the others.
std::set<std::string> value_variables(const formula& f) {
    std::vector<bool> reached(f.nodes.size(), false);
    reached[static_cast<std::size_t>(f.root)] = true;
    std::set<std::string> out;
    for (int i = f.root; i >= 0; --i) {  // children precede their parents
        const formula_node& n = f[i];
        if (!reached[static_cast<std::size_t>(i)]) continue;
        if (n.kind == op::variable) out.insert(n.latex);
        if (n.kind == op::count) continue;
        for (int a : n.args) reached[static_cast<std::size_t>(a)] = true;
    }
    return out;
}

std::vector<std::string> wrt_of(const typed_formula& t, const request& r) {
    std::vector<std::string> out;
    const std::set<std::string> differentiable = value_variables(t.source);
    if (r.has_wrt) {
        const auto names = parse_name_list(r.wrt, "--wrt");
        if (names.empty()) fail_at("--wrt: name at least one variable", r.wrt, 0);
        for (const auto& n : names) {
            if (t.find_variable(n.latex) == nullptr) {
                fail_at("--wrt: " + plain_name(n.latex) + " does not occur in the formula (its variables: " +
                            variables_written(t) + ")",
                        r.wrt, n.begin, n.end, n.begin);
            }
            if (!differentiable.count(n.latex)) {
                fail_at("--wrt: " + plain_name(n.latex) + " occurs only inside count(...), which reads its shape, not its " +
                            "values: the loss does not depend on it",
                        r.wrt, n.begin, n.end, n.begin);
            }
            out.push_back(n.latex);
        }
        return out;
    }
    for (const auto& v : t.variables) {
        if (!v.data && differentiable.count(v.latex)) out.push_back(v.latex);
    }
    const bool has_parameters = std::any_of(t.variables.begin(), t.variables.end(), [](const auto& v) { return !v.data; });
    if (out.empty() && has_parameters) {  // then every parameter is inside count(...)
        fail_missing("the loss does not depend on the values of its parameters: they occur only inside count(...), "
                     "which reads their shapes",
                     t.source.text);
    }
    if (out.empty()) {
        fail_missing("every variable of the formula is data (the rows of a batch); name the ones to differentiate "
                     "with --wrt, or the data with --data",
                     t.source.text);
    }
    return out;
}

/// --format, or the command's default: LaTeX for derive, text for the lecture.
std::string format_requested(const request& r) {
    return !r.format.empty() ? r.format : r.command == "lecture" ? "text" : "latex";
}

std::string format_of(const request& r) {
    const std::string f = format_requested(r);
    static const std::set<std::string> known{"latex", "markdown", "text", "json"};
    if (!known.count(f)) fail_at("--format: expected latex, markdown, text or json", r.format, 0, r.format.size(), 0);
    return f;
}

/// Builds (or finds in the cache) and runs a program; a crash or timeout is the tool's failure.
process_result run_program(const environment& env, const std::string& source, const std::vector<std::string>& args,
                           outcome& o, bool verbose, bool progress, bool retry = true) {
    const built_program built = build_program(env.tools, source, env.cache, [&] {
        if (progress) {
            std::cerr << "ctgrad-gen: compiling this formula's program through ctgrad (once; later runs use the cache)...\n"
                      << std::flush;
        }
    });
    if (verbose) {
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "%.1f", built.compile_seconds);
        o.err += "ctgrad-gen: " +
                 (built.from_cache ? std::string("program found in the cache: ")
                                   : "program compiled in " + std::string(seconds) + " s: ") +
                 built.executable.string() + "\n";
    }
    std::vector<std::string> command{built.executable.string()};
    command.insert(command.end(), args.begin(), args.end());
    process_result result = run_process(command, 600);
    if (built.from_cache && retry && !result.timed_out && result.exit_code >= 127) {
        // A damaged cache entry (a truncated or replaced file): build it again, once.
        std::error_code ec;
        fs::remove_all(built.executable.parent_path(), ec);
        return run_program(env, source, args, o, verbose, progress, false);
    }
    if (result.timed_out || result.exit_code >= 127) {
        throw tool_error("the program built for this formula failed (exit " + std::to_string(result.exit_code) +
                         "): " + result.err + " (program: " + built.executable.string() + ")");
    }
    return result;
}

/// "X (n x d), W_1 (d x H) ...; sizes in the program: d = 3, H = 4; n any" for comments.
std::string shapes_summary(const typed_formula& t) {
    std::string shapes, sizes;
    std::set<std::string> seen;
    bool batch = false;
    for (const auto& v : t.variables) {
        shapes += (shapes.empty() ? "" : ", ") + v.written + " " + t.shape_text(v.rows, v.cols);
        for (int d : {v.rows, v.cols}) {
            const dim_info info = t.dim(d);
            if (info.batch) batch = true;
            if (info.batch || info.name == std::to_string(info.size) || !seen.insert(info.name).second) continue;
            sizes += (sizes.empty() ? "" : ", ") + info.name + " = " + std::to_string(info.size);
        }
    }
    std::string out = shapes;
    if (!sizes.empty()) out += "; " + sizes;
    if (batch) out += "; n, the batch, is any size";
    return out;
}

outcome derive(const request& r, const environment& env) {
    const typed_formula t = type_formula(r.formula, r);
    require_loss(t);
    const auto wrt = wrt_of(t, r);
    const std::string format = format_of(r);
    outcome o;
    std::vector<std::string> args{format};
    if (r.standalone) args.emplace_back("standalone");
    const process_result p = run_program(env, derive_program(t, wrt), args, o, r.verbose, r.progress);
    o.out = p.out;
    o.err += p.err;
    if (p.exit_code != 0) throw tool_error("the derivation program failed: " + p.err);
    return o;
}

outcome check(const request& r, const environment& env) {
    const typed_formula t = type_formula(r.formula, r);
    require_loss(t);
    if (!r.has_wrt) fail_missing("check needs --wrt V, the variable the claim is the gradient for", r.formula);
    const auto wrt = wrt_of(t, r);
    if (wrt.size() != 1) fail_at("--wrt: check compares one gradient; name one variable", r.wrt, 0, r.wrt.size(), 0);
    if (!r.has_claim) fail_missing("check needs --claim '<expression>', the gradient derived by hand", r.formula);
    const typed_claim claim = infer_claim_shapes(t, parse(r.claim), name_intermediates(t));

    const variable_info& target = *t.find_variable(wrt[0]);
    const auto& top = claim.nodes[static_cast<std::size_t>(claim.source.root)];
    const bool shapes_match = top.pure_number ? t.is_one(target.rows) && t.is_one(target.cols)
                                              : t.same_dim(top.rows, target.rows) && t.same_dim(top.cols, target.cols);
    outcome o;
    const std::string gradient = "dL/d" + plain_name(target.latex);
    if (!shapes_match) {
        const process_result p = run_program(env, derive_program(t, wrt), {"gradient", "0"}, o, r.verbose, r.progress);
        o.out = "wrong: the claim is " + t.shape_text(top.rows, top.cols) + ", but " + gradient +
                " has the shape of " + plain_name(target.latex) + ", " + t.shape_text(target.rows, target.cols) + "\n";
        o.out += "correct: " + gradient + " = " + p.out;
        o.exit_code = 1;
        return o;
    }
    const process_result p = run_program(env, check_program(t, claim, wrt[0]), {}, o, r.verbose, r.progress);
    if (p.exit_code == 4) {
        fail_at("cannot compare: " + gradient + " is not finite at the random points tried (a log or division of "
                "values that may be negative or zero?)",
                r.formula, 0, r.formula.size(), 0);
    }
    if (p.exit_code != 0 && p.exit_code != 1) throw tool_error("the check program failed: " + p.err);
    o.out = p.out;
    o.err += p.err;
    o.exit_code = p.exit_code;
    return o;
}

bool is_cpp_identifier(const std::string& s) {
    static const std::set<std::string> keywords{
        "alignas", "alignof", "and", "asm", "auto", "bool", "break", "case", "catch", "char", "class", "const",
        "constexpr", "continue", "decltype", "default", "delete", "do", "double", "else", "enum", "explicit",
        "export", "extern", "false", "float", "for", "friend", "goto", "if", "inline", "int", "long", "main",
        "mutable", "namespace", "new", "noexcept", "not", "nullptr", "operator", "or", "private", "protected",
        "public", "register", "return", "short", "signed", "sizeof", "static", "struct", "switch", "template",
        "this", "throw", "true", "try", "typedef", "typename", "union", "unsigned", "using", "virtual", "void",
        "volatile", "while", "xor", "concept", "requires", "consteval", "constinit", "co_await", "co_return",
        "co_yield", "char8_t", "char16_t", "char32_t", "wchar_t", "static_assert", "thread_local", "Eigen", "std"};
    if (s.empty() || s.size() > 64 || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
    for (char c : s) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
    }
    // Macros of the headers the emitted code includes (<Eigen/Core>, <cmath>, <algorithm>).
    static const std::set<std::string> macros{"NULL", "assert", "errno", "stdin", "stdout", "stderr", "EOF",
                                              "INFINITY", "NAN", "HUGE_VAL", "HUGE_VALF", "HUGE_VALL", "offsetof"};
    const bool macro_prefix = s.rfind("M_", 0) == 0 || s.rfind("EIGEN_", 0) == 0 || s.rfind("CTGRAD_", 0) == 0 ||
                              s.rfind("FP_", 0) == 0 || s.rfind("MATH_", 0) == 0;
    return !keywords.count(s) && !macros.count(s) && !macro_prefix && s.find("__") == std::string::npos &&
           !(s[0] == '_' && s.size() > 1 && std::isupper(static_cast<unsigned char>(s[1])));
}

outcome emit(const request& r, const environment& env) {
    const typed_formula t = type_formula(r.formula, r);
    require_loss(t);
    const auto wrt = wrt_of(t, r);
    if (!r.has_name) fail_missing("emit needs --name NAME, the C++ name of the function to write", r.formula);
    if (!is_cpp_identifier(r.name)) {
        fail_at("--name: '" + quote(r.name) + "' is not a usable C++ identifier (letters, digits, _; not a keyword or a macro)",
                r.name, 0, r.name.size(), 0);
    }
    const std::string comment = "From: ctgrad-gen emit '" + printable(r.formula) + "' --name " + r.name +
                                "\nShapes: " + shapes_summary(t) + ".";
    outcome o;
    const process_result p = run_program(env, emit_program(t, wrt, comment), {r.name}, o, r.verbose, r.progress);
    if (p.exit_code != 0) throw tool_error("the emit program failed: " + p.err);
    o.out = p.out;
    return o;
}

outcome shapes(const request& r) {
    const typed_formula t = type_formula(r.formula, r);
    outcome o;
    std::size_t width = 4;
    for (const auto& v : t.variables) width = std::max(width, v.written.size());
    const auto pad = [&](std::string s) {
        s.resize(std::max(s.size(), width + 2), ' ');
        return s;
    };
    for (const auto& v : t.variables) {
        o.out += pad(v.written) + t.shape_text(v.rows, v.cols) + (v.data ? "  data" : "") + "\n";
    }
    o.out += pad("loss") + t.shape_text_of(t.source.root) + "\n";
    for (const auto& [latex, node] : name_intermediates(t)) {
        o.out += pad(plain_name(latex)) + t.shape_text_of(node) + "  = " + quote(t.source.source(node), 60) + "\n";
    }
    std::string sizes;
    std::set<std::string> seen;
    for (const auto& v : t.variables) {
        for (int d : {v.rows, v.cols}) {
            const dim_info info = t.dim(d);
            if (info.name == std::to_string(info.size) || !seen.insert(info.name).second) continue;
            sizes += (sizes.empty() ? "" : ", ") + info.name + " = " + (info.batch ? "any (the batch)" : std::to_string(info.size));
        }
    }
    if (!sizes.empty()) o.out += "sizes in the compiled program: " + sizes + "\n";
    return o;
}

outcome lecture(const request& r, const environment& env) {
    outcome o;
    if (!r.has_formula) {
        o.out = "The lecture's worked formulas (ctgrad-gen lecture NAME prints one and its derivation):\n\n";
        for (const auto& f : lecture_formulas()) {
            std::string name = f.name;
            name.resize(11, ' ');
            o.out += "  " + name + f.title + "\n  " + std::string(11, ' ') + quote(f.formula, 68) + "\n";
        }
        return o;
    }
    const lecture_formula* f = find_lecture(r.formula);
    if (f == nullptr) {
        std::string names;
        for (const auto& l : lecture_formulas()) names += (names.empty() ? "" : ", ") + l.name;
        fail_at("no lecture formula is called '" + quote(r.formula) + "'; there are " + names, r.formula, 0,
                r.formula.size(), 0);
    }
    request d = r;
    d.command = "derive";
    d.formula = f->formula;
    d.dims = f->dims;
    if (!f->wrt.empty() && !r.has_wrt) {
        d.wrt = f->wrt;
        d.has_wrt = true;
    }
    d.format = format_of(r);
    std::string command = "ctgrad-gen derive '" + f->formula + "' --dims '" + f->dims + "'";
    if (d.has_wrt) command += " --wrt " + d.wrt;
    if (command.size() > 300) {
        // The 100-layer net: too long to read; say what it is instead of a command to copy.
        command = "formula (" + std::to_string(f->formula.size()) + " characters): " + quote(f->formula, 60) +
                  "\n  --dims: " + quote(f->dims, 60) + (d.has_wrt ? "\n  --wrt " + d.wrt : "");
    }
    outcome derived = derive(d, env);
    std::string head;
    if (d.format == "text") {
        head = f->title + "\nLecture: " + f->where + "\n" + f->notes + "\n\n  " + command + "\n\n";
    } else if (d.format == "markdown") {
        head = "## " + f->title + "\n\nLecture: " + f->where + ". " + f->notes + "\n\n```sh\n" + command + "\n```\n\n";
    } else if (d.format == "latex" && !r.standalone) {
        head = "% " + f->title + "\n% Lecture: " + f->where + "\n% " + command + "\n";
    }
    derived.out = head + derived.out;
    return derived;
}

outcome cache(const request& r, const environment& env) {
    outcome o;
    std::error_code ec;
    if (r.has_formula && r.formula != "clear") {
        fail_at("cache: expected nothing or `clear`", r.formula, 0, r.formula.size(), 0);
    }
    std::uintmax_t bytes = 0;
    int programs = 0, removed = 0;
    for (auto it = fs::directory_iterator(env.cache, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
        const std::string name = it->path().filename().string();
        const bool ours = (name.size() == 32 && name.find_first_not_of("0123456789abcdef") == std::string::npos) ||
                          name.starts_with("tmp-") || name.starts_with("failed-") || name.starts_with("headers-");
        if (!ours) continue;
        if (r.has_formula) {
            std::error_code remove_error;
            fs::remove_all(it->path(), remove_error);
            if (!remove_error) ++removed;
            continue;
        }
        if (!name.starts_with("headers-")) ++programs;  // headers-: the precompiled headers (toolchain.cpp)
        std::error_code size_error;
        for (auto f = fs::recursive_directory_iterator(it->path(), size_error);
             !size_error && f != fs::recursive_directory_iterator(); f.increment(size_error)) {
            if (f->is_regular_file(size_error)) bytes += f->file_size(size_error);
        }
    }
    if (r.has_formula) {
        o.out = "removed " + std::to_string(removed) + " entries from " + env.cache.string() + "\n";
    } else {
        o.out = env.cache.string() + ": " + std::to_string(programs) + " programs, " +
                std::to_string(bytes / (1024 * 1024)) + " MiB\n";
    }
    return o;
}

/// What programs are compiled with and where they are kept, for bug reports and install checks.
outcome config(const request& r, const environment& env) {
    if (r.has_formula) fail_at("config takes no arguments", r.formula, 0, r.formula.size(), 0);
    outcome o;
    o.out = "compiler: " + env.tools.compiler + "\nflags:";
    for (const auto& f : env.tools.flags) o.out += " " + f;
    o.out += "\nctgrad headers: " + env.tools.ctgrad_include.string() + "\ncache: " + env.cache.string() + "\n";
    return o;
}

outcome dispatch(const request& r, const environment& env) {
    if (r.command == "help" || r.command == "--help" || r.command == "-h") return {0, usage(), ""};
    if (r.command == "config") return config(r, env);
    if (r.command == "lecture") return lecture(r, env);
    if (r.command == "cache") return cache(r, env);
    const bool known = r.command == "derive" || r.command == "check" || r.command == "emit" || r.command == "shapes";
    if (!known) {
        fail_at("unknown command '" + quote(r.command) + "'; the commands are derive, check, emit, lecture, shapes, "
                "cache, config and help",
                r.command, 0, r.command.size(), 0);
    }
    if (!r.has_formula) {
        fail_at(r.command + " needs a formula, such as 'mse(tanh(X*W1 + b1^T)*W2 + b2^T, Y)'", r.command, r.command.size());
    }
    if (r.command == "derive") return derive(r, env);
    if (r.command == "check") return check(r, env);
    if (r.command == "emit") return emit(r, env);
    return shapes(r);
}

}  // namespace

std::string option_misuse(const request& r, std::string_view option) {
    // The options each command reads; lecture's formulas come with their own --dims.
    static const std::map<std::string, std::vector<std::string>, std::less<>> takes{
        {"derive", {"--wrt", "--data", "--dims", "--format", "--standalone", "--verbose"}},
        {"check", {"--wrt", "--data", "--dims", "--claim", "--verbose"}},
        {"emit", {"--wrt", "--data", "--dims", "--name", "--verbose"}},
        {"shapes", {"--data", "--dims"}},
        {"lecture", {"--wrt", "--data", "--format", "--standalone", "--verbose"}},
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

outcome run(const request& r, const environment& env) {
    try {
        return dispatch(r, env);
    } catch (const input_error& e) {
        return {2, "", render(e.where)};
    } catch (const tool_error& e) {
        return {3, "", std::string("error: ") + e.what() + "\n"};
    } catch (const std::bad_alloc&) {
        return {3, "", "error: out of memory\n"};
    } catch (const std::exception& e) {
        return {3, "", std::string("error: internal: ") + e.what() + "\n"};
    }
}

}  // namespace ctgrad::gen
