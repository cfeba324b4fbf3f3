// Derivations of formulas that read an intermediate more than once (a DAG, issue 16): two
// residual layers, with and without named<"H_k"> for the residual sums, and a weight shared by two
// layers, against golden LaTeX and text. Each reused node's adjoint is one line, the sum of its
// readers' contributions. residual_derivation.txt is also what `ctgrad-gen derive` must print for
// the same formula (generator/tests/cli_tests.cmake, cli.derive_residual_text and _latex).
#include "latex_support.hpp"

#include <ctgrad/derivation_steps.hpp>

#include <string>

namespace {

using namespace ctgrad;

namespace residual {
constexpr matrix<"X", dynamic, 4> X{};
constexpr matrix<"W_1", 4, 4> W1{};
constexpr vector<"b_1", 4> b1{};
constexpr matrix<"W_2", 4, 4> W2{};
constexpr vector<"b_2", 4> b2{};
constexpr matrix<"W_3", 4, 1> W3{};
constexpr matrix<"Y", dynamic, 1> Y{};

// H_1 = X + tanh(X W_1 + b_1^T), H_2 = H_1 + tanh(H_1 W_2 + b_2^T), L = MSE(H_2 W_3, Y).
constexpr auto H1 = X + tanh(X * W1 + transpose(b1));
constexpr auto H2 = H1 + tanh(H1 * W2 + transpose(b2));
constexpr auto L = mse(H2 * W3, Y);

// The same net with the residual sums named: their adjoints get lines of their own.
constexpr auto named_H1 = named<"H_1">(X + tanh(X * W1 + transpose(b1)));
constexpr auto named_H2 = named<"H_2">(named_H1 + tanh(named_H1 * W2 + transpose(b2)));
constexpr auto named_L = mse(named_H2 * W3, Y);

constexpr auto plain() { return derivation(L, W1, b1, W2, b2, W3); }
constexpr auto with_names() { return derivation(named_L, W1, b1, W2, b2, W3); }
}  // namespace residual

namespace shared {
constexpr matrix<"X", dynamic, 4> X{};
constexpr matrix<"W", 4, 4> W{};
constexpr matrix<"Y", dynamic, 4> Y{};
// One W in both layers: dL/dW sums the two layers' contributions.
constexpr auto L = mse(tanh(tanh(X * W) * W), Y);
constexpr auto steps() { return derivation(L, W); }
}  // namespace shared

STATIC_GOLDEN(residual::plain().plain_buffer(), residual_derivation_txt);
STATIC_GOLDEN(residual::with_names().plain_buffer(), residual_named_derivation_txt);
STATIC_GOLDEN(shared::steps().plain_buffer(), shared_weight_derivation_txt);

TEST_CASE("A residual block's derivation sums each reused activation's contributions in one line", "[latex][graph]") {
    const auto d = residual::plain();
    ctgrad_test::check_golden("residual_derivation.tex", d.latex());
    ctgrad_test::check_golden("residual_derivation.txt", d.text());
    // A_1 is read through X + A_1 by Z_2's product and by the output's: two contributions, one line.
    CHECK(d.text().find("  ∂L/∂A₁ = ∂L/∂ŷ · ∂ŷ/∂A₁ + ∂L/∂Z₂ · ∂Z₂/∂A₁ = ∂L/∂ŷ W₃ᵀ + ∂L/∂Z₂ W₂ᵀ\n") !=
          std::string::npos);
}

TEST_CASE("A residual block with named sums derives dL/dH_1 = dL/dH_2 + dL/dZ_2 W_2^T", "[latex][graph]") {
    const auto d = residual::with_names();
    ctgrad_test::check_golden("residual_named_derivation.tex", d.latex());
    ctgrad_test::check_golden("residual_named_derivation.txt", d.text());
    CHECK(latex(grad(residual::named_L, residual::W2)) == "H_1^{T} \\frac{\\partial L}{\\partial Z_2}");
}

TEST_CASE("A weight shared by two layers gets one adjoint line summing both layers", "[latex][graph]") {
    const auto d = shared::steps();
    ctgrad_test::check_golden("shared_weight_derivation.tex", d.latex());
    ctgrad_test::check_golden("shared_weight_derivation.txt", d.text());
    CHECK(latex(grad(shared::L, shared::W)) ==
          "A_1^{T} \\frac{\\partial L}{\\partial Z_2} + X^{T} \\frac{\\partial L}{\\partial Z_1}");
}

}  // namespace
