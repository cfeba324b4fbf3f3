// Toolchain: configuration, hashing, the program cache, and running processes (POSIX).
#include "toolchain.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <chrono>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#include "ctgrad_gen_config.hpp"
#include "diagnostic.hpp"
#include "program.hpp"

extern char** environ;

namespace ctgrad::gen {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> split(std::string_view s, char separator) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at <= s.size()) {
        const std::size_t next = std::min(s.find(separator, at), s.size());
        if (next > at) out.emplace_back(s.substr(at, next - at));
        at = next + 1;
    }
    return out;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_file(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
    if (!out) throw tool_error("cannot write " + p.string());
}

/// Two independent 64-bit FNV-1a streams make a 128-bit digest: not cryptographic, but a
/// collision between two programs is out of reach.
struct digest {
    std::uint64_t a = 14695981039346656037ull;
    std::uint64_t b = 0x9e3779b97f4a7c15ull;

    void add(std::string_view s) {
        for (const char c : s) {
            a = (a ^ static_cast<unsigned char>(c)) * 1099511628211ull;
            b = (b ^ static_cast<unsigned char>(c)) * 0x100000001b3ull + 0x2545f4914f6cdd1dull;
        }
        // A separator, so ("ab", "c") and ("a", "bc") differ.
        a = (a ^ 0xffu) * 1099511628211ull;
        b = (b ^ 0xfeu) * 0x100000001b3ull;
    }

    std::string hex() const {
        char buf[40];
        std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(a),
                      static_cast<unsigned long long>(b));
        return buf;
    }
};

fs::path executable_path() {
    std::error_code ec;
    const fs::path p = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path() : p;
}

}  // namespace

toolchain toolchain::configured() {
    toolchain t;
    const char* cxx = std::getenv("CTGRAD_GEN_CXX");
    t.compiler = cxx && *cxx ? cxx : config::compiler;

    // Installed (bin/ctgrad-gen next to include/ctgrad): use the installed headers, which are
    // the ones that match this generator; in the build tree, the source tree's.
    fs::path ctgrad_include = config::source_include_dir;
    const fs::path exe = executable_path();
    if (!exe.empty()) {
        const fs::path installed = exe.parent_path().parent_path() / config::install_include_dir;
        std::error_code ec;
        if (fs::exists(installed / "ctgrad" / "ctgrad.hpp", ec) &&
            !fs::equivalent(installed, config::source_include_dir, ec)) {
            ctgrad_include = installed;
        }
    }
    t.ctgrad_include = ctgrad_include;

    t.flags = {config::standard_flag, "-O0", "-g0", "-w", "-fno-diagnostics-color"};
    const auto implicit = split(config::implicit_include_dirs, ';');
    std::vector<std::string> dirs{ctgrad_include.string()};
    for (const auto& d : split(config::include_dirs, ';')) {
        if (fs::path(d) == fs::path(config::source_include_dir)) continue;
        if (std::find(implicit.begin(), implicit.end(), d) != implicit.end()) continue;
        if (std::find(dirs.begin(), dirs.end(), d) == dirs.end()) dirs.push_back(d);
    }
    for (const auto& d : dirs) t.flags.push_back("-I" + d);
    for (const auto& d : split(config::compile_definitions, ';')) t.flags.push_back("-D" + d);
    for (const auto& f : split(config::extra_flags, ';')) t.flags.push_back(f);
    for (const auto& f : split(config::link_flags, ';')) t.link_flags.push_back(f);
    return t;
}

fs::path default_cache_directory() {
    if (const char* dir = std::getenv("CTGRAD_GEN_CACHE"); dir && *dir) return dir;
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return fs::path(xdg) / "ctgrad";
    if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".cache" / "ctgrad";
    return fs::temp_directory_path() / ("ctgrad-cache-" + std::to_string(getuid()));
}

