// Derivations of formulas that read an intermediate more than once (a DAG, issue 16): two
// residual layers, with and without named<"H_k"> for the residual sums, and a weight shared by two
// layers, against golden LaTeX and text. Each reused node's adjoint is one line, the sum of its
// readers' contributions; an unnamed node that two nodes read is called H_k (detail/naming.hpp).
// residual_derivation.txt is also what `ctgrad-gen derive` must print for the same formula
// (generator/tests/cli_tests.cmake, cli.derive_residual_text and _latex).
#include "latex_support.hpp"

#include <ctgrad/derivation_steps.hpp>

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

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

TEST_CASE("A residual block's derivation names the reused sum H_1 and sums its contributions in one line", "[latex][graph]") {
    const auto d = residual::plain();
    ctgrad_test::check_golden("residual_derivation.tex", d.latex());
    ctgrad_test::check_golden("residual_derivation.txt", d.text());
    // X + A_1 is read by Z_2's product and by the next sum: it is H_1, defined once, and its
    // adjoint is one line with two contributions, handed to A_1 unchanged.
    const std::string t = d.text();
    CHECK(t.find("  H₁ = X + A₁\n  Z₂ = H₁ W₂ + b₂ᵀ\n") != std::string::npos);
    CHECK(t.find("  ∂L/∂H₁ = ∂L/∂ŷ · ∂ŷ/∂H₁ + ∂L/∂Z₂ · ∂Z₂/∂H₁ = ∂L/∂ŷ W₃ᵀ + ∂L/∂Z₂ W₂ᵀ\n") != std::string::npos);
    CHECK(t.find("  ∂L/∂A₁ = ∂L/∂H₁ · ∂H₁/∂A₁ = ∂L/∂H₁\n") != std::string::npos);
    CHECK(latex(grad(residual::L, residual::W2)) == "H_1^{T} \\frac{\\partial L}{\\partial Z_2}");
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

// ---- the rule: an unnamed node read by two or more distinct nodes is H_k ---------------------

namespace rule {
constexpr matrix<"X", dynamic, 3> X{};
constexpr matrix<"W_1", 3, 3> W1{};
constexpr matrix<"W_2", 3, 3> W2{};
constexpr matrix<"W_3", 3, 3> W3{};
constexpr matrix<"w", 3, 1> w{};
constexpr matrix<"Y", dynamic, 1> Y{};

// Three residual layers: X + A_1 and the next sum are each read by a product and by the next
// sum; the last sum only by the output's product.
constexpr auto S1 = X + tanh(X * W1);
constexpr auto S2 = S1 + tanh(S1 * W2);
constexpr auto L = mse((S2 + tanh(S2 * W3)) * w, Y);

// The first sum named by the user: it keeps the name, and the second is the first H.
constexpr auto named_S1 = named<"S">(X + tanh(X * W1));
constexpr auto named_S2 = named_S1 + tanh(named_S1 * W2);
constexpr auto named_L = mse((named_S2 + tanh(named_S2 * W3)) * w, Y);

// A variable spelled H_1: the shared nodes' names skip it.
constexpr matrix<"H_1", dynamic, 3> H{};
constexpr auto T1 = H + tanh(H * W1);
constexpr auto T2 = T1 + tanh(T1 * W2);
constexpr auto taken_L = mse((T2 + tanh(T2 * W3)) * w, Y);

// X W - Y read twice by one node (a square written as a product): one reader, no name.
constexpr auto E = X * w - Y;
constexpr auto square_L = sum(hadamard(E, E));

// The lecture's board net, a tree: no node has two readers.
constexpr vector<"b_1", 3> b1{};
constexpr auto board_L = mse(tanh(relu(X * W1 + transpose(b1)) * w), Y);

// A residual chain of 12 layers, H_{k+1} = H_k + tanh(H_k W_k): every sum but the last is read
// twice. Unnamed, its lines wrote out every earlier sum (the longest was 721 bytes); now 78 characters.
template <int K>
constexpr matrix<indexed_name<"V", K>, 3, 3> V{};
template <int K, int Depth, class H>
constexpr auto chain(H h) {
    if constexpr (K == Depth) {
        return h;
    } else {
        return chain<K + 1, Depth>(h + tanh(h * V<K>));
    }
}
constexpr auto deep_L = mse(chain<0, 12>(X), matrix<"Y", dynamic, 3>{});

/// The names a derivation gives L's intermediates, as text, in order.
template <class Loss>
std::string names_in_order(const Loss&) {
    const detail::name_context names = detail::names_of_loss<plain_t<Loss>>();
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) out += ' ';
        out += names.name(i, true).view();
    }
    return out;
}
}  // namespace rule

