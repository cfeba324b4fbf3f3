// ctgrad-gen end to end: programs compiled through ctgrad decide `check`, and the cache makes a
// repeat instant. Each distinct program costs one compile (~10-20 s on two cores); the tests here
// share the build tree's cache (CTGRAD_GEN_TEST_CACHE), so each compiles once per build dir,
// except those that need the cache in a known state: they get a fresh empty one (fresh_cache).
#if __has_include("generator.hpp")

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <stdexcept>
#include <string>
#include <system_error>

#include "generator.hpp"

namespace {

using namespace ctgrad::gen;

environment test_environment() { return {toolchain::configured(), CTGRAD_GEN_TEST_CACHE}; }

/// An empty cache directory of this run alone (mkdtemp under the system's temporary directory),
/// removed with what was built in it at the end of the test: a test that asserts what a cache
/// holds cannot share the build tree's, which earlier runs and other tests have filled.
class fresh_cache {
public:
    fresh_cache() {
        std::string pattern = (std::filesystem::temp_directory_path() / "ctgrad-gen-test-cache-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot make a temporary cache directory");
        path_ = pattern;
    }
    ~fresh_cache() {
        std::error_code ignored;  // a failed removal leaves a directory in /tmp, not a failed test
        std::filesystem::remove_all(path_, ignored);
    }
    fresh_cache(const fresh_cache&) = delete;
    fresh_cache& operator=(const fresh_cache&) = delete;