namespace {

// The process group of the running child: Ctrl-C reaches only ctgrad-gen (the child runs in its
// own group so a timeout can stop the compiler with everything it started), so ctgrad-gen
// stops the group before it dies.
volatile std::sig_atomic_t running_group = 0;

extern "C" void stop_child_and_die(int signal_number) {
    if (running_group > 0) kill(-static_cast<pid_t>(running_group), SIGKILL);
    std::signal(signal_number, SIG_DFL);
    std::raise(signal_number);
}

/// Installs the handler for the lifetime of one child, and restores the previous ones.
class child_guard {
public:
    explicit child_guard(pid_t group) {
        running_group = static_cast<std::sig_atomic_t>(group);
        for (std::size_t i = 0; i < signals.size(); ++i) previous_[i] = std::signal(signals[i], stop_child_and_die);
    }
    ~child_guard() {
        for (std::size_t i = 0; i < signals.size(); ++i) std::signal(signals[i], previous_[i]);
        running_group = 0;
    }
    child_guard(const child_guard&) = delete;
    child_guard& operator=(const child_guard&) = delete;

private:
    static constexpr std::array<int, 3> signals{SIGINT, SIGTERM, SIGHUP};
    std::array<void (*)(int), 3> previous_{};
};

/// Raises the stack's soft limit to the hard limit while it lives (a child inherits the limit
/// when it is spawned), then restores it. clang++ 19.1 overflows the usual 8 MB stack on the
/// program for the lecture's 100-layer net (a segmentation fault while instantiating
/// derive_main); with the limit lifted it compiles. The run of a program does not need it.
class stack_limit_raised {
public:
    stack_limit_raised() {
        if (getrlimit(RLIMIT_STACK, &previous_) != 0 || previous_.rlim_cur == previous_.rlim_max) return;
        rlimit raised = previous_;
        raised.rlim_cur = previous_.rlim_max;
        raised_ = setrlimit(RLIMIT_STACK, &raised) == 0;
    }
    ~stack_limit_raised() {
        if (raised_) setrlimit(RLIMIT_STACK, &previous_);
    }
    stack_limit_raised(const stack_limit_raised&) = delete;
    stack_limit_raised& operator=(const stack_limit_raised&) = delete;

private:
    rlimit previous_{};
    bool raised_ = false;
};

}  // namespace

process_result run_process(const std::vector<std::string>& argv, double timeout_seconds) {
    process_result result;
    char dir_template[] = "/tmp/ctgrad-gen-run-XXXXXX";
    const char* dir = mkdtemp(dir_template);
    if (dir == nullptr) throw tool_error("cannot create a temporary directory in /tmp");
    const std::string out_path = std::string(dir) + "/out", err_path = std::string(dir) + "/err";

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    // Its own process group, so a timeout can stop the compiler and everything it started.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attributes, 0);

    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    const int spawned = posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (spawned != 0) {
        std::error_code ec;
        fs::remove_all(dir, ec);
        result.exit_code = 127;
        result.err = "cannot run " + argv[0] + ": " + std::string(std::strerror(spawned)) + "\n";
        return result;
    }

    const child_guard guard(pid);
    const auto start = std::chrono::steady_clock::now();
    int status = 0;
    auto pause = std::chrono::milliseconds(1);
    while (true) {
        const pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid) break;
        if (done < 0 && errno != EINTR) break;
        if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > timeout_seconds) {
            kill(-pid, SIGKILL);
            waitpid(pid, &status, 0);
            result.timed_out = true;
            break;
        }
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(20));
    }
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
    result.out = read_file(out_path);
    result.err = read_file(err_path);
    std::error_code ec;
    fs::remove_all(dir, ec);
    return result;
}

namespace {

/// Whether a failed compile is the compiler's own failure rather than an error in the program:
/// it died of a signal (a crash, the OOM killer, a SIGKILL), or says it crashed (g++: "internal
/// compiler error"; clang: "PLEASE submit a bug report", or a driver whose cc1 crashed).
bool compiler_broke(const process_result& compiled) {
    if (compiled.exit_code >= 128) return true;
    const std::string text = compiled.out + compiled.err;
    for (const char* sign : {"internal compiler error", "PLEASE submit a bug report", "unable to execute command",
                             "terminated signal", "Killed signal", "virtual memory exhausted", "out of memory"}) {
        if (text.find(sign) != std::string::npos) return true;
    }
    return false;
}

std::string compiler_failure_text(const process_result& compiled) {
    if (compiled.exit_code >= 128) {
        const int signal_number = compiled.exit_code - 128;
        const char* name = strsignal(signal_number);
        return "was killed by signal " + std::to_string(signal_number) + " (" + (name ? name : "unknown") + ")";
    }
    return "crashed (exit " + std::to_string(compiled.exit_code) + ", an internal compiler error)";
}

}  // namespace

