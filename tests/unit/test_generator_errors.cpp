// ctgrad-gen on malformed input: every case exits 2 with `error: ...`, the text, and a caret
// under the offending column; none compiles anything, crashes or hangs.
#if __has_include("generator.hpp")

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "generator.hpp"

namespace {

using namespace ctgrad::gen;

/// A malformed invocation: the request, the column (in characters) the caret must point at
/// (-1: anywhere), and a piece of the message.
struct malformed {
    std::string what;
    request r;
    int column;
    std::string message;
};

request derive(std::string formula) {
    request r;
    r.command = "derive";
    r.formula = std::move(formula);
    r.has_formula = true;
    return r;
}

request with_dims(std::string formula, std::string dims) {
    request r = derive(std::move(formula));
    r.dims = std::move(dims);
    return r;
}

request check_claim(std::string formula, std::string wrt, std::string claim, std::string dims = "") {
    request r = derive(std::move(formula));
    r.command = "check";
    r.wrt = std::move(wrt);
    r.has_wrt = true;
    r.claim = std::move(claim);
    r.has_claim = true;
    r.dims = std::move(dims);
    return r;
}

const std::string board = "mse(tanh(ReLU(X*W1 + b1^T)*W2 + b2^T), Y)";

std::vector<malformed> cases() {
    std::vector<malformed> c{
        // Syntax.
        {"empty input", derive(""), 0, "empty formula"},
        {"blanks only", derive("   \t "), 0, "empty formula"},
        {"unclosed call", derive("mse(X*W1, Y"), 3, "never closed"},
        {"unclosed parenthesis", derive("(X*W1"), 0, "never closed"},
        {"extra closing parenthesis", derive("mse(X*W1, Y))"), 12, "no matching"},
        {"lone closing parenthesis", derive(")"), 0, "no matching"},
        {"closing after a call", derive("tanh(X))"), 7, "no matching"},
        {"lone opening parenthesis", derive("("), 1, "operand"},
        {"empty parentheses", derive("()"), 1, "operand"},
        {"unbalanced board formula", derive("mse(tanh(ReLU(X*W1 + b1^T)*W2 + b2^T, Y)"), 4, "is a ')' missing"},
        {"missing operand at the end", derive("X +"), 3, "operand"},
        {"missing operand after .*", derive("X .* "), 5, "operand"},
        {"two operators", derive("X * * W"), 4, "found '*'"},
        {"power operator", derive("X ** W"), 3, "found '*'"},
        {"juxtaposed names", derive("X W"), 2, "expected an operator"},
        {"juxtaposed outputs", derive("ŷ ŷ"), 2, "expected an operator"},
        {"number before a name", derive("2X"), 1, "2*X"},
        {"number before a parenthesis", derive("2(X)"), 1, "expected an operator"},
        {"trailing text", derive(board + " extra"), static_cast<int>(board.size()) + 1, "expected an operator"},
        {"comma outside a call", derive("X, Y"), 1, "outside a function call"},
        {"trailing comma", derive("tanh(X,)"), 7, "operand"},
        {"leading comma", derive("mse(, Y)"), 4, "found ','"},
        {"exponent other than T or 2", derive("X^3"), 2, "T (transpose) or 2 (square)"},
        {"exponent missing", derive("X^"), 2, "T (transpose) or 2 (square)"},
        {"exponent after transpose missing", derive("X^T^"), 4, "T (transpose) or 2 (square)"},
        {"unclosed brace", derive("X^{T"), 4, "'}'"},
        {"quote for transpose", derive("X'"), 1, "A^T"},
        {"brackets", derive("X[1]"), 1, "group with ( and )"},
        {"lone dot", derive("X . Y"), 2, ".*"},
        {"hash", derive("X # Y"), 2, "'#'"},
        {"at sign", derive("@"), 0, "'@'"},
        {"unknown Unicode symbol", derive("X ∑ Y"), 2, "U+2211"},
        {"underscore start", derive("_X + Y"), 0, "start with a letter"},
        {"name longer than 64", derive(std::string(70, 'W')), 0, "longer than 64"},
        {"number out of range", derive("1e999 * X"), 0, "out of range"},
        {"number longer than 40", derive(std::string(50, '1') + " * X"), 0, "longer than 40"},
        {"division by zero", derive("mse(1/0 * X, Y)"), 5, "division by zero"},
        {"number underflowing to 0", derive("1e-400 * X"), 0, "would be 0"},
        {"small number with a long mantissa", derive("sum(X) + 0.0001e-330"), 9, "would be 0"},
        {"arithmetic on numbers underflowing to 0", derive("sum(X*W) + 1e-200*1e-200"), 17, "out of range"},
        {"quotient of numbers underflowing to 0", derive("sum(X*W) / (1e-200/1e200)"), 18, "out of range"},
        {"element-wise product of numbers overflowing", derive("sum(X*W) * (1e200 .* 1e200)"), 18, "out of range"},
        {"log of the number 0", derive("sum(X*W) + log(0)"), 11, "log of 0"},
        {"log of a negative number", derive("sum(log(-2) * X)"), 4, "log of a negative number (-2)"},
        {"log of numbers that make 0", derive("sum(X*W) + ln(1 - 1)"), 11, "log of 0"},
        // Names.
        {"unknown function", derive("foo(X)"), 0, "unknown function 'foo'"},
        {"misspelt function", derive("mse(tahn(X*W), Y)"), 4, "did you mean 'tanh'"},
        {"function without call", derive("tanh"), 0, "is a function"},
        {"loss without call", derive("mse + X"), 0, "is a function"},
        {"unclosed sigma", derive("σ("), 2, "ends where an operand"},
        {"too few arguments", derive("mse(X)"), 0, "mse takes 2 arguments"},
        {"too many arguments", derive("mse(X, Y, Z)"), 0, "found 3"},
        {"no arguments", derive("tanh()"), 0, "found 0"},
        {"call with a misplaced parenthesis", derive("mse(tanh(X*W1 + b1^T, Y)"), 4, "tanh takes 1 argument"},
        // Bytes that are not text.
        {"control characters", derive("\x01\x02\x03"), 0, "control character"},
        {"NUL inside", derive(std::string("X\0Y", 3)), 1, "control character"},
        {"invalid UTF-8 lead byte", derive("\xff\xfe\xfd"), 0, "invalid UTF-8"},
        {"invalid UTF-8 continuation", derive("X \xc3\x28"), 2, "invalid UTF-8"},
        {"truncated UTF-8", derive("X + \xe2\x8a"), 4, "invalid UTF-8"},
        {"binary garbage", derive(std::string("\x7f\x45\x4c\x46\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00", 16)), 0,
         "control character"},
        // Depth: neither the parser nor any later pass may overflow the stack.
        {"10000-deep parentheses", derive(std::string(10000, '(') + "X" + std::string(10000, ')')), -1, "nests deeper"},
        {"10000-deep calls", derive([] {
             std::string s;
             for (int i = 0; i < 10000; ++i) s += "tanh(";
             return s + "X" + std::string(10000, ')');
         }()),
         -1, "nests deeper"},
        {"10000-deep unary minus", derive(std::string(10000, '-') + "X"), -1, "nests deeper"},
        {"5000 terms in one chain", derive([] {
             std::string s = "sum(X";
             for (int i = 0; i < 5000; ++i) s += " + X";
             return s + ")";
         }()),
         -1, "nests deeper"},
        {"200000 characters", derive(std::string(200000, 'X')), -1, "longer than"},
        // Shapes: both operands and their shapes are named.
        {"product of fixed mismatching sizes", with_dims("mse(X*W1, Y)", "X=n,d W1=k,H"), 5, "(n x d) by W1 (k x H)"},
        {"sum of mismatching columns", with_dims("sum(X*W + X)", "W=d,3"), 8, "cannot add X*W (n x 3) and X (n x d)"},
        {"bias of the wrong length", with_dims("sum(X*W1 + b1^T)", "b1=H,2"), 9, "(2 x H)"},
        {"matrix plus its transpose", with_dims("sum(W1 + W1^T)", "W1=d,H"), 7, "cannot add"},
        {"hadamard of mismatching shapes", with_dims("sum(hadamard(X, W))", "W=2,2"), 4,
         "cannot multiply entry by entry X (n x d) and W (2 x 2)"},
        {"mse of mismatching shapes", with_dims("mse(X*W, Y)", "W=d,3 Y=n,2"), 0, "mse(...) needs equal shapes"},
        {"scale by a matrix", derive("sum(scale(X, W))"), 4, "must be 1 x 1"},
        {"a static size above Eigen's limit", with_dims("sum(W)", "W=200,100"), 4, "Eigen's limit"},
        {"a product above Eigen's limit", with_dims("sum(u * v^T)", "u=1000 v=1000"), 6, "Eigen's limit"},
        {"not a loss", derive("tanh(X*W1)"), 0, "not a loss"},
        {"no variables", derive("2 + 3"), 0, "no variables"},
        {"only data", derive("mse(X, Y)"), 9, "every variable of the formula is data"},
    };

    // Options.
    request wrt = derive(board);
    wrt.wrt = "W1,Q";
    wrt.has_wrt = true;
    c.push_back({"--wrt names a variable not in the formula", wrt, 3, "Q does not occur"});
    request wrt_garbage = derive(board);
    wrt_garbage.wrt = "W1,(";
    wrt_garbage.has_wrt = true;
    c.push_back({"--wrt with a parenthesis", wrt_garbage, 4, "--wrt"});
    // count(V) reads V's shape only: L does not depend on V, so there is no gradient to ask for.
    request wrt_count = derive("sum(X*W) + count(V)");
    wrt_count.wrt = "W,V";
    wrt_count.has_wrt = true;
    c.push_back({"--wrt a variable used only inside count", wrt_count, 2, "occurs only inside count"});
    c.push_back({"parameters used only inside count", derive("count(W)"), 8, "only inside count"});
    // Names the derivation uses for its own quantities.
    c.push_back({"a variable named like an intermediate", derive("mse(relu(Z1*W)*V, Y)"), 9, "the derivation gives Z1*W"});
    c.push_back({"a variable named like a reused intermediate", derive("sum((X + H1)*W + (X + H1))"), 9,
                 "the derivation gives (X + H1); rename the variable"});
    c.push_back({"a variable named like the prediction", derive("mse(relu(X*W)*yhat, Y)"), 14, "rename the variable"});
    c.push_back({"a variable named like the loss", derive("sum(X*L)"), 6, "gives the loss"});
    c.push_back({"a matrix divided by the number zero", derive("sum(X*W)/(1-1)"), 8, "division by zero"});
    request data = derive(board);
    data.data = "X,Z";
    data.has_data = true;
    c.push_back({"--data names a variable not in the formula", data, 2, "--data: Z does not occur"});
    c.push_back({"--dims without =", with_dims(board, "W1"), 0, "NAME=ROWS,COLS"});
    c.push_back({"--dims with three sizes", with_dims(board, "W1=1,2,3"), 0, "two dimensions"});
    c.push_back({"--dims with a zero", with_dims(board, "W1=0,2"), 3, "between 1 and 100000"});
    c.push_back({"--dims with an empty size", with_dims(board, "W1=d,"), 5, "missing"});
    c.push_back({"--dims for an absent variable", with_dims(board, "W1=d,H Q=3,4"), 7, "Q does not occur"});
    c.push_back({"--dims given twice", with_dims(board, "W1=d,H W1=d,K"), 7, "given twice"});
    request format = derive(board);
    format.format = "pdf";
    c.push_back({"unknown --format", format, 0, "--format"});
    request no_name = derive(board);
    no_name.command = "emit";
    c.push_back({"emit without --name", no_name, static_cast<int>(board.size()), "--name"});
    request bad_name = no_name;
    bad_name.name = "int";
    bad_name.has_name = true;
    c.push_back({"emit with a keyword for a name", bad_name, 0, "not a usable C++ identifier"});
    request macro_name = bad_name;
    macro_name.name = "assert";  // a macro of <cassert>, which the emitted header's includes define
    c.push_back({"emit with a macro for a name", macro_name, 0, "not a keyword or a macro"});
    request command;
    command.command = "frobnicate";
    c.push_back({"unknown command", command, 0, "unknown command"});
    request config;
    config.command = "config";
    config.formula = "clear";
    config.has_formula = true;
    c.push_back({"config with an argument", config, 0, "config takes no arguments"});
    request lecture;
    lecture.command = "lecture";
    lecture.formula = "bored";
    lecture.has_formula = true;
    c.push_back({"unknown lecture formula", lecture, 0, "no lecture formula"});

    // Claims: errors point into the claim.
    c.push_back({"claim with a syntax error", check_claim(board, "W2", "A1^T *"), 6, "operand"});
    c.push_back({"claim with an unknown name", check_claim(board, "W2", "A1^T * Q"), 7, "'Q', which is not in the formula"});
    // (a claim whose shapes do not fit is a wrong claim, exit 1: test_generator_programs.cpp)
    c.push_back({"claim with an unknown function", check_claim(board, "W2", "tanhh(Z2)"), 0, "did you mean 'tanh'"});
    c.push_back({"claim with the log of 0", check_claim(board, "W2", "log(0) * W2"), 0, "log of 0"});
    c.push_back({"claim with a number underflowing to 0", check_claim(board, "W2", "W2 / 1e-999"), 5, "would be 0"});
    request no_claim = derive(board);
    no_claim.command = "check";
    no_claim.wrt = "W2";
    no_claim.has_wrt = true;
    c.push_back({"check without --claim", no_claim, static_cast<int>(board.size()), "--claim"});
    c.push_back({"check of two variables", check_claim(board, "W1,W2", "W1"), 0, "one variable"});
    return c;
}

/// An environment whose compiler does not exist: any attempt to compile fails loudly (exit 3),
/// so these cases also prove that errors are found before compiling.
environment no_compiler() {
    environment env;
    env.tools.compiler = "/nonexistent/c++";
    env.cache = "/nonexistent/cache";
    return env;
}

std::vector<std::string> lines_of(const std::string& s) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < s.size()) {
        const std::size_t end = s.find('\n', at);
        out.push_back(s.substr(at, end - at));
        if (end == std::string::npos) break;
        at = end + 1;
    }
    return out;
}

