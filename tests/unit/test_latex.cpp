// LaTeX and plain text of expressions, gradients and derivations (latex.hpp,
// derivation_steps.hpp, format.hpp) against the golden files in tests/golden/, exact text.
// The same strings are checked again in constant expressions (static_assert) where
// CTGRAD_STATIC_GOLDEN is on; the KaTeX and pdflatex checks render the golden files.
#include "latex_support.hpp"
#include "support.hpp"

#include <ctgrad/derivation_steps.hpp>
#include <ctgrad/format.hpp>
#include <ctgrad/latex.hpp>

#include <fmt/format.h>

#include <sstream>
#include <string>
#include <string_view>
#include <tuple>

namespace {

using namespace ctgrad;
using ctgrad::detail::text_buffer;
using ctgrad_test::check_golden;

// ---- every operation ---------------------------------------------------------------

constexpr matrix<"A", dynamic, 3> A{};
constexpr matrix<"B", dynamic, 3> B{};
constexpr matrix<"P", 3, 2> P{};
constexpr matrix<"s", 1, 1> s{};
constexpr matrix<"r", 1, 3> r{};
constexpr matrix<"y", dynamic, 1> y{};
constexpr matrix<"W^{(1)}", 3, 3> W_sup{};

// One line per case: "<LaTeX> % <label>" (a LaTeX comment, so KaTeX renders the line as it is),
// or "<label>: <text>" in plain text.
template <class E>
constexpr void listing_line(text_buffer& out, std::string_view label, const E& e, bool text) {
    if (text) {
        out += label;
        out += ": ";
        out += detail::text_buffer_of(e);
    } else {
        out += detail::latex_buffer(e);
        out += " % ";
        out += label;
    }
    out += '\n';
}

constexpr text_buffer operations_listing(bool text) {
    text_buffer out;
    listing_line(out, "add", A + B, text);
    listing_line(out, "subtract", A - B, text);
    listing_line(out, "negate", -A, text);
    listing_line(out, "matmul", A * P, text);
    listing_line(out, "scale", scale(s, A), text);
    listing_line(out, "scale by a constant", 0.5 * A, text);
    listing_line(out, "hadamard", hadamard(A, B), text);
    listing_line(out, "divide", A / B, text);
    listing_line(out, "transpose", transpose(A), text);
    listing_line(out, "relu", relu(A), text);
    listing_line(out, "step", step(A), text);
    listing_line(out, "tanh", tanh(A), text);
    listing_line(out, "sigmoid", sigmoid(A), text);
    listing_line(out, "exp", exp(A), text);
    listing_line(out, "log", log(A), text);
    listing_line(out, "softplus", softplus(A), text);
    listing_line(out, "square", square(A), text);
    listing_line(out, "square of a function", square(tanh(A)), text);
    listing_line(out, "identity", identity(A), text);
    listing_line(out, "sum of a column", sum(y), text);
    listing_line(out, "sum of a row", sum(r), text);
    listing_line(out, "sum of a matrix", sum(A), text);
    listing_line(out, "mean", mean(A), text);
    listing_line(out, "column sums", column_sums(A), text);
    listing_line(out, "mse", mse(A, B), text);
    listing_line(out, "bce", bce(sigmoid(A), B), text);
    listing_line(out, "broadcast of a 1x1 over a column", broadcast_like(s, y), text);
    listing_line(out, "broadcast of a 1x1 over a row", broadcast_like(s, r), text);
    listing_line(out, "broadcast of a 1x1 over a matrix", broadcast_like(s, A), text);
    listing_line(out, "broadcast of a row over a matrix", broadcast_like(r, A), text);
    listing_line(out, "count of a column", count(y), text);
    listing_line(out, "count of an n x 3 matrix", divide(literal<2>{}, count(A)), text);
    listing_line(out, "count of a static matrix", count(P), text);
    listing_line(out, "named, outside a derivation", named<"H">(A * P), text);
    listing_line(out, "a fraction", scale(literal<1, 2>{}, A), text);
    listing_line(out, "a negative fraction", scale(literal<-1, 2>{}, A), text);
    listing_line(out, "a negative constant", A + -0.25, text);
    listing_line(out, "a small constant", 1.5e-7 * A, text);
    listing_line(out, "parentheses for a sum in a product", (A + B) * P, text);
    listing_line(out, "parentheses for a difference subtracted", A - (B - A), text);
    listing_line(out, "parentheses for a negated sum", -(A + B), text);
    listing_line(out, "parentheses for a sum transposed", transpose(A + B), text);
    listing_line(out, "parentheses for a function transposed", transpose(tanh(A)), text);
    listing_line(out, "parentheses for a transpose squared", square(transpose(A)), text);
    listing_line(out, "braces for a name with a superscript", transpose(W_sup), text);
    listing_line(out, "no parentheses for a product in a hadamard product", hadamard(A * transpose(W_sup), B), text);
    listing_line(out, "parentheses for a sum in a hadamard product", hadamard(A + B, A), text);
    listing_line(out, "a fraction of a sum", (A + B) / 2.0, text);
    listing_line(out, "a product of products", A * (P * transpose(P)), text);
    return out;
}

// Every descriptor has its notation: `latex` or, shape-dependent, `latex_for<...>`.
using A_t = std::remove_cvref_t<decltype(A)>;
template <class... Ops>
constexpr bool all_have_notation(std::tuple<Ops...>*) {
    return ((requires { Ops::latex; } || requires { Ops::template latex_for<A_t, A_t>; } ||
             requires { Ops::template latex_for<A_t>; }) && ...);
}
static_assert(all_have_notation(static_cast<all_operations*>(nullptr)),
              "every operation in ops/all.hpp needs a latex_form");

STATIC_GOLDEN(operations_listing(false), operations_tex);
STATIC_GOLDEN(operations_listing(true), operations_txt);

TEST_CASE("Every operation prints in the lecture's notation, in LaTeX and in plain text", "[latex][ops]") {
    check_golden("operations.tex", operations_listing(false).str());
    check_golden("operations.txt", operations_listing(true).str());
}

// ---- the board exercise ------------------------------------------------------------------

namespace board {
constexpr matrix<"X", dynamic, 3> X{};
constexpr matrix<"W_1", 3, 4> W1{};
constexpr vector<"b_1", 4> b1{};
constexpr matrix<"W_2", 4, 1> W2{};
constexpr vector<"b_2", 1> b2{};
constexpr matrix<"Y", dynamic, 1> Y{};
constexpr auto yhat = tanh(relu(X * W1 + transpose(b1)) * W2 + transpose(b2));
constexpr auto L = mse(yhat, Y);
}  // namespace board

constexpr text_buffer board_gradients() {
    using namespace board;
    text_buffer out;
    listing_line(out, "dL/dW_2", grad(L, W2), false);
    listing_line(out, "dL/db_2", grad(L, b2), false);
    listing_line(out, "dL/dW_1", grad(L, W1), false);
    listing_line(out, "dL/db_1", grad(L, b1), false);
    listing_line(out, "dL/dX", grad(L, X), false);
    listing_line(out, "the forward formula", L, false);
    return out;
}

STATIC_GOLDEN(board_gradients(), board_gradients_tex);

#if CTGRAD_CONSTEXPR_STRING
// The promise, as a user writes it: the compiler derives and prints.
static_assert(latex(grad(board::L, board::W2)) == "A_1^{T} \\frac{\\partial L}{\\partial Z_2}");
static_assert(text(grad(board::L, board::W2)) == "A₁ᵀ ∂L/∂Z₂");
#else
// Workaround: std::string is not constexpr with libstdc++ 12 under clang; the same check on the
// buffer latex() copies from.
static_assert(detail::latex_buffer(grad(board::L, board::W2)) == "A_1^{T} \\frac{\\partial L}{\\partial Z_2}");
#endif

constexpr auto board_derivation() {
    using namespace board;
    return derivation(L, W1, b1, W2, b2);
}

STATIC_GOLDEN(board_derivation().latex_buffer(), board_derivation_tex);
STATIC_GOLDEN(board_derivation().markdown_buffer(), board_derivation_md);
STATIC_GOLDEN(board_derivation().plain_buffer(), board_derivation_txt);

TEST_CASE("latex(grad(L, V)) writes the board network's gradients in the lecture's names", "[latex]") {
    check_golden("board_gradients.tex", board_gradients().str());
    CHECK(latex(grad(board::L, board::W2)) == "A_1^{T} \\frac{\\partial L}{\\partial Z_2}");
    CHECK(text(grad(board::L, board::b1)) == "(Σ(j=1..n) ∂L/∂Z₁ʲ)ᵀ");
}

TEST_CASE("The board exercise's derivation matches its golden LaTeX, Markdown and text", "[latex]") {
    const auto d = board_derivation();
    check_golden("board_derivation.tex", d.latex());
    check_golden("board_derivation.md", d.markdown());
    check_golden("board_derivation.txt", d.text());
}

TEST_CASE("derivation(...).text(lang::ru) writes the prose in Russian, the formulas unchanged", "[latex][lang]") {
    const auto d = board_derivation();
    check_golden("board_derivation_ru.txt", d.text(lang::ru));
    check_golden("board_derivation_ru.tex", d.latex(lang::ru));
    const std::string md = d.markdown(lang::ru);
    CHECK(md.rfind("Прямой проход:", 0) == 0);
    CHECK(md.find("Обратный проход") != std::string::npos);
    CHECK(md.find("скорость обучения") != std::string::npos);
    // Only the prose differs: the lines of formulas are the English derivation's.
    const auto formulas = [](const std::string& text) {
        std::string out;
        std::istringstream in(text);
        for (std::string line; std::getline(in, line);) {
            if (line.rfind("  ", 0) == 0) out += line + "\n";
        }
        return out;
    };
    CHECK(formulas(d.text(lang::ru)) == formulas(d.text()));
    CHECK(d.text(lang::en) == d.text());
}

TEST_CASE("derivation(...).text<lang::ru>(), the language chosen while compiling, is the text of text(lang::ru)",
          "[latex][lang]") {
    const auto d = board_derivation();
    for (const lang l : {lang::en, lang::ru}) {
        const bool ru = l == lang::ru;
        CHECK((ru ? d.latex<lang::ru>() : d.latex<lang::en>()) == d.latex(l));
        CHECK((ru ? d.markdown<lang::ru>() : d.markdown<lang::en>()) == d.markdown(l));
        CHECK((ru ? d.text<lang::ru>() : d.text<lang::en>()) == d.text(l));
    }
    CHECK(d.text<lang::ru>() != d.text<lang::en>());
}

// ---- regressions as one neuron -----------------------------------------------------------

namespace neuron {
constexpr matrix<"X", dynamic, 3> X{};
constexpr vector<"w", 3> w{};
constexpr vector<"b", 1> b{};
constexpr matrix<"Y", dynamic, 1> Y{};
constexpr auto Z = X * w + b;
constexpr auto linear = mse(identity(Z), Y);
constexpr auto logistic = bce(sigmoid(Z), Y);
constexpr auto poisson = mean(exp(Z) - hadamard(Y, Z));
}  // namespace neuron

STATIC_GOLDEN(derivation(neuron::linear, neuron::w, neuron::b).latex_buffer(), regression_linear_tex);
STATIC_GOLDEN(derivation(neuron::linear, neuron::w, neuron::b).plain_buffer(), regression_linear_txt);
STATIC_GOLDEN(derivation(neuron::logistic, neuron::w, neuron::b).latex_buffer(), regression_logistic_tex);
STATIC_GOLDEN(derivation(neuron::logistic, neuron::w, neuron::b).plain_buffer(), regression_logistic_txt);
STATIC_GOLDEN(derivation(neuron::poisson, neuron::w, neuron::b).latex_buffer(), regression_poisson_tex);
STATIC_GOLDEN(derivation(neuron::poisson, neuron::w, neuron::b).plain_buffer(), regression_poisson_txt);

TEST_CASE("Linear, logistic and Poisson regression derive as one neuron each", "[latex]") {
    using namespace neuron;
    check_golden("regression_linear.tex", derivation(linear, w, b).latex());
    check_golden("regression_linear.txt", derivation(linear, w, b).text());
    check_golden("regression_logistic.tex", derivation(logistic, w, b).latex());
    check_golden("regression_logistic.txt", derivation(logistic, w, b).text());
    check_golden("regression_poisson.tex", derivation(poisson, w, b).latex());
    check_golden("regression_poisson.txt", derivation(poisson, w, b).text());
}

// ---- named<"H"> --------------------------------------------------------------------

namespace hidden {
using board::b1;
using board::b2;
using board::W1;
using board::W2;
using board::X;
using board::Y;
constexpr auto H = named<"H">(relu(X * W1 + transpose(b1)));
constexpr auto L = mse(sigmoid(H * W2 + transpose(b2)), Y);
}  // namespace hidden

STATIC_GOLDEN(derivation(hidden::L, hidden::W1, hidden::W2).latex_buffer(), named_derivation_tex);
STATIC_GOLDEN(derivation(hidden::L, hidden::W1, hidden::W2).plain_buffer(), named_derivation_txt);

TEST_CASE("named<H>(e) replaces an automatic name in derivations", "[latex]") {
    using namespace hidden;
    check_golden("named_derivation.tex", derivation(L, W1, W2).latex());
    check_golden("named_derivation.txt", derivation(L, W1, W2).text());
    CHECK(latex(grad(L, W2)) == "H^{T} \\frac{\\partial L}{\\partial Z_2}");
    CHECK(latex(H) == "\\operatorname{ReLU}(X W_1 + b_1^{T})");
}

TEST_CASE("named<H>(e) changes no value and no derivative", "[laws][latex]") {
    using namespace board;
    using ctgrad_test::random_source;
    random_source rng(7);
    const Eigen::Matrix<double, Eigen::Dynamic, 3> x = rng.uniform<Eigen::Dynamic, 3>(6, 3);
    const Eigen::Matrix<double, 3, 4> w1 = rng.uniform<3, 4>();
    const Eigen::Matrix<double, 4, 1> v1 = rng.uniform<4, 1>();
    const Eigen::Matrix<double, 4, 1> w2 = rng.uniform<4, 1>();
    const Eigen::Matrix<double, 1, 1> v2 = rng.uniform<1, 1>();
    const Eigen::Matrix<double, Eigen::Dynamic, 1> t = rng.uniform<Eigen::Dynamic, 1>(6, 1);
    constexpr auto plain = mse(sigmoid(relu(X * W1 + transpose(b1)) * W2 + transpose(b2)), Y);
    const auto in = bind(X = x, W1 = w1, b1 = v1, W2 = w2, b2 = v2, Y = t);
    CHECK(eval(hidden::L, in) == eval(plain, in));
    const auto [g1, g2] = eval(grads(hidden::L, W1, W2), in);
    const auto [p1, p2] = eval(grads(plain, W1, W2), in);
    CHECK(ctgrad_test::worst_relative_difference(g1, p1) <= ctgrad_test::identity_tolerance);
    CHECK(ctgrad_test::worst_relative_difference(g2, p2) <= ctgrad_test::identity_tolerance);
    CHECK(check_gradient(hidden::L, W1, in) <= ctgrad_test::check_gradient_tolerance);
    // d named(e) / d e passes the adjoint through: the rule itself
    const auto g = literal<1>{};
    STATIC_REQUIRE(std::is_same_v<decltype(named_op<"H">::backward<0>(hidden::H, g)), literal<1>>);
}

// ---- fmt, numbers and names ----------------------------------------------------------------

TEST_CASE("fmt formats an expression as LaTeX with {} and as plain text with {:t}", "[latex]") {
    using namespace board;
    CHECK(fmt::format("{}", yhat) == latex(yhat));
    CHECK(fmt::format("{:t}", yhat) == text(yhat));
    CHECK(fmt::format("{:t}", grad(L, W1)) == "Xᵀ ∂L/∂Z₁");
    CHECK(fmt::format("{}", board_derivation()) == board_derivation().latex());
    CHECK(fmt::format("{:m}", board_derivation()) == board_derivation().markdown());
    CHECK(fmt::format("{:t}", board_derivation()) == board_derivation().text());
}

TEST_CASE("Constants print with at most six significant digits", "[latex]") {
    CHECK(latex(0.5 * A) == "0.5 A");
    CHECK(latex(3.0 * A) == "3 A");
    CHECK(latex(0.001 * A) == "0.001 A");
    CHECK(latex(1234567.0 * A) == "1234570 A");
    CHECK(latex(2.5e-6 * A) == "2.5 \\cdot 10^{-6} A");
    CHECK(text(2.5e-6 * A) == "2.5e-6 A");
    CHECK(latex(A - 1.0) == "A - 1");
}

TEST_CASE("Factors never run together: a number after a factor gets a dot, a broadcast one is a matrix of ones",
          "[latex]") {
    CHECK(latex(grad(sum(A * P), P)) == "A^{T} \\mathbf{1}_{n \\times 2}");  // not "A^{T} (1 \\mathbf{1}...)"
    CHECK(latex(2.0 * (3.0 / s)) == "2 \\cdot \\frac{3}{s}");                 // not 2 3/s, two and three s-ths
    CHECK(latex(scale(s, 2.0 * P)) == "s \\cdot 2 P");                         // not s2
    CHECK(text(sum(2.0 * P)) == "𝟏₃ᵀ · 2 P 𝟏₂");
    CHECK(latex(0.5 * A) == "0.5 A");  // a number before a name needs no dot
}

TEST_CASE("A gradient that no path carries (through step) is printed as 0", "[latex]") {
    const std::string through_step = derivation(sum(step(A * P)), P).text();
    CHECK(through_step.find("  ∂L/∂Z₁ = 0\n") != std::string::npos);
    CHECK(through_step.find("  ∂L/∂P  = ∂L/∂Z₁ · ∂Z₁/∂P = Aᵀ ∂L/∂Z₁\n") != std::string::npos);
    const std::string only_step = derivation(sum(step(P)), P).text();
    CHECK(only_step.find("  ∂L/∂P = 0\n  P     := P - η ∂L/∂P\n") != std::string::npos);
}

TEST_CASE("Plain text turns LaTeX names into Unicode", "[latex]") {
    constexpr matrix<"\\hat{y}", dynamic, 1> yh{};
    constexpr matrix<"Z_{10}", dynamic, 1> z10{};
    constexpr matrix<"\\eta", 1, 1> eta{};
    constexpr matrix<"W_{in}", 3, 3> w_in{};
    constexpr matrix<"W_{g}", 3, 3> w_g{};
    constexpr matrix<"\\hat{x}", 1, 1> xh{};
    CHECK(text(yh) == "ŷ");
    CHECK(text(z10) == "Z₁₀");
    CHECK(text(eta) == "η");
    CHECK(text(w_in) == "Wᵢₙ");
    CHECK(text(w_g) == "W_g");
    CHECK(text(xh) == "x\u0302");
    CHECK(detail::display_width("ŷ") == 1);
    CHECK(detail::display_width("x\u0302") == 1);
}

}  // namespace