std::string program_key(const toolchain& tools, const std::string& source) {
    digest d;
    d.add("ctgrad-gen program v1");
    d.add(config::version);
    d.add(source);
    d.add(tools.compiler);
    for (const auto& f : tools.flags) d.add(f);
    for (const auto& f : tools.link_flags) d.add(f);
    // The compiler binary itself: an upgrade is a different program.
    struct stat info {};
    if (stat(tools.compiler.c_str(), &info) == 0) {
        d.add(std::to_string(info.st_size) + ":" + std::to_string(info.st_mtime));
    }
    // Every ctgrad header, in a fixed order.
    std::vector<fs::path> headers;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(tools.ctgrad_include / "ctgrad", ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec)) headers.push_back(it->path());
    }
    std::sort(headers.begin(), headers.end());
    for (const auto& h : headers) {
        d.add(h.lexically_relative(tools.ctgrad_include).string());
        d.add(read_file(h));
    }
    return d.hex();
}

namespace {

// ---- precompiled headers --------------------------------------------------------------------
//
// Why: most of a first compile is parsing the same headers (ctgrad's, Eigen's, the standard
// library's) for every formula. The opening every program of one kind shares is compiled once
// per toolchain into the cache (g++: a .gch next to the header, used through -include; clang:
// -include-pch), and each program's own compile only instantiates its formula.

/// The opening every program of this one's kind shares: the preprocessor lines of its text up
/// to the end of the support code (the headers, and the macros defined before them), with the
/// size names' function declared instead of defined (the program defines it, after). Empty
/// when the text holds no support code.
std::string shared_opening(const std::string& source) {
    const std::size_t support = source.find(program_support());
    if (support == std::string::npos) return {};
    std::string out = "// Written by ctgrad-gen: the opening its programs share, compiled once (precompiled header).\n";
    if (source.find("namespace ctgrad_gen_sizes {") < support) {
        out += "#include <string_view>\nnamespace ctgrad_gen_sizes {\nconstexpr std::string_view name_of(int size);\n}\n";
    }
    std::istringstream lines(source.substr(0, support + program_support().size()));
    for (std::string line; std::getline(lines, line);) {
        const std::size_t first = line.find_first_not_of(" \t");
        if (first != std::string::npos && line[first] == '#' && line.find("pragma once") == std::string::npos) out += line + "\n";
    }
    return out;
}

/// The flags that make a compile of `source` use its opening precompiled, building it into
/// cache/headers-<key>/ the first time; none when it cannot be built, and then the program
/// compiles from the headers as without it. The key covers the toolchain and every ctgrad
/// header, as a program's does.
std::vector<std::string> precompiled_opening_flags(const toolchain& tools, const std::string& source, const fs::path& cache) {
    const std::string opening = shared_opening(source);
    if (opening.empty()) return {};
    const std::string key = program_key(tools, "ctgrad-gen precompiled opening\n" + opening);
    const fs::path home = cache / ("headers-" + key);
    const fs::path header = home / "opening.hpp";
    // clang's .pch names the header it was built from and refuses to load when that file is
    // gone, so clang builds from a copy that stays where it is: headers-<key>.hpp.
    const fs::path lasting_header = cache / ("headers-" + key + ".hpp");
    std::error_code ec;
    const auto use = [&]() -> std::vector<std::string> {
        std::error_code probe;
        if (fs::exists(home / "opening.hpp.pch", probe) && fs::exists(lasting_header, probe)) {
            return {"-include-pch", (home / "opening.hpp.pch").string()};
        }
        if (fs::exists(home / "opening.hpp.gch", probe)) return {"-include", header.string()};
        return {};  // a failed attempt, kept so that it is not tried again for every program
    };
    if (fs::exists(home, ec)) return use();

    fs::create_directories(cache, ec);
    std::random_device random;
    const fs::path work = cache / ("tmp-headers-" + std::to_string(getpid()) + "-" + std::to_string(random()));
    fs::create_directories(work, ec);
    if (ec) return {};
    write_file(work / "opening.hpp", opening);
    // clang reads only its own format, through -include-pch; g++ finds NAME.gch next to NAME.
    const process_result version = run_process({tools.compiler, "--version"}, 60);
    const bool clang = version.exit_code == 0 && version.out.find("clang") != std::string::npos;
    if (clang && !fs::exists(lasting_header, ec)) {
        // link() never replaces: a header another process already put there keeps the time
        // stamp its .pch recorded.
        const fs::path draft = work / "lasting.hpp";
        write_file(draft, opening);
        if (::link(draft.c_str(), lasting_header.c_str()) != 0 && errno != EEXIST) {
            fs::remove_all(work, ec);
            return {};
        }
    }
    const fs::path output = work / (clang ? "opening.hpp.pch" : "opening.hpp.gch");
    std::vector<std::string> command{tools.compiler};
    command.insert(command.end(), tools.flags.begin(), tools.flags.end());
    for (const std::string& part : {std::string("-x"), std::string("c++-header"), (clang ? lasting_header : work / "opening.hpp").string(),
                                    std::string("-o"), output.string()}) {
        command.push_back(part);
    }
    const process_result compiled = [&] {
        const stack_limit_raised stack;
        return run_process(command, 3600);
    }();
    if (compiled.exit_code != 0) fs::remove(output, ec);  // kept as a failed attempt: opening.hpp alone
    fs::rename(work, home, ec);
    if (ec) fs::remove_all(work, ec);  // another ctgrad-gen prepared it meanwhile
    return use();
}

}  // namespace

