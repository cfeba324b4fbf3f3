// One engine on board exercise 2's deep tanh net: `ctgrad-gen derive` prints for dL/dW_1 exactly
// the LaTeX of the C++ API's derivation of the same net. The lecture's net has 100 layers; its
// derivation takes minutes and gigabytes to compile (this translation unit and the generator's
// program alike). CMake defines CTGRAD_GEN_DEEP_LAYERS=100 when CTGRAD_GEN_DEEP100_TEST is on (the
// default with g++); otherwise the test uses 12 layers, enough for the long chain to fold.
#if __has_include("generator.hpp") && __has_include(<ctgrad/derivation_steps.hpp>)

#include <ctgrad/ctgrad.hpp>
#include <ctgrad/derivation_steps.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <string>

#include "generator.hpp"

namespace {

using namespace ctgrad;

#ifndef CTGRAD_GEN_DEEP_LAYERS
#define CTGRAD_GEN_DEEP_LAYERS 12
#endif
constexpr int layers = CTGRAD_GEN_DEEP_LAYERS;
constexpr int d = 3;  // the generator's default sizes for d and H
constexpr int H = 4;

/// The generator's LaTeX name for the k-th weight or bias: W_1 ... W_9, W_{10} ... W_{100}.
template <char Letter, int K>
constexpr auto layer_name() {
    constexpr std::size_t digits = K < 10 ? 1 : K < 100 ? 2 : 3;
    constexpr std::size_t size = digits == 1 ? 4 : digits + 5;  // "W_1" or "W_{12}", and '\0'
    char text[size] = {};
    std::size_t at = 0;
    text[at++] = Letter;
    text[at++] = '_';
    if (digits > 1) text[at++] = '{';
    for (int place = digits == 3 ? 100 : digits == 2 ? 10 : 1; place > 0; place /= 10) {
        text[at++] = static_cast<char>('0' + (K / place) % 10);
    }
    if (digits > 1) text[at++] = '}';
    return detail::fixed_string<size>(text);
}

template <int K>
constexpr matrix<layer_name<'W', K>(), K == 1 ? d : H, K == layers ? 1 : H> W{};
template <int K>
constexpr vector<layer_name<'b', K>(), K == layers ? 1 : H> b{};

constexpr matrix<"X", dynamic, d> X{};
constexpr matrix<"Y", dynamic, 1> Y{};

/// A_0 = X, A_k = tanh(A_{k-1} W_k + b_k^T).
template <int K>
constexpr auto A = tanh(A<K - 1> * W<K> + transpose(b<K>));
template <>
constexpr auto A<0> = X;

}  // namespace

TEST_CASE("ctgrad-gen derive and the C++ API print the same LaTeX for the deep tanh net of board exercise 2",
          "[cli][latex][deep100]") {
    STATIC_REQUIRE(layer_name<'W', 7>().view() == "W_7");
    STATIC_REQUIRE(layer_name<'b', 100>().view() == "b_{100}");
    constexpr auto L = mse(A<layers>, Y);
    const std::string api = derivation(L, W<1>).latex();

    gen::request r;
    r.command = "derive";
    r.formula = gen::deep_tanh_formula(layers);
    r.has_formula = true;
    r.dims = gen::deep_tanh_dims(layers);
    r.wrt = "W1";
    r.has_wrt = true;
    if (layers == 100) CHECK(r.formula == gen::find_lecture("deep100")->formula);
    r.format = "latex";
    const gen::outcome o = gen::run(r, {gen::toolchain::configured(), CTGRAD_GEN_TEST_CACHE});
    INFO(o.err);
    REQUIRE(o.exit_code == 0);
    CHECK(o.out == api);
}

#endif
