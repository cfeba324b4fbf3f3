// One engine: `ctgrad-gen derive` on each lecture formula prints exactly the LaTeX that the C++
// API's derivation(L, V...) gives for the same formula written in C++ (sizes: the generator's
// defaults, d = 3, H = 4, M = 5; n at run time), except that the generator prints a size by its
// name (M, not 5). Each formula costs one compile of a derive
// program, shared through the build tree's cache with `ctgrad-gen lecture NAME`.
#if __has_include("generator.hpp") && __has_include(<ctgrad/derivation_steps.hpp>)

#include <ctgrad/ctgrad.hpp>
#include <ctgrad/derivation_steps.hpp>

#include <catch2/catch.hpp>

#include <string>

#include "generator.hpp"

namespace {

using namespace ctgrad;

constexpr int d = 3;
constexpr int H = 4;
constexpr int M = 5;

/// `ctgrad-gen derive` on the lecture formula `name`, as LaTeX.
gen::outcome derive_lecture(const std::string& name, const std::string& format = "latex") {
    const gen::lecture_formula* f = gen::find_lecture(name);
    REQUIRE(f != nullptr);
    gen::request r;
    r.command = "derive";
    r.formula = f->formula;
    r.has_formula = true;
    r.dims = f->dims;
    if (!f->wrt.empty()) {
        r.wrt = f->wrt;
        r.has_wrt = true;
    }
    r.format = format;
    return gen::run(r, {gen::toolchain::configured(), CTGRAD_GEN_TEST_CACHE});
}

void same_latex(const std::string& name, const std::string& api) {
    const gen::outcome o = derive_lecture(name);
    INFO(o.err);
    REQUIRE(o.exit_code == 0);
    CHECK(o.out == api);
}

constexpr matrix<"X", dynamic, d> X{};

}  // namespace

TEST_CASE("ctgrad-gen derive and the C++ API print the same LaTeX for the board exercise", "[cli][latex]") {
    constexpr matrix<"W_1", d, H> W1{};
    constexpr vector<"b_1", H> b1{};
    constexpr matrix<"W_2", H, 1> W2{};
    constexpr vector<"b_2", 1> b2{};
    constexpr matrix<"Y", dynamic, 1> Y{};
    constexpr auto L = mse(tanh(relu(X * W1 + transpose(b1)) * W2 + transpose(b2)), Y);
    same_latex("board", derivation(L, W1, b1, W2, b2).latex());
}

TEST_CASE("ctgrad-gen derive and the C++ API print the same LaTeX for the regressions as one neuron", "[cli][latex]") {
    constexpr matrix<"w", d, 1> w{};
    constexpr matrix<"b", 1, 1> b{};
    constexpr matrix<"Y", dynamic, 1> Y{};
    same_latex("linear", derivation(mse(identity(X * w + b), Y), w, b).latex());
    same_latex("logistic", derivation(bce(sigmoid(X * w + b), Y), w, b).latex());
    same_latex("poisson", derivation(mean(exp(X * w + b) - hadamard(Y, X * w + b)), w, b).latex());
}

TEST_CASE("ctgrad-gen never prints the sizes it makes up: a derivation shows their names", "[cli][latex]") {
    gen::request r;
    r.command = "derive";
    r.formula = "sum(X*W) + mean(W*V)";  // W: d x H and V: H x K, sizes the generator picks
    r.has_formula = true;
    r.format = "text";
    const gen::outcome o = gen::run(r, {gen::toolchain::configured(), CTGRAD_GEN_TEST_CACHE});
    INFO(o.out << o.err);
    REQUIRE(o.exit_code == 0);
    CHECK(o.out.find("∂L/∂W = Xᵀ 𝟏_(n×H) + (1/(dK)) 𝟏_(d×K) Vᵀ\n") != std::string::npos);  // not 𝟏ₙₓ₄, 1/15
    CHECK(o.out.find("L = 𝟏ₙᵀ X W 𝟏_H + mean(W V)\n") != std::string::npos);  // a name with no subscript letter: _H
    CHECK(o.out.find_first_of("023456789") == std::string::npos);

    r.formula = "mean(transpose(X*W))";  // the batch as a column count is still n, never m
    const gen::outcome transposed = gen::run(r, {gen::toolchain::configured(), CTGRAD_GEN_TEST_CACHE});
    INFO(transposed.out << transposed.err);
    REQUIRE(transposed.exit_code == 0);
    CHECK(transposed.out.find("1/(Hn)") != std::string::npos);
    CHECK(transposed.out.find("ₘ") == std::string::npos);
}

TEST_CASE("ctgrad-gen derive and the C++ API print the same LaTeX for the two-layer net", "[cli][latex]") {
    constexpr matrix<"W_1", d, H> W1{};
    constexpr vector<"b_1", H> b1{};
    constexpr matrix<"W_2", H, M> W2{};
    constexpr vector<"b_2", M> b2{};
    constexpr matrix<"Y", dynamic, M> Y{};
    constexpr auto L = mse(sigmoid(sigmoid(X * W1 + transpose(b1)) * W2 + transpose(b2)), Y);
    // The generator prints its sizes by their names (CTGRAD_SIZE_NAME): MSE's 2/(5n) is 2/(Mn).
    std::string api = derivation(L, W1, b1, W2, b2).latex();
    const std::string by_number = "\\frac{2}{5n}";
    const std::size_t at = api.find(by_number);
    REQUIRE(at != std::string::npos);
    api.replace(at, by_number.size(), "\\frac{2}{Mn}");
    CHECK(api.find("5n") == std::string::npos);
    same_latex("two_layer", api);
}

TEST_CASE("ctgrad-gen derive --format json lists every equation with its full LaTeX", "[cli][latex]") {
    const gen::outcome o = derive_lecture("board", "json");
    INFO(o.err);
    REQUIRE(o.exit_code == 0);
    CHECK(o.out.rfind("{\"formula\": \"mse(tanh(ReLU(X*W1 + b1^T)*W2 + b2^T), Y)\", \"equations\": [", 0) == 0);
    CHECK(o.out.find("{\"lhs\": \"Z_1\", \"rhs\": \"X W_1 + b_1^{T}\", \"latex\": \"Z_1 = X W_1 + b_1^{T}\"}") !=
          std::string::npos);
    CHECK(o.out.find("\"lhs\": \"W_2\", \"rhs\": \"W_2 - \\\\eta \\\\frac{\\\\partial L}{\\\\partial W_2}\"") !=
          std::string::npos);
}

#endif
