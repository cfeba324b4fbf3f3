// libFuzzer target: the whole request path of derive, check, emit and shapes, up to the point
// where a program would be compiled (environment::stop_before_compiling). Input: one line per
// field: command selector, formula, --wrt, --data, --dims, --format, --name, --claim (the rest).
// An empty field is an option not given; the selector's first byte picks the command.
#include "fuzz_support.hpp"

#include <array>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ctgrad::gen;
    const auto f = ctgrad_fuzz::fields(data, size, 8);
    static constexpr std::array<const char*, 4> commands{"derive", "check", "emit", "shapes"};
    request r;
    r.command = commands[f[0].empty() ? 0 : static_cast<unsigned char>(f[0][0]) % commands.size()];
    r.formula = f[1];
    r.has_formula = true;
    r.wrt = f[2];
    r.has_wrt = !f[2].empty();
    r.data = f[3];
    r.has_data = !f[3].empty();
    r.dims = f[4];
    r.format = f[5];
    r.name = f[6];
    r.has_name = !f[6].empty() && r.command == "emit";
    r.claim = f[7];
    r.has_claim = !f[7].empty() && r.command == "check";
    environment env;
    env.stop_before_compiling = true;
    try {
        // run() turns input errors into exit 2 and `error: ...`; exit 3 here (the tool's own
        // failure, or "error: internal: ...", an exception that escaped a stage) is a finding:
        // without compiling there is no environment to fail.
        const outcome o = run(r, env);
        if (o.exit_code == 2 && (o.err.rfind("error: ", 0) != 0 || o.err.back() != '\n')) __builtin_trap();
        if (o.exit_code != 0 && o.exit_code != 1 && o.exit_code != 2) __builtin_trap();
    } catch (const program_written& p) {
        if (p.source.empty()) __builtin_trap();
    }
    return 0;
}