TEST_CASE("An unnamed node read by two nodes is H_k, numbered from the input, and a node read once is not", "[latex][graph]") {
    CHECK(rule::names_in_order(rule::L) == "Z₁ A₁ H₁ Z₂ A₂ H₂ Z₃ A₃ ŷ L");
    const std::string t = derivation(rule::L, rule::W1).text();
    CHECK(t.find("  H₁ = X + A₁\n") != std::string::npos);
    CHECK(t.find("  H₂ = H₁ + A₂\n") != std::string::npos);
    CHECK(t.find("  ŷ  = (H₂ + A₃) w\n") != std::string::npos);
    // issue 16's line: the adjoint of a reused intermediate, the sum of its readers' contributions
    CHECK(t.find("  ∂L/∂H₁ = ∂L/∂H₂ · ∂H₂/∂H₁ + ∂L/∂Z₂ · ∂Z₂/∂H₁ = ∂L/∂H₂ + ∂L/∂Z₂ W₂ᵀ\n") != std::string::npos);
    CHECK(t.find("  ∂L/∂A₁ = ∂L/∂H₁ · ∂H₁/∂A₁ = ∂L/∂H₁\n") != std::string::npos);
    CHECK(rule::names_in_order(rule::board_L) == "Z₁ A₁ Z₂ ŷ L");
    CHECK(rule::names_in_order(rule::square_L) == "L");
}

TEST_CASE("A 12-layer residual chain's derivation reads in short lines: each sum is H_k, each adjoint one line", "[latex][graph]") {
    const std::string t = derivation(rule::deep_L, rule::V<0>).text();
    CHECK(t.find("  ŷ   = H₁₁ + A₁₂\n") != std::string::npos);
    CHECK(t.find("  ∂L/∂H₁₁ = ∂L/∂ŷ · ∂ŷ/∂H₁₁ + ∂L/∂Z₁₂ · ∂Z₁₂/∂H₁₁ = ∂L/∂ŷ + ∂L/∂Z₁₂ V₁₁ᵀ\n") != std::string::npos);
    CHECK(t.find("  ∂L/∂H₁  = ∂L/∂H₂ · ∂H₂/∂H₁ + ∂L/∂Z₂ · ∂Z₂/∂H₁ = ∂L/∂H₂ + ∂L/∂Z₂ V₁ᵀ\n") != std::string::npos);
    std::size_t longest = 0, at = 0;
    while (at < t.size() && !t.substr(at).starts_with("Convention")) {
        const std::size_t end = t.find('\n', at);
        longest = std::max(longest, detail::display_width(std::string_view(t).substr(at, end - at)));
        at = end + 1;
    }
    CHECK(longest <= 80);  // characters on a terminal
}

TEST_CASE("A reused node the user named keeps its name, and H_k skips a name a variable has", "[latex][graph]") {
    CHECK(rule::names_in_order(rule::named_L) == "Z₁ A₁ S Z₂ A₂ H₁ Z₃ A₃ ŷ L");
    CHECK(rule::names_in_order(rule::taken_L) == "Z₁ A₁ H₂ Z₂ A₂ H₃ Z₃ A₃ ŷ L");
    CHECK(latex(grad(rule::taken_L, rule::W2)) == "H_2^{T} \\frac{\\partial L}{\\partial Z_2}");
}

}  // namespace