built_program build_program(const toolchain& tools, const std::string& source, const fs::path& cache,
                            const std::function<void()>& before_compiling) {
    built_program result;
    result.key = program_key(tools, source);
    const fs::path home = cache / result.key;
    result.executable = home / "program";
    std::error_code ec;
    if (fs::exists(result.executable, ec)) {
        result.from_cache = true;
        return result;
    }
    if (before_compiling) before_compiling();

    // The build directory: private, inside the cache when it can be written (renamed into place
    // when done), else a scratch directory that the run removes: a read-only cache, or one whose
    // path is a file, costs the reuse of programs, not the answer.
    std::random_device random;
    fs::path work = cache / ("tmp-" + result.key + "-" + std::to_string(getpid()) + "-" + std::to_string(random()));
    fs::create_directories(cache, ec);
    if (!ec) fs::create_directory(work, ec);
    if (ec) {
        const std::string why = ec.message();
        std::error_code tmp_ec;
        const fs::path tmp = fs::temp_directory_path(tmp_ec);  // $TMPDIR, else /tmp
        std::string scratch_template = ((tmp_ec ? fs::path("/tmp") : tmp) / "ctgrad-gen-nocache-XXXXXX").string();
        const char* scratch = mkdtemp(scratch_template.data());
        if (scratch == nullptr) {
            throw tool_error("cannot use the cache directory " + cache.string() + " (" + why +
                             ") nor create a temporary directory; set CTGRAD_GEN_CACHE to a writable directory");
        }
        work = scratch;
        result.scratch = work;
        result.note = "ctgrad-gen: note: cannot use the cache directory " + cache.string() + " (" + why +
                      "); compiling without it (set CTGRAD_GEN_CACHE to a writable directory to keep programs)\n";
    }
    write_file(work / "program.cpp", source);

    const auto start = std::chrono::steady_clock::now();
    std::vector<std::string> command{tools.compiler};
    command.insert(command.end(), tools.flags.begin(), tools.flags.end());
    const std::vector<std::string> opening = precompiled_opening_flags(tools, source, cache);
    command.insert(command.end(), opening.begin(), opening.end());
    command.push_back((work / "program.cpp").string());
    command.push_back("-o");
    command.push_back((work / "program").string());
    command.insert(command.end(), tools.link_flags.begin(), tools.link_flags.end());

    // A bound for a machine under load, not an estimate: the largest formula the nesting limit
    // allows compiles in minutes.
    constexpr double compile_limit_seconds = 4 * 3600;
    const process_result compiled = [&] {
        const stack_limit_raised stack;
        return run_process(command, compile_limit_seconds);
    }();
    result.compile_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::string command_line;
    for (const auto& c : command) command_line += (command_line.empty() ? "" : " ") + c;
    write_file(work / "compile.log", command_line + "\n" + compiled.out + compiled.err);

    if (compiled.exit_code == 127 && compiled.err.rfind("cannot run ", 0) == 0) {
        fs::remove_all(work, ec);
        std::string reason = compiled.err;  // "cannot run <compiler>: <why>"
        while (!reason.empty() && reason.back() == '\n') reason.pop_back();
        throw tool_error(reason + " (the C++ compiler: set CTGRAD_GEN_CXX to a working C++20 compiler)");
    }
    if (compiled.exit_code != 0 && !compiled.timed_out && compiler_broke(compiled)) {
        // The compiler's own failure (killed, out of memory, an internal error): not the
        // program's, so no bug report for ctgrad; keep the log where it can be read.
        const std::string log = (result.scratch.empty() ? cache / ("failed-" + result.key) : work) / "compile.log";
        if (result.scratch.empty()) {
            fs::remove_all(cache / ("failed-" + result.key), ec);
            fs::rename(work, cache / ("failed-" + result.key), ec);
        }
        throw tool_error("the C++ compiler " + tools.compiler + " " + compiler_failure_text(compiled) +
                         " while compiling the program for this formula; run again, or set CTGRAD_GEN_CXX to "
                         "another C++20 compiler (its output: " + log + ")");
    }
    if (compiled.exit_code != 0 || !fs::exists(work / "program", ec)) {
        // Keep the failed attempt for the bug report; one per key.
        const fs::path failed = result.scratch.empty() ? cache / ("failed-" + result.key) : work;
        if (result.scratch.empty()) {
            fs::remove_all(failed, ec);
            fs::rename(work, failed, ec);
        }
        std::string excerpt;
        std::istringstream lines(compiled.out + compiled.err);
        std::string line;
        for (int n = 0; n < 12 && std::getline(lines, line);) {
            if (line.find("error") != std::string::npos) {
                // The messages name the build directory, which is now failed-<key>.
                for (std::size_t at = line.find(work.string()); at != std::string::npos; at = line.find(work.string(), at)) {
                    line.replace(at, work.string().size(), failed.string());
                    at += failed.string().size();
                }
                excerpt += "  " + line.substr(0, 400) + "\n";
                ++n;
            }
        }
        throw tool_error(std::string(compiled.timed_out ? "the C++ compiler ran out of time (4 hours) on"
                                                        : "the C++ compiler rejected") +
                         " the program written for this formula (a ctgrad-gen or ctgrad bug; please report it with " +
                         (failed / "program.cpp").string() + " and " + (failed / "compile.log").string() + ")\n" + excerpt);
    }
    if (!result.scratch.empty()) {
        result.executable = work / "program";
        return result;
    }
    fs::rename(work, home, ec);
    if (ec) {
        std::error_code probe;
        if (!fs::exists(result.executable, probe)) {  // a damaged entry without its program: replace it
            fs::remove_all(home, probe);
            fs::rename(work, home, ec);
        }
    }
    if (ec) {
        // Another ctgrad-gen built the same program meanwhile: use that one.
        fs::remove_all(work, ec);
        if (!fs::exists(result.executable, ec)) throw tool_error("cannot move the built program into " + home.string());
    }
    return result;
}


