// The lecture's exercise 2: a 100-layer tanh network, A_k = tanh(A_{k-1} W_k), whose dL/dW_1
// derivation folds the chain (\vdots between steps, \cdots between factors) instead of printing
// 300 factors. Its own file: the network is large, and this file compiles in parallel.
#include "latex_support.hpp"

#include <ctgrad/derivation_steps.hpp>

#include <string>

namespace {

using namespace ctgrad;

// "W_1" .. "W_9", then "W_{10}" ..: variable names are compile-time strings, built here.
template <int K>
constexpr auto weight_name() {
    constexpr int digits = K < 10 ? 1 : K < 100 ? 2 : 3;
    constexpr int length = digits == 1 ? 3 : 4 + digits;
    char text[length + 1] = {'W', '_'};
    if constexpr (digits == 1) {
        text[2] = static_cast<char>('0' + K);
    } else {
        text[2] = '{';
        for (int i = digits - 1, v = K; i >= 0; --i, v /= 10) text[3 + i] = static_cast<char>('0' + v % 10);
        text[3 + digits] = '}';
    }
    return detail::fixed_string<length + 1>(text);
}

constexpr int depth = 100;
constexpr matrix<"X", dynamic, 8> X{};
constexpr matrix<"Y", dynamic, 8> Y{};
template <int K>
constexpr matrix<weight_name<K>(), 8, 8> W{};
template <int K>
constexpr auto A = tanh(A<K - 1> * W<K>);
template <>
constexpr auto A<0> = X;
constexpr auto L = mse(A<depth>, Y);

static_assert(W<7>.name == "W_7" && W<42>.name == "W_{42}" && W<100>.name == "W_{100}");

TEST_CASE("The 100-layer tanh chain's derivation folds with \\vdots and \\cdots", "[latex]") {
    const auto d = derivation(L, W<1>);
    ctgrad_test::check_golden("deep_chain.tex", d.latex());
    ctgrad_test::check_golden("deep_chain.txt", d.text());
    CHECK(latex(grad(L, W<1>)) == "X^{T} \\frac{\\partial L}{\\partial Z_1}");
}

}  // namespace