/// Display columns: one per code point (UTF-8 continuation bytes take none).
std::size_t columns(const std::string& line) {
    return static_cast<std::size_t>(
        std::count_if(line.begin(), line.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

TEST_CASE("Malformed formulas and options exit 2 with an error line, the text and a caret under the offending column",
          "[cli][errors]") {
    const auto all = cases();
    CHECK(all.size() >= 50);
    const environment env = no_compiler();
    for (const auto& c : all) {
        INFO("case: " << c.what);
        const auto start = std::chrono::steady_clock::now();
        const outcome o = run(c.r, env);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        INFO("stderr:\n" << o.err);
        CHECK(o.exit_code == 2);
        CHECK(o.out.empty());
        CHECK(seconds < 2.0);
        const auto lines = lines_of(o.err);
        REQUIRE(lines.size() == 3);
        CHECK(lines[0].rfind("error: ", 0) == 0);
        CHECK(lines[0].find(c.message) != std::string::npos);
        CHECK(lines[1].rfind("  ", 0) == 0);
        const std::size_t caret = lines[2].find('^');
        REQUIRE(caret != std::string::npos);
        CHECK(lines[2].find('^', caret + 1) == std::string::npos);
        if (c.column >= 0) CHECK(static_cast<int>(caret) - 2 == c.column);
        // Long input is quoted short in the message and shown in a window: no line is long.
        for (const auto& line : lines) CHECK(columns(line) <= 200);
    }
}

TEST_CASE("An option the command does not use is an error naming both; the options it uses are not",
          "[cli][errors]") {
    const auto misuse = [](std::string command, std::string option, std::string format = "", bool named = true) {
        request r = derive(board);
        r.command = std::move(command);
        r.has_formula = named;
        r.format = std::move(format);
        return option_misuse(r, option);
    };
    CHECK(misuse("derive", "--claim") == "--claim does not apply to derive; derive takes --wrt, --data, --dims, --format, "
                                         "--standalone, --lang, --verbose");
    CHECK(misuse("derive", "--name").find("--name does not apply to derive") == 0);
    CHECK(misuse("check", "--name").find("--name does not apply to check") == 0);
    CHECK(misuse("exercise", "--claim").find("--claim does not apply to exercise") == 0);
    CHECK(misuse("check", "--standalone").find("--standalone does not apply to check") == 0);
    CHECK(misuse("emit", "--claim").find("--claim does not apply to emit") == 0);
    CHECK(misuse("shapes", "--wrt").find("--wrt does not apply to shapes") == 0);
    CHECK(misuse("shapes", "-v") == "-v does not apply to shapes; shapes takes --data, --dims");
    CHECK(misuse("lecture", "--dims").find("--dims does not apply to lecture") == 0);  // its formulas bring theirs
    CHECK(misuse("lecture", "--format", "text", false).find("lecture without a NAME") != std::string::npos);
    CHECK(misuse("cache", "--wrt") == "--wrt does not apply to cache; cache takes no options");
    CHECK(misuse("config", "--verbose") == "--verbose does not apply to config; config takes no options");
    // --standalone makes a LaTeX document: not with another format, nor lecture's default text.
    CHECK(misuse("derive", "--standalone", "text").find("--format latex only") != std::string::npos);
    CHECK(misuse("lecture", "--standalone").find("--format latex only") != std::string::npos);
    // What the commands use.
    for (const char* option : {"--wrt", "--data", "--dims", "--format", "--standalone", "--verbose", "-v"}) {
        CHECK(misuse("derive", option).empty());
    }
    for (const char* option : {"--wrt", "--data", "--dims", "--claim", "--steps", "--format", "--lang", "--verbose"}) {
        CHECK(misuse("check", option).empty());
    }
    for (const char* option : {"--wrt", "--data", "--dims", "--name", "--verbose"}) CHECK(misuse("emit", option).empty());
    for (const char* option : {"--data", "--dims"}) CHECK(misuse("shapes", option).empty());
    CHECK(misuse("lecture", "--standalone", "latex").empty());
    CHECK(misuse("lecture", "--wrt").empty());
    // help ignores everything; an unknown command is reported as such by run.
    CHECK(misuse("help", "--claim").empty());
    CHECK(misuse("frobnicate", "--claim").empty());
}

TEST_CASE("An error's caret stays under its column in a long formula, which is shown in a window", "[cli][errors]") {
    std::string formula = "mse(";
    for (int i = 0; i < 60; ++i) formula += "tanh(";
    formula += "X*W1 $ b";
    for (int i = 0; i < 60; ++i) formula += ")";
    formula += ", Y)";
    const outcome o = run(derive(formula), no_compiler());
    REQUIRE(o.exit_code == 2);
    const auto lines = lines_of(o.err);
    REQUIRE(lines.size() == 3);
    CHECK(lines[1].size() < 100);
    const std::size_t caret = lines[2].find('^');
    REQUIRE(caret != std::string::npos);
    CHECK(lines[1][caret] == '$');
}

TEST_CASE("A caret after multi-byte characters lines up by characters, not bytes", "[cli][errors]") {
    const outcome o = run(derive("σ(ŷ) ⊙ θ $"), no_compiler());
    REQUIRE(o.exit_code == 2);
    const auto lines = lines_of(o.err);
    REQUIRE(lines.size() == 3);
    CHECK(lines[2] == "           ^");
}

TEST_CASE("Random token soup never crashes: each of 3000 formulas is typed (exit 0) or rejected with a caret (exit 2)",
          "[cli][errors]") {
    const std::vector<std::string> tokens{"X",  "Y",   "W1", "b1", "^T", "^2", "(",    ")",    ",",   "+",  "-",
                                          "*",  "/",   ".*", "2",  "0.5", "tanh(", "mse(", "sum(", "σ(", "ŷ",
                                          "relu(", "hadamard(", "transpose(", " ", "\xff", "{", "}", "^", "0"};
    std::mt19937 rng(12345);
    int typed = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string formula;
        const int length = std::uniform_int_distribution<int>(0, 24)(rng);
        for (int k = 0; k < length; ++k) formula += tokens[std::uniform_int_distribution<std::size_t>(0, tokens.size() - 1)(rng)];
        request r = derive(formula);
        r.command = "shapes";
        const outcome o = run(r, no_compiler());
        INFO("formula: " << formula << "\nstderr:\n" << o.err);
        REQUIRE((o.exit_code == 0 || o.exit_code == 2));
        if (o.exit_code == 2) {
            const auto lines = lines_of(o.err);
            REQUIRE(lines.size() == 3);
            REQUIRE(lines[2].find('^') != std::string::npos);
        } else {
            ++typed;
        }
    }
    CHECK(typed > 0);
}

#endif  // __has_include("generator.hpp")