environment environment::configured() { return {toolchain::configured(), default_cache_directory()}; }


namespace {

process_result run_program_once(const environment& env, const std::string& source, const std::vector<std::string>& args,
                           std::string& log, bool verbose, bool progress, bool retry) {
    if (env.stop_before_compiling) throw program_written{source};
    const built_program built = build_program(env.tools, source, env.cache, [&] {
        if (progress) {
            std::cerr << "ctgrad-gen: compiling this formula's program through ctgrad (once; later runs use the cache)...\n"
                      << std::flush;
        }
    });
    if (verbose) {
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "%.1f", built.compile_seconds);
        log += "ctgrad-gen: " +
                 (built.from_cache ? std::string("program found in the cache: ")
                                   : "program compiled in " + std::string(seconds) + " s: ") +
                 built.executable.string() + "\n";
    }
    log += built.note;
    // A program built outside the cache is removed once it has run (or failed to).
    struct scratch_remover {
        fs::path dir;
        ~scratch_remover() {
            std::error_code ec;
            if (!dir.empty()) fs::remove_all(dir, ec);
        }
    } const remover{built.scratch};
    std::vector<std::string> command{built.executable.string()};
    command.insert(command.end(), args.begin(), args.end());
    process_result result = run_process(command, 600);
    if (built.from_cache && retry && !result.timed_out && result.exit_code >= 127) {
        // A damaged cache entry (a truncated or replaced file): build it again, once.
        std::error_code ec;
        fs::remove_all(built.executable.parent_path(), ec);
        return run_program_once(env, source, args, log, verbose, progress, false);
    }
    if (result.timed_out || result.exit_code >= 127) {
        throw tool_error("the program built for this formula failed (exit " + std::to_string(result.exit_code) +
                         "): " + result.err + " (program: " + built.executable.string() + ")");
    }
    return result;
}


}  // namespace

process_result run_program(const environment& env, const std::string& source, const std::vector<std::string>& args,
                           std::string& log, bool verbose, bool progress) {
    return run_program_once(env, source, args, log, verbose, progress, true);
}

}  // namespace ctgrad::gen