    environment env() const { return {toolchain::configured(), path_}; }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

const std::string board = "mse(tanh(ReLU(X*W1 + b1^T)*W2 + b2^T), Y)";
const std::string board_dims = "X=n,d W1=d,H b1=H W2=H,1 b2=1 Y=n,1";

outcome check(const std::string& claim, const std::string& wrt = "W2") {
    request r;
    r.command = "check";
    r.formula = board;
    r.has_formula = true;
    r.dims = board_dims;
    r.wrt = wrt;
    r.has_wrt = true;
    r.claim = claim;
    r.has_claim = true;
    return run(r, test_environment());
}

/// `derive --format text --verbose`: verbose says whether the program came from the cache.
request derive_verbose(const std::string& formula) {
    request r;
    r.command = "derive";
    r.formula = formula;
    r.has_formula = true;
    r.format = "text";
    r.verbose = true;
    return r;
}

}  // namespace

TEST_CASE("check: a claim written as ctgrad derives it is correct symbolically", "[cli][check]") {
    const outcome o = check("A1^T * ((2/count(yhat) * (yhat - Y)) .* (1 - yhat^2))");
    INFO(o.out << o.err);
    CHECK(o.exit_code == 0);
    CHECK(o.out.rfind("correct: the claim equals dL/dW2 symbolically", 0) == 0);
}

TEST_CASE("check: the lecture's hand derivation is correct numerically at 5 random draws", "[cli][check]") {
    // n, the batch size, and tanh(Z2) instead of yhat: the same numbers, another expression.
    const outcome o = check("A1^T * ((2/n * (yhat - Y)) .* (1 - tanh(Z2)^2))");
    INFO(o.out << o.err);
    CHECK(o.exit_code == 0);
    CHECK(o.out.rfind("correct: the claim equals dL/dW2 numerically at 5 random draws", 0) == 0);
    CHECK(o.out.find("the expressions differ symbolically") != std::string::npos);
}

TEST_CASE("check: a wrong claim exits 1 with its diagnosis and the correct expression", "[cli][check]") {
    // The factor 2/n forgotten: the random draws have n = 6 rows, so the claim is 3 times too large.
    const outcome o = check("A1^T * ((yhat - Y) .* (1 - yhat^2))");
    INFO(o.out << o.err);
    CHECK(o.exit_code == 1);
    CHECK(o.out.rfind("wrong: the claim is 3× dL/dW2 at every entry: a lost factor 1/3?\n", 0) == 0);
    CHECK(o.out.find("\ncorrect: dL/dW2 = A₁ᵀ ∂L/∂Z₂\n") != std::string::npos);
}

TEST_CASE("check: a claim whose shapes do not fit is wrong (exit 1), diagnosed as a lost transpose", "[cli][check]") {
    // The lecture's slide writes dL/dZ2 * A1 for A1^T dL/dZ2.
    const outcome o = check("A1 * ((2/n * (yhat - Y)) .* (1 - yhat^2))");
    INFO(o.out << o.err);
    CHECK(o.exit_code == 1);
    CHECK(o.out.rfind("wrong: cannot multiply A1 (n x H) by ", 0) == 0);
    CHECK_THAT(o.out, Catch::Contains("; with A1^T in place of A1 the claim equals dL/dW2: a lost transpose\n"));
}

TEST_CASE("check: a claim of the wrong shape is wrong, with both shapes, not an error", "[cli][check]") {
    // The lecture's loose transposes: dL/dZ2 times A1 is not even (H x 1).
    const outcome o = check("Z2^T * A1");
    INFO(o.out << o.err);
    CHECK(o.exit_code == 1);
    CHECK(o.out.rfind("wrong: the claim is (1 x H), but dL/dW2 is (H x 1)\n", 0) == 0);
    CHECK(o.out.find("correct: dL/dW2 = ") != std::string::npos);
}

TEST_CASE("A repeated command finds its program in the cache and takes well under a second", "[cli][cache]") {
    request r = derive_verbose(board);
    r.dims = board_dims;
    const outcome first = run(r, test_environment());
    INFO(first.out << first.err);
    REQUIRE(first.exit_code == 0);
    const auto start = std::chrono::steady_clock::now();
    const outcome again = run(r, test_environment());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(again.exit_code == 0);
    CHECK(again.out == first.out);
    CHECK(again.err.find("found in the cache") != std::string::npos);
    CHECK(seconds < 1.0);
}

namespace {

/// The program a --verbose run names on stderr (compiled, or found in the cache).
std::string program_named(const std::string& err) {
    for (const std::string marker : {"program compiled in ", "program found in the cache: "}) {
        const std::size_t at = err.find(marker);
        if (at == std::string::npos) continue;
        std::string program = err.substr(err.find(": ", at) + 2);
        return program.substr(0, program.find('\n'));
    }
    return {};
}

}  // namespace

TEST_CASE("derive compiles one program per output form and language, holding only the text it prints",
          "[cli][cache]") {
    // A small formula no other test runs: its derivation is printed while compiling (ctgrad's
    // latex.hpp), so a program's binary holds the text it prints, and none that it does not.
    const std::string formula = "mse(tanh(X*W_forms), Y)";
    struct form {
        std::string format, lang, holds, lacks;
    };
    const form forms[] = {{"text", "en", "Forward pass:", "\\begin{align*}"},
                          {"latex", "en", "is the learning rate", "Forward pass:"},
                          {"latex", "ru", "скорость обучения", "is the learning rate"},
                          {"markdown", "ru", "Прямой проход:", "\\begin{align*}"}};
    std::set<std::string> programs;
    for (const form& f : forms) {
        request r = derive_verbose(formula);
        r.format = f.format;
        r.lang = f.lang;
        const outcome o = run(r, test_environment());
        INFO(f.format << " " << f.lang << "\n" << o.out << o.err);
        REQUIRE(o.exit_code == 0);
        CHECK(o.out.find(f.holds) != std::string::npos);
        CHECK(o.out.find(f.lacks) == std::string::npos);
        const std::string program = program_named(o.err);
        REQUIRE(!program.empty());
        programs.insert(program);
        std::ifstream in(program, std::ios::binary);
        const std::string binary{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        CHECK(binary.find(f.holds) != std::string::npos);
        CHECK(binary.find(f.lacks) == std::string::npos);
        // The same request again: the same program, from the cache.
        const outcome again = run(r, test_environment());
        CHECK(again.out == o.out);
        CHECK(again.err.find("program found in the cache: " + program) != std::string::npos);
    }
    CHECK(programs.size() == std::size(forms));
}

TEST_CASE("A damaged cache entry (a truncated or missing program) is built again", "[cli][cache]") {
    const request r = derive_verbose("mse(sigmoid(X*W_damaged), Y)");  // a program no other test runs
    const outcome first = run(r, test_environment());
    INFO(first.out << first.err);
    REQUIRE(first.exit_code == 0);
    const std::string marker = "program found in the cache: ";
    const outcome cached = run(r, test_environment());
    const std::size_t at = cached.err.find(marker);
    REQUIRE(at != std::string::npos);
    std::string program = cached.err.substr(at + marker.size());
    program = program.substr(0, program.find('\n'));

    std::filesystem::resize_file(program, 100);  // truncated: cannot run
    const outcome after_truncation = run(r, test_environment());
    CHECK(after_truncation.exit_code == 0);
    CHECK(after_truncation.out == first.out);
    CHECK(after_truncation.err.find("program compiled in") != std::string::npos);

    std::filesystem::remove(program);  // the entry's directory stays, without its program
    const outcome after_removal = run(r, test_environment());
    CHECK(after_removal.exit_code == 0);
    CHECK(after_removal.out == first.out);
    CHECK(after_removal.err.find("program compiled in") != std::string::npos);
}

TEST_CASE("Programs of one kind share their headers, precompiled once in the cache", "[cli][cache]") {
    // An empty cache of its own, so both programs are compiled (with a shared cache, a re-run in
    // the same build dir finds them there and compiles nothing); each compile names the same
    // precompiled opening.
    const fresh_cache cache;
    std::string used;
    for (const std::string formula : {"mse(sigmoid(X*W_opening1), Y)", "mse(tanh(X*W_opening2), Y)"}) {
        const outcome o = run(derive_verbose(formula), cache.env());
        INFO(o.out << o.err);
        REQUIRE(o.exit_code == 0);
        const std::string marker = "program compiled in ";
        const std::size_t at = o.err.find(marker);
        REQUIRE(at != std::string::npos);
        std::string program = o.err.substr(o.err.find(": ", at) + 2);
        program = program.substr(0, program.find('\n'));
        std::ifstream log(std::filesystem::path(program).parent_path() / "compile.log");
        std::string command;
        std::getline(log, command);
        // g++: -include <cache>/headers-<key>/opening.hpp, beside opening.hpp.gch; clang: -include-pch.
        const std::size_t flag = command.find(" -include");
        REQUIRE(flag != std::string::npos);
        const std::size_t path_at = command.find(' ', flag + 1) + 1;
        const std::string path = command.substr(path_at, command.find(' ', path_at) - path_at);
        CHECK(path.rfind((cache.path() / "headers-").string(), 0) == 0);
        CHECK((std::filesystem::exists(path + ".gch") || path.ends_with(".pch")));
        CHECK(std::filesystem::exists(path));
        if (!used.empty()) CHECK(path == used);
        used = path;
    }
}

#endif  // __has_include("generator.hpp")
