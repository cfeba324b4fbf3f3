// The commands: each takes a parsed request (options.cpp) through the stages formula and shapes
// (shapes.cpp), program (program.cpp), toolchain (toolchain.cpp) and output.
#include "commands.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <cstdio>
#include <new>
#include <iostream>
#include <set>
#include <fstream>
#include <cstdint>
#include <cstdlib>
#include <sstream>

#include "diagnostic.hpp"
#include "formula.hpp"
#include "lecture.hpp"
#include "program.hpp"
#include "shapes.hpp"
#include "judge.hpp"
#include "mathml.hpp"
#include "exercise.hpp"
#include "steps.hpp"

namespace ctgrad::gen {

namespace fs = std::filesystem;

namespace {

outcome derive(const request& r, const environment& env) {
    const typed_formula t = type_formula(r.formula, r);
    require_loss(t);
    const auto wrt = wrt_of(t, r);
    const std::string format = format_of(r);
    const bool ru = language_of(r) == language::ru;
    outcome o;
    // HTML is the Markdown derivation with its math as MathML (mathml.cpp).
    const derive_output output{format == "html" ? "markdown" : format, r.standalone, ru};
    const process_result p = run_program(env, derive_program(t, wrt, output), {}, o.err, r.verbose, r.progress);
    o.out = p.out;
    o.err += p.err;
    if (p.exit_code != 0) throw tool_error("the derivation program failed: " + p.err);
    if (format == "html") {
        const std::string title = std::string(ru ? "Градиенты " : "The gradients of ") + printable(r.formula);
        o.out = html_page(title, "<h1>" + xml_escape(title) + "</h1>\n" + markdown_to_xhtml(o.out), ru ? "ru" : "en");
    }
    return o;
}

/// The steps of check --steps: given directly (tests), from standard input (-) or a file.
std::string steps_text(const request& r) {
    if (!r.steps_text.empty()) return r.steps_text;
    std::ostringstream text;
    if (r.steps == "-") {
        text << std::cin.rdbuf();
    } else {
        std::ifstream file(r.steps, std::ios::binary);
        if (!file) fail_at("--steps: cannot read " + quote(r.steps), r.steps, 0, r.steps.size(), 0);
        text << file.rdbuf();
    }
    return text.str();
}

outcome check(const request& r, const environment& env) {
    const typed_formula t = type_formula(r.formula, r);
    require_loss(t);
    const language lang = language_of(r);
    const bool json = format_of(r) == "json";
    std::vector<step> steps;
    if (r.has_steps) {
        if (r.has_claim || r.has_wrt) {
            fail_at("--steps names its quantities on each line; give --claim and --wrt without --steps", r.steps, 0,
                    r.steps.size(), 0);
        }
        steps = parse_steps(steps_text(r));
    } else {
        if (!r.has_wrt) fail_missing("check needs --wrt V and --claim '<expression>', or --steps FILE", r.formula);
        const auto wrt = wrt_of(t, r);
        if (wrt.size() != 1) fail_at("--wrt: check compares one gradient; name one variable", r.wrt, 0, r.wrt.size(), 0);
        if (!r.has_claim) fail_missing("check needs --claim '<expression>', the gradient derived by hand", r.formula);
        // One step, line 0: its errors quote the claim alone.
        step s;
        s.quantity = t.find_variable(wrt[0])->written;
        s.text = r.claim;
        s.claim = r.claim;
        steps.push_back(s);
    }
    const std::vector<step_plan> plans = plan_steps(t, steps);
    outcome o;
    const process_result p = run_program(env, steps_program(t, plans), {}, o.err, r.verbose, r.progress);
    if (p.exit_code != 0) throw tool_error("the check program failed: " + p.err);
    o.err += p.err;
    const program_values pv = read_program_values(p.out);
    std::vector<verdict> verdicts;
    for (std::size_t k = 0; k < plans.size(); ++k) verdicts.push_back(judge(t, plans, k, pv));
    for (const verdict& v : verdicts) {
        if (v.kind == verdict::not_finite) {
            fail_at("cannot compare: dL/d" + v.quantity + " is not finite at the random points tried (a log or division "
                    "of values that may be negative or zero?)",
                    r.formula, 0, r.formula.size(), 0);
        }
    }
    const bool all_correct = std::all_of(verdicts.begin(), verdicts.end(), [](const verdict& v) { return v.kind == verdict::correct; });
    o.exit_code = all_correct ? 0 : 1;
    if (r.has_steps) {
        o.out = steps_report(plans, verdicts, quantities_of(t), lang, json);
        return o;
    }
    // --claim: the verdict, and ctgrad's gradient under a wrong one.
    const verdict& v = verdicts[0];
    const std::string gradient = "dL/d" + v.quantity;
    if (json) {
        o.out = steps_report(plans, verdicts, quantities_of(t), lang, true);
        return o;
    }
    std::string diagnosis = diagnosis_text(v, lang, gradient, quantities_of(t));
    if (v.finding == verdict::largest_difference) {
        diagnosis = (lang == language::ru ? "утверждение отличается от " : "the claim differs from ") + gradient + ": " + diagnosis;
    }
    o.out = (all_correct ? verdict_word(v, lang) : std::string(lang == language::ru ? "неверно" : "wrong")) + ": " + diagnosis + "\n";
    if (!all_correct) o.out += (lang == language::ru ? "верно: " : "correct: ") + gradient + " = " + v.correct_text + "\n";
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
    const process_result p = run_program(env, emit_program(t, wrt, comment), {r.name}, o.err, r.verbose, r.progress);
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
    const std::string format = format_of(r);
    d.format = format == "html" ? "markdown" : format;  // HTML: the Markdown page, its math as MathML
    std::string command = "ctgrad-gen derive '" + f->formula + "' --dims '" + f->dims + "'";
    if (d.has_wrt) command += " --wrt " + d.wrt;
    if (command.size() > 300) {
        // The 100-layer net: too long to read; say what it is instead of a command to copy.
        command = "formula (" + std::to_string(f->formula.size()) + " characters): " + quote(f->formula, 60) +
                  "\n  --dims: " + quote(f->dims, 60) + (d.has_wrt ? "\n  --wrt " + d.wrt : "");
    }
    outcome derived = derive(d, env);
    const bool ru = language_of(r) == language::ru;
    const std::string& title = ru ? f->title_ru : f->title;
    const std::string& notes = ru ? f->notes_ru : f->notes;
    const std::string lecture_word = ru ? "Лекция: " : "Lecture: ";
    std::string where = f->where;  // slide titles, quoted in Russian, joined by "and"
    if (const auto at = where.find(" and "); ru && at != std::string::npos) where.replace(at, 5, " и ");
    std::string head;
    if (d.format == "text") {
        head = title + "\n" + lecture_word + where + "\n" + notes + "\n\n  " + command + "\n\n";
    } else if (d.format == "markdown") {
        head = "## " + title + "\n\n" + lecture_word + where + ". " + notes + "\n\n```sh\n" + command + "\n```\n\n";
    } else if (d.format == "latex" && !r.standalone) {
        head = "% " + title + "\n% " + lecture_word + where + "\n% " + command + "\n";
    }
    derived.out = head + derived.out;
    if (format == "html") derived.out = html_page(title, markdown_to_xhtml(derived.out), ru ? "ru" : "en");
    return derived;
}

/// A whole number option in [low, high], else an input error pointing at it.
std::uint64_t number_option(const std::string& text, const std::string& option, std::uint64_t low, std::uint64_t high) {
    std::uint64_t value = 0;
    const bool digits = !text.empty() && text.size() <= 19 &&
                        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (digits) value = std::stoull(text);
    if (!digits || value < low || value > high) {
        fail_at(option + ": expected a whole number from " + std::to_string(low) + " to " + std::to_string(high), text, 0,
                text.size(), 0);
    }
    return value;
}

void write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out.flush()) throw tool_error("cannot write " + path.string());
}

