// ctgrad-gen: the command line becomes a request (options.cpp), runs (commands.cpp), and is printed.
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "commands.hpp"
#include "diagnostic.hpp"

int main(int argc, char** argv) {
    try {
        const std::vector<std::string> args(argv + 1, argv + argc);
        ctgrad::gen::outcome o;
        try {
            ctgrad::gen::request r = ctgrad::gen::parse_arguments(args);
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
