// ctgrad-gen: parses the command line into a request, runs it (generator/lib), prints the outcome.
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "commands.hpp"
#include "diagnostic.hpp"

namespace {

using ctgrad::gen::request;

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
        ctgrad::gen::fail_at(message, text, begin, end, begin);
    }
};

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
            line.fail("unknown option " + ctgrad::gen::quote(a) + " (see ctgrad-gen help)", i);
        } else {
            positional(i);
        }
    }
    // Once the command is known: an option it would ignore is an error, not a no-op.
    for (const auto& [option, at] : options) {
        const std::string misuse = ctgrad::gen::option_misuse(r, option);
        if (!misuse.empty()) line.fail(misuse, at);
    }
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const std::vector<std::string> args(argv + 1, argv + argc);
        ctgrad::gen::outcome o;
        try {
            request r = parse_arguments(args);
            r.progress = isatty(STDERR_FILENO) != 0;
            o = ctgrad::gen::run(r, ctgrad::gen::environment::configured());
        } catch (const ctgrad::gen::input_error& e) {
            o = {2, "", ctgrad::gen::render(e.where)};
        }
        std::cout << o.out << std::flush;
        std::cerr << o.err << std::flush;
        if (!std::cout) {  // a full disk, a closed pipe or a closed stdout: the output is lost
            std::fputs("error: cannot write the output to standard output\n", stderr);
            return o.exit_code != 0 ? o.exit_code : 3;
        }
        return o.exit_code;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: internal: %s\n", e.what());
        return 3;
    } catch (...) {
        std::fputs("error: internal: unknown exception\n", stderr);
        return 3;
    }
}