/// `exercise board --variants N --seed S`: variants of the lecture's family; `exercise '<formula>'`:
/// that formula. Writes the exercise and solution sheets (Markdown, LaTeX, HTML; PDF when
/// pdflatex is on the PATH) and each variant's model answer as a steps file into --out.
outcome exercise(const request& r, const environment& env) {
    const language lang = language_of(r);
    const bool ru = lang == language::ru;
    const fs::path dir = r.has_out ? fs::path(r.out) : fs::path(".");
    struct item {
        exercise_item sheet;
        request derive;      ///< how ctgrad derives the solution
        std::string steps;   ///< the model answer, for a family variant
    };
    std::vector<item> items;
    std::string title;
    if (r.formula == "board") {
        for (const char* option : {"--wrt", "--data", "--dims"}) {
            const bool given = std::string(option) == "--wrt" ? r.has_wrt : std::string(option) == "--data" ? r.has_data : !r.dims.empty();
            if (given) fail_at(std::string(option) + " does not apply to exercise board: each variant names its own", r.formula, 0, r.formula.size(), 0);
        }
        const std::size_t count = r.has_variants ? number_option(r.variants, "--variants", 1, variant_family_size()) : 10;
        const std::uint64_t seed = r.has_seed ? number_option(r.seed, "--seed", 0, UINT64_MAX / 2) : 1;
        for (const net_variant& v : draw_variants(count, seed)) {
            item it{exercise_of(v), {}, v.steps()};
            it.derive.formula = v.formula;
            it.derive.dims = v.dims;
            it.derive.wrt = v.wrt;
            it.derive.has_wrt = true;
            items.push_back(std::move(it));
        }
        title = (ru ? "Градиенты небольших сетей (вариантов: " : "Gradients of small nets (") +
                std::to_string(count) + (ru ? ", seed " : " variants, seed ") + std::to_string(seed) + ")";
    } else {
        if (r.has_variants && r.variants != "1") {
            fail_at("--variants: a formula given by hand is one exercise; variants come from exercise board", r.variants, 0,
                    r.variants.size(), 0);
        }
        if (r.has_seed) fail_at("--seed applies to exercise board", r.seed, 0, r.seed.size(), 0);
        const typed_formula t = type_formula(r.formula, r);
        require_loss(t);
        item it;
        it.sheet.formula = r.formula;
        for (const auto& latex : wrt_of(t, r)) it.sheet.wrt.push_back(latex);
        for (const auto& [latex, node] : name_intermediates(t)) {
            it.sheet.forward_plain += plain_name(latex) + " = " + std::string(t.source.source(node)) + "\n";
        }
        it.sheet.forward_plain += "L = " + r.formula + "\n";
        it.derive = r;
        items.push_back(std::move(it));
        title = ru ? "Упражнение: градиенты функции потерь" : "Exercise: the gradients of a loss";
    }

    std::vector<exercise_item> questions;
    for (const auto& it : items) questions.push_back(it.sheet);
    const sheet exercises = exercise_sheet(questions, title, lang);
    sheet solutions{{sheet_block::heading, (ru ? "Решения: " : "Solutions: ") + title}};
    outcome o;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) fail_at("--out: cannot create the directory " + quote(dir.string()), r.out, 0, r.out.size(), 0);
    std::vector<std::string> written;
    for (std::size_t k = 0; k < items.size(); ++k) {
        const std::string K = std::to_string(k + 1);
        request d = items[k].derive;
        d.command = "derive";
        d.has_formula = true;
        d.lang = r.lang;
        d.verbose = r.verbose;
        d.progress = r.progress;
        d.format = "markdown";
        const outcome md = derive(d, env);
        d.format = "latex";
        const outcome tex = derive(d, env);
        o.err += md.err + tex.err;
        solutions.push_back({sheet_block::subheading, (ru ? "Вариант " : "Variant ") + K});
        solutions.push_back({sheet_block::code, "ctgrad-gen derive '" + d.formula + "'" +
                                                    (d.dims.empty() ? "" : " --dims '" + d.dims + "'") +
                                                    (d.has_wrt ? " --wrt " + d.wrt : "")});
        solutions.push_back({sheet_block::derivation, md.out, tex.out});
        if (!items[k].steps.empty()) {
            const std::string name = "variant-" + K + ".steps";
            write_text(dir / name, items[k].steps);
            written.push_back(name);
            solutions.push_back({sheet_block::paragraph,
                                 (ru ? "Эталонный ответ по шагам (файл " : "The model answer step by step (file ") + name +
                                     (ru ? ", для ctgrad-gen check --steps):" : ", for ctgrad-gen check --steps):")});
            solutions.push_back({sheet_block::code, items[k].steps});
        }
    }
    for (const auto& [name, doc] : {std::pair<std::string, const sheet*>{"exercises", &exercises}, {"solutions", &solutions}}) {
        write_text(dir / (name + ".md"), sheet_markdown(*doc));
        write_text(dir / (name + ".tex"), sheet_latex(*doc, lang));
        write_text(dir / (name + ".html"), sheet_html(*doc, name == "exercises" ? title : (ru ? "Решения: " : "Solutions: ") + title, lang));
        written.insert(written.end(), {name + ".md", name + ".tex", name + ".html"});
    }
    // PDF where pdflatex is installed (the .tex files are complete documents either way).
    if (const char* path = std::getenv("PATH"); path != nullptr) {
        std::string pdflatex;
        std::string_view rest = path;
        while (!rest.empty() && pdflatex.empty()) {
            const std::size_t colon = std::min(rest.find(':'), rest.size());
            const fs::path candidate = fs::path(std::string(rest.substr(0, colon))) / "pdflatex";
            if (fs::exists(candidate, ec)) pdflatex = candidate.string();
            rest.remove_prefix(std::min(colon + 1, rest.size()));
        }
        for (const char* name : {"exercises", "solutions"}) {
            if (pdflatex.empty()) break;
            const process_result p = run_process({pdflatex, "-halt-on-error", "-interaction=nonstopmode",
                                                  "-output-directory=" + dir.string(), (dir / (std::string(name) + ".tex")).string()}, 300);
            if (p.exit_code != 0) throw tool_error(std::string("pdflatex failed on ") + name + ".tex: " + quote(p.out.substr(p.out.size() > 2000 ? p.out.size() - 2000 : 0), 400));
            written.push_back(std::string(name) + ".pdf");
            for (const char* scratch : {".aux", ".log"}) fs::remove(dir / (std::string(name) + scratch), ec);
        }
    }
    o.out = (ru ? "записано в " : "written to ") + dir.string() + ":";
    for (const auto& w : written) o.out += " " + w;
    o.out += "\n";
    return o;
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
        if (it->is_regular_file(size_error)) bytes += it->file_size(size_error);  // headers-<key>.hpp
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
    if (r.command == "exercise") {
        if (!r.has_formula) fail_at("exercise needs `board` (the lecture's family of nets) or a formula", r.command, r.command.size());
        return exercise(r, env);
    }
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
